"""Erase a conversation's events from Rasa's SQL tracker store (right to erasure)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.errors import ErasureFailed

logger = logging.getLogger(__name__)
_POSTGRES_SCHEMES = ("postgres://", "postgresql://")


def tracker_store_url(settings: Settings) -> str:
    """Return the SQLAlchemy URL of Rasa's tracker store for these settings."""
    url = settings.tracker_store_url
    if not url:
        return f"sqlite:///{settings.data_dir / 'rasa-tracker.sqlite3'}"
    for scheme in _POSTGRES_SCHEMES:
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url.removeprefix(scheme)
    return url


def make_tracker_eraser(settings: Settings) -> Callable[[str], None]:
    """Return a function that deletes every tracker event of one sender.

    The function raises ErasureFailed when the store cannot be reached or refuses,
    so an erasure is never reported as done when it was not.
    """
    url = tracker_store_url(settings)

    def erase(sender_id: str) -> None:
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            return  # Rasa never wrote a tracker here (and connecting would create the file)
        try:
            engine = create_engine(url, hide_parameters=True)
        except (SQLAlchemyError, ValueError, ImportError) as exc:
            raise ErasureFailed("the tracker store URL is unusable") from exc
        try:
            with engine.begin() as connection:
                if not inspect(connection).has_table("events"):
                    return  # the engine never stored anything there
                connection.execute(text("DELETE FROM events WHERE sender_id = :sender"),
                                   {"sender": sender_id})
        except SQLAlchemyError as exc:
            logger.error("tracker store: erasing a conversation's events failed (%s)",
                         type(exc).__name__)
            raise ErasureFailed("the tracker store refused the erasure") from exc
        finally:
            engine.dispose()
    return erase
