"""Alembic environment: runs on a connection handed over by `models.migrate`."""

from __future__ import annotations

from alembic import context

import models  # noqa: F401  (registers every table on the metadata)
from models.base import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations on the connection given in the config's attributes."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through `kisbot db upgrade` (models.migrate)")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()
