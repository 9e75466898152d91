"""`kisbot sandbox`: the offline sandbox, the only production module that imports sandbox/
(an explicit ignore of the import contract in pyproject.toml)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from bot.cli.common import console, load_settings


def sandbox(
    port: Annotated[
        int | None,
        typer.Option(
            help="Port of the web chat (default: KISBOT_SANDBOX_PORT, else 8080; 0 picks one).",
            show_default=False,
        ),
    ] = None,
    host: Annotated[
        str, typer.Option(help="Loopback address to listen on; other addresses are refused.")
    ] = "127.0.0.1",
    database: Annotated[
        str, typer.Option(help="The sandbox's own SQLite file (never the real database).")
    ] = "data/sandbox.sqlite3",
    keep_data: Annotated[
        bool,
        typer.Option(
            "--keep-data", help="Reuse the sandbox database instead of starting from the demo."
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log at INFO level.")] = False,
) -> None:
    """Try the bot offline: a local Telegram stand-in, the real bot and a web chat.

    No token needed. Opens http://127.0.0.1:8080 with demo people (participants, a
    coordinator, a psychologist, the childcare partner); each has their own chat with the bot.
    The sandbox database starts from the demo state every time unless --keep-data.
    """
    from pathlib import Path

    from bot.logs import setup_logging
    from sandbox.webchat import OfflineSandbox, SandboxOptions, is_loopback, serve_forever

    if not is_loopback(host):
        console.print(
            f"[red]Refused:[/red] the sandbox listens on this computer only (127.0.0.1, ::1 or "
            f"localhost), not {host!r}."
        )
        raise typer.Exit(2)
    settings = load_settings()
    if port is None:
        try:
            port = SandboxOptions().port
        except Exception as exc:  # pydantic names the bad variable
            console.print(f"[red]Configuration error:[/red] {exc}")
            raise typer.Exit(2) from exc
    setup_logging("INFO" if verbose else "WARNING")

    def announce(running: OfflineSandbox) -> None:
        print(
            "Offline sandbox: the bot runs against a local Telegram stand-in (no token needed).",
            flush=True,
        )
        print(f"Open {running.url.rstrip('/')} in a browser. Ctrl+C stops it.", flush=True)

    try:
        asyncio.run(
            serve_forever(
                settings,
                host=host,
                port=port,
                database_path=Path(database),
                fresh=not keep_data,
                announce=announce,
            )
        )
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        console.print(
            f"[red]Could not start the sandbox:[/red] {exc.strerror or exc}. Is port {port} "
            "in use? Choose another with --port or KISBOT_SANDBOX_PORT."
        )
        raise typer.Exit(2) from exc
