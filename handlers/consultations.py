"""Consultations for participants: pick a service, a day and a time; see, cancel or move the
booking; "I'll come" from a reminder; the reminder and "your slot moved" outbox messages.

Lock screens: a message sent out about a sensitive service (psychologist, lawyer) -- reminder,
hours change, referral notice -- opens with a neutral line and shows the service, specialist
and place only after "Show details", an edit the booking's owner alone can trigger.

Buttons: `handlers.buttons.consultations` (`cs:…`, the same data as before they were typed);
every id is checked against the person in the service.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import KisContext
from bot.i18n import Translator
from handlers import keyboards as kb
from handlers.buttons import consultations as cs
from handlers.childcare import care_button
from handlers.common import answer, edit_or_reply
from handlers.formatting import clock_time, long_when
from models import OutboxMessage, Person, Referral, ServiceType
from scheduler.dispatcher import wake_dispatcher
from scheduler.rendering import Rendered, Renderer
from services import consultations as consult
from services.calendar import session_ics
from services.errors import InvalidInput, NotFound
from services.workshops import CutoffPassed

DAYS_AHEAD = 28  # how far ahead participants see free days
MAX_DAYS_SHOWN = 10


def _day_label(day: date, lang: str) -> str:
    return format_date(day, "EEEE d MMMM", locale=lang)


def _when(view: consult.ConsultationView, tz: ZoneInfo, lang: str) -> str:
    return f"{long_when(view.slot.starts_at, tz, lang)}–{clock_time(view.slot.ends_at, tz)}"


def _booking_text(t: Translator, lang: str, view: consult.ConsultationView, tz: ZoneInfo) -> str:
    lines = [
        t(lang, "cs-booking", service=html.escape(view.service.name(lang))),
        _when(view, tz, lang),
        t(lang, "cs-with", name=html.escape(view.specialist_name)),
        t(lang, "cs-place", place=html.escape(view.slot.place or "—")),
    ]
    if view.slot.withdrawn_at is not None:
        lines.append(t(lang, "cs-moved-note"))
    if view.service.sensitive:
        key = "cs-discreet-on" if view.booking.reminders_neutral else "cs-discreet-off"
        lines.append(t(lang, key))
    return "\n".join(lines)


def _booking_keyboard(
    t: Translator, lang: str, view: consult.ConsultationView
) -> InlineKeyboardMarkup:
    bid = view.booking.id
    rows = [
        [
            cs.Move(bid).button(t(lang, "btn-cs-move")),
            cs.AskCancel(bid).button(t(lang, "btn-cs-cancel")),
        ],
        [cs.Calendar(bid).button(t(lang, "btn-ics"))],
        [care_button(t, lang, "c", bid)],
    ]
    if view.service.sensitive:
        neutral = view.booking.reminders_neutral
        label = "btn-cs-discreet-off" if neutral else "btn-cs-discreet-on"
        rows.append([cs.Discreet(bid, not neutral).button(t(lang, label))])
    return InlineKeyboardMarkup(rows)


# --- screens -------------------------------------------------------------------------------


async def show_services(update: Update, context: KisContext, person: Person) -> None:
    """The services one can book, with a mark on those already booked."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.read() as session:
        services = await consult.list_service_types(session)
        mine = await consult.my_consultations(session, person.id, deps.clock())
    booked = {v.service.id for v in mine}
    rows = [
        [cs.Service(s.id).button(("✅ " if s.id in booked else "") + s.name(lang))]
        for s in services
        if s.active
    ]
    if not rows:
        await edit_or_reply(update, t(lang, "cs-none"))
        return
    await edit_or_reply(update, t(lang, "cs-pick-service"), InlineKeyboardMarkup(rows))


async def show_service(update: Update, context: KisContext, person: Person, st_id: int) -> None:
    """The person's booking of this service, or how to get a referral, or the free days."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    now = deps.clock()
    async with deps.read() as session:
        service = await consult.get_service_type(session, st_id)
        if not service.active:
            raise NotFound()
        mine = await consult.my_consultations(session, person.id, now)
        state = await consult.referral_state(session, person.id, st_id, now.astimezone(tz).date())
        days = await consult.service_days(session, st_id, now=now, tz=tz, days=DAYS_AHEAD)
        left = await consult.sessions_left(session, person.id, st_id, now.astimezone(tz).date())
    name = html.escape(service.name(lang))
    current = next((v for v in mine if v.service.id == st_id), None)
    if current is not None:
        text = t(lang, "cs-already") + "\n\n" + _booking_text(t, lang, current, tz)
        await edit_or_reply(update, text, _booking_keyboard(t, lang, current))
        return
    back = [cs.Services().button(t(lang, "btn-back"))]
    if state == "none":
        await edit_or_reply(
            update, t(lang, "cs-need-referral", service=name), InlineKeyboardMarkup([back])
        )
        return
    if state == "used_up":
        await edit_or_reply(
            update, t(lang, "cs-quota-used", service=name), InlineKeyboardMarkup([back])
        )
        return
    await _show_days(update, context, person, name, days, lambda day: cs.Day(st_id, day), left)


async def _show_days(
    update: Update,
    context: KisContext,
    person: Person,
    name: str,
    days: list[date],
    press: Callable[[date], cs.Cs],
    left: int | None = None,
) -> None:
    """The free days, each button sending `press(day)`."""
    t, lang = context.deps.i18n, person.language
    back = [cs.Services().button(t(lang, "btn-back"))]
    if not days:
        await edit_or_reply(
            update, t(lang, "cs-no-days", service=name), InlineKeyboardMarkup([back])
        )
        return
    rows = [[press(day).button(_day_label(day, lang))] for day in days[:MAX_DAYS_SHOWN]]
    text = t(lang, "cs-pick-day", service=name)
    if left is not None:
        text += "\n" + t(lang, "cs-sessions-left", count=left)
    await edit_or_reply(update, text, InlineKeyboardMarkup([*rows, back]))


async def _show_times(
    update: Update,
    context: KisContext,
    person: Person,
    st_id: int,
    day: date,
    pick: Callable[[int], cs.Cs],
    back: InlineKeyboardButton,
) -> None:
    """Free times of a day; each time button sends `pick(slot id)`."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.read() as session:
        service = await consult.get_service_type(session, st_id)
        slots = await consult.free_slots(session, st_id, day, now=deps.clock(), tz=tz)
    name = html.escape(service.name(lang))
    if not slots:
        text = t(lang, "cs-day-gone", service=name)
        await edit_or_reply(update, text, InlineKeyboardMarkup([[back]]))
        return
    several = len({v.specialist_name for v in slots}) > 1
    per_row = 1 if several else 3
    buttons = [
        pick(v.slot.id).button(
            clock_time(v.slot.starts_at, tz) + (f" · {v.specialist_name}" if several else "")
        )
        for v in slots
    ]
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    text = t(lang, "cs-pick-time", service=name, day=_day_label(day, lang))
    await edit_or_reply(update, text, InlineKeyboardMarkup([*rows, [back]]))


async def _slot_summary(
    context: KisContext, session: AsyncSession, lang: str, slot_id: int
) -> tuple[str, int]:
    """The confirm text of a slot that is still free, and its service id; SlotTaken if not."""
    tz, t = context.deps.policy.tz, context.deps.i18n
    view, service = await consult.free_slot(session, slot_id, now=context.deps.clock(), tz=tz)
    slot = view.slot
    text = "\n".join(
        [
            t(lang, "cs-confirm", service=html.escape(service.name(lang))),
            f"{long_when(slot.starts_at, tz, lang)}–{clock_time(slot.ends_at, tz)}",
            t(lang, "cs-with", name=html.escape(view.specialist_name)),
            t(lang, "cs-place", place=html.escape(slot.place or "—")),
        ]
    )
    return text, service.id


async def ask_confirm(
    update: Update, context: KisContext, person: Person, slot_id: int, booking_id: int | None
) -> None:
    """The chosen time, with Confirm (book, or move `booking_id` there) and Back."""
    t, lang = context.deps.i18n, person.language
    try:
        async with context.deps.read() as session:
            if booking_id is not None:
                await consult.booking_view(session, person.id, booking_id)  # one's own only
            text, st_id = await _slot_summary(context, session, lang, slot_id)
    except consult.SlotTaken:
        await _slot_gone(update, context, person)
        return
    if booking_id is None:
        yes = cs.Book(slot_id).button(t(lang, "btn-cs-confirm"))
        back = cs.Service(st_id).button(t(lang, "btn-back"))
    else:
        yes = cs.MoveTo(booking_id, slot_id).button(t(lang, "btn-cs-confirm-move"))
        back = cs.Move(booking_id).button(t(lang, "btn-back"))
    await edit_or_reply(update, text, InlineKeyboardMarkup([[yes], [back]]))


async def _slot_gone(update: Update, context: KisContext, person: Person) -> None:
    t, lang = context.deps.i18n, person.language
    back = cs.Services().button(t(lang, "btn-back"))
    await edit_or_reply(update, t(lang, "cs-slot-taken"), InlineKeyboardMarkup([[back]]))


async def book(update: Update, context: KisContext, person: Person, slot_id: int) -> None:
    """Book the slot (referral session taken, reminders queued, all in one transaction)."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    try:
        async with deps.transaction() as session:
            view = await consult.book(
                session,
                person_id=person.id,
                slot_id=slot_id,
                now=deps.clock(),
                tz=tz,
                policy=context.deps.policy,
            )
    except consult.AlreadyBooked as exc:
        async with deps.read() as session:
            current = await consult.booking_view(session, person.id, exc.booking_id)
        text = t(lang, "cs-already") + "\n\n" + _booking_text(t, lang, current, tz)
        await edit_or_reply(update, text, _booking_keyboard(t, lang, current))
        return
    except consult.SlotTaken:
        await _slot_gone(update, context, person)
        return
    except (consult.ReferralRequired, consult.QuotaUsed) as exc:
        async with deps.read() as session:
            service = await consult.service_of_slot(session, slot_id)
        key = "cs-need-referral" if isinstance(exc, consult.ReferralRequired) else "cs-quota-used"
        back = InlineKeyboardMarkup([[cs.Services().button(t(lang, "btn-back"))]])
        await edit_or_reply(update, t(lang, key, service=html.escape(service.name(lang))), back)
        return
    wake_dispatcher(context.application)
    text = t(lang, "cs-booked") + "\n\n" + _booking_text(t, lang, view, tz)
    await edit_or_reply(update, text, _booking_keyboard(t, lang, view))


async def show_booking(
    update: Update, context: KisContext, person: Person, booking_id: int
) -> None:
    """One's own booking card (opened from "My bookings", so with a way back to it)."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.read() as session:
        view = await consult.booking_view(session, person.id, booking_id)
    back = [kb.my_bookings_button(t, lang)]
    if view.booking.status != "booked":
        await edit_or_reply(update, t(lang, "cs-not-active"), InlineKeyboardMarkup([back]))
        return
    rows = [*_booking_keyboard(t, lang, view).inline_keyboard, back]
    await edit_or_reply(update, _booking_text(t, lang, view, tz), InlineKeyboardMarkup(rows))


async def ask_cancel(update: Update, context: KisContext, person: Person, booking_id: int) -> None:
    """Are you sure? (Yes / No.)"""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.read() as session:
        view = await consult.booking_view(session, person.id, booking_id)
    if view.booking.status != "booked":
        await edit_or_reply(update, t(lang, "cs-not-active"))
        return
    text = t(lang, "cs-cancel-ask") + "\n\n" + _booking_text(t, lang, view, tz)
    rows = [
        [cs.Cancel(booking_id).button(t(lang, "btn-cancel-yes"))],
        [cs.Booking(booking_id).button(t(lang, "btn-cancel-no"))],
    ]
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def cancel(update: Update, context: KisContext, person: Person, booking_id: int) -> None:
    """Cancel before the cut-off; after it, say whom to call."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        async with deps.transaction() as session:
            view = await consult.cancel_booking(
                session,
                person_id=person.id,
                booking_id=booking_id,
                now=deps.clock(),
                policy=context.deps.policy,
            )
    except CutoffPassed:
        await edit_or_reply(update, t(lang, "cs-too-late"))
        return
    except consult.BookingClosed:
        await edit_or_reply(update, t(lang, "cs-not-active"))
        return
    await edit_or_reply(
        update, t(lang, "cs-cancelled", service=html.escape(view.service.name(lang)))
    )


async def ask_move(update: Update, context: KisContext, person: Person, booking_id: int) -> None:
    """Reschedule: the free days of the same service."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    now = deps.clock()
    async with deps.read() as session:
        view = await consult.booking_view(session, person.id, booking_id)
        days = await consult.service_days(session, view.service.id, now=now, tz=tz, days=DAYS_AHEAD)
    if view.booking.status != "booked":
        await edit_or_reply(update, t(lang, "cs-not-active"))
        return
    name = html.escape(view.service.name(lang))
    await _show_days(update, context, person, name, days, lambda day: cs.MoveDay(booking_id, day))


async def move(
    update: Update, context: KisContext, person: Person, booking_id: int, slot_id: int
) -> None:
    """Move the booking to the chosen slot (one transaction; same referral session)."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    try:
        async with deps.transaction() as session:
            view = await consult.reschedule(
                session,
                person_id=person.id,
                booking_id=booking_id,
                new_slot_id=slot_id,
                now=deps.clock(),
                tz=tz,
                policy=context.deps.policy,
            )
    except CutoffPassed:
        await edit_or_reply(update, t(lang, "cs-too-late"))
        return
    except consult.BookingClosed:
        await edit_or_reply(update, t(lang, "cs-not-active"))
        return
    except (consult.SlotTaken, InvalidInput):
        await _slot_gone(update, context, person)
        return
    wake_dispatcher(context.application)
    text = t(lang, "cs-moved") + "\n\n" + _booking_text(t, lang, view, tz)
    await edit_or_reply(update, text, _booking_keyboard(t, lang, view))


async def coming(update: Update, context: KisContext, person: Person, booking_id: int) -> None:
    """ "I'll come" from a reminder."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.transaction() as session:  # BookingClosed: see handlers.entry.REFUSALS
        await consult.confirm_booking(
            session, person_id=person.id, booking_id=booking_id, now=deps.clock()
        )
    await answer(update, t(lang, "cs-coming-thanks"))


async def set_discreet(
    update: Update, context: KisContext, person: Person, booking_id: int, neutral: bool
) -> None:
    """Discreet reminders (service and specialist behind "Show details") on or off."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.transaction() as session:
        view = await consult.set_reminders_neutral(
            session, person_id=person.id, booking_id=booking_id, neutral=neutral
        )
    await edit_or_reply(update, _booking_text(t, lang, view, tz), _booking_keyboard(t, lang, view))


async def send_ics(update: Update, context: KisContext, person: Person, booking_id: int) -> None:
    """An .ics file; for a sensitive service the calendar entry says only "Consultation"."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.read() as session:
        view = await consult.booking_view(session, person.id, booking_id)
    title = (
        t(lang, "cs-ics-neutral-title")
        if view.service.sensitive and view.booking.reminders_neutral
        else view.service.name(lang)
    )
    content = session_ics(
        uid=f"kis-cs-{view.booking.id}-{view.slot.id}@kis-bot",
        title=title,
        description="",
        place=view.slot.place,
        starts_at=view.slot.starts_at,
        ends_at=view.slot.ends_at,
        now=deps.clock(),
    )
    chat = update.effective_chat
    assert chat is not None
    await chat.send_document(document=content, filename="kis-konsultacja.ics", caption=title)
    await answer(update)


async def on_button(update: Update, context: KisContext, person: Person, button: cs.Cs) -> None:
    """cs:* presses of an active participant; every id is checked against them in the
    service (somebody else's is NotFound, answered as a stale button)."""
    match button:
        case cs.Services():
            await show_services(update, context, person)
        case cs.Service(service_id=st_id):
            await show_service(update, context, person, st_id)
        case cs.Day(service_id=st_id, day=day):
            back = cs.Service(st_id).button(context.deps.i18n(person.language, "btn-back"))
            await _show_times(update, context, person, st_id, day, cs.AskBook, back)
        case cs.AskBook(slot_id=slot_id):
            await ask_confirm(update, context, person, slot_id, None)
        case cs.Book(slot_id=slot_id):
            await book(update, context, person, slot_id)
        case cs.Booking(booking_id=bid):
            await show_booking(update, context, person, bid)
        case cs.AskCancel(booking_id=bid):
            await ask_cancel(update, context, person, bid)
        case cs.Cancel(booking_id=bid):
            await cancel(update, context, person, bid)
        case cs.Move(booking_id=bid):
            await ask_move(update, context, person, bid)
        case cs.MoveDay(booking_id=bid, day=day):
            await _move_times(update, context, person, bid, day)
        case cs.AskMove(booking_id=bid, slot_id=slot_id):
            await ask_confirm(update, context, person, slot_id, bid)
        case cs.MoveTo(booking_id=bid, slot_id=slot_id):
            await move(update, context, person, bid, slot_id)
        case cs.Coming(booking_id=bid):
            await coming(update, context, person, bid)
        case cs.Discreet(booking_id=bid, neutral=neutral):
            await set_discreet(update, context, person, bid, neutral)
        case cs.Calendar(booking_id=bid):
            await send_ics(update, context, person, bid)
        case cs.Details(booking_id=bid, kind=kind):
            await show_details(update, context, person, bid, kind)
        case cs.ReferralDetails(referral_id=rid):
            await show_referral(update, context, person, rid)
        case _:
            raise AssertionError(f"unhandled consultation button {button!r}")


async def _move_times(
    update: Update, context: KisContext, person: Person, booking_id: int, day: date
) -> None:
    async with context.deps.read() as session:
        view = await consult.booking_view(session, person.id, booking_id)
    back = cs.Move(booking_id).button(context.deps.i18n(person.language, "btn-back"))
    await _show_times(
        update,
        context,
        person,
        view.service.id,
        day,
        lambda slot_id: cs.AskMove(booking_id, slot_id),
        back,
    )


# --- outbox renderers ---------------------------------------------------------------------


def _first_line(
    t: Translator, lang: str, view: consult.ConsultationView, now: datetime, tz: ZoneInfo, key: str
) -> str:
    """The opening line of a message sent out about a booking: for a discreet booking never the
    service's name."""
    start = view.slot.starts_at.astimezone(tz)
    days = (start.date() - now.astimezone(tz).date()).days
    day = {0: "today", 1: "tomorrow"}.get(days, "date")
    when = t(lang, f"cs-day-{day}", date=_day_label(start.date(), lang))
    return t(
        lang,
        f"{key}-neutral" if discreet(view) else key,
        service=html.escape(view.service.name(lang)),
        when=when,
        time=start.strftime("%H:%M"),
    )


def discreet(view: consult.ConsultationView) -> bool:
    """Messages sent out about this booking keep the service and the specialist off the lock
    screen: a sensitive service (psychologist, lawyer) unless the participant chose to see it."""
    return view.service.sensitive and view.booking.reminders_neutral


def _details_button(
    t: Translator, lang: str, booking_id: int, kind: cs.DetailsKind
) -> InlineKeyboardButton:
    return cs.Details(booking_id, kind).button(t(lang, "btn-cs-details"))


def _teaser(t: Translator, lang: str, first_line: str) -> str:
    """A discreet message as a locked phone previews it: the neutral line and where the
    details are; nothing else, so no preview can show more."""
    return first_line + "\n\n" + t(lang, "cs-details-hint")


def render_reminder(
    t: Translator,
    lang: str,
    view: consult.ConsultationView,
    now: datetime,
    tz: ZoneInfo,
    *,
    details: bool = False,
) -> Rendered:
    """The reminder of a booking; a discreet one shows the service, specialist and place only
    after "Show details" (`details=True` renders that edit)."""
    first = "⏰ " + _first_line(t, lang, view, now, tz, "cs-remind")
    answers = [
        cs.Coming(view.booking.id).button(t(lang, "btn-coming")),
        cs.AskCancel(view.booking.id).button(t(lang, "btn-cs-cancel")),
    ]
    if discreet(view) and not details:
        markup = [[_details_button(t, lang, view.booking.id, DETAILS_REMINDER)], answers]
        return Rendered(_teaser(t, lang, first), InlineKeyboardMarkup(markup))
    text = "\n".join(
        [
            first,
            "",
            f"<b>{html.escape(view.service.name(lang))}</b>",
            _when(view, tz, lang),
            t(lang, "cs-with", name=html.escape(view.specialist_name)),
            t(lang, "cs-place", place=html.escape(view.slot.place or "—")),
        ]
    )
    return Rendered(text, InlineKeyboardMarkup([answers]))


def render_moved(
    t: Translator,
    lang: str,
    view: consult.ConsultationView,
    now: datetime,
    tz: ZoneInfo,
    *,
    details: bool = False,
) -> Rendered:
    """ "The hours changed, your booking stays": keep, move or cancel; discreet like the
    reminder."""
    first = "📅 " + _first_line(t, lang, view, now, tz, "cs-hours-changed")
    rows = [
        [cs.Move(view.booking.id).button(t(lang, "btn-cs-move"))],
        [cs.AskCancel(view.booking.id).button(t(lang, "btn-cs-cancel"))],
    ]
    if discreet(view) and not details:
        rows.insert(0, [_details_button(t, lang, view.booking.id, DETAILS_MOVED)])
        return Rendered(_teaser(t, lang, first), InlineKeyboardMarkup(rows))
    text = "\n".join([first, "", _booking_text(t, lang, view, tz)])
    return Rendered(text, InlineKeyboardMarkup(rows))


DETAILS_REMINDER = cs.DetailsKind.REMINDER
DETAILS_MOVED = cs.DetailsKind.MOVED
# What "Show details" (`cs:dt:<booking>:<kind>`) edits the message into, by kind.
DETAILS: dict[
    cs.DetailsKind,
    Callable[[Translator, str, consult.ConsultationView, datetime, ZoneInfo], Rendered],
] = {
    DETAILS_REMINDER: partial(render_reminder, details=True),
    DETAILS_MOVED: partial(render_moved, details=True),
}


def _until(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def referral_notice(
    t: Translator, lang: str, service: ServiceType, referral: Referral, *, details: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """The message telling a participant a social worker referred them: for a sensitive service
    a neutral opening and "Show details" (`details=True` renders that edit)."""
    if service.sensitive and not details:
        text = t(lang, "cx-referral-received-neutral") + "\n\n" + t(lang, "cs-details-hint")
        button = cs.ReferralDetails(referral.id).button(t(lang, "btn-cs-details"))
        return text, InlineKeyboardMarkup([[button]])
    text = t(
        lang,
        "cx-referral-received",
        service=html.escape(service.name(lang)),
        sessions=referral.sessions_total,
        until=_until(referral.expires_on),
        menu=t(lang, "menu-consult"),
    )
    pick = cs.Service(service.id).button(t(lang, "btn-cs-pick-time"))
    return text, InlineKeyboardMarkup([[pick]])


async def show_details(
    update: Update, context: KisContext, person: Person, booking_id: int, kind: cs.DetailsKind
) -> None:
    """ "Show details" under a discreet message: only the booking's owner sees them (anybody
    else's id is NotFound, answered as a stale button)."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    render = DETAILS[kind]
    async with deps.read() as session:
        view = await consult.booking_view(session, person.id, booking_id)
    if view.booking.status != "booked":
        await edit_or_reply(update, t(lang, "cs-not-active"))
        return
    rendered = render(t, lang, view, deps.clock(), tz)
    markup = rendered.reply_markup
    await edit_or_reply(
        update, rendered.text, markup if isinstance(markup, InlineKeyboardMarkup) else None
    )


async def show_referral(
    update: Update, context: KisContext, person: Person, referral_id: int
) -> None:
    """ "Show details" under a discreet referral notice: the owner's own referral only."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.read() as session:
        referral = await consult.own_referral(session, person.id, referral_id)
        service = await consult.get_service_type(session, referral.service_type_id)
    if referral.revoked_at is not None:
        await edit_or_reply(update, t(lang, "cs-referral-gone"))
        return
    text, markup = referral_notice(t, lang, service, referral, details=True)
    await edit_or_reply(update, text, markup)


def renderers(tz: ZoneInfo, clock: Callable[[], datetime]) -> dict[str, Renderer]:
    """Renderers for consult_reminder and consult_moved; the text is built at send time, so
    "today" / "tomorrow" are right even when a reminder goes out late."""

    async def reminder(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered | None:
        found = await consult.booking_to_tell(session, row.person_id, row.ref_id)
        if found is None:
            return None
        person, view = found
        return render_reminder(t, person.language, view, clock(), tz)

    async def moved(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered | None:
        found = await consult.booking_to_tell(session, row.person_id, row.ref_id)
        if found is None:
            return None
        person, view = found
        return render_moved(t, person.language, view, clock(), tz)

    return {consult.KIND_REMINDER: reminder, consult.KIND_MOVED: moved}
