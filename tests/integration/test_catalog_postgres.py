"""The catalogue migrates and seeds on the real local PostgreSQL, not only on SQLite."""

from __future__ import annotations

import secrets

import psycopg
import pytest
from sqlalchemy import func, select

from catalog.db import make_engine, make_session_factory, upgrade
from catalog.models import Event, Service
from catalog.queries import catalogue_counts
from catalog.seed import SEED_FILE, load_file, upsert_catalogue

pytestmark = pytest.mark.integration
ADMIN = "postgresql://root@127.0.0.1:5432/postgres"


@pytest.fixture
def postgres_url():
    name = f"iesmed_test_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://root@127.0.0.1:5432/{name}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migrate_and_seed_twice_on_postgres(postgres_url):
    engine = make_engine(postgres_url)
    try:
        upgrade(engine)
        catalogue = load_file(SEED_FILE)
        sessions = make_session_factory(engine)
        for _ in range(2):
            with sessions.begin() as session:
                upsert_catalogue(session, catalogue)
        with sessions() as session:
            assert session.scalar(select(func.count(Service.id))) == len(catalogue["services"])
            assert session.scalar(select(func.count(Event.id))) == len(catalogue["events"])
            counts = catalogue_counts(session)
        assert 0 < counts["service_count"] < len(catalogue["services"])
    finally:
        engine.dispose()


def test_catalogue_csv_round_trip_and_all_or_nothing_on_postgres(postgres_url, tmp_path):
    from catalog.errors import TransferError
    from catalog.transfer import export_catalogue, import_file

    engine = make_engine(postgres_url)
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        import_file(sessions, SEED_FILE)
        with sessions() as session:
            before = export_catalogue(session, "yaml")
            exported = export_catalogue(session, "csv", "providers")
        path = tmp_path / "providers.csv"
        path.write_text(exported, "utf-8")
        assert import_file(sessions, path).counts()["providers"]["updated"] == 0

        # PostgreSQL refuses a name longer than the column: every other row stays as it was.
        path.write_text(exported.replace("Fons Ètic del Llevant", "Fons Ètic " * 30)
                        .replace("iesMed,broker", "iesMed Cooperative,broker"), "utf-8")
        with pytest.raises(TransferError, match="nothing was changed"):
            import_file(sessions, path)
        with sessions() as session:
            assert export_catalogue(session, "yaml") == before
    finally:
        engine.dispose()
