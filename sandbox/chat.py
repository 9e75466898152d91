"""Per-chat state kept by the sandbox: bot messages, event log, reply keyboard."""

from __future__ import annotations

import asyncio
import copy
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class SentFile:
    """A file the bot sent (document or photo) or a user uploaded."""

    file_name: str
    mime_type: str
    content: bytes
    file_id: str = ""
    file_unique_id: str = ""
    file_path: str = ""

    @property
    def size(self) -> int:
        """Size of the content in bytes."""
        return len(self.content)


@dataclass(slots=True)
class BotMessage:
    """A message in a chat, in its current state (edits applied)."""

    message_id: int
    chat_id: int
    text: str | None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    document: SentFile | None = None
    photo: SentFile | None = None
    edited: int = 0
    date: int = 0
    source_text: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def is_inline_keyboard(self) -> bool:
        """Whether the message carries an inline keyboard."""
        return bool(self.reply_markup and "inline_keyboard" in self.reply_markup)

    @property
    def button_rows(self) -> list[list[dict[str, Any]]]:
        """Rows of button dicts of the inline or reply keyboard attached to this message."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [
            [button if isinstance(button, dict) else {"text": str(button)} for button in row]
            for row in rows
        ]

    @property
    def button_texts(self) -> list[str]:
        """Flat list of the texts of all buttons (inline or reply keyboard)."""
        return [str(button.get("text", "")) for row in self.button_rows for button in row]

    def snapshot(self) -> BotMessage:
        """An independent copy of the current state."""
        return copy.deepcopy(self)


@dataclass(slots=True)
class CallbackAnswer:
    """What the bot answered to a callback query (answerCallbackQuery)."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    data: str | None
    message_id: int | None


@dataclass(slots=True)
class ChatEvent:
    """One bot action in a chat: kind is message, edit, delete or answer."""

    seq: int
    kind: str
    message_id: int | None
    at: float
    answer: CallbackAnswer | None = None


@dataclass(slots=True)
class Reply:
    """The bot's reaction to a user action, as returned by SimUser.expect()."""

    messages: list[BotMessage]
    answers: list[CallbackAnswer]
    deleted: list[int]
    events: list[ChatEvent] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Texts (or captions) of the messages joined by a separator."""
        return "\n---\n".join(message.text or "" for message in self.messages)

    @property
    def last(self) -> BotMessage:
        """The last message of the reply (raises LookupError if there is none)."""
        if not self.messages:
            raise LookupError(f"the reply has no messages (answers={self.answers})")
        return self.messages[-1]

    @property
    def buttons(self) -> list[str]:
        """Button texts of the last message."""
        return self.last.button_texts if self.messages else []

    @property
    def answer(self) -> CallbackAnswer | None:
        """The last callback answer, if any."""
        return self.answers[-1] if self.answers else None


class Pulse:
    """A broadcast wake-up signal: waiters are released by the next fire()."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        """Create a pulse with no waiters."""
        self._event: asyncio.Event | None = None

    def fire(self) -> None:
        """Wake up everybody currently waiting."""
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the next fire(); return whether it happened."""
        if timeout <= 0:
            return False
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return False
        return True


class ChatState:
    """Everything the sandbox knows about one private chat."""

    __slots__ = (
        "changed",
        "chat_id",
        "events",
        "messages",
        "next_message_id",
        "reply_keyboard",
        "reply_keyboard_message_id",
        "user_message_ids",
    )

    def __init__(self, chat_id: int) -> None:
        """Create an empty chat."""
        self.chat_id = chat_id
        self.messages: dict[int, BotMessage] = {}
        self.user_message_ids: set[int] = set()
        self.next_message_id = 1
        self.events: list[ChatEvent] = []
        self.reply_keyboard: dict[str, Any] | None = None
        self.reply_keyboard_message_id: int | None = None
        self.changed = Pulse()

    def allocate_message_id(self) -> int:
        """Next message id of the chat (shared by user and bot messages)."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    @property
    def seq(self) -> int:
        """Sequence number of the newest event (0 if none)."""
        return len(self.events)

    def add_event(
        self, kind: str, message_id: int | None, answer: CallbackAnswer | None = None
    ) -> ChatEvent:
        """Append an event to the log and wake up waiters."""
        event = ChatEvent(len(self.events) + 1, kind, message_id, time.monotonic(), answer)
        self.events.append(event)
        self.changed.fire()
        return event

    def events_since(self, seq: int) -> list[ChatEvent]:
        """Events with a sequence number greater than `seq`."""
        return self.events[seq:]

    def bot_messages(self) -> list[BotMessage]:
        """Current bot messages in order."""
        return list(self.messages.values())
