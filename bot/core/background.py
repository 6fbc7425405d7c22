"""A job that runs in the background of a bot process until the process stops."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod

logger = logging.getLogger(__name__)


class BackgroundJob(ABC):
    """Start a loop on the running event loop once; cancel it on stop."""

    name = "background"

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run the job in the background on the current event loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Stop the job; whatever a round left undone, the next round (or process) does."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    @abstractmethod
    async def _run(self) -> None:
        """Loop until cancelled."""


class PeriodicJob(BackgroundJob):
    """A job that does one round every ``interval`` seconds; a failed round is logged and
    the next one tries again (a database or engine hiccup must not end the job)."""

    def __init__(self, interval: float) -> None:
        super().__init__()
        self.interval = interval

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                logger.exception("%s: a round failed; trying again later", self.name)
            await asyncio.sleep(self.interval)

    @abstractmethod
    async def run_once(self) -> object:
        """Do one round."""
