"""bot.batching.GroupCommit: batches per key, arrival order, failures isolated."""

from __future__ import annotations

import asyncio

import pytest

from bot.batching import GroupCommit


class Recorder:
    """A batch runner that records its batches; `gate` holds the running batch back."""

    def __init__(self) -> None:
        self.batches: list[tuple[str, list[int]]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.started = asyncio.Event()

    async def run(self, key: str, items: list[int]) -> list[str]:
        self.batches.append((key, list(items)))
        self.started.set()
        await self.gate.wait()
        if 13 in items:
            raise ValueError("unlucky")
        return [f"{key}{item}" for item in items]


async def test_a_lone_request_is_a_batch_of_one() -> None:
    recorder = Recorder()
    batcher = GroupCommit(recorder.run)
    assert await batcher.submit("a", 1) == "a1"
    assert recorder.batches == [("a", [1])]
    assert not batcher.busy


async def test_requests_arriving_during_a_batch_form_the_next_one_in_order() -> None:
    recorder = Recorder()
    recorder.gate.clear()
    batcher = GroupCommit(recorder.run)
    first = asyncio.create_task(batcher.submit("a", 1))
    await recorder.started.wait()  # the first batch is "in its transaction"
    later = [asyncio.create_task(batcher.submit("a", n)) for n in (2, 3, 4, 5)]
    other = asyncio.create_task(batcher.submit("b", 9))  # another key: its own batch
    await asyncio.sleep(0)
    recorder.gate.set()
    assert await first == "a1"
    assert [await task for task in later] == ["a2", "a3", "a4", "a5"]
    assert await other == "b9"
    assert ("a", [1]) in recorder.batches and ("a", [2, 3, 4, 5]) in recorder.batches
    assert ("b", [9]) in recorder.batches and len(recorder.batches) == 3
    assert not batcher.busy


async def test_a_failing_batch_is_retried_item_by_item() -> None:
    recorder = Recorder()
    recorder.gate.clear()
    batcher = GroupCommit(recorder.run)
    first = asyncio.create_task(batcher.submit("a", 1))
    await recorder.started.wait()
    tasks = [asyncio.create_task(batcher.submit("a", n)) for n in (12, 13, 14)]
    await asyncio.sleep(0)
    recorder.gate.set()
    await first
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert results[0] == "a12" and results[2] == "a14"
    assert isinstance(results[1], ValueError)
    assert recorder.batches == [
        ("a", [1]),
        ("a", [12, 13, 14]),
        ("a", [12]),
        ("a", [13]),
        ("a", [14]),
    ]


async def test_a_runner_returning_the_wrong_number_of_results_fails_loudly() -> None:
    async def run(key: str, items: list[int]) -> list[int]:
        return []

    with pytest.raises(RuntimeError, match="0 results for a batch of 1"):
        await GroupCommit(run).submit("a", 1)


async def test_a_cancelled_submitter_does_not_cancel_the_batch() -> None:
    recorder = Recorder()
    recorder.gate.clear()
    batcher = GroupCommit(recorder.run)
    first = asyncio.create_task(batcher.submit("a", 1))
    await recorder.started.wait()
    second = asyncio.create_task(batcher.submit("a", 2))
    await asyncio.sleep(0)
    first.cancel()
    recorder.gate.set()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await second == "a2"
    assert recorder.batches == [("a", [1]), ("a", [2])]


async def test_a_cancelled_submitter_leaves_no_unretrieved_exception() -> None:
    """A submitter cancelled (e.g. by a timeout) while its batch fails during a database
    outage: its result is nobody's, and asyncio must not report "exception was never
    retrieved" for it."""
    import gc

    loop = asyncio.get_running_loop()
    reported: list[dict[str, object]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, ctx: reported.append(ctx))
    try:
        recorder = Recorder()
        recorder.gate.clear()
        batcher = GroupCommit(recorder.run)
        waiting = asyncio.create_task(batcher.submit("a", 13))
        await recorder.started.wait()
        waiting.cancel()
        recorder.gate.set()
        try:
            await waiting
        except asyncio.CancelledError:
            pass
        for _ in range(10):  # the batch ends, then the futures' done callbacks run
            await asyncio.sleep(0)
        assert not batcher.busy
        del waiting, batcher
        gc.collect()
    finally:
        loop.set_exception_handler(previous)
    assert not [ctx.get("message") for ctx in reported]
