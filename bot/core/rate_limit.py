"""Token buckets in process memory: how often one client may open conversations or write.

One bucket per key (a client address, a conversation id, a channel user). A bucket holds at most
``burst`` tokens and gains ``per_minute / 60`` tokens a second; each request takes one.
State lives in this process only: with several bot replicas each counts on its own
(see docs/DECISIONS.md, "Rate limits").
"""

from __future__ import annotations

import enum
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    """Tokens left for one key, as of ``updated`` (seconds on the limiter's clock)."""

    tokens: float
    updated: float


class RateLimiter:
    """Allow up to ``burst`` requests at once per key, refilled at ``per_minute``."""

    def __init__(self, *, per_minute: float, burst: int, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("a rate limit needs a positive rate and a burst of at least 1")
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def acquire(self, key: str) -> float:
        """Take one token for ``key``; return 0 if allowed, else the seconds to wait."""
        now = self._clock()
        self._forget_idle(now)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self._burst, now)
        else:
            bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
            bucket.updated = now
            self._buckets.move_to_end(key)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self._rate

    def _forget_idle(self, now: float) -> None:
        """Drop buckets that have refilled (a full bucket is the same as none), bound memory."""
        while self._buckets:
            key, oldest = next(iter(self._buckets.items()))
            full = oldest.tokens + (now - oldest.updated) * self._rate >= self._burst
            if not full and len(self._buckets) < self._max_keys:
                break
            del self._buckets[key]


def retry_after(seconds: float) -> str:
    """Format a wait for the Retry-After header: whole seconds, at least one."""
    return str(max(1, math.ceil(seconds)))


class Admission(enum.Enum):
    """What to do with a channel user's message under the flood guard."""

    ALLOW = "allow"
    WARN = "warn"  # over the limit: answer "slow down" once, drop the message
    DROP = "drop"  # over the limit and already told: drop it silently


class FloodGuard:
    """Per-user message limits for the channels that answer in the same chat (Telegram,
    WhatsApp): one token bucket per user; the first message over the limit is answered
    with a localised "slow down", the next ones are dropped until the bucket refills.
    """

    def __init__(self, limiter: RateLimiter, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 10_000) -> None:
        self._limiter = limiter
        self._clock = clock
        self._quiet_until: OrderedDict[str, float] = OrderedDict()
        self._max_keys = max_keys

    def admit(self, key: str) -> Admission:
        """Take one message of ``key`` (e.g. "telegram:<chat id>") through the limit."""
        wait = self._limiter.acquire(key)
        now = self._clock()
        if wait == 0:
            return Admission.ALLOW
        if self._quiet_until.get(key, 0.0) > now:
            return Admission.DROP
        self._quiet_until[key] = now + wait
        self._quiet_until.move_to_end(key)
        while len(self._quiet_until) > self._max_keys:
            self._quiet_until.popitem(last=False)
        return Admission.WARN
