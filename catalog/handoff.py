"""Handing conversations between the assistant, the brokers' queue and a broker.

A conversation is in one state at a time: ``bot`` (the assistant answers),
``waiting`` (queued for a broker) or ``human`` (a broker holds it). Every move is
a conditional update of the conversation row plus a history row saying who and
why, so two brokers can never both take the same conversation: the database
lets exactly one update match. Callers own the session and its transaction.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from catalog.errors import CatalogError
from catalog.models import (
    Case,
    CaseEvent,
    Conversation,
    ConversationMessage,
    ConversationNote,
    ConversationStateChange,
    Staff,
)
from catalog.outbox import enqueue

STATES = ("bot", "waiting", "human")
OUTCOMES = ("resolved", "referred", "not_eligible", "no_response", "duplicate")


class HandoffError(CatalogError):
    """A handoff operation cannot be done in the conversation's current state."""


class NotHolder(HandoffError):
    """The broker does not hold the conversation (another does, or nobody)."""


@dataclass(frozen=True)
class QueueEntry:
    """A conversation as the brokers' queue shows it."""

    conversation_id: str
    state: str
    channel: str
    language: str | None
    waiting_since: dt.datetime | None
    reason: str | None
    assigned_to: int | None
    assigned_name: str | None
    org_name: str | None
    need_category: str | None
    case_reference: str | None
    country: str | None
    last_message: str | None


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def _history(session: Session, conversation_id: str, from_state: str, to_state: str, *,
             actor: str, reason: str = "", staff_id: int | None = None,
             now: dt.datetime | None = None) -> None:
    session.add(ConversationStateChange(
        conversation_id=conversation_id, from_state=from_state, to_state=to_state,
        actor=actor, staff_id=staff_id, reason=reason[:60], created_at=_now(now)))


def _move(session: Session, conversation_id: str, *, allowed: tuple[str, ...], to_state: str,
          values: dict[str, object], extra: tuple[ColumnElement[bool], ...] = ()) -> str | None:
    """Move the conversation if it is in one of ``allowed``; return the state it left."""
    row = session.get(Conversation, conversation_id, populate_existing=True)
    if row is None or row.state not in allowed:
        return None
    before = row.state
    result = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.state == before, *extra)
        .values(state=to_state, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None  # someone else moved it first
    session.expire(row)
    return before


def escalate(session: Session, conversation_id: str, *, reason: str,
             actor: str = "assistant", now: dt.datetime | None = None) -> bool:
    """Queue the conversation for a broker; return False if it already waits or is held."""
    now = _now(now)
    before = _move(session, conversation_id, allowed=("bot",), to_state="waiting",
                   values={"handoff_reason": reason[:60], "waiting_since": now,
                           "assigned_to": None})
    if before is None:
        return False
    _history(session, conversation_id, before, "waiting", actor=actor, reason=reason, now=now)
    return True


def cancel_waiting(session: Session, conversation_id: str, *, actor: str = "user",
                   reason: str = "cancelled", now: dt.datetime | None = None) -> bool:
    """Take the conversation back to the assistant (from the queue or from a broker)."""
    before = _move(session, conversation_id, allowed=("waiting", "human"), to_state="bot",
                   values={"waiting_since": None, "assigned_to": None})
    if before is None:
        return False
    _history(session, conversation_id, before, "bot", actor=actor, reason=reason, now=now)
    return True


def take(session: Session, conversation_id: str, *, staff_id: int,
         now: dt.datetime | None = None) -> bool:
    """Give a waiting conversation to ``staff_id``; False if another broker was first."""
    before = _move(session, conversation_id, allowed=("waiting",), to_state="human",
                   values={"assigned_to": staff_id})
    if before is None:
        return False
    _history(session, conversation_id, before, "human", actor="staff", staff_id=staff_id,
             reason="taken", now=now)
    return True


def assign(session: Session, conversation_id: str, *, staff_id: int, by_staff_id: int,
           now: dt.datetime | None = None) -> bool:
    """Give a waiting or held conversation to ``staff_id`` (an administrator's decision)."""
    before = _move(session, conversation_id, allowed=("waiting", "human"), to_state="human",
                   values={"assigned_to": staff_id})
    if before is None:
        return False
    _history(session, conversation_id, before, "human", actor="staff", staff_id=by_staff_id,
             reason=f"assigned:{staff_id}", now=now)
    return True


def release(session: Session, conversation_id: str, *, staff_id: int,
            now: dt.datetime | None = None) -> bool:
    """Put a held conversation back in the queue, at its original place."""
    before = _move(session, conversation_id, allowed=("human",), to_state="waiting",
                   values={"assigned_to": None},
                   extra=(Conversation.assigned_to == staff_id,))
    if before is None:
        return False
    _history(session, conversation_id, before, "waiting", actor="staff", staff_id=staff_id,
             reason="released", now=now)
    return True


def hand_back(session: Session, conversation_id: str, *, staff_id: int, notice: str | None,
              language: str | None, outcome: str | None = None,
              now: dt.datetime | None = None) -> bool:
    """Return a held conversation to the assistant; tell the user; close the case if asked.

    Raises:
        HandoffError: ``outcome`` is not one of OUTCOMES.
    """
    if outcome is not None and outcome not in OUTCOMES:
        raise HandoffError(f"unknown outcome {outcome!r}")
    before = _move(session, conversation_id, allowed=("human",), to_state="bot",
                   values={"assigned_to": None, "waiting_since": None},
                   extra=(Conversation.assigned_to == staff_id,))
    if before is None:
        return False
    _history(session, conversation_id, before, "bot", actor="staff", staff_id=staff_id,
             reason=f"closed:{outcome}" if outcome else "handed_back", now=now)
    if outcome is not None:
        close_case(session, conversation_id, outcome=outcome, staff_id=staff_id)
    if notice:
        enqueue(session, conversation_id=conversation_id, text=notice, kind="notice",
                language=language)
    return True


def close_case(session: Session, conversation_id: str, *, outcome: str,
               staff_id: int | None = None) -> str | None:
    """Set the outcome on the conversation's latest case; return its reference."""
    case = latest_case(session, conversation_id)
    if case is None:
        return None
    case.status = outcome
    case.history.append(CaseEvent(status=outcome, note=f"closed by staff {staff_id or ''}"))
    return case.reference


def latest_case(session: Session, conversation_id: str) -> Case | None:
    """Return the conversation's most recent case, if any."""
    return session.scalar(select(Case).where(Case.conversation_id == conversation_id)
                          .order_by(Case.created_at.desc(), Case.id.desc()).limit(1))


def broker_reply(session: Session, conversation_id: str, *, staff_id: int, text: str
                 ) -> ConversationMessage:
    """Record a broker's reply in the transcript and queue it for delivery.

    Raises:
        NotHolder: ``staff_id`` does not hold the conversation.
        HandoffError: the reply is empty.
    """
    text = text.strip()
    if not text:
        raise HandoffError("empty reply")
    row = session.get(Conversation, conversation_id, populate_existing=True)
    if row is None or row.state != "human" or row.assigned_to != staff_id:
        raise NotHolder(conversation_id)
    message = enqueue(session, conversation_id=conversation_id, text=text, kind="broker",
                      language=row.language, staff_id=staff_id)
    return message


def add_note(session: Session, conversation_id: str, *, staff_id: int, text: str
             ) -> ConversationNote:
    """Leave an internal note on a conversation.

    Raises:
        HandoffError: the note is empty or the conversation does not exist.
    """
    text = text.strip()
    if not text or session.get(Conversation, conversation_id) is None:
        raise HandoffError("empty note or unknown conversation")
    note = ConversationNote(conversation_id=conversation_id, staff_id=staff_id, text=text)
    session.add(note)
    session.flush()
    return note


def queue(session: Session, *, states: tuple[str, ...] = ("waiting", "human"),
          language: str | None = None, channel: str | None = None,
          assigned_to: int | None = None, limit: int = 200) -> list[QueueEntry]:
    """Return conversations waiting for or held by brokers, the longest waiting first."""
    query = (select(Conversation).where(Conversation.state.in_(states))
             .order_by(Conversation.waiting_since.is_(None), Conversation.waiting_since,
                       Conversation.id).limit(limit))
    if language:
        query = query.where(Conversation.language == language)
    if channel:
        query = query.where(Conversation.channel == channel)
    if assigned_to is not None:
        query = query.where(Conversation.assigned_to == assigned_to)
    rows = list(session.scalars(query))
    return [_entry(session, row) for row in rows]


def entry(session: Session, conversation_id: str) -> QueueEntry | None:
    """Return one conversation as the queue shows it."""
    row = session.get(Conversation, conversation_id, populate_existing=True)
    return None if row is None else _entry(session, row)


def _entry(session: Session, row: Conversation) -> QueueEntry:
    case = latest_case(session, row.id)
    last = session.scalar(select(ConversationMessage.text)
                          .where(ConversationMessage.conversation_id == row.id,
                                 ConversationMessage.direction == "in")
                          .order_by(ConversationMessage.id.desc()).limit(1))
    staff = session.get(Staff, row.assigned_to) if row.assigned_to else None
    return QueueEntry(
        conversation_id=row.id, state=row.state, channel=row.channel, language=row.language,
        waiting_since=row.waiting_since, reason=row.handoff_reason,
        assigned_to=row.assigned_to, assigned_name=(staff.name or staff.email) if staff else None,
        org_name=case.org_name if case else None,
        need_category=case.need_category if case else None,
        case_reference=case.reference if case else None,
        country=case.country if case else None, last_message=last)


def queue_position(session: Session, conversation_id: str) -> int | None:
    """Return the conversation's place in the queue (1 = next), or None if not waiting."""
    row = session.get(Conversation, conversation_id, populate_existing=True)
    if row is None or row.state != "waiting" or row.waiting_since is None:
        return None
    ahead = session.scalar(select(func.count()).select_from(Conversation).where(
        Conversation.state == "waiting", Conversation.waiting_since.is_not(None),
        (Conversation.waiting_since < row.waiting_since)
        | ((Conversation.waiting_since == row.waiting_since) & (Conversation.id < row.id))))
    return int(ahead or 0) + 1


def recent_waits(session: Session, *, now: dt.datetime | None = None,
                 days: int = 14, limit: int = 200) -> list[dt.timedelta]:
    """Return how long recent conversations waited before a broker took them."""
    since = _now(now) - dt.timedelta(days=days)
    changes = list(session.scalars(
        select(ConversationStateChange)
        .where(ConversationStateChange.created_at >= since,
               ConversationStateChange.to_state.in_(("waiting", "human")))
        .order_by(ConversationStateChange.conversation_id, ConversationStateChange.id)
        .limit(limit * 2)))
    waits: list[dt.timedelta] = []
    queued_at: dict[str, dt.datetime] = {}
    for change in changes:
        if change.to_state == "waiting" and change.from_state == "bot":
            queued_at[change.conversation_id] = change.created_at
        elif change.to_state == "human" and change.from_state == "waiting":
            started = queued_at.pop(change.conversation_id, None)
            if started is not None:
                waits.append(change.created_at - started)
    return waits


def expected_wait(session: Session, position: int, *, now: dt.datetime | None = None
                  ) -> dt.timedelta | None:
    """Estimate the wait for the given queue place from recent waits; None without history."""
    waits = recent_waits(session, now=now)
    if len(waits) < 3:
        return None
    typical = statistics.median(w.total_seconds() for w in waits)
    return dt.timedelta(seconds=max(60.0, typical * max(1, position)))


def history(session: Session, conversation_id: str) -> list[ConversationStateChange]:
    """Return the conversation's state changes, oldest first."""
    return list(session.scalars(select(ConversationStateChange)
                                .where(ConversationStateChange.conversation_id == conversation_id)
                                .order_by(ConversationStateChange.id)))


def notes(session: Session, conversation_id: str) -> list[ConversationNote]:
    """Return the conversation's internal notes, oldest first."""
    return list(session.scalars(select(ConversationNote)
                                .where(ConversationNote.conversation_id == conversation_id)
                                .order_by(ConversationNote.id)))
