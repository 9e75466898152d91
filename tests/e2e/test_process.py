"""The real `kisbot run` process, pointed at the sandbox, serves /start."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from sqlalchemy import select

from models import Person
from models.db import create_engine, create_sessionmaker
from sandbox import SandboxServer
from tests.e2e.conftest import ADMIN_ID, TOKEN

ROOT = Path(__file__).resolve().parents[2]


async def run_kisbot(cwd: Path, env: dict[str, str], stderr: int) -> asyncio.subprocess.Process:
    """`kisbot run` (as `python -m bot run`) in `cwd`, where no .env file is read."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=stderr,
    )  # fmt: skip


async def test_kisbot_run_serves_start(sandbox: SandboxServer, tmp_path: Path) -> None:
    database = tmp_path / "process.sqlite3"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": sandbox.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "KISBOT_ADMIN_IDS": str(ADMIN_ID),
        "KISBOT_LOG_LEVEL": "INFO",
    }
    process = await run_kisbot(tmp_path, env, stderr=asyncio.subprocess.STDOUT)
    try:
        user = sandbox.add_user(5, "Ola", language_code="en")
        reply = await user.say("/start", timeout=30)
        assert "Choose your language" in reply.text
        await user.tap("English", contains=True)
        agreed = await user.tap("I agree", contains=True)
        assert "What is your name" in agreed.text
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    log = output.decode()
    assert process.returncode == 0, log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log  # no secrets in the log

    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with create_sessionmaker(engine)() as session:
            ids = sorted(await session.scalars(select(Person.telegram_id)))
    finally:
        await engine.dispose()
    assert ids == [5, ADMIN_ID]  # migrated by `kisbot run`, admin made at start-up


async def test_kisbot_run_without_token_explains_in_two_lines(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    process = await run_kisbot(tmp_path, env, stderr=asyncio.subprocess.PIPE)
    _out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 2 and "BotFather" in lines[0]
