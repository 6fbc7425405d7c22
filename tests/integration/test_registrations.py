"""Seats, waiting list, cancellations and reminders on SQLite and on the local PostgreSQL.

Registrations race in real threads, each with its own connection and transaction, the
way several action-server workers or replicas would.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from catalog import registrations, reminders
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import (
    Conversation,
    ConversationMessage,
    Event,
    EventRegistration,
    EventTranslation,
    OutboxMessage,
)
from catalog.notices import render
from tests.support.action_server import action_servers, call
from tests.support.databases import database_url

T0 = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
STARTS = T0 + dt.timedelta(days=10)
OFFSETS = reminders.parse_offsets("24h,1h")


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A migrated, empty database of each kind."""
    with database_url(request.param, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        yield make_session_factory(engine)
        engine.dispose()


def _event(sessions: sessionmaker[Session], *, capacity: int | None = 20,
           starts_at: dt.datetime = STARTS, deadline: dt.date | None = None,
           timezone: str = "Europe/Athens") -> int:
    with sessions.begin() as session:
        event = Event(key=f"forum-{secrets.token_hex(3)}", starts_at=starts_at,
                      ends_at=starts_at + dt.timedelta(hours=2), timezone=timezone,
                      venue="Technopolis, Athens", capacity=capacity,
                      registration_deadline=deadline, languages=["el", "en"],
                      translations=[
                          EventTranslation(lang="en", title="Solidarity finance forum",
                                           summary="A day on ethical finance."),
                          EventTranslation(lang="el", title="Φόρουμ αλληλέγγυας χρηματοδότησης",
                                           summary="Μια μέρα για την ηθική χρηματοδότηση."),
                          EventTranslation(lang="tr", title="Dayanışma finansmanı forumu",
                                           summary="Etik finans üzerine bir gün.")])
        session.add(event)
        session.flush()
        return event.id


def _people(sessions: sessionmaker[Session], count: int, *, language: str = "en",
            channel: str = "web") -> list[str]:
    ids = [secrets.token_urlsafe(8) for _ in range(count)]
    with sessions.begin() as session:
        session.add_all(Conversation(id=cid, channel=channel, language=language, state="bot")
                        for cid in ids)
    return ids


def _register(sessions: sessionmaker[Session], event_id: int, cid: str,
              now: dt.datetime = T0) -> registrations.Outcome:
    with sessions.begin() as session:
        return registrations.register(session, event_id=event_id, conversation_id=cid,
                                      name=f"Person {cid[:4]}", email=f"{cid[:4]}@example.org",
                                      language="en", now=now)


def _cancel(sessions: sessionmaker[Session], event_id: int, cid: str,
            now: dt.datetime = T0) -> registrations.Cancellation:
    with sessions.begin() as session:
        return registrations.cancel(session, event_id=event_id, conversation_id=cid, now=now)


def _race(calls: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Run every call in its own thread, all released at once; return results and errors."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            result = call()
            with lock:
                results.append(result)
        except BaseException as exc:  # any lock timeout or integrity error is a failure
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def _told(sessions: sessionmaker[Session], cid: str) -> list[OutboxMessage]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).where(
            OutboxMessage.conversation_id == cid).order_by(OutboxMessage.id)))


def _statuses(sessions: sessionmaker[Session], event_id: int) -> dict[str, str]:
    with sessions() as session:
        return dict(session.execute(select(EventRegistration.conversation_id,
                                           EventRegistration.status)
                                    .where(EventRegistration.event_id == event_id)).tuples().all())


def test_fifty_at_once_for_the_last_five_seats_then_two_cancellations(sessions):
    event_id = _event(sessions, capacity=20)
    for cid in _people(sessions, 15):
        assert _register(sessions, event_id, cid).result == "confirmed"
    crowd = _people(sessions, 50)
    results, errors = _race([lambda cid=cid: (cid, _register(sessions, event_id, cid))
                             for cid in crowd])
    assert errors == []
    outcomes = dict(results)  # type: ignore[arg-type]
    confirmed = [cid for cid, o in outcomes.items() if o.result == "confirmed"]
    waiting = {cid: o.position for cid, o in outcomes.items() if o.result == "waitlisted"}
    assert len(confirmed) == 5 and len(waiting) == 45
    # Everyone was told a different place, 1 to 45, and the database agrees on the order.
    assert sorted(waiting.values()) == list(range(1, 46))
    with sessions() as session:
        queue = list(session.scalars(select(EventRegistration.conversation_id).where(
            EventRegistration.event_id == event_id, EventRegistration.status == "waitlisted")
            .order_by(EventRegistration.arrival)))
        event = session.get(Event, event_id)
        assert event.seats_taken == 20
    assert queue == sorted(waiting, key=lambda cid: waiting[cid])
    assert all(_told(sessions, cid) == [] for cid in crowd)

    # Two people give up their seats at the same moment: the first two waiting get them.
    leaving = confirmed[:2]
    results, errors = _race([lambda cid=cid: _cancel(sessions, event_id, cid)
                             for cid in leaving])
    assert errors == []
    assert sorted(len(c.promoted) for c in results) == [1, 1]  # type: ignore[attr-defined]
    statuses = _statuses(sessions, event_id)
    assert [statuses[cid] for cid in queue[:2]] == ["confirmed", "confirmed"]
    assert all(statuses[cid] == "waitlisted" for cid in queue[2:])
    assert [statuses[cid] for cid in leaving] == ["cancelled", "cancelled"]
    first_two = [_told(sessions, cid) for cid in queue[:2]]
    assert [len(messages) for messages in first_two] == [1, 1]
    title = "Solidarity finance forum"
    assert all(title in m[0].text and m[0].kind == "registration" for m in first_two)
    assert first_two[0][0].document["kind"] == "calendar"
    assert [b["payload"] for b in first_two[0][0].buttons] == ["/list_registrations"]
    assert all(_told(sessions, cid) == [] for cid in queue[2:] + leaving)
    with sessions() as session:
        assert session.get(Event, event_id).seats_taken == 20
        third = registrations.find(session, event_id, queue[2])
        assert registrations.position(session, third) == 1


def test_the_same_person_registering_twice_at_once_gets_one_registration(sessions):
    event_id = _event(sessions, capacity=3)
    [cid] = _people(sessions, 1)
    results, errors = _race([lambda: _register(sessions, event_id, cid) for _ in range(8)])
    assert errors == []
    assert sorted(o.result for o in results) == [  # type: ignore[attr-defined]
        "already_confirmed"] * 7 + ["confirmed"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(EventRegistration)) == 1
        assert session.get(Event, event_id).seats_taken == 1


def test_registration_closes_at_the_deadline_in_the_events_zone_and_at_the_start(sessions):
    # Athens is UTC+2: the deadline day is over at 22:00 UTC.
    deadline = STARTS.date() - dt.timedelta(days=3)
    event_id = _event(sessions, deadline=deadline)
    late, on_time, too_late = _people(sessions, 3)
    last_minute = dt.datetime.combine(deadline, dt.time(21, 30), dt.UTC)
    assert _register(sessions, event_id, on_time, now=last_minute).result == "confirmed"
    after = dt.datetime.combine(deadline, dt.time(22, 30), dt.UTC)
    assert _register(sessions, event_id, late, now=after).result == "closed"
    started = _event(sessions)
    assert _register(sessions, started, too_late, now=STARTS).result == "closed"
    assert _statuses(sessions, started) == {}


def test_an_unknown_event_is_refused_without_error(sessions):
    [cid] = _people(sessions, 1)
    assert _register(sessions, 987654, cid).result == "unknown"
    assert _cancel(sessions, 987654, cid).was is None


def test_leaving_the_waiting_list_moves_the_others_up_and_promotes_nobody(sessions):
    event_id = _event(sessions, capacity=1)
    holder, first, second = _people(sessions, 3)
    _register(sessions, event_id, holder)
    assert _register(sessions, event_id, first).position == 1
    assert _register(sessions, event_id, second).position == 2
    assert _cancel(sessions, event_id, first) == registrations.Cancellation("waitlisted")
    with sessions() as session:
        assert registrations.position(session, registrations.find(
            session, event_id, second)) == 1
    assert _statuses(sessions, event_id)[holder] == "confirmed"
    assert _told(sessions, second) == []
    # Cancelling again changes nothing.
    assert _cancel(sessions, event_id, first).was is None


def test_registering_again_after_cancelling_goes_to_the_end_of_the_queue(sessions):
    event_id = _event(sessions, capacity=1)
    holder, waiting, back = _people(sessions, 3)
    _register(sessions, event_id, holder)
    _register(sessions, event_id, back)
    _register(sessions, event_id, waiting)
    _cancel(sessions, event_id, back)
    again = _register(sessions, event_id, back)
    assert (again.result, again.position) == ("waitlisted", 2)
    # Nobody jumps the queue: a newcomer waits even if a seat is free while others wait.
    with sessions.begin() as session:
        session.get(Event, event_id).capacity = 2
    [newcomer] = _people(sessions, 1)
    assert _register(sessions, event_id, newcomer).position == 3
    with sessions.begin() as session:
        assert registrations.events_with_free_seats(session, now=T0) == [event_id]
        promoted = registrations.promote(session, event_id, now=T0)
    with sessions() as session:
        assert [session.get(EventRegistration, r).conversation_id for r in promoted] == [waiting]


def test_a_cancelled_event_tells_everyone_registered_once_in_their_language(sessions):
    event_id = _event(sessions, capacity=1)
    [greek] = _people(sessions, 1, language="el")
    [turkish] = _people(sessions, 1, language="tr")
    [gone] = _people(sessions, 1)
    _register(sessions, event_id, greek)
    _register(sessions, event_id, turkish)
    _register(sessions, event_id, gone)
    _cancel(sessions, event_id, gone)
    with sessions.begin() as session:
        assert len(registrations.cancel_event(session, event_id, now=T0)) == 2
    with sessions.begin() as session:
        assert registrations.cancel_event(session, event_id, now=T0) == []
    [el] = _told(sessions, greek)
    [tr] = _told(sessions, turkish)
    assert el.text.startswith("Λυπάμαι") and "Φόρουμ αλληλέγγυας χρηματοδότησης" in el.text
    assert "Dayanışma finansmanı forumu" in tr.text and "iptal" in tr.text
    assert _told(sessions, gone) == []
    assert set(_statuses(sessions, event_id).values()) == {"cancelled"}
    [unlucky] = _people(sessions, 1)
    assert _register(sessions, event_id, unlucky).result == "closed"


def test_erasing_a_conversation_frees_its_seat_for_the_first_waiting(sessions):
    event_id = _event(sessions, capacity=1)
    holder, waiting = _people(sessions, 2)
    _register(sessions, event_id, holder)
    _register(sessions, event_id, waiting)
    with sessions.begin() as session:
        registrations.forget(session, holder)
        session.delete(session.get(Conversation, holder))
    assert _statuses(sessions, event_id) == {waiting: "confirmed"}
    assert len(_told(sessions, waiting)) == 1


def test_attendee_and_waiting_lists_for_staff(sessions):
    event_id = _event(sessions, capacity=1)
    holder, first, second = _people(sessions, 3)
    for cid in (holder, first, second):
        _register(sessions, event_id, cid)
    with sessions() as session:
        listed = registrations.attendees(session, event_id)
        text = registrations.attendees_csv(session, event_id)
    assert [(a.status, a.position, a.email) for a in listed] == [
        ("confirmed", None, f"{holder[:4]}@example.org"),
        ("waitlisted", 1, f"{first[:4]}@example.org"),
        ("waitlisted", 2, f"{second[:4]}@example.org")]
    lines = text.splitlines()
    assert lines[0].startswith("status,waitlist_position,name,email")
    assert lines[2].startswith(f"waitlisted,1,Person {first[:4]},{first[:4]}@example.org")


# --- reminders ----------------------------------------------------------------------------


def _queue_due(sessions: sessionmaker[Session], now: dt.datetime) -> list[str]:
    with sessions() as session:
        found = reminders.due(session, offsets=OFFSETS, now=now)
    told = []
    for item in found:
        with sessions.begin() as session:
            cid = reminders.queue(session, item, now=now)
        if cid:
            told.append(cid)
    return told


def test_reminders_24_and_1_hour_before_each_sent_once(sessions):
    event_id = _event(sessions)
    [cid] = _people(sessions, 1, language="el")
    _register(sessions, event_id, cid)
    assert _queue_due(sessions, STARTS - dt.timedelta(hours=25)) == []
    day_before = STARTS - dt.timedelta(hours=23, minutes=59)
    assert _queue_due(sessions, day_before) == [cid]
    assert _queue_due(sessions, day_before + dt.timedelta(minutes=5)) == []
    hour_before = STARTS - dt.timedelta(minutes=59)
    assert _queue_due(sessions, hour_before) == [cid]
    assert _queue_due(sessions, hour_before + dt.timedelta(minutes=1)) == []
    assert _queue_due(sessions, STARTS + dt.timedelta(minutes=1)) == []
    messages = _told(sessions, cid)
    assert [m.kind for m in messages] == ["reminder", "reminder"]
    template = render("utter_event_reminder", "el", event="{event}", when="{when}",
                      date="{date}", place="{place}")[0]
    assert all(m.text.startswith(template.split("{")[0]) for m in messages)
    assert "σε 1 ημέρα" in messages[0].text and "σε 1 ώρα" in messages[1].text
    assert "Technopolis, Athens" in messages[1].text


def test_a_reminder_missed_while_stopped_is_sent_late_and_only_the_nearest(sessions):
    event_id = _event(sessions)
    [cid] = _people(sessions, 1)
    _register(sessions, event_id, cid)
    # Down from two days before until 30 minutes before: one reminder, not two.
    assert _queue_due(sessions, STARTS - dt.timedelta(minutes=30)) == [cid]
    assert _queue_due(sessions, STARTS - dt.timedelta(minutes=20)) == []
    [message] = _told(sessions, cid)
    assert "in 30 minutes" in message.text


def test_no_reminder_for_a_cancelled_registration_or_event(sessions):
    event_id = _event(sessions, capacity=1)
    cancelled, holder = _people(sessions, 2)
    _register(sessions, event_id, cancelled)
    _register(sessions, event_id, holder)  # waits, then gets the seat
    _cancel(sessions, event_id, cancelled)
    assert _queue_due(sessions, STARTS - dt.timedelta(minutes=30)) == [holder]
    assert _told(sessions, cancelled) == []
    other = _event(sessions)
    [late] = _people(sessions, 1)
    _register(sessions, other, late)
    with sessions.begin() as session:
        registrations.cancel_event(session, other, now=T0)
    assert _queue_due(sessions, STARTS - dt.timedelta(minutes=30)) == []
    assert [m.kind for m in _told(sessions, late)] == ["registration"]


def test_no_day_before_reminder_for_someone_registered_within_the_last_day(sessions):
    event_id = _event(sessions)
    [cid] = _people(sessions, 1)
    _register(sessions, event_id, cid, now=STARTS - dt.timedelta(hours=10))
    assert _queue_due(sessions, STARTS - dt.timedelta(hours=9)) == []
    assert _queue_due(sessions, STARTS - dt.timedelta(minutes=50)) == [cid]


def test_two_schedulers_at_once_queue_a_reminder_once(sessions):
    event_id = _event(sessions)
    people = _people(sessions, 4)
    for cid in people:
        _register(sessions, event_id, cid)
    now = STARTS - dt.timedelta(minutes=45)
    results, errors = _race([lambda: _queue_due(sessions, now) for _ in range(3)])
    assert errors == []
    assert sorted(c for told in results for c in told) == sorted(people)  # type: ignore[union-attr]
    assert all(len(_told(sessions, cid)) == 1 for cid in people)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConversationMessage)) == 4


# --- through the real action server ---------------------------------------------------------


def _webhook(client: httpx.Client, url: str, body: dict) -> tuple[int, list[dict]]:
    response = client.post(url, json=body)
    return response.status_code, response.json().get("responses", []) \
        if response.status_code == 200 else []


def test_fifty_simultaneous_registrations_through_two_action_servers(sessions, tmp_path):
    """The last 5 seats, 50 people pressing at once, served by two action-server processes."""
    event_id = _event(sessions, capacity=20)
    with sessions() as session:
        key = session.get(Event, event_id).key
    for cid in _people(sessions, 15):
        _register(sessions, event_id, cid)
    crowd = _people(sessions, 50)
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    with action_servers(url, tmp_path) as webhooks, \
            httpx.Client(timeout=60, limits=httpx.Limits(max_connections=60)) as client:
        slots = {"event_key": key, "registration_consent": True}
        bodies = [(webhooks[i % len(webhooks)], call(
            "action_register_event", cid, language="en",
            slots={**slots, "contact_name": f"Person {i}", "email": f"p{i}@example.org"}))
            for i, cid in enumerate(crowd)]
        results, errors = _race([lambda b=b: (b[1]["sender_id"], _webhook(client, *b))
                                 for b in bodies])
        assert errors == []
        replies = dict(results)  # type: ignore[arg-type]
        assert {status for status, _ in replies.values()} == {200}
        said = {cid: [r.get("response") for r in responses]
                for cid, (_, responses) in replies.items()}
        confirmed = [cid for cid, names in said.items() if names == ["utter_registered", None]]
        waiting = {cid: responses[0]["position"] for cid, (_, responses) in replies.items()
                   if said[cid] == ["utter_waitlisted"]}
        assert len(confirmed) == 5 and len(waiting) == 45, said
        assert sorted(waiting.values()) == list(range(1, 46))
        document = replies[confirmed[0]][1][1]["custom"]["document"]
        assert document["kind"] == "calendar" and document["filename"] == f"{key}.ics"
        with sessions() as session:
            queue = list(session.scalars(select(EventRegistration.conversation_id).where(
                EventRegistration.event_id == event_id,
                EventRegistration.status == "waitlisted").order_by(EventRegistration.arrival)))
            assert session.get(Event, event_id).seats_taken == 20
        assert queue == sorted(waiting, key=lambda cid: waiting[cid])

        # Two of the new seat holders cancel at the same moment, one on each server.
        cancels = [(webhooks[i], call("action_cancel_registration", cid, intent=
                                      "cancel_registration",
                                      entities=[{"entity": "event", "value": key}]))
                   for i, cid in enumerate(confirmed[:2])]
        results, errors = _race([lambda b=b: _webhook(client, *b) for b in cancels])
        assert errors == []
        assert sorted(r[1][0]["response"] for r in results) == [  # type: ignore[index]
            "utter_registration_cancelled"] * 2
    statuses = _statuses(sessions, event_id)
    assert [statuses[cid] for cid in queue[:3]] == ["confirmed", "confirmed", "waitlisted"]
    assert [len(_told(sessions, cid)) for cid in queue[:3]] == [1, 1, 0]
    assert all(_told(sessions, cid) == [] for cid in confirmed + queue[3:])


def test_the_events_command_lists_seats_then_the_queue_and_cancels_for_everyone(
        sessions, capsys):
    from ops.events_cli import main as events

    event_id = _event(sessions, capacity=1)
    first, second = _people(sessions, 2)
    with sessions.begin() as session:
        registrations.register(session, event_id=event_id, conversation_id=first,
                               name="=HYPERLINK(\"http://x\")", email="a@example.org",
                               language="en", now=T0)
    _register(sessions, event_id, second)
    with sessions() as session:
        key = session.get(Event, event_id).key
        url = session.get_bind().url.render_as_string(hide_password=False)
    assert events(["--database", url, "attendees", key]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("status,waitlist_position,name,email")
    assert rows[1].startswith("confirmed,,\"'=HYPERLINK(") and rows[2].startswith("waitlisted,1,")
    assert events(["--database", url, "cancel", key]) == 0
    with sessions() as session:
        assert session.get(Event, event_id).cancelled_at is not None
    assert events(["--database", url, "attendees", "no-such-event"]) == 1
