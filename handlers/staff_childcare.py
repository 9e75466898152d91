"""Childcare screens for the partner (the social cooperative) and coordinators: pending care
requests with Approve / Decline (a preset or a typed reason), the day's roster, the outbox
messages partners receive (new request, cancelled request, the morning roster, queued by the
job registry's `care-morning-roster`, scheduler/daily.py).

Buttons (`handlers.buttons.staff_childcare`, `cp:<action>[:<id>...]`; every press is
re-authorised in the services, which allow the childcare partner, coordinators and admins):

| data | screen |
| --- | --- |
| `cp:l` | requests waiting for a decision: a header, then one card per request |
| `cp:ok:<request>` | approve, then the card with the decision |
| `cp:no:<request>` | decline: the card with the reasons to choose from |
| `cp:rs:<request>:<n>` | decline with preset reason n (`DECLINE_PRESETS`) |
| `cp:w:<request>` | decline with a typed reason (`person.awaiting = "cp_reason:<request>"`) |
| `cp:c:<request>` | back to the card (also stops waiting for a typed reason) |
| `cp:g[:<YYYYMMDD>]` | the roster of a day (0 or none: today), with previous / today / next |

A preset reason is stored in the participant's language (they read it in the decision
message); a typed one as written. The first decision wins: a later press is told so. Refusals
(not care staff, a request that is gone) are answered by `handlers.entry`.
"""

from __future__ import annotations

import html
import logging
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from bot.context import Deps, KisContext
from bot.i18n import Translator
from handlers.buttons import BadCallback, Feature
from handlers.buttons import staff_childcare as cp
from handlers.common import answer, edit_or_reply, reply
from handlers.entry import refuse
from handlers.formatting import clock_time
from models import CareStatus, OutboxMessage, Person
from scheduler.dispatcher import wake_dispatcher
from scheduler.rendering import Rendered, Renderer
from services import childcare, people
from services.errors import AlreadyDecided, DomainError, InvalidInput, NotFound

log = logging.getLogger(__name__)

# Preset decline reasons (button label = stored text, in the participant's language).
DECLINE_PRESETS = {
    cp.DeclinePreset.FULL: "cp-reason-full",
    cp.DeclinePreset.AGE: "cp-reason-age",
}
MAX_CARDS = 10  # cards sent by one press of "Requests"; the rest after deciding these
STATE_KEYS = {
    CareStatus.APPROVED.value: "cp-state-approved",
    CareStatus.DECLINED.value: "cp-state-declined",
    CareStatus.CANCELLED.value: "cp-state-cancelled",
    CareStatus.HELD.value: "cp-state-held",
}


def _tid(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _long_day(day: date, lang: str) -> str:
    return format_date(day, "EEEE, d MMMM", locale=lang)


def _short_day(day: date, lang: str) -> str:
    return format_date(day, "EEE d.MM", locale=lang)


def _today(deps: Deps) -> date:
    return deps.clock().astimezone(deps.policy.tz).date()


# --- texts -----------------------------------------------------------------------------


def _who(t: Translator, lang: str, name: str | None, kind: str, age: int | None) -> str:
    """ "Ola — dziecko, 5 lat"."""
    if name is None:
        return t(lang, "cp-who-removed")
    return t(lang, "cp-who", name=html.escape(name), kind=kind, age=age if age is not None else -1)


def _needs(t: Translator, lang: str, needs: str) -> str:
    if not needs:
        return t(lang, "cp-needs-none")
    return t(lang, "cp-needs", needs=html.escape(needs))


def _when(t: Translator, lang: str, starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> str:
    return t(
        lang,
        "cp-when",
        day=format_datetime(starts_at, "EEEE d MMMM", tzinfo=tz, locale=lang),
        start=clock_time(starts_at, tz),
        end=clock_time(ends_at, tz),
    )


def _card_lines(
    t: Translator,
    lang: str,
    view: childcare.CareView,
    tz: ZoneInfo,
    title: str = "cp-card-title",
) -> list[str]:
    """What the partner needs to look after the dependant: who, needs, when, where, parent."""
    request, dependant = view.request, view.dependant
    lines = [
        t(lang, title),
        _who(
            t,
            lang,
            dependant.name if dependant else None,
            dependant.kind if dependant else "",
            view.age,
        ),
    ]
    if dependant is not None:
        lines.append(_needs(t, lang, dependant.needs))
    lines += [
        _when(t, lang, request.starts_at, request.ends_at, tz),
        t(lang, "cp-place", place=html.escape(request.place or "—")),
        t(lang, "cp-parent", name=html.escape(view.parent_name)),
    ]
    if view.workshop is not None:
        lines.append(t(lang, "cp-during", activity=html.escape(view.workshop.title(lang))))
    elif view.service is not None:
        lines.append(t(lang, "cp-during", activity=html.escape(view.service.name(lang))))
    return lines


def _state_line(t: Translator, lang: str, request: Any) -> str:
    key = STATE_KEYS.get(request.status)
    if key is None:
        return ""
    return t(lang, key, reason=html.escape(request.decline_reason or "—"))


def _decision_keyboard(t: Translator, lang: str, rid: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                cp.Approve(rid).button(t(lang, "btn-cp-approve")),
                cp.Decline(rid).button(t(lang, "btn-cp-decline")),
            ]
        ]
    )


def _card_text(
    t: Translator, lang: str, view: childcare.CareView, tz: ZoneInfo, *extra: str
) -> str:
    lines = _card_lines(t, lang, view, tz)
    extra_lines = [line for line in extra if line]
    if extra_lines:
        lines += ["", *extra_lines]
    return "\n".join(lines)


# --- pending requests ------------------------------------------------------------------


async def show_pending(update: Update, context: KisContext, person: Person) -> None:
    """The requests waiting for a decision: a header (count, the roster) then one card each."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.read() as session:
        views = await childcare.pending_requests(session, _tid(update), now=deps.clock())
    header = [t(lang, "cp-pending-title", count=len(views))]
    if len(views) > MAX_CARDS:
        header.append(t(lang, "cp-pending-more", shown=MAX_CARDS))
    rows = [[cp.Roster(_today(deps)).button(t(lang, "btn-cp-roster"))]]
    await edit_or_reply(update, "\n".join(header), InlineKeyboardMarkup(rows))
    for view in views[:MAX_CARDS]:
        await reply(
            update, _card_text(t, lang, view, tz), _decision_keyboard(t, lang, view.request.id)
        )


async def _pending_view(
    session: AsyncSession, actor_tid: int, rid: int, now: datetime
) -> childcare.CareView | None:
    """The request if it still waits for a decision (as the actor may see it), else None;
    NotAllowed for someone who may not decide, NotFound for a missing request."""
    for view in await childcare.pending_requests(session, actor_tid, now=now):
        if view.request.id == rid:
            return view
    if await childcare.load_request(session, rid) is None:
        raise NotFound()
    return None


async def _show_decided(
    update: Update, context: KisContext, person: Person, rid: int, notice_key: str
) -> None:
    """The card with its current state (no buttons) and a notice: someone was quicker, or the
    request was cancelled or is over."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.read() as session:
        view = await childcare.load_request(session, rid)
    notice = t(lang, notice_key)
    if view is None:
        await answer(update, t(lang, "button-stale"), alert=True)
        return
    text = _card_text(t, lang, view, tz, _state_line(t, lang, view.request))
    await edit_or_reply(update, text, notice=notice)


async def show_card(update: Update, context: KisContext, person: Person, rid: int) -> None:
    """One pending request with Approve / Decline (after Back or Cancel)."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.transaction() as session:
        view = await _pending_view(session, _tid(update), rid, deps.clock())
        if (person.awaiting or "").startswith(cp.PROMPT_PREFIX):
            await people.set_awaiting(session, person.id, None)
    if view is None:
        await _show_decided(update, context, person, rid, "cp-already-decided")
        return
    await edit_or_reply(update, _card_text(t, lang, view, tz), _decision_keyboard(t, lang, rid))


async def ask_reason(update: Update, context: KisContext, person: Person, rid: int) -> None:
    """Decline: the card with the reasons as buttons, or "I'll write it"."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.read() as session:
        view = await _pending_view(session, _tid(update), rid, deps.clock())
    if view is None:
        await _show_decided(update, context, person, rid, "cp-already-decided")
        return
    rows = [
        [cp.DeclineWith(rid, preset).button(t(lang, key))]
        for preset, key in DECLINE_PRESETS.items()
    ]
    rows.append([cp.TypeReason(rid).button(t(lang, "btn-cp-reason-typed"))])
    rows.append([cp.Card(rid).button(t(lang, "btn-back"))])
    text = _card_text(t, lang, view, tz, t(lang, "cp-decline-ask"))
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def ask_typed_reason(update: Update, context: KisContext, person: Person, rid: int) -> None:
    """Wait for the reason as typed text (up to 200 characters)."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.transaction() as session:
        view = await _pending_view(session, _tid(update), rid, deps.clock())
        if view is not None:
            await people.set_awaiting(session, person.id, cp.ReasonPrompt(rid).pack())
    if view is None:
        await _show_decided(update, context, person, rid, "cp-already-decided")
        return
    markup = InlineKeyboardMarkup([[cp.Card(rid).button(t(lang, "btn-cancel"))]])
    await reply(
        update,
        t(lang, "cp-reason-ask", name=html.escape(view.dependant.name if view.dependant else "—")),
        markup,
    )
    await answer(update)


async def decide(
    update: Update,
    context: KisContext,
    person: Person,
    rid: int,
    approve: bool,
    preset: str | None = None,
    typed: str | None = None,
) -> None:
    """Approve, or decline with a preset or typed reason; the participant is told through the
    outbox. A typed reason arrives as a message: the result is a new message then."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    try:
        async with deps.transaction() as session:
            reason = typed
            if preset is not None:
                plang = await childcare.requester_language(session, rid)
                plang = plang or deps.settings.default_language
                reason = t(plang, preset)
            view = await childcare.decide(
                session,
                actor_tid=_tid(update),
                request_id=rid,
                approve=approve,
                reason=reason,
                now=deps.clock(),
                policy=deps.policy,
            )
            if typed is not None:
                await people.set_awaiting(session, person.id, None)
    except AlreadyDecided:
        if typed is not None:
            await _clear_awaiting(context, person)
            await reply(update, t(lang, "cp-already-decided"))
            return
        await _show_decided(update, context, person, rid, "cp-already-decided")
        return
    except childcare.CareClosed:
        if typed is not None:
            await _clear_awaiting(context, person)
            await reply(update, t(lang, "cp-closed"))
            return
        await _show_decided(update, context, person, rid, "cp-closed")
        return
    except InvalidInput:  # only a typed reason can be empty or too long
        markup = InlineKeyboardMarkup([[cp.Card(rid).button(t(lang, "btn-cancel"))]])
        await reply(update, t(lang, "cp-reason-invalid", max=childcare.REASON_MAX), markup)
        return
    wake_dispatcher(context.application)
    done = "cp-done-approved" if approve else "cp-done-declined"
    text = _card_text(t, lang, view, tz, _state_line(t, lang, view.request), t(lang, done))
    if typed is not None:
        await reply(update, text)
    else:
        await edit_or_reply(update, text)


async def _clear_awaiting(context: KisContext, person: Person) -> None:
    async with context.deps.transaction() as session:
        await people.set_awaiting(session, person.id, None)


# --- the roster ------------------------------------------------------------------------


def _roster_lines(
    t: Translator, lang: str, entries: list[childcare.RosterEntry], tz: ZoneInfo
) -> list[str]:
    lines = []
    for e in entries:
        lines += [
            "",
            t(
                lang,
                "cp-roster-line",
                start=clock_time(e.starts_at, tz),
                end=clock_time(e.ends_at, tz),
                who=_who(t, lang, e.dependant_name, e.kind, e.age),
            ),
            _needs(t, lang, e.needs),
            t(lang, "cp-place", place=html.escape(e.place or "—")),
            t(lang, "cp-parent", name=html.escape(e.parent_name)),
        ]
    return lines


async def show_roster(update: Update, context: KisContext, person: Person, day: date) -> None:
    """The approved care of one day, by time, with previous / today / next."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    async with deps.read() as session:
        entries = await childcare.roster(session, _tid(update), day, tz)
        waiting = await childcare.pending_count_on(session, _tid(update), day, deps.clock(), tz)
    lines = [t(lang, "cp-roster-title", day=_long_day(day, lang))]
    lines += _roster_lines(t, lang, entries, tz) or ["", t(lang, "cp-roster-empty")]
    if waiting:
        lines += ["", t(lang, "cp-roster-waiting", count=waiting)]
    today = _today(deps)
    prev_day, next_day = day - timedelta(days=1), day + timedelta(days=1)
    rows = [
        [
            cp.Roster(prev_day).button("⬅️ " + _short_day(prev_day, lang)),
            cp.Roster(today).button(t(lang, "btn-cp-today")),
            cp.Roster(next_day).button(_short_day(next_day, lang) + " ➡️"),
        ],
        [cp.Pending().button(t(lang, "btn-cp-pending-short"))],
    ]
    await edit_or_reply(update, "\n".join(lines), InlineKeyboardMarkup(rows))


# --- entry points ----------------------------------------------------------------------


async def on_button(update: Update, context: KisContext, person: Person, button: cp.Cp) -> None:
    """cp:* presses of active staff, re-authorised in every service call (care staff only);
    refusals are answered by `handlers.entry`."""
    match button:
        case cp.Pending():
            await show_pending(update, context, person)
        case cp.Approve(request_id=rid):
            await decide(update, context, person, rid, approve=True)
        case cp.Decline(request_id=rid):
            await ask_reason(update, context, person, rid)
        case cp.DeclineWith(request_id=rid, preset=preset):
            await decide(
                update, context, person, rid, approve=False, preset=DECLINE_PRESETS[preset]
            )
        case cp.TypeReason(request_id=rid):
            await ask_typed_reason(update, context, person, rid)
        case cp.Card(request_id=rid):
            await show_card(update, context, person, rid)
        case cp.Roster(day=day):
            await show_roster(update, context, person, day or _today(context.deps))
        case _:
            raise AssertionError(f"unhandled care staff button {button!r}")


def expects(awaiting: str | None) -> bool:
    """True when a staff member's next typed text belongs to these screens."""
    return (awaiting or "").startswith(cp.PROMPT_PREFIX)


async def on_text(update: Update, context: KisContext, person: Person, text: str) -> None:
    """Typed answers for cp_* prompts: the reason of a decline."""
    t, lang = context.deps.i18n, person.language
    try:
        prompt = cp.CpPrompt.unpack(person.awaiting)
    except BadCallback:
        await _clear_awaiting(context, person)  # a prompt of an older version: forget it
        await reply(update, t(lang, "button-stale"))
        return
    assert isinstance(prompt, cp.ReasonPrompt)  # the codec's only prompt
    try:
        await decide(update, context, person, prompt.request_id, approve=False, typed=text)
    except DomainError as error:  # not care staff (any more), or the request is gone
        await _clear_awaiting(context, person)
        await refuse(update, context, lang, Feature.STAFF_CHILDCARE, error)


# --- outbox renderers ------------------------------------------------------------------


async def render_requested(
    session: AsyncSession, row: OutboxMessage, t: Translator, tz: ZoneInfo
) -> Rendered | None:
    """A new request to decide, with Approve / Decline; nothing once it is no longer pending."""
    notice = await childcare.new_request_notice(session, row)
    if notice is None:
        return None
    view, lang = notice.view, notice.recipient.language
    lines = _card_lines(t, lang, view, tz, title="cp-new-title")
    moved_from = (row.payload or {}).get("moved_from")
    if moved_from:
        was = datetime.fromisoformat(str(moved_from))
        lines += [
            "",
            t(lang, "cp-moved", was=format_datetime(was, "EEE d.MM HH:mm", tzinfo=tz, locale=lang)),
        ]
    return Rendered("\n".join(lines), _decision_keyboard(t, lang, view.request.id))


async def render_cancelled(
    session: AsyncSession, row: OutboxMessage, t: Translator, tz: ZoneInfo
) -> Rendered | None:
    """The request was cancelled (booking or care given up): who and when, nothing more."""
    notice = await childcare.cancelled_request_notice(session, row)
    if notice is None:
        return None  # gone, or active again meanwhile
    view, lang = notice.view, notice.recipient.language
    request, dependant = view.request, view.dependant
    lines = [
        t(lang, "cp-cancelled-title"),
        _who(
            t,
            lang,
            dependant.name if dependant else None,
            dependant.kind if dependant else "",
            view.age,
        ),
        _when(t, lang, request.starts_at, request.ends_at, tz),
        t(lang, "cp-place", place=html.escape(request.place or "—")),
        t(lang, "cp-parent", name=html.escape(view.parent_name)),
        "",
        t(lang, "cp-cancelled-note"),
    ]
    return Rendered("\n".join(lines))


async def render_roster(
    session: AsyncSession, row: OutboxMessage, t: Translator, tz: ZoneInfo
) -> Rendered | None:
    """The day's roster for its partner, in their language now; nothing when they are no
    longer care staff or the day has no care left."""
    found = await childcare.morning_roster(session, row, tz)
    if found is None:
        return None
    lang, day = found.recipient.language, found.day
    lines = [t(lang, "cp-morning-title", day=_long_day(day, lang))]
    lines += _roster_lines(t, lang, found.entries, tz) or ["", t(lang, "cp-roster-empty")]
    rows = [[cp.Roster(day).button(t(lang, "btn-cp-open-roster"))]]
    if found.waiting:
        lines += ["", t(lang, "cp-roster-waiting", count=found.waiting)]
        rows.append([cp.Pending().button(t(lang, "btn-cp-pending-short"))])
    return Rendered("\n".join(lines), InlineKeyboardMarkup(rows))


def renderers(tz: ZoneInfo) -> dict[str, Renderer]:
    """Outbox renderers for the partner's messages."""

    async def requested(
        session: AsyncSession, row: OutboxMessage, t: Translator
    ) -> Rendered | None:
        return await render_requested(session, row, t, tz)

    async def cancelled(
        session: AsyncSession, row: OutboxMessage, t: Translator
    ) -> Rendered | None:
        return await render_cancelled(session, row, t, tz)

    async def roster(session: AsyncSession, row: OutboxMessage, t: Translator) -> Rendered | None:
        return await render_roster(session, row, t, tz)

    return {
        childcare.KIND_REQUESTED: requested,
        childcare.KIND_CANCELLED: cancelled,
        childcare.KIND_ROSTER: roster,
    }
