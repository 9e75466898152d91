"""`python -m sandbox` runs a standalone server."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]


async def test_standalone_server_prints_base_url_and_answers() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        "0",
        "--user",
        "42:Ala",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode().strip()
        assert line.startswith("base_url=http://127.0.0.1:")
        base_url = line.removeprefix("base_url=")
        async with aiohttp.ClientSession() as session:
            payload = {"chat_id": 42, "text": "hi"}
            async with session.post(f"{base_url}1:x/sendMessage", json=payload) as response:
                body = await response.json()
        assert body["ok"] and body["result"]["chat"]["first_name"] == "Ala"
    finally:
        process.terminate()
        await process.wait()


async def test_standalone_server_refuses_public_host() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        "--host",
        "0.0.0.0",
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 10)
    assert process.returncode == 2
    assert b"loopback" in stderr
