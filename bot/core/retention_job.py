"""The retention job: once an hour, anonymise conversations idle beyond RETENTION_DAYS.

Runs in every bot process next to the delivery worker. Rounds are idempotent (a
conversation already anonymised is not picked again), so replicas running them at the
same time only repeat each other's checks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from bot.core.background import PeriodicJob
from catalog.retention import RetentionReport, apply_retention

logger = logging.getLogger(__name__)


class RetentionJob(PeriodicJob):
    """Apply the retention period at start and then every ``interval_seconds``."""

    name = "retention"

    def __init__(self, sessions: sessionmaker[Session], *, days: int,
                 erase_tracker: Callable[[str], None],
                 interval_seconds: float = 3600.0) -> None:
        super().__init__(interval_seconds)
        self._sessions = sessions
        self._days = days
        self._erase_tracker = erase_tracker

    async def run_once(self) -> RetentionReport:
        """Anonymise what is due now, off the event loop."""
        return await asyncio.to_thread(apply_retention, self._sessions, days=self._days,
                                       erase_tracker=self._erase_tracker)
