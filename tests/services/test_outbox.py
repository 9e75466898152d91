"""The outbox service on SQLite and PostgreSQL: queue, claim, mark, cancel, expire, recover."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from models import OutboxMessage, OutboxStatus
from models.db import Sessionmaker, create_engine, create_sessionmaker
from services import outbox
from tests.conftest import FakeClock


async def _rows(sm: Sessionmaker) -> dict[int, OutboxMessage]:
    async with sm() as s:
        return {r.id: r for r in await s.scalars(select(OutboxMessage))}


async def test_enqueue_claim_and_mark(sessionmaker: Sessionmaker, clock: FakeClock) -> None:
    now = clock()
    async with sessionmaker.begin() as s:
        late = await outbox.enqueue(
            s, chat_id=1, person_id=None, kind="k", due_at=now + timedelta(seconds=5)
        )
        second = await outbox.enqueue(
            s, chat_id=2, person_id=None, kind="k", ref_id=7, due_at=now, payload={"n": 2}
        )
        first = await outbox.enqueue(
            s, chat_id=3, person_id=None, kind="k", due_at=now - timedelta(minutes=1)
        )
        assert first.id and first.status == "pending" and first.payload == {}
        assert await outbox.next_due_at(s) == first.due_at
    async with sessionmaker.begin() as s:
        claimed = await outbox.claim_due(s, now=now, limit=10, worker="w1")
    assert [r.id for r in claimed] == [first.id, second.id]  # by due_at; `late` is not due
    assert all(r.status == "sending" and r.attempts == 1 for r in claimed)
    assert all(r.claimed_by == "w1" and r.claimed_at == now for r in claimed)
    async with sessionmaker.begin() as s:
        assert await outbox.claim_due(s, now=now, limit=10, worker="w2") == []
        assert await outbox.mark_sent(s, first.id, now)
        assert await outbox.mark_failed(s, second.id, "400 Bad Request: chat not found")
        assert not await outbox.mark_sent(s, late.id, now)  # not SENDING: untouched
        assert await outbox.next_due_at(s) == late.due_at
    rows = await _rows(sessionmaker)
    assert rows[first.id].status == "sent" and rows[first.id].sent_at == now
    assert rows[second.id].status == "failed"
    assert rows[second.id].last_error == "400 Bad Request: chat not found"
    assert rows[second.id].payload == {"n": 2}
    assert rows[late.id].status == "pending"


async def test_claim_respects_limit_and_order(sessionmaker: Sessionmaker, clock: FakeClock) -> None:
    now = clock()
    async with sessionmaker.begin() as s:
        ids = [
            (
                await outbox.enqueue(
                    s, chat_id=i, person_id=None, kind="k", due_at=now - timedelta(seconds=i)
                )
            ).id
            for i in range(5)
        ]
    async with sessionmaker.begin() as s:
        claimed = await outbox.claim_due(s, now=now, limit=2, worker="w")
    assert [r.id for r in claimed] == [ids[4], ids[3]]  # the oldest due first


async def test_cancel_only_touches_pending(sessionmaker: Sessionmaker, clock: FakeClock) -> None:
    now = clock()
    async with sessionmaker.begin() as s:
        sending = await outbox.enqueue(s, chat_id=1, person_id=None, kind="r", ref_id=5, due_at=now)
        await outbox.claim_due(s, now=now, limit=10, worker="w")
        pending = await outbox.enqueue(
            s, chat_id=1, person_id=None, kind="r", ref_id=5, due_at=now + timedelta(hours=1)
        )
        other_ref = await outbox.enqueue(
            s, chat_id=1, person_id=None, kind="r", ref_id=6, due_at=now + timedelta(hours=1)
        )
        other_kind = await outbox.enqueue(
            s, chat_id=1, person_id=None, kind="o", ref_id=5, due_at=now + timedelta(hours=1)
        )
    async with sessionmaker.begin() as s:
        assert await outbox.cancel(s, kind="r", ref_id=5) == 1
        assert await outbox.cancel(s, kind="r", ref_id=5) == 0
    rows = await _rows(sessionmaker)
    assert rows[pending.id].status == "cancelled"
    assert rows[sending.id].status == "sending"  # already on its way: the renderer decides
    assert rows[other_ref.id].status == "pending"
    assert rows[other_kind.id].status == "pending"


async def test_cancel_without_filter_is_refused(sessionmaker: Sessionmaker) -> None:
    async with sessionmaker.begin() as s:
        try:
            await outbox.cancel(s)
        except ValueError:
            pass
        else:
            raise AssertionError("cancel() without a filter must raise")


async def test_expired_rows_are_not_claimed(sessionmaker: Sessionmaker, clock: FakeClock) -> None:
    now = clock()
    async with sessionmaker.begin() as s:
        stale = await outbox.enqueue(
            s,
            chat_id=1,
            person_id=None,
            kind="k",
            due_at=now - timedelta(hours=2),
            expires_at=now - timedelta(hours=1),
        )
        fresh = await outbox.enqueue(
            s,
            chat_id=1,
            person_id=None,
            kind="k",
            due_at=now - timedelta(hours=2),
            expires_at=now + timedelta(hours=1),
        )
        claimed = await outbox.claim_due(s, now=now, limit=10, worker="w")
    assert [r.id for r in claimed] == [fresh.id]
    rows = await _rows(sessionmaker)
    assert rows[stale.id].status == "expired"
    assert rows[stale.id].last_error == "expired before sending"


async def test_reschedule_and_recover_stale(sessionmaker: Sessionmaker, clock: FakeClock) -> None:
    now = clock()
    async with sessionmaker.begin() as s:
        a = await outbox.enqueue(s, chat_id=1, person_id=None, kind="k", due_at=now)
        b = await outbox.enqueue(s, chat_id=2, person_id=None, kind="k", due_at=now)
        await outbox.claim_due(s, now=now, limit=10, worker="w")
        retry_at = now + timedelta(seconds=5)
        assert await outbox.reschedule(s, a.id, retry_at, "timed out")
        assert await outbox.reschedule(s, a.id, retry_at, "again") is False  # not SENDING
    rows = await _rows(sessionmaker)
    assert rows[a.id].status == "pending" and rows[a.id].due_at == retry_at
    assert rows[a.id].claimed_by is None and rows[a.id].last_error == "timed out"
    clock.advance(minutes=4)
    async with sessionmaker.begin() as s:
        assert await outbox.recover_stale(s, now=clock(), older_than=timedelta(minutes=5)) == 0
    clock.advance(minutes=2)
    async with sessionmaker.begin() as s:
        assert await outbox.recover_stale(s, now=clock(), older_than=timedelta(minutes=5)) == 1
        # The dead process's late mark must not overwrite the verdict.
        assert await outbox.mark_sent(s, b.id, clock()) is False
    rows = await _rows(sessionmaker)
    assert rows[b.id].status == "failed"
    assert rows[b.id].last_error == "interrupted: delivery not confirmed"
    assert rows[a.id].status == "pending"  # rescheduled rows are not stale


async def test_reschedule_can_give_the_attempt_back(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    now = clock()
    async with sessionmaker.begin() as s:
        row = await outbox.enqueue(s, chat_id=1, person_id=None, kind="k", due_at=now)
        await outbox.claim_due(s, now=now, limit=1, worker="w")
        await outbox.reschedule(s, row.id, now, "429 retry after 1", count_attempt=False)
        await outbox.claim_due(s, now=now, limit=1, worker="w")
        await outbox.reschedule(s, row.id, now, "timed out")
    assert (await _rows(sessionmaker))[row.id].attempts == 1


async def test_blocked_cancelled_and_short_errors(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    now = clock()
    async with sessionmaker.begin() as s:
        a = await outbox.enqueue(s, chat_id=1, person_id=None, kind="k", due_at=now)
        b = await outbox.enqueue(s, chat_id=2, person_id=None, kind="k", due_at=now)
        await outbox.claim_due(s, now=now, limit=10, worker="w")
        assert await outbox.mark_blocked(s, a.id, "403 Forbidden: bot was blocked\n" + "x" * 500)
        assert await outbox.mark_cancelled(s, b.id, "no longer wanted")
    rows = await _rows(sessionmaker)
    assert rows[a.id].status == "blocked"
    error = rows[a.id].last_error or ""
    assert len(error) == 300 and "\n" not in error and error.startswith("403 Forbidden")
    assert rows[b.id].status == OutboxStatus.CANCELLED


async def test_concurrent_claimers_never_share_a_row(
    engine: AsyncEngine, database_url: str, clock: FakeClock
) -> None:
    now = clock()
    sm = create_sessionmaker(engine)
    async with sm.begin() as s:
        for i in range(300):
            await outbox.enqueue(s, chat_id=i, person_id=None, kind="k", due_at=now)
    # Separate engines: separate connection pools, as two processes would have.
    engines = [create_engine(database_url) for _ in range(3)]
    try:
        makers = [create_sessionmaker(e) for e in engines]

        async def claimer(index: int) -> list[int]:
            got: list[int] = []
            while True:
                async with makers[index].begin() as s:
                    rows = await outbox.claim_due(s, now=now, limit=7, worker=f"w{index}")
                    await asyncio.sleep(0)  # let the others run while we hold our claim
                if not rows:
                    return got
                got.extend(r.id for r in rows)

        results = await asyncio.gather(*(claimer(i) for i in range(3)))
    finally:
        for e in engines:
            await e.dispose()
    everything = [i for got in results for i in got]
    assert len(everything) == 300
    assert len(set(everything)) == 300  # nobody got a row twice
    rows = await _rows(sm)
    assert all(r.status == "sending" and r.attempts == 1 for r in rows.values())
    by_worker = {r.claimed_by for r in rows.values()}
    assert len(by_worker) >= 2  # the claims really were interleaved
