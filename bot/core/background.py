"""A job that runs in the background of a bot process until the process stops."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod


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
