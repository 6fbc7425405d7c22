"""Throwaway migrated databases for tests: an SQLite file, or a fresh local PostgreSQL database."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

ADMIN = "postgresql://root@127.0.0.1:5432/postgres"


@contextmanager
def database_url(kind: str, folder: Path) -> Iterator[str]:
    """Yield the URL of an empty database of ``kind`` (sqlite | postgresql), dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'catalogue.sqlite3'}"
        return
    name = f"iesmed_test_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://root@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
