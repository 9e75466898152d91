"""Staff screens for workshop sessions: lists with seats and waiting lists, attendance
toggles, capacity changes and cancellation (everyone affected is told through the outbox)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import KisContext
from bot.i18n import Translator
from handlers.callbacks import Callback, encode
from handlers.common import answer, edit_or_reply, reply, workshop_policy
from handlers.formatting import short_when
from models import Person
from services import people, workshop_staff
from services.errors import InvalidInput, NotAllowed, NotFound
from services.workshops import SessionClosed

ATTENDANCE_MARK = {True: "✅", False: "❌", None: "❔"}


def _btn(text: str, action: str, *args: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=encode("sw", action, *args))


def _tid(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


async def show_sessions(update: Update, context: KisContext, person: Person) -> None:
    """Sessions of the next two weeks with seats taken and waiting."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.settings.tz
    async with deps.transaction() as session:
        items = await workshop_staff.sessions_ahead(session, _tid(update), deps.clock())
    if not items:
        await edit_or_reply(update, t(lang, "sw-list-empty"))
        return
    rows = []
    for ws, workshop in items:
        label = f"{short_when(ws.starts_at, tz, lang)} {workshop.title(lang)}"
        if ws.status == "cancelled":
            label += " " + t(lang, "sw-cancelled-mark")
        else:
            label += f" ({ws.seats_taken}/{ws.capacity})"
        rows.append([_btn(label[:60], "r", ws.id)])
    await edit_or_reply(update, t(lang, "sw-list-title"), InlineKeyboardMarkup(rows))


def _roster_text(t: Translator, lang: str, roster: workshop_staff.Roster, when: str) -> str:
    ws = roster.session
    lines = [
        f"<b>{html.escape(roster.workshop.title(lang))}</b>",
        when + (" " + t(lang, "sw-cancelled-mark") if ws.status == "cancelled" else ""),
        t(lang, "sw-seats", taken=ws.seats_taken, capacity=ws.capacity),
        "",
        t(lang, "sw-confirmed-title", count=len(roster.confirmed)),
    ]
    lines += [
        f"{i}. {ATTENDANCE_MARK[e.enrollment.attended]} {html.escape(e.name)}"
        for i, e in enumerate(roster.confirmed, start=1)
    ] or [t(lang, "sw-none")]
    if roster.offered:
        lines.append(t(lang, "sw-offered-title", count=len(roster.offered)))
        lines += [f"• {html.escape(e.name)}" for e in roster.offered]
    lines.append(t(lang, "sw-waiting-title", count=len(roster.waiting)))
    lines += [f"{i}. {html.escape(e.name)}" for i, e in enumerate(roster.waiting, start=1)] or [
        t(lang, "sw-none")
    ]
    return "\n".join(lines)


async def show_roster(update: Update, context: KisContext, person: Person, session_id: int) -> None:
    """Enrolments and the waiting list of one session, with attendance toggles."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.settings.tz
    async with deps.transaction() as session:
        roster = await workshop_staff.roster(session, _tid(update), session_id)
    ws = roster.session
    text = _roster_text(t, lang, roster, short_when(ws.starts_at, tz, lang))
    rows = [
        [_btn(f"{ATTENDANCE_MARK[e.enrollment.attended]} {e.name}"[:60], "a", e.enrollment.id)]
        for e in roster.confirmed
    ]
    if ws.status != "cancelled":
        if roster.confirmed:
            rows.append([_btn(t(lang, "btn-rest-absent"), "x", ws.id)])
        rows.append([_btn(t(lang, "btn-capacity"), "k", ws.id)])
        rows.append([_btn(t(lang, "btn-cancel-session"), "c", ws.id)])
    rows.append([_btn(t(lang, "btn-back"), "l")])
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def _toggle(update: Update, context: KisContext, person: Person, enrollment_id: int) -> None:
    deps = context.deps
    async with deps.transaction() as session:
        await workshop_staff.toggle_attendance(session, _tid(update), enrollment_id, deps.clock())
        from models import Enrollment

        enrollment = await session.get(Enrollment, enrollment_id)
        assert enrollment is not None
        session_id = enrollment.session_id
    await show_roster(update, context, person, session_id)


async def _rest_absent(update: Update, context: KisContext, person: Person, sid: int) -> None:
    deps = context.deps
    async with deps.transaction() as session:
        await workshop_staff.mark_rest_absent(session, _tid(update), sid, deps.clock())
    await show_roster(update, context, person, sid)


async def _ask_cancel(update: Update, context: KisContext, person: Person, sid: int) -> None:
    t, lang = context.deps.i18n, person.language
    async with context.deps.transaction() as session:
        await people.require_role(session, _tid(update), workshop_staff.WORKSHOP_STAFF)
    rows = [
        [_btn(t(lang, "btn-cancel-session-yes"), "cy", sid)],
        [_btn(t(lang, "btn-back"), "r", sid)],
    ]
    await edit_or_reply(update, t(lang, "sw-cancel-confirm"), InlineKeyboardMarkup(rows))


async def _cancel(update: Update, context: KisContext, person: Person, sid: int) -> None:
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        async with deps.transaction() as session:
            count = await workshop_staff.cancel_session(session, _tid(update), sid, deps.clock())
    except SessionClosed:
        await edit_or_reply(update, t(lang, "sw-already-cancelled"))
        return
    dispatcher = context.application.bot_data.get("dispatcher")
    if dispatcher is not None:
        dispatcher.wake()
    await edit_or_reply(update, t(lang, "sw-cancelled-done", count=count))


async def _ask_capacity(update: Update, context: KisContext, person: Person, sid: int) -> None:
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.transaction() as session:
        actor = await people.require_role(session, _tid(update), workshop_staff.WORKSHOP_STAFF)
        actor.awaiting = f"capacity:{sid}"
    await reply(update, t(lang, "sw-capacity-ask"))
    await answer(update)


async def on_capacity_text(update: Update, context: KisContext, person: Person, text: str) -> None:
    """The number typed after "Change capacity"."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    sid = int((person.awaiting or "capacity:0").split(":")[1])
    try:
        capacity = int(text.strip())
    except ValueError:
        await reply(update, t(lang, "ws-capacity-invalid"))
        return
    try:
        async with deps.transaction() as session:
            ws = await workshop_staff.change_capacity(
                session, _tid(update), sid, capacity, deps.clock(), workshop_policy(context)
            )
            await people.set_awaiting(session, person.id, None)
    except InvalidInput as exc:
        await reply(update, t(lang, exc.reason))
        return
    except NotAllowed:
        await reply(update, t(lang, "staff-only"))
        return
    dispatcher = context.application.bot_data.get("dispatcher")
    if dispatcher is not None:
        dispatcher.wake()
    await reply(
        update,
        t(lang, "sw-capacity-done", capacity=ws.capacity),
        InlineKeyboardMarkup([[_btn(t(lang, "btn-open-session"), "r", sid)]]),
    )


ACTIONS = {
    "r": show_roster,
    "a": _toggle,
    "x": _rest_absent,
    "c": _ask_cancel,
    "cy": _cancel,
    "k": _ask_capacity,
}


async def on_callback(
    update: Update, context: KisContext, person: Person | None, cb: Callback
) -> None:
    """sw:* buttons: staff only, re-authorised in every service call."""
    lang = person.language if person else context.deps.settings.default_language
    t = context.deps.i18n
    if person is None or not person.is_staff:
        await answer(update, t(lang, "staff-only"), alert=True)
        return
    try:
        if cb.action == "l":
            await show_sessions(update, context, person)
        elif cb.action in ACTIONS:
            await ACTIONS[cb.action](update, context, person, cb.int_arg())
        else:
            await answer(update, t(lang, "button-stale"), alert=True)
    except NotAllowed:
        await answer(update, t(lang, "staff-only"), alert=True)
    except (NotFound, IndexError, ValueError):
        await answer(update, t(lang, "button-stale"), alert=True)
