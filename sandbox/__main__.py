"""Run the sandbox Bot API server standalone: python -m sandbox --port 8081."""

from __future__ import annotations

import argparse
import asyncio
import logging

from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer


def _parse_user(spec: str) -> tuple[int, str]:
    """Parse an ID:NAME user specification."""
    user_id, _, name = spec.partition(":")
    return int(user_id), name or f"User{user_id}"


async def _serve(args: argparse.Namespace) -> None:
    """Start the server and keep it running until cancelled."""
    server = SandboxServer(flood_limits=FloodLimits(enabled=not args.no_flood))
    for spec in args.user:
        user_id, name = _parse_user(spec)
        server.add_user(user_id, name)
    await server.start(args.host, args.port)
    print(f"base_url={server.base_url}", flush=True)
    print(f"base_file_url={server.base_file_url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=8081, help="TCP port (0: pick a free one)")
    parser.add_argument("--no-flood", action="store_true", help="disable flood limits")
    parser.add_argument(
        "--user", action="append", default=[], metavar="ID:NAME", help="add a simulated user"
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
    try:
        asyncio.run(_serve(args))
    except ValueError as exc:
        parser.error(str(exc))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
