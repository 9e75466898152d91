"""One send budget for the whole process: interactive replies first, bulk sending yields.

Telegram allows about 30 messages per second in all. Replies to people's taps go through the
Application's bot (PTB's AIORateLimiter caps them at KISBOT_OVERALL_MAX_RATE); bulk messages
(reminders, offers, broadcasts) go through the outbox dispatcher at KISBOT_SEND_RATE (25/s),
which leaves room. `CountingRateLimiter` records every interactive message in a `SendLedger`,
and the dispatcher holds a bulk message back while interactive and bulk messages of the last
second would reach the overall cap: a burst of replies is never starved by a broadcast.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram._utils.types import JSONDict
from telegram.ext import AIORateLimiter

WINDOW = 1.0  # seconds: Telegram's limits are per second


def is_message_endpoint(endpoint: str) -> bool:
    """Whether a Bot API method posts or edits a message (what Telegram's limits count)."""
    if endpoint == "sendChatAction":
        return False
    return endpoint.startswith(("send", "edit", "copy", "forward"))


class SendLedger:
    """Monotonic times of recent messages; `recent()` counts those of the last second."""

    __slots__ = ("_clock", "_stamps")

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._stamps: deque[float] = deque()

    def record(self) -> None:
        """One message sent now."""
        self._stamps.append(self._clock())

    def recent(self) -> int:
        """Messages sent in the last WINDOW seconds."""
        cutoff = self._clock() - WINDOW
        stamps = self._stamps
        while stamps and stamps[0] <= cutoff:
            stamps.popleft()
        return len(stamps)

    def next_expiry(self) -> float:
        """Seconds until the oldest recorded message leaves the window (0 when empty)."""
        self.recent()
        if not self._stamps:
            return 0.0
        return max(0.0, self._stamps[0] + WINDOW - self._clock())


class CountingRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter that also records each message in a SendLedger (and reports each
    answered request to `on_success`: Telegram is reachable)."""

    def __init__(
        self, ledger: SendLedger, *, on_success: Callable[[], None] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.ledger = ledger
        self.on_success = on_success

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Count the message, then rate-limit it as AIORateLimiter does."""
        if is_message_endpoint(endpoint):
            self.ledger.record()
        result = await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
        if self.on_success is not None:
            self.on_success()
        return result
