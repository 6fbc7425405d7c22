"""Access to the catalogue database from actions, created on first use (never at import)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from catalog.db import make_engine, make_session_factory

_DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "iesmed.sqlite3"


@cache
def _sessions(url: str) -> sessionmaker[Session]:
    return make_session_factory(make_engine(url))


def database_url() -> str:
    """Return the catalogue URL the action server was started with."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{_DEFAULT_DB}"


@contextmanager
def session() -> Iterator[Session]:
    """Open a read-mostly session on the catalogue."""
    with _sessions(database_url())() as s:
        yield s
