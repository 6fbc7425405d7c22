"""Erase a conversation's events from Rasa's SQL tracker store (right to erasure)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import create_engine, text

from bot.config import Settings

logger = logging.getLogger(__name__)


def tracker_store_url(settings: Settings) -> str:
    """Return the SQLAlchemy URL of Rasa's tracker store for these settings."""
    if settings.tracker_store_url:
        return settings.tracker_store_url.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{settings.data_dir / 'rasa-tracker.sqlite3'}"


def make_tracker_eraser(settings: Settings) -> Callable[[str], None]:
    """Return a function that deletes every tracker event of one sender."""
    def erase(sender_id: str) -> None:
        engine = create_engine(tracker_store_url(settings))
        try:
            with engine.begin() as connection:
                connection.execute(text("DELETE FROM events WHERE sender_id = :sender"),
                                   {"sender": sender_id})
        except Exception:  # a missing table means nothing was stored
            logger.warning("tracker store: could not erase events of a conversation",
                           exc_info=True)
        finally:
            engine.dispose()
    return erase
