"""The outbox: everything the product says outside a reply to the user's own message.

A message is written here (and to the transcript) in the same transaction as what
caused it; a delivery worker claims due messages, sends them through the
conversation's channel and records the outcome. Claiming is a conditional update
with a lease, so several workers (or a restarted one) never send a message twice
while it is being sent, and a worker that died mid-send leaves it to be retried.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from catalog.models import ConversationMessage, OutboxMessage

MAX_ATTEMPTS = 8
LEASE = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Claimed:
    """An outbox message claimed for sending, detached from any session."""

    id: int
    conversation_id: str
    transcript_id: int | None
    kind: str
    text: str
    buttons: list[dict[str, Any]]
    language: str | None
    attempts: int
    document: dict[str, Any] | None = None


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def enqueue(session: Session, *, conversation_id: str, text: str, kind: str,
            language: str | None = None, buttons: list[dict[str, Any]] | None = None,
            staff_id: int | None = None,
            document: dict[str, Any] | None = None) -> ConversationMessage:
    """Add a message to the transcript and queue it for delivery; return the transcript row."""
    author = "broker" if kind == "broker" else "notice"
    message = ConversationMessage(conversation_id=conversation_id, direction="out",
                                  author=author, staff_id=staff_id, text=text, delivered=False)
    session.add(message)
    session.flush()
    session.add(OutboxMessage(conversation_id=conversation_id, transcript_id=message.id,
                              kind=kind, text=text, buttons=list(buttons or []),
                              document=document, language=language, status="pending",
                              attempts=0,
                              next_attempt_at=_now(None)))
    session.flush()
    return message


def claim_due(session: Session, *, now: dt.datetime | None = None, limit: int = 20,
              lease: dt.timedelta = LEASE) -> list[Claimed]:
    """Claim up to ``limit`` messages that are due (or whose sender's lease ran out)."""
    now = _now(now)
    candidates = list(session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status.in_(("pending", "sending")),
               OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id).limit(limit)))
    claimed: list[Claimed] = []
    for row in candidates:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.status == row.status,
                   OutboxMessage.next_attempt_at == row.next_attempt_at)
            .values(status="sending", next_attempt_at=now + lease)
            .execution_options(synchronize_session=False))
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(Claimed(row.id, row.conversation_id, row.transcript_id, row.kind,
                                   row.text, list(row.buttons or []), row.language,
                                   row.attempts, row.document))
    return claimed


def mark_sent(session: Session, message_id: int, *, now: dt.datetime | None = None) -> None:
    """Record that a message reached the channel."""
    row = session.get(OutboxMessage, message_id)
    if row is None:
        return  # erased with its conversation meanwhile
    row.status, row.sent_at, row.last_error = "sent", _now(now), None
    row.attempts += 1
    if row.transcript_id is not None:
        message = session.get(ConversationMessage, row.transcript_id)
        if message is not None:
            message.delivered = True


def mark_retry(session: Session, message_id: int, error: str, *,
               now: dt.datetime | None = None) -> bool:
    """Schedule another attempt with exponential back-off; return False once it gave up."""
    row = session.get(OutboxMessage, message_id)
    if row is None:
        return False
    row.attempts += 1
    row.last_error = error[:200]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
        return False
    row.status = "pending"
    delay = min(2.0 ** row.attempts, 900.0)
    row.next_attempt_at = _now(now) + dt.timedelta(seconds=delay)
    return True


def mark_failed(session: Session, message_id: int, error: str) -> None:
    """Give up on a message that can never be delivered (blocked bot, closed window)."""
    row = session.get(OutboxMessage, message_id)
    if row is not None:
        row.attempts += 1
        row.status, row.last_error = "failed", error[:200]


def retry_now(session: Session, message_id: int) -> bool:
    """Queue a failed message again (a broker asked for it)."""
    result = session.execute(update(OutboxMessage)
                             .where(OutboxMessage.id == message_id,
                                    OutboxMessage.status == "failed")
                             .values(status="pending", next_attempt_at=_now(None), attempts=0)
                             .execution_options(synchronize_session=False))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def statuses(session: Session, conversation_id: str) -> dict[int, tuple[str, str | None]]:
    """Return {transcript id: (status, last error)} for a conversation's outbox messages."""
    rows = session.execute(select(OutboxMessage.transcript_id, OutboxMessage.status,
                                  OutboxMessage.last_error)
                           .where(OutboxMessage.conversation_id == conversation_id))
    return {tid: (status, error) for tid, status, error in rows if tid is not None}
