"""Load driving: many simulated users press a button at planned moments; first reactions.

Used by `bench/herd.py`, in the bot's process or (usually) in a child process of its own
(`sandbox.process`), so that pressing and watching cost the bot under test nothing.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from sandbox.server import SandboxServer

# How often the waiting loop looks for first reactions. Latencies come from the events' own
# timestamps, so this only decides how soon the wait notices it is over, not what is measured.
WATCH_STEP = 0.02


@dataclass
class PressOutcome:
    """What a burst of presses got: per answered user the press-to-first-event latency."""

    users: int
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0  # first press to the last first reaction (or to the timeout)
    cpu_s: float = 0.0  # CPU time of the process running the sandbox, during the burst
    unanswered_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (see `from_json`)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PressOutcome:
        """The inverse of `to_json`."""
        return cls(**data)


async def press_burst(
    sb: SandboxServer,
    presses: list[tuple[int, int]],
    data: str,
    spread: float,
    timeout: float,
) -> PressOutcome:
    """Each (user id, message id) presses the inline button `data` on that bot message.

    The presses are spread evenly over `spread` seconds (0: all at once). A user is answered
    by the first bot event in their chat after the press: a message, an edit or a callback
    answer. Times are the sandbox's monotonic clock: the moment the update was queued for
    getUpdates, and the moment the bot's call was applied.
    """
    count = len(presses)
    users = [sb.user(user_id) for user_id, _ in presses]
    step = spread / count if count > 1 else 0.0
    pressed_at: dict[int, float] = {}
    marks: dict[int, int] = {}
    start = time.monotonic()
    cpu_start = time.process_time()
    index = 0
    while index < count:
        now = time.monotonic()
        # Press everyone whose slot has come (sleep granularity is about a millisecond).
        while index < count and start + index * step <= now:
            user = users[index]
            marks[user.id] = len(user.chat.events)
            pressed_at[user.id] = time.monotonic()
            await user.press_data(data, message_id=presses[index][1])
            index += 1
        if index < count:
            await asyncio.sleep(max(0.0, start + index * step - time.monotonic()))
    first: dict[int, float] = {}
    pending = {user.id: user for user in users}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for user_id, user in list(pending.items()):
            events = user.chat.events
            if len(events) > marks[user_id]:
                first[user_id] = events[marks[user_id]].at
                del pending[user_id]
        if pending:
            await asyncio.sleep(WATCH_STEP)
    end = max(first.values()) if first else time.monotonic()
    return PressOutcome(
        users=count,
        latencies_ms=[(first[uid] - pressed_at[uid]) * 1000 for uid in first],
        seconds=end - start,
        cpu_s=time.process_time() - cpu_start,
        unanswered_ids=sorted(pending),
    )
