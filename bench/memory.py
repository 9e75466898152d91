"""Resident memory of the real `kisbot run` process when idle after start-up.

Starts the sandbox Bot API in this process and `python -m bot run` as a subprocess pointed at
it (fresh SQLite database in a temporary directory), waits until the bot polls, has one
simulated user send /start and get the answer, lets the bot idle, then reads its RSS.

Run from the repository root:  python bench/memory.py
Progress goes to stderr; the last line on stdout is one JSON object.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Scripts run as `python bench/<name>.py`: make the repository root importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import json
import os
import signal
import tempfile
import time
from collections import Counter
from typing import Any

import psutil
from aiohttp import web
from aiohttp.typedefs import Handler

from sandbox import FloodLimits, SandboxServer

TOKEN = "123456:BENCH"
MB = 1024 * 1024
# Variables of the parent environment that must not leak into the bot under test.
ENV_PREFIXES = ("TELEGRAM_", "KISBOT_", "DATABASE_URL")


def progress(message: str) -> None:
    """Human-readable progress on stderr."""
    print(f"[memory] {message}", file=sys.stderr, flush=True)


class CountingSandbox(SandboxServer):
    """A sandbox that also counts API calls when they arrive.

    Stats.per_method counts a call when it finishes; a long-polling getUpdates of `kisbot run`
    (timeout 10 s) only finishes when an update arrives or the timeout expires, so counting
    arrivals tells much sooner that the bot is polling.
    """

    def __init__(self, **kwargs: Any) -> None:
        """Create the server; see SandboxServer."""
        super().__init__(**kwargs)
        self.arrived: Counter[str] = Counter()

    def make_app(self) -> web.Application:
        """The sandbox's application with a counting middleware in front."""
        app = super().make_app()

        @web.middleware
        async def count(request: web.Request, handler: Handler) -> web.StreamResponse:
            raw = request.match_info.get("method", "")
            self.arrived[self.spec.method_name(raw) or raw] += 1
            return await handler(request)

        app.middlewares.append(count)
        return app


def bot_env(base_url: str, database_url: str) -> dict[str, str]:
    """The parent environment without bot settings, plus the benchmark's settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(ENV_PREFIXES)}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": base_url,
            "DATABASE_URL": database_url,
            "KISBOT_LOG_LEVEL": "WARNING",
        }
    )
    return env


async def wait_for_polling(
    sb: CountingSandbox, process: asyncio.subprocess.Process, calls: int, timeout: float
) -> float:
    """Wait until `calls` getUpdates calls have arrived; return the seconds it took."""
    start = time.monotonic()
    while sb.arrived["getUpdates"] < calls:
        if process.returncode is not None:
            raise RuntimeError(f"the bot exited early with code {process.returncode}")
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"the bot did not poll {calls} times within {timeout}s")
        await asyncio.sleep(0.02)
    return time.monotonic() - start


def rss_of(pid: int) -> tuple[int, int, int | None, int]:
    """RSS of the process, RSS summed with its children, its USS (if readable), children."""
    proc = psutil.Process(pid)
    rss = proc.memory_info().rss
    children = proc.children(recursive=True)
    total = rss
    for child in children:
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    uss: int | None
    try:
        uss = proc.memory_full_info().uss
    except (psutil.AccessDenied, AttributeError):
        uss = None
    return rss, total, uss, len(children)


async def stop(process: asyncio.subprocess.Process, timeout: float) -> int:
    """SIGINT (like Ctrl+C) and wait; kill if it does not stop in time."""
    if process.returncode is not None:
        return process.returncode
    process.send_signal(signal.SIGINT)
    try:
        return await asyncio.wait_for(process.wait(), timeout=timeout)
    except TimeoutError:
        progress(f"the bot did not stop within {timeout}s after SIGINT; killing it")
        process.kill()
        return await process.wait()


def log_tail(path: Path, lines: int = 20) -> str:
    """The last lines of the bot's output."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start sandbox and bot, serve one /start, idle, measure; returns the JSON summary."""
    with tempfile.TemporaryDirectory(prefix="kisbot-mem-") as tmp_name:
        tmp = Path(tmp_name)
        log_path = tmp / "bot.log"
        database_url = f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
        async with CountingSandbox(flood_limits=FloodLimits(enabled=False)) as sb:
            with log_path.open("wb") as log_file:
                progress(f"starting `{Path(sys.executable).name} -m bot run` in {tmp}")
                started = time.monotonic()
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bot",
                    "run",
                    cwd=tmp,  # no .env is read from the repository
                    env=bot_env(sb.base_url, database_url),
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=asyncio.subprocess.STDOUT,
                )
                exit_code: int | None = None
                try:
                    # The first getUpdates long-polls for 10 s when nothing is queued, so
                    # waiting for a second one before /start would only add idle time:
                    # the /start round trip makes the bot fetch it and poll again.
                    await wait_for_polling(sb, process, 1, args.start_timeout)
                    startup_s = time.monotonic() - started
                    progress(f"the bot polls ({startup_s:.2f}s after launch)")
                    user = sb.add_user(1, "Bench", language_code="pl")
                    reply = await user.say("/start", timeout=30)
                    if not reply.messages:
                        raise RuntimeError("no answer to /start")
                    await wait_for_polling(sb, process, 2, args.start_timeout)
                    get_updates = sb.arrived["getUpdates"]
                    progress(f"/start answered, {get_updates} getUpdates calls seen; idling")
                    await asyncio.sleep(args.idle)
                    rss, total, uss, children = rss_of(process.pid)
                    progress(
                        f"RSS {rss / MB:.1f} MB (with {children} children {total / MB:.1f} MB)"
                    )
                except BaseException:
                    progress("bot output:\n" + log_tail(log_path))
                    raise
                finally:
                    exit_code = await stop(process, args.stop_timeout)
                    progress(f"the bot exited with code {exit_code}")
    rss_mb = round(rss / MB, 1)
    return {
        "rss_mb": rss_mb,
        "rss_with_children_mb": round(total / MB, 1),
        "uss_mb": round(uss / MB, 1) if uss is not None else None,
        "children": children,
        "target_mb": args.target_mb,
        "within_target": rss_mb <= args.target_mb,
        "startup_s": round(startup_s, 2),
        "get_updates_calls": get_updates,
        "idle_s": args.idle,
        "exit_code": exit_code,
        "python": sys.version.split()[0],
    }


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description="Resident memory of an idle `kisbot run` process after start-up "
        "(against the local sandbox Bot API, fresh SQLite database)."
    )
    parser.add_argument(
        "--idle", type=float, default=3.0, help="seconds to idle before measuring (default 3)"
    )
    parser.add_argument(
        "--target-mb", type=float, default=120, help="RSS target in MB (default 120)"
    )
    parser.add_argument(
        "--start-timeout",
        type=float,
        default=60.0,
        help="seconds to wait for the bot to start polling (default 60)",
    )
    parser.add_argument(
        "--stop-timeout",
        type=float,
        default=20.0,
        help="seconds to wait for a clean exit after SIGINT (default 20)",
    )
    return parser.parse_args()


def main() -> None:
    """Entry point."""
    args = parse_args()
    summary = asyncio.run(run(args))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
