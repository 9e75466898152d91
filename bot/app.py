"""build_application(): the one place where the production Application is assembled."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot.context import Deps, KisApplication, KisContext
from bot.failures import TELEGRAM
from bot.http import AiohttpRequest
from bot.i18n import Translator
from bot.intake import JournalBot, UpdateJournal
from bot.ratelimit import CountingRateLimiter
from bot.settings import SUPPORTED_LANGUAGES, Settings
from bot.updates import PerChatUpdateProcessor
from handlers import router
from handlers.errors import on_error, tell_held
from models import migrate
from models.base import utcnow
from models.db import create_engine, create_sessionmaker
from scheduler.jobs import install_jobs
from services import consultations as consultations_service
from services import people

log = logging.getLogger(__name__)

PARTICIPANT_COMMANDS = ("start", "menu", "mydata", "language", "help")
STAFF_COMMANDS = (*PARTICIPANT_COMMANDS, "staff", "pending", "invite")


def file_url_for(base_url: str) -> str:
    """The file-download base matching an API base ("…/bot" → "…/file/bot")."""
    if base_url.endswith("/bot"):
        return base_url[: -len("/bot")] + "/file/bot"
    return base_url.rstrip("/") + "/file/bot"


def freeze_startup_heap() -> None:
    """Move everything alive after start-up out of the garbage collector's sight (once per
    process): `gc.collect()`, then `gc.freeze()`.

    After start-up the process holds over a million long-lived objects (modules, PTB's and
    SQLAlchemy's classes and caches, the catalogues of texts). Python's oldest-generation
    collection walks all of them; under a burst of updates (many new objects surviving) it
    ran twice in two seconds, 150 ms each, with the event loop stopped. Frozen objects are
    never walked; what is created later is collected as before. bench/herd.py: 2 × 150 ms
    pauses in a burst became one of 11 ms (docs/performance.md).
    """
    if gc.get_freeze_count():  # a second application in this process
        return
    gc.collect()
    gc.freeze()


def build_application(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
    clock: Callable[[], datetime] | None = None,
    migrate_on_start: bool = True,
) -> KisApplication:
    """The bot as production runs it; tests pass their own engine and clock."""
    token = settings.token
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    own_engine = engine is None
    engine = engine or create_engine(settings.database_url, **settings.db_timeouts)
    deps = Deps(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        i18n=Translator(settings.default_language),
        clock=clock or utcnow,
    )

    journal = UpdateJournal(deps)

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        if migrate_on_start:
            await migrate.upgrade(engine)
        # Before polling starts: what a killed process had received but not handled goes first.
        await journal.replay(app)
        async with deps.transaction() as session:
            await people.ensure_admins(
                session, settings.admin_ids, settings.default_language, deps.clock()
            )
            await consultations_service.ensure_service_types(session)
        await set_commands(app, deps)
        freeze_startup_heap()  # last: what start-up made is now long-lived

    async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
        await journal.close()
        if own_engine:
            await engine.dispose()

    bot = JournalBot(
        token=token,
        base_url=settings.telegram_api_base_url,
        base_file_url=file_url_for(settings.telegram_api_base_url),
        # aiohttp instead of PTB's httpx: several times less event-loop CPU per request. One
        # connection per update in progress (each sends one request at a time).
        request=AiohttpRequest(connection_pool_size=max(256, settings.max_concurrent_updates)),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
        defaults=Defaults(tzinfo=settings.tz),
        # Retries after Telegram's 429 (honouring retry_after); 0 lifts the overall cap.
        # It also counts each reply, so that bulk sending yields to them (bot.ratelimit).
        rate_limiter=CountingRateLimiter(
            deps.ledger,
            on_success=partial(deps.failures.succeeded, TELEGRAM),
            overall_max_rate=settings.overall_max_rate,
            max_retries=3,
        ),
        journal=journal,
    )
    app: KisApplication = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=KisContext))
        .concurrent_updates(PerChatUpdateProcessor(settings.max_concurrent_updates, journal))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.bot_data["deps"] = deps
    app.bot_data["journal"] = journal
    journal.held_notice = partial(
        tell_held, i18n=deps.i18n, default_language=settings.default_language
    )
    register_handlers(app)
    if app.job_queue is not None:
        install_jobs(app, deps)  # every scheduled job: the registry in scheduler/jobs.py
    return app


def register_handlers(app: KisApplication) -> None:
    """Wire every update type to its entry point (private chats only)."""
    private = filters.ChatType.PRIVATE
    from handlers import onboarding

    commands = {
        "start": onboarding.start,
        "menu": router.on_menu_command,
        "mydata": router.on_mydata_command,
        "language": router.on_language_command,
        "help": router.on_help_command,
        "staff": router.on_staff_command,
        "pending": router.on_pending_command,
        "invite": router.on_invite_command,
    }
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback, filters=private))
    for handler in router.button_handlers():
        app.add_handler(handler)
    app.add_handler(MessageHandler(private & filters.CONTACT, router.on_contact))
    app.add_handler(MessageHandler(private & filters.COMMAND, router.on_unknown_command))
    app.add_handler(MessageHandler(private & filters.TEXT, router.on_text))
    app.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, router.on_other))
    app.add_error_handler(on_error)


def command_list(t: Translator, lang: str, names: tuple[str, ...]) -> list[BotCommand]:
    """BotCommand objects with descriptions in `lang`."""
    return [BotCommand(name, t(lang, f"cmd-{name}")) for name in names]


async def set_commands(app: Application, deps: Deps) -> None:  # type: ignore[type-arg]
    """setMyCommands per language, plus the longer staff list in each staff member's chat."""
    t = deps.i18n
    try:
        await app.bot.set_my_commands(
            command_list(t, deps.settings.default_language, PARTICIPANT_COMMANDS),
            scope=BotCommandScopeDefault(),
        )
        for lang in SUPPORTED_LANGUAGES:
            await app.bot.set_my_commands(
                command_list(t, lang, PARTICIPANT_COMMANDS),
                scope=BotCommandScopeDefault(),
                language_code=lang,
            )
    except TelegramError as exc:  # commands are a convenience; never block start-up on them
        log.warning("could not set the command list: %s", type(exc).__name__)
        return
    async with deps.transaction() as session:
        staff = [p for p in await people.list_staff(session) if p.status == "active"]
    for member in staff:
        if member.telegram_id is None:
            continue
        try:
            await app.bot.set_my_commands(
                command_list(t, member.language, STAFF_COMMANDS),
                scope=BotCommandScopeChat(member.telegram_id),
            )
        except TelegramError as exc:  # e.g. a staff member who has not opened the bot yet
            log.info("staff command list not set for one chat: %s", type(exc).__name__)
