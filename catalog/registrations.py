"""Event registrations: seats that never overbook, a waiting list in arrival order, cancellations.

Every operation that changes who holds a seat first writes to the event's row
(`_lock`). PostgreSQL then holds that row's lock until the transaction ends, and SQLite,
which lets one writer in at a time, holds its write lock; so for one event, one
transaction at a time decides seats, arrival numbers and promotions, on both databases,
with nothing held in process memory (several action servers and bot replicas may run).
The seat itself is taken by a conditional update (`seats_taken < capacity`), which the
database evaluates against the latest committed counter, so it cannot overbook either.

Call these functions at the start of a transaction (before reading anything in it): on
SQLite a transaction that reads first and writes later may find that another writer got
in between, and fail instead of waiting.

A seat freed by a cancellation goes to the first person waiting in the same transaction,
and the message telling them is queued in the outbox in that transaction too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from catalog.calendar import filename, when_text
from catalog.models import Event, EventRegistration
from catalog.notices import language_of, tell
from catalog.spreadsheet import neutralise
from catalog.translations import title_in

CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"
ACTIVE = (CONFIRMED, WAITLISTED)

Result = Literal["confirmed", "waitlisted", "already_confirmed", "already_waitlisted",
                 "closed", "unknown"]


@dataclass(frozen=True)
class Outcome:
    """What a registration attempt ended as: a seat, a place in the queue, or why not."""

    result: Result
    registration_id: int | None = None
    position: int | None = None
    calendar_token: str | None = None


@dataclass(frozen=True)
class Cancellation:
    """What a cancellation changed: the status it ended, and who got the freed seat."""

    was: str | None  # confirmed | waitlisted | None when there was nothing to cancel
    promoted: tuple[int, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One of a user's registrations, as "my registrations" shows it."""

    event: Event
    registration: EventRegistration
    position: int | None


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def _lock(session: Session, event_id: int, *, count_arrival: bool = False) -> bool:
    """Write to the event's row so that this transaction alone decides its seats until it ends."""
    values = {"arrivals": Event.arrivals + 1} if count_arrival else {"arrivals": Event.arrivals}
    result = session.execute(update(Event).where(Event.id == event_id).values(**values)
                             .execution_options(synchronize_session=False))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _fresh_event(session: Session, event_id: int) -> Event:
    return session.scalars(select(Event).where(Event.id == event_id)
                           .execution_options(populate_existing=True)).one()


def deadline_passed(event: Event, now: dt.datetime) -> bool:
    """Return whether the registration deadline (a date in the event's zone) is over."""
    deadline = event.registration_deadline
    if deadline is None:
        return False
    return now.astimezone(ZoneInfo(event.timezone)).date() > deadline


def is_open(event: Event, now: dt.datetime | None = None) -> bool:
    """Return whether the event takes registrations: active, not cancelled, not started, in time."""
    now = _now(now)
    return (event.active and event.cancelled_at is None and event.starts_at > now
            and not deadline_passed(event, now))


def is_full(session: Session, event: Event) -> bool:
    """Return whether a newcomer would have to wait: no free seat, or people already waiting."""
    if event.capacity is not None and event.seats_taken >= event.capacity:
        return True
    return bool(session.scalar(select(exists().where(
        EventRegistration.event_id == event.id, EventRegistration.status == WAITLISTED))))


def position(session: Session, registration: EventRegistration) -> int | None:
    """Return the registration's place on its event's waiting list (1 is next), if waiting."""
    if registration.status != WAITLISTED:
        return None
    ahead = session.scalar(select(func.count()).select_from(EventRegistration).where(
        EventRegistration.event_id == registration.event_id,
        EventRegistration.status == WAITLISTED,
        EventRegistration.arrival < registration.arrival)) or 0
    return int(ahead) + 1


def find(session: Session, event_id: int, conversation_id: str) -> EventRegistration | None:
    """Return the conversation's registration for an event (in any status), read afresh."""
    return session.scalars(select(EventRegistration).where(
        EventRegistration.event_id == event_id,
        EventRegistration.conversation_id == conversation_id)
        .execution_options(populate_existing=True)).first()


def register(session: Session, *, event_id: int, conversation_id: str, name: str, email: str,
             language: str, consent_id: int | None = None,
             now: dt.datetime | None = None) -> Outcome:
    """Give the conversation a seat, or a place on the waiting list when the event is full.

    Registering again after a cancellation reuses the row (at the end of the queue).
    The caller commits; a unique-key violation can only come from a writer that did not
    take the event lock, and means the conversation is registered already.
    """
    now = _now(now)
    if not _lock(session, event_id, count_arrival=True):
        return Outcome("unknown")
    event = _fresh_event(session, event_id)
    if not is_open(event, now):
        return Outcome("closed")
    existing = find(session, event_id, conversation_id)
    if existing is not None and existing.status in ACTIVE:
        result: Result = "already_confirmed" if existing.status == CONFIRMED \
            else "already_waitlisted"
        return Outcome(result, existing.id, position(session, existing),
                       existing.calendar_token)
    taken = session.execute(
        update(Event)
        .where(Event.id == event_id,
               or_(Event.capacity.is_(None), Event.seats_taken < Event.capacity),
               ~exists().where(EventRegistration.event_id == event_id,
                               EventRegistration.status == WAITLISTED))
        .values(seats_taken=Event.seats_taken + 1)
        .execution_options(synchronize_session=False)).rowcount == 1  # type: ignore[attr-defined]
    status = CONFIRMED if taken else WAITLISTED
    registration = existing or EventRegistration(
        event_id=event_id, conversation_id=conversation_id,
        calendar_token=secrets.token_urlsafe(24))
    registration.name, registration.email, registration.language = name, email, language
    registration.consent_id = consent_id
    registration.status, registration.arrival = status, event.arrivals
    registration.confirmed_at = now if taken else None
    registration.cancelled_at, registration.cancelled_by = None, None
    registration.reminded_before = None
    session.add(registration)
    session.flush()
    return Outcome("confirmed" if taken else "waitlisted", registration.id,
                   position(session, registration), registration.calendar_token)


def cancel(session: Session, *, event_id: int, conversation_id: str, by: str = "user",
           now: dt.datetime | None = None) -> Cancellation:
    """Cancel the conversation's registration; a freed seat goes to the first person waiting."""
    now = _now(now)
    if not _lock(session, event_id):
        return Cancellation(None)
    registration = find(session, event_id, conversation_id)
    if registration is None or registration.status not in ACTIVE:
        return Cancellation(None)
    was = registration.status
    registration.status, registration.cancelled_at, registration.cancelled_by = \
        CANCELLED, now, by
    session.flush()
    if was != CONFIRMED:
        return Cancellation(was)
    # promote() recounts the seats under the lock, so the freed seat is counted as free.
    return Cancellation(was, tuple(promote(session, event_id, now=now)))


def promote(session: Session, event_id: int, *, now: dt.datetime | None = None) -> list[int]:
    """Give free seats to the people waiting longest and tell each of them at once.

    Returns the ids of the registrations promoted. Nobody is promoted once the event has
    started or was cancelled.
    """
    now = _now(now)
    if not _lock(session, event_id):
        return []
    # Recount under the lock: the counter heals if anything ever removed a seat's row
    # without going through cancel().
    taken = _confirmed_count(session, event_id)
    session.execute(update(Event).where(Event.id == event_id).values(seats_taken=taken)
                    .execution_options(synchronize_session=False))
    event = _fresh_event(session, event_id)
    if not event.active or event.cancelled_at is not None or event.starts_at <= now:
        return []
    free = None if event.capacity is None else event.capacity - taken
    if free is not None and free <= 0:
        return []
    query = (select(EventRegistration)
             .where(EventRegistration.event_id == event_id,
                    EventRegistration.status == WAITLISTED)
             .order_by(EventRegistration.arrival, EventRegistration.id))
    if free is not None:
        query = query.limit(free)
    waiting = list(session.scalars(query.execution_options(populate_existing=True)))
    if not waiting:
        return []
    for registration in waiting:
        registration.status, registration.confirmed_at = CONFIRMED, now
        lang = language_of(session, registration.conversation_id, registration.language)
        tell(session, registration.conversation_id, "utter_promoted", lang,
             kind="registration", document=calendar_document(event, registration),
             event=title_in(event, lang), date=when_text(event.starts_at, event.timezone, lang))
    session.execute(update(Event).where(Event.id == event_id)
                    .values(seats_taken=Event.seats_taken + len(waiting))
                    .execution_options(synchronize_session=False))
    session.flush()
    return [r.id for r in waiting]


def _confirmed_count(session: Session, event_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(EventRegistration).where(
        EventRegistration.event_id == event_id, EventRegistration.status == CONFIRMED)) or 0)


def events_with_free_seats(session: Session, *, now: dt.datetime | None = None) -> list[int]:
    """Return upcoming events where someone waits although a seat is free (capacity raised)."""
    now = _now(now)
    confirmed = (select(func.count()).select_from(EventRegistration)
                 .where(EventRegistration.event_id == Event.id,
                        EventRegistration.status == CONFIRMED)
                 .correlate(Event).scalar_subquery())
    return list(session.scalars(select(Event.id).where(
        Event.active.is_(True), Event.cancelled_at.is_(None), Event.starts_at > now,
        or_(Event.capacity.is_(None), confirmed < Event.capacity),
        exists().where(EventRegistration.event_id == Event.id,
                       EventRegistration.status == WAITLISTED))))


def forget(session: Session, conversation_id: str, *, now: dt.datetime | None = None
           ) -> list[int]:
    """Give up a conversation's seats before its data is erased; return who was promoted."""
    events = list(session.scalars(select(EventRegistration.event_id).where(
        EventRegistration.conversation_id == conversation_id,
        EventRegistration.status.in_(ACTIVE))))
    promoted: list[int] = []
    for event_id in events:
        promoted += cancel(session, event_id=event_id, conversation_id=conversation_id,
                           by="user", now=now).promoted
    return promoted


def cancel_event(session: Session, event_id: int, *, now: dt.datetime | None = None
                 ) -> list[int]:
    """Cancel an event (staff): every active registration ends and its holder is told.

    Returns the ids of the registrations cancelled; cancelling twice tells nobody twice.
    """
    now = _now(now)
    if not _lock(session, event_id):
        return []
    event = _fresh_event(session, event_id)
    if event.cancelled_at is not None:
        return []
    event.cancelled_at, event.active, event.seats_taken = now, False, 0
    active = list(session.scalars(
        select(EventRegistration)
        .where(EventRegistration.event_id == event_id, EventRegistration.status.in_(ACTIVE))
        .order_by(EventRegistration.arrival).execution_options(populate_existing=True)))
    for registration in active:
        registration.status, registration.cancelled_at, registration.cancelled_by = \
            CANCELLED, now, "event"
        lang = language_of(session, registration.conversation_id, registration.language)
        tell(session, registration.conversation_id, "utter_event_cancelled", lang,
             kind="registration", event=title_in(event, lang),
             date=when_text(event.starts_at, event.timezone, lang))
    session.flush()
    return [r.id for r in active]


def mine(session: Session, conversation_id: str, *, now: dt.datetime | None = None
         ) -> list[Entry]:
    """Return the conversation's registrations for events not over yet, soonest first."""
    now = _now(now)
    rows = session.execute(
        select(EventRegistration, Event).join(Event, Event.id == EventRegistration.event_id)
        .where(EventRegistration.conversation_id == conversation_id, Event.ends_at > now)
        .order_by(Event.starts_at, EventRegistration.id)).tuples().all()
    return [Entry(event, registration, position(session, registration))
            for registration, event in rows]


def calendar_document(event: Event, registration: EventRegistration) -> dict[str, str]:
    """Describe the calendar file that goes with a confirmation (see catalog.calendar)."""
    return {"kind": "calendar", "token": registration.calendar_token,
            "filename": filename(event)}


@dataclass(frozen=True)
class Attendee:
    """One line of an event's attendee or waiting list, for staff."""

    status: str
    position: int | None
    name: str
    email: str
    language: str
    registered_at: dt.datetime
    confirmed_at: dt.datetime | None


def attendees(session: Session, event_id: int) -> list[Attendee]:
    """Return who holds a seat (in order of confirmation), then who waits (in queue order)."""
    rows = list(session.scalars(select(EventRegistration).where(
        EventRegistration.event_id == event_id, EventRegistration.status.in_(ACTIVE))))
    confirmed = sorted((r for r in rows if r.status == CONFIRMED),
                       key=lambda r: (r.confirmed_at or r.created_at, r.id))
    waiting = sorted((r for r in rows if r.status == WAITLISTED), key=lambda r: (r.arrival, r.id))
    return [Attendee(r.status, i if r.status == WAITLISTED else None, r.name, r.email,
                     r.language, r.created_at, r.confirmed_at)
            for r, i in [*((r, 0) for r in confirmed),
                         *((r, n) for n, r in enumerate(waiting, 1))]]


def attendees_csv(session: Session, event_id: int) -> str:
    """Return the attendee and waiting lists of an event as CSV (UTF-8 text, header first)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["status", "waitlist_position", "name", "email", "language",
                     "registered_at", "confirmed_at"])
    for a in attendees(session, event_id):
        # Names and addresses are typed by users: never let a spreadsheet run them.
        writer.writerow([a.status, a.position or "", neutralise(a.name), neutralise(a.email),
                         a.language,
                         a.registered_at.isoformat(),
                         a.confirmed_at.isoformat() if a.confirmed_at else ""])
    return out.getvalue()


def conversations_of(session: Session, registration_ids: list[int] | tuple[int, ...]
                     ) -> list[str]:
    """Return the conversations the given registrations belong to."""
    if not registration_ids:
        return []
    return list(session.scalars(select(EventRegistration.conversation_id).where(
        EventRegistration.id.in_(list(registration_ids)))))
