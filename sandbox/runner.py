"""Run a python-telegram-bot Application against the sandbox without blocking the loop."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

AnyApp = Application[Any, Any, Any, Any, Any, Any]


async def start_polling_app(app: AnyApp) -> None:
    """What run_polling does, minus blocking: initialise, post_init, poll, start."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    if app.updater is None:
        raise RuntimeError("the application has no updater")
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    await app.start()


async def stop_polling_app(app: AnyApp) -> None:
    """The reverse of start_polling_app, post_shutdown included."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
