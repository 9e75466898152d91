"""The outbox service on SQLite and PostgreSQL: queue, claim, mark, cancel, expire, recover."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from models import OutboxMessage, OutboxStatus
from models.base import utcnow
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
    # Claimed, not yet sending: a claim is no attempt.
    assert all(r.status == "claimed" and r.attempts == 0 for r in claimed)
    assert all(r.claimed_by == "w1" and r.claimed_at == now for r in claimed)
    async with sessionmaker.begin() as s:
        assert await outbox.claim_due(s, now=now, limit=10, worker="w2") == []
        assert not await outbox.mark_sent(s, first.id, now)  # never handed over: not "sent"
        handed = await outbox.start_sending(s, [first.id, second.id], worker="w1", now=now)
        assert handed == {first.id: 1, second.id: 1}
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


async def test_cancel_touches_what_is_not_yet_handed_over(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    now = clock()
    async with sessionmaker.begin() as s:
        claimed = await outbox.enqueue(s, chat_id=1, person_id=None, kind="r", ref_id=5, due_at=now)
        sending = await outbox.enqueue(s, chat_id=2, person_id=None, kind="r", ref_id=5, due_at=now)
        await outbox.claim_due(s, now=now, limit=10, worker="w")
        await outbox.start_sending(s, [sending.id], worker="w", now=now)
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
        assert await outbox.cancel(s, kind="r", ref_id=5) == 2
        assert await outbox.cancel(s, kind="r", ref_id=5) == 0
    rows = await _rows(sessionmaker)
    assert rows[pending.id].status == "cancelled"
    assert rows[claimed.id].status == "cancelled"  # claimed, not handed over: stopped in time
    assert rows[sending.id].status == "sending"  # already on its way
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
        assert not await outbox.reschedule(s, a.id, now, "x")  # CLAIMED rows are released
        await outbox.start_sending(s, [a.id, b.id], worker="w", now=now)
        retry_at = now + timedelta(seconds=5)
        assert await outbox.reschedule(s, a.id, retry_at, "timed out")
        assert await outbox.reschedule(s, a.id, retry_at, "again") is False  # not SENDING
    rows = await _rows(sessionmaker)
    assert rows[a.id].status == "pending" and rows[a.id].due_at == retry_at
    assert rows[a.id].claimed_by is None and rows[a.id].last_error == "timed out"
    clock.advance(minutes=4)
    async with sessionmaker.begin() as s:
        assert await outbox.recover_stale(s, now=clock(), older_than=timedelta(minutes=5)) == (0, 0)
    clock.advance(minutes=2)
    async with sessionmaker.begin() as s:
        recovered = await outbox.recover_stale(s, now=clock(), older_than=timedelta(minutes=5))
        assert recovered == outbox.Recovery(released=0, interrupted=1)
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
        await outbox.start_sending(s, [row.id], worker="w", now=now)
        await outbox.reschedule(s, row.id, now, "429 retry after 1", count_attempt=False)
        await outbox.claim_due(s, now=now, limit=1, worker="w")
        await outbox.start_sending(s, [row.id], worker="w", now=now)
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
        await outbox.start_sending(s, [a.id], worker="w", now=now)
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
                # A dispatcher sends its batch before claiming again. Without this pause one
                # SQLite claimer can win every BEGIN IMMEDIATE while the others sit in the busy
                # handler's sleeps, and the claims are not interleaved at all.
                await asyncio.sleep(0.005)

        results = await asyncio.gather(*(claimer(i) for i in range(3)))
    finally:
        for e in engines:
            await e.dispose()
    everything = [i for got in results for i in got]
    assert len(everything) == 300
    assert len(set(everything)) == 300  # nobody got a row twice
    rows = await _rows(sm)
    assert all(r.status == "claimed" and r.attempts == 0 for r in rows.values())
    by_worker = {r.claimed_by for r in rows.values()}
    assert len(by_worker) >= 2  # the claims really were interleaved


async def _claimed(sm: Sessionmaker, now: datetime, n: int, worker: str = "w") -> list[int]:
    """`n` due rows, claimed by `worker`; their ids."""
    async with sm.begin() as s:
        for i in range(n):
            await outbox.enqueue(s, chat_id=i, person_id=None, kind="k", due_at=now)
    async with sm.begin() as s:
        return [r.id for r in await outbox.claim_due(s, now=now, limit=n, worker=worker)]


async def test_start_sending_takes_only_our_claimed_rows(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    now = clock()
    a, b = await _claimed(sessionmaker, now, 2, worker="w1")
    async with sessionmaker.begin() as s:
        pending = await outbox.enqueue(s, chat_id=9, person_id=None, kind="k", due_at=now)
    later = clock.advance(seconds=3)
    async with sessionmaker.begin() as s:
        assert await outbox.start_sending(s, [a, b], worker="w2", now=later) == {}  # not w2's
        assert await outbox.start_sending(s, [], worker="w1", now=later) == {}
        assert await outbox.start_sending(s, [a, pending.id], worker="w1", now=later) == {a: 1}
        assert await outbox.start_sending(s, [a], worker="w1", now=later) == {}  # once only
    rows = await _rows(sessionmaker)
    assert (rows[a].status, rows[a].attempts, rows[a].claimed_by) == ("sending", 1, "w1")
    assert rows[a].claimed_at == later  # stale counts from the hand-over, not from the claim
    assert (rows[b].status, rows[b].attempts, rows[b].claimed_at) == ("claimed", 0, now)
    assert rows[pending.id].status == "pending"


async def test_release_gives_untried_rows_back(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    now = clock()
    a, b, c, d = await _claimed(sessionmaker, now, 4)
    async with sessionmaker.begin() as s:
        await outbox.start_sending(s, [c], worker="w", now=now)
        assert await outbox.release(s, [a, b, c, d], worker="other") == 0
        assert await outbox.release(s, [a], worker="w") == 1  # e.g. shutdown: due again now
        retry_at = now + timedelta(seconds=30)
        note = "not tried: 429 retry after 30"
        assert await outbox.release(s, [b, c], worker="w", due_at=retry_at, error=note) == 1
        assert await outbox.release(s, [], worker="w") == 0
    rows = await _rows(sessionmaker)
    assert (rows[a].status, rows[a].due_at, rows[a].last_error) == ("pending", now, None)
    assert (rows[b].status, rows[b].due_at, rows[b].last_error) == ("pending", retry_at, note)
    assert {(rows[i].claimed_by, rows[i].claimed_at, rows[i].attempts) for i in (a, b)} == {
        (None, None, 0)
    }
    assert rows[c].status == "sending"  # may have reached Telegram: never released
    assert rows[d].status == "claimed"
    async with sessionmaker.begin() as s:  # released rows are claimable again, by anyone
        assert [r.id for r in await outbox.claim_due(s, now=now, limit=10, worker="x")] == [a]


async def test_marks_check_the_state_and_the_owner(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    now = clock()
    a, b, c, d = await _claimed(sessionmaker, now, 4)
    async with sessionmaker.begin() as s:
        # Only Telegram's answer moves a row on from SENDING: a CLAIMED row was not sent.
        assert not await outbox.mark_sent(s, a, now)
        assert not await outbox.mark_blocked(s, a, "403 Forbidden")
        assert not await outbox.reschedule(s, a, now, "timed out")
        # Decided before sending (renderer): fine on CLAIMED rows, but only the owner's.
        assert not await outbox.mark_cancelled(s, a, "no longer wanted", worker="other")
        assert await outbox.mark_cancelled(s, a, "no longer wanted", worker="w")
        assert await outbox.mark_failed(s, b, "no renderer for 'k'", worker="w")
        await outbox.start_sending(s, [c, d], worker="w", now=now)
        assert not await outbox.mark_sent(s, c, now, worker="other")
        assert await outbox.mark_sent(s, c, now, worker="w")
        assert await outbox.reschedule(s, d, now, "timed out", worker="w")
    rows = await _rows(sessionmaker)
    assert [rows[i].status for i in (a, b, c, d)] == ["cancelled", "failed", "sent", "pending"]
    assert [rows[i].attempts for i in (a, b, c, d)] == [0, 0, 1, 1]


async def test_recovery_releases_stale_claims_and_fails_stale_sends(
    sessionmaker: Sessionmaker, clock: FakeClock
) -> None:
    start = clock()
    a, b, c, d = await _claimed(sessionmaker, start, 4, worker="dead")
    async with sessionmaker.begin() as s:
        await outbox.start_sending(s, [c], worker="dead", now=start)
    clock.advance(minutes=4)
    async with sessionmaker.begin() as s:  # handed over later: young, left alone
        await outbox.start_sending(s, [d], worker="dead", now=clock())
        assert await outbox.recover_stale(s, now=clock(), older_than=timedelta(minutes=5)) == (0, 0)
    clock.advance(minutes=2)
    async with sessionmaker.begin() as s:
        recovered = await outbox.recover_stale(s, now=clock(), older_than=timedelta(minutes=5))
    assert recovered == outbox.Recovery(released=2, interrupted=1)
    rows = await _rows(sessionmaker)
    for i in (a, b):  # never handed to Telegram: back in the queue, due as before, no attempt
        row = rows[i]
        assert (row.status, row.claimed_by, row.claimed_at) == ("pending", None, None)
        assert (row.due_at, row.attempts, row.last_error) == (start, 0, None)
    assert (rows[c].status, rows[c].last_error) == ("failed", outbox.INTERRUPTED_ERROR)
    assert rows[d].status == "sending"
    async with sessionmaker.begin() as s:
        # The dead process's late writes change nothing; the released rows go to a live one.
        assert await outbox.start_sending(s, [a, b], worker="dead", now=clock()) == {}
        assert not await outbox.mark_cancelled(s, a, "late", worker="dead")
        again = await outbox.claim_due(s, now=clock(), limit=10, worker="live")
        assert [r.id for r in again] == [a, b]
        assert await outbox.start_sending(s, [a, b], worker="dead", now=clock()) == {}
        assert await outbox.start_sending(s, [a, b], worker="live", now=clock()) == {a: 1, b: 1}


async def test_claimed_is_a_valid_status(sessionmaker: Sessionmaker, clock: FakeClock) -> None:
    """The CHECK constraint (migration 0004) accepts `claimed` and still rejects nonsense."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    now = clock()
    (a,) = await _claimed(sessionmaker, now, 1)
    assert (await _rows(sessionmaker))[a].status == OutboxStatus.CLAIMED
    with pytest.raises(IntegrityError):
        async with sessionmaker.begin() as s:
            # Plain SQL: the ORM's enum type would refuse "lost" before the database sees it.
            await s.execute(
                text("UPDATE outbox_message SET status = 'lost' WHERE id = :id"), {"id": a}
            )


async def test_cancel_reaches_claimed_rows_so_they_are_never_handed_over(
    sessionmaker: Sessionmaker,
) -> None:
    """A booking cancelled while its reminder is claimed (rendered, not yet sent) stops it."""
    now = utcnow()
    async with sessionmaker.begin() as s:
        row = await outbox.enqueue(
            s, chat_id=1, person_id=None, kind="k", ref_id=7, due_at=now - timedelta(seconds=1)
        )
    async with sessionmaker.begin() as s:
        claimed = await outbox.claim_due(s, now=now, worker="w1", limit=10)
    assert [r.id for r in claimed] == [row.id]
    async with sessionmaker.begin() as s:
        assert await outbox.cancel(s, kind="k", ref_id=7) == 1
    async with sessionmaker.begin() as s:
        assert await outbox.start_sending(s, [row.id], worker="w1", now=now) == {}
        stored = await s.get(OutboxMessage, row.id)
    assert stored is not None and stored.status == "cancelled"
