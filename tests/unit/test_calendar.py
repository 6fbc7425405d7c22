"""Calendar files and event times: what a calendar app and a reader in each language see."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import pytest
from icalendar import Calendar
from starlette.testclient import TestClient

from bot.core import documents
from bot.web.app import create_app
from catalog.calendar import build_ics, uid, when_text
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import Conversation, Event, EventRegistration, EventTranslation
from catalog.reminders import parse_offsets
from ops.supervisor import free_port

STARTS = dt.datetime(2027, 3, 18, 8, 30, tzinfo=dt.UTC)  # 10:30 in Athens (UTC+2)


def _event(**overrides: object) -> Event:
    values: dict[str, object] = dict(
        key="athens-solidarity-forum-2027", starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=3), timezone="Europe/Athens",
        venue="Technopolis, Athens", online_url=None, capacity=50, active=True,
        cancelled_at=None, translations=[
            EventTranslation(lang="en", title="Solidarity finance forum",
                             summary="A morning on ethical finance."),
            EventTranslation(lang="el", title="Φόρουμ αλληλέγγυας χρηματοδότησης",
                             summary="Ένα πρωινό για την ηθική χρηματοδότηση.")])
    values.update(overrides)
    return Event(**values)


def _registration(status: str = "confirmed") -> EventRegistration:
    return EventRegistration(calendar_token=secrets.token_urlsafe(24), status=status,
                             name="Ελένη", email="eleni@example.org", language="el")


def _entry(data: bytes):
    [entry] = Calendar.from_ical(data).walk("VEVENT")
    return entry


def test_the_ics_parses_back_with_the_start_in_utc_and_the_events_zone():
    event, registration = _event(), _registration()
    data = build_ics(event, registration, "el")
    calendar = Calendar.from_ical(data)
    entry = _entry(data)
    start = entry.decoded("dtstart")
    assert start.astimezone(dt.UTC) == STARTS
    assert entry["dtstart"].params["TZID"] == "Europe/Athens"
    assert start.hour == 10 and start.minute == 30  # local time in Athens
    assert entry.decoded("dtend").astimezone(dt.UTC) == STARTS + dt.timedelta(hours=3)
    assert [str(z["tzid"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/Athens"]
    assert str(entry["summary"]) == "Φόρουμ αλληλέγγυας χρηματοδότησης"
    assert str(entry["location"]) == "Technopolis, Athens"
    assert str(entry["status"]) == "CONFIRMED"
    [alarm] = entry.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm.decoded("trigger") == -dt.timedelta(hours=1)
    assert b"eleni" not in data.lower()  # nothing about the person in the file


def test_the_uid_is_stable_per_registration_and_reveals_nothing():
    event, first, second = _event(), _registration(), _registration()
    again = _entry(build_ics(event, first, "en"))["uid"]
    assert _entry(build_ics(event, first, "el"))["uid"] == again == uid(first.calendar_token)
    assert _entry(build_ics(event, second, "en"))["uid"] != again
    assert first.calendar_token not in str(again)


def test_a_cancelled_registration_or_event_comes_out_as_cancelled_without_alarm():
    for event, registration in ((_event(), _registration("cancelled")),
                                (_event(cancelled_at=STARTS), _registration())):
        entry = _entry(build_ics(event, registration, "en"))
        assert str(entry["status"]) == "CANCELLED"
        assert entry.walk("VALARM") == []


@pytest.mark.parametrize(("lang", "zone", "expected"), [
    ("el", "Europe/Athens", ["Πέμπτη", "18 Μαρτίου 2027", "10:30",
                             "Χειμερινή ώρα Ανατολικής Ευρώπης"]),
    ("tr", "Europe/Istanbul", ["18 Mart 2027 Perşembe", "11:30", "Türkiye Saati"]),
    ("en", "Europe/Madrid", ["Thursday, March 18, 2027", "9:30",
                             "Central European Standard Time"]),
    ("ar", "Africa/Casablanca", ["الخميس", "2027", "توقيت المغرب"]),
])
def test_event_times_are_local_to_the_event_with_the_zone_named(lang, zone, expected):
    text = when_text(STARTS, zone, lang)
    for part in expected:
        assert part in text, text
    assert "GMT" not in text and "UTC" not in text


def test_reminder_offsets_are_read_longest_first_and_nonsense_is_refused():
    assert parse_offsets("1h, 24h") == (dt.timedelta(hours=24), dt.timedelta(hours=1))
    assert parse_offsets("2d,90m") == (dt.timedelta(days=2), dt.timedelta(minutes=90))
    assert parse_offsets("") == ()
    for bad in ("24 hours", "0h", "-1h", "1w", "h"):
        with pytest.raises(ValueError):
            parse_offsets(bad)


def test_documents_from_actions_are_checked_before_anything_is_sent():
    token = secrets.token_urlsafe(24)
    assert documents.from_payload({"kind": "calendar", "token": token,
                                   "filename": "forum-2027.ics"}).url == \
        f"/api/registrations/{token}.ics"
    assert documents.from_payload({"kind": "calendar", "token": token,
                                   "filename": "../../etc/passwd"}).filename == "event.ics"
    for bad in (None, "x", [], {"kind": "pdf", "token": token},
                {"kind": "calendar", "token": "../../x"}, {"kind": "calendar"}):
        assert documents.from_payload(bad) is None


@pytest.fixture
def served(settings_factory, tmp_path: Path):
    """A bot on an SQLite file holding one event with a confirmed and a waiting registration."""
    database = f"sqlite:///{tmp_path / 'calendar.sqlite3'}"
    engine = make_engine(database)
    upgrade(engine)
    tokens = {}
    with make_session_factory(engine).begin() as session:
        event = _event(capacity=1, seats_taken=1)  # full: the waiting one stays waiting
        session.add(event)
        session.flush()
        for cid, status in (("c1", "confirmed"), ("c2", "waitlisted")):
            session.add(Conversation(id=cid, channel="web", language="el", state="bot"))
            registration = _registration(status)
            registration.event_id, registration.conversation_id = event.id, cid
            session.add(registration)
            tokens[status] = registration.calendar_token
    engine.dispose()
    settings = settings_factory(RASA_URL=f"http://127.0.0.1:{free_port()}",
                                DATABASE_URL=database)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client, tokens


def test_the_web_chat_link_downloads_the_calendar_file(served):
    client, tokens = served
    response = client.get(f"/api/registrations/{tokens['confirmed']}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert 'filename="athens-solidarity-forum-2027.ics"' in \
        response.headers["content-disposition"]
    assert response.headers["cache-control"] == "private, no-store"
    assert _entry(response.content).decoded("dtstart").astimezone(dt.UTC) == STARTS


def test_unknown_malformed_or_waiting_tokens_are_404(served):
    client, tokens = served
    for path in (f"/api/registrations/{secrets.token_urlsafe(24)}.ics",
                 "/api/registrations/short.ics",
                 "/api/registrations/%2e%2e%2fetc%2fpasswd.ics",
                 f"/api/registrations/{tokens['waitlisted']}.ics",
                 f"/api/registrations/{tokens['confirmed']}.pdf"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/json")
