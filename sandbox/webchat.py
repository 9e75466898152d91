"""The offline sandbox with a web chat: the real bot, a local Bot API and a browser page.

`start_offline()` starts three things in one event loop, all on loopback addresses:

1. `SandboxServer`, the local Telegram Bot API stand-in, on a free port;
2. the production Application from `bot.app.build_application()` pointed at it (only
   `TELEGRAM_API_BASE_URL` and the token differ from production) on its own SQLite file,
   seeded by `sandbox.demo.seed()`;
3. `WebChat`, an HTTP server with the page (`sandbox/web/`) and a small JSON API that lets
   the page act as the simulated users (`SimUser`) of the personas.

JSON API (all under /api, JSON in and out; POSTs must be `application/json`):

- `GET  /api/personas` → `{"personas": [...], "bot": {"name", "username"}}`
- `POST /api/poll` `{"chats": {"<id>": {"bot": n, "user": m}}, "wait": s}` → waits up to `s`
  seconds (at most 25) until any chat has news, then `{"chats": {"<id>": {"bot", "user",
  "messages", "deleted", "answers", "keyboard"}}}` for the chats that changed. `bot` is the
  chat's bot event sequence number, `user` the number of the persona's own messages; send back
  what you were given. Messages are upserted by `message_id` (edits arrive as the message's
  new state), which is also their order in the chat.
- `POST /api/chats/<id>/send` `{"text": "..."}` — the persona types a message.
- `POST /api/chats/<id>/press` `{"message_id": n, "data": "..."}` — an inline button.
- `POST /api/chats/<id>/keyboard` `{"row": r, "column": c}` — a reply-keyboard button (a
  `request_contact` button shares the persona's contact, like Telegram asks to).
- `POST /api/chats/<id>/contact` — share the persona's own contact.
- `GET  /api/chats/<id>/commands` — the command menu the bot set for that chat.
- `GET  /api/files/<file_id>` — a document (as a download) or a photo the bot sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot import app as bot_app
from bot.context import KisApplication
from bot.settings import Settings
from sandbox.chat import BotMessage, ChatState
from sandbox.demo import PERSONAS, Persona, SeedReport, seed
from sandbox.flood import FloodLimits
from sandbox.runner import start_polling_app, stop_polling_app
from sandbox.server import SandboxServer
from sandbox.users import SimUser

log = logging.getLogger("sandbox.webchat")

WEB_DIR = Path(__file__).resolve().parent / "web"
DEFAULT_PORT = 8080
DEFAULT_DATABASE = Path("data") / "sandbox.sqlite3"
SANDBOX_TOKEN = "7000000001:OFFLINE-SANDBOX-NOT-A-REAL-TOKEN"
MAX_WAIT = 25.0
POLL_STEP = 0.05
MAX_TEXT = 4096
STATIC_FILES = {
    "index.html": "text/html",
    "app.css": "text/css",
    "app.js": "text/javascript",
    "icon.svg": "image/svg+xml",
}
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
_FILE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class SandboxOptions(BaseSettings):
    """Where the web chat listens: KISBOT_SANDBOX_PORT from the environment or `.env`."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    port: int = Field(default=DEFAULT_PORT, ge=0, le=65535, alias="KISBOT_SANDBOX_PORT")


def _sniff_image(content: bytes) -> str | None:
    """The image type of a file by its first bytes (uploads often say octet-stream)."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address (127.0.0.0/8, ::1 or localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RequestError(Exception):
    """A request the API refuses: answered with `status` and a short reason."""

    def __init__(self, status: int, reason: str) -> None:
        """Create the error."""
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(slots=True)
class UserMessage:
    """A message the persona sent (the sandbox keeps only the bot's side of a chat)."""

    message_id: int
    kind: str  # text | contact
    text: str
    date: int


@dataclass(slots=True)
class _Chat:
    """The web chat's view of one persona's chat."""

    persona: Persona
    user: SimUser
    sent: list[UserMessage] = field(default_factory=list)


def _message_json(message: BotMessage) -> dict[str, Any]:
    """A bot message as the page renders it (current state, edits applied)."""
    data: dict[str, Any] = {
        "message_id": message.message_id,
        "from": "bot",
        "date": message.date,
        "text": message.text or "",
        "entities": message.entities,
        "edited": message.edited > 0,
    }
    if message.document is not None:
        doc = message.document
        data["document"] = {
            "file_name": doc.file_name,
            "mime_type": doc.mime_type,
            "size": doc.size,
            "url": f"/api/files/{doc.file_id}",
        }
    if message.photo is not None:
        photo = message.photo
        data["photo"] = {"url": f"/api/files/{photo.file_id}", "mime_type": photo.mime_type}
    if message.is_inline_keyboard:
        data["inline_keyboard"] = [
            [
                {
                    "text": str(button.get("text", "")),
                    **{
                        key: button[key]
                        for key in ("callback_data", "url", "copy_text")
                        if key in button
                    },
                }
                for button in row
            ]
            for row in message.button_rows
        ]
    return data


def _user_message_json(message: UserMessage) -> dict[str, Any]:
    return {
        "message_id": message.message_id,
        "from": "user",
        "date": message.date,
        "kind": message.kind,
        "text": message.text,
        "entities": [],
    }


def _keyboard_json(chat: ChatState) -> dict[str, Any] | None:
    """The reply keyboard currently shown in a chat, or None."""
    markup = chat.reply_keyboard
    if not markup:
        return None
    rows = []
    for row in markup.get("keyboard", []):
        entries = []
        for button in row:
            entry = button if isinstance(button, dict) else {"text": str(button)}
            entries.append(
                {
                    "text": str(entry.get("text", "")),
                    "request_contact": bool(entry.get("request_contact")),
                }
            )
        rows.append(entries)
    return {
        "rows": rows,
        "placeholder": markup.get("input_field_placeholder") or "",
        "one_time": bool(markup.get("one_time_keyboard")),
        "resize": bool(markup.get("resize_keyboard")),
    }


class WebChat:
    """The page and its JSON API over a running `SandboxServer` and its personas."""

    def __init__(
        self,
        sandbox: SandboxServer,
        personas: tuple[Persona, ...] | list[Persona] = PERSONAS,
        *,
        web_dir: Path = WEB_DIR,
    ) -> None:
        """Create the web chat; the personas become simulated users of `sandbox`."""
        self.sandbox = sandbox
        self.web_dir = web_dir
        self.chats: dict[int, _Chat] = {}
        for persona in personas:
            user = sandbox.users.get(persona.telegram_id) or sandbox.add_user(
                persona.telegram_id,
                persona.first_name,
                last_name=persona.last_name or None,
                language_code=persona.language,
                phone_number=persona.phone,
            )
            self.chats[persona.telegram_id] = _Chat(persona, user)
        self._runner: web.AppRunner | None = None
        self.host = "127.0.0.1"
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        """Where the page is served."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def bound_addresses(self) -> list[Any]:
        """The socket addresses the server listens on."""
        return list(self._runner.addresses) if self._runner is not None else []

    def make_app(self) -> web.Application:
        """The aiohttp application: the page, its static files and the API."""
        app = web.Application(middlewares=[self._guard], client_max_size=64 * 1024)
        app.router.add_get("/", self._index)
        app.router.add_get("/static/{name}", self._static)
        app.router.add_get("/api/personas", self._personas)
        app.router.add_post("/api/poll", self._poll)
        app.router.add_post("/api/chats/{chat_id}/send", self._send)
        app.router.add_post("/api/chats/{chat_id}/press", self._press)
        app.router.add_post("/api/chats/{chat_id}/keyboard", self._keyboard)
        app.router.add_post("/api/chats/{chat_id}/contact", self._contact)
        app.router.add_get("/api/chats/{chat_id}/commands", self._commands)
        app.router.add_get("/api/files/{file_id}", self._file)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> None:
        """Listen on a loopback address only (port 0 picks a free port)."""
        if not is_loopback(host):
            raise ValueError(f"the web chat only listens on loopback addresses, not {host!r}")
        if self._runner is not None:
            raise RuntimeError("the web chat is already running")
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.host = host
        addresses = runner.addresses
        self.port = int(addresses[0][1]) if addresses else port

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    # ------------------------------------------------------------------ plumbing

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Loopback Host headers only (no DNS rebinding), JSON-only POSTs, error shape."""
        host = (request.host or "").rsplit(":", 1)[0].strip("[]")
        if not is_loopback(host):
            return web.json_response({"ok": False, "error": "forbidden host"}, status=403)
        if request.method == "POST" and request.content_type != "application/json":
            return web.json_response({"ok": False, "error": "send JSON"}, status=415)
        try:
            response = await handler(request)
        except RequestError as exc:
            response = web.json_response({"ok": False, "error": exc.reason}, status=exc.status)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def _chat(self, request: web.Request) -> _Chat:
        try:
            chat = self.chats.get(int(request.match_info["chat_id"]))
        except ValueError:
            chat = None
        if chat is None:
            raise RequestError(404, "no such persona")
        return chat

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RequestError(400, "invalid JSON") from exc
        if not isinstance(body, dict):
            raise RequestError(400, "expected a JSON object")
        return body

    def _record(self, chat: _Chat, message: dict[str, Any], kind: str, text: str) -> dict[str, Any]:
        sent = UserMessage(int(message["message_id"]), kind, text, int(message["date"]))
        chat.sent.append(sent)
        return {"ok": True, "message": _user_message_json(sent)}

    # ------------------------------------------------------------------ pages

    async def _index(self, request: web.Request) -> web.StreamResponse:
        response = await self._serve_static("index.html")
        response.headers["Content-Security-Policy"] = CSP
        return response

    async def _static(self, request: web.Request) -> web.StreamResponse:
        return await self._serve_static(request.match_info["name"])

    async def _serve_static(self, name: str) -> web.StreamResponse:
        content_type = STATIC_FILES.get(name)
        if content_type is None:
            raise RequestError(404, "not found")
        body = await asyncio.to_thread((self.web_dir / name).read_bytes)
        return web.Response(body=body, content_type=content_type, charset="utf-8")

    # ------------------------------------------------------------------ API

    async def _personas(self, request: web.Request) -> web.StreamResponse:
        personas = [
            {
                "id": chat.persona.telegram_id,
                "key": chat.persona.key,
                "name": chat.persona.full_name,
                "first_name": chat.persona.first_name,
                "role": chat.persona.role,
                "label": chat.persona.label,
                "language": chat.persona.language,
                "phone": chat.persona.phone,
            }
            for chat in self.chats.values()
        ]
        bot = {"name": self.sandbox.bot_first_name, "username": self.sandbox.bot_username}
        return web.json_response({"ok": True, "personas": personas, "bot": bot})

    def _changes(self, chat: _Chat, bot_seq: int, user_seq: int) -> dict[str, Any] | None:
        """What changed in a chat since the client's cursors (None: nothing)."""
        state = chat.user.chat
        events = state.events_since(max(0, bot_seq))
        sent = chat.sent[max(0, user_seq) :]
        if not events and not sent:
            return None
        touched: list[int] = []
        deleted: list[int] = []
        answers: list[dict[str, Any]] = []
        for event in events:
            if event.kind in ("message", "edit") and event.message_id is not None:
                if event.message_id not in touched:
                    touched.append(event.message_id)
            elif event.kind == "delete" and event.message_id is not None:
                deleted.append(event.message_id)
            elif event.kind == "answer" and event.answer is not None:
                answers.append(
                    {
                        "text": event.answer.text or "",
                        "show_alert": event.answer.show_alert,
                        "message_id": event.answer.message_id,
                    }
                )
        messages = [_user_message_json(message) for message in sent]
        messages += [
            _message_json(state.messages[message_id])
            for message_id in touched
            if message_id in state.messages
        ]
        messages.sort(key=lambda item: int(item["message_id"]))
        return {
            "bot": state.seq,
            "user": len(chat.sent),
            "messages": messages,
            "deleted": deleted,
            "answers": answers,
            "keyboard": _keyboard_json(state),
        }

    async def _poll(self, request: web.Request) -> web.StreamResponse:
        body = await self._body(request)
        cursors = body.get("chats") or {}
        if not isinstance(cursors, dict):
            raise RequestError(400, "chats must be an object")
        try:
            wait = min(MAX_WAIT, max(0.0, float(body.get("wait", 0))))
        except (TypeError, ValueError) as exc:
            raise RequestError(400, "wait must be a number") from exc
        positions: dict[int, tuple[int, int]] = {}
        for chat_id in self.chats:
            cursor = cursors.get(str(chat_id)) or {}
            if not isinstance(cursor, dict):
                raise RequestError(400, "a cursor must be an object")
            try:
                positions[chat_id] = (int(cursor.get("bot", 0)), int(cursor.get("user", 0)))
            except (TypeError, ValueError) as exc:
                raise RequestError(400, "cursor values must be integers") from exc
        deadline = time.monotonic() + wait
        while True:
            changed = {}
            for chat_id, (bot_seq, user_seq) in positions.items():
                news = self._changes(self.chats[chat_id], bot_seq, user_seq)
                if news is not None:
                    changed[str(chat_id)] = news
            if changed or time.monotonic() >= deadline:
                return web.json_response({"ok": True, "chats": changed})
            await asyncio.sleep(POLL_STEP)

    async def _send(self, request: web.Request) -> web.StreamResponse:
        chat = self._chat(request)
        body = await self._body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise RequestError(400, "text must be a non-empty string")
        if len(text) > MAX_TEXT:
            raise RequestError(400, f"text is longer than {MAX_TEXT} characters")
        message = await chat.user.send(text)
        return web.json_response(self._record(chat, message, "text", text))

    async def _press(self, request: web.Request) -> web.StreamResponse:
        chat = self._chat(request)
        body = await self._body(request)
        message_id, data = body.get("message_id"), body.get("data")
        if not isinstance(message_id, int) or not isinstance(data, str):
            raise RequestError(400, "message_id (integer) and data (string) are required")
        message = chat.user.chat.messages.get(message_id)
        if message is None:
            raise RequestError(404, "the message is gone")
        offered = {button.get("callback_data") for row in message.button_rows for button in row}
        if not message.is_inline_keyboard or data not in offered:
            raise RequestError(409, "that button is no longer on the message")
        await chat.user.press_data(data, message_id=message_id)
        return web.json_response({"ok": True})

    async def _keyboard(self, request: web.Request) -> web.StreamResponse:
        chat = self._chat(request)
        body = await self._body(request)
        row, column = body.get("row"), body.get("column")
        state = chat.user.chat
        markup = state.reply_keyboard or {}
        rows = markup.get("keyboard", [])
        if not (isinstance(row, int) and isinstance(column, int)):
            raise RequestError(400, "row and column (integers) are required")
        if not (0 <= row < len(rows) and 0 <= column < len(rows[row])):
            raise RequestError(409, "that button is no longer shown")
        button = rows[row][column]
        entry = button if isinstance(button, dict) else {"text": str(button)}
        if markup.get("one_time_keyboard"):
            state.reply_keyboard = None
            state.reply_keyboard_message_id = None
        if entry.get("request_contact"):
            return await self._share_contact(chat)
        text = str(entry.get("text", ""))
        message = await chat.user.send(text)
        return web.json_response(self._record(chat, message, "text", text))

    async def _contact(self, request: web.Request) -> web.StreamResponse:
        return await self._share_contact(self._chat(request))

    async def _share_contact(self, chat: _Chat) -> web.StreamResponse:
        message = await chat.user.share_contact()
        label = f"{chat.persona.full_name}\n{chat.persona.phone}"
        return web.json_response(self._record(chat, message, "contact", label))

    async def _commands(self, request: web.Request) -> web.StreamResponse:
        chat = self._chat(request)
        lang = chat.persona.language
        scope = {"type": "chat", "chat_id": chat.persona.telegram_id}
        commands = (
            self.sandbox.commands(scope, lang)
            or self.sandbox.commands(scope)
            or self.sandbox.commands(None, lang)
            or self.sandbox.commands(None)
        )
        return web.json_response({"ok": True, "commands": commands})

    async def _file(self, request: web.Request) -> web.StreamResponse:
        file_id = request.match_info["file_id"]
        if not _FILE_ID_RE.match(file_id):
            raise RequestError(404, "no such file")
        try:
            stored = self.sandbox.file(file_id)
        except KeyError as exc:
            raise RequestError(404, "no such file") from exc
        mime = _sniff_image(stored.content) or stored.mime_type or "application/octet-stream"
        name = stored.file_name or "file" + (mimetypes.guess_extension(mime) or "")
        safe_name = re.sub(r"[^\w.\- ]", "_", name)[:120] or "file"
        inline = mime in IMAGE_TYPES and request.query.get("download") != "1"
        disposition = "inline" if inline else "attachment"
        return web.Response(
            body=stored.content,
            headers={
                "Content-Type": mime if inline else "application/octet-stream",
                "Content-Disposition": f'{disposition}; filename="{safe_name}"',
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )


# ---------------------------------------------------------------------- the whole sandbox


@dataclass
class OfflineSandbox:
    """The running offline sandbox: Bot API stand-in, the bot and the web chat."""

    sandbox: SandboxServer
    app: KisApplication
    web: WebChat
    settings: Settings
    database_path: Path
    seeded: SeedReport

    @property
    def url(self) -> str:
        """The web chat's address."""
        return self.web.url

    async def stop(self) -> None:
        """Stop the bot, then the web chat and the Bot API stand-in."""
        try:
            await stop_polling_app(self.app)
        finally:
            await self.web.stop()
            await self.sandbox.stop()


def sandbox_settings(base: Settings, sandbox: SandboxServer, database_path: Path) -> Settings:
    """Production settings with only the API address, token, database and admins replaced.

    `.env`'s DATABASE_URL and KISBOT_ADMIN_IDS are real data: the sandbox never uses them.
    """
    return base.model_copy(
        update={
            "telegram_bot_token": SecretStr(SANDBOX_TOKEN),
            "telegram_api_base_url": sandbox.base_url,
            "database_url": f"sqlite+aiosqlite:///{database_path}",
            "admin_ids": [],
        }
    )


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


async def _prepare_database(settings: Settings) -> SeedReport:
    """Migrate and seed the sandbox database (idempotent)."""
    from models.base import utcnow
    from models.db import create_engine, create_sessionmaker
    from models.migrate import upgrade

    engine = create_engine(settings.database_url, **settings.db_timeouts)
    try:
        await upgrade(engine)
        async with create_sessionmaker(engine).begin() as session:
            return await seed(
                session, now=utcnow(), tz=settings.tz, weeks_ahead=settings.slot_weeks_ahead
            )
    finally:
        await engine.dispose()


async def start_offline(
    base: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    database_path: Path = DEFAULT_DATABASE,
    fresh: bool = True,
    flood_limits: FloodLimits | None = None,
    personas: tuple[Persona, ...] = PERSONAS,
) -> OfflineSandbox:
    """Start the Bot API stand-in, the seeded bot and the web chat (see the module notes).

    `fresh` deletes the sandbox database file first, so every start begins from the demo
    state; otherwise the file is reused and only what is missing is seeded.
    """
    if not is_loopback(host):
        raise ValueError(f"the sandbox only listens on loopback addresses, not {host!r}")
    sandbox = SandboxServer(flood_limits=flood_limits)
    await sandbox.start("127.0.0.1", 0)
    chat = WebChat(sandbox, personas)
    try:
        await chat.start(host, port)
        database_path.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            _remove_database(database_path)
        settings = sandbox_settings(base, sandbox, database_path)
        report = await _prepare_database(settings)
        application = bot_app.build_application(settings)
        await start_polling_app(application)
    except BaseException:
        await chat.stop()
        await sandbox.stop()
        raise
    return OfflineSandbox(sandbox, application, chat, settings, database_path, report)


async def serve_forever(
    base: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    database_path: Path = DEFAULT_DATABASE,
    fresh: bool = True,
    announce: Callable[[OfflineSandbox], None] | None = None,
) -> None:
    """Run the offline sandbox until cancelled (Ctrl+C)."""
    running = await start_offline(
        base, host=host, port=port, database_path=database_path, fresh=fresh
    )
    try:
        if announce is not None:
            announce(running)
        await asyncio.Event().wait()
    finally:
        await running.stop()


__all__ = [
    "DEFAULT_DATABASE",
    "DEFAULT_PORT",
    "OfflineSandbox",
    "SandboxOptions",
    "WebChat",
    "is_loopback",
    "sandbox_settings",
    "serve_forever",
    "start_offline",
]
