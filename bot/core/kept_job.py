"""Answer the messages kept while the dialogue engine was away, once it is back.

Runs in every bot process next to the delivery worker. A conversation's kept messages
are answered under its turn lock, so a replica doing the same round, or the user
writing again meanwhile, never answers one twice or out of order. Messages that waited
longer than the configured age are not answered any more: the user is asked, in their
language, to write again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from bot.core import locales
from bot.core.background import PeriodicJob
from bot.core.conversation import ConversationCore
from bot.core.messages import OutboundMessage
from bot.errors import TurnLockUnavailable, UnknownConversation
from catalog import kept

logger = logging.getLogger(__name__)


class KeptMessagesJob(PeriodicJob):
    """Every ``poll_seconds``: expire old kept messages, answer the rest if the engine is up."""

    name = "kept-messages"

    def __init__(self, core: ConversationCore, *, max_age: dt.timedelta,
                 wake_delivery: Callable[[], None], poll_seconds: float = 5.0) -> None:
        super().__init__(poll_seconds)
        self._core = core
        self._max_age = max_age
        self._wake = wake_delivery

    async def run_once(self) -> int:
        """Do one round; return how many kept messages were answered."""
        expired = await asyncio.to_thread(self._expire)
        waiting = await asyncio.to_thread(self._waiting)
        answered = 0
        if waiting and await self._core.engine_ready():
            for conversation_id in waiting:
                try:
                    answered += await self._core.replay_kept(conversation_id)
                except (TurnLockUnavailable, UnknownConversation):
                    continue
            if answered:
                logger.info("kept messages: %d answered after the engine came back", answered)
        if answered or expired:
            self._wake()
        return answered

    def _waiting(self) -> list[str]:
        with self._core.store.sessions() as session:
            return kept.conversations_waiting(session)

    def _expire(self) -> int:
        """Give up on messages kept too long and ask their users to write again."""
        store = self._core.store
        with store.sessions.begin() as session:
            ids = kept.expire(session, older_than=dt.datetime.now(dt.UTC) - self._max_age)
        for conversation_id in ids:
            try:
                info = store.get(conversation_id)
            except UnknownConversation:
                continue
            language = info.language or locales.DEFAULT_LANGUAGE
            store.push(conversation_id, OutboundMessage(locales.text("kept_expired", language)),
                       language)
        return len(ids)
