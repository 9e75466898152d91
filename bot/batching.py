"""Group commit: concurrent requests for the same key share one transaction.

A rush of people pressing "sign up" on one date all need the same session row lock, so they
would run one transaction each, one after another. `GroupCommit` runs the first request's
batch at once; everything that arrives for the same key while that batch is in its
transaction waits and goes, in arrival order, into the next batch, which starts as soon as the
previous one has finished. Nobody waits for a timer, and a lone request is a batch of one.

Each submitter gets the result for its own item once the batch's `run` has returned, i.e.
after its transaction has committed, so replies are still only sent about committed changes.
When a batch of several fails, each of its items is run again on its own, so one bad request
fails only itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
R = TypeVar("R")

BatchRunner = Callable[[K, list[T]], Awaitable[Sequence[R]]]


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


class GroupCommit(Generic[K, T, R]):
    """Batches of `run(key, items)` per key; `run` returns one result per item, in order."""

    def __init__(self, run: BatchRunner[K, T, R], *, name: str = "group-commit") -> None:
        """`run` handles one batch in one transaction (it may raise for the whole batch)."""
        self._run = run
        self._name = name
        self._pending: dict[K, list[tuple[T, asyncio.Future[R]]]] = {}
        self._workers: dict[K, asyncio.Task[None]] = {}

    async def submit(self, key: K, item: T) -> R:
        """Queue `item` for the next batch of `key` and wait for its result (or exception)."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        # A submitter cancelled while waiting never reads its future: without this, a batch
        # failing afterwards (a database outage) left "Future exception was never retrieved".
        future.add_done_callback(_retrieve)
        self._pending.setdefault(key, []).append((item, future))
        if key not in self._workers:
            self._workers[key] = asyncio.create_task(self._drain(key), name=f"{self._name}:{key}")
        # A cancelled submitter does not cancel the batch: its item may still be committed,
        # exactly as a request cancelled after its commit.
        return await asyncio.shield(future)

    @property
    def busy(self) -> bool:
        """Whether any batch is queued or running."""
        return bool(self._workers)

    async def _drain(self, key: K) -> None:
        batch: list[tuple[T, asyncio.Future[R]]] = []
        try:
            while batch := self._pending.pop(key, []):
                await self._process(key, batch)
        except BaseException as exc:  # cancelled (shutdown): nobody may wait forever
            for _, future in batch + self._pending.pop(key, []):
                if future.done():
                    continue
                if isinstance(exc, Exception):
                    future.set_exception(exc)
                else:
                    future.cancel()
            if not isinstance(exc, Exception):
                raise
            # The submitters have the error; nobody awaits this task, so raising here would
            # only add "Task exception was never retrieved".
        finally:
            del self._workers[key]

    async def _process(self, key: K, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await self._run(key, [item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"{len(results)} results for a batch of {len(batch)}")
        except Exception as exc:
            if len(batch) == 1:
                _, future = batch[0]
                if not future.done():
                    future.set_exception(exc)
                return
            log.warning(
                "%s: a batch of %d failed (%s); running each on its own",
                self._name,
                len(batch),
                type(exc).__name__,
            )
            for entry in batch:
                await self._process(key, [entry])
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
