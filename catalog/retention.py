"""Retention: a conversation idle for longer than the retention period loses its personal data.

What goes: everything that names or reaches a person or says what they wrote (the
conversation's channel user id, every transcript and outbox text, broker notes, the
contact, name, website and free-text fields of its cases, the name and e-mail of its
event registrations) and, through the caller, Rasa's tracker of the conversation. What
stays: the codes a broker network counts (channel, language, dates, states and why they
changed, a case's legal form, country, city, sector, size, stage, need, amount, timeline,
status and chosen services, consent answers, registrations per event). See
docs/DECISIONS.md, "Retention".

A conversation is idle when nothing happened in it since the cut-off: no message, no
state change, no note, no change to its cases, and no event it registered for ended
after it. Conversations waiting for or held by a broker are left alone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Result, exists, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from catalog.models import (
    Case,
    Conversation,
    ConversationMessage,
    ConversationNote,
    ConversationStateChange,
    Event,
    EventRegistration,
    OutboxMessage,
)

logger = logging.getLogger(__name__)


@dataclass
class RetentionReport:
    """What one round anonymised (or, on a dry run, would anonymise)."""

    cutoff: dt.datetime
    conversations: list[str] = field(default_factory=list)
    cases: int = 0
    registrations: int = 0
    messages: int = 0
    failed: list[str] = field(default_factory=list)  # tracker not erased: next round


# Fields of a case that name or reach a person or the organisation, or quote the user.
_CASE_PERSONAL = (Case.org_name, Case.website, Case.need_description, Case.contact_name,
                  Case.email, Case.phone, Case.channel_user_id)


def _active_since(cutoff: dt.datetime) -> ColumnElement[bool]:
    """Return a condition true for conversations with any activity at or after ``cutoff``."""
    cid = Conversation.id
    return or_(
        Conversation.created_at >= cutoff,
        Conversation.updated_at >= cutoff,
        Conversation.last_inbound_at >= cutoff,
        exists().where(ConversationMessage.conversation_id == cid,
                       ConversationMessage.created_at >= cutoff),
        exists().where(ConversationStateChange.conversation_id == cid,
                       ConversationStateChange.created_at >= cutoff),
        exists().where(ConversationNote.conversation_id == cid,
                       ConversationNote.created_at >= cutoff),
        exists().where(Case.conversation_id == cid, Case.updated_at >= cutoff),
        exists().where(EventRegistration.conversation_id == cid,
                       EventRegistration.event_id == Event.id, Event.ends_at >= cutoff),
    )


def _holds_personal_data() -> ColumnElement[bool]:
    """Return a condition true for conversations not anonymised yet."""
    cid = Conversation.id
    return or_(
        Conversation.channel_user_id.is_not(None),
        exists().where(ConversationMessage.conversation_id == cid, ConversationMessage.text != ""),
        exists().where(OutboxMessage.conversation_id == cid, OutboxMessage.text != ""),
        exists().where(ConversationNote.conversation_id == cid, ConversationNote.text != ""),
        exists().where(Case.conversation_id == cid, or_(
            *(column.is_not(None) for column in _CASE_PERSONAL), Case.discoverable.is_(True))),
        exists().where(EventRegistration.conversation_id == cid, or_(
            EventRegistration.name != "", EventRegistration.email != "")),
    )


def expired(session: Session, *, cutoff: dt.datetime, limit: int | None = 500) -> list[str]:
    """Return conversations idle since before ``cutoff`` that still hold personal data."""
    return list(session.scalars(
        select(Conversation.id)
        .where(Conversation.state == "bot", ~_active_since(cutoff), _holds_personal_data())
        .order_by(Conversation.created_at).limit(limit)))


def _changed(result: Result[Any]) -> int:
    """Return how many rows an UPDATE changed."""
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def anonymise(session: Session, conversation_id: str, *, cutoff: dt.datetime
              ) -> tuple[int, int, int] | None:
    """Remove a conversation's personal data, keeping what statistics need.

    Checked again inside the transaction: a conversation the user came back to
    meanwhile is left alone (None).

    Returns:
        How many cases, registrations and transcript messages were anonymised.
    """
    still = session.scalar(select(Conversation.id).where(
        Conversation.id == conversation_id, Conversation.state == "bot",
        ~_active_since(cutoff)).with_for_update())
    if still is None:
        return None
    # updated_at is written back as it was: anonymising is not activity, and the dates
    # are part of the statistics.
    session.execute(update(Conversation).where(Conversation.id == conversation_id)
                    .values(channel_user_id=None, updated_at=Conversation.updated_at))
    messages = _changed(session.execute(
        update(ConversationMessage).where(ConversationMessage.conversation_id == conversation_id)
        .values(text="")))
    session.execute(update(OutboxMessage).where(OutboxMessage.conversation_id == conversation_id)
                    .values(text="", buttons=[]))
    session.execute(update(ConversationNote)
                    .where(ConversationNote.conversation_id == conversation_id).values(text=""))
    cases = _changed(session.execute(
        update(Case).where(Case.conversation_id == conversation_id)
        .values({**{column.key: None for column in _CASE_PERSONAL}, "original_words": [],
                 "discoverable": False, "updated_at": Case.updated_at})))
    registrations = _changed(session.execute(
        update(EventRegistration).where(EventRegistration.conversation_id == conversation_id)
        .values(name="", email="")))
    return cases, registrations, messages


def apply_retention(sessions: sessionmaker[Session], *, days: int,
                    erase_tracker: Callable[[str], None], dry_run: bool = False,
                    now: dt.datetime | None = None, limit: int | None = 500
                    ) -> RetentionReport:
    """Anonymise every conversation idle for more than ``days`` days (at most ``limit``).

    Rasa's tracker of a conversation is erased first (``erase_tracker``); when that
    fails the conversation is left as it is and reported, to be tried again next round.
    """
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=days)
    report = RetentionReport(cutoff=cutoff)
    with sessions() as session:
        due = expired(session, cutoff=cutoff, limit=limit)
        if dry_run:
            report.conversations = due
            if due:
                report.cases = session.scalar(select(func.count(Case.id)).where(
                    Case.conversation_id.in_(due))) or 0
                report.registrations = session.scalar(select(func.count(EventRegistration.id))
                                                      .where(EventRegistration.conversation_id
                                                             .in_(due))) or 0
                report.messages = session.scalar(select(func.count(ConversationMessage.id))
                                                 .where(ConversationMessage
                                                        .conversation_id.in_(due))) or 0
            return report
    for conversation_id in due:
        try:
            erase_tracker(conversation_id)
        except Exception as exc:  # the caller's store: whatever it raises, try again later
            logger.error("retention: conversation %s kept, its tracker was not erased (%s)",
                         conversation_id, type(exc).__name__)
            report.failed.append(conversation_id)
            continue
        with sessions.begin() as session:
            counts = anonymise(session, conversation_id, cutoff=cutoff)
        if counts is None:
            continue
        report.conversations.append(conversation_id)
        report.cases += counts[0]
        report.registrations += counts[1]
        report.messages += counts[2]
    if report.conversations or report.failed:
        logger.info("retention: %d conversations anonymised (%d cases, %d registrations), "
                    "%d left for the next round", len(report.conversations), report.cases,
                    report.registrations, len(report.failed))
    return report
