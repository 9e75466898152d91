"""Workshops for participants: browse by group, sign up (or wait), my bookings, cancel, .ics,
and the waiting-list offer and reminder messages with their buttons."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.batching import GroupCommit
from bot.context import Deps, KisContext
from bot.i18n import Translator
from handlers import keyboards as kb
from handlers.buttons import BadCallback
from handlers.buttons import workshops as ws
from handlers.childcare import care_button
from handlers.common import answer, edit_or_reply
from handlers.entry import active_person, person_entry
from handlers.formatting import clock_time, long_when, short_when
from models import OutboxMessage, Person, WorkshopGroup
from scheduler.dispatcher import wake_dispatcher
from scheduler.rendering import Rendered, Renderer
from services import workshops
from services.calendar import session_ics

GROUPS = tuple(WorkshopGroup)


def _place(view_place: str | None, workshop_place: str) -> str:
    return html.escape(view_place or workshop_place or "—")


async def show_groups(update: Update, context: KisContext, person: Person) -> None:
    """The three groups of activities."""
    t, lang = context.deps.i18n, person.language
    rows = [[ws.Group(g).button(t(lang, f"group-{g}"))] for g in GROUPS]
    await edit_or_reply(update, t(lang, "ws-groups-title"), InlineKeyboardMarkup(rows))


async def show_group(
    update: Update, context: KisContext, person: Person, group: WorkshopGroup
) -> None:
    """Workshops of one group."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.transaction() as session:
        items = await workshops.list_workshops(session, group)
    rows = [[ws.Workshop(w.id).button(w.title(lang))] for w in items]
    rows.append([ws.Groups().button(t(lang, "btn-back"))])
    text = t(lang, f"group-{group}") + "\n" + (t(lang, "ws-pick") if items else t(lang, "ws-none"))
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def show_workshop(
    update: Update, context: KisContext, person: Person, workshop_id: int
) -> None:
    """Description, place and the next dates with free seats; buttons per date and series."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    now = deps.clock()
    async with deps.transaction() as session:
        workshop = await workshops.get_workshop(session, workshop_id)
        views = await workshops.upcoming_sessions(session, workshop_id, now)
        series = await workshops.series_of(session, workshop_id, now)
    lines = [
        f"<b>{html.escape(workshop.title(lang))}</b>",
        html.escape(workshop.description(lang)),
        t(lang, "ws-place", place=html.escape(workshop.place or "—")),
        "",
    ]
    if views:
        lines.append(t(lang, "ws-dates"))
        for v in views:
            lines.append(
                "• " + short_when(v.session.starts_at, tz, lang) + " — " + _seats(t, lang, v)
            )
    else:
        lines.append(t(lang, "ws-no-dates"))
    rows = [
        [ws.Session(v.session.id).button(short_when(v.session.starts_at, tz, lang))] for v in views
    ]
    rows += [
        [ws.SignUpSeries(s.id).button(t(lang, "btn-series", title=s.title(lang)))] for s in series
    ]
    rows.append([ws.Group(WorkshopGroup(workshop.group_key)).button(t(lang, "btn-back"))])
    await edit_or_reply(update, "\n".join(lines), InlineKeyboardMarkup(rows))


def _seats(t: Translator, lang: str, view: workshops.SessionView) -> str:
    if view.free_seats > 0:
        return t(lang, "ws-free-seats", count=view.free_seats)
    return t(lang, "ws-full", waiting=view.waiting)


async def show_session(
    update: Update, context: KisContext, person: Person, session_id: int
) -> None:
    """One date: when, where, seats; Sign up or Join the waiting list."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.transaction() as session:
        view = await workshops.session_view(session, session_id)
    wsess = view.session
    text = "\n".join(
        [
            f"<b>{html.escape(view.workshop.title(lang))}</b>",
            f"{long_when(wsess.starts_at, tz, lang)}–{clock_time(wsess.ends_at, tz)}",
            t(lang, "ws-place", place=_place(wsess.place, view.workshop.place)),
            _seats(t, lang, view),
        ]
    )
    label = "btn-signup" if view.free_seats > 0 else "btn-join-waitlist"
    rows = [
        [ws.SignUp(wsess.id).button(t(lang, label))],
        [ws.Workshop(view.workshop.id).button(t(lang, "btn-back"))],
    ]
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


def _booking_keyboard(t: Translator, lang: str, enrollment_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [ws.Calendar(enrollment_id).button(t(lang, "btn-ics"))],
            [care_button(t, lang, "w", enrollment_id)],
            [ws.AskCancel(enrollment_id).button(t(lang, "btn-cancel-booking"))],
        ]
    )


SignUpOutcome = workshops.SignUpOutcome
SIGN_UPS = "workshop_sign_ups"  # bot_data key of the application's GroupCommit


async def sign_up_batch(
    deps: Deps, session_id: int, telegram_ids: list[int]
) -> list[SignUpOutcome]:
    """The presses of one session's sign-up button that arrived together, in one transaction
    (`workshops.sign_up_tappers`)."""
    async with deps.transaction() as session:
        return await workshops.sign_up_tappers(
            session, session_id, telegram_ids, deps.clock(), deps.policy
        )


def _sign_ups(context: KisContext) -> GroupCommit[int, int, SignUpOutcome]:
    """The application's batcher of sign-ups, keyed by session (created on first use)."""
    batcher: GroupCommit[int, int, SignUpOutcome] | None = context.bot_data.get(SIGN_UPS)
    if batcher is None:
        deps = context.deps

        async def run(session_id: int, telegram_ids: list[int]) -> list[SignUpOutcome]:
            return await sign_up_batch(deps, session_id, telegram_ids)

        batcher = GroupCommit(run, name="sign-up")
        context.bot_data[SIGN_UPS] = batcher
    return batcher


async def sign_up(update: Update, context: KisContext, button: ws.SignUp) -> bool:
    """ws:b: book a seat or a place on the waiting list (one per person, double taps included).

    The busiest button (everyone taps it when a popular date opens). Presses for the same
    session that arrive while one sign-up transaction runs are handled together in the next
    one (a group commit, `bot.batching.GroupCommit`), in arrival order, the people looked up
    in the same transaction; each reply is sent after that transaction has committed. Returns
    False, having done nothing, when the tapper is not an active participant; the entry then
    takes its usual path, which tells them why.
    """
    deps, user = context.deps, update.effective_user
    if user is None:
        return False
    outcome = await _sign_ups(context).submit(button.session_id, user.id)
    if outcome.lang is None:
        return False
    if outcome.problem == "closed":
        await edit_or_reply(update, deps.i18n(outcome.lang, "ws-closed"))
    elif outcome.problem == "stale" or outcome.result is None:
        await answer(update, deps.i18n(outcome.lang, "button-stale"), alert=True)
    else:
        await _show_enrollment(update, context, outcome.lang, outcome.result)
    return True


async def _show_enrollment(
    update: Update, context: KisContext, lang: str, result: workshops.EnrollResult
) -> None:
    t, tz = context.deps.i18n, context.deps.policy.tz
    title = html.escape(result.workshop.title(lang))
    when = long_when(result.session.starts_at, tz, lang)
    place = _place(result.session.place, result.workshop.place)
    status = result.enrollment.status
    if status == "confirmed":
        key = "ws-booked" if result.outcome == "confirmed" else "ws-already-booked"
        text = t(lang, key, title=title, when=when, place=place)
        await edit_or_reply(update, text, _booking_keyboard(t, lang, result.enrollment.id))
    elif status == "offered":
        await edit_or_reply(update, t(lang, "ws-offer-pending", title=title))
    else:
        key = "ws-waiting" if result.outcome == "waiting" else "ws-already-waiting"
        text = t(lang, key, title=title, when=when, position=result.position or 0)
        rows = [[ws.AskCancel(result.enrollment.id).button(t(lang, "btn-leave-waitlist"))]]
        await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def sign_up_series(
    update: Update, context: KisContext, person: Person, series_id: int
) -> None:
    """Book every upcoming date of a series at once."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    assert person.telegram_id is not None
    try:
        async with deps.transaction() as session:
            results = await workshops.enroll_series(
                session,
                person.id,
                person.telegram_id,
                series_id,
                deps.clock(),
                context.deps.policy,
            )
    except workshops.SessionClosed:
        await edit_or_reply(update, t(lang, "ws-closed"))
        return
    lines = [t(lang, "ws-series-booked")]
    for dated, result in results:
        state = (
            "ws-state-confirmed" if result.enrollment.status == "confirmed" else "ws-state-waiting"
        )
        lines.append(f"• {short_when(dated.starts_at, tz, lang)} — {t(lang, state)}")
    await edit_or_reply(update, "\n".join(lines))


async def show_my_booking(
    update: Update, context: KisContext, person: Person, enrollment_id: int
) -> None:
    """ws:e: one upcoming booking opened from "My bookings", with its buttons (cancel, add to
    calendar, childcare; take or pass an offer; leave the waiting list) and a way back."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.read() as session:
        bookings = await workshops.my_bookings(session, person.id, deps.clock())
    back = [kb.my_bookings_button(t, lang)]
    b = next((b for b in bookings if b.enrollment.id == enrollment_id), None)
    if b is None:  # cancelled, over, or not one's own
        await edit_or_reply(update, t(lang, "ws-already-cancelled"), InlineKeyboardMarkup([back]))
        return
    text = t(
        lang,
        f"ws-booking-{b.enrollment.status}",
        title=html.escape(b.workshop.title(lang)),
        when=long_when(b.session.starts_at, tz, lang),
        place=_place(b.session.place, b.workshop.place),
        position=b.position or 0,
    )
    if b.enrollment.status == "offered":
        markup = _offer_keyboard(t, lang, b.enrollment.id)
    elif b.enrollment.status == "confirmed":
        markup = _booking_keyboard(t, lang, b.enrollment.id)
    else:
        markup = InlineKeyboardMarkup(
            [[ws.AskCancel(b.enrollment.id).button(t(lang, "btn-leave-waitlist"))]]
        )
    await edit_or_reply(update, text, InlineKeyboardMarkup([*markup.inline_keyboard, back]))


async def show_history(update: Update, context: KisContext, person: Person) -> None:
    """Past sessions with attendance as staff marked it."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.transaction() as session:
        past = await workshops.history(session, person.id, deps.clock())
    back = InlineKeyboardMarkup([[kb.my_bookings_button(t, lang)]])
    if not past:
        await edit_or_reply(update, t(lang, "ws-history-empty"), back)
        return
    lines = [t(lang, "ws-history-title")]
    for b in past:
        mark = {True: "ws-attended", False: "ws-absent", None: "ws-unmarked"}[b.enrollment.attended]
        when = short_when(b.session.starts_at, tz, lang)
        lines.append(f"• {when} {html.escape(b.workshop.title(lang))} — {t(lang, mark)}")
    await edit_or_reply(update, "\n".join(lines), back)


async def ask_cancel(
    update: Update, context: KisContext, person: Person, enrollment_id: int
) -> None:
    """Confirm before giving up a seat."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.transaction() as session:
        b = await workshops.booking(session, person.id, enrollment_id)
    rows = [
        [ws.Cancel(enrollment_id).button(t(lang, "btn-cancel-yes"))],
        [ws.KeepBooking().button(t(lang, "btn-cancel-no"))],
    ]
    text = t(
        lang,
        "ws-cancel-confirm",
        title=html.escape(b.workshop.title(lang)),
        when=long_when(b.session.starts_at, tz, lang),
    )
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def cancel(update: Update, context: KisContext, person: Person, enrollment_id: int) -> None:
    """Cancel a booking (before the cut-off) or leave the waiting list."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        async with deps.transaction() as session:
            await workshops.cancel_enrollment(
                session, person.id, enrollment_id, deps.clock(), context.deps.policy
            )
    except workshops.CutoffPassed:
        await edit_or_reply(update, t(lang, "ws-cutoff"))
        return
    except workshops.OfferGone:
        await edit_or_reply(update, t(lang, "ws-already-cancelled"))
        return
    wake_dispatcher(context.application)
    await edit_or_reply(update, t(lang, "ws-cancelled"))


async def send_ics(update: Update, context: KisContext, person: Person, enrollment_id: int) -> None:
    """An .ics file that adds the session to the phone's calendar."""
    deps, lang = context.deps, person.language
    async with deps.transaction() as session:
        b = await workshops.booking(session, person.id, enrollment_id)
    content = session_ics(
        uid=f"kis-ws-{b.session.id}-{b.enrollment.id}@kis-bot",
        title=b.workshop.title(lang),
        description=b.workshop.description(lang),
        place=b.session.place or b.workshop.place,
        starts_at=b.session.starts_at,
        ends_at=b.session.ends_at,
        now=deps.clock(),
    )
    chat = update.effective_chat
    assert chat is not None
    await chat.send_document(
        document=content, filename=f"kis-{b.workshop.slug}.ics", caption=b.workshop.title(lang)
    )
    await answer(update)


def _offer_keyboard(t: Translator, lang: str, enrollment_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                ws.TakeOffer(enrollment_id).button(t(lang, "btn-take")),
                ws.PassOffer(enrollment_id).button(t(lang, "btn-pass")),
            ]
        ]
    )


async def respond_to_offer(
    update: Update, context: KisContext, person: Person, enrollment_id: int, take: bool
) -> None:
    """Take it / Pass on an offered seat."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    try:
        async with deps.transaction() as session:
            if take:
                b = await workshops.take_offer(
                    session, person.id, enrollment_id, deps.clock(), context.deps.policy
                )
            else:
                b = await workshops.pass_offer(
                    session, person.id, enrollment_id, deps.clock(), context.deps.policy
                )
    except workshops.OfferGone:
        await edit_or_reply(update, t(lang, "ws-offer-gone"))
        return
    wake_dispatcher(context.application)
    if take:
        text = t(
            lang,
            "ws-booked",
            title=html.escape(b.workshop.title(lang)),
            when=long_when(b.session.starts_at, tz, lang),
            place=_place(b.session.place, b.workshop.place),
        )
        await edit_or_reply(update, text, _booking_keyboard(t, lang, enrollment_id))
    else:
        await edit_or_reply(update, t(lang, "ws-offer-passed"))


async def on_button(update: Update, context: KisContext, person: Person, button: ws.Ws) -> None:
    """ws:* presses of an active participant; every id is checked against them in the service."""
    match button:
        case ws.Groups():
            await show_groups(update, context, person)
        case ws.Group(group=group):
            await show_group(update, context, person, group)
        case ws.Workshop(workshop_id=workshop_id):
            await show_workshop(update, context, person, workshop_id)
        case ws.Session(session_id=session_id):
            await show_session(update, context, person, session_id)
        case ws.SignUp():  # the fast path found them no participant a moment ago
            await answer(update, context.deps.i18n(person.language, "button-stale"), alert=True)
        case ws.SignUpSeries(series_id=series_id):
            await sign_up_series(update, context, person, series_id)
        case ws.Booking(enrollment_id=eid):
            await show_my_booking(update, context, person, eid)
        case ws.History():
            await show_history(update, context, person)
        case ws.AskCancel(enrollment_id=eid):
            await ask_cancel(update, context, person, eid)
        case ws.Cancel(enrollment_id=eid):
            await cancel(update, context, person, eid)
        case ws.KeepBooking():
            await edit_or_reply(update, context.deps.i18n(person.language, "ws-kept"))
        case ws.Calendar(enrollment_id=eid):
            await send_ics(update, context, person, eid)
        case ws.TakeOffer(enrollment_id=eid):
            await respond_to_offer(update, context, person, eid, take=True)
        case ws.PassOffer(enrollment_id=eid):
            await respond_to_offer(update, context, person, eid, take=False)
        case ws.Coming(enrollment_id=eid):
            async with context.deps.transaction() as session:
                await workshops.booking(session, person.id, eid)  # only one's own booking
            await answer(update, context.deps.i18n(person.language, "ws-coming-thanks"))
        case _:
            raise AssertionError(f"unhandled workshop button {button!r}")


_entry = person_entry(ws.Ws, on_button, active_person)


async def on_press(update: Update, context: KisContext) -> None:
    """Every ws:* press. Sign-ups take the group-committed fast path (the tapper is looked up
    inside the batch), the rest the usual entry (decode, gate, answer domain errors)."""
    query = update.callback_query
    if query is not None and query.data is not None and query.data.startswith("ws:b:"):
        try:
            button = ws.SignUp.unpack(query.data)
        except BadCallback:
            pass  # the entry answers it as stale
        else:
            if await sign_up(update, context, button):
                return
    await _entry(update, context)


def buttons() -> CallbackQueryHandler[KisContext, None]:
    """The handler of every ws:* press."""
    return CallbackQueryHandler(on_press, pattern=ws.Ws.pattern())


# --- outbox renderers: texts written at send time, in the recipient's language of that moment


async def render_reminder(
    session: AsyncSession, row: OutboxMessage, t: Translator, tz: ZoneInfo
) -> Rendered | None:
    """A reminder for a confirmed seat; nothing if the booking is no longer confirmed."""
    found = await workshops.message_subject(session, row.kind, row.person_id, row.ref_id)
    if found is None:
        return None
    person, b = found
    lang = person.language
    text = t(
        lang,
        "ws-reminder",
        title=html.escape(b.workshop.title(lang)),
        when=long_when(b.session.starts_at, tz, lang),
        place=_place(b.session.place, b.workshop.place),
    )
    markup = InlineKeyboardMarkup(
        [
            [ws.Coming(b.enrollment.id).button(t(lang, "btn-coming"))],
            [ws.AskCancel(b.enrollment.id).button(t(lang, "btn-cancel-booking"))],
        ]
    )
    return Rendered(text, markup)


async def render_offer(
    session: AsyncSession, row: OutboxMessage, t: Translator, tz: ZoneInfo
) -> Rendered | None:
    """The offer of a freed seat with Take it / Pass; nothing if it is no longer open."""
    found = await workshops.message_subject(session, row.kind, row.person_id, row.ref_id)
    if found is None:
        return None
    person, b = found
    assert b.enrollment.offer_expires_at is not None  # an open offer has its deadline
    lang = person.language
    text = t(
        lang,
        "ws-offer",
        title=html.escape(b.workshop.title(lang)),
        when=long_when(b.session.starts_at, tz, lang),
        deadline=long_when(b.enrollment.offer_expires_at, tz, lang),
    )
    return Rendered(text, _offer_keyboard(t, lang, b.enrollment.id))


async def render_session_cancelled(
    session: AsyncSession, row: OutboxMessage, t: Translator, tz: ZoneInfo
) -> Rendered | None:
    """Staff cancelled a session this person had a seat or waiting place in."""
    found = await workshops.message_subject(session, row.kind, row.person_id, row.ref_id)
    if found is None:
        return None
    person, b = found
    lang = person.language
    text = t(
        lang,
        "ws-session-cancelled",
        title=html.escape(b.workshop.title(lang)),
        when=long_when(b.session.starts_at, tz, lang),
    )
    return Rendered(text)


def renderers(tz: ZoneInfo) -> dict[str, Renderer]:
    """The outbox kinds this module writes, with their renderers bound to the club's zone."""

    def bind(render: Callable[..., Awaitable[Rendered | None]]) -> Renderer:
        async def bound(
            session: AsyncSession, row: OutboxMessage, t: Translator
        ) -> Rendered | None:
            return await render(session, row, t, tz)

        return bound

    return {
        workshops.KIND_REMINDER: bind(render_reminder),
        workshops.KIND_OFFER: bind(render_offer),
        workshops.KIND_SESSION_CANCELLED: bind(render_session_cancelled),
    }
