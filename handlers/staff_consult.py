"""Staff screens for consultations: referrals (for a participant found by name or phone, or as
a single-use link), a participant's referrals with Revoke, the specialists' day agendas with
attended / no-show marks and the morning agenda message (queued by the job registry's
`consult-morning-agenda`, scheduler/daily.py).

Buttons: `handlers.buttons.staff_consult` (`cx:…`, the same data as before they were typed;
the typed answer is `cx_find`); every press is re-authorised in the services.
"""

from __future__ import annotations

import html
import logging
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import Deps, KisContext
from bot.i18n import Translator
from handlers.buttons import BadCallback
from handlers.buttons import staff_consult as cx
from handlers.common import answer, edit_or_reply, reply, send_to
from handlers.consultations import referral_notice
from handlers.entry import stale
from handlers.formatting import clock_time
from models import OutboxMessage, Person, Referral, ServiceType
from scheduler.rendering import Rendered, Renderer
from services import consultations, participant_search, people
from services.errors import InvalidInput, NotAllowed, NotFound

log = logging.getLogger(__name__)

SESSION_CHOICES = (1, 2, 3, 4, 5, 6, 8, 10)
DAY_CHOICES = (30, 60, 90)
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


def _tid(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


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
        [cx.Find().button(t(lang, "btn-cx-find"))],
        [cx.Draft(LINK).button(t(lang, "btn-cx-link"))],
    ]
    await edit_or_reply(update, t(lang, "cx-referrals-title"), InlineKeyboardMarkup(rows))


async def ask_find(update: Update, context: KisContext, person: Person) -> None:
    """Ask for part of a participant's name or phone (the answer comes as typed text)."""
    t = context.deps.i18n
    async with context.deps.transaction() as session:
        actor = await people.require_role(session, _tid(update), consultations.CONSULT_MANAGERS)
        actor.awaiting = cx.Search().pack()
        lang = actor.language
    await reply(update, t(lang, "cx-find-ask"), _cancel_keyboard(t, lang))
    await answer(update)


def expects(awaiting: str | None) -> bool:
    """True when a staff member's next typed text belongs to these screens."""
    return (awaiting or "").startswith("cx_")


async def on_text(update: Update, context: KisContext, person: Person, text: str) -> None:
    """Typed answers for cx_* prompts (only the participant search so far)."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        cx.CxPrompt.unpack(person.awaiting)  # only the participant search so far
    except BadCallback:  # a prompt of an older version: forget it
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
    rows = [[cx.PersonCard(p.id).button(_person_label(p))] for p in found.people]
    rows.append([cx.Find().button(t(lang, "btn-cx-search-again"))])
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
    rows = [[cx.Draft(pid).button(t(lang, "btn-cx-new-referral"))]]
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
            rows.append([cx.AskRevoke(referral.id).button(label[:60])])
    rows.append([cx.Find().button(t(lang, "btn-cx-search-again"))])
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


def _offered(sessions: int, days: int) -> bool:
    """Whether these terms are among the choices offered (0: not chosen yet)."""
    return sessions in (0, *SESSION_CHOICES) and days in (0, *DAY_CHOICES)


async def draft(update: Update, context: KisContext, person: Person, button: cx.Draft) -> None:
    """The next choice of a referral draft: service → sessions → validity → confirm."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    if not _offered(button.sessions, button.days):
        await stale(update, context, button.feature.value, person)
        return
    pid = button.person_id
    sid = button.service_id or None
    sessions = button.sessions or None
    days = button.days or None
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
    back = cx.PersonCard(pid) if pid != LINK else cx.Referrals()
    lines = _draft_header(t, lang, name, service, sessions)
    if service is None:
        if not choices:
            lines.append(t(lang, "cx-no-services"))
        else:
            lines.append(t(lang, "cx-ask-service"))
        rows = [[cx.Draft(pid, s.id).button(s.name(lang)[:60])] for s in choices]
    elif sessions is None:
        lines.append(t(lang, "cx-ask-sessions"))
        numbers = [cx.Draft(pid, service.id, n).button(str(n)) for n in SESSION_CHOICES]
        rows = [numbers[:4], numbers[4:]]
    elif days is None:
        lines.append(t(lang, "cx-ask-days"))
        rows = [
            [
                cx.Draft(pid, service.id, sessions, d).button(t(lang, "btn-cx-days", days=d))
                for d in DAY_CHOICES
            ]
        ]
    else:
        until = _today(deps) + timedelta(days=days)
        lines = [*lines[:-1], t(lang, "cx-draft-until", until=_until(until)), ""]
        lines.append(t(lang, "cx-confirm-link" if pid == LINK else "cx-confirm-person"))
        label = "btn-cx-make-link" if pid == LINK else "btn-cx-issue"
        rows = [[cx.Issue(pid, service.id, sessions, days).button(t(lang, label))]]
    rows.append([back.button(t(lang, "btn-back"))])
    await edit_or_reply(update, "\n".join(lines), InlineKeyboardMarkup(rows))


async def issue(update: Update, context: KisContext, person: Person, button: cx.Issue) -> None:
    """Issue the drafted referral (and tell the participant) or make the referral link."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    pid, sid, sessions, days = button.person_id, button.service_id, button.sessions, button.days
    if not _offered(sessions, days):
        await stale(update, context, button.feature.value, person)
        return
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
    markup = InlineKeyboardMarkup([[cx.PersonCard(target.id).button(t(lang, "btn-open"))]])
    await edit_or_reply(update, done, markup)


async def ask_revoke(update: Update, context: KisContext, person: Person, rid: int) -> None:
    """Revoke this referral? (Bookings already made stay.)"""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.read() as session:
        referral = await consultations.referral_for_staff(
            session, actor_tid=_tid(update), referral_id=rid
        )
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
        [cx.Revoke(rid).button(t(lang, "btn-cx-revoke-yes"))],
        [cx.PersonCard(target.id).button(t(lang, "btn-back"))],
    ]
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def revoke(update: Update, context: KisContext, person: Person, rid: int) -> None:
    """Revoke, then the participant's card again."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.transaction() as session:  # AlreadyDecided: see handlers.entry.REFUSALS
        referral = await consultations.referral_for_staff(
            session, actor_tid=_tid(update), referral_id=rid
        )
        await consultations.revoke_referral(
            session, actor_tid=_tid(update), referral_id=rid, now=deps.clock()
        )
        pid = referral.person_id
    assert pid is not None
    await show_person(update, context, person, pid, t(lang, "cx-revoked"))


# --- agendas ---------------------------------------------------------------------------


async def show_specialists(update: Update, context: KisContext, person: Person) -> None:
    """Coordinators and admins: whose agenda to open (today)."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.read() as session:
        items = await participant_search.specialists(session, actor_tid=_tid(update))
    today = _today(deps)
    rows = [[cx.Agenda(p.id, today).button((p.display_name or "—")[:60])] for p in items]
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
        specialist = await consultations.specialist_name(session, specialist_id)
    own = person.id == specialist_id
    name = t(lang, "cx-agenda-mine") if own else html.escape(specialist or "—")
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
            rows.append([cx.Mark(e.booking_id, not attended).button(label[:60])])
    prev_day, next_day = day - timedelta(days=1), day + timedelta(days=1)
    rows.append(
        [
            cx.Agenda(specialist_id, prev_day).button("⬅️ " + _short_day(prev_day, lang)),
            cx.Agenda(specialist_id, today).button(t(lang, "btn-cx-today")),
            cx.Agenda(specialist_id, next_day).button(_short_day(next_day, lang) + " ➡️"),
        ]
    )
    if person.role in consultations.CONSULT_MANAGERS:
        rows.append([cx.Specialists().button(t(lang, "btn-cx-specialists"))])
    await edit_or_reply(update, "\n".join(lines), InlineKeyboardMarkup(rows))


async def show_my_agenda(update: Update, context: KisContext, person: Person) -> None:
    """A specialist's own day (today)."""
    await show_agenda(update, context, person, person.id, _today(context.deps))


async def mark(
    update: Update, context: KisContext, person: Person, booking_id: int, attended: bool
) -> None:
    """Attended / no-show for one booking, then the day again."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    try:
        async with deps.transaction() as session:  # BookingClosed: see handlers.entry.REFUSALS
            view = await consultations.mark_outcome(
                session,
                actor_tid=_tid(update),
                booking_id=booking_id,
                attended=attended,
                now=deps.clock(),
            )
    except InvalidInput:  # the appointment has not started yet
        await answer(update, t(lang, "cx-not-started"), alert=True)
        return
    day = view.slot.starts_at.astimezone(tz).date()
    await show_agenda(update, context, person, view.slot.specialist_id, day)


# --- the button router -----------------------------------------------------------------


async def on_button(update: Update, context: KisContext, person: Person, button: cx.Cx) -> None:
    """cx:* presses of an active staff member, re-authorised in every service call."""
    match button:
        case cx.Referrals():
            await show_referrals_menu(update, context, person)
        case cx.Find():
            await ask_find(update, context, person)
        case cx.PersonCard(person_id=pid):
            await show_person(update, context, person, pid)
        case cx.Draft():
            await draft(update, context, person, button)
        case cx.Issue():
            await issue(update, context, person, button)
        case cx.AskRevoke(referral_id=rid):
            await ask_revoke(update, context, person, rid)
        case cx.Revoke(referral_id=rid):
            await revoke(update, context, person, rid)
        case cx.MyAgenda():
            await show_my_agenda(update, context, person)
        case cx.Specialists():
            await show_specialists(update, context, person)
        case cx.Agenda(specialist_id=sid, day=day):
            await show_agenda(update, context, person, sid, day)
        case cx.Mark(booking_id=bid, attended=attended):
            await mark(update, context, person, bid, attended)
        case _:
            raise AssertionError(f"unhandled staff consultation button {button!r}")


# --- the morning agenda (outbox; queued by scheduler.daily) --------------------------------


async def render_agenda(
    session: AsyncSession, row: OutboxMessage, t: Translator, tz: ZoneInfo
) -> Rendered | None:
    """The day's agenda for its specialist (`row.person_id`), in their language now; nothing
    when they are no longer an active specialist or every appointment was cancelled. With a
    sensitive service among them only how many and the first time (the lock screen)."""
    day = date.fromisoformat(str((row.payload or {}).get("day", "")))
    found = await consultations.morning_agenda(session, row.person_id, day, tz)
    if found is None:
        return None
    specialist, entries = found
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
        [[cx.Agenda(specialist.id, day).button(t(lang, "btn-cx-open-agenda"))]]
    )
    return Rendered("\n".join(lines), markup)


def renderers(tz: ZoneInfo) -> dict[str, Renderer]:
    """Outbox renderers for staff messages (the morning agenda)."""

    async def agenda_renderer(
        session: AsyncSession, row: OutboxMessage, t: Translator
    ) -> Rendered | None:
        return await render_agenda(session, row, t, tz)

    return {consultations.KIND_AGENDA: agenda_renderer}
