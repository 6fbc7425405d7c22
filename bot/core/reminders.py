"""The reminder scheduler: queues due event reminders and hands freed seats to the waiting list.

Runs in every bot process next to the delivery worker. It keeps nothing in memory: each
round asks the database what is due (catalog.reminders) and claims each reminder with a
conditional update, so several processes, or one restarted after a reminder fell due,
queue every reminder exactly once. The delivery worker then sends it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Sequence

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.background import PeriodicJob
from catalog import registrations, reminders

logger = logging.getLogger(__name__)


class ReminderScheduler(PeriodicJob):
    """Every few seconds, queue due reminders and give free seats to those waiting."""

    name = "reminders"

    def __init__(self, sessions: sessionmaker[Session], *, offsets: Sequence[dt.timedelta],
                 poll_seconds: float = 15.0,
                 on_queued: Callable[[str], None] | None = None) -> None:
        super().__init__(poll_seconds)
        self._sessions = sessions
        self._offsets = tuple(offsets)
        self._on_queued = on_queued

    async def run_once(self, now: dt.datetime | None = None) -> list[str]:
        """Queue what is due now; return the conversations that got a message."""
        told = await asyncio.to_thread(self._round, now or dt.datetime.now(dt.UTC))
        for conversation_id in told:
            if self._on_queued is not None:
                self._on_queued(conversation_id)
        return told

    def _round(self, now: dt.datetime) -> list[str]:
        with self._sessions() as session:
            due = reminders.due(session, offsets=self._offsets, now=now)
            free = registrations.events_with_free_seats(session, now=now)
        told: list[str] = []
        for item in due:
            try:
                with self._sessions.begin() as session:
                    conversation_id = reminders.queue(session, item, now=now)
            except SQLAlchemyError:
                logger.exception("reminders: registration %s not reminded this round",
                                 item.registration_id)
                continue
            if conversation_id is not None:
                told.append(conversation_id)
        if due:
            logger.info("reminders: %d due, %d queued", len(due), len(told))
        for event_id in free:
            with self._sessions.begin() as session:
                promoted = registrations.promote(session, event_id, now=now)
                told += registrations.conversations_of(session, promoted)
        return told
