"""The outbox dispatcher's pace: a global rate (`Pacer`, with pauses Telegram asks for), a
minimum gap between two messages to one chat (`ChatGaps`), and yielding to interactive replies
under the overall cap (`make_room`). Nothing here touches the database or Telegram.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.ratelimit import SendLedger

PER_CHAT_INTERVAL = 1.05  # s; Telegram allows about one message per second per chat


class Pacer:
    """Send slots at `rate` per second on a fixed grid of the monotonic clock, with pauses.

    A slot whose wake-up came late (a busy event loop) is still used and the grid is kept, so
    lateness does not lower the rate; a gap longer than one interval (idle, or a pause) starts
    a new grid at once, so it never builds up a burst.
    """

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / rate
        self.next_at = 0.0
        self.paused_until = 0.0
        self._clock = clock
        self._sleep = sleep

    async def wait(self) -> None:
        """Sleep until the next slot."""
        now = self._clock()
        at = max(self.next_at, self.paused_until)
        if at + self.interval < now:
            at = now
        if at > now:
            await self._sleep(at - now)
        self.next_at = at + self.interval

    def pause(self, seconds: float) -> None:
        """No slot is handed out for `seconds` (Telegram asked us to slow down)."""
        self.paused_until = max(self.paused_until, self._clock() + seconds)


class ChatGaps:
    """At least `interval` seconds between two messages to one chat (monotonic clock).

    `free_at` is when a chat may get its next row (decided when its turn is given); the call
    itself waits again in `before_call`, because the hand-over's commit before it takes a
    varying time.
    """

    def __init__(self, interval: float = PER_CHAT_INTERVAL) -> None:
        self.interval = interval
        self._free_at: dict[int, float] = {}  # monotonic time each chat may get the next
        self._called_at: dict[int, float] = {}  # when each chat's last call was made

    def forget_past(self) -> None:
        """Drop the chats whose gap is over (at the start of a delivery)."""
        now_mono = time.monotonic()
        self._free_at = {c: t for c, t in self._free_at.items() if t > now_mono}
        recent = now_mono - self.interval
        self._called_at = {c: t for c, t in self._called_at.items() if t > recent}

    def free_at(self, chat: int) -> float:
        """When `chat` may get its next row (0.0: now)."""
        return self._free_at.get(chat, 0.0)

    def take(self, chat: int) -> float:
        """`chat` got its turn now: returns when it may get the next one."""
        self._free_at[chat] = time.monotonic() + self.interval
        return self._free_at[chat]

    async def before_call(self, chat: int) -> None:
        """Wait until the gap since the last call to `chat` is over, then note this call."""
        last = self._called_at.get(chat)
        if last is not None:
            gap = last + self.interval - time.monotonic()
            if gap > 0:
                await asyncio.sleep(gap)
        self._called_at[chat] = time.monotonic()


async def make_room(
    cap: float, interactive: SendLedger, own: SendLedger, stopping: Callable[[], bool]
) -> None:
    """Hold a bulk message back while the interactive replies of this process (`interactive`)
    and our own messages of the last second (`own`) would reach the overall cap
    (KISBOT_OVERALL_MAX_RATE): replies to people's taps go first (bot.ratelimit). 0 lifts the
    cap. The message is then counted in `own`."""
    while cap > 0 and interactive.recent() + own.recent() >= cap and not stopping():
        waits = [w for w in (interactive.next_expiry(), own.next_expiry()) if w > 0]
        await asyncio.sleep(min(waits, default=0.01))
    own.record()
