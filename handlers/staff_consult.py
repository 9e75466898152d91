"""Staff screens for consultations: referrals (for a participant found by name or phone, or as
a single-use link), a participant's referrals with Revoke, the specialists' day agendas with
attended / no-show marks and the morning agenda message (queued by the job registry's
`consult-morning-agenda`, scheduler/daily.py).

Callback data (`cx:<action>[:<id>...]`; every press is re-authorised in the services):

| data | screen |
| --- | --- |
| `cx:rf` | referrals menu (coordinators, admins) |
| `cx:f` | "type part of a name or phone" (`person.awaiting = "cx_find"`) |
| `cx:p:<person>` | a participant's card: their referrals, New referral |
| `cx:d:<person>[:<service>[:<sessions>[:<days>]]]` | the draft, a choice a step (person 0: link) |
| `cx:y:<person>:<service>:<sessions>:<days>` | issue it (person 0: make the link) |
| `cx:rv:<referral>` / `cx:rvy:<referral>` | revoke? / revoke |
| `cx:my` | my agenda today (specialists) |
| `cx:sp` | the specialists, to open one's agenda (coordinators, admins) |
| `cx:a:<specialist>:<YYYYMMDD>` | a specialist's day |
| `cx:o:<booking>:<1 or 0>` | mark attended (1) / no-show (0), then the day again |
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import Deps, KisContext
from bot.i18n import Translator
from handlers.callbacks import Callback, encode
from handlers.common import answer, edit_or_reply, reply, send_to
from handlers.consultations import referral_notice
from handlers.formatting import clock_time
from models import OutboxMessage, Person, PersonStatus, Referral, Role, ServiceType
from scheduler.rendering import Rendered, Renderer
from services import consultations, participant_search, people
from services.errors import AlreadyDecided, InvalidInput, NotAllowed, NotFound

log = logging.getLogger(__name__)

SESSION_CHOICES = (1, 2, 3, 4, 5, 6, 8, 10)
DAY_CHOICES = (30, 60, 90)
FIND = "cx_find"
LINK = 0  # the "person" of a referral draft that becomes a deep link
DOUBLE_TAP = timedelta(minutes=2)  # the same referral again this soon is a repeated tap
MARK = {"attended": "✅", "no_show": "❌"}  # anything else: not marked yet
LINE_MARK = {"booked": "🕒", "attended": "✅", "no_show": "❌", "unmarked": "❔"}
REFERRAL_REASONS = {
    "consult-referral-not-needed": "cx-referral-not-needed",
    "consult-referral-person": "cx-referral-person",
    "consult-referral-sessions": "button-stale",
    "consult-referral-expiry": "button-stale",
}


def _btn(text: str, action: str, *args: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=encode("cx", action, *args))


def _tid(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _day_code(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _parse_day(code: int) -> date:
    return date(code // 10000, code // 100 % 100, code % 100)  # ValueError when forged


def _until(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _long_day(day: date, lang: str) -> str:
    return format_date(day, "EEEE, d MMMM", locale=lang)


def _short_day(day: date, lang: str) -> str:
    return format_date(day, "EEE d.MM", locale=lang)


def _today(deps: Deps) -> date:
    return deps.clock().astimezone(deps.policy.tz).date()


def _cancel_keyboard(t: Translator, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(lang, "btn-cancel"), callback_data="st:cx")]]
    )


# --- referrals -------------------------------------------------------------------------


async def show_referrals_menu(update: Update, context: KisContext, person: Person) -> None:
    """Issue a referral to a participant found by name, or make a referral link."""
    t, lang = context.deps.i18n, person.language
    async with context.deps.read() as session:
        await people.require_role(session, _tid(update), consultations.CONSULT_MANAGERS)
    rows = [
        [_btn(t(lang, "btn-cx-find"), "f")],
        [_btn(t(lang, "btn-cx-link"), "d", LINK)],
    ]
    await edit_or_reply(update, t(lang, "cx-referrals-title"), InlineKeyboardMarkup(rows))


async def ask_find(update: Update, context: KisContext, person: Person) -> None:
    """Ask for part of a participant's name or phone (the answer comes as typed text)."""
    t = context.deps.i18n
    async with context.deps.transaction() as session:
        actor = await people.require_role(session, _tid(update), consultations.CONSULT_MANAGERS)
        actor.awaiting = FIND
        lang = actor.language
    await reply(update, t(lang, "cx-find-ask"), _cancel_keyboard(t, lang))
    await answer(update)


def expects(awaiting: str | None) -> bool:
    """True when a staff member's next typed text belongs to these screens."""
    return (awaiting or "").startswith("cx_")


async def on_text(update: Update, context: KisContext, person: Person, text: str) -> None:
    """Typed answers for cx_* prompts (only the participant search so far)."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    if person.awaiting != FIND:  # a prompt of an older version: forget it
        async with deps.transaction() as session:
            await people.set_awaiting(session, person.id, None)
        await reply(update, t(lang, "button-stale"))
        return
    try:
        async with deps.transaction() as session:
            found = await participant_search.search_participants(
                session, actor_tid=_tid(update), query=text
            )
            if found.people:
                await people.set_awaiting(session, person.id, None)
    except InvalidInput as exc:
        await reply(update, t(lang, exc.reason), _cancel_keyboard(t, lang))
        return
    except NotAllowed:
        async with deps.transaction() as session:
            await people.set_awaiting(session, person.id, None)
        await reply(update, t(lang, "staff-only"))
        return
    if not found.people:
        await reply(update, t(lang, "cx-find-none"), _cancel_keyboard(t, lang))
        return
    rows = [[_btn(_person_label(p), "p", p.id)] for p in found.people]
    rows.append([_btn(t(lang, "btn-cx-search-again"), "f")])
    text_out = t(lang, "cx-find-results")
    if found.more:
        text_out += "\n" + t(lang, "cx-find-more", count=len(found.people))
    await reply(update, text_out, InlineKeyboardMarkup(rows))


def _person_label(p: Person) -> str:
    """Name, and the phone's last three digits to tell two people of one name apart."""
    label = p.display_name or "—"
    digits = "".join(ch for ch in p.phone or "" if ch.isdigit())
    if len(digits) >= 3:
        label += f" · …{digits[-3:]}"
    return label[:60]


def _referral_state(referral: Referral, today: date) -> str:
    if referral.revoked_at is not None:
        return "revoked"
    if referral.expires_on < today:
        return "expired"
    if referral.sessions_left == 0:
        return "used-up"
    return "active"


async def show_person(
    update: Update, context: KisContext, person: Person, pid: int, notice: str | None = None
) -> None:
    """A participant's referrals (newest first) with Revoke, and New referral; a press is
    answered once, with `notice` if given."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.read() as session:
        target = await participant_search.participant(
            session, actor_tid=_tid(update), person_id=pid
        )
        referrals = await consultations.list_referrals(
            session, actor_tid=_tid(update), person_id=pid
        )
        services = await _services(session)
    today = _today(deps)
    lines = [
        t(
            lang,
            "cx-person-card",
            name=html.escape(target.display_name or "—"),
            phone=html.escape(target.phone or "—"),
        ),
        "",
    ]
    rows = [[_btn(t(lang, "btn-cx-new-referral"), "d", pid)]]
    if not referrals:
        lines.append(t(lang, "cx-person-no-referrals"))
    else:
        lines.append(t(lang, "cx-person-referrals"))
    for referral in referrals:
        service = services[referral.service_type_id].name(lang)
        state = _referral_state(referral, today)
        lines.append(
            t(
                lang,
                "cx-referral-line",
                service=html.escape(service),
                used=referral.sessions_used,
                total=referral.sessions_total,
                until=_until(referral.expires_on),
                state=t(lang, f"cx-ref-{state}"),
            )
        )
        if state in ("active", "used-up"):
            label = t(lang, "btn-cx-revoke", service=service)
            rows.append([_btn(label[:60], "rv", referral.id)])
    rows.append([_btn(t(lang, "btn-cx-search-again"), "f")])
    await edit_or_reply(update, "\n".join(lines), InlineKeyboardMarkup(rows), notice)


async def _services(session: AsyncSession) -> dict[int, ServiceType]:
    return {s.id: s for s in await consultations.list_service_types(session, active_only=False)}


async def _draft_target(
    session: AsyncSession, actor_tid: int, pid: int
) -> tuple[Person | None, str | None]:
    """The participant of a draft (None for a link) after checking the actor's role."""
    if pid == LINK:
        await people.require_role(session, actor_tid, consultations.CONSULT_MANAGERS)
        return None, None
    target = await participant_search.participant(session, actor_tid=actor_tid, person_id=pid)
    return target, target.display_name or "—"


def _draft_header(
    t: Translator,
    lang: str,
    name: str | None,
    service: ServiceType | None = None,
    sessions: int | None = None,
) -> list[str]:
    lines = [
        t(lang, "cx-draft-person", name=html.escape(name))
        if name is not None
        else t(lang, "cx-draft-link")
    ]
    if service is not None:
        lines.append(t(lang, "cx-draft-service", service=html.escape(service.name(lang))))
    if sessions is not None:
        lines.append(t(lang, "cx-draft-sessions", sessions=sessions))
    return [*lines, ""]


async def draft(update: Update, context: KisContext, person: Person, cb: Callback) -> None:
    """The next choice of a referral draft: service → sessions → validity → confirm."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    pid = cb.int_arg(0)
    sid = cb.int_arg(1) if len(cb.args) > 1 else None
    sessions = cb.int_arg(2) if len(cb.args) > 2 else None
    days = cb.int_arg(3) if len(cb.args) > 3 else None
    if len(cb.args) > 4 or (sessions is not None and sessions not in SESSION_CHOICES):
        raise ValueError("forged draft")
    if days is not None and days not in DAY_CHOICES:
        raise ValueError("forged draft")
    async with deps.read() as session:
        _, name = await _draft_target(session, _tid(update), pid)
        if sid is None:
            choices = [
                s for s in await consultations.list_service_types(session) if s.requires_referral
            ]
            service = None
        else:
            service = await consultations.get_service_type(session, sid)
            if not service.requires_referral or not service.active:
                raise NotFound()
    back = ("p", pid) if pid != LINK else ("rf",)
    lines = _draft_header(t, lang, name, service, sessions)
    if service is None:
        if not choices:
            lines.append(t(lang, "cx-no-services"))
        else:
            lines.append(t(lang, "cx-ask-service"))
        rows = [[_btn(s.name(lang)[:60], "d", pid, s.id)] for s in choices]
    elif sessions is None:
        lines.append(t(lang, "cx-ask-sessions"))
        numbers = [_btn(str(n), "d", pid, service.id, n) for n in SESSION_CHOICES]
        rows = [numbers[:4], numbers[4:]]
    elif days is None:
        lines.append(t(lang, "cx-ask-days"))
        rows = [
            [
                _btn(t(lang, "btn-cx-days", days=d), "d", pid, service.id, sessions, d)
                for d in DAY_CHOICES
            ]
        ]
    else:
        until = _today(deps) + timedelta(days=days)
        lines = [*lines[:-1], t(lang, "cx-draft-until", until=_until(until)), ""]
        lines.append(t(lang, "cx-confirm-link" if pid == LINK else "cx-confirm-person"))
        label = "btn-cx-make-link" if pid == LINK else "btn-cx-issue"
        rows = [[_btn(t(lang, label), "y", pid, service.id, sessions, days)]]
    rows.append([_btn(t(lang, "btn-back"), *back)])
    await edit_or_reply(update, "\n".join(lines), InlineKeyboardMarkup(rows))


async def issue(update: Update, context: KisContext, person: Person, cb: Callback) -> None:
    """Issue the drafted referral (and tell the participant) or make the referral link."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    pid, sid, sessions, days = (cb.int_arg(i) for i in range(4))
    if sessions not in SESSION_CHOICES or days not in DAY_CHOICES or len(cb.args) != 4:
        raise ValueError("forged referral")
    tid, now = _tid(update), deps.clock()
    expires_on = now.astimezone(tz).date() + timedelta(days=days)
    terms: dict[str, Any] = {
        "actor_tid": tid,
        "service_type_id": sid,
        "sessions": sessions,
        "expires_on": expires_on,
        "now": now,
        "tz": tz,
    }
    referral: Referral | None = None
    try:
        async with deps.transaction() as session:
            target, name = await _draft_target(session, tid, pid)
            service = await consultations.get_service_type(session, sid)
            if target is None:
                referral = await consultations.issue_referral_code(session, **terms)
            elif (
                # A second tap on "Issue" finds the referral it made seconds ago: nothing new.
                await participant_search.recent_referral(
                    session,
                    actor_tid=tid,
                    person_id=target.id,
                    service_type_id=sid,
                    since=now - DOUBLE_TAP,
                )
                is None
            ):
                referral = await consultations.issue_referral(session, person_id=target.id, **terms)
    except InvalidInput as exc:
        text = t(lang, REFERRAL_REASONS.get(exc.reason, "button-stale"))
        await edit_or_reply(update, text, notice=text)
        return
    if referral is None:
        await answer(update, t(lang, "cx-already-issued"), alert=True)
        return
    facts = {"service": html.escape(service.name(lang)), "sessions": sessions}
    if target is None:
        assert referral.code is not None
        link = consultations.referral_link(context.bot.username, referral.code)
        text = t(lang, "cx-link-created", link=html.escape(link), until=_until(expires_on), **facts)
        await edit_or_reply(update, text)
        return
    # After the commit: the participant hears about it in their own language.
    assert target.telegram_id is not None
    # For a sensitive service the notice opens neutrally (a lock screen shows its first lines).
    notice, notice_markup = referral_notice(t, target.language, service, referral)
    delivered = await send_to(context, target.telegram_id, notice, notice_markup)
    done = t(
        lang,
        "cx-issued" if delivered else "cx-issued-unreachable",
        name=html.escape(name or "—"),
        until=_until(expires_on),
        **facts,
    )
    markup = InlineKeyboardMarkup([[_btn(t(lang, "btn-open"), "p", target.id)]])
    await edit_or_reply(update, done, markup)


async def ask_revoke(update: Update, context: KisContext, person: Person, rid: int) -> None:
    """Revoke this referral? (Bookings already made stay.)"""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.read() as session:
        referral = await _referral(session, _tid(update), rid)
        target = await participant_search.participant(
            session, actor_tid=_tid(update), person_id=referral.person_id or 0
        )
        service = await consultations.get_service_type(session, referral.service_type_id)
    text = t(
        lang,
        "cx-revoke-confirm",
        service=html.escape(service.name(lang)),
        name=html.escape(target.display_name or "—"),
    )
    rows = [
        [_btn(t(lang, "btn-cx-revoke-yes"), "rvy", rid)],
        [_btn(t(lang, "btn-back"), "p", target.id)],
    ]
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def _referral(session: AsyncSession, actor_tid: int, rid: int) -> Referral:
    await people.require_role(session, actor_tid, consultations.CONSULT_MANAGERS)
    referral = await session.get(Referral, rid)
    if referral is None or referral.person_id is None:
        raise NotFound()
    return referral


async def revoke(update: Update, context: KisContext, person: Person, rid: int) -> None:
    """Revoke, then the participant's card again."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        async with deps.transaction() as session:
            referral = await _referral(session, _tid(update), rid)
            await consultations.revoke_referral(
                session, actor_tid=_tid(update), referral_id=rid, now=deps.clock()
            )
            pid = referral.person_id
    except AlreadyDecided:
        await answer(update, t(lang, "cx-already-revoked"), alert=True)
        return
    assert pid is not None
    await show_person(update, context, person, pid, t(lang, "cx-revoked"))


# --- agendas ---------------------------------------------------------------------------


async def show_specialists(update: Update, context: KisContext, person: Person) -> None:
    """Coordinators and admins: whose agenda to open (today)."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.read() as session:
        items = await participant_search.specialists(session, actor_tid=_tid(update))
    today = _day_code(_today(deps))
    rows = [[_btn((p.display_name or "—")[:60], "a", p.id, today)] for p in items]
    text = t(lang, "cx-specialists-title" if items else "cx-no-specialists")
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows) if rows else None)


def _agenda_lines(
    t: Translator, lang: str, entries: list[consultations.AgendaEntry], tz: ZoneInfo
) -> list[str]:
    lines = []
    for e in entries:
        lines.append(
            t(
                lang,
                "cx-agenda-line",
                mark=LINE_MARK.get(e.status, "•"),
                start=clock_time(e.starts_at, tz),
                end=clock_time(e.ends_at, tz),
                name=html.escape(e.participant_name or "—"),
                status=t(lang, f"cx-status-{e.status.replace('_', '-')}"),
                service=html.escape(e.service.name(lang)),
                place=html.escape(e.place or "—"),
            )
        )
    return lines


async def show_agenda(
    update: Update, context: KisContext, person: Person, specialist_id: int, day: date
) -> None:
    """One specialist's day: who, when, what, where, and attendance toggles once it started."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.read() as session:
        entries = await consultations.agenda_for(
            session, actor_tid=_tid(update), specialist_id=specialist_id, day=day, tz=tz
        )
        specialist = await session.get(Person, specialist_id)
    own = person.id == specialist_id
    name = (
        t(lang, "cx-agenda-mine")
        if own
        else html.escape((specialist.display_name if specialist else None) or "—")
    )
    lines = [t(lang, "cx-agenda-title", name=name, day=_long_day(day, lang)), ""]
    lines += _agenda_lines(t, lang, entries, tz) or [t(lang, "cx-agenda-empty")]
    today = _today(deps)
    rows = []
    if day <= today and entries:
        lines += ["", t(lang, "cx-agenda-hint")]
        for e in entries:
            if e.booking_id is None:
                continue
            attended = e.status == "attended"
            label = f"{MARK.get(e.status, '❔')} {clock_time(e.starts_at, tz)} {e.participant_name}"
            rows.append([_btn(label[:60], "o", e.booking_id, 0 if attended else 1)])
    prev_day, next_day = day - timedelta(days=1), day + timedelta(days=1)
    rows.append(
        [
            _btn("⬅️ " + _short_day(prev_day, lang), "a", specialist_id, _day_code(prev_day)),
            _btn(t(lang, "btn-cx-today"), "a", specialist_id, _day_code(today)),
            _btn(_short_day(next_day, lang) + " ➡️", "a", specialist_id, _day_code(next_day)),
        ]
    )
    if person.role in consultations.CONSULT_MANAGERS:
        rows.append([_btn(t(lang, "btn-cx-specialists"), "sp")])
    await edit_or_reply(update, "\n".join(lines), InlineKeyboardMarkup(rows))


async def show_my_agenda(update: Update, context: KisContext, person: Person) -> None:
    """A specialist's own day (today)."""
    await show_agenda(update, context, person, person.id, _today(context.deps))


async def mark(update: Update, context: KisContext, person: Person, cb: Callback) -> None:
    """Attended / no-show for one booking, then the day again."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    booking_id, outcome = cb.id_arg(0), cb.int_arg(1)
    if outcome not in (0, 1):
        raise ValueError("forged outcome")
    try:
        async with deps.transaction() as session:
            view = await consultations.mark_outcome(
                session,
                actor_tid=_tid(update),
                booking_id=booking_id,
                attended=outcome == 1,
                now=deps.clock(),
            )
    except InvalidInput:
        await answer(update, t(lang, "cx-not-started"), alert=True)
        return
    except consultations.BookingClosed:
        await answer(update, t(lang, "cx-booking-closed"), alert=True)
        return
    day = view.slot.starts_at.astimezone(tz).date()
    await show_agenda(update, context, person, view.slot.specialist_id, day)


# --- the button router -----------------------------------------------------------------


async def _agenda_cb(update: Update, context: KisContext, person: Person, cb: Callback) -> None:
    await show_agenda(update, context, person, cb.id_arg(0), _parse_day(cb.int_arg(1)))


async def _person_cb(update: Update, context: KisContext, person: Person, cb: Callback) -> None:
    await show_person(update, context, person, cb.id_arg())


async def _revoke_cb(update: Update, context: KisContext, person: Person, cb: Callback) -> None:
    await ask_revoke(update, context, person, cb.id_arg())


async def _revoke_yes_cb(update: Update, context: KisContext, person: Person, cb: Callback) -> None:
    await revoke(update, context, person, cb.id_arg())


def _plain(
    screen: Callable[[Update, KisContext, Person], Awaitable[None]],
) -> Callable[[Update, KisContext, Person, Callback], Awaitable[None]]:
    async def run(update: Update, context: KisContext, person: Person, cb: Callback) -> None:
        await screen(update, context, person)

    return run


ACTIONS: dict[str, Callable[[Update, KisContext, Person, Callback], Awaitable[None]]] = {
    "rf": _plain(show_referrals_menu),
    "f": _plain(ask_find),
    "p": _person_cb,
    "d": draft,
    "y": issue,
    "rv": _revoke_cb,
    "rvy": _revoke_yes_cb,
    "my": _plain(show_my_agenda),
    "sp": _plain(show_specialists),
    "a": _agenda_cb,
    "o": mark,
}


async def on_callback(
    update: Update, context: KisContext, person: Person | None, cb: Callback
) -> None:
    """cx:* buttons: staff only, re-authorised in every service call."""
    lang = person.language if person else context.deps.settings.default_language
    t = context.deps.i18n
    if person is None or not person.is_staff or cb.action not in ACTIONS:
        key = "button-stale" if person is not None and person.is_staff else "staff-only"
        await answer(update, t(lang, key), alert=True)
        return
    try:
        await ACTIONS[cb.action](update, context, person, cb)
    except NotAllowed:
        await answer(update, t(lang, "staff-only"), alert=True)
    except (NotFound, IndexError, ValueError):
        await answer(update, t(lang, "button-stale"), alert=True)


# --- the morning agenda (outbox; queued by scheduler.daily) --------------------------------


async def render_agenda(
    session: AsyncSession, row: OutboxMessage, t: Translator, tz: ZoneInfo
) -> Rendered | None:
    """The day's agenda for its specialist (`row.person_id`), in their language now; nothing
    when they are no longer an active specialist or every appointment was cancelled. With a
    sensitive service among them only how many and the first time (the lock screen)."""
    if row.person_id is None:
        return None
    specialist = await session.get(Person, row.person_id)
    if (
        specialist is None
        or specialist.telegram_id is None
        or specialist.role != Role.SPECIALIST.value
        or specialist.status != PersonStatus.ACTIVE.value
    ):
        return None
    day = date.fromisoformat(str((row.payload or {}).get("day", "")))
    entries = await consultations.agenda(session, specialist.id, day, tz)
    if not entries:
        return None
    lang = specialist.language
    lines = [t(lang, "cx-morning-title", day=_long_day(day, lang)), ""]
    if any(e.service.sensitive for e in entries):
        # A locked phone previews the message: no participant next to a psychologist's or
        # lawyer's service there; "Open the agenda" (re-authorised) shows the day.
        first = clock_time(min(e.starts_at for e in entries), tz)
        lines.append(t(lang, "cx-morning-discreet", count=len(entries), time=first))
    else:
        lines += _agenda_lines(t, lang, entries, tz)
    markup = InlineKeyboardMarkup(
        [[_btn(t(lang, "btn-cx-open-agenda"), "a", specialist.id, _day_code(day))]]
    )
    return Rendered("\n".join(lines), markup)


def renderers(tz: ZoneInfo) -> dict[str, Renderer]:
    """Outbox renderers for staff messages (the morning agenda)."""

    async def agenda_renderer(
        session: AsyncSession, row: OutboxMessage, t: Translator
    ) -> Rendered | None:
        return await render_agenda(session, row, t, tz)

    return {consultations.KIND_AGENDA: agenda_renderer}
