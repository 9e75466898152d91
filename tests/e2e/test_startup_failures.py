"""`kisbot run` that cannot start: one clear line, exit code 2 (configuration) or 1 (outage),
nothing created, no secret in the output; an unreachable Telegram is retried."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox import SandboxServer
from tests.conftest import PG_ADMIN_DSN, create_pg_database

# Shaped like a real token: the generic pattern must hide it too.
TOKEN = "7400123456:AAHx9k2Lq-Vb7_Zt3mNpQrStUvWxYz01234"
PASSWORD = "hunter2-Secret"


@dataclass
class Outcome:
    code: int | None
    stderr: str
    output: str  # stdout and stderr
    seconds: float

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_url(database: str, password: str | None = None) -> str:
    """A URL on the test PostgreSQL server (trust authentication ignores the password)."""
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    if password:
        scheme, _, rest = base.partition("://")
        user, _, host = rest.rpartition("@")
        base = f"{scheme}://{user or 'postgres'}:{password}@{host}"
    return f"{base}/{database}"


async def kisbot_run(
    cwd: Path, prefix: Sequence[str] = (), timeout: float = 60, **env: str
) -> Outcome:
    """`kisbot run` in `cwd` (no .env there) with `env` on top of ours; waits for its exit."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("KISBOT_", "DATABASE_"))}
    full.update(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "KISBOT_LOG_LEVEL": "INFO", "PYTHONWARNINGS": "default"}
    )
    full.update(env)
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *prefix, sys.executable, "-m", "bot", "run",
        cwd=cwd, env=full, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=timeout)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    stderr = err.decode()
    return Outcome(process.returncode, stderr, out.decode() + stderr, time.monotonic() - started)


def assert_clean_failure(outcome: Outcome, code: int, says: str, cwd: Path) -> None:
    assert outcome.code == code, outcome.output
    assert len(outcome.lines) <= 3, outcome.output
    assert says in outcome.lines[-1], outcome.output
    assert outcome.lines[-1].startswith("kisbot: ")
    assert "Traceback" not in outcome.output and "Unclosed" not in outcome.output
    for secret in (TOKEN, TOKEN.split(":")[1], PASSWORD):
        assert secret not in outcome.output
    assert not (cwd / "data").exists()  # nothing created
    assert not list(cwd.rglob("*.sqlite3*"))


@pytest.mark.postgres
async def test_database_on_a_closed_port(tmp_path: Path, pg_server_url: str) -> None:
    url = f"postgresql://kisbot:{PASSWORD}@127.0.0.1:{closed_port()}/kisbot"
    outcome = await kisbot_run(tmp_path, DATABASE_URL=url)
    assert_clean_failure(outcome, 1, "connection refused", tmp_path)


@pytest.mark.postgres
async def test_database_that_does_not_exist(tmp_path: Path, pg_server_url: str) -> None:
    outcome = await kisbot_run(tmp_path, DATABASE_URL=pg_url("kisbot_nowhere_xyz", PASSWORD))
    assert_clean_failure(outcome, 2, 'database "kisbot_nowhere_xyz" does not exist', tmp_path)
    assert "createdb" in outcome.lines[-1]


async def test_misspelt_database_scheme(tmp_path: Path) -> None:
    outcome = await kisbot_run(
        tmp_path, DATABASE_URL=f"postgress://kisbot:{PASSWORD}@127.0.0.1:5432/kisbot"
    )
    assert_clean_failure(outcome, 2, "postgress://", tmp_path)
    assert "postgresql://" in outcome.lines[-1]


def read_only_prefix(directory: Path) -> list[str]:
    """A command prefix under which `directory` is read-only (for root too, through a read-only
    mount in a private mount namespace); skips where neither way is possible."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        return []
    unshare = shutil.which("unshare")
    mount = 'mount -t tmpfs -o ro tmpfs "$0" && exec "$@"'
    if unshare and subprocess.run([unshare, "-rm", "true"], check=False).returncode == 0:
        return [unshare, "-rm", "sh", "-c", mount, str(directory)]
    pytest.skip("cannot make a directory read-only for root here")


async def test_read_only_data_directory(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    prefix = read_only_prefix(locked)
    try:
        outcome = await kisbot_run(
            tmp_path, prefix, DATABASE_URL=f"sqlite+aiosqlite:///{locked}/data/kisbot.sqlite3"
        )
    finally:
        locked.chmod(0o755)
    assert_clean_failure(outcome, 2, "read-only", tmp_path)
    assert str(locked) in outcome.lines[-1]


async def test_rejected_token(tmp_path: Path) -> None:
    """Telegram answers 401: one line, the token nowhere (it was printed twice before)."""
    sandbox = SandboxServer()
    await sandbox.start()
    try:
        sandbox.inject_fault("getMe", status=401, description="Unauthorized", times=10)
        outcome = await kisbot_run(tmp_path, TELEGRAM_API_BASE_URL=sandbox.base_url)
    finally:
        await sandbox.stop()
    assert_clean_failure(outcome, 2, "Telegram rejected TELEGRAM_BOT_TOKEN", tmp_path)
    assert "BotFather" in outcome.lines[-1]


async def test_telegram_unreachable_is_retried_then_given_up(tmp_path: Path) -> None:
    outcome = await kisbot_run(
        tmp_path,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{closed_port()}/bot",
        KISBOT_STARTUP_TELEGRAM_WAIT="3",
    )
    assert_clean_failure(outcome, 1, "cannot reach Telegram", tmp_path)
    assert outcome.seconds >= 3  # retried for the configured time, not given up after 2 s
    assert "retrying" in outcome.stderr


async def test_telegram_back_during_the_start_retries_serves(tmp_path: Path) -> None:
    """Telegram answers 502 twice, then works: the bot starts and answers /start."""
    sandbox = SandboxServer()
    await sandbox.start()
    sandbox.inject_fault("getMe", status=502, times=2)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("KISBOT_", "DATABASE_"))},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": sandbox.base_url,
        "KISBOT_STARTUP_TELEGRAM_WAIT": "30",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        reply = await sandbox.add_user(5, "Ola", language_code="en").say("/start", timeout=40)
        assert "Choose your language" in reply.text
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
        await sandbox.stop()
    log = output.decode()
    assert process.returncode == 0, log
    assert "retrying" in log and TOKEN not in log
    assert (tmp_path / "data" / "kisbot.sqlite3").exists()  # created once both were good


async def test_database_that_accepts_and_never_answers(tmp_path: Path) -> None:
    """A frozen database host: given up after KISBOT_DB_CONNECT_TIMEOUT, not hung forever."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        outcome = await kisbot_run(
            tmp_path,
            timeout=30,
            DATABASE_URL=f"postgresql://kisbot:{PASSWORD}@127.0.0.1:{port}/kisbot",
            KISBOT_DB_CONNECT_TIMEOUT="1",
        )
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()
    assert_clean_failure(outcome, 1, "did not answer within 1 s", tmp_path)


@pytest.mark.postgres
async def test_migrations_failing_after_the_checks(
    tmp_path: Path, pg_server_url: str, pg_database_factory: list[str]
) -> None:
    """The checks pass, then the migrations fail (a `person` table not made by them): one
    line, and the bot's HTTP sessions closed (no "Unclosed client session")."""
    import asyncpg

    url = await create_pg_database(pg_server_url, pg_database_factory, migrate=False)
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.execute("CREATE TABLE person (id int)")
    finally:
        await conn.close()
    sandbox = SandboxServer()
    await sandbox.start()
    try:
        outcome = await kisbot_run(
            tmp_path,
            DATABASE_URL=url,
            TELEGRAM_API_BASE_URL=sandbox.base_url,
            KISBOT_LOG_LEVEL="WARNING",  # without the migrations' INFO lines
        )
    finally:
        await sandbox.stop()
    assert_clean_failure(outcome, 1, "the database cannot be used", tmp_path)
    assert 'relation "person" already exists' in outcome.lines[-1]


async def test_token_revoked_between_the_check_and_the_start(tmp_path: Path) -> None:
    """getMe succeeds for the check, then Telegram rejects the token when the bot starts: one
    line, and the HTTP sessions PTB leaves open after a failed start are closed."""
    from aiohttp import web

    calls: list[str] = []

    async def api(request: web.Request) -> web.Response:
        calls.append(request.match_info["method"])
        if len(calls) == 1:
            me = {"id": 7400123456, "is_bot": True, "first_name": "K", "username": "kis_bot"}
            return web.json_response({"ok": True, "result": me})
        return web.json_response(
            {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
        )

    server = web.Application()
    server.router.add_route("*", "/bot{token}/{method}", api)
    runner = web.AppRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        outcome = await kisbot_run(tmp_path, TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot")
    finally:
        await runner.cleanup()
    assert calls[:2] == ["getMe", "getMe"]
    assert_clean_failure(outcome, 2, "Telegram rejected TELEGRAM_BOT_TOKEN", tmp_path)
