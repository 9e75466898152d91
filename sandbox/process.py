"""The sandbox Bot API server and its simulated users in a child process of their own.

Real Telegram never runs inside the bot's process. With `SandboxProcess` a bot under test
talks to the sandbox over loopback HTTP exactly as before, but the server's work (parsing,
validation, chat state) and the load driver's (pressing, watching for reactions) run on
another event loop in another process, so they take no CPU from the bot's event loop.

Parent side:

    async with SandboxProcess(flood_limits=False) as sb:
        await sb.add_users([(1, "Anna"), (2, "Jan")])
        app = ApplicationBuilder().token("123:abc").base_url(sb.base_url).build()
        ...
        outcome = await sb.press_burst([(1, message_id), ...], "ws:b:1", spread=1.0)
        assert await sb.violations() == []

Child side: `python -m sandbox.process [--no-flood]`, one JSON object per line on stdin
(`{"id": 1, "cmd": "add_users", "args": {...}}`) answered by one per line on stdout
(`{"id": 1, "result": ...}` or `{"id": 1, "error": "..."}`); the first line it prints is
`{"ready": true, "base_url": ..., "base_file_url": ...}`. It stops at `stop` or when stdin
closes (the parent went away). Logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, Self

from sandbox.flood import FloodLimits
from sandbox.load import PressOutcome, press_burst
from sandbox.server import SandboxServer, Stats, Violation

# Replies can carry a thousand latencies or a long list of violations.
LINE_LIMIT = 64 * 1024 * 1024
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
# The directory holding the `sandbox` package, so the child imports this very copy.
_ROOT = str(Path(__file__).resolve().parents[1])


class SandboxProcessError(RuntimeError):
    """The child failed a command (the message is its exception) or went away."""


class SandboxProcess:
    """Parent-side handle of a sandbox running in a child process (see the module doc)."""

    def __init__(self, *, flood_limits: bool = True, python: str = sys.executable) -> None:
        """Prepare (start with `start()` or `async with`); flood_limits=False turns them off."""
        self._flood = flood_limits
        self._python = python
        self._proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self._next_id = 0
        self.base_url = ""
        self.base_file_url = ""
        self.pid = 0

    async def start(self) -> None:
        """Spawn the child and wait until its server listens."""
        if self._proc is not None:
            raise RuntimeError("the sandbox process is already running")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH")) if p)
        args = [self._python, "-m", "sandbox.process"]
        if not self._flood:
            args.append("--no-flood")
        self._proc = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
            limit=LINE_LIMIT,
        )
        self.pid = self._proc.pid
        try:
            ready = await asyncio.wait_for(self._read(), START_TIMEOUT)
        except BaseException:
            await self.stop()
            raise
        if not ready.get("ready"):
            await self.stop()
            raise SandboxProcessError(f"the sandbox process did not start: {ready}")
        self.base_url = str(ready["base_url"])
        self.base_file_url = str(ready["base_file_url"])

    async def stop(self) -> None:
        """Ask the child to stop; kill it if it does not within STOP_TIMEOUT."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.returncode is None and proc.stdin is not None:
            try:
                proc.stdin.close()  # EOF: the child stops its server and exits
            except (BrokenPipeError, ConnectionResetError):
                pass
        try:
            await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
        except TimeoutError:
            proc.kill()
            await proc.wait()

    async def __aenter__(self) -> Self:
        """Start the child."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop the child."""
        await self.stop()

    async def _read(self) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdout is not None
        line = await self._proc.stdout.readline()
        if not line:
            raise SandboxProcessError("the sandbox process exited")
        message: dict[str, Any] = json.loads(line)
        return message

    async def call(self, cmd: str, **args: Any) -> Any:
        """Run one command in the child and return its result (one command at a time)."""
        async with self._lock:
            proc = self._proc
            if proc is None or proc.stdin is None:
                raise SandboxProcessError("the sandbox process is not running")
            self._next_id += 1
            request = {"id": self._next_id, "cmd": cmd, "args": args}
            proc.stdin.write(json.dumps(request).encode() + b"\n")
            await proc.stdin.drain()
            reply = await self._read()
        if reply.get("id") != request["id"]:
            raise SandboxProcessError(f"out-of-order reply {reply!r} to {cmd}")
        if "error" in reply:
            raise SandboxProcessError(f"{cmd}: {reply['error']}")
        return reply.get("result")

    async def add_users(self, users: list[tuple[int, str]]) -> None:
        """Simulated users (id, first name), each with a private chat."""
        await self.call("add_users", users=[[user_id, name] for user_id, name in users])

    async def press_burst(
        self, presses: list[tuple[int, int]], data: str, spread: float, timeout: float = 120.0
    ) -> PressOutcome:
        """`sandbox.load.press_burst` in the child (its CPU time is the child's)."""
        result = await self.call(
            "press_burst",
            presses=[[user_id, message_id] for user_id, message_id in presses],
            data=data,
            spread=spread,
            timeout=timeout,
        )
        return PressOutcome.from_json(result)

    async def idle(self, quiet: float = 0.1, timeout: float = 10) -> None:
        """`SandboxServer.idle` in the child (TimeoutError becomes SandboxProcessError)."""
        await self.call("idle", quiet=quiet, timeout=timeout)

    async def violations(self) -> list[Violation]:
        """The spec violations the server recorded so far."""
        return [Violation(**item) for item in await self.call("violations")]

    async def stats(self) -> Stats:
        """The server's counters."""
        data = await self.call("stats")
        data["per_method"] = Counter(data.get("per_method", {}))
        return Stats(**data)


# ---------------------------------------------------------------- child side

Command = Callable[..., Awaitable[Any]]


async def _add_users(sb: SandboxServer, users: list[list[Any]]) -> None:
    for user_id, name in users:
        sb.add_user(int(user_id), str(name))


async def _press_burst(
    sb: SandboxServer, presses: list[list[int]], data: str, spread: float, timeout: float
) -> dict[str, Any]:
    pairs = [(int(user_id), int(message_id)) for user_id, message_id in presses]
    return (await press_burst(sb, pairs, data, spread, timeout)).to_json()


async def _idle(sb: SandboxServer, quiet: float, timeout: float) -> None:
    await sb.idle(quiet=quiet, timeout=timeout)


async def _violations(sb: SandboxServer) -> list[dict[str, Any]]:
    return [asdict(v) for v in sb.violations]


async def _stats(sb: SandboxServer) -> dict[str, Any]:
    stats = {f.name: getattr(sb.stats, f.name) for f in fields(sb.stats)}
    stats["per_method"] = dict(sb.stats.per_method)
    return stats


COMMANDS: dict[str, Command] = {
    "add_users": _add_users,
    "press_burst": _press_burst,
    "idle": _idle,
    "violations": _violations,
    "stats": _stats,
}


def _send(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def _serve(flood: bool) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=LINE_LIMIT, loop=loop)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with SandboxServer(flood_limits=FloodLimits(enabled=flood)) as sb:
        ready = {"ready": True, "base_url": sb.base_url, "base_file_url": sb.base_file_url}
        _send(json.dumps(ready))
        while line := await reader.readline():
            request = json.loads(line)
            command = COMMANDS.get(request.get("cmd", ""))
            reply: dict[str, Any] = {"id": request.get("id")}
            try:
                if command is None:
                    raise ValueError(f"unknown command {request.get('cmd')!r}")
                reply["result"] = await command(sb, **request.get("args", {}))
                line_out = json.dumps(reply)
            except Exception as exc:  # the parent gets it as SandboxProcessError
                reply.pop("result", None)
                reply["error"] = f"{type(exc).__name__}: {exc}"
                line_out = json.dumps(reply)
            _send(line_out)


def main(argv: list[str] | None = None) -> None:
    """Child entry point: python -m sandbox.process [--no-flood]."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.process", description=__doc__)
    parser.add_argument("--no-flood", action="store_true", help="disable flood limits")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        asyncio.run(_serve(flood=not args.no_flood))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
