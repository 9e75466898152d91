"""Childcare for participants: register dependants, ask for care during a booking, see and
cancel requests; the decision and "room freed" outbox messages.

Buttons and typed answers: `handlers.buttons.childcare` (`cc:…` presses, `cc_…` questions
in `person.awaiting`; the same data as before they were typed). Every id is checked against the
person in the service.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import KisContext
from bot.i18n import Translator
from handlers import keyboards as kb
from handlers.buttons import BadCallback, Feature
from handlers.buttons import childcare as cc
from handlers.common import edit_or_reply, reply
from handlers.entry import refuse
from handlers.formatting import clock_time, long_when
from models import ACTIVE_CARE, Dependant, DependantKind, OutboxMessage, Person
from scheduler.dispatcher import wake_dispatcher
from scheduler.rendering import Rendered, Renderer
from services import childcare, people
from services import consultations as consult
from services import workshops as workshops_service
from services.errors import DomainError, InvalidInput, NotFound


def care_button(t: Translator, lang: str, kind: str, booking_id: int) -> InlineKeyboardButton:
    """The "care for my child during this" button of a booking card (kind `w` or `c`)."""
    return cc.CareFor(cc.BookingKind(kind), booking_id).button(t(lang, "btn-care-for-booking"))


def expects(awaiting: str | None) -> bool:
    """True when the person's next typed text answers one of these questions (a question of
    an older version included: `on_text` forgets it)."""
    return (awaiting or "").startswith("cc_")


def _when(start: datetime, end: datetime, tz: ZoneInfo, lang: str) -> str:
    return f"{long_when(start, tz, lang)}–{clock_time(end, tz)}"


def _dependant_line(t: Translator, lang: str, d: Dependant) -> str:
    line = t(lang, f"care-kind-{d.kind}", name=html.escape(d.name), year=str(d.birth_year))
    if d.needs:
        line += "\n   " + t(lang, "care-needs", needs=html.escape(d.needs))
    return line


def request_line(t: Translator, lang: str, v: childcare.CareView, tz: ZoneInfo) -> str:
    """ "🕓 Zosia, wtorek 2 marca, 9:45–12:15 — czeka na potwierdzenie" (HTML)."""
    r = v.request
    name = html.escape(v.dependant.name if v.dependant else "—")
    text = t(
        lang,
        f"care-request-{r.status}",
        name=name,
        when=_when(r.starts_at, r.ends_at, tz, lang),
    )
    if r.status == "declined" and r.decline_reason:
        text += "\n   " + t(lang, "care-reason", reason=html.escape(r.decline_reason))
    return text


async def show_childcare(
    update: Update, context: KisContext, person: Person, notice: str | None = None
) -> None:
    """Dependants, upcoming requests, and what can be done; a press is answered once, with
    `notice` if given."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.read() as session:
        dependants = await childcare.dependants_of(session, person.id)
        requests = await childcare.requests_of(session, person.id, now=deps.clock())
    lines = [t(lang, "care-title")]
    if dependants:
        lines += ["", t(lang, "care-dependants")] + [
            "• " + _dependant_line(t, lang, d) for d in dependants
        ]
    else:
        lines += ["", t(lang, "care-no-dependants-yet")]
    if requests:
        lines += ["", t(lang, "care-requests")] + [
            "• " + request_line(t, lang, v, tz) for v in requests
        ]
    rows = [[cc.ShowDependant(d.id).button("✏️ " + d.name[:40])] for d in dependants]
    rows += [[cc.AddDependant(DependantKind.CHILD).button(t(lang, "btn-care-add-child"))]]
    rows += [[cc.AddDependant(DependantKind.ADULT).button(t(lang, "btn-care-add-adult"))]]
    for v in requests:
        if v.request.status in ("held", "pending", "approved") and v.dependant is not None:
            label = t(lang, "btn-care-cancel", name=v.dependant.name[:30])
            rows.append([cc.CancelRequest(v.request.id).button(label)])
    if dependants:
        lines += ["", t(lang, "care-how-to-ask")]
    await edit_or_reply(update, "\n".join(lines), InlineKeyboardMarkup(rows), notice)


async def _ask(
    update: Update, context: KisContext, person: Person, awaiting: cc.CcPrompt, question: str
) -> None:
    """Remember what the next typed text is for, and ask for it (with a Cancel button)."""
    t, lang = context.deps.i18n, person.language
    async with context.deps.transaction() as session:
        await people.set_awaiting(session, person.id, awaiting.pack())
    cancel = cc.Screen().button(t(lang, "btn-cancel"))
    await edit_or_reply(update, t(lang, question), InlineKeyboardMarkup([[cancel]]))


async def _show_dependant(
    update: Update, context: KisContext, person: Person, dependant_id: int
) -> None:
    t, lang = context.deps.i18n, person.language
    async with context.deps.read() as session:
        dependant = await childcare.dependant_view(session, person.id, dependant_id)
    rows = [
        [cc.Edit(dependant.id, cc.Field.NAME).button(t(lang, "btn-care-edit-name"))],
        [cc.Edit(dependant.id, cc.Field.YEAR).button(t(lang, "btn-care-edit-year"))],
        [cc.Edit(dependant.id, cc.Field.NEEDS).button(t(lang, "btn-care-edit-needs"))],
        [cc.AskRemove(dependant.id).button(t(lang, "btn-care-remove"))],
        [cc.Screen().button(t(lang, "btn-back"))],
    ]
    await edit_or_reply(update, _dependant_line(t, lang, dependant), InlineKeyboardMarkup(rows))


async def on_text(update: Update, context: KisContext, person: Person, text: str) -> None:
    """A typed year, name or needs note for the question in `person.awaiting`."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        prompt = cc.CcPrompt.unpack(person.awaiting)
    except BadCallback:  # a question of an older version: forget it
        await _forget(context, person)
        await reply(update, t(lang, "button-stale"))
        return
    now = deps.clock()
    added: int | None = None
    question: str | None = None
    try:
        async with deps.transaction() as session:
            match prompt:
                case cc.NewYear(kind=kind):
                    year = _year(text)
                    childcare.check_birth_year(year, now)
                    await people.set_awaiting(session, person.id, cc.NewName(kind, year).pack())
                    question = "care-ask-name"
                case cc.NewName(kind=kind, year=year):
                    dependant = await childcare.add_dependant(
                        session,
                        person_id=person.id,
                        name=text,
                        kind=kind,
                        birth_year=year,
                        now=now,
                    )
                    await people.set_awaiting(session, person.id, cc.Needs(dependant.id).pack())
                    question, added = "care-ask-needs", dependant.id
                case cc.Needs(dependant_id=did):
                    await childcare.update_dependant(
                        session, person_id=person.id, dependant_id=did, needs=text, now=now
                    )
                    await people.set_awaiting(session, person.id, None)
                case cc.EditName(dependant_id=did):
                    await childcare.update_dependant(
                        session, person_id=person.id, dependant_id=did, name=text, now=now
                    )
                    await people.set_awaiting(session, person.id, None)
                case cc.EditYear(dependant_id=did):
                    await childcare.update_dependant(
                        session,
                        person_id=person.id,
                        dependant_id=did,
                        birth_year=_year(text),
                        now=now,
                    )
                    await people.set_awaiting(session, person.id, None)
                case _:
                    raise AssertionError(f"unhandled childcare prompt {prompt!r}")
    except NotFound as error:  # the dependant is gone: the question with it
        await _forget(context, person)
        await refuse(update, context, lang, Feature.CHILDCARE, error)
        return
    except DomainError as error:  # a typing mistake: the same question stays open
        await refuse(update, context, lang, Feature.CHILDCARE, error)
        return
    if added is not None:
        skip = InlineKeyboardMarkup([[cc.NoNeeds(added).button(t(lang, "btn-care-no-needs"))]])
        await reply(update, t(lang, "care-ask-needs"), skip)
    elif question is not None:
        await reply(update, t(lang, question))
    else:
        await reply(update, t(lang, "care-saved"))
        await show_childcare(update, context, person)


async def _forget(context: KisContext, person: Person) -> None:
    async with context.deps.transaction() as session:
        await people.set_awaiting(session, person.id, None)


def _year(text: str) -> int:
    value = text.strip()
    if not value.isdigit() or len(value) != 4:
        raise InvalidInput("care-birth-year-invalid")
    return int(value)


async def _no_needs(update: Update, context: KisContext, person: Person, dependant_id: int) -> None:
    deps = context.deps
    async with deps.transaction() as session:
        await childcare.dependant_view(session, person.id, dependant_id)  # one's own only
        await people.set_awaiting(session, person.id, None)
    await show_childcare(update, context, person)


EDITS: dict[cc.Field, tuple[Callable[[int], cc.CcPrompt], str]] = {
    cc.Field.NAME: (cc.EditName, "care-ask-name"),
    cc.Field.YEAR: (cc.EditYear, "care-ask-year"),
    cc.Field.NEEDS: (cc.Needs, "care-ask-needs"),
}


async def _edit(
    update: Update, context: KisContext, person: Person, dependant_id: int, field: cc.Field
) -> None:
    async with context.deps.read() as session:
        await childcare.dependant_view(session, person.id, dependant_id)  # one's own only
    prompt, question = EDITS[field]
    await _ask(update, context, person, prompt(dependant_id), question)


async def _remove(
    update: Update, context: KisContext, person: Person, dependant_id: int, sure: bool
) -> None:
    deps, t, lang = context.deps, context.deps.i18n, person.language
    if not sure:
        async with deps.read() as session:
            dependant = await childcare.dependant_view(session, person.id, dependant_id)
        rows = [
            [cc.Remove(dependant_id).button(t(lang, "btn-care-remove-yes"))],
            [cc.ShowDependant(dependant_id).button(t(lang, "btn-back"))],
        ]
        text = t(lang, "care-remove-ask", name=html.escape(dependant.name))
        await edit_or_reply(update, text, InlineKeyboardMarkup(rows))
        return
    async with deps.transaction() as session:
        await childcare.remove_dependant(
            session,
            person_id=person.id,
            dependant_id=dependant_id,
            now=deps.clock(),
            policy=deps.policy,
        )
    wake_dispatcher(context.application)
    await show_childcare(update, context, person, t(lang, "care-removed"))


def _booking_ids(kind: cc.BookingKind, booking_id: int) -> tuple[int | None, int | None]:
    """(enrollment_id, consultation_id) for a booking of kind `w` or `c`."""
    if kind == cc.BookingKind.WORKSHOP:
        return booking_id, None
    return None, booking_id


async def _booking_label(
    context: KisContext,
    session: AsyncSession,
    person: Person,
    kind: cc.BookingKind,
    booking_id: int,
) -> str:
    """ "Edukacja finansowa, wtorek 2 marca, 17:00" for one's own booking (NotFound else)."""
    tz, lang = context.deps.policy.tz, person.language
    if kind == cc.BookingKind.WORKSHOP:
        b = await workshops_service.booking(session, person.id, booking_id)
        return f"{b.workshop.title(lang)}, {long_when(b.session.starts_at, tz, lang)}"
    view = await consult.booking_view(session, person.id, booking_id)
    return long_when(view.slot.starts_at, tz, lang)  # no service name: it may be sensitive


async def ask_whom(
    update: Update, context: KisContext, person: Person, kind: cc.BookingKind, booking_id: int
) -> None:
    """For whom is care needed during this booking? (One button per dependant.)"""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.read() as session:
        label = await _booking_label(context, session, person, kind, booking_id)
        dependants = await childcare.dependants_of(session, person.id)
    if not dependants:
        rows = [
            [cc.AddDependant(DependantKind.CHILD).button(t(lang, "btn-care-add-child"))],
            [cc.AddDependant(DependantKind.ADULT).button(t(lang, "btn-care-add-adult"))],
        ]
        text = t(lang, "care-register-first")
        await edit_or_reply(update, text, InlineKeyboardMarkup(rows))
        return
    rows = [[cc.AskCare(kind, booking_id, d.id).button(d.name[:50])] for d in dependants]
    text = t(lang, "care-ask-whom", booking=html.escape(label))
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def ask_care(
    update: Update,
    context: KisContext,
    person: Person,
    kind: cc.BookingKind,
    booking_id: int,
    dependant_id: int,
) -> None:
    """Ask for care for one dependant during one's own booking; say what happened."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    enrollment_id, consultation_id = _booking_ids(kind, booking_id)
    try:
        async with deps.transaction() as session:
            [result] = await childcare.request_care(
                session,
                person_id=person.id,
                dependant_ids=[dependant_id],
                enrollment_id=enrollment_id,
                consultation_id=consultation_id,
                now=deps.clock(),
                policy=deps.policy,
            )
            dependants = await childcare.dependants_of(session, person.id)
    except childcare.BookingUnavailable:
        await edit_or_reply(update, t(lang, "care-booking-unavailable"))
        return
    wake_dispatcher(context.application)
    name = next((d.name for d in dependants if d.id == dependant_id), "—")
    if result.outcome == "refused":
        text = t(lang, result.reason or "care-no-care-then", name=html.escape(name))
    elif result.outcome == "held":
        text = t(lang, "care-held", name=html.escape(name), capacity=result.capacity or 0)
    else:
        text = t(lang, f"care-asked-{result.outcome}", name=html.escape(name))
    others = [d for d in dependants if d.id != dependant_id]
    rows = [[cc.AskCare(kind, booking_id, d.id).button(d.name[:50])] for d in others]
    rows.append([cc.Screen().button(t(lang, "btn-care-screen"))])
    if others:
        text += "\n\n" + t(lang, "care-anyone-else")
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def show_request(
    update: Update, context: KisContext, person: Person, request_id: int
) -> None:
    """cc:r: one upcoming care request of one's own, opened from "My bookings"."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.read() as session:
        views = await childcare.requests_of(session, person.id, now=deps.clock())
    view = next((v for v in views if v.request.id == request_id), None)
    if view is None:
        raise NotFound()
    rows = []
    if view.request.status in ACTIVE_CARE and view.dependant is not None:
        label = t(lang, "btn-care-cancel", name=view.dependant.name[:30])
        rows.append([cc.CancelRequest(view.request.id).button(label)])
    rows.append([kb.my_bookings_button(t, lang)])
    await edit_or_reply(update, request_line(t, lang, view, tz), InlineKeyboardMarkup(rows))


async def cancel_care(update: Update, context: KisContext, person: Person, request_id: int) -> None:
    """Cancel one's own care request; the booking stays."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.transaction() as session:  # CareClosed: see handlers.entry.REFUSALS
        await childcare.cancel_request(
            session,
            person_id=person.id,
            request_id=request_id,
            now=deps.clock(),
            policy=deps.policy,
        )
    wake_dispatcher(context.application)
    await show_childcare(update, context, person, t(lang, "care-cancelled"))


async def on_button(update: Update, context: KisContext, person: Person, button: cc.Cc) -> None:
    """cc:* presses of an active participant; every id is checked against them in the
    service (somebody else's is NotFound, answered as a stale button)."""
    match button:
        case cc.Screen():
            await _forget(context, person)
            await show_childcare(update, context, person)
        case cc.AddDependant(kind=kind):
            await _ask(update, context, person, cc.NewYear(kind), "care-ask-year")
        case cc.ShowDependant(dependant_id=did):
            await _show_dependant(update, context, person, did)
        case cc.Edit(dependant_id=did, field=field):
            await _edit(update, context, person, did, field)
        case cc.NoNeeds(dependant_id=did):
            await _no_needs(update, context, person, did)
        case cc.AskRemove(dependant_id=did):
            await _remove(update, context, person, did, sure=False)
        case cc.Remove(dependant_id=did):
            await _remove(update, context, person, did, sure=True)
        case cc.CareFor(kind=kind, booking_id=bid):
            await ask_whom(update, context, person, kind, bid)
        case cc.AskCare(kind=kind, booking_id=bid, dependant_id=did):
            await ask_care(update, context, person, kind, bid, did)
        case cc.Request(request_id=rid):
            await show_request(update, context, person, rid)
        case cc.CancelRequest(request_id=rid):
            await cancel_care(update, context, person, rid)
        case _:
            raise AssertionError(f"unhandled childcare button {button!r}")


# --- outbox renderers: to the participant ---------------------------------------------------


def renderers(tz: ZoneInfo, clock: Callable[[], datetime]) -> dict[str, Renderer]:
    """care_decided and care_unheld, in the participant's language of the moment."""

    async def decided(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered | None:
        found = await childcare.decision_to_tell(session, row.person_id, row.ref_id, clock())
        if found is None:
            return None
        person, view = found
        r, lang = view.request, person.language
        args = {
            "name": html.escape(view.dependant.name if view.dependant else "—"),
            "when": _when(r.starts_at, r.ends_at, tz, lang),
            "place": html.escape(r.place or "—"),
        }
        if r.status == "approved":
            return Rendered(t(lang, "care-approved-msg", **args))
        text = t(lang, "care-declined-msg", **args)
        if r.decline_reason:
            text += "\n" + t(lang, "care-reason", reason=html.escape(r.decline_reason))
        screen = cc.Screen().button(t(lang, "btn-care-screen"))
        return Rendered(text, InlineKeyboardMarkup([[screen]]))

    async def unheld(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered | None:
        found = await childcare.unhold_to_tell(session, row.person_id, row.ref_id)
        if found is None:
            return None
        person, view = found
        r, lang = view.request, person.language
        name = html.escape(view.dependant.name if view.dependant else "—")
        when = _when(r.starts_at, r.ends_at, tz, lang)
        return Rendered(t(lang, "care-unheld-msg", name=name, when=when))

    return {"care_decided": decided, "care_unheld": unheld}
