"""What the conversation page shows, read in one session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from catalog import canned, console_queries, handoff, staff
from catalog.cases import brief
from catalog.console_queries import TranscriptRow
from catalog.handoff import QueueEntry
from catalog.models import Case


@dataclass(frozen=True)
class Note:
    """An internal note with its author's name."""

    author: str
    text: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Move:
    """One state change with who made it."""

    from_state: str
    to_state: str
    actor: str
    staff_name: str | None
    reason: str
    created_at: dt.datetime


@dataclass(frozen=True)
class CaseBrief:
    """The conversation's latest case as the broker reads it."""

    reference: str
    status: str
    summary: list[str]
    original_words: list[str]
    chosen: list[str]


@dataclass(frozen=True)
class ConversationView:
    """Everything the conversation page needs."""

    entry: QueueEntry
    transcript: list[TranscriptRow]
    notes: list[Note]
    moves: list[Move]
    case: CaseBrief | None
    canned: list[dict[str, Any]]
    brokers: list[tuple[int, str]]

    @property
    def last_id(self) -> int:
        """Return the newest transcript id shown (where the live stream continues)."""
        return self.transcript[-1].id if self.transcript else 0


def case_brief(session: Session, case: Case | None, lang: str) -> CaseBrief | None:
    """Return a case's brief in ``lang`` (None without a case)."""
    if case is None:
        return None
    data = brief(case, lang)
    return CaseBrief(case.reference, case.status,
                     [line for line in str(data["summary"]).splitlines() if line],
                     list(data["original_words"]),
                     console_queries.chosen_services(session, case.id, lang))


def conversation_view(session: Session, conversation_id: str, lang: str
                      ) -> ConversationView | None:
    """Read the conversation page's data with the brief in the broker's language ``lang``."""
    entry = handoff.entry(session, conversation_id)
    if entry is None:
        return None
    notes = handoff.notes(session, conversation_id)
    moves = handoff.history(session, conversation_id)
    names = staff.display_names(session, {n.staff_id for n in notes if n.staff_id}
                   | {m.staff_id for m in moves if m.staff_id})
    replies = canned.replies(session, entry.language or "en")
    brokers = [(s.id, s.name or s.email) for s in staff.list_staff(session) if s.active]
    return ConversationView(
        entry=entry,
        transcript=console_queries.transcript(session, conversation_id),
        notes=[Note(names.get(n.staff_id or 0, "—"), n.text, n.created_at) for n in notes],
        moves=[Move(m.from_state, m.to_state, m.actor, names.get(m.staff_id or 0), m.reason,
                    m.created_at) for m in moves],
        case=case_brief(session, handoff.latest_case(session, conversation_id), lang),
        canned=[{"title": r.title, "text": r.text} for r in replies],
        brokers=brokers)
