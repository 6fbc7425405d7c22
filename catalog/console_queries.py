"""Read-side queries for the staff console: transcripts with delivery status, chart data.

The console's writes go through the domain operations (catalog.handoff,
catalog.outbox, catalog.canned); this module only reads, apart from retrying a
failed message of the conversation being looked at. Callers own the session.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog import handoff, outbox
from catalog.models import (
    Case,
    CaseService,
    Conversation,
    ConversationMessage,
    ConversationStateChange,
    OutboxMessage,
    Service,
    Staff,
)
from catalog.translations import title_in

DIMENSIONS = {"need": Case.need_category, "country": Case.country,
              "language": Case.language, "outcome": Case.status}


@dataclass(frozen=True)
class TranscriptRow:
    """One transcript message as the console shows it, with its delivery status if queued."""

    id: int
    direction: str
    author: str
    staff_name: str | None
    text: str
    created_at: dt.datetime
    outbox_id: int | None
    status: str | None


@dataclass(frozen=True)
class WeekCount:
    """How many cases of one value (a need, a country...) were opened in one week."""

    week: dt.date
    value: str
    count: int


def transcript(session: Session, conversation_id: str, *, after: int = 0,
               limit: int = 500) -> list[TranscriptRow]:
    """Return messages newer than ``after``, oldest first (the latest ``limit`` at most)."""
    query = (select(ConversationMessage, OutboxMessage.id, OutboxMessage.status,
                    Staff.name, Staff.email)
             .outerjoin(OutboxMessage, OutboxMessage.transcript_id == ConversationMessage.id)
             .outerjoin(Staff, Staff.id == ConversationMessage.staff_id)
             .where(ConversationMessage.conversation_id == conversation_id,
                    ConversationMessage.id > after)
             .order_by(ConversationMessage.id.desc()).limit(limit))
    rows = [TranscriptRow(m.id, m.direction, m.author, name or email, m.text, m.created_at,
                          outbox_id, status)
            for m, outbox_id, status, name, email in session.execute(query)]
    return rows[::-1]


def delivery_statuses(session: Session, conversation_id: str) -> dict[int, tuple[str, int]]:
    """Return {transcript id: (outbox status, outbox id)} for the conversation's messages."""
    rows = session.execute(select(OutboxMessage.transcript_id, OutboxMessage.status,
                                  OutboxMessage.id)
                           .where(OutboxMessage.conversation_id == conversation_id,
                                  OutboxMessage.transcript_id.is_not(None)))
    return {tid: (status, oid) for tid, status, oid in rows}


def retry_failed(session: Session, conversation_id: str, outbox_id: int) -> bool:
    """Queue a failed message of this conversation again; False if it is not one."""
    owner = session.scalar(select(OutboxMessage.conversation_id)
                           .where(OutboxMessage.id == outbox_id))
    return owner == conversation_id and outbox.retry_now(session, outbox_id)


def conversation_marker(session: Session, conversation_id: str
                        ) -> tuple[str, int | None] | None:
    """Return (state, holder) of a conversation, or None once it is erased."""
    row = session.execute(select(Conversation.state, Conversation.assigned_to)
                          .where(Conversation.id == conversation_id)).first()
    return None if row is None else (row[0], row[1])


def queue_marker(session: Session) -> tuple[int, int]:
    """Return a value that changes whenever the queue's rows would change."""
    moved = session.scalar(select(func.max(ConversationStateChange.id))) or 0
    written = session.scalar(
        select(func.max(ConversationMessage.id))
        .join(Conversation, Conversation.id == ConversationMessage.conversation_id)
        .where(Conversation.state.in_(("waiting", "human")))) or 0
    return int(moved), int(written)


def handoff_counts(session: Session) -> dict[str, int]:
    """Return how many conversations wait and how many brokers hold now."""
    rows = session.execute(select(Conversation.state, func.count())
                           .where(Conversation.state.in_(("waiting", "human")))
                           .group_by(Conversation.state))
    counts = {"waiting": 0, "human": 0}
    counts.update({state: int(n) for state, n in rows})
    return counts


def case_by_reference(session: Session, reference: str) -> Case | None:
    """Return the case with this reference, if any."""
    return session.scalar(select(Case).where(Case.reference == reference.strip().upper()))


def chosen_services(session: Session, case_id: int, lang: str) -> list[str]:
    """Return the titles (in ``lang``) of the services the user chose from the proposals."""
    services = session.scalars(select(Service).join(CaseService,
                                                     CaseService.service_id == Service.id)
                               .where(CaseService.case_id == case_id)
                               .order_by(CaseService.created_at))
    return [title_in(service, lang) for service in services]


def week_start(moment: dt.datetime) -> dt.date:
    """Return the Monday of the week ``moment`` falls in (UTC)."""
    day = moment.astimezone(dt.UTC).date()
    return day - dt.timedelta(days=day.weekday())


def requests_by_week(session: Session, dimension: str, *, since: dt.datetime,
                     until: dt.datetime | None = None) -> list[WeekCount]:
    """Count cases opened per week by need, country, language or outcome (status).

    Grouping by week happens here rather than in SQL: week truncation is spelt
    differently in SQLite and PostgreSQL, and only two small columns are read.
    """
    column = DIMENSIONS[dimension]
    query = select(Case.created_at, column).where(Case.created_at >= since)
    if until is not None:
        query = query.where(Case.created_at < until)
    counts: Counter[tuple[dt.date, str]] = Counter()
    for created_at, value in session.execute(query):
        counts[(week_start(created_at), value or "")] += 1
    return [WeekCount(week, value, n) for (week, value), n in sorted(counts.items())]


def wait_times(session: Session, *, days: int, now: dt.datetime | None = None
               ) -> list[dt.timedelta]:
    """Return how long conversations waited before a broker took them, over ``days`` days."""
    return handoff.recent_waits(session, now=now, days=days, limit=5000)
