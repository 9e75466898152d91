"""Token-bucket flood limits modelled on Telegram's broadcasting limits."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """Flood-control settings: a global bucket and one bucket per chat."""

    enabled: bool = True
    global_per_s: float = 30
    per_chat_per_s: float = 1
    per_chat_burst: int = 5


class TokenBucket:
    """A classic token bucket refilled continuously at `rate` tokens per second."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        """Create a full bucket."""
        self.rate = rate
        self.capacity = max(capacity, 1.0)
        self.tokens = self.capacity
        self.stamp = now

    def refill(self, now: float) -> None:
        """Add the tokens earned since the last refill."""
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def retry_after(self) -> int:
        """Whole seconds (>= 1) until one token is available."""
        if self.rate <= 0:
            return 3600
        return max(1, math.ceil((1.0 - self.tokens) / self.rate))


class FloodController:
    """Applies FloodLimits: a global bucket plus lazily created per-chat buckets."""

    def __init__(self, limits: FloodLimits) -> None:
        """Create the controller with empty state."""
        self.limits = limits
        now = time.monotonic()
        self._global = TokenBucket(limits.global_per_s, limits.global_per_s, now)
        self._chats: dict[int | None, TokenBucket] = {}

    def acquire(self, chat_id: int | None) -> int:
        """Take one token for `chat_id`; return 0 on success or the retry_after seconds."""
        limits = self.limits
        if not limits.enabled:
            return 0
        now = time.monotonic()
        self._global.refill(now)
        bucket: TokenBucket | None = None
        if chat_id is not None:
            bucket = self._chats.get(chat_id)
            if bucket is None:
                bucket = TokenBucket(limits.per_chat_per_s, limits.per_chat_burst, now)
                self._chats[chat_id] = bucket
            bucket.refill(now)
        wait = 0
        if bucket is not None and bucket.tokens < 1.0:
            wait = bucket.retry_after()
        if self._global.tokens < 1.0:
            wait = max(wait, self._global.retry_after())
        if wait:
            return wait
        self._global.tokens -= 1.0
        if bucket is not None:
            bucket.tokens -= 1.0
        return 0
