"""The received-updates journal on both databases: insert-or-nothing, done marks, what is
handled again at start-up, and what housekeeping forgets."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from models import ReceivedUpdate
from models.db import Sessionmaker
from services import intake

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


async def _rows(sm: Sessionmaker) -> dict[int, ReceivedUpdate]:
    async with sm() as s:
        return {r.update_id: r for r in await s.scalars(select(ReceivedUpdate))}


async def test_record_returns_only_new_ids(sessionmaker: Sessionmaker) -> None:
    async with sessionmaker.begin() as s:
        assert await intake.record_updates(s, [(1, '{"a":1}'), (2, "{}")], NOW) == {1, 2}
    async with sessionmaker.begin() as s:
        assert await intake.record_updates(s, [(2, "{}"), (3, "{}")], NOW) == {3}
    async with sessionmaker.begin() as s:
        assert await intake.record_updates(s, [], NOW) == set()
    assert sorted(await _rows(sessionmaker)) == [1, 2, 3]


async def test_concurrent_copies_are_recorded_once(sessionmaker: Sessionmaker) -> None:
    async def record() -> set[int]:
        async with sessionmaker.begin() as s:
            return await intake.record_updates(s, [(7, "{}"), (8, "{}")], NOW)

    results = await asyncio.gather(*(record() for _ in range(5)))
    assert sorted(i for r in results for i in r) == [7, 8]


async def test_done_blanks_the_payload_and_unfinished_are_found(
    sessionmaker: Sessionmaker,
) -> None:
    async with sessionmaker.begin() as s:
        await intake.record_updates(s, [(3, '{"x":3}'), (1, '{"x":1}'), (2, '{"x":2}')], NOW)
        await intake.mark_done(s, [2], NOW + timedelta(seconds=1))
    async with sessionmaker.begin() as s:
        assert await intake.unfinished_updates(s, NOW) == [(1, '{"x":1}'), (3, '{"x":3}')]
    rows = await _rows(sessionmaker)
    assert rows[2].payload == "" and rows[2].done_at == NOW + timedelta(seconds=1)
    async with sessionmaker.begin() as s:
        await intake.mark_done(s, [2], NOW + timedelta(hours=1))  # once done, stays as it was
    assert (await _rows(sessionmaker))[2].done_at == NOW + timedelta(seconds=1)


async def test_day_old_unfinished_updates_are_closed_not_replayed(
    sessionmaker: Sessionmaker,
) -> None:
    async with sessionmaker.begin() as s:
        await intake.record_updates(s, [(1, "{}")], NOW - timedelta(hours=25))
        await intake.record_updates(s, [(2, "{}")], NOW - timedelta(hours=23))
    async with sessionmaker.begin() as s:
        assert await intake.unfinished_updates(s, NOW) == [(2, "{}")]
    rows = await _rows(sessionmaker)
    assert rows[1].done_at == NOW and rows[1].payload == ""


async def test_purge_forgets_ids_handled_long_ago(sessionmaker: Sessionmaker) -> None:
    async with sessionmaker.begin() as s:
        await intake.record_updates(s, [(1, "{}"), (2, "{}"), (3, "{}")], NOW)
        await intake.mark_done(s, [1], NOW - intake.DONE_KEPT_FOR - timedelta(minutes=1))
        await intake.mark_done(s, [2], NOW - timedelta(hours=1))
    async with sessionmaker.begin() as s:
        assert await intake.purge_done(s, NOW) == 1
    assert sorted(await _rows(sessionmaker)) == [2, 3]
