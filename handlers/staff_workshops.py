"""Staff screens for workshop sessions: lists with seats and waiting lists, attendance
toggles, capacity changes and cancellation (everyone affected is told through the outbox)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import KisContext
from bot.i18n import Translator
from handlers.callbacks import Callback, encode
from handlers.common import answer, edit_or_reply, reply
from handlers.formatting import short_when
from models import Person, WorkshopGroup
from scheduler.dispatcher import wake_dispatcher
from services import people, workshop_staff
from services import workshops as workshops_service
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
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.transaction() as session:
        items = await workshop_staff.sessions_ahead(session, _tid(update), deps.clock())
    catalogue = [_btn(t(lang, "btn-sw-catalogue"), "wl")]
    if not items:
        await edit_or_reply(update, t(lang, "sw-list-empty"), InlineKeyboardMarkup([catalogue]))
        return
    rows = []
    for ws, workshop in items:
        label = f"{short_when(ws.starts_at, tz, lang)} {workshop.title(lang)}"
        if ws.status == "cancelled":
            label += " " + t(lang, "sw-cancelled-mark")
        else:
            label += f" ({ws.seats_taken}/{ws.capacity})"
        rows.append([_btn(label[:60], "r", ws.id)])
    rows.append(catalogue)
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
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
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
            count = await workshop_staff.cancel_session(
                session, _tid(update), sid, deps.clock(), deps.policy
            )
    except SessionClosed:
        await edit_or_reply(update, t(lang, "sw-already-cancelled"))
        return
    wake_dispatcher(context.application)
    await edit_or_reply(update, t(lang, "sw-cancelled-done", count=count))


PROMPTS = {
    "capacity": "sw-capacity-ask",
    "ws_new": "sw-new-title-ask",
    "ws_sess": "sw-session-ask",
    "ws_title": "sw-title-ask",
    "ws_desc": "sw-desc-ask",
    "ws_place": "sw-place-ask",
}
FIELDS = {"ws_title": "title_pl", "ws_desc": "description_pl", "ws_place": "place"}


def expects(awaiting: str | None) -> bool:
    """True when a staff member's next typed text belongs to one of these screens."""
    return (awaiting or "").split(":")[0] in PROMPTS


async def _ask(update: Update, context: KisContext, prompt: str, target: str | int) -> None:
    """Remember what the next typed text is for, and ask for it."""
    t = context.deps.i18n
    async with context.deps.transaction() as session:
        actor = await people.require_role(session, _tid(update), workshop_staff.WORKSHOP_STAFF)
        actor.awaiting = f"{prompt}:{target}"
        lang = actor.language
    await reply(update, t(lang, PROMPTS[prompt]), _cancel_keyboard(t, lang))
    await answer(update)


def _cancel_keyboard(t: Translator, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(lang, "btn-cancel"), callback_data="st:cx")]]
    )


async def on_text(update: Update, context: KisContext, person: Person, text: str) -> None:
    """Typed answers: capacity, new workshop title, a new date, edited texts."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    prompt, _, target = (person.awaiting or "").partition(":")
    tid, now = _tid(update), deps.clock()
    try:
        async with deps.transaction() as session:
            if prompt == "capacity":
                seats = int(text.strip()) if text.strip().isdigit() else -1
                ws = await workshop_staff.change_capacity(
                    session, tid, int(target), seats, now, context.deps.policy
                )
                done, markup = t(lang, "sw-capacity-done", capacity=ws.capacity), ("r", ws.id)
            elif prompt == "ws_new":
                workshop = await workshop_staff.create_workshop(session, tid, target, text)
                done = t(lang, "sw-workshop-created", title=html.escape(workshop.title_pl))
                markup = ("w", workshop.id)
            elif prompt == "ws_sess":
                line = workshop_staff.parse_session_line(text, deps.policy.tz, now)
                ws = await workshop_staff.add_session(session, tid, int(target), line)
                when = short_when(ws.starts_at, deps.policy.tz, lang)
                done = t(lang, "sw-session-added", when=when, capacity=ws.capacity)
                markup = ("r", ws.id)
            else:
                await workshop_staff.edit_workshop(session, tid, int(target), FIELDS[prompt], text)
                done, markup = t(lang, "sw-saved"), ("w", int(target))
            await people.set_awaiting(session, person.id, None)
    except InvalidInput as exc:
        await reply(update, t(lang, exc.reason), _cancel_keyboard(t, lang))
        return
    except NotAllowed:
        await reply(update, t(lang, "staff-only"))
        return
    except NotFound:
        await reply(update, t(lang, "button-stale"))
        return
    if prompt == "capacity":
        wake_dispatcher(context.application)
    await reply(
        update, done, InlineKeyboardMarkup([[_btn(t(lang, "btn-open"), markup[0], markup[1])]])
    )


async def show_catalogue(update: Update, context: KisContext, person: Person) -> None:
    """Every workshop, to edit it or add dates; and "New workshop"."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.transaction() as session:
        items = await workshop_staff.all_workshops(session, _tid(update))
    rows = [[_btn(w.title(lang)[:60], "w", w.id)] for w in items]
    rows.append([_btn(t(lang, "btn-sw-new-workshop"), "nw")])
    rows.append([_btn(t(lang, "btn-back"), "l")])
    await edit_or_reply(update, t(lang, "sw-catalogue-title"), InlineKeyboardMarkup(rows))


async def show_workshop(update: Update, context: KisContext, person: Person, wid: int) -> None:
    """A workshop as staff manage it."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.transaction() as session:
        await people.require_role(session, _tid(update), workshop_staff.WORKSHOP_STAFF)
        workshop = await workshops_service.get_workshop(session, wid)
    text = t(
        lang,
        "sw-workshop-card",
        title=html.escape(workshop.title_pl),
        group=t(lang, f"group-{workshop.group_key}"),
        description=html.escape(workshop.description_pl or "—"),
        place=html.escape(workshop.place or "—"),
        capacity=workshop.default_capacity,
    )
    rows = [
        [_btn(t(lang, "btn-sw-add-session"), "as", wid)],
        [
            _btn(t(lang, "btn-sw-edit-title"), "et", wid),
            _btn(t(lang, "btn-sw-edit-desc"), "ed", wid),
        ],
        [_btn(t(lang, "btn-sw-edit-place"), "ep", wid)],
        [_btn(t(lang, "btn-back"), "wl")],
    ]
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def _new_workshop(update: Update, context: KisContext, person: Person) -> None:
    t, lang = context.deps.i18n, person.language
    rows = [[_btn(t(lang, f"group-{g.value}"), "ng", g.value)] for g in WorkshopGroup]
    await edit_or_reply(update, t(lang, "sw-new-group-ask"), InlineKeyboardMarkup(rows))


async def _capacity(update: Update, context: KisContext, person: Person, sid: int) -> None:
    await _ask(update, context, "capacity", sid)


async def _add_session(update: Update, context: KisContext, person: Person, wid: int) -> None:
    await _ask(update, context, "ws_sess", wid)


async def _edit_title(update: Update, context: KisContext, person: Person, wid: int) -> None:
    await _ask(update, context, "ws_title", wid)


async def _edit_desc(update: Update, context: KisContext, person: Person, wid: int) -> None:
    await _ask(update, context, "ws_desc", wid)


async def _edit_place(update: Update, context: KisContext, person: Person, wid: int) -> None:
    await _ask(update, context, "ws_place", wid)


ACTIONS = {
    "r": show_roster,
    "a": _toggle,
    "x": _rest_absent,
    "c": _ask_cancel,
    "cy": _cancel,
    "k": _capacity,
    "w": show_workshop,
    "as": _add_session,
    "et": _edit_title,
    "ed": _edit_desc,
    "ep": _edit_place,
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
        elif cb.action == "wl":
            await show_catalogue(update, context, person)
        elif cb.action == "nw":
            await _new_workshop(update, context, person)
        elif cb.action == "ng" and cb.args and cb.args[0] in {g.value for g in WorkshopGroup}:
            await _ask(update, context, "ws_new", cb.args[0])
        elif cb.action in ACTIONS:
            await ACTIONS[cb.action](update, context, person, cb.id_arg())
        else:
            await answer(update, t(lang, "button-stale"), alert=True)
    except NotAllowed:
        await answer(update, t(lang, "staff-only"), alert=True)
    except (NotFound, IndexError, ValueError):
        await answer(update, t(lang, "button-stale"), alert=True)
