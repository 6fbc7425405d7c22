"""Retention on SQLite and on the real local PostgreSQL: conversations idle beyond the period
lose every personal field, keep what statistics need, and nothing else is touched."""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.config import Settings
from bot.web.app import create_app
from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import (
    Case,
    Consent,
    Conversation,
    ConversationMessage,
    ConversationNote,
    ConversationStateChange,
    Event,
    EventRegistration,
    OutboxMessage,
)
from catalog.retention import apply_retention
from ops.cli import main as iesmed
from tests.support.traces import scan_sql

ADMIN = "postgresql://root@127.0.0.1:5432/postgres"
NOW = dt.datetime(2027, 6, 1, 12, 0, tzinfo=dt.UTC)
LONG_AGO = NOW - dt.timedelta(days=800)


@dataclass
class Database:
    url: str
    sessions: sessionmaker[Session]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database of each kind."""
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'retention.sqlite3'}"
    else:
        name = f"iesmed_test_{secrets.token_hex(4)}"
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql+psycopg://root@127.0.0.1:5432/{name}"
    engine = make_engine(url)
    upgrade(engine)
    yield Database(url, make_session_factory(engine))
    engine.dispose()
    if name:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _number(who: str) -> str:
    """Return the last digits of a user's own phone number."""
    return f"{sum(map(ord, who)) % 1000:03d}"


def _event(session: Session, key: str, ends: dt.datetime) -> int:
    event = Event(key=key, starts_at=ends - dt.timedelta(hours=3), ends_at=ends,
                  timezone="Europe/Madrid", languages=["es"], topics=[], countries=[])
    session.add(event)
    session.flush()
    return event.id


def _user(sessions: sessionmaker[Session], who: str, *, last_seen: dt.datetime,
          state: str = "bot", event_id: int | None = None,
          case_touched: dt.datetime | None = None) -> str:
    """A Telegram user who went through an intake, registered for an event and saw a broker."""
    cid = secrets.token_urlsafe(12)
    first = last_seen - dt.timedelta(days=2)
    with sessions.begin() as session:
        session.add(Conversation(id=cid, channel="telegram", channel_user_id=f"tg-{who}",
                                 language="es", state=state, created_at=first,
                                 updated_at=last_seen, last_inbound_at=last_seen))
        session.flush()
        for direction, text in (("in", f"Soy {who}, escribid a {who}@coop.example.org"),
                                ("out", f"Gracias {who}, caso guardado"),
                                ("in", f"Mi teléfono es +34 600 000 {_number(who)}")):
            session.add(ConversationMessage(conversation_id=cid, direction=direction,
                                            text=text, created_at=last_seen))
        consent = Consent(conversation_id=cid, granted=True, text_shown="¿Podemos guardar…?",
                          language="es", created_at=first)
        session.add(consent)
        session.flush()
        session.add(Case(
            reference=f"IM-{secrets.token_hex(3).upper()}", conversation_id=cid, status="closed",
            channel="telegram", channel_user_id=f"tg-{who}", language="es",
            org_name=f"Cooperativa {who}", legal_form="cooperative", country="ES", city="Jaén",
            sector="agrifood", members=12, stage="growing", website=f"{who}.example.org",
            need_category="funding", need_description=f"Una prensa para {who}",
            amount=Decimal("25000"), currency="EUR", timeline="3_months",
            contact_name=f"{who} Ruiz", email=f"{who}@coop.example.org",
            phone=f"+34600000{_number(who)}", original_words=[f"Soy {who}"], discoverable=True,
            consent_id=consent.id, created_at=first, updated_at=case_touched or last_seen))
        if event_id is not None:
            session.add(EventRegistration(event_id=event_id, conversation_id=cid,
                                          name=f"{who} Ruiz", email=f"{who}@coop.example.org",
                                          language="es", created_at=first,
                                          calendar_token=secrets.token_urlsafe(24)))
        session.add(ConversationNote(conversation_id=cid, text=f"{who} llamará el lunes",
                                     created_at=last_seen))
        session.add(OutboxMessage(conversation_id=cid, kind="broker", text=f"Hola {who}",
                                  language="es", status="sent", created_at=last_seen))
        session.add(ConversationStateChange(conversation_id=cid, from_state="waiting",
                                            to_state="bot", actor="staff", reason="closed",
                                            created_at=last_seen))
    return cid


def _traces(who: str) -> list[str]:
    return [f"{who}@coop.example.org", f"{who} Ruiz", f"tg-{who}", f"Cooperativa {who}",
            f"+34600000{_number(who)}", f"+34 600 000 {_number(who)}"]


def test_idle_conversations_lose_their_personal_data_and_keep_their_statistics(database):
    sessions = database.sessions
    with sessions.begin() as session:
        old_event = _event(session, "old-fair", LONG_AGO)
        next_event = _event(session, "next-fair", NOW + dt.timedelta(days=20))
    idle = _user(sessions, "alba", last_seen=LONG_AGO, event_id=old_event)
    recent = _user(sessions, "bruno", last_seen=NOW - dt.timedelta(days=10))
    waiting = _user(sessions, "carla", last_seen=LONG_AGO, state="waiting")
    going = _user(sessions, "dani", last_seen=LONG_AGO, event_id=next_event)
    followed = _user(sessions, "elena", last_seen=LONG_AGO,
                     case_touched=NOW - dt.timedelta(days=30))
    erased: list[str] = []

    report = apply_retention(sessions, days=730, erase_tracker=erased.append, now=NOW)

    assert report.conversations == [idle] and erased == [idle]
    assert (report.cases, report.registrations, report.messages) == (1, 1, 3)
    left = scan_sql(database.url, [*_traces("alba"), "alba"])
    assert left == [], [str(t) for t in left]
    for who in ("bruno", "carla", "dani", "elena"):  # recent, with a broker, event ahead...
        assert {t.needle for t in scan_sql(database.url, _traces(who))} >= {
            f"{who}@coop.example.org", f"tg-{who}", f"cooperativa {who}"}, who
    with sessions() as session:
        conversation = session.get(Conversation, idle)
        assert (conversation.channel, conversation.language, conversation.state) == (
            "telegram", "es", "bot")
        assert conversation.updated_at == LONG_AGO  # anonymising is not activity
        messages = session.scalars(select(ConversationMessage).where(
            ConversationMessage.conversation_id == idle).order_by(ConversationMessage.id)).all()
        assert [(m.direction, m.text) for m in messages] == [("in", ""), ("out", ""), ("in", "")]
        case = session.scalar(select(Case).where(Case.conversation_id == idle))
        assert (case.legal_form, case.country, case.city, case.sector, case.members, case.stage,
                case.need_category, case.amount, case.currency, case.timeline, case.status) == (
            "cooperative", "ES", "Jaén", "agrifood", 12, "growing", "funding",
            Decimal("25000.00"), "EUR", "3_months", "closed")
        assert case.original_words == [] and case.discoverable is False
        assert case.updated_at == LONG_AGO
        registration = session.scalar(select(EventRegistration).where(
            EventRegistration.conversation_id == idle))
        assert (registration.event_id, registration.name, registration.email) == (
            old_event, "", "")
        consent = session.scalar(select(Consent).where(Consent.conversation_id == idle))
        assert consent.granted and consent.text_shown == "¿Podemos guardar…?"
        assert session.scalar(select(func.count(ConversationStateChange.id)).where(
            ConversationStateChange.conversation_id == idle)) == 1
    # Once anonymised, a conversation is not picked again.
    again = apply_retention(sessions, days=730, erase_tracker=erased.append, now=NOW)
    assert again.conversations == [] and erased == [idle]
    for cid in (recent, waiting, going, followed):
        with sessions() as session:
            assert session.get(Conversation, cid).channel_user_id is not None


def test_a_conversation_whose_tracker_cannot_be_erased_is_kept_for_the_next_round(database):
    idle = _user(database.sessions, "fermin", last_seen=LONG_AGO)

    def unreachable(_conversation_id: str) -> None:
        raise ConnectionError("tracker store down")

    report = apply_retention(database.sessions, days=730, erase_tracker=unreachable, now=NOW)
    assert report.conversations == [] and report.failed == [idle]
    assert {t.needle for t in scan_sql(database.url, _traces("fermin"))} >= {
        "fermin@coop.example.org", "tg-fermin"}
    later = apply_retention(database.sessions, days=730, erase_tracker=lambda _c: None, now=NOW)
    assert later.conversations == [idle]


def _rasa_tracker(path: Path, *senders: str) -> None:
    """An SQLite tracker store as Rasa writes it, with a user message per sender."""
    with sqlite3.connect(path) as tracker:
        tracker.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, "
                        "type_name TEXT, timestamp REAL, intent_name TEXT, action_name TEXT, "
                        "data TEXT)")
        tracker.executemany("INSERT INTO events (sender_id, type_name, data) VALUES (?, ?, ?)",
                            [(s, "user", '{"text": "mi email es x@example.org"}')
                             for s in senders])


def _tracker_senders(path: Path) -> list[str]:
    with sqlite3.connect(path) as tracker:
        return [row[0] for row in tracker.execute("SELECT sender_id FROM events")]


def test_the_retention_command_lists_then_anonymises(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'catalogue.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    now = dt.datetime.now(dt.UTC)
    idle = _user(sessions, "gala", last_seen=now - dt.timedelta(days=400))
    recent = _user(sessions, "hugo", last_seen=now - dt.timedelta(days=5))
    data = tmp_path / "data"
    data.mkdir()
    _rasa_tracker(data / "rasa-tracker.sqlite3", idle, recent)
    monkeypatch.setenv("IESMED_DATA_DIR", str(data))
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    monkeypatch.setenv("RETENTION_DAYS", "730")

    assert iesmed(["retention", "--dry-run", "--days", "365", "--database", url]) == 0
    out = capsys.readouterr().out
    assert "1 conversations would be anonymised (1 cases, 0 event registrations, 3 messages)" \
        in out and idle in out and recent not in out
    assert {t.needle for t in scan_sql(url, _traces("gala"))} >= {"gala@coop.example.org"}
    assert sorted(_tracker_senders(data / "rasa-tracker.sqlite3")) == sorted([idle, recent])

    assert iesmed(["retention", "--database", url]) == 0  # 730 days: nothing is that old
    assert "0 conversations anonymised" in capsys.readouterr().out
    assert iesmed(["retention", "--days", "365", "--database", url]) == 0
    assert "1 conversations anonymised" in capsys.readouterr().out
    assert scan_sql(url, _traces("gala")) == []
    assert _tracker_senders(data / "rasa-tracker.sqlite3") == [recent]
    engine.dispose()


def test_the_bot_applies_retention_on_its_own(tmp_path):
    url = f"sqlite:///{tmp_path / 'catalogue.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    idle = _user(make_session_factory(engine), "ines", last_seen=now - dt.timedelta(days=100))
    recent = _user(make_session_factory(engine), "jordi", last_seen=now - dt.timedelta(days=5))
    settings = Settings(_env_file=None, IESMED_ENV="test",  # type: ignore[call-arg]
                        IESMED_DATA_DIR=tmp_path / "data", DATABASE_URL=url,
                        RASA_URL="http://127.0.0.1:9", RETENTION_DAYS=90)
    with TestClient(create_app(settings)):
        deadline = time.monotonic() + 30
        while scan_sql(url, _traces("ines")) and time.monotonic() < deadline:
            time.sleep(0.2)
    assert scan_sql(url, _traces("ines")) == []
    assert {t.needle for t in scan_sql(url, _traces("jordi"))} >= {"jordi@coop.example.org"}
    with make_session_factory(engine)() as session:
        assert session.get(Conversation, idle) is not None
        assert session.get(Conversation, recent).channel_user_id == "tg-jordi"
    engine.dispose()


def test_retention_cannot_exceed_what_the_privacy_notice_promises(settings_factory):
    assert settings_factory().retention_days == 730
    with pytest.raises(ValueError, match="730"):
        settings_factory(RETENTION_DAYS=1000)
