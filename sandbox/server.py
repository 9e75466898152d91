"""A local, Telegram-compatible Bot API server with simulated users."""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import json
import logging
import mimetypes
import re
import struct
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web

from sandbox.chat import BotMessage, CallbackAnswer, ChatState, Pulse, SentFile
from sandbox.flood import FloodController, FloodLimits
from sandbox.formatting import visible_text
from sandbox.spec import BotApiSpec, Problem, UploadedFile, load_spec
from sandbox.users import SimUser

log = logging.getLogger("sandbox")

TOKEN_RE = re.compile(r"^(\d+):(.+)$")
CALL_LOG_LIMIT = 100_000
MAX_BODY = 64 * 1024 * 1024
NOT_IMPLEMENTED = "method not implemented by sandbox"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
# Methods that post or change a message in a chat: flood-limited, 403 when blocked.
_EXTRA_SENDING = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})


def _is_message_method(method: str) -> bool:
    """Whether a method sends or edits messages (flood limits and blocking apply)."""
    if method == "sendChatAction":
        return False
    return method.startswith(("send", "edit")) or method in _EXTRA_SENDING


@dataclass(slots=True)
class Violation:
    """A call that does not follow the Bot API spec."""

    method: str
    problem: str
    params_summary: str
    kind: str = "spec"


@dataclass(slots=True)
class Call:
    """One API call received by the sandbox."""

    method: str
    params: dict[str, Any]
    chat_id: int | None
    at: float
    status: int


@dataclass(slots=True)
class Stats:
    """Counters of what happened in the sandbox."""

    per_method: Counter[str] = field(default_factory=Counter)
    calls: int = 0
    messages_sent: int = 0
    edits: int = 0
    throttled_429: int = 0
    forbidden_403: int = 0
    faults_injected: int = 0
    double_answers: int = 0
    updates_enqueued: int = 0
    violations: int = 0


@dataclass(slots=True)
class Fault:
    """A pending injected failure (or delay)."""

    method: str | None
    status: int
    description: str
    times: int
    chat_id: int | None
    retry_after: int | None
    delay: float
    drop: bool = False  # close the connection without an answer (a network failure)


class _Dropped(Exception):
    """An injected fault: the connection is dropped instead of answered."""


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        """Create an error with Telegram's error_code, description and parameters."""
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


@dataclass(slots=True)
class _Ctx:
    """Context of one API call."""

    method: str
    params: dict[str, Any]
    bot_id: int
    chat_id: int | None = None


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


def _summarise(params: dict[str, Any], limit: int = 300) -> str:
    """Short printable form of call parameters for logs and violations."""

    def short(value: Any) -> Any:
        if isinstance(value, str) and len(value) > 60:
            return value[:57] + "..."
        if isinstance(value, UploadedFile):
            return repr(value)
        return value

    text = ", ".join(f"{key}={short(value)!r}" for key, value in params.items())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _png_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG (or a default size for other formats)."""
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return 640, 480


class SandboxServer:
    """A Telegram-compatible Bot API server on the loopback interface."""

    def __init__(
        self,
        *,
        flood_limits: FloodLimits | None = None,
        bot_username: str = "kis_sandbox_bot",
        bot_first_name: str = "KIS",
    ) -> None:
        """Create the server (call start() or use `async with`)."""
        self.spec: BotApiSpec = load_spec()
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self._flood = FloodController(flood_limits or FloodLimits())
        self.violations: list[Violation] = []
        self.stats = Stats()
        self.calls: list[Call] = []
        self.call_log_limit = CALL_LOG_LIMIT
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, ChatState] = {}
        self._usernames: dict[str, int] = {}
        self._bot_id = 0
        # Updates.
        self._updates: deque[dict[str, Any]] = deque()
        self._next_update_id = 1
        self._delivered_update_id = 0
        self._updates_pulse = Pulse()
        # Confirmed updates, newest last: what `redeliver` can send again.
        self._confirmed: deque[dict[str, Any]] = deque(maxlen=1000)
        self._again: deque[dict[str, Any]] = deque()  # see redeliver()
        self._allowed_updates: frozenset[str] | None = None
        self._webhook: dict[str, Any] | None = None
        # Bot settings.
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._menu_buttons: dict[int | None, dict[str, Any]] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}
        # Files and callbacks.
        self._files: dict[str, SentFile] = {}
        self._file_paths: dict[str, SentFile] = {}
        self._file_counter = itertools.count(1)
        self._callbacks: dict[str, tuple[int, int | None, str | None]] = {}
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self._callback_counter = itertools.count(1)
        # Telegram refuses to answer a press after a while ("query is too old"); None: never.
        self.callback_query_ttl: float | None = None
        self._callback_born: dict[str, float] = {}
        # Which start of the bot (getMe calls so far) gave each answer: a bot restarted after a
        # crash cannot know that its previous run answered a press it handles again.
        self._bot_starts = 0
        self._answered_in: dict[str, int] = {}
        self._faults: list[Fault] = []
        # Activity tracking for idle().
        self._inflight = 0
        # Set by a harness that runs the bot in this process: True when the bot has finished
        # handling every update it fetched. Lets SimUser.expect() return as soon as the bot is
        # done instead of waiting for a quiet period.
        self.bot_idle: Callable[[], bool] | None = None
        # A second, optional probe for the bot's background work (a delivery run, a job due
        # now): SimUser.silence() waits for it too, SimUser.expect() does not.
        self.bot_background_idle: Callable[[], bool] | None = None
        self._last_activity = time.monotonic()
        self._closing = False
        # HTTP.
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._handlers: dict[str, Callable[[_Ctx], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "deleteMessage": self._delete_message,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "setMyDescription": self._set_bot_text("description"),
            "getMyDescription": self._get_bot_text("description"),
            "setMyShortDescription": self._set_bot_text("short_description"),
            "getMyShortDescription": self._get_bot_text("short_description"),
            "setMyName": self._set_bot_text("name"),
            "getMyName": self._get_bot_text("name"),
            "getFile": self._get_file,
            "close": self._return_true,
            "logOut": self._return_true,
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def flood_limits(self) -> FloodLimits:
        """Current flood limits (assign a new FloodLimits to change them at runtime)."""
        return self._flood.limits

    @flood_limits.setter
    def flood_limits(self, limits: FloodLimits) -> None:
        self._flood = FloodController(limits)

    @property
    def port(self) -> int:
        """The TCP port the server listens on (0 before start())."""
        return self._port

    @property
    def base_url(self) -> str:
        """Bot API base URL in PTB's shape (PTB appends the token and /method)."""
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        """File download base URL in PTB's shape."""
        return f"http://127.0.0.1:{self._port}/file/bot"

    def make_app(self) -> web.Application:
        """Build the aiohttp application serving the Bot API."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start listening on a loopback address (port 0 picks a free port)."""
        if not _is_loopback(host):
            raise ValueError(f"the sandbox only binds to loopback addresses, not {host!r}")
        if self._runner is not None:
            raise RuntimeError("the sandbox server is already running")
        self._closing = False
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        addresses = runner.addresses
        self._port = int(addresses[0][1]) if addresses else port
        log.info("sandbox Bot API listening on %s", self.base_url)

    async def stop(self) -> None:
        """Stop the server; long-polling requests are released first."""
        self._closing = True
        self._updates_pulse.fire()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        """Start on a free loopback port."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop the server."""
        await self.stop()

    # ------------------------------------------------------------------ users

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "pl",
        phone_number: str = "+48500100200",
    ) -> SimUser:
        """Create a simulated user with a private chat (chat id == user id)."""
        if user_id in self.users:
            raise ValueError(f"user {user_id} already exists")
        chat = ChatState(user_id)
        user = SimUser(
            self,
            chat,
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            phone_number=phone_number,
        )
        self.users[user_id] = user
        self.chats[user_id] = chat
        if username:
            self._usernames[username.lower()] = user_id
        return user

    def user(self, user_id: int) -> SimUser:
        """The simulated user with this id."""
        return self.users[user_id]

    # ------------------------------------------------------------------ inspection

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """Commands set with setMyCommands for a scope (default scope if None) and language."""
        return list(self._commands.get((_scope_key(scope), language_code), []))

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one method (case-insensitive)."""
        wanted = method.lower()
        return [call for call in self.calls if call.method.lower() == wanted]

    @property
    def webhook(self) -> dict[str, Any] | None:
        """The webhook set by setWebhook, or None."""
        return self._webhook

    @property
    def pending_updates(self) -> int:
        """Number of updates not yet confirmed by the bot."""
        return len(self._updates)

    def file(self, file_id: str) -> SentFile:
        """A stored file by file_id."""
        return self._files[file_id]

    def inject_fault(
        self,
        method: str | None = None,
        *,
        status: int = 500,
        description: str | None = None,
        times: int = 1,
        chat_id: int | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
        drop: bool = False,
    ) -> None:
        """Make the next `times` matching calls fail with `status` (0: only delay them).

        `drop=True` closes the connection instead of answering (the client sees a network
        error; the call is not carried out). method=None matches every method except
        getUpdates (name it explicitly to fault polling).
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = _DEFAULT_DESCRIPTIONS.get(status, "Internal Server Error")
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
        canonical = self.spec.method_name(method) if method else None
        self._faults.append(
            Fault(
                canonical or method,
                status,
                description,
                times,
                chat_id,
                retry_after,
                delay,
                drop,
            )
        )

    def clear_faults(self) -> None:
        """Remove all pending injected faults."""
        self._faults.clear()

    async def idle(self, quiet: float = 0.1, timeout: float = 10) -> None:
        """Wait until all updates were fetched and no API call arrived for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        step = max(0.005, min(quiet / 4, 0.05))
        while True:
            now = time.monotonic()
            unfetched = self.unfetched_updates
            if unfetched <= 0 and self._inflight == 0 and now - self._last_activity >= quiet:
                return
            if now >= deadline:
                raise TimeoutError(
                    f"sandbox not idle after {timeout}s: {unfetched} update(s) not fetched, "
                    f"{self._inflight} call(s) in flight"
                )
            await asyncio.sleep(step)

    # ------------------------------------------------------------------ updates

    def enqueue_update(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update (body without update_id) for getUpdates; return it.

        Like Telegram, updates of a kind excluded by the last allowed_updates are not
        created at all (None is returned).
        """
        allowed = self._allowed_updates
        if allowed is not None and not allowed.intersection(body):
            return None
        update = {"update_id": self._next_update_id, **body}
        self._next_update_id += 1
        self._updates.append(update)
        self.stats.updates_enqueued += 1
        self._updates_pulse.fire()
        return update

    def bot_settled(self) -> bool | None:
        """Whether the bot is done reacting (no update unfetched or in its handlers, no API call
        in flight); None when no `bot_idle` probe was given (then only quiet periods tell)."""
        if self.bot_idle is None:
            return None
        return self.unfetched_updates == 0 and self._inflight == 0 and self.bot_idle()

    def bot_finished(self) -> bool | None:
        """bot_settled(), and no background work under way (`bot_background_idle`, when given):
        whatever the bot was going to send by now has been sent."""
        settled = self.bot_settled()
        if not settled or self.bot_background_idle is None:
            return settled
        return self.bot_background_idle()

    @property
    def unfetched_updates(self) -> int:
        """Number of queued updates that getUpdates has not returned yet."""
        return self._next_update_id - 1 - self._delivered_update_id + len(self._again)

    def bot_user(self) -> dict[str, Any]:
        """The bot as a Telegram User object (id taken from the token in use)."""
        return self._bot_user(self._bot_id)

    def _confirm(self, offset: int | None) -> None:
        """Forget updates confirmed by `offset` (negative: keep only the last -offset)."""
        if offset is None:
            return
        updates = self._updates
        if offset < 0:
            while len(updates) > -offset:
                updates.popleft()
            return
        while updates and updates[0]["update_id"] < offset:
            self._confirmed.append(updates.popleft())

    def redeliver(self, count: int) -> list[int]:
        """Serve the last `count` confirmed updates again (same update_ids) at the head of the
        next getUpdates answer, whatever its offset: a copy of a batch delivered twice, as
        Telegram may when it did not take a confirmation in. Returns those ids."""
        again = list(self._confirmed)[-count:] if count > 0 else []
        self._again.extend(again)
        if again:
            self._updates_pulse.fire()
        return [update["update_id"] for update in again]

    # ------------------------------------------------------------------ HTTP layer

    async def _handle_api(self, request: web.Request) -> web.Response:
        """Entry point of every Bot API call."""
        token_match = TOKEN_RE.match(request.match_info["token"])
        if token_match is None:
            return _error_response(ApiError(401, "Unauthorized"))
        raw_method = request.match_info["method"]
        method = self.spec.method_name(raw_method)
        polling = method == "getUpdates"
        if not polling:
            self._inflight += 1
            self._last_activity = time.monotonic()
        status = 200
        params: dict[str, Any] = {}
        chat_id: int | None = None
        name = method or raw_method
        try:
            if method is None:
                self._violation(raw_method, f"unknown method {raw_method!r}", {}, "unknown_method")
                raise ApiError(404, "Not Found")
            try:
                params, problems = await self._read_params(request, method)
            except ValueError as exc:
                self._violation(method, f"can't parse request: {exc}", {}, "request")
                raise ApiError(400, f"Bad Request: can't parse request: {exc}") from exc
            chat_id = self._chat_id_of(params)
            problems.extend(self.spec.validate(method, params))
            if problems:
                for problem in problems:
                    self._violation(method, problem.message, params, problem.kind)
                raise ApiError(400, f"Bad Request: {problems[0].message}")
            handler = self._handlers.get(method)
            if handler is None:
                self._violation(method, NOT_IMPLEMENTED, params, "unimplemented")
                raise ApiError(400, f"Bad Request: {NOT_IMPLEMENTED}")
            await self._apply_fault(method, chat_id)
            if self._bot_id == 0:
                self._bot_id = int(token_match.group(1))
            result = await handler(_Ctx(method, params, int(token_match.group(1)), chat_id))
            return web.json_response({"ok": True, "result": result})
        except ApiError as exc:
            status = exc.code
            return _error_response(exc)
        except _Dropped:
            status = 0  # no answer at all
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)  # never written: the connection is gone
        finally:
            self.stats.calls += 1
            self.stats.per_method[name] += 1
            self._record_call(Call(name, params, chat_id, time.time(), status))
            if not polling:
                self._inflight -= 1
                self._last_activity = time.monotonic()

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        """Serve a stored file (GET /file/bot<token>/<file_path>)."""
        if TOKEN_RE.match(request.match_info["token"]) is None:
            return _error_response(ApiError(401, "Unauthorized"))
        stored = self._file_paths.get(request.match_info["path"])
        if stored is None:
            return _error_response(ApiError(404, "Not Found"))
        return web.Response(body=stored.content, content_type=stored.mime_type)

    async def _read_params(
        self, request: web.Request, method: str
    ) -> tuple[dict[str, Any], list[Problem]]:
        """Collect query, form, multipart and JSON parameters as typed values."""
        raw: dict[str, Any] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if request.can_read_body:
            content_type = request.content_type
            if content_type == "application/json":
                try:
                    body = await request.json()
                except json.JSONDecodeError as exc:
                    raise ValueError(f"invalid JSON body: {exc}") from exc
                if not isinstance(body, dict):
                    raise ValueError("the JSON body must be an object")
                raw.update(body)
            elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = UploadedFile(
                            key, value.filename, value.content_type, value.file.read()
                        )
                    else:
                        raw[key] = value
            else:
                await request.read()
        raw = {key: value for key, value in raw.items() if value is not None}
        params = self.spec.coerce_params(method, raw)
        problems: list[Problem] = []
        fields = self.spec.methods[method].fields
        used: set[str] = set()
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                part = value[len("attach://") :]
                if part in files and "InputFile" in (fields[key].types if key in fields else []):
                    params[key] = files[part]
                    used.add(part)
        used.update(_attach_references(params))
        for key, uploaded in files.items():
            if key in used:
                continue
            if key in fields and key not in params:
                params[key] = uploaded
            else:
                problems.append(Problem("unknown_parameter", f"unknown file part {key!r}"))
        return params, problems

    def _chat_id_of(self, params: dict[str, Any]) -> int | None:
        """The numeric chat id a call refers to (usernames resolved), if any."""
        chat_id = params.get("chat_id")
        if isinstance(chat_id, bool):
            return None
        if isinstance(chat_id, int):
            return chat_id
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            return self._usernames.get(chat_id[1:].lower())
        return None

    def _record_call(self, call: Call) -> None:
        """Append to the call log, dropping the oldest entries beyond the cap."""
        self.calls.append(call)
        limit = self.call_log_limit
        if len(self.calls) > limit + limit // 10:
            del self.calls[: len(self.calls) - limit]

    def _violation(self, method: str, problem: str, params: dict[str, Any], kind: str) -> None:
        """Record and log a spec violation."""
        violation = Violation(method, problem, _summarise(params), kind)
        self.violations.append(violation)
        self.stats.violations += 1
        log.warning("Bot API violation in %s: %s (%s)", method, problem, violation.params_summary)

    async def _apply_fault(self, method: str, chat_id: int | None) -> None:
        """Consume a matching injected fault: delay, then raise its error if it has one."""
        for index, fault in enumerate(self._faults):
            if fault.method is None:
                if method == "getUpdates":
                    continue
            elif fault.method.lower() != method.lower():
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            fault.times -= 1
            if fault.times <= 0:
                del self._faults[index]
            self.stats.faults_injected += 1
            if fault.delay > 0:
                await asyncio.sleep(fault.delay)
            if fault.drop:
                raise _Dropped()
            if fault.status:
                parameters = (
                    {"retry_after": fault.retry_after} if fault.retry_after is not None else None
                )
                raise ApiError(fault.status, fault.description, parameters)
            return

    # ------------------------------------------------------------------ helpers

    def _bot_user(self, bot_id: int) -> dict[str, Any]:
        """The bot as a Telegram User object."""
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _chat(self, chat_id: int | None) -> ChatState:
        """The chat of a call or 400 chat not found."""
        chat = self.chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _guard(self, ctx: _Ctx, chat: ChatState) -> None:
        """Blocked users (403) and flood limits (429) for message-posting methods."""
        if not _is_message_method(ctx.method):
            return
        if self.users[chat.chat_id].blocked:
            self.stats.forbidden_403 += 1
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        wait = self._flood.acquire(chat.chat_id)
        if wait:
            self.stats.throttled_429 += 1
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})

    def _target_message(self, ctx: _Ctx, action: str) -> tuple[ChatState, BotMessage]:
        """Resolve chat_id + message_id of an edit (guards applied)."""
        if "inline_message_id" in ctx.params:
            raise ApiError(400, f"Bad Request: message to {action} not found")
        chat = self._chat(ctx.chat_id)
        self._guard(ctx, chat)
        message_id = ctx.params.get("message_id")
        message = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if message is None:
            if message_id in chat.user_message_ids:
                raise ApiError(400, f"Bad Request: message can't be {action}ed")
            raise ApiError(400, f"Bad Request: message to {action} not found")
        return chat, message

    def _store_file(self, uploaded: UploadedFile, kind: str) -> SentFile:
        """Keep an uploaded file; return its SentFile with ids and path."""
        number = next(self._file_counter)
        mime = uploaded.content_type
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(uploaded.filename)[0] or "application/octet-stream"
        extension = mimetypes.guess_extension(mime) or ""
        stored = SentFile(
            file_name=uploaded.filename,
            mime_type=mime,
            content=uploaded.content,
            file_id=f"sbx-{kind}-{number}",
            file_unique_id=f"sbxu{number}",
            file_path=f"{kind}s/file_{number}{extension}",
        )
        self._files[stored.file_id] = stored
        self._file_paths[stored.file_path] = stored
        return stored

    def store_user_file(
        self, file_name: str, mime_type: str, content: bytes, kind: str
    ) -> SentFile:
        """Store a file sent by a simulated user so the bot can getFile/download it."""
        return self._store_file(UploadedFile(kind, file_name, mime_type, content), kind)

    def _resolve_file(self, value: Any, kind: str) -> SentFile:
        """An uploaded file or the file_id of an earlier one."""
        if isinstance(value, UploadedFile):
            return self._store_file(value, kind)
        if isinstance(value, str):
            stored = self._files.get(value)
            if stored is not None:
                return stored
            if value.startswith(("http://", "https://")):
                raise ApiError(400, "Bad Request: failed to get HTTP URL content")
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _post_message(
        self,
        ctx: _Ctx,
        chat: ChatState,
        *,
        text: str | None = None,
        caption: str | None = None,
        document: SentFile | None = None,
        photo: SentFile | None = None,
    ) -> BotMessage:
        """Create a bot message in a chat, update the keyboard state and log the event."""
        params = ctx.params
        user = self.users[chat.chat_id]
        message_id = chat.allocate_message_id()
        raw: dict[str, Any] = {
            "message_id": message_id,
            "from": self._bot_user(ctx.bot_id),
            "chat": user.chat_dict(),
            "date": int(time.time()),
        }
        reply_to = params.get("reply_parameters")
        if isinstance(reply_to, dict):
            target = reply_to.get("message_id")
            if target not in chat.messages and target not in chat.user_message_ids:
                if not reply_to.get("allow_sending_without_reply"):
                    raise ApiError(400, "Bad Request: message to be replied not found")
        source = text if text is not None else caption
        parse_mode = params.get("parse_mode")
        visible: str | None = None
        entities: list[dict[str, Any]] = []
        if source is not None:
            parsed = visible_text(source, parse_mode)
            visible = parsed.text
            entities = parsed.entities or list(
                params.get("entities" if text is not None else "caption_entities") or []
            )
        if text is not None:
            raw["text"] = visible
            if entities:
                raw["entities"] = entities
        elif caption is not None:
            raw["caption"] = visible
            if entities:
                raw["caption_entities"] = entities
        if document is not None:
            raw["document"] = {
                "file_id": document.file_id,
                "file_unique_id": document.file_unique_id,
                "file_name": document.file_name,
                "mime_type": document.mime_type,
                "file_size": document.size,
            }
        if photo is not None:
            width, height = _png_size(photo.content)
            raw["photo"] = [
                {
                    "file_id": photo.file_id,
                    "file_unique_id": photo.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": photo.size,
                }
            ]
        markup = params.get("reply_markup")
        if isinstance(markup, dict):
            if "inline_keyboard" in markup:
                raw["reply_markup"] = markup
            elif "keyboard" in markup:
                chat.reply_keyboard = markup
                chat.reply_keyboard_message_id = message_id
            elif markup.get("remove_keyboard"):
                chat.reply_keyboard = None
                chat.reply_keyboard_message_id = None
        message = BotMessage(
            message_id=message_id,
            chat_id=chat.chat_id,
            text=visible,
            parse_mode=parse_mode if isinstance(parse_mode, str) else None,
            entities=entities,
            reply_markup=markup if isinstance(markup, dict) else None,
            document=document,
            photo=photo,
            date=raw["date"],
            source_text=source,
            raw=raw,
        )
        chat.messages[message_id] = message
        chat.add_event("message", message_id)
        self.stats.messages_sent += 1
        return message

    def _apply_edit(
        self,
        ctx: _Ctx,
        chat: ChatState,
        message: BotMessage,
        *,
        source: str | None,
        is_caption: bool,
        change_text: bool,
    ) -> dict[str, Any]:
        """Apply an edit of text/caption and inline markup; 400 if nothing changes."""
        params = ctx.params
        new_markup = params.get("reply_markup")
        new_inline = new_markup if isinstance(new_markup, dict) else None
        old_inline = message.reply_markup if message.is_inline_keyboard else None
        text, entities, parse_mode = message.text, message.entities, message.parse_mode
        if change_text:
            mode = params.get("parse_mode")
            parse_mode = mode if isinstance(mode, str) else None
            parsed = visible_text(source or "", parse_mode)
            text = parsed.text
            entities = parsed.entities or list(
                params.get("caption_entities" if is_caption else "entities") or []
            )
        if text == message.text and entities == message.entities and new_inline == old_inline:
            raise ApiError(400, NOT_MODIFIED)
        raw = dict(message.raw)
        text_key = "caption" if is_caption else "text"
        entities_key = "caption_entities" if is_caption else "entities"
        if change_text:
            raw[text_key] = text
            raw.pop(entities_key, None)
            if entities:
                raw[entities_key] = entities
            message.source_text = source
            message.parse_mode = parse_mode
        raw.pop("reply_markup", None)
        if new_inline is not None:
            raw["reply_markup"] = new_inline
        if new_inline is not None or old_inline is not None:
            message.reply_markup = new_inline
        raw["edit_date"] = int(time.time())
        message.text = text
        message.entities = entities
        message.raw = raw
        message.edited += 1
        chat.add_event("edit", message.message_id)
        self.stats.edits += 1
        return raw

    # ------------------------------------------------------------------ methods

    async def _return_true(self, ctx: _Ctx) -> bool:
        return True

    async def _get_me(self, ctx: _Ctx) -> dict[str, Any]:
        self._bot_starts += 1  # every bot process asks once, at start-up
        return {
            **self._bot_user(ctx.bot_id),
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, ctx: _Ctx) -> list[dict[str, Any]]:
        params = ctx.params
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        limit = min(100, max(1, int(params.get("limit", 100))))
        timeout = min(50.0, max(0.0, float(params.get("timeout", 0))))
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            self._allowed_updates = frozenset(allowed) if allowed else None
        self._confirm(params.get("offset"))
        deadline = time.monotonic() + timeout
        while True:
            batch = [self._again.popleft() for _ in range(min(limit, len(self._again)))]
            batch += itertools.islice(self._updates, limit - len(batch))
            remaining = deadline - time.monotonic()
            if batch or self._closing or remaining <= 0:
                break
            await self._updates_pulse.wait(remaining)
        if batch:
            last = batch[-1]["update_id"]
            if last > self._delivered_update_id:
                self._delivered_update_id = last
            self._last_activity = time.monotonic()
        return batch

    async def _set_webhook(self, ctx: _Ctx) -> bool:
        params = ctx.params
        url = params.get("url", "")
        if not url:
            self._webhook = None
            return True
        self._webhook = {key: value for key, value in params.items() if key != "certificate"}
        if params.get("drop_pending_updates"):
            self._drop_pending()
        return True

    def _drop_pending(self) -> None:
        self._updates.clear()
        self._delivered_update_id = self._next_update_id - 1

    async def _delete_webhook(self, ctx: _Ctx) -> bool:
        self._webhook = None
        if ctx.params.get("drop_pending_updates"):
            self._drop_pending()
        return True

    async def _get_webhook_info(self, ctx: _Ctx) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": (self._webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook:
            for key in ("max_connections", "ip_address", "allowed_updates"):
                if key in self._webhook:
                    info[key] = self._webhook[key]
        return info

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope")
        return _scope_key(scope if isinstance(scope, dict) else None), str(
            params.get("language_code", "")
        )

    async def _set_my_commands(self, ctx: _Ctx) -> bool:
        commands = [dict(command) for command in ctx.params.get("commands", [])]
        key = self._commands_key(ctx.params)
        if commands:
            self._commands[key] = commands
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, ctx: _Ctx) -> list[dict[str, Any]]:
        return list(self._commands.get(self._commands_key(ctx.params), []))

    async def _delete_my_commands(self, ctx: _Ctx) -> bool:
        self._commands.pop(self._commands_key(ctx.params), None)
        return True

    async def _send_message(self, ctx: _Ctx) -> dict[str, Any]:
        chat = self._chat(ctx.chat_id)
        self._guard(ctx, chat)
        return self._post_message(ctx, chat, text=str(ctx.params["text"])).raw

    async def _send_document(self, ctx: _Ctx) -> dict[str, Any]:
        chat = self._chat(ctx.chat_id)
        self._guard(ctx, chat)
        document = self._resolve_file(ctx.params.get("document"), "document")
        caption = ctx.params.get("caption")
        message = self._post_message(
            ctx, chat, caption=caption if isinstance(caption, str) else None, document=document
        )
        return message.raw

    async def _send_photo(self, ctx: _Ctx) -> dict[str, Any]:
        chat = self._chat(ctx.chat_id)
        self._guard(ctx, chat)
        photo = self._resolve_file(ctx.params.get("photo"), "photo")
        caption = ctx.params.get("caption")
        message = self._post_message(
            ctx, chat, caption=caption if isinstance(caption, str) else None, photo=photo
        )
        return message.raw

    async def _edit_message_text(self, ctx: _Ctx) -> dict[str, Any]:
        chat, message = self._target_message(ctx, "edit")
        if message.document is not None or message.photo is not None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text = ctx.params.get("text")
        return self._apply_edit(
            ctx,
            chat,
            message,
            source=text if isinstance(text, str) else "",
            is_caption=False,
            change_text=True,
        )

    async def _edit_message_caption(self, ctx: _Ctx) -> dict[str, Any]:
        chat, message = self._target_message(ctx, "edit")
        if message.document is None and message.photo is None:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption = ctx.params.get("caption")
        return self._apply_edit(
            ctx,
            chat,
            message,
            source=caption if isinstance(caption, str) else "",
            is_caption=True,
            change_text=True,
        )

    async def _edit_message_reply_markup(self, ctx: _Ctx) -> dict[str, Any]:
        chat, message = self._target_message(ctx, "edit")
        is_caption = message.document is not None or message.photo is not None
        return self._apply_edit(
            ctx, chat, message, source=None, is_caption=is_caption, change_text=False
        )

    async def _delete_message(self, ctx: _Ctx) -> bool:
        chat = self._chat(ctx.chat_id)
        message_id = ctx.params.get("message_id")
        if isinstance(message_id, int) and message_id in chat.user_message_ids:
            chat.user_message_ids.discard(message_id)
            return True
        if not isinstance(message_id, int) or message_id not in chat.messages:
            raise ApiError(400, "Bad Request: message to delete not found")
        del chat.messages[message_id]
        chat.add_event("delete", message_id)
        return True

    def _expire_callback(self, query_id: str) -> None:
        """Forget a press older than `callback_query_ttl`: it can no longer be answered."""
        born = self._callback_born.pop(query_id, None)
        ttl = self.callback_query_ttl
        if born is not None and ttl is not None and time.monotonic() - born > ttl:
            self._callbacks.pop(query_id, None)

    async def _answer_callback_query(self, ctx: _Ctx) -> bool:
        query_id = str(ctx.params["callback_query_id"])
        self._expire_callback(query_id)
        entry = self._callbacks.pop(query_id, None)
        if entry is None:
            if self._answered_in.get(query_id) == self._bot_starts:
                # Telegram accepts one answer per press and refuses the next like an expired
                # one. A bot that answers twice shows only its first notice: a violation
                # (unless the first answer came from before a restart: see _answered_in).
                self.stats.double_answers += 1
                self._violation(
                    ctx.method,
                    "callback query answered twice (Telegram refuses the second answer)",
                    ctx.params,
                    "double_answer",
                )
            raise ApiError(400, QUERY_TOO_OLD)
        chat_id, message_id, data = entry
        text = ctx.params.get("text")
        answer = CallbackAnswer(
            callback_query_id=query_id,
            text=text if isinstance(text, str) else None,
            show_alert=bool(ctx.params.get("show_alert", False)),
            url=ctx.params.get("url"),
            data=data,
            message_id=message_id,
        )
        self.callback_answers[query_id] = answer
        self._answered_in[query_id] = self._bot_starts
        chat = self.chats.get(chat_id)
        if chat is not None:
            chat.add_event("answer", message_id, answer)
        return True

    @property
    def unanswered_callbacks(self) -> list[str]:
        """callback_data of button presses the bot never answered (the client keeps spinning);
        presses older than `callback_query_ttl` are not counted (Telegram stops the spinner)."""
        ttl, now = self.callback_query_ttl, time.monotonic()
        return [
            data or ""
            for query_id, (_, _, data) in self._callbacks.items()
            if ttl is None or now - self._callback_born.get(query_id, now) <= ttl
        ]

    def register_callback(self, chat_id: int, message_id: int | None, data: str | None) -> str:
        """Create a callback query id that answerCallbackQuery will accept."""
        query_id = str(4_000_000_000_000_000 + next(self._callback_counter))
        self._callbacks[query_id] = (chat_id, message_id, data)
        self._callback_born[query_id] = time.monotonic()
        return query_id

    async def _send_chat_action(self, ctx: _Ctx) -> bool:
        chat = self._chat(ctx.chat_id)
        if self.users[chat.chat_id].blocked:
            self.stats.forbidden_403 += 1
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return True

    async def _get_chat(self, ctx: _Ctx) -> dict[str, Any]:
        chat = self._chat(ctx.chat_id)
        user = self.users[chat.chat_id]
        return {
            **user.chat_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    async def _set_chat_menu_button(self, ctx: _Ctx) -> bool:
        button = ctx.params.get("menu_button")
        chat_id = ctx.chat_id
        if "chat_id" in ctx.params:
            self._chat(chat_id)
        self._menu_buttons[chat_id] = button if isinstance(button, dict) else {"type": "default"}
        return True

    async def _get_chat_menu_button(self, ctx: _Ctx) -> dict[str, Any]:
        button = self._menu_buttons.get(ctx.chat_id) or self._menu_buttons.get(None)
        return button or {"type": "commands"}

    def _set_bot_text(self, kind: str) -> Callable[[_Ctx], Awaitable[Any]]:
        async def handler(ctx: _Ctx) -> bool:
            value = ctx.params.get(kind, "")
            key = (kind, str(ctx.params.get("language_code", "")))
            if value:
                self._bot_texts[key] = str(value)
            else:
                self._bot_texts.pop(key, None)
            return True

        return handler

    def _get_bot_text(self, kind: str) -> Callable[[_Ctx], Awaitable[Any]]:
        async def handler(ctx: _Ctx) -> dict[str, Any]:
            language = str(ctx.params.get("language_code", ""))
            value = self._bot_texts.get((kind, language)) or self._bot_texts.get((kind, ""))
            if kind == "name" and not value:
                value = self.bot_first_name
            return {kind: value or ""}

        return handler

    async def _get_file(self, ctx: _Ctx) -> dict[str, Any]:
        stored = self._files.get(str(ctx.params["file_id"]))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }


def _scope_key(scope: dict[str, Any] | None) -> str:
    """Canonical JSON of a BotCommandScope (None means the default scope)."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True, separators=(",", ":"))


def _attach_references(value: Any) -> set[str]:
    """Names of multipart parts referenced as attach://name anywhere in `value`."""
    found: set[str] = set()
    if isinstance(value, str):
        if value.startswith("attach://"):
            found.add(value[len("attach://") :])
    elif isinstance(value, dict):
        for item in value.values():
            found |= _attach_references(item)
    elif isinstance(value, list):
        for item in value:
            found |= _attach_references(item)
    return found


def _error_response(error: ApiError) -> web.Response:
    """A Telegram-shaped error answer."""
    payload: dict[str, Any] = {
        "ok": False,
        "error_code": error.code,
        "description": error.description,
    }
    if error.parameters:
        payload["parameters"] = error.parameters
    return web.json_response(payload, status=error.code)


def _is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address (127.0.0.0/8, ::1 or localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
