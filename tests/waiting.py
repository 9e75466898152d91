"""Waiting on a condition instead of sleeping a fixed time."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable


async def until(
    predicate: Callable[[], object | Awaitable[object]],
    timeout: float = 20.0,
    step: float = 0.01,
) -> None:
    """Poll `predicate` (sync or async) every `step` seconds until it is truthy; raise
    TimeoutError after `timeout` seconds. Returns at once when it already holds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"condition not met within {timeout}s: {predicate!r}")
        await asyncio.sleep(step)
