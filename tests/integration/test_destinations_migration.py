"""Migration 0007 gives every case its destinations, on SQLite and on the real PostgreSQL:
cases saved before it read as having none, and new cases keep the list they are given."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic import command
from sqlalchemy import select, text

from catalog.db import alembic_config, make_engine, make_session_factory, upgrade
from catalog.models import Case, Conversation

ADMIN = "postgresql://root@127.0.0.1:5432/postgres"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dest.sqlite3'}"
        return
    name = f"iesmed_test_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://root@127.0.0.1:5432/{name}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.integration
def test_cases_before_and_after_the_migration_hold_their_destinations(database_url):
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0006")
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO conversation (id, channel, language, state, created_at, "
                "updated_at) VALUES ('c-old', 'web', 'ca', 'bot', CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"))
            connection.execute(text(
                'INSERT INTO "case" (reference, conversation_id, status, channel, language, '
                "original_words, discoverable, created_at, updated_at) VALUES ('IM-OLD', "
                "'c-old', 'new', 'web', 'ca', '[]', false, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"))
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions.begin() as session:
            session.add(Conversation(id="c-new", channel="web", language="ca", state="bot"))
            session.flush()
            session.add(Case(reference="IM-NEW", conversation_id="c-new", status="new",
                             channel="web", language="ca", destinations=["IT", "FR"]))
        with sessions() as session:
            held = {r: list(d) for r, d in session.execute(
                select(Case.reference, Case.destinations)).tuples()}
        assert held == {"IM-OLD": [], "IM-NEW": ["IT", "FR"]}
        command.downgrade(alembic_config(engine), "0006")
        upgrade(engine)
    finally:
        engine.dispose()
