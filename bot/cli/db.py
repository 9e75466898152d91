"""`kisbot db …`: the database schema (Alembic migrations)."""

from __future__ import annotations

import typer

from bot.cli.common import console, load_settings, run_db
from models.db import create_engine

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from models.migrate import upgrade

    settings = load_settings()

    async def main() -> None:
        engine = create_engine(settings.database_url, **settings.db_timeouts)
        try:
            await upgrade(engine, revision)
        finally:
            await engine.dispose()

    run_db(settings, main())
    console.print(f"Database is at revision [bold]{revision}[/bold].")


@db_app.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    from models.migrate import current_revision

    settings = load_settings()

    async def main() -> str | None:
        engine = create_engine(settings.database_url, **settings.db_timeouts)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    console.print(run_db(settings, main()) or "empty (no migrations applied)")
