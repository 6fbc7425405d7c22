"""The catalogue: migrations, validated all-or-nothing seeding, live counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from catalog.db import make_engine, make_session_factory, upgrade
from catalog.errors import SeedFileError
from catalog.models import Base, ConversationMessage, Event, Service, ServiceTranslation
from catalog.queries import catalogue_counts
from catalog.seed import SEED_FILE, load_file, upsert_catalogue


@pytest.fixture
def engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'catalogue.sqlite3'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def test_migrations_match_the_models(engine):
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_seed_catalogue_is_realistic():
    catalogue = load_file(SEED_FILE)
    assert len(catalogue["services"]) >= 40
    assert len({p["key"] for p in catalogue["providers"]}) >= 12
    assert len({p["country"] for p in catalogue["providers"]}) >= 8
    today = dt.date(2026, 11, 25)
    upcoming = [e for e in catalogue["events"]
                if dt.date.fromisoformat(str(e["starts_at"])[:10]) > today]
    assert len(upcoming) >= 8


def test_seeding_is_idempotent(engine):
    sessions = make_session_factory(engine)
    catalogue = load_file(SEED_FILE)
    for _ in range(2):
        with sessions.begin() as session:
            upsert_catalogue(session, catalogue)
    with sessions() as session:
        assert session.scalar(select(func.count(Service.id))) == len(catalogue["services"])
        assert session.scalar(select(func.count(Event.id))) == len(catalogue["events"])
        assert session.scalar(select(func.count()).select_from(ServiceTranslation)) == sum(
            len(s["text"]) for s in catalogue["services"])


def test_counts_leave_out_inactive_and_expired_services(engine):
    sessions = make_session_factory(engine)
    catalogue = load_file(SEED_FILE)
    with sessions.begin() as session:
        upsert_catalogue(session, catalogue)
    now = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
    current = [s for s in catalogue["services"]
               if s.get("active", True)
               and (s.get("valid_until") is None or s["valid_until"] >= now.date())
               and (s.get("valid_from") is None or s["valid_from"] <= now.date())]
    with sessions() as session:
        counts = catalogue_counts(session, now=now)
    assert counts["service_count"] == len(current) < len(catalogue["services"])
    assert counts["event_count"] == len(catalogue["events"])
    assert 12 <= counts["provider_count"] <= len(catalogue["providers"])


def test_a_bad_file_is_refused_with_every_problem_listed(tmp_path):
    catalogue = yaml.safe_load(SEED_FILE.read_text("utf-8"))
    catalogue["services"][0]["provider"] = "nobody"
    catalogue["services"][1]["legal_forms"] = ["pirate_ship"]
    catalogue["events"][0]["timezone"] = "Mars/Olympus"
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump(catalogue, allow_unicode=True), "utf-8")
    with pytest.raises(SeedFileError) as error:
        load_file(bad)
    message = str(error.value)
    assert "3 problem(s)" in message
    assert "services[1]" in message and "unknown provider 'nobody'" in message
    assert "services[2]" in message and "pirate_ship" in message
    assert "events[1]" in message


def test_a_file_that_is_not_yaml_is_refused(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("providers: [unclosed", "utf-8")
    with pytest.raises(SeedFileError, match="cannot read"):
        load_file(bad)


def test_database_errors_do_not_repeat_what_the_user_wrote(engine):
    sessions = make_session_factory(engine)
    words = "write to amina@example.org or +21612345678"
    with pytest.raises(IntegrityError) as caught, sessions.begin() as session:
        # No such conversation: the foreign key refuses the row.
        session.add(ConversationMessage(conversation_id="missing", direction="in", text=words))
    assert "amina@example.org" not in str(caught.value)
    assert "+21612345678" not in str(caught.value)
    assert "INSERT INTO conversation_message" in str(caught.value)
