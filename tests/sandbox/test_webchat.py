"""The offline sandbox's web chat: loopback only, the production bot, the JSON API, the seed."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from telegram import Bot
from typer.testing import CliRunner

import bot.app
from bot.cli import app as cli
from bot.settings import Settings
from models import Person, Referral, Slot, WeeklyHours, Workshop, WorkshopSession
from models.db import create_engine, create_sessionmaker
from models.migrate import upgrade
from sandbox import FloodLimits, SandboxServer
from sandbox.demo import PERSONAS, seed
from sandbox.users import TINY_PNG
from sandbox.webchat import SANDBOX_TOKEN, OfflineSandbox, WebChat, start_offline

ANNA = next(p for p in PERSONAS if p.key == "anna").telegram_id
EWA = next(p for p in PERSONAS if p.key == "ewa").telegram_id


def _base_settings() -> Settings:
    """Production-shaped settings that ignore any developer .env (and have no token)."""
    return Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def offline(tmp_path: Path) -> AsyncIterator[OfflineSandbox]:
    """The whole offline sandbox on free loopback ports with its own database file."""
    running = await start_offline(
        _base_settings(),
        port=0,
        database_path=tmp_path / "sandbox.sqlite3",
        flood_limits=FloodLimits(enabled=False),
    )
    try:
        yield running
    finally:
        await running.stop()
    assert not running.sandbox.violations, running.sandbox.violations


class Client:
    """The page's side of the JSON API, with the page's cursors."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http = http
        self.base = base.rstrip("/")
        self.cursors: dict[str, dict[str, int]] = {}
        self.messages: dict[str, dict[int, dict[str, Any]]] = {}
        self.answers: dict[str, list[dict[str, Any]]] = {}
        self.keyboards: dict[str, Any] = {}

    async def post(self, path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
        async with self.http.post(self.base + path, json=body) as response:
            data: dict[str, Any] = await response.json()
            assert response.status == status, data
            return data

    async def poll(self, wait: float = 2.0) -> dict[str, Any]:
        data = await self.post("/api/poll", {"chats": self.cursors, "wait": wait})
        for chat_id, news in data["chats"].items():
            self.cursors[chat_id] = {"bot": news["bot"], "user": news["user"]}
            stored = self.messages.setdefault(chat_id, {})
            for message in news["messages"]:
                stored[message["message_id"]] = message
            for message_id in news["deleted"]:
                stored.pop(message_id, None)
            self.answers.setdefault(chat_id, []).extend(news["answers"])
            self.keyboards[chat_id] = news["keyboard"]
        return data

    async def wait_for(self, chat_id: int, fragment: str, timeout: float = 15.0) -> dict[str, Any]:
        """Poll until a bot message of the chat contains `fragment`; return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            await self.poll(wait=1.0)
            for message in reversed(self.messages.get(str(chat_id), {}).values()):
                if message["from"] == "bot" and fragment in message["text"]:
                    return message
        raise AssertionError(f"no bot message with {fragment!r} in chat {chat_id}")

    async def press_when_shown(self, chat_id: int, label: str, timeout: float = 15.0) -> None:
        """Poll until an inline button containing `label` is shown, then press it."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.inline(chat_id, label)
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
                await self.poll(wait=1.0)
        await self.press(chat_id, label)

    def inline(self, chat_id: int, label: str) -> tuple[int, str]:
        """(message_id, callback_data) of the newest inline button whose text contains label."""
        for message in sorted(
            self.messages.get(str(chat_id), {}).values(), key=lambda m: -int(m["message_id"])
        ):
            for row in message.get("inline_keyboard", []):
                for button in row:
                    if label in button["text"] and "callback_data" in button:
                        return message["message_id"], button["callback_data"]
        raise AssertionError(f"no inline button {label!r} in chat {chat_id}")

    def key(self, chat_id: int, label: str) -> tuple[int, int]:
        """(row, column) of a reply-keyboard button."""
        keyboard = self.keyboards.get(str(chat_id))
        assert keyboard is not None, "no reply keyboard shown"
        for r, row in enumerate(keyboard["rows"]):
            for c, button in enumerate(row):
                if label in button["text"]:
                    return r, c
        raise AssertionError(f"no keyboard button {label!r}: {keyboard}")

    async def press(self, chat_id: int, label: str) -> None:
        message_id, data = self.inline(chat_id, label)
        await self.post(f"/api/chats/{chat_id}/press", {"message_id": message_id, "data": data})


# ---------------------------------------------------------------------- loopback only


async def test_web_chat_refuses_non_loopback_hosts() -> None:
    async with SandboxServer() as sandbox:
        chat = WebChat(sandbox)
        for host in ("0.0.0.0", "::", "192.168.1.10", "example.org"):
            with pytest.raises(ValueError, match="loopback"):
                await chat.start(host, 0)
        assert chat.bound_addresses == []
    with pytest.raises(ValueError, match="loopback"):
        await start_offline(_base_settings(), host="0.0.0.0", port=0)


def test_cli_refuses_non_loopback_host(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["sandbox", "--host", "0.0.0.0", "--database", str(tmp_path / "x.sqlite3")]
    )
    assert result.exit_code == 2
    assert "Refused" in result.output and "0.0.0.0" in result.output
    assert not (tmp_path / "x.sqlite3").exists()


def _non_loopback_address() -> str | None:
    """An address of this machine that is not loopback (None when there is none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # UDP connect: nothing is sent
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


async def test_everything_listens_on_loopback_only(offline: OfflineSandbox) -> None:
    assert offline.web.bound_addresses
    for address in offline.web.bound_addresses:
        assert address[0] == "127.0.0.1"
    assert offline.url.startswith("http://127.0.0.1:")
    assert offline.sandbox.base_url.startswith("http://127.0.0.1:")
    other = _non_loopback_address()
    if other is not None:  # the page is not reachable from the network
        with pytest.raises(OSError):
            await asyncio.wait_for(asyncio.open_connection(other, offline.web.port), 3)


async def test_foreign_host_header_and_form_posts_are_refused(offline: OfflineSandbox) -> None:
    async with aiohttp.ClientSession() as http:
        headers = {"Host": f"attacker.example:{offline.web.port}"}  # DNS rebinding
        async with http.get(offline.url + "api/personas", headers=headers) as response:
            assert response.status == 403
        async with http.post(
            offline.url + f"api/chats/{ANNA}/send", data={"text": "hi"}
        ) as response:
            assert response.status == 415  # a cross-site form cannot send JSON
        async with http.get(offline.url) as response:
            assert response.status == 200
            assert "default-src 'none'" in response.headers["Content-Security-Policy"]
            page = await response.text()
    assert "http://" not in page and "https://" not in page  # nothing loaded from outside


# ---------------------------------------------------------------------- the production bot


async def test_the_sandbox_bot_is_built_by_build_application(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Settings, Any]] = []
    original = bot.app.build_application

    def spy(settings: Settings, **kwargs: Any) -> Any:
        application = original(settings, **kwargs)
        calls.append((settings, application))
        return application

    monkeypatch.setattr(bot.app, "build_application", spy)
    base = _base_settings()
    running = await start_offline(base, port=0, database_path=tmp_path / "sandbox.sqlite3")
    try:
        assert len(calls) == 1
        settings, application = calls[0]
        assert running.app is application
        # Only the API address, the token, the database and the admins differ.
        assert settings.telegram_api_base_url == running.sandbox.base_url
        assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'sandbox.sqlite3'}"
        assert settings.token and base.token is None
        ignored = {"telegram_bot_token", "telegram_api_base_url", "database_url", "admin_ids"}
        assert {k: v for k, v in settings.model_dump().items() if k not in ignored} == {
            k: v for k, v in base.model_dump().items() if k not in ignored
        }
        # The same handlers and jobs as the Application production builds.
        production = original(
            Settings(  # type: ignore[call-arg]
                _env_file=None,
                TELEGRAM_BOT_TOKEN="1:x",
                DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'production.sqlite3'}",
            )
        )

        def shape(app: Any) -> list[tuple[int, str, str]]:
            return [
                (group, type(h).__name__, getattr(h.callback, "__qualname__", "?"))
                for group, handlers in sorted(app.handlers.items())
                for h in handlers
            ]

        assert shape(application) == shape(production)
        assert type(application) is type(production)
        assert sorted(j.name for j in application.job_queue.jobs()) == sorted(
            j.name for j in production.job_queue.jobs()
        )
        assert application.bot.base_url == f"{running.sandbox.base_url}{settings.token}"
    finally:
        await running.stop()


# ---------------------------------------------------------------------- the JSON API


async def test_send_press_and_events_through_the_api(offline: OfflineSandbox) -> None:
    async with aiohttp.ClientSession() as http:
        page = Client(http, offline.url)
        personas = await (await http.get(offline.url + "api/personas")).json()
        roles = {p["role"] for p in personas["personas"]}
        assert {"participant", "coordinator", "specialist", "childcare_partner"} <= roles
        assert (await page.poll(wait=0)) == {"ok": True, "chats": {}}  # nothing happened yet

        sent = await page.post(f"/api/chats/{ANNA}/send", {"text": "/start"})
        assert sent["message"]["from"] == "user" and sent["message"]["text"] == "/start"
        greeting = await page.wait_for(ANNA, "Anna Nowak")
        assert greeting["message_id"] > sent["message"]["message_id"]
        assert str(EWA) not in page.cursors  # other chats are untouched

        # Reply keyboard → inline keyboard → press → the next step.
        row, column = page.key(ANNA, "Warsztaty")
        await page.post(f"/api/chats/{ANNA}/keyboard", {"row": row, "column": column})
        await page.wait_for(ANNA, "zajęcia")
        await page.press_when_shown(ANNA, "Aktywizacja społeczna")
        await page.press_when_shown(ANNA, "Edukacja finansowa")
        card = await page.wait_for(ANNA, "Edukacja finansowa")
        dates = [b for row in card.get("inline_keyboard", []) for b in row if ":" in b["text"]]
        assert dates, card
        await page.press(ANNA, dates[0]["text"])
        await page.press_when_shown(ANNA, "Zapisz mnie")
        booked = await page.wait_for(ANNA, "Zapisano")
        assert booked["text"]

        # A document: the .ics offered after signing up, served as a download.
        await page.press_when_shown(ANNA, "kalendarza")
        deadline = time.monotonic() + 15
        document = None
        while document is None and time.monotonic() < deadline:
            await page.poll(wait=1.0)
            document = next(
                (m["document"] for m in page.messages[str(ANNA)].values() if "document" in m),
                None,
            )
        assert document is not None and document["file_name"].endswith(".ics")
        async with http.get(offline.url.rstrip("/") + document["url"]) as response:
            assert response.status == 200
            assert response.headers["Content-Disposition"].startswith("attachment")
            assert b"BEGIN:VCALENDAR" in await response.read()

        # A button that is not on the message is refused, like a stale client.
        message_id, _ = page.inline(ANNA, "kalendarza")
        await page.post(
            f"/api/chats/{ANNA}/press", {"message_id": message_id, "data": "st:ap:1"}, status=409
        )
        async with http.get(offline.url + "api/files/sbx-document-999") as response:
            assert response.status == 404

        # The coordinator's commands include the staff ones.
        commands = await (await http.get(offline.url + f"api/chats/{EWA}/commands")).json()
        assert "start" in {c["command"] for c in commands["commands"]}
    assert not offline.sandbox.unanswered_callbacks


async def test_photos_edits_and_deletions_reach_the_page(offline: OfflineSandbox) -> None:
    sandbox = offline.sandbox
    async with (
        aiohttp.ClientSession() as http,
        Bot(SANDBOX_TOKEN, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url) as tg,
    ):
        page = Client(http, offline.url)
        photo = await tg.send_photo(ANNA, TINY_PNG, caption="<b>Plan</b>", parse_mode="HTML")
        note = await tg.send_message(ANNA, "first version")
        shown = await page.wait_for(ANNA, "Plan")
        assert shown["entities"] == [{"type": "bold", "offset": 0, "length": 4}]
        async with http.get(offline.url.rstrip("/") + shown["photo"]["url"]) as response:
            assert response.status == 200 and response.content_type == "image/png"
            assert response.headers["Content-Disposition"].startswith("inline")
            assert await response.read() == TINY_PNG

        await tg.edit_message_text("second version", chat_id=ANNA, message_id=note.message_id)
        edited = await page.wait_for(ANNA, "second version")
        assert edited["message_id"] == note.message_id and edited["edited"] is True
        await tg.delete_message(ANNA, photo.message_id)
        deadline = time.monotonic() + 10
        while photo.message_id in page.messages[str(ANNA)] and time.monotonic() < deadline:
            await page.poll(wait=1.0)
        assert photo.message_id not in page.messages[str(ANNA)]


async def test_callback_answers_reach_the_page(offline: OfflineSandbox) -> None:
    async with aiohttp.ClientSession() as http:
        page = Client(http, offline.url)
        await page.post(f"/api/chats/{ANNA}/send", {"text": "/start"})
        await page.wait_for(ANNA, "Anna Nowak")
        row, column = page.key(ANNA, "Warsztaty")
        await page.post(f"/api/chats/{ANNA}/keyboard", {"row": row, "column": column})
        await page.wait_for(ANNA, "zajęcia")
        before = len(page.answers.get(str(ANNA), []))
        await page.press(ANNA, "Aktywizacja społeczna")
        deadline = time.monotonic() + 10
        while len(page.answers.get(str(ANNA), [])) == before and time.monotonic() < deadline:
            await page.poll(wait=1.0)
        answers = page.answers[str(ANNA)][before:]
        assert answers and {"text", "show_alert", "message_id"} <= set(answers[0])


async def test_request_contact_button_shares_the_personas_contact(tmp_path: Path) -> None:
    running = await start_offline(
        _base_settings(),
        port=0,
        database_path=tmp_path / "sandbox.sqlite3",
        flood_limits=FloodLimits(enabled=False),
    )
    guest = next(p for p in PERSONAS if not p.seeded)
    try:
        async with aiohttp.ClientSession() as http:
            page = Client(http, running.url)
            await page.post(f"/api/chats/{guest.telegram_id}/send", {"text": "/start"})
            await page.press_when_shown(guest.telegram_id, "Polski")
            await page.wait_for(guest.telegram_id, "Twoje dane")
            await page.press(guest.telegram_id, "Zgadzam się")
            await page.wait_for(guest.telegram_id, "imię i nazwisko")
            await page.post(f"/api/chats/{guest.telegram_id}/send", {"text": guest.full_name})
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                await page.poll(wait=1.0)
                keyboard = page.keyboards.get(str(guest.telegram_id))
                if keyboard and any(b["request_contact"] for r in keyboard["rows"] for b in r):
                    break
            row, column = page.key(guest.telegram_id, "Udostępnij")
            shared = await page.post(
                f"/api/chats/{guest.telegram_id}/keyboard", {"row": row, "column": column}
            )
            assert shared["message"]["kind"] == "contact"
            assert guest.phone in shared["message"]["text"]
            await page.wait_for(guest.telegram_id, "", timeout=5)
            await running.sandbox.idle()
        engine = create_engine(running.settings.database_url)
        try:
            async with create_sessionmaker(engine)() as s:
                person = await s.scalar(
                    select(Person).where(Person.telegram_id == guest.telegram_id)
                )
        finally:
            await engine.dispose()
        assert person is not None and person.phone is not None
        assert person.phone.replace(" ", "").endswith(guest.phone[-9:])
    finally:
        await running.stop()


# ---------------------------------------------------------------------- the seed


async def test_seed_is_idempotent_and_complete(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'seed.sqlite3'}")
    settings = _base_settings()
    from models.base import utcnow

    try:
        await upgrade(engine)
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker.begin() as session:
            first = await seed(session, now=utcnow(), tz=settings.tz)
        async with sessionmaker.begin() as session:
            second = await seed(session, now=utcnow(), tz=settings.tz)
        assert first.people == 5 and first.workshops > 5 and first.sessions >= 5
        assert first.hours == 2 and first.referrals == 1 and first.service_types >= 4
        assert second.people == second.workshops == second.sessions == 0
        assert second.hours == second.referrals == second.service_types == 0
        async with sessionmaker() as session:
            rows = await session.execute(select(Person.role, func.count()).group_by(Person.role))
            roles = {role: count for role, count in rows.all()}
            assert roles == {
                "participant": 2,
                "coordinator": 1,
                "specialist": 1,
                "childcare_partner": 1,
            }
            languages = set(await session.scalars(select(Person.language)))
            assert {"pl", "uk"} <= languages
            assert await session.scalar(select(func.count()).select_from(Workshop)) > 5
            upcoming = list(await session.scalars(select(WorkshopSession.starts_at)))
            now = utcnow()
            assert upcoming and all(0 < (s - now).days + 1 <= 14 for s in upcoming)
            assert await session.scalar(select(func.count()).select_from(WeeklyHours)) == 2
            assert await session.scalar(select(func.count()).select_from(Slot)) > 0
            assert await session.scalar(select(func.count()).select_from(Referral)) == 1
    finally:
        await engine.dispose()
