"""A local, Telegram-compatible Bot API server with simulated users (for e2e tests)."""

from sandbox.chat import BotMessage, CallbackAnswer, ChatEvent, Reply, SentFile
from sandbox.flood import FloodLimits
from sandbox.server import Call, SandboxServer, Stats, Violation
from sandbox.users import SimUser

__all__ = [
    "BotMessage",
    "Call",
    "CallbackAnswer",
    "ChatEvent",
    "FloodLimits",
    "Reply",
    "SandboxServer",
    "SentFile",
    "SimUser",
    "Stats",
    "Violation",
]
