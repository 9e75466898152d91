"""`kisbot participant deactivate` through typer's test runner, on a temporary SQLite database:
the participant's future seat is cancelled and offered to the waiting list, with a summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Enrollment, OutboxMessage, Person
from services import workshops
from tests.factories import make_policy, make_session, make_workshop
from tests.unit.cli_db import cli_database, on_db
from tests.unit.test_cli_consult import (
    ADMIN,
    COORDINATOR,
    PARTICIPANT,
    add_participant,
    ok,
    refused,
    rows,
)

WAITING = PARTICIPANT + 1


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return cli_database(
        tmp_path, monkeypatch, KISBOT_TIMEZONE="Europe/Warsaw", KISBOT_ADMIN_IDS=str(ADMIN)
    )


def _full_session_with_a_queue(url: str) -> None:
    async def fill(sm: async_sessionmaker[AsyncSession]) -> None:
        workshop = await make_workshop(sm)
        ws = await make_session(sm, workshop, datetime.now(UTC) + timedelta(days=3), capacity=1)
        async with sm.begin() as s:
            for tid in (PARTICIPANT, WAITING):
                person = await s.scalar(select(Person).where(Person.telegram_id == tid))
                assert person is not None
                await workshops.enroll(s, person.id, tid, ws.id, datetime.now(UTC), make_policy())

    on_db(url, fill)


def test_deactivate_cancels_the_seat_and_offers_it(db: str) -> None:
    ok("staff", "list")  # migrates the database
    add_participant(db)
    add_participant(db, WAITING)
    _full_session_with_a_queue(db)

    out = ok("participant", "deactivate", str(PARTICIPANT))
    assert "Deactivated Anna Nowak" in out and "1 workshop seat(s)" in out
    assert "0 consultation(s)" in out
    statuses = [e.status for e in sorted(rows(db, Enrollment), key=lambda e: e.id)]
    assert statuses == ["cancelled", "offered"]
    offers = [m for m in rows(db, OutboxMessage) if m.kind == workshops.KIND_OFFER]
    assert [m.chat_id for m in offers] == [WAITING]
    assert {p.telegram_id: p.status for p in rows(db, Person)}[PARTICIPANT] == "deactivated"

    again = refused("participant", "deactivate", str(PARTICIPANT))
    assert "is not active" in again
    assert "Nobody with Telegram id" in refused("participant", "deactivate", "999")


def test_only_admins_and_coordinators_deactivate(db: str) -> None:
    ok("staff", "add", str(COORDINATOR), "--role", "coordinator", "--name", "Ewa")
    add_participant(db)
    add_participant(db, WAITING)
    out = refused("participant", "--as", str(WAITING), "deactivate", str(PARTICIPANT))
    assert "not an active admin or coordinator" in out
    ok("participant", "--as", str(COORDINATOR), "deactivate", str(PARTICIPANT))
