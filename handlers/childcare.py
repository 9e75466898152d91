"""Childcare for participants: register dependants, ask for care during a booking, see and
cancel requests; the decision and "room freed" outbox messages.

Callback data (`cc:<action>[:…]`; every id is checked against the person in the service):

| data                          | what                                                      |
|-------------------------------|-----------------------------------------------------------|
| `cc:top`                      | the childcare screen: dependants and requests             |
| `cc:a:<child/adult>`          | add a dependant (asks the year of birth, then the name)   |
| `cc:d:<dependant>`            | one dependant, with edit and remove buttons               |
| `cc:e:<dependant>:<field>`    | edit name (`n`), year (`y`) or needs (`s`)                |
| `cc:ns:<dependant>`           | no special needs (skip the question)                      |
| `cc:rm:<dependant>` / `cc:rmy:<dependant>` | ask to remove / remove                       |
| `cc:b:<w/c>:<booking>`        | care for a workshop seat (w) or a consultation (c): whom  |
| `cc:q:<w/c>:<booking>:<dep>`  | ask care for that dependant                               |
| `cc:r:<request>`              | one request, opened from "My bookings" (cancel, back)     |
| `cc:x:<request>`              | cancel one's care request (the booking stays)             |

Typed answers (`person.awaiting`): `cc_year:<kind>`, `cc_name:<kind>:<year>`,
`cc_needs:<dependant>`, `cc_ename:<dependant>`, `cc_eyear:<dependant>`.
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
from handlers.callbacks import Callback, encode
from handlers.common import answer, edit_or_reply, reply
from handlers.formatting import clock_time, long_when
from models import ACTIVE_CARE, Dependant, OutboxMessage, Person, PersonStatus
from scheduler.dispatcher import wake_dispatcher
from scheduler.rendering import Rendered, Renderer
from services import childcare, people
from services import consultations as consult
from services import workshops as workshops_service
from services.errors import InvalidInput, NotFound

KINDS = ("child", "adult")
PREFIXES = ("cc_year", "cc_name", "cc_needs", "cc_ename", "cc_eyear")


def _btn(text: str, action: str, *args: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=encode("cc", action, *args))


def care_button(t: Translator, lang: str, kind: str, booking_id: int) -> InlineKeyboardButton:
    """The "care for my child during this" button of a booking card (kind `w` or `c`)."""
    return _btn(t(lang, "btn-care-for-booking"), "b", kind, booking_id)


def expects(awaiting: str | None) -> bool:
    """True when the person's next typed text answers one of these questions."""
    return (awaiting or "").split(":")[0] in PREFIXES


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
    rows = [[_btn("✏️ " + d.name[:40], "d", d.id)] for d in dependants]
    rows += [[_btn(t(lang, "btn-care-add-child"), "a", "child")]]
    rows += [[_btn(t(lang, "btn-care-add-adult"), "a", "adult")]]
    for v in requests:
        if v.request.status in ("held", "pending", "approved") and v.dependant is not None:
            label = t(lang, "btn-care-cancel", name=v.dependant.name[:30])
            rows.append([_btn(label, "x", v.request.id)])
    if dependants:
        lines += ["", t(lang, "care-how-to-ask")]
    await edit_or_reply(update, "\n".join(lines), InlineKeyboardMarkup(rows), notice)


async def _ask(
    update: Update, context: KisContext, person: Person, awaiting: str, question: str
) -> None:
    """Remember what the next typed text is for, and ask for it (with a Cancel button)."""
    t, lang = context.deps.i18n, person.language
    async with context.deps.transaction() as session:
        await people.set_awaiting(session, person.id, awaiting)
    await edit_or_reply(
        update, t(lang, question), InlineKeyboardMarkup([[_btn(t(lang, "btn-cancel"), "top")]])
    )


async def _show_dependant(
    update: Update, context: KisContext, person: Person, dependant_id: int
) -> None:
    t, lang = context.deps.i18n, person.language
    async with context.deps.read() as session:
        dependant = await childcare.dependant_view(session, person.id, dependant_id)
    rows = [
        [_btn(t(lang, "btn-care-edit-name"), "e", dependant.id, "n")],
        [_btn(t(lang, "btn-care-edit-year"), "e", dependant.id, "y")],
        [_btn(t(lang, "btn-care-edit-needs"), "e", dependant.id, "s")],
        [_btn(t(lang, "btn-care-remove"), "rm", dependant.id)],
        [_btn(t(lang, "btn-back"), "top")],
    ]
    await edit_or_reply(update, _dependant_line(t, lang, dependant), InlineKeyboardMarkup(rows))


async def on_text(update: Update, context: KisContext, person: Person, text: str) -> None:
    """A typed year, name or needs note for the question in `person.awaiting`."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    parts = (person.awaiting or "").split(":")
    kind, now = parts[0], deps.clock()
    added: int | None = None
    try:
        async with deps.transaction() as session:
            if kind == "cc_year" and len(parts) == 2 and parts[1] in KINDS:
                year = _year(text)
                childcare.check_birth_year(year, now)
                await people.set_awaiting(session, person.id, f"cc_name:{parts[1]}:{year}")
                question: str | None = "care-ask-name"
            elif kind == "cc_name" and len(parts) == 3 and parts[1] in KINDS:
                dependant = await childcare.add_dependant(
                    session,
                    person_id=person.id,
                    name=text,
                    kind=parts[1],
                    birth_year=int(parts[2]),
                    now=now,
                )
                await people.set_awaiting(session, person.id, f"cc_needs:{dependant.id}")
                question, added = "care-ask-needs", dependant.id
            elif kind == "cc_needs" and len(parts) == 2:
                await childcare.update_dependant(
                    session, person_id=person.id, dependant_id=int(parts[1]), needs=text, now=now
                )
                await people.set_awaiting(session, person.id, None)
                question = None
            elif kind == "cc_ename" and len(parts) == 2:
                await childcare.update_dependant(
                    session, person_id=person.id, dependant_id=int(parts[1]), name=text, now=now
                )
                await people.set_awaiting(session, person.id, None)
                question = None
            elif kind == "cc_eyear" and len(parts) == 2:
                await childcare.update_dependant(
                    session,
                    person_id=person.id,
                    dependant_id=int(parts[1]),
                    birth_year=_year(text),
                    now=now,
                )
                await people.set_awaiting(session, person.id, None)
                question = None
            else:
                await people.set_awaiting(session, person.id, None)
                question = None
    except InvalidInput as exc:
        await reply(update, t(lang, exc.reason))  # the same question stays open
        return
    except (NotFound, ValueError):
        async with deps.transaction() as session:
            await people.set_awaiting(session, person.id, None)
        await reply(update, t(lang, "button-stale"))
        return
    if added is not None:
        skip = InlineKeyboardMarkup([[_btn(t(lang, "btn-care-no-needs"), "ns", added)]])
        await reply(update, t(lang, "care-ask-needs"), skip)
    elif question is not None:
        await reply(update, t(lang, question))
    else:
        await reply(update, t(lang, "care-saved"))
        await show_childcare(update, context, person)


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


async def _edit(
    update: Update, context: KisContext, person: Person, dependant_id: int, field: str
) -> None:
    async with context.deps.read() as session:
        await childcare.dependant_view(session, person.id, dependant_id)  # one's own only
    prompts = {
        "n": ("cc_ename", "care-ask-name"),
        "y": ("cc_eyear", "care-ask-year"),
        "s": ("cc_needs", "care-ask-needs"),
    }
    if field not in prompts:
        raise ValueError("unknown field")
    awaiting, question = prompts[field]
    await _ask(update, context, person, f"{awaiting}:{dependant_id}", question)


async def _remove(
    update: Update, context: KisContext, person: Person, dependant_id: int, sure: bool
) -> None:
    deps, t, lang = context.deps, context.deps.i18n, person.language
    if not sure:
        async with deps.read() as session:
            dependant = await childcare.dependant_view(session, person.id, dependant_id)
        rows = [
            [_btn(t(lang, "btn-care-remove-yes"), "rmy", dependant_id)],
            [_btn(t(lang, "btn-back"), "d", dependant_id)],
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


def _booking_ids(kind: str, booking_id: int) -> tuple[int | None, int | None]:
    """(enrollment_id, consultation_id) for a booking of kind `w` or `c`."""
    if kind == "w":
        return booking_id, None
    if kind == "c":
        return None, booking_id
    raise ValueError("unknown booking kind")


async def _booking_label(
    context: KisContext, session: AsyncSession, person: Person, kind: str, booking_id: int
) -> str:
    """ "Edukacja finansowa, wtorek 2 marca, 17:00" for one's own booking (NotFound else)."""
    tz, lang = context.deps.policy.tz, person.language
    if kind == "w":
        b = await workshops_service.booking(session, person.id, booking_id)
        return f"{b.workshop.title(lang)}, {long_when(b.session.starts_at, tz, lang)}"
    view = await consult.booking_view(session, person.id, booking_id)
    return long_when(view.slot.starts_at, tz, lang)  # no service name: it may be sensitive


async def ask_whom(
    update: Update, context: KisContext, person: Person, kind: str, booking_id: int
) -> None:
    """For whom is care needed during this booking? (One button per dependant.)"""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    _booking_ids(kind, booking_id)
    async with deps.read() as session:
        label = await _booking_label(context, session, person, kind, booking_id)
        dependants = await childcare.dependants_of(session, person.id)
    if not dependants:
        rows = [
            [_btn(t(lang, "btn-care-add-child"), "a", "child")],
            [_btn(t(lang, "btn-care-add-adult"), "a", "adult")],
        ]
        text = t(lang, "care-register-first")
        await edit_or_reply(update, text, InlineKeyboardMarkup(rows))
        return
    rows = [[_btn(d.name[:50], "q", kind, booking_id, d.id)] for d in dependants]
    text = t(lang, "care-ask-whom", booking=html.escape(label))
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def ask_care(
    update: Update,
    context: KisContext,
    person: Person,
    kind: str,
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
    rows = [[_btn(d.name[:50], "q", kind, booking_id, d.id)] for d in others]
    rows.append([_btn(t(lang, "btn-care-screen"), "top")])
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
        rows.append([_btn(label, "x", view.request.id)])
    rows.append([kb.my_bookings_button(t, lang)])
    await edit_or_reply(update, request_line(t, lang, view, tz), InlineKeyboardMarkup(rows))


async def cancel_care(update: Update, context: KisContext, person: Person, request_id: int) -> None:
    """Cancel one's own care request; the booking stays."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        async with deps.transaction() as session:
            await childcare.cancel_request(
                session,
                person_id=person.id,
                request_id=request_id,
                now=deps.clock(),
                policy=deps.policy,
            )
    except childcare.CareClosed:
        await answer(update, t(lang, "care-not-active"), alert=True)
        return
    wake_dispatcher(context.application)
    await show_childcare(update, context, person, t(lang, "care-cancelled"))


async def on_callback(update: Update, context: KisContext, person: Person, cb: Callback) -> None:
    """cc:* buttons."""
    t, lang, a = context.deps.i18n, person.language, cb.action
    try:
        if a == "top":
            async with context.deps.transaction() as session:
                await people.set_awaiting(session, person.id, None)
            await show_childcare(update, context, person)
        elif a == "a" and len(cb.args) == 1 and cb.args[0] in KINDS:
            await _ask(update, context, person, f"cc_year:{cb.args[0]}", "care-ask-year")
        elif a == "d":
            await _show_dependant(update, context, person, cb.id_arg())
        elif a == "e" and len(cb.args) == 2:
            await _edit(update, context, person, cb.id_arg(), cb.args[1])
        elif a == "ns":
            await _no_needs(update, context, person, cb.id_arg())
        elif a in ("rm", "rmy"):
            await _remove(update, context, person, cb.id_arg(), sure=a == "rmy")
        elif a == "b" and len(cb.args) == 2:
            await ask_whom(update, context, person, cb.args[0], cb.id_arg(1))
        elif a == "q" and len(cb.args) == 3:
            await ask_care(update, context, person, cb.args[0], cb.id_arg(1), cb.id_arg(2))
        elif a == "r":
            await show_request(update, context, person, cb.id_arg())
        elif a == "x":
            await cancel_care(update, context, person, cb.id_arg())
        else:
            await answer(update, t(lang, "button-stale"), alert=True)
    except (NotFound, IndexError, ValueError):
        await answer(update, t(lang, "button-stale"), alert=True)


# --- outbox renderers: to the participant ---------------------------------------------------


def renderers(tz: ZoneInfo, clock: Callable[[], datetime]) -> dict[str, Renderer]:
    """care_decided and care_unheld, in the participant's language of the moment."""

    async def recipient(
        session: AsyncSession, row: OutboxMessage
    ) -> tuple[Person, childcare.CareView] | None:
        if row.person_id is None or row.ref_id is None:
            return None
        person = await session.get(Person, row.person_id)
        if person is None or person.telegram_id is None:
            return None
        if person.status != PersonStatus.ACTIVE.value:
            return None
        view = await childcare.load_request(session, row.ref_id)
        if view is None or view.request.person_id != person.id or view.dependant is None:
            return None
        return person, view

    async def decided(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered | None:
        found = await recipient(session, row)
        if found is None:
            return None
        person, view = found
        r, lang = view.request, person.language
        if r.status not in ("approved", "declined") or r.ends_at <= clock():
            return None
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
        return Rendered(text, InlineKeyboardMarkup([[_btn(t(lang, "btn-care-screen"), "top")]]))

    async def unheld(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered | None:
        found = await recipient(session, row)
        if found is None:
            return None
        person, view = found
        r, lang = view.request, person.language
        if r.status != "pending":
            return None
        name = html.escape(view.dependant.name if view.dependant else "—")
        when = _when(r.starts_at, r.ends_at, tz, lang)
        return Rendered(t(lang, "care-unheld-msg", name=name, when=when))

    return {"care_decided": decided, "care_unheld": unheld}
