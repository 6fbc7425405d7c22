"""Reminders before an event, derived from the database so that a restart loses none.

Nothing is scheduled in memory. A reminder is due when the event starts within one of the
configured offsets (24 hours and 1 hour by default) and the registration is confirmed.
Queuing it is a conditional update of the registration's `reminded_before` (minutes
before the start of the latest reminder queued) in the same transaction as the outbox
message: two schedulers (bot replicas, or one restarted) cannot both queue it, a
cancelled registration matches no update, and a reminder missed while the bot was down
is queued when it comes back, as long as the event has not started.

When several reminders fell due while the bot was down, only the nearest is sent. A
registration confirmed after a reminder's time gets no such reminder: its confirmation
came later and said when the event starts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from catalog.calendar import place_text, until_text, when_text
from catalog.models import Event, EventRegistration
from catalog.notices import language_of, tell
from catalog.registrations import CONFIRMED
from catalog.translations import title_in

DEFAULT_OFFSETS = "24h,1h"
_OFFSET = re.compile(r"^\s*(\d{1,4})\s*([dhm])\s*$")
_UNITS = {"d": dt.timedelta(days=1), "h": dt.timedelta(hours=1), "m": dt.timedelta(minutes=1)}


def parse_offsets(text: str) -> tuple[dt.timedelta, ...]:
    """Read offsets such as "24h,1h" or "2d, 90m", longest first.

    Raises:
        ValueError: a part is not a number followed by d, h or m, or is zero.
    """
    offsets: set[dt.timedelta] = set()
    for part in text.split(","):
        if not part.strip():
            continue
        match = _OFFSET.match(part.lower())
        if match is None or int(match.group(1)) == 0:
            raise ValueError(f"not a reminder offset: {part.strip()!r} (write e.g. 24h, 90m, 2d)")
        offsets.add(int(match.group(1)) * _UNITS[match.group(2)])
    return tuple(sorted(offsets, reverse=True))


@dataclass(frozen=True)
class Due:
    """A reminder to queue: which registration, and how many minutes before the start."""

    registration_id: int
    minutes_before: int


def _minutes(offset: dt.timedelta) -> int:
    return int(offset.total_seconds() // 60)


def due(session: Session, *, offsets: Sequence[dt.timedelta],
        now: dt.datetime | None = None) -> list[Due]:
    """Return the reminders due now that were not queued yet."""
    now = now or dt.datetime.now(dt.UTC)
    if not offsets:
        return []
    rows = session.execute(
        select(EventRegistration.id, EventRegistration.confirmed_at,
               EventRegistration.reminded_before, Event.starts_at)
        .join(Event, Event.id == EventRegistration.event_id)
        .where(EventRegistration.status == CONFIRMED, Event.active.is_(True),
               Event.cancelled_at.is_(None), Event.starts_at > now,
               Event.starts_at <= now + max(offsets))
        .order_by(Event.starts_at, EventRegistration.id)).tuples().all()
    found = []
    for registration_id, confirmed_at, reminded_before, starts_at in rows:
        nearest = min((o for o in offsets if starts_at - o <= now), default=None)
        if nearest is None:
            continue
        minutes = _minutes(nearest)
        if reminded_before is not None and reminded_before <= minutes:
            continue
        if confirmed_at is not None and confirmed_at > starts_at - nearest:
            continue
        found.append(Due(registration_id, minutes))
    return found


def queue(session: Session, item: Due, *, now: dt.datetime | None = None) -> str | None:
    """Queue one due reminder in the outbox; return its conversation, or None if not (any more).

    Call at the start of a transaction and commit it right after.
    """
    now = now or dt.datetime.now(dt.UTC)
    claimed = session.execute(
        update(EventRegistration)
        .where(EventRegistration.id == item.registration_id,
               EventRegistration.status == CONFIRMED,
               or_(EventRegistration.reminded_before.is_(None),
                   EventRegistration.reminded_before > item.minutes_before))
        .values(reminded_before=item.minutes_before)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    registration = session.get(EventRegistration, item.registration_id)
    assert registration is not None  # the update above matched it
    event = registration.event
    if event.cancelled_at is not None or event.starts_at <= now:
        return None
    lang = language_of(session, registration.conversation_id, registration.language)
    tell(session, registration.conversation_id, "utter_event_reminder", lang, kind="reminder",
         event=title_in(event, lang), when=until_text(event.starts_at - now, lang),
         date=when_text(event.starts_at, event.timezone, lang), place=place_text(event, lang))
    return registration.conversation_id
