"""Staff screens for workshop sessions: lists with seats and waiting lists, attendance
toggles, capacity changes and cancellation (everyone affected is told through the outbox)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Update

from bot.context import KisContext
from bot.i18n import Translator
from handlers import keyboards as kb
from handlers.buttons import BadCallback, Feature
from handlers.buttons import staff_workshops as sw
from handlers.common import answer, edit_or_reply, reply
from handlers.entry import refuse
from handlers.formatting import short_when
from models import Person, WorkshopGroup
from scheduler.dispatcher import wake_dispatcher
from services import people, workshop_staff
from services import workshops as workshops_service
from services.errors import DomainError, InvalidInput
from services.workshops import SessionClosed

ATTENDANCE_MARK = {True: "✅", False: "❌", None: "❔"}


def _tid(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


async def show_sessions(update: Update, context: KisContext, person: Person) -> None:
    """Sessions of the next two weeks with seats taken and waiting."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.transaction() as session:
        items = await workshop_staff.sessions_ahead(session, _tid(update), deps.clock())
    catalogue = [sw.Catalogue().button(t(lang, "btn-sw-catalogue"))]
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
        rows.append([sw.Roster(ws.id).button(label[:60])])
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
        [
            sw.ToggleAttendance(e.enrollment.id).button(
                f"{ATTENDANCE_MARK[e.enrollment.attended]} {e.name}"[:60]
            )
        ]
        for e in roster.confirmed
    ]
    if ws.status != "cancelled":
        if roster.confirmed:
            rows.append([sw.RestAbsent(ws.id).button(t(lang, "btn-rest-absent"))])
        rows.append([sw.Capacity(ws.id).button(t(lang, "btn-capacity"))])
        rows.append([sw.AskCancel(ws.id).button(t(lang, "btn-cancel-session"))])
    rows.append([sw.Sessions().button(t(lang, "btn-back"))])
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def _toggle(update: Update, context: KisContext, person: Person, enrollment_id: int) -> None:
    deps = context.deps
    async with deps.transaction() as session:
        enrollment = await workshop_staff.toggle_attendance(
            session, _tid(update), enrollment_id, deps.clock()
        )
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
        [sw.Cancel(sid).button(t(lang, "btn-cancel-session-yes"))],
        [sw.Roster(sid).button(t(lang, "btn-back"))],
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


QUESTIONS: dict[type[sw.SwPrompt], str] = {
    sw.CapacityPrompt: "sw-capacity-ask",
    sw.TitleOfNew: "sw-new-title-ask",
    sw.SessionLine: "sw-session-ask",
    sw.TitlePrompt: "sw-title-ask",
    sw.DescriptionPrompt: "sw-desc-ask",
    sw.PlacePrompt: "sw-place-ask",
}
FIELDS: dict[type[sw.SwPrompt], str] = {
    sw.TitlePrompt: "title_pl",
    sw.DescriptionPrompt: "description_pl",
    sw.PlacePrompt: "place",
}


def expects(awaiting: str | None) -> bool:
    """True when a staff member's next typed text belongs to one of these screens (a prompt
    of an older version too: `on_text` forgets it)."""
    return sw.SwPrompt.owns(awaiting)


async def _ask(update: Update, context: KisContext, prompt: sw.SwPrompt) -> None:
    """Remember what the next typed text is for, and ask for it."""
    t = context.deps.i18n
    async with context.deps.transaction() as session:
        actor = await people.require_role(session, _tid(update), workshop_staff.WORKSHOP_STAFF)
        actor.awaiting = prompt.pack()
        lang = actor.language
    await reply(update, t(lang, QUESTIONS[type(prompt)]), kb.cancel_keyboard(t, lang))
    await answer(update)


async def on_text(update: Update, context: KisContext, person: Person, text: str) -> None:
    """Typed answers: capacity, new workshop title, a new date, edited texts."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        prompt = sw.SwPrompt.unpack(person.awaiting)
    except BadCallback:  # a prompt of an older version: forget it
        async with deps.transaction() as session:
            await people.set_awaiting(session, person.id, None)
        await reply(update, t(lang, "button-stale"))
        return
    try:
        done, open_button = await _answer(update, context, person, prompt, text)
    except InvalidInput as exc:  # asked again, with Cancel
        await reply(update, t(lang, exc.reason), kb.cancel_keyboard(t, lang))
        return
    except DomainError as error:
        await refuse(update, context, lang, Feature.STAFF_WORKSHOPS, error)
        return
    if isinstance(prompt, sw.CapacityPrompt):
        wake_dispatcher(context.application)
    await reply(update, done, InlineKeyboardMarkup([[open_button.button(t(lang, "btn-open"))]]))


async def _answer(
    update: Update, context: KisContext, person: Person, prompt: sw.SwPrompt, text: str
) -> tuple[str, sw.Sw]:
    """Apply one typed answer; the text saying it is done and the screen to open next."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    tid, now = _tid(update), deps.clock()
    async with deps.transaction() as session:
        match prompt:
            case sw.CapacityPrompt(session_id=sid):
                seats = int(text.strip()) if text.strip().isdigit() else -1
                ws = await workshop_staff.change_capacity(
                    session, tid, sid, seats, now, context.deps.policy
                )
                done = t(lang, "sw-capacity-done", capacity=ws.capacity)
                then: sw.Sw = sw.Roster(ws.id)
            case sw.TitleOfNew(group=group):
                workshop = await workshop_staff.create_workshop(session, tid, group, text)
                done = t(lang, "sw-workshop-created", title=html.escape(workshop.title_pl))
                then = sw.Workshop(workshop.id)
            case sw.SessionLine(workshop_id=wid):
                line = workshop_staff.parse_session_line(text, deps.policy.tz, now)
                ws = await workshop_staff.add_session(session, tid, wid, line)
                when = short_when(ws.starts_at, deps.policy.tz, lang)
                done = t(lang, "sw-session-added", when=when, capacity=ws.capacity)
                then = sw.Roster(ws.id)
            case (
                sw.TitlePrompt(workshop_id=wid)
                | sw.DescriptionPrompt(workshop_id=wid)
                | sw.PlacePrompt(workshop_id=wid)
            ):
                await workshop_staff.edit_workshop(session, tid, wid, FIELDS[type(prompt)], text)
                done, then = t(lang, "sw-saved"), sw.Workshop(wid)
            case _:
                raise AssertionError(f"unhandled staff workshop prompt {prompt!r}")
        await people.set_awaiting(session, person.id, None)
    return done, then


async def show_catalogue(update: Update, context: KisContext, person: Person) -> None:
    """Every workshop, to edit it or add dates; and "New workshop"."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.transaction() as session:
        items = await workshop_staff.all_workshops(session, _tid(update))
    rows = [[sw.Workshop(w.id).button(w.title(lang)[:60])] for w in items]
    rows.append([sw.NewWorkshop().button(t(lang, "btn-sw-new-workshop"))])
    rows.append([sw.Sessions().button(t(lang, "btn-back"))])
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
        [sw.AddSession(wid).button(t(lang, "btn-sw-add-session"))],
        [
            sw.EditTitle(wid).button(t(lang, "btn-sw-edit-title")),
            sw.EditDescription(wid).button(t(lang, "btn-sw-edit-desc")),
        ],
        [sw.EditPlace(wid).button(t(lang, "btn-sw-edit-place"))],
        [sw.Catalogue().button(t(lang, "btn-back"))],
    ]
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def _new_workshop(update: Update, context: KisContext, person: Person) -> None:
    t, lang = context.deps.i18n, person.language
    rows = [[sw.NewInGroup(g).button(t(lang, f"group-{g.value}"))] for g in WorkshopGroup]
    await edit_or_reply(update, t(lang, "sw-new-group-ask"), InlineKeyboardMarkup(rows))


async def on_button(update: Update, context: KisContext, person: Person, button: sw.Sw) -> None:
    """sw:* presses of an active staff member; every action is re-authorised in the service."""
    match button:
        case sw.Sessions():
            await show_sessions(update, context, person)
        case sw.Roster(session_id=sid):
            await show_roster(update, context, person, sid)
        case sw.ToggleAttendance(enrollment_id=eid):
            await _toggle(update, context, person, eid)
        case sw.RestAbsent(session_id=sid):
            await _rest_absent(update, context, person, sid)
        case sw.AskCancel(session_id=sid):
            await _ask_cancel(update, context, person, sid)
        case sw.Cancel(session_id=sid):
            await _cancel(update, context, person, sid)
        case sw.Capacity(session_id=sid):
            await _ask(update, context, sw.CapacityPrompt(sid))
        case sw.Catalogue():
            await show_catalogue(update, context, person)
        case sw.NewWorkshop():
            await _new_workshop(update, context, person)
        case sw.NewInGroup(group=group):
            await _ask(update, context, sw.TitleOfNew(group))
        case sw.Workshop(workshop_id=wid):
            await show_workshop(update, context, person, wid)
        case sw.AddSession(workshop_id=wid):
            await _ask(update, context, sw.SessionLine(wid))
        case sw.EditTitle(workshop_id=wid):
            await _ask(update, context, sw.TitlePrompt(wid))
        case sw.EditDescription(workshop_id=wid):
            await _ask(update, context, sw.DescriptionPrompt(wid))
        case sw.EditPlace(workshop_id=wid):
            await _ask(update, context, sw.PlacePrompt(wid))
        case _:
            raise AssertionError(f"unhandled staff workshop button {button!r}")
