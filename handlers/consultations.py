"""Consultations for participants: pick a service, a day and a time; see, cancel or move the
booking; "I'll come" from a reminder; the reminder and "your slot moved" outbox messages.

Lock screens: a message sent out about a sensitive service (psychologist, lawyer) -- reminder,
hours change, referral notice -- opens with a neutral line and shows the service, specialist
and place only after "Show details", an edit the booking's owner alone can trigger.

Callback data (`cs:<action>[:<id>…]`; every id is checked against the person in the service):

| data                        | what                                                        |
|-----------------------------|-------------------------------------------------------------|
| `cs:top`                    | the list of services                                        |
| `cs:s:<service>`            | a service: its booking, the referral guidance, or its days  |
| `cs:d:<service>:<yyyymmdd>` | free times of a day                                         |
| `cs:k:<slot>` / `cs:y:<slot>` | confirm screen / book it                                  |
| `cs:b:<booking>`            | the booking card                                            |
| `cs:c:<booking>` / `cs:cy:<booking>` | ask to cancel / cancel                             |
| `cs:r:<booking>`            | move: days of the same service                              |
| `cs:rd:<booking>:<yyyymmdd>` | move: free times of a day                                  |
| `cs:rk:<booking>:<slot>` / `cs:ry:<booking>:<slot>` | move: confirm / do it               |
| `cs:ok:<booking>`           | "I'll come" (reminder button)                               |
| `cs:n:<booking>:<0/1>`      | discreet reminders on/off                                   |
| `cs:ics:<booking>`          | an .ics file for the phone's calendar                       |
| `cs:dt:<booking>:<r/m>`     | "Show details" of a discreet reminder (r) / hours change (m) |
| `cs:rf:<referral>`          | "Show details" of a discreet referral notice                |
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
from handlers.callbacks import Callback, encode
from handlers.childcare import care_button
from handlers.common import answer, edit_or_reply
from handlers.formatting import clock_time, long_when
from models import OutboxMessage, Person, PersonStatus, Referral, ServiceType, Slot
from scheduler.dispatcher import wake_dispatcher
from scheduler.rendering import Rendered, Renderer
from services import consultations as consult
from services.calendar import session_ics
from services.errors import InvalidInput, NotAllowed, NotFound
from services.workshops import CutoffPassed

DAYS_AHEAD = 28  # how far ahead participants see free days
MAX_DAYS_SHOWN = 10


def _btn(text: str, action: str, *args: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=encode("cs", action, *args))


def _day_arg(day: date) -> str:
    return day.strftime("%Y%m%d")


def _parse_day(value: str) -> date:
    if len(value) != 8 or not value.isdigit():
        raise ValueError("not a day")
    return date(int(value[:4]), int(value[4:6]), int(value[6:]))


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
        [_btn(t(lang, "btn-cs-move"), "r", bid), _btn(t(lang, "btn-cs-cancel"), "c", bid)],
        [_btn(t(lang, "btn-ics"), "ics", bid)],
        [care_button(t, lang, "c", bid)],
    ]
    if view.service.sensitive:
        neutral = view.booking.reminders_neutral
        label = "btn-cs-discreet-off" if neutral else "btn-cs-discreet-on"
        rows.append([_btn(t(lang, label), "n", bid, 0 if neutral else 1)])
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
        [_btn(("✅ " if s.id in booked else "") + s.name(lang), "s", s.id)]
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
    back = [_btn(t(lang, "btn-back"), "top")]
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
    await _show_days(update, context, person, name, days, ("d", st_id), left)


async def _show_days(
    update: Update,
    context: KisContext,
    person: Person,
    name: str,
    days: list[date],
    action: tuple[str, int],
    left: int | None = None,
) -> None:
    t, lang = context.deps.i18n, person.language
    back = [_btn(t(lang, "btn-back"), "top")]
    if not days:
        await edit_or_reply(
            update, t(lang, "cs-no-days", service=name), InlineKeyboardMarkup([back])
        )
        return
    rows = [
        [_btn(_day_label(day, lang), action[0], action[1], _day_arg(day))]
        for day in days[:MAX_DAYS_SHOWN]
    ]
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
    pick: tuple[str | int, ...],
    back: InlineKeyboardButton,
) -> None:
    """Free times of a day; each time button carries `pick` followed by the slot id."""
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
        _btn(
            clock_time(v.slot.starts_at, tz) + (f" · {v.specialist_name}" if several else ""),
            str(pick[0]),
            *pick[1:],
            v.slot.id,
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
    slot = await session.get(Slot, slot_id)
    if slot is None:
        raise NotFound()
    day = slot.starts_at.astimezone(tz).date()
    free = await consult.free_slots(
        session, slot.service_type_id, day, now=context.deps.clock(), tz=tz
    )
    view = next((v for v in free if v.slot.id == slot_id), None)
    if view is None:
        raise consult.SlotTaken()
    service = await consult.get_service_type(session, slot.service_type_id)
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
        yes, back = (
            _btn(t(lang, "btn-cs-confirm"), "y", slot_id),
            _btn(t(lang, "btn-back"), "s", st_id),
        )
    else:
        yes = _btn(t(lang, "btn-cs-confirm-move"), "ry", booking_id, slot_id)
        back = _btn(t(lang, "btn-back"), "r", booking_id)
    await edit_or_reply(update, text, InlineKeyboardMarkup([[yes], [back]]))


async def _slot_gone(update: Update, context: KisContext, person: Person) -> None:
    t, lang = context.deps.i18n, person.language
    await edit_or_reply(
        update, t(lang, "cs-slot-taken"), InlineKeyboardMarkup([[_btn(t(lang, "btn-back"), "top")]])
    )


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
            slot = await session.get(Slot, slot_id)
            assert slot is not None  # book() found it before refusing
            service = await consult.get_service_type(session, slot.service_type_id)
        key = "cs-need-referral" if isinstance(exc, consult.ReferralRequired) else "cs-quota-used"
        back = InlineKeyboardMarkup([[_btn(t(lang, "btn-back"), "top")]])
        await edit_or_reply(update, t(lang, key, service=html.escape(service.name(lang))), back)
        return
    except NotAllowed:
        await answer(update, t(lang, "button-stale"), alert=True)
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
        [_btn(t(lang, "btn-cancel-yes"), "cy", booking_id)],
        [_btn(t(lang, "btn-cancel-no"), "b", booking_id)],
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
    await _show_days(update, context, person, name, days, ("rd", booking_id))


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
    try:
        async with deps.transaction() as session:
            await consult.confirm_booking(
                session, person_id=person.id, booking_id=booking_id, now=deps.clock()
            )
    except consult.BookingClosed:
        await answer(update, t(lang, "cs-not-active"), alert=True)
        return
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


async def on_callback(update: Update, context: KisContext, person: Person, cb: Callback) -> None:
    """cs:* buttons."""
    t, lang = context.deps.i18n, person.language
    a = cb.action
    try:
        if a == "top":
            await show_services(update, context, person)
        elif a == "s":
            await show_service(update, context, person, cb.id_arg())
        elif a == "d":
            st_id = cb.id_arg()
            back = _btn(t(lang, "btn-back"), "s", st_id)
            await _show_times(update, context, person, st_id, _parse_day(cb.args[1]), ("k",), back)
        elif a == "k":
            await ask_confirm(update, context, person, cb.id_arg(), None)
        elif a == "y":
            await book(update, context, person, cb.id_arg())
        elif a == "b":
            await show_booking(update, context, person, cb.id_arg())
        elif a == "c":
            await ask_cancel(update, context, person, cb.id_arg())
        elif a == "cy":
            await cancel(update, context, person, cb.id_arg())
        elif a == "r":
            await ask_move(update, context, person, cb.id_arg())
        elif a == "rd":
            await _move_times(update, context, person, cb.id_arg(), _parse_day(cb.args[1]))
        elif a == "rk":
            await ask_confirm(update, context, person, cb.id_arg(1), cb.id_arg())
        elif a == "ry":
            await move(update, context, person, cb.id_arg(), cb.id_arg(1))
        elif a == "ok":
            await coming(update, context, person, cb.id_arg())
        elif a == "n" and len(cb.args) == 2 and cb.args[1] in ("0", "1"):
            await set_discreet(update, context, person, cb.id_arg(), cb.args[1] == "1")
        elif a == "ics":
            await send_ics(update, context, person, cb.id_arg())
        elif a == "dt" and len(cb.args) == 2:
            await show_details(update, context, person, cb.id_arg(), cb.args[1])
        elif a == "rf" and len(cb.args) == 1:
            await show_referral(update, context, person, cb.id_arg())
        else:
            await answer(update, t(lang, "button-stale"), alert=True)
    except (NotFound, IndexError, ValueError):
        await answer(update, t(lang, "button-stale"), alert=True)


async def _move_times(
    update: Update, context: KisContext, person: Person, booking_id: int, day: date
) -> None:
    async with context.deps.read() as session:
        view = await consult.booking_view(session, person.id, booking_id)
    back = _btn(context.deps.i18n(person.language, "btn-back"), "r", booking_id)
    await _show_times(update, context, person, view.service.id, day, ("rk", booking_id), back)


# --- outbox renderers ---------------------------------------------------------------------


async def _recipient(
    session: AsyncSession, row: OutboxMessage
) -> tuple[Person, consult.ConsultationView] | None:
    if row.person_id is None or row.ref_id is None:
        return None
    person = await session.get(Person, row.person_id)
    if person is None or person.telegram_id is None or person.status != PersonStatus.ACTIVE.value:
        return None
    view = await consult.load_booking(session, row.ref_id)
    if view is None or view.booking.person_id != person.id or view.booking.status != "booked":
        return None
    return person, view


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


def _details_button(t: Translator, lang: str, booking_id: int, kind: str) -> InlineKeyboardButton:
    return _btn(t(lang, "btn-cs-details"), "dt", booking_id, kind)


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
        _btn(t(lang, "btn-coming"), "ok", view.booking.id),
        _btn(t(lang, "btn-cs-cancel"), "c", view.booking.id),
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
        [_btn(t(lang, "btn-cs-move"), "r", view.booking.id)],
        [_btn(t(lang, "btn-cs-cancel"), "c", view.booking.id)],
    ]
    if discreet(view) and not details:
        rows.insert(0, [_details_button(t, lang, view.booking.id, DETAILS_MOVED)])
        return Rendered(_teaser(t, lang, first), InlineKeyboardMarkup(rows))
    text = "\n".join([first, "", _booking_text(t, lang, view, tz)])
    return Rendered(text, InlineKeyboardMarkup(rows))


DETAILS_REMINDER = "r"
DETAILS_MOVED = "m"
# What "Show details" (`cs:dt:<booking>:<kind>`) edits the message into, by kind.
DETAILS: dict[
    str, Callable[[Translator, str, consult.ConsultationView, datetime, ZoneInfo], Rendered]
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
        button = _btn(t(lang, "btn-cs-details"), "rf", referral.id)
        return text, InlineKeyboardMarkup([[button]])
    text = t(
        lang,
        "cx-referral-received",
        service=html.escape(service.name(lang)),
        sessions=referral.sessions_total,
        until=_until(referral.expires_on),
        menu=t(lang, "menu-consult"),
    )
    return text, InlineKeyboardMarkup([[_btn(t(lang, "btn-cs-pick-time"), "s", service.id)]])


async def show_details(
    update: Update, context: KisContext, person: Person, booking_id: int, kind: str
) -> None:
    """ "Show details" under a discreet message: only the booking's owner sees them (anybody
    else's id is NotFound, answered as a stale button)."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    render = DETAILS.get(kind)
    if render is None:
        raise ValueError("forged details kind")
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
        found = await _recipient(session, row)
        if found is None:
            return None
        person, view = found
        return render_reminder(t, person.language, view, clock(), tz)

    async def moved(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered | None:
        found = await _recipient(session, row)
        if found is None:
            return None
        person, view = found
        return render_moved(t, person.language, view, clock(), tz)

    return {consult.KIND_REMINDER: reminder, consult.KIND_MOVED: moved}
