"""`kisbot run`: the bot against Telegram."""

from __future__ import annotations

import sys

import typer

from bot.cli.common import load_settings

NO_TOKEN_HELP = (
    "TELEGRAM_BOT_TOKEN is not set: open Telegram, talk to @BotFather, send /newbot and copy the "
    "token it gives you.\n"
    "Then put TELEGRAM_BOT_TOKEN=<token> in the .env file next to the Makefile (see README.md) "
    "and run `make run` again."
)


def run() -> None:
    """Migrate the database and run the bot (long polling) until Ctrl+C.

    Checks the database, then Telegram, first; a failed start is one line on stderr, exit code
    2 for a configuration mistake and 1 for an outage.
    """
    from bot.logs import setup_logging
    from bot.startup import run_bot

    settings = load_settings()
    if not settings.token:
        print(NO_TOKEN_HELP, file=sys.stderr)
        raise typer.Exit(2)
    setup_logging(settings.log_level)
    code = run_bot(settings)
    if code:
        raise typer.Exit(code)
