"""`python -m bot` is the `kisbot` command."""

from bot.cli import app

app(prog_name="kisbot")
