"""Simulated Telegram users that talk to the bot through the sandbox."""

from __future__ import annotations

import asyncio
import copy
import struct
import time
import zlib
from typing import Any, Protocol

from sandbox.chat import BotMessage, CallbackAnswer, ChatEvent, ChatState, Reply, SentFile


class UserHost(Protocol):
    """What a simulated user needs from the server it talks through (`SandboxServer` is one).

    A protocol rather than an import of sandbox.server, which imports this module: the users
    sit below the server, and the import contract (pyproject.toml) keeps sandbox acyclic.
    """

    @property
    def unfetched_updates(self) -> int:
        """Updates created but not yet fetched by the bot."""
        ...

    def enqueue_update(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update for the bot (None: excluded by allowed_updates)."""
        ...

    def store_user_file(
        self, file_name: str, mime_type: str, content: bytes, kind: str
    ) -> SentFile:
        """Store a file a user sends, so the bot can getFile it."""
        ...

    def bot_user(self) -> dict[str, Any]:
        """The bot's own User object."""
        ...

    def bot_settled(self) -> bool | None:
        """Whether the bot has handled everything (None: the harness cannot tell)."""
        ...

    def bot_finished(self) -> bool | None:
        """bot_settled(), and no background work of the bot under way (None: cannot tell)."""
        ...

    def register_callback(self, chat_id: int, message_id: int | None, data: str | None) -> str:
        """Record a button press and return its callback query id."""
        ...


def _tiny_png() -> bytes:
    """A valid 1x1 RGBA PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# A 1x1 transparent PNG used for photos sent by simulated users.
TINY_PNG = _tiny_png()
# With a harness that tells when the bot is done (SandboxServer.bot_idle): no new event for
# this long, and the bot settled, ends expect().
PROBE_SETTLE = 0.02


class SimUser:
    """A simulated Telegram user in a private chat with the bot."""

    def __init__(
        self,
        server: UserHost,
        chat: ChatState,
        *,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "pl",
        phone_number: str = "+48500100200",
    ) -> None:
        """Create a user; use SandboxServer.add_user() instead of calling this directly."""
        self.server = server
        self.chat = chat
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.phone_number = phone_number
        self.blocked = False
        self._mark = 0
        self._last_action = "nothing yet"

    def __repr__(self) -> str:
        return f"<SimUser {self.id} {self.first_name!r}>"

    # ------------------------------------------------------------------ Telegram objects

    def user_dict(self) -> dict[str, Any]:
        """The user as a Telegram User object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def chat_dict(self) -> dict[str, Any]:
        """The private chat as a Telegram Chat object."""
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    def _begin(self, description: str) -> None:
        """Start a new user action: later expect() calls look at events after this point."""
        self._mark = self.chat.seq
        self._last_action = description

    def _message(self, description: str, **content: Any) -> dict[str, Any]:
        """Send a message from the user (enqueue a `message` update)."""
        self._begin(description)
        message_id = self.chat.allocate_message_id()
        self.chat.user_message_ids.add(message_id)
        message = {
            "message_id": message_id,
            "from": self.user_dict(),
            "chat": self.chat_dict(),
            "date": int(time.time()),
            **content,
        }
        self.server.enqueue_update({"message": message})
        return message

    # ------------------------------------------------------------------ actions

    async def send(self, text: str) -> dict[str, Any]:
        """Send a text message; a leading /command gets a bot_command entity."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            length = len(command.encode("utf-16-le")) // 2
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        message = self._message(f"send({text!r})", **content)
        await asyncio.sleep(0)
        return message

    async def press(
        self,
        button_text: str,
        *,
        message_id: int | None = None,
        contains: bool = False,
        wait: float = 5.0,
    ) -> dict[str, Any]:
        """Press an inline button or a reply-keyboard button by its text.

        Like a person, waits up to `wait` seconds for the button to appear (the bot's previous
        reply may still be arriving on a busy machine) before raising LookupError.
        """
        deadline = time.monotonic() + wait
        while True:
            found = self._find_button(button_text, message_id, exact=True)
            if found is None and contains:
                found = self._find_button(button_text, message_id, exact=False)
            remaining = deadline - time.monotonic()
            if found is not None or remaining <= 0:
                break
            await self.chat.changed.wait(min(remaining, 0.5))
        if found is None:
            raise LookupError(self._describe_missing(button_text, message_id))
        message, button = found
        if message is not None:
            return await self._press_inline(message, button)
        return await self._press_keyboard(button)

    async def press_data(self, data: str, *, message_id: int | None = None) -> dict[str, Any]:
        """Send a callback query with arbitrary data (default: on the newest bot message)."""
        if message_id is None:
            message = self.last_message
        else:
            message = self.chat.messages.get(message_id)
            if message is None:
                raise LookupError(f"no bot message {message_id} in chat {self.id}")
        if message is None:
            raise LookupError(f"chat {self.id} has no bot message to attach a callback to")
        return self._callback(message, data, f"press_data({data!r})")

    async def share_contact(
        self,
        phone_number: str | None = None,
        *,
        user_id: int | None = None,
        first_name: str | None = None,
    ) -> dict[str, Any]:
        """Send a contact (own by default; another user_id forges someone else's contact)."""
        contact: dict[str, Any] = {
            "phone_number": phone_number or self.phone_number,
            "first_name": first_name or self.first_name,
            "user_id": self.id if user_id is None else user_id,
        }
        if self.last_name and first_name is None:
            contact["last_name"] = self.last_name
        message = self._message(f"share_contact({contact['phone_number']!r})", contact=contact)
        await asyncio.sleep(0)
        return message

    async def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        """Send a sticker."""
        sticker = {
            "file_id": f"sbx-sticker-{self.id}",
            "file_unique_id": f"sbxs{self.id}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        message = self._message("send_sticker()", sticker=sticker)
        await asyncio.sleep(0)
        return message

    async def send_photo(
        self, content: bytes = TINY_PNG, *, caption: str | None = None
    ) -> dict[str, Any]:
        """Send a photo (stored, so the bot can getFile and download it)."""
        stored = self.server.store_user_file("photo.png", "image/png", content, "photo")
        extra: dict[str, Any] = {"caption": caption} if caption else {}
        photo = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 1,
            "height": 1,
            "file_size": stored.size,
        }
        message = self._message("send_photo()", photo=[photo], **extra)
        await asyncio.sleep(0)
        return message

    async def send_document(
        self,
        file_name: str = "document.pdf",
        content: bytes = b"%PDF-1.4\n%sandbox\n",
        mime_type: str = "application/pdf",
    ) -> dict[str, Any]:
        """Send a document (stored, so the bot can getFile and download it)."""
        stored = self.server.store_user_file(file_name, mime_type, content, "document")
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": stored.size,
        }
        message = self._message(f"send_document({file_name!r})", document=document)
        await asyncio.sleep(0)
        return message

    async def send_location(
        self, latitude: float = 54.6057, longitude: float = 18.2354
    ) -> dict[str, Any]:
        """Send a location (Wejherowo by default)."""
        location = {"latitude": latitude, "longitude": longitude}
        message = self._message("send_location()", location=location)
        await asyncio.sleep(0)
        return message

    def block(self, *, notify: bool = True) -> None:
        """Block the bot: sends and edits get 403; a my_chat_member update is queued."""
        if not self.blocked and notify:
            self._chat_member_update("member", "kicked")
        self.blocked = True

    def unblock(self, *, notify: bool = True) -> None:
        """Unblock the bot (queues a my_chat_member update)."""
        if self.blocked and notify:
            self._chat_member_update("kicked", "member")
        self.blocked = False

    def _chat_member_update(self, old: str, new: str) -> None:
        bot = self.server.bot_user()
        old_member: dict[str, Any] = {"status": old, "user": bot}
        new_member: dict[str, Any] = {"status": new, "user": bot}
        if new == "kicked":
            new_member["until_date"] = 0
        if old == "kicked":
            old_member["until_date"] = 0
        self.server.enqueue_update(
            {
                "my_chat_member": {
                    "chat": self.chat_dict(),
                    "from": self.user_dict(),
                    "date": int(time.time()),
                    "old_chat_member": old_member,
                    "new_chat_member": new_member,
                }
            }
        )

    # ------------------------------------------------------------------ waiting

    async def expect(
        self, timeout: float = 5.0, settle: float = 0.1, answer_settle: float = 0.25
    ) -> Reply:
        """Wait for the bot's reaction to the last action and return it.

        Waits until at least one new bot event happens in this chat, then until no further
        event arrives for `settle` seconds (`answer_settle` while the only events are
        callback answers, because handlers often answer first and edit afterwards).
        """
        chat = self.chat
        deadline = time.monotonic() + timeout
        while chat.seq <= self._mark:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(self._timeout_message(timeout))
            await chat.changed.wait(remaining)
        while True:
            settled = self.server.bot_settled()
            if settled is not None:
                # The harness can tell when the bot is done: wait for that, and a moment more.
                if not await chat.changed.wait(PROBE_SETTLE) and self.server.bot_settled():
                    break
                if time.monotonic() >= deadline:
                    break
                continue
            only_answers = all(event.kind == "answer" for event in chat.events_since(self._mark))
            quiet = answer_settle if only_answers else settle
            if not await chat.changed.wait(quiet) or time.monotonic() >= deadline:
                break
        events = chat.events_since(self._mark)
        self._mark = chat.seq
        return self._reply(events)

    async def say(self, text: str, **kwargs: Any) -> Reply:
        """Send a text and wait for the reply (kwargs go to expect())."""
        await self.send(text)
        return await self.expect(**kwargs)

    async def tap(
        self,
        button_text: str,
        *,
        message_id: int | None = None,
        contains: bool = False,
        **kwargs: Any,
    ) -> Reply:
        """Press a button and wait for the reply (other kwargs go to expect())."""
        await self.press(button_text, message_id=message_id, contains=contains)
        return await self.expect(**kwargs)

    async def silence(self, duration: float = 0.3) -> list[ChatEvent]:
        """Return the bot events since the last action once the bot has had every chance to
        react (empty: it stayed silent).

        With a harness that tells when the bot is done (SandboxServer.bot_idle, and
        bot_background_idle for its background work), this returns as soon as the bot has
        finished and no event came for PROBE_SETTLE; `duration` is only an upper bound (a bot
        still busy by then is judged by what it did so far, as before). Without such a probe it
        waits the whole `duration`.
        """
        chat = self.chat
        finished = self.server.bot_finished
        if finished() is None:
            await asyncio.sleep(duration)
        else:
            deadline = time.monotonic() + duration
            while (remaining := deadline - time.monotonic()) > 0:
                if not finished():
                    await chat.changed.wait(min(PROBE_SETTLE / 4, remaining))
                    continue
                if not await chat.changed.wait(min(PROBE_SETTLE, remaining)) and finished():
                    break
        events = chat.events_since(self._mark)
        self._mark = self.chat.seq
        return events

    def _reply(self, events: list[ChatEvent]) -> Reply:
        order: list[int] = []
        seen: set[int] = set()
        answers: list[CallbackAnswer] = []
        deleted: list[int] = []
        for event in events:
            if event.kind in ("message", "edit") and event.message_id is not None:
                if event.message_id not in seen:
                    seen.add(event.message_id)
                    order.append(event.message_id)
            elif event.kind == "delete" and event.message_id is not None:
                deleted.append(event.message_id)
            elif event.kind == "answer" and event.answer is not None:
                answers.append(event.answer)
        messages = [
            self.chat.messages[message_id].snapshot()
            for message_id in order
            if message_id in self.chat.messages
        ]
        return Reply(messages, answers, deleted, list(events))

    def _timeout_message(self, timeout: float) -> str:
        lines = [
            f"no bot reaction in chat {self.id} ({self.first_name}) within {timeout}s "
            f"after {self._last_action}",
        ]
        unfetched = self.server.unfetched_updates
        if unfetched:
            lines.append(f"{unfetched} update(s) were never fetched: is the bot polling?")
        recent = list(self.chat.messages.values())[-3:]
        if recent:
            lines.append("last bot messages in the chat:")
            lines.extend(f"  {_describe_message(message)}" for message in recent)
        else:
            lines.append("the bot has not sent any message to this chat")
        return "\n".join(lines)

    # ------------------------------------------------------------------ buttons

    def _find_button(
        self, text: str, message_id: int | None, *, exact: bool
    ) -> tuple[BotMessage | None, dict[str, Any]] | None:
        """Locate a button: (message, button) for inline, (None, button) for the keyboard."""

        def matches(label: str) -> bool:
            return label == text if exact else text in label

        inline: tuple[BotMessage, dict[str, Any]] | None = None
        if message_id is not None:
            candidate = self.chat.messages.get(message_id)
            candidates = [candidate] if candidate is not None else []
        else:
            candidates = list(reversed(self.chat.messages.values()))
        for message in candidates:
            if not message.is_inline_keyboard:
                continue
            hit = next((b for row in message.button_rows for b in row if matches(b["text"])), None)
            if hit is not None:
                inline = (message, hit)
                break
        keyboard_hit: dict[str, Any] | None = None
        keyboard = self.chat.reply_keyboard
        keyboard_id = self.chat.reply_keyboard_message_id
        if keyboard is not None and (message_id is None or message_id == keyboard_id):
            for row in keyboard.get("keyboard", []):
                for button in row:
                    entry = button if isinstance(button, dict) else {"text": str(button)}
                    if keyboard_hit is None and matches(entry["text"]):
                        keyboard_hit = entry
        if inline is not None and keyboard_hit is not None:
            if (keyboard_id or 0) > inline[0].message_id:
                return None, keyboard_hit
            return inline
        if inline is not None:
            return inline
        if keyboard_hit is not None:
            return None, keyboard_hit
        return None

    def _describe_missing(self, text: str, message_id: int | None) -> str:
        lines = [f"no button {text!r} in chat {self.id} ({self.first_name})"]
        if message_id is not None:
            lines[0] += f" on message {message_id}"
        with_buttons = [m for m in self.chat.messages.values() if m.is_inline_keyboard][-3:]
        for message in with_buttons:
            rows = [[b["text"] for b in row] for row in message.button_rows]
            lines.append(f"  inline buttons of message {message.message_id}: {rows}")
        keyboard = self.reply_keyboard
        lines.append(f"  reply keyboard: {keyboard if keyboard is not None else 'none shown'}")
        if len(lines) == 2 and keyboard is None:
            lines.append("  (the chat has no buttons at all)")
        return "\n".join(lines)

    async def _press_inline(self, message: BotMessage, button: dict[str, Any]) -> dict[str, Any]:
        if "callback_data" not in button:
            kind = next((key for key in button if key not in ("text", "style")), "unknown")
            raise ValueError(
                f"button {button['text']!r} is a {kind} button ({button.get(kind)!r}); "
                "pressing it sends nothing to the bot"
            )
        update = self._callback(message, button["callback_data"], f"press({button['text']!r})")
        await asyncio.sleep(0)
        return update

    def _callback(self, message: BotMessage, data: str, description: str) -> dict[str, Any]:
        self._begin(description)
        query_id = self.server.register_callback(self.id, message.message_id, data)
        query = {
            "id": query_id,
            "from": self.user_dict(),
            "message": copy.deepcopy(message.raw),
            "chat_instance": f"sbx{self.id}",
            "data": data,
        }
        self.server.enqueue_update({"callback_query": query})
        return query

    async def _press_keyboard(self, button: dict[str, Any]) -> dict[str, Any]:
        keyboard = self.chat.reply_keyboard or {}
        if keyboard.get("one_time_keyboard"):
            self.chat.reply_keyboard = None
            self.chat.reply_keyboard_message_id = None
        if button.get("request_contact"):
            return await self.share_contact()
        if button.get("request_location"):
            return await self.send_location()
        unsupported = [
            key for key in button if key not in ("text", "style", "icon_custom_emoji_id")
        ]
        if unsupported:
            raise NotImplementedError(f"keyboard button kind {unsupported} is not simulated")
        return await self.send(button["text"])

    # ------------------------------------------------------------------ state

    @property
    def messages(self) -> list[BotMessage]:
        """All bot messages in the chat (current state, deleted ones excluded)."""
        return self.chat.bot_messages()

    @property
    def last_message(self) -> BotMessage | None:
        """The newest bot message still present in the chat."""
        if not self.chat.messages:
            return None
        return self.chat.messages[next(reversed(self.chat.messages))]

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Rows of button texts of the reply keyboard currently shown, or None."""
        keyboard = self.chat.reply_keyboard
        if keyboard is None:
            return None
        return [
            [b["text"] if isinstance(b, dict) else str(b) for b in row]
            for row in keyboard.get("keyboard", [])
        ]

    def inline_buttons(
        self, message: BotMessage | None = None
    ) -> list[list[tuple[str, str | None]]]:
        """Rows of (text, callback_data) of a message's inline keyboard (default: last)."""
        target = message if message is not None else self.last_message
        if target is None or not target.is_inline_keyboard:
            return []
        return [
            [(str(b.get("text", "")), b.get("callback_data")) for b in row]
            for row in target.button_rows
        ]

    @property
    def documents(self) -> list[BotMessage]:
        """Bot messages carrying a document."""
        return [m for m in self.chat.messages.values() if m.document is not None]

    @property
    def photos(self) -> list[BotMessage]:
        """Bot messages carrying a photo."""
        return [m for m in self.chat.messages.values() if m.photo is not None]

    @property
    def events(self) -> list[ChatEvent]:
        """The full event log of bot actions in this chat."""
        return list(self.chat.events)


def _describe_message(message: BotMessage) -> str:
    """One-line description of a bot message for error messages."""
    text = (message.text or "").replace("\n", " / ")
    if len(text) > 120:
        text = text[:117] + "..."
    extra = ""
    if message.document is not None:
        extra += f" [document {message.document.file_name}]"
    if message.photo is not None:
        extra += " [photo]"
    if message.button_texts:
        extra += f" buttons={message.button_texts}"
    return f"#{message.message_id}: {text!r}{extra}"
