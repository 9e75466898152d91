"""Staff broadcasts through the sandbox: compose, every audience, language versions, media,
scheduling and quiet hours, the progress message and report, 403/429/5xx/400, stop, roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from models import AuditEvent, Broadcast, OutboxMessage, Person
from sandbox import Reply, SimUser
from scheduler.broadcasts import run_broadcast_progress
from services import broadcasts, people
from services.broadcasts import Audience
from services.reminder_time import parse_quiet_hours
from tests.e2e.conftest import ADMIN_ID, Harness
from tests.factories import AudienceWorld, make_audience_world, make_people, make_policy
from tests.waiting import until

TZ = ZoneInfo("Europe/Warsaw")
QUIET = parse_quiet_hours("21:00-08:00")


def daytime(h: Harness, hour: int = 12) -> datetime:
    """Move the bot's clock to `hour`:00 Warsaw tomorrow, outside quiet hours."""
    day = datetime.now(TZ).date() + timedelta(days=1)
    h.clock.now = datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ).astimezone(UTC)
    return h.clock.now


async def notice(user: SimUser, fragment: str, timeout: float = 20.0) -> str:
    """The text of the newest message containing `fragment`, waiting for it if needed (it may
    have arrived with the reply to the previous action)."""
    await until(lambda: any(fragment in t for t in texts(user)), timeout)
    return next(t for t in reversed(texts(user)) if fragment in t)


def texts(user: SimUser) -> list[str]:
    """Every bot message (text or caption) in a user's chat."""
    return [m.text or "" for m in user.chat.messages.values()]


def world_users(h: Harness, world: AudienceWorld) -> dict[str, SimUser]:
    """The world's participants as sandbox users (so their chats exist)."""
    langs = {"olena": "uk", "ira": "uk", "john": "en"}
    return {
        name: h.user(tid, name.capitalize(), language_code=langs.get(name, "pl"))
        for name, tid in world.ids.items()
    }


async def new_draft(admin: SimUser, text: str) -> Reply:
    """/staff → Announcements → New → the Polish text; returns the draft card."""
    await admin.say("/staff")
    await admin.tap("📣 Ogłoszenia")
    prompt = await admin.tap("✏️ Nowe ogłoszenie")
    assert "po polsku" in prompt.text
    card = await admin.say(text)
    assert "Ogłoszenie (szkic)" in card.text
    return card


async def choose(admin: SimUser, *buttons: str) -> Reply:
    """👥 Recipients, then the given buttons (by text fragment); returns the last reply."""
    reply = await admin.tap("👥 Odbiorcy")
    for button in buttons:
        reply = await admin.tap(button, contains=True)
    return reply


async def send(admin: SimUser) -> Reply:
    """✅ Send… → ✅ Yes, send; returns the progress message."""
    await admin.tap("✅ Wyślij…")
    return await admin.tap("✅ Tak, wyślij")


async def broadcast_row(h: Harness) -> Broadcast:
    """The newest broadcast."""
    async with h.sessionmaker() as s:
        row = await s.scalar(select(Broadcast).order_by(Broadcast.id.desc()).limit(1))
    assert row is not None
    return row


async def outbox_statuses(h: Harness, broadcast_id: int) -> dict[int, str]:
    """chat id → outbox status of a broadcast's rows."""
    async with h.sessionmaker() as s:
        rows = await s.execute(
            select(OutboxMessage.chat_id, OutboxMessage.status).where(
                OutboxMessage.kind == "broadcast", OutboxMessage.ref_id == broadcast_id
            )
        )
        return dict(rows.all())


async def test_compose_preview_send_and_report(harness: Harness) -> None:
    h = harness
    daytime(h)
    admin = h.admin
    await admin.say("/start")
    world = await make_audience_world(h.sessionmaker, h.clock())
    users = world_users(h, world)

    card = await new_draft(admin, "Zebranie w piątek o 10 <b>w sali 11</b>")
    assert "Odbiorcy: nie wybrano" in card.text
    await admin.tap("🇺🇦 Wersja UA")
    card = await admin.say("Збори в пʼятницю о 10")
    assert "Wersja ukraińska: Збори" in card.text
    card = await choose(admin, "Wszyscy uczestnicy")
    assert "wszyscy aktywni uczestnicy — 5 osób (pominięto 1: zablokowali bota)" in card.text

    preview = await admin.tap("👁 Podgląd", settle=0.4)
    assert "Podgląd — Polski" in preview.text and "Podgląd — Українська" in preview.text
    # The author's own text is shown literally, never as markup (HTML-escaped).
    assert "Zebranie w piątek o 10 <b>w sali 11</b>" in preview.text
    assert preview.last.text is not None and "Ogłoszenie (szkic)" in preview.last.text

    question = await admin.tap("✅ Wyślij…")
    assert "Wysłać ogłoszenie teraz do 5 osób?" in question.text
    progress = await admin.tap("✅ Tak, wyślij")
    assert "Ogłoszenie" in progress.text and "Doręczono" in progress.text
    progress_id = progress.last.message_id
    bc = await broadcast_row(h)
    assert bc.status == "sending" and bc.recipients == 5
    assert bc.progress_message_id == progress_id

    # A second "Yes, send" (a double tap, or an old message): refused, still one set of rows.
    await admin.press_data(f"bc:go:{bc.id}", message_id=progress_id)
    refused = await admin.expect()
    assert refused.answer is not None and "już zatwierdzone" in (refused.answer.text or "")

    done_text = await notice(admin, "Ogłoszenie wysłane")
    assert "doręczono 5, nieosiągalni 0, nie udało się 0" in done_text
    assert any("Zebranie w piątek o 10 <b>w sali 11</b>" in t for t in texts(users["anna"]))
    assert any("Збори в пʼятницю о 10" in t for t in texts(users["olena"]))
    assert any("Zebranie w piątek" in t for t in texts(users["john"]))  # no English: Polish
    for name in ("ira", "zofia"):  # unreachable and deactivated: nothing
        assert not any("Zebranie" in t or "Збори" in t for t in texts(users[name]))
    final = admin.chat.messages[progress_id].text or ""
    assert "Wysyłka zakończona" in final and "Doręczono: 5" in final
    statuses = await outbox_statuses(h, bc.id)
    assert sorted(statuses.values()) == ["sent"] * 5
    async with h.sessionmaker() as s:
        done = await s.get(Broadcast, bc.id)
        actions = list(await s.scalars(select(AuditEvent.action)))
    assert done is not None and done.finished_at is not None
    assert actions.count("broadcast.confirm") == 1

    history = await admin.tap("📊 Raport")
    assert "Wysyłka zakończona" in history.text
    listing = await admin.tap("⬅️ Wróć")
    assert "Wysłane ogłoszenia" in listing.text and "✅ 5/5" in " ".join(listing.buttons)


async def test_every_audience_through_the_buttons(harness: Harness) -> None:
    h = harness
    daytime(h)
    admin = h.admin
    await admin.say("/start")
    world = await make_audience_world(h.sessionmaker, h.clock())
    users = world_users(h, world)
    cases: list[tuple[str, tuple[str, ...], str, set[str]]] = [
        ("all", ("Wszyscy uczestnicy",), "5 osób", {"anna", "olena", "john", "piotr", "ewa"}),
        ("workshop", ("Zapisani na warsztat", "Warsztat A"), "1 osoba", {"anna"}),
        ("session", ("Zapisani na jeden termin", "Warsztat A"), "1 osoba", {"anna"}),
        ("waitlist", ("Lista oczekujących", "Warsztat A"), "1 osoba", {"olena"}),
        ("language", ("Osoby z jednym językiem", "English"), "1 osoba", {"john"}),
    ]
    for tag, buttons, count, _expected in cases:
        await new_draft(admin, f"Ogłoszenie {tag}")
        card = await choose(admin, *buttons)
        assert count in card.text, (tag, card.text)
        await send(admin)
    # Days: typed ("from tomorrow to in 3 days"): anna's seat tomorrow, piotr's consultation.
    await new_draft(admin, "Ogłoszenie dates")
    await choose(admin, "Mający zajęcia w wybrane dni")
    prompt = await admin.tap("✏️ Wpiszę daty")
    assert "zakres dat" in prompt.text
    wrong = await admin.say("od jutra")
    assert "Nie rozumiem dat" in wrong.text
    start = (h.clock() + timedelta(days=1)).astimezone(TZ).strftime("%d.%m")
    end = (h.clock() + timedelta(days=3)).astimezone(TZ).strftime("%d.%m")
    card = await admin.say(f"{start}-{end}")
    assert "2 osoby" in card.text
    await send(admin)
    cases.append(("dates", (), "", {"anna", "piotr"}))

    def delivered(tag: str) -> set[str]:
        return {n for n, u in users.items() if any(f"Ogłoszenie {tag}" == t for t in texts(u))}

    total = sum(len(expected) for *_, expected in cases)
    await until(lambda: sum(len(delivered(tag)) for tag, *_ in cases) >= total, timeout=30)
    await h.settle()  # anything more would have been sent by now
    for tag, _, _, expected in cases:
        assert delivered(tag) == expected, tag


async def test_schedule_quiet_hours_urgent_and_cancel(harness: Harness) -> None:
    h = harness
    now = daytime(h, 12)
    admin = h.admin
    await admin.say("/start")
    world = await make_audience_world(h.sessionmaker, now)
    users = world_users(h, world)
    tomorrow = (now + timedelta(days=1)).astimezone(TZ)

    # 1. Typed time, with a restart between the question and the answer (the flow resumes).
    await new_draft(admin, "Jutro zebranie")
    await choose(admin, "Osoby z jednym językiem", "English")
    await admin.tap("⏰ Kiedy")
    await admin.tap("✏️ Wpiszę datę i godzinę")
    await h.restart()
    past = await admin.say("1.01.2020 10:00")
    assert "już minął" in past.text
    card = await admin.say(f"{tomorrow:%d.%m} 10:00")
    assert f"{tomorrow.day}.{tomorrow:%m} 10:00" in card.text
    question = await admin.tap("✅ Wyślij…")
    assert "Zaplanować ogłoszenie" in question.text and "1 osoby" in question.text
    scheduled = await admin.tap("✅ Tak, wyślij")
    assert "Zaplanowane na" in scheduled.text
    first = await broadcast_row(h)
    assert first.status == "scheduled" and first.send_at is not None
    async with h.sessionmaker() as s:  # retried while Telegram fails until send time + 24 h
        lives = await s.execute(
            select(OutboxMessage.due_at, OutboxMessage.expires_at).where(
                OutboxMessage.ref_id == first.id
            )
        )
        assert {(d, e) for d, e in lives.all()} == {
            (first.send_at, first.send_at + timedelta(hours=24))
        }
    # A dispatcher run and a progress tick: nothing is due yet.
    await run_broadcast_progress(h.app)
    await h.settle()
    assert not any("Jutro zebranie" in t for t in texts(users["john"]))

    # 2. Evening time → quiet hours: moved to 08:00; a cancelled one never goes out.
    await new_draft(admin, "Wieczorne ogłoszenie")
    await choose(admin, "Osoby z jednym językiem", "English")
    await admin.tap("⏰ Kiedy")
    await admin.tap("✏️ Wpiszę datę i godzinę")
    await admin.say(f"{tomorrow:%d.%m} 22:30")
    question = await admin.tap("✅ Wyślij…")
    assert "cisza nocna" in question.text and "08:00" in question.text
    await admin.tap("✅ Tak, wyślij")
    quiet = await broadcast_row(h)
    assert quiet.send_at is not None and quiet.send_at.astimezone(TZ).hour == 8
    await admin.tap("⏹ Zatrzymaj wysyłkę")
    stopped = await admin.tap("⏹ Tak, zatrzymaj")
    assert "Zatrzym" in stopped.text
    assert set((await outbox_statuses(h, quiet.id)).values()) == {"cancelled"}

    # 3. The same evening time marked urgent: at 22:30 itself.
    await new_draft(admin, "Pilne ogłoszenie")
    await choose(admin, "Osoby z jednym językiem", "English")
    card = await admin.tap("🚨 Pilne: nie")
    assert "pilne: wysyłka także w nocy" in card.text
    await admin.tap("⏰ Kiedy")
    await admin.tap("✏️ Wpiszę datę i godzinę")
    await admin.say(f"{tomorrow:%d.%m} 22:30")
    await send(admin)
    urgent = await broadcast_row(h)
    assert urgent.send_at is not None and urgent.send_at.astimezone(TZ).hour == 22

    # Time passes: 10:00 tomorrow → the first goes out; 22:30 → the urgent one.
    h.clock.now = tomorrow.replace(hour=10, minute=0).astimezone(UTC)
    await until(lambda: any("Jutro zebranie" in t for t in texts(users["john"])))
    h.clock.now = tomorrow.replace(hour=22, minute=31).astimezone(UTC)
    await until(lambda: any("Pilne ogłoszenie" in t for t in texts(users["john"])))
    await h.settle()
    assert not any("Wieczorne ogłoszenie" in t for t in texts(users["john"]))
    await notice(admin, "Ogłoszenie wysłane")


async def test_photo_and_document(harness: Harness) -> None:
    h = harness
    daytime(h)
    admin = h.admin
    await admin.say("/start")
    world = await make_audience_world(h.sessionmaker, h.clock())
    users = world_users(h, world)

    await admin.say("/staff")
    await admin.tap("📣 Ogłoszenia")
    await admin.tap("✏️ Nowe ogłoszenie")
    await admin.send_photo(caption="Plakat festynu")
    card = await admin.expect()
    assert "Załącznik: zdjęcie" in card.text and "Plakat festynu" in card.text
    await choose(admin, "Osoby z jednym językiem", "English")
    await send(admin)
    await until(lambda: any(m.photo is not None for m in users["john"].chat.messages.values()))
    photo = next(m for m in users["john"].chat.messages.values() if m.photo is not None)
    assert photo.text == "Plakat festynu"

    # A document through the button; text where a file is expected gets a clear answer.
    await new_draft(admin, "Regulamin w załączniku")
    await admin.tap("📎 Załącznik")
    wrong = await admin.say("to nie plik")
    assert "zdjęcie albo dokument" in wrong.text
    await admin.send_document("regulamin.pdf")
    card = await admin.expect()
    assert "Załącznik: dokument" in card.text and "Regulamin w załączniku" in card.text
    await choose(admin, "Osoby z jednym językiem", "English")
    await send(admin)
    await until(lambda: any(m.document is not None for m in users["john"].chat.messages.values()))
    document = next(m for m in users["john"].chat.messages.values() if m.document is not None)
    assert document.document is not None and document.document.file_name == "regulamin.pdf"
    assert document.text == "Regulamin w załączniku"


async def test_telegram_errors_are_in_the_report(harness: Harness) -> None:
    h = harness
    daytime(h)
    admin = h.admin
    await admin.say("/start")
    world = await make_audience_world(h.sessionmaker, h.clock())
    users = world_users(h, world)
    users["ewa"].block(notify=False)  # 403
    h.sandbox.inject_fault("sendMessage", status=429, retry_after=1, chat_id=world.ids["anna"])
    h.sandbox.inject_fault("sendMessage", status=502, description="Bad Gateway",
                           chat_id=world.ids["olena"])  # fmt: skip
    del h.sandbox.chats[world.ids["piotr"]]  # 400: chat not found
    h.sandbox.users.pop(world.ids["piotr"])

    await new_draft(admin, "Test dostarczania")
    await choose(admin, "Wszyscy uczestnicy")
    await send(admin)
    bc = await broadcast_row(h)
    await until(lambda: any("Test dostarczania" in t for t in texts(users["john"])))
    # The 429 asked for 1 s and the 502 is retried after 5 s: move the clock on for them.
    for _ in range(40):
        statuses = await outbox_statuses(h, bc.id)
        if all(s in ("sent", "blocked", "failed") for s in statuses.values()):
            break
        h.clock.advance(seconds=3)
        await h.settle()  # the retries now due are sent
    statuses = await outbox_statuses(h, bc.id)
    assert statuses == {
        world.ids["anna"]: "sent",
        world.ids["olena"]: "sent",
        world.ids["john"]: "sent",
        world.ids["piotr"]: "failed",
        world.ids["ewa"]: "blocked",
    }
    assert sum("Test dostarczania" in t for t in texts(users["anna"])) == 1  # retried, once
    assert sum("Test dostarczania" in t for t in texts(users["olena"])) == 1
    done_text = await notice(admin, "Ogłoszenie wysłane")
    assert "doręczono 3, nieosiągalni 1, nie udało się 1" in done_text
    report = await admin.tap("📊 Raport")
    failures = await admin.tap("⚠️ Niedoręczone (2)")
    assert "Ewa: zablokował(a) bota" in failures.text
    assert "Piotr: 400 Bad Request: Chat not found" in failures.text
    assert "Doręczono: 3" in report.text

    # Ewa is unreachable now: left out of the next broadcast until she writes again.
    async with h.sessionmaker() as s:
        ewa = await s.scalar(select(Person).where(Person.telegram_id == world.ids["ewa"]))
    assert ewa is not None and ewa.unreachable_at is not None
    card = await new_draft(admin, "Drugie")
    card = await choose(admin, "Wszyscy uczestnicy")
    assert "pominięto 2" in card.text  # ira and ewa
    users["ewa"].unblock(notify=False)
    await users["ewa"].say("/start")
    await h.settle()
    card = await admin.tap("👥 Odbiorcy")
    card = await admin.tap("Wszyscy uczestnicy", contains=True)
    assert "pominięto 1" in card.text


async def test_stop_half_way(harness: Harness) -> None:
    h = harness
    daytime(h)
    admin = h.admin
    await admin.say("/start")
    crowd = await make_people(h.sessionmaker, 60, first_id=70_000)
    users = [h.user(p.telegram_id or 0, f"U{i}") for i, p in enumerate(crowd)]
    await new_draft(admin, "Długa wysyłka")
    await choose(admin, "Wszyscy uczestnicy")
    progress = await send(admin)
    assert "60" in progress.text

    def got() -> int:
        return sum(any("Długa wysyłka" in t for t in texts(u)) for u in users)

    await until(lambda: got() >= 5)
    await admin.press("⏹ Zatrzymaj wysyłkę", message_id=progress.last.message_id)
    await admin.expect()
    stopped = await admin.tap("⏹ Tak, zatrzymaj")
    assert "Zatrzym" in stopped.text
    bc = await broadcast_row(h)
    await until(lambda: "Zatrzymane" in (admin.chat.messages[progress.last.message_id].text or ""))
    statuses = await outbox_statuses(h, bc.id)
    arrived = got()
    sent = sum(1 for s in statuses.values() if s == "sent")
    cancelled = sum(1 for s in statuses.values() if s == "cancelled")
    assert sent == arrived and cancelled == 60 - sent and 5 <= sent < 60
    stopped_text = await notice(admin, "Ogłoszenie zatrzymane")
    assert f"doręczono {sent}, nie wysłano {cancelled}" in stopped_text
    await h.settle()
    assert got() == arrived  # nothing more after the stop


async def test_roles_and_forged_presses(harness: Harness) -> None:
    h = harness
    daytime(h)
    admin = h.admin
    await admin.say("/start")
    async with h.sessionmaker.begin() as s:
        await people.add_staff(s, 2001, "specialist", "Marta W", "pl", h.clock())
        await people.add_staff(s, 2002, "coordinator", "Ewa K", "pl", h.clock())
    await make_people(h.sessionmaker, 1, first_id=2003)
    specialist, coordinator, participant = (
        h.user(2001, "Marta"),
        h.user(2002, "Ewa"),
        h.user(2003, "Jan"),
    )
    await new_draft(admin, "Tajne")
    await choose(admin, "Wszyscy uczestnicy")
    draft = await broadcast_row(h)

    staff = await specialist.say("/staff")
    assert "📣 Ogłoszenia" not in staff.buttons  # not for specialists
    for user in (specialist, participant):
        await user.say("/menu")
        for data in ("bc:m", "bc:n", f"bc:go:{draft.id}", f"bc:r:{draft.id}"):
            await user.press_data(data)
            refused = await user.expect()
            assert refused.answer is not None and refused.answer.show_alert
    # Another coordinator cannot send or change someone else's draft.
    await coordinator.say("/staff")
    await coordinator.press_data(f"bc:go:{draft.id}")
    stale = await coordinator.expect()
    assert stale.answer is not None and stale.answer.show_alert
    await coordinator.press_data(f"bc:t:{draft.id}:pl")
    await coordinator.expect()
    async with h.sessionmaker() as s:
        rows = await s.scalar(select(func.count()).select_from(OutboxMessage))
        stored = await s.get(Broadcast, draft.id)
        coord = await s.scalar(select(Person).where(Person.telegram_id == 2002))
    assert rows == 0 and stored is not None and stored.status == "draft"
    assert coord is not None and coord.awaiting is None
    assert h.admin.id == ADMIN_ID


async def test_a_broadcast_reaching_quiet_hours_waits_for_the_morning(harness: Harness) -> None:
    """Confirmed at 20:00, but not out yet when quiet hours begin (a long queue, a late
    dispatcher): at send time the rows are deferred, untried, until 08:00."""
    h = harness
    evening = daytime(h, 20)
    admin = h.admin
    await admin.say("/start")
    world = await make_audience_world(h.sessionmaker, evening)
    users = world_users(h, world)
    async with h.sessionmaker.begin() as s:
        author = await people.get_by_telegram_id(s, ADMIN_ID)
        assert author is not None
        draft = await broadcasts.create_draft(s, ADMIN_ID)
        await broadcasts.set_text(s, ADMIN_ID, draft.id, "pl", "Po ciszy nocnej")
        await broadcasts.set_audience(s, ADMIN_ID, draft.id, Audience("all"), evening)
        bc = await broadcasts.confirm(
            s,
            ADMIN_ID,
            draft.id,
            evening,
            make_policy(tz=TZ, quiet=QUIET),
        )
    assert bc.status == "sending"
    h.clock.now = evening + timedelta(hours=1, minutes=30)  # 21:30 before the dispatcher ran
    await h.settle()  # a dispatcher run at 21:30
    assert not any("Po ciszy nocnej" in t for u in users.values() for t in texts(u))
    rows = await outbox_statuses(h, bc.id)
    assert set(rows.values()) == {"pending"}
    async with h.sessionmaker() as s:
        due = set(
            await s.scalars(select(OutboxMessage.due_at).where(OutboxMessage.ref_id == bc.id))
        )
        attempts = set(
            await s.scalars(select(OutboxMessage.attempts).where(OutboxMessage.ref_id == bc.id))
        )
    morning = (evening + timedelta(days=1)).astimezone(TZ).replace(hour=8, minute=0)
    assert due == {morning.astimezone(UTC)} and attempts == {0}
    h.clock.now = morning.astimezone(UTC) + timedelta(minutes=1)
    await until(lambda: any("Po ciszy nocnej" in t for t in texts(users["anna"])))


async def test_malformed_bc_presses_are_stale_in_the_staff_language(harness: Harness) -> None:
    """Forged or broken bc:* data (unknown action, ids beyond 32 bits, days or languages that
    are none) and a prompt of an older version are answered as a stale button, in the staff
    member's language, and change nothing."""
    h = harness
    daytime(h)
    admin = h.admin
    await admin.say("/start")
    async with h.sessionmaker.begin() as s:
        author = await people.get_by_telegram_id(s, ADMIN_ID)
        assert author is not None
        await people.set_language(s, author.id, "en")
        draft = await broadcasts.create_draft(s, ADMIN_ID)
        await broadcasts.set_text(s, ADMIN_ID, draft.id, "pl", "Zostaje")
        await broadcasts.set_audience(s, ADMIN_ID, draft.id, Audience("all"), h.clock())
    b = draft.id
    stale = "This button is out of date. Send /menu."
    forged = [
        "bc:zz:1",
        "bc:go:2147483648",
        f"bc:go:{b}:1",
        "bc:d:0",
        f"bc:t:{b}:de",
        f"bc:tr:{b}:xx",
        f"bc:agl:{b}:de",
        f"bc:awp:{b}:abc",
        f"bc:adp:{b}:20270230:20270301",  # 30 February
        f"bc:adp:{b}:2147483647:2147483647",
        f"bc:wp:{b}:202713011800",  # month 13
        f"bc:wp:{b}:x",
        "bc:",
    ]
    for data in forged:
        await admin.press_data(data)
        reply = await admin.expect()
        assert reply.answer is not None and reply.answer.show_alert, data
        assert reply.answer.text == stale, (data, reply.answer.text)
        assert not reply.messages, data

    async with h.sessionmaker.begin() as s:
        author = await people.get_by_telegram_id(s, ADMIN_ID)
        assert author is not None
        await people.set_awaiting(s, author.id, f"bc_text:{b}:de")  # never a prompt of ours
    typed = await admin.say("Nowy tekst")
    assert stale in typed.text

    async with h.sessionmaker() as s:
        stored = await s.get(Broadcast, b)
        rows = await s.scalar(select(func.count()).select_from(OutboxMessage))
        me = await s.scalar(select(Person).where(Person.telegram_id == ADMIN_ID))
    assert stored is not None and stored.status == "draft" and stored.text_pl == "Zostaje"
    assert stored.audience_kind == "all" and stored.send_at is None and not stored.urgent
    assert rows == 0 and me is not None and me.awaiting is None
