"""Lock screens: every message sent out about a sensitive consultation (psychologist, lawyer)
keeps the service and the specialist out of what a phone previews (the first 150 characters),
in every language; "Show details" reveals them.

The kinds checked are the consultation outbox renderers (`handlers.consultations.renderers`
and the specialists' morning agenda of `handlers.staff_consult.renderers`; the test fails
when a new kind appears without being checked here) and the referral notice a coordinator's
"Issue" sends. Participants' names stay off a specialist's lock screen too.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.i18n import Translator
from bot.settings import SUPPORTED_LANGUAGES
from handlers import consultations as screens
from handlers import staff_consult
from models import OutboxMessage, Person, Referral, ServiceType
from models.db import Sessionmaker
from scheduler.rendering import Rendered
from services import consultations as c
from services import people
from tests.factories import make_policy

WAW = ZoneInfo("Europe/Warsaw")
POLICY = make_policy(consult_cutoff_hours=24)
COORDINATOR_TID = 900
PSYCHOLOGIST_TID, LAWYER_TID = 800, 801
PSYCHOLOGIST, LAWYER = "Zofia Kwiatkowska", "Marek Zieliński"
# Monday 1 March 2027, 10:00 in Wejherowo; appointments on Wednesday.
START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
PREVIEW = 150
# Words that give a sensitive service away, besides the service names of the catalogue.
GIVEAWAYS = (
    "psycholog",
    "психолог",
    "psychologist",
    "psychotera",
    "prawn",
    "prawnik",
    "radca",
    "юрист",
    "юрид",
    "правов",
    "lawyer",
    "legal",
    "counsel",
    "poradnictw",
    "консультування",
)


def preview(text: str) -> str:
    """What a notification shows: the text without HTML tags, its first 150 characters."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))[:PREVIEW].lower()


def leaks(text: str, service: ServiceType, specialist: str) -> list[str]:
    """Service names (every language), giveaway words and the specialist's name (or surname)
    found in the preview of `text`."""
    shown = preview(text)
    words = [service.name_pl, service.name_uk, service.name_en, *GIVEAWAYS]
    words += [specialist, *specialist.split()]
    return [w for w in words if w.lower() in shown]


async def _club(sm: Sessionmaker) -> dict[str, tuple[ServiceType, int, str]]:
    """Psychology on Wednesdays 9-12 with Zofia, legal advice on Wednesdays 12-15 with Marek:
    slug -> (service, specialist id, specialist name)."""
    now = START
    async with sm.begin() as s:
        await c.ensure_service_types(s)
        await people.add_staff(s, COORDINATOR_TID, "coordinator", "Ewa", "pl", now)
        zofia = await people.add_staff(s, PSYCHOLOGIST_TID, "specialist", PSYCHOLOGIST, "pl", now)
        marek = await people.add_staff(s, LAWYER_TID, "specialist", LAWYER, "pl", now)
        services = {t.slug: t for t in await c.list_service_types(s)}
        club = {
            "psychologist": (services["psychologist"], zofia.id, PSYCHOLOGIST),
            "legal": (services["legal"], marek.id, LAWYER),
        }
        for slug, (service, specialist_id, _) in club.items():
            start = time(9) if slug == "psychologist" else time(12)
            await c.set_weekly_hours(
                s,
                actor_tid=COORDINATOR_TID,
                specialist_id=specialist_id,
                service_type_id=service.id,
                weekday=2,
                start=start,
                end=time(start.hour + 3),
                place="MOPS Wejherowo, pokój 11",
                now=now,
                tz=WAW,
                weeks_ahead=2,
            )
    assert all(service.sensitive for service, _, _ in club.values())
    return club


async def _participants(sm: Sessionmaker) -> dict[str, Person]:
    """One active participant per language."""
    async with sm.begin() as s:
        found = {
            lang: Person(
                telegram_id=10_000 + i,
                language=lang,
                status="active",
                display_name=f"Uczestnik {lang}",
                source="invite",
            )
            for i, lang in enumerate(SUPPORTED_LANGUAGES)
        }
        s.add_all(found.values())
    return found


async def _book(sm: Sessionmaker, person: Person, service: ServiceType) -> tuple[int, Referral]:
    """A referral and a booking of the first free slot: (booking id, referral)."""
    async with sm.begin() as s:
        referral = await c.issue_referral(
            s,
            actor_tid=COORDINATOR_TID,
            person_id=person.id,
            service_type_id=service.id,
            sessions=2,
            expires_on=START.date() + timedelta(days=90),
            now=START,
            tz=WAW,
        )
        [slot, *_] = await c.free_slots(
            s, service.id, (START + timedelta(days=2)).date(), now=START, tz=WAW
        )
        view = await c.book(
            s, person_id=person.id, slot_id=slot.slot.id, now=START, tz=WAW, policy=POLICY
        )
    return view.booking.id, referral


async def _close_wednesday(sm: Sessionmaker) -> None:
    """The club closes on Wednesday: every booking gets a consult_moved message."""
    wednesday = (START + timedelta(days=2)).date()
    async with sm.begin() as s:
        await c.add_closure(
            s,
            actor_tid=COORDINATOR_TID,
            specialist_id=None,
            starts_on=wednesday,
            ends_on=wednesday,
            reason="remont",
            now=START,
            tz=WAW,
            weeks_ahead=2,
        )


def _revealed(rendered: Rendered, service: ServiceType, lang: str, specialist: str) -> None:
    text = html.unescape(rendered.text)
    assert service.name(lang) in text and specialist in text, text


def _details_data(rendered: Rendered) -> str:
    assert rendered.reply_markup is not None
    [data] = [
        str(b.callback_data)
        for row in rendered.reply_markup.inline_keyboard
        for b in row
        if str(b.callback_data).startswith(("cs:dt:", "cs:rf:"))
    ]
    return data


CHECKED_KINDS = {c.KIND_REMINDER, c.KIND_MOVED}
DETAILS_KIND = {c.KIND_REMINDER: "r", c.KIND_MOVED: "m"}  # the `cs:dt:<booking>:<kind>` kinds


async def test_no_message_about_a_sensitive_consultation_names_it_on_the_lock_screen(
    sessionmaker: Sessionmaker,
) -> None:
    t = Translator()
    clock: Callable[[], datetime] = lambda: START + timedelta(days=1)  # noqa: E731 (Tuesday)
    renderers = screens.renderers(WAW, clock)
    assert set(renderers) == CHECKED_KINDS, "a new consultation message kind: check it here"
    club = await _club(sessionmaker)
    participants = await _participants(sessionmaker)
    booked: list[tuple[str, str, int, Referral]] = []
    for lang, person in participants.items():
        for slug, (service, _, _) in club.items():
            booking_id, referral = await _book(sessionmaker, person, service)
            booked.append((lang, slug, booking_id, referral))
    await _close_wednesday(sessionmaker)

    checked: set[tuple[str, str, str]] = set()
    async with sessionmaker() as s:
        rows = list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        for lang, slug, booking_id, referral in booked:
            service, _, specialist = club[slug]
            mine = [r for r in rows if r.ref_id == booking_id and r.kind in CHECKED_KINDS]
            assert {r.kind for r in mine} == CHECKED_KINDS
            view = await c.load_booking(s, booking_id)
            assert view is not None
            for row in mine:
                rendered = await renderers[row.kind](s, row, t)
                assert isinstance(rendered, Rendered)
                found = leaks(rendered.text, service, specialist)
                assert not found, f"{row.kind} ({lang}, {slug}) shows {found}: {rendered.text!r}"
                # "Show details" is one tap away, for this booking only, and reveals them.
                kind = DETAILS_KIND[row.kind]
                assert _details_data(rendered) == f"cs:dt:{booking_id}:{kind}"
                details = screens.DETAILS[kind](t, lang, view, clock(), WAW)
                _revealed(details, service, lang, specialist)
                checked.add((row.kind, lang, slug))

            # The referral notice a coordinator's "Issue" sends.
            text, markup = screens.referral_notice(t, lang, service, referral)
            found = leaks(text, service, specialist)
            assert not found, f"referral notice ({lang}, {slug}) shows {found}: {text!r}"
            assert _details_data(Rendered(text, markup)) == f"cs:rf:{referral.id}"
            full, _ = screens.referral_notice(t, lang, service, referral, details=True)
            assert service.name(lang) in html.unescape(full)
            checked.add(("referral", lang, slug))
    assert len(checked) == 3 * len(SUPPORTED_LANGUAGES) * len(club)

    # The specialists' morning agenda: no service, no participant on their lock screen.
    staff_renderers = staff_consult.renderers(WAW)
    assert set(staff_renderers) == {c.KIND_AGENDA}, "a new staff message kind: check it here"
    wednesday_morning = START + timedelta(days=2, hours=-2, minutes=-30)  # 07:30 local
    async with sessionmaker.begin() as s:
        assert await c.enqueue_daily_agendas(s, now=wednesday_morning, tz=WAW) == len(club)
    names = [p.display_name or "" for p in participants.values()]
    for lang in SUPPORTED_LANGUAGES:
        async with sessionmaker.begin() as s:
            for tid in (PSYCHOLOGIST_TID, LAWYER_TID):
                staff = await people.get_by_telegram_id(s, tid)
                assert staff is not None
                staff.language = lang
        async with sessionmaker() as s:
            rows = list(
                await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == c.KIND_AGENDA))
            )
            assert len(rows) == len(club)
            for row in rows:
                [(service, _, specialist)] = [v for v in club.values() if v[1] == row.person_id]
                rendered = await staff_renderers[c.KIND_AGENDA](s, row, t)
                assert isinstance(rendered, Rendered)
                found = leaks(rendered.text, service, specialist)
                found += [n for n in names if n.lower() in preview(rendered.text)]
                assert not found, f"agenda ({lang}) shows {found}: {rendered.text!r}"
                assert _agenda_data(rendered) == f"cx:a:{row.person_id}:20270303"


def _agenda_data(rendered: Rendered) -> str:
    assert rendered.reply_markup is not None
    [data] = [str(b.callback_data) for row in rendered.reply_markup.inline_keyboard for b in row]
    return data


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_the_giveaway_check_catches_what_the_old_wording_showed(lang: str) -> None:
    """The check itself: the wording of a non-discreet reminder is caught."""
    service = ServiceType(
        name_pl="Konsultacja psychologiczna",
        name_uk="Консультація психолога",
        name_en="Psychological consultation",
    )
    t = Translator()
    text = t(lang, "cs-remind", service=service.name(lang), when="jutro", time="10:00")
    assert leaks(text, service, PSYCHOLOGIST)
    assert leaks("⏰ …\n" + t(lang, "cs-with", name=PSYCHOLOGIST), service, PSYCHOLOGIST)
