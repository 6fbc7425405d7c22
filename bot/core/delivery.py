"""The delivery worker: sends what the outbox holds through each conversation's channel.

Runs in every bot process. Claiming is done in the database (catalog.outbox), so
several processes can run it side by side and a restarted process picks up what
was queued before. Web and terminal conversations need no sending: the message is
already in the transcript, where their live stream and catch-up read it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from bot.core import documents
from bot.core.background import BackgroundJob
from bot.core.messages import Button, OutboundMessage
from bot.errors import DeliveryFailed, Undeliverable
from catalog import outbox, updates
from catalog.models import Conversation

logger = logging.getLogger(__name__)

# Channels whose users read the transcript (live stream or catch-up): nothing to send.
TRANSCRIPT_CHANNELS = frozenset({"web", "terminal", "test"})
PRUNE_EVERY_SECONDS = 3600.0  # forget handled channel update ids after a week, hourly


@dataclass(frozen=True)
class Recipient:
    """Who a queued message goes to, as a channel adapter needs it."""

    conversation_id: str
    channel: str
    channel_user_id: str | None
    language: str | None
    last_inbound_at: dt.datetime | None


class ChannelSender(Protocol):
    """What a channel adapter offers the delivery worker."""

    async def deliver(self, recipient: Recipient, message: OutboundMessage) -> None:
        """Send one message; raise DeliveryFailed to retry later, Undeliverable to give up."""


class DeliveryWorker(BackgroundJob):
    """Claim due outbox messages, send them, record the outcome; wake early when told."""

    name = "delivery"

    def __init__(self, sessions: sessionmaker[Session], *, poll_seconds: float = 1.0) -> None:
        super().__init__()
        self._sessions = sessions
        self._senders: dict[str, ChannelSender] = {}
        self._poll = poll_seconds
        self._wake = asyncio.Event()

    def register(self, channel: str, sender: ChannelSender) -> None:
        """Route a channel's messages to ``sender``."""
        self._senders[channel] = sender

    def wake(self) -> None:
        """Look at the outbox now (something was just queued in this process)."""
        self._wake.set()

    async def _run(self) -> None:
        pruned_at = 0.0
        while True:
            if time.monotonic() - pruned_at > PRUNE_EVERY_SECONDS:
                pruned_at = time.monotonic()
                try:
                    await asyncio.to_thread(updates.prune, self._sessions)
                except Exception:
                    logger.exception("delivery: pruning handled channel updates failed")
            try:
                sent = await self.run_once()
            except Exception:  # a database hiccup must not end deliveries for good
                logger.exception("delivery: a round failed; trying again")
                sent = 0
            if sent:
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
            except TimeoutError:
                pass

    async def run_once(self) -> int:
        """Send every message that is due now; return how many were handled."""
        claimed = await asyncio.to_thread(self._claim)
        for item, recipient in claimed:
            await self._send(item, recipient)
        return len(claimed)

    def _claim(self) -> list[tuple[outbox.Claimed, Recipient | None]]:
        with self._sessions.begin() as session:
            claimed = outbox.claim_due(session)
            found = []
            for item in claimed:
                row = session.get(Conversation, item.conversation_id)
                recipient = None if row is None else Recipient(
                    row.id, row.channel, row.channel_user_id, row.language, row.last_inbound_at)
                found.append((item, recipient))
            return found

    async def _send(self, item: outbox.Claimed, recipient: Recipient | None) -> None:
        if recipient is None:
            return  # erased meanwhile: the cascade removed the message too
        message = OutboundMessage(item.text, tuple(
            Button(str(b.get("title", "")), str(b.get("payload", ""))) for b in item.buttons),
            documents.from_payload(item.document))
        try:
            if recipient.channel not in TRANSCRIPT_CHANNELS:
                sender = self._senders.get(recipient.channel)
                if sender is None:
                    raise DeliveryFailed(f"{recipient.channel} is not configured in this process")
                await sender.deliver(recipient, message)
        except Undeliverable as exc:
            logger.warning("delivery: message %s to %s cannot be delivered: %s", item.id,
                           recipient.channel, exc)
            await asyncio.to_thread(self._record, outbox.mark_failed, item.id, str(exc))
        except (DeliveryFailed, Exception) as exc:  # unknown errors are retried, then failed
            logger.warning("delivery: message %s to %s failed (%s); will retry", item.id,
                           recipient.channel, exc)
            await asyncio.to_thread(self._record, outbox.mark_retry, item.id,
                                    str(exc) or type(exc).__name__)
        else:
            await asyncio.to_thread(self._record, outbox.mark_sent, item.id)

    def _record(self, action: Callable[..., object], *args: object) -> None:
        with self._sessions.begin() as session:
            action(session, *args)
