"""One turn at a time per conversation, first come first served, across bot replicas.

A user who sends two messages quickly (a WhatsApp redelivery, two Telegram updates that
reach two replicas, a double click) must not have them handled side by side: the
transcript would interleave them, and two Rasa servers serving one conversation at once
lose events (Rasa's Redis lock store issues tickets with a read-modify-write that is not
atomic between processes; measured in tests/e2e/test_scale_out.py). So the core holds a
turn lock around every message, from recording it to recording the answers.

One bot process: an asyncio lock per conversation (waiters are served in arrival order).
Several replicas: a ticket lock in Redis (the lock store Rasa already needs to scale out).
A message takes the next ticket number and waits until the number served reaches it.
Each ticket has a presence key with a short lease that its holder renews while it waits
and while it is served, so a replica that dies leaves the queue within one lease, and the
waiters behind it move on. When the last ticket is released, the keys are deleted: nothing
about the conversation stays in Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Protocol

import redis.asyncio as redis
from redis.exceptions import RedisError

from bot.errors import TurnLockUnavailable

logger = logging.getLogger(__name__)


class TurnLocks(Protocol):
    """Serialises the turns of each conversation."""

    def hold(self, conversation_id: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Wait for the conversation's previous turns to finish, then hold it for this one."""

    async def ready(self) -> bool:
        """Return whether turns can be taken now."""

    async def aclose(self) -> None:
        """Release the connections the locks use."""


class LocalTurnLocks:
    """Turn locks for one bot process: an asyncio lock per conversation in use."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        """Wait for the conversation's previous turns to finish, then hold it for this one."""
        lock, users = self._locks.get(conversation_id, (asyncio.Lock(), 0))
        self._locks[conversation_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[conversation_id]
            if users == 1:
                del self._locks[conversation_id]
            else:
                self._locks[conversation_id] = (lock, users - 1)

    async def ready(self) -> bool:
        """Always: the locks live in this process."""
        return True

    async def aclose(self) -> None:
        """Nothing to release: the locks live in this process."""


# KEYS: next ticket, ticket served. ARGV: presence key prefix, lease ms, keys' lifetime s.
_TAKE = """
local ticket = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('SET', ARGV[1] .. ticket, '1', 'PX', ARGV[2])
return ticket
"""
# ARGV: presence key prefix, ticket, keys' lifetime s. 1: served now, 0: wait, -1: lost.
_ACQUIRE = """
local ticket = tonumber(ARGV[2])
local serving = tonumber(redis.call('GET', KEYS[2]) or '1')
while serving < ticket and redis.call('EXISTS', ARGV[1] .. serving) == 0 do
  serving = serving + 1
end
redis.call('SET', KEYS[2], serving, 'EX', ARGV[3])
if redis.call('EXISTS', ARGV[1] .. ticket) == 0 then return -1 end
if serving == ticket then return 1 end
return 0
"""
# ARGV: presence key prefix, ticket, keys' lifetime s. Leave the queue; pass the turn on.
_RELEASE = """
local ticket = tonumber(ARGV[2])
redis.call('DEL', ARGV[1] .. ticket)
local serving = tonumber(redis.call('GET', KEYS[2]) or '1')
if serving ~= ticket then return 0 end
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
serving = serving + 1
while serving <= last and redis.call('EXISTS', ARGV[1] .. serving) == 0 do
  serving = serving + 1
end
if serving > last then
  redis.call('DEL', KEYS[1], KEYS[2])
else
  redis.call('SET', KEYS[2], serving, 'EX', ARGV[3])
end
return 1
"""


class RedisTurnLocks:
    """Turn locks shared by every replica: a ticket queue per conversation in Redis."""

    def __init__(self, url: str, *, lease_seconds: float = 15.0, poll_seconds: float = 0.02,
                 keys_lifetime_seconds: int = 3600) -> None:
        self._redis = redis.Redis.from_url(url)
        self._lease_ms = int(lease_seconds * 1000)
        self._poll = poll_seconds
        self._lifetime = keys_lifetime_seconds
        self._take = self._redis.register_script(_TAKE)
        self._acquire = self._redis.register_script(_ACQUIRE)
        self._release = self._redis.register_script(_RELEASE)

    async def ready(self) -> bool:
        """Return whether Redis answers (within 2 s)."""
        try:
            return bool(await asyncio.wait_for(self._redis.ping(), timeout=2.0))
        except (RedisError, OSError, TimeoutError):
            return False

    @staticmethod
    def _keys(conversation_id: str) -> tuple[list[str], str]:
        # The braces keep a conversation's keys in one slot of a Redis cluster.
        base = f"iesmed:turn:{{{conversation_id}}}"
        return [f"{base}:next", f"{base}:serving"], f"{base}:ticket:"

    @contextlib.asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        """Wait for the conversation's previous turns to finish, then hold it for this one.

        Raises:
            TurnLockUnavailable: Redis could not be reached.
        """
        keys, prefix = self._keys(conversation_id)
        ticket = 0
        renewal: asyncio.Task[None] | None = None
        try:
            try:
                while True:
                    ticket = int(await self._take(keys, [prefix, self._lease_ms, self._lifetime]))
                    if renewal is not None:
                        renewal.cancel()
                    renewal = asyncio.get_running_loop().create_task(
                        self._renew(prefix + str(ticket)))
                    if await self._wait_for(keys, prefix, ticket):
                        break
                    logger.warning("turn lock: conversation %s lost its place; queueing again",
                                   conversation_id)
            except RedisError as exc:
                raise TurnLockUnavailable(f"Redis: {type(exc).__name__}") from exc
            yield
        finally:
            if renewal is not None:
                renewal.cancel()
            if ticket:
                # Even when the turn was cancelled: the ones waiting behind must move on.
                with contextlib.suppress(RedisError):
                    await asyncio.shield(self._release(
                        keys, [prefix, ticket, self._lifetime]))

    async def _wait_for(self, keys: list[str], prefix: str, ticket: int) -> bool:
        """Wait until ``ticket`` is served; False if its lease ran out meanwhile."""
        delay = self._poll
        while True:
            state = int(await self._acquire(keys, [prefix, ticket, self._lifetime]))
            if state != 0:
                return state == 1
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.1)

    async def _renew(self, key: str) -> None:
        """Keep the ticket's presence alive while its holder waits or is served."""
        while True:
            await asyncio.sleep(self._lease_ms / 3000)
            try:
                if not await self._redis.pexpire(key, self._lease_ms):
                    logger.warning("turn lock: a ticket's lease ran out before it was renewed")
                    return
            except RedisError as exc:
                logger.warning("turn lock: renewing a lease failed (%s)", type(exc).__name__)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()
