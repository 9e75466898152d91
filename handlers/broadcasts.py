"""Staff broadcasts in the bot: compose an announcement (text, versions per language, a photo or
document), choose its audience, preview it, send it now or later; one progress message edited
while it goes out, the report at the end, the list of failures and past broadcasts.

Buttons (`handlers.buttons.broadcasts`, `bc:<action>[:<id>...]`; every press is
re-authorised in services.broadcasts; refusals are answered by `handlers.entry`):

| data | screen |
| --- | --- |
| `bc:m` / `bc:n` / `bc:h` | broadcasts menu / new draft / past broadcasts |
| `bc:d:<b>` | the draft's card |
| `bc:t:<b>:<lang>` / `bc:tr:<b>:<lang>` | type the text of a language / remove that version |
| `bc:md:<b>` / `bc:mr:<b>` | send a photo or document / remove it |
| `bc:a:<b>` | choose the audience: `aa` all, `ag`/`agl:<lang>` a language, `aw`/`awp:<w>` a |
| | workshop, `as`/`asp:<s>` a date, `aq`/`aqp:<s>` a waiting list, `ad`/`adp:<from>:<to>`/`adt` |
| | days (YYYYMMDD; `adt` types them) |
| `bc:w:<b>` | when: `wn` as soon as confirmed, `wp:<YYYYMMDDHHMM>` a preset, `wt` typed |
| `bc:u:<b>` / `bc:pv:<b>` | urgent on/off / preview (sent to the author as recipients see it) |
| `bc:ok:<b>` / `bc:go:<b>` / `bc:x:<b>` | send? / send (the card becomes the progress) / discard |
| `bc:r:<b>` / `bc:f:<b>` | report / recipients not reached |
| `bc:sq:<b>` / `bc:sy:<b>` | stop? / stop |

Typed answers wait in `person.awaiting` (the prompts of `handlers.buttons.broadcasts`):
`bc_text:<b>:<lang>`, `bc_media:<b>`, `bc_dates:<b>`, `bc_when:<b>`. Nothing personal is
logged: ids and error classes only, never texts.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.context import Deps, KisContext
from bot.i18n import LANGUAGE_NAMES, Translator
from bot.settings import Language
from handlers.buttons import BadCallback, Feature
from handlers.buttons import broadcasts as bcb
from handlers.common import answer, edit_or_reply, reply
from handlers.entry import refuse
from handlers.formatting import short_when
from models import AudienceKind, Broadcast, BroadcastStatus, OutboxMessage, Person
from scheduler.dispatcher import wake_dispatcher
from scheduler.rendering import Deferred, Rendered, Renderer, send_rendered
from services import broadcasts, people
from services.broadcasts import Audience, Report, Summary
from services.errors import AlreadyDecided, DomainError, InvalidInput, NotFound
from services.reminder_time import QuietHours, after_quiet_hours, in_quiet_hours, local_to_utc

log = logging.getLogger(__name__)

PROGRESS_EVERY = timedelta(seconds=5)  # the progress message is edited at most this often
FLAGS = {"pl": "🇵🇱", "uk": "🇺🇦", "en": "🇬🇧"}
FAILURE_LINES = 50


def _btn(text: str, press: bcb.Bc) -> InlineKeyboardButton:
    return press.button(text[:60])


def _tid(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def expects(awaiting: str | None) -> bool:
    """True when a staff member's next typed text (or photo) belongs to a broadcast draft."""
    return (awaiting or "").startswith(bcb.PROMPT_PREFIX)


def _when_text(moment: datetime | None, tz: ZoneInfo, lang: str) -> str:
    return short_when(moment, tz, lang) if moment is not None else "—"


# ----------------------------------------------------------------- rendering helpers


@dataclass(frozen=True)
class _AudienceView:
    """What the card says about the audience."""

    text: str
    count: int | None
    unreachable: int


async def _describe_audience(
    session: AsyncSession,
    t: Translator,
    lang: str,
    audience: Audience | None,
    tz: ZoneInfo,
) -> str:
    if audience is None:
        return t(lang, "bc-aud-none")
    kind = audience.kind
    if kind == AudienceKind.ALL.value:
        return t(lang, "bc-aud-all")
    if kind == AudienceKind.LANGUAGE.value:
        return t(lang, "bc-aud-language", language=LANGUAGE_NAMES.get(audience.language or "", "?"))
    if kind == AudienceKind.DATES.value:
        assert audience.date_from is not None and audience.date_to is not None
        return t(
            lang,
            "bc-aud-dates",
            start=audience.date_from.strftime("%d.%m.%Y"),
            end=audience.date_to.strftime("%d.%m.%Y"),
        )
    target = await broadcasts.describe_target(session, audience)
    if target is None:
        return t(lang, "bc-aud-gone")
    title = html.escape(target.workshop.title(lang))
    if kind == AudienceKind.WORKSHOP.value:
        return t(lang, "bc-aud-workshop", title=title)
    when = _when_text(target.starts_at, tz, lang)
    key = "bc-aud-waitlist" if kind == AudienceKind.WAITLIST.value else "bc-aud-session"
    return t(lang, key, title=title, when=when)


def _draft_keyboard(t: Translator, lang: str, bc: Broadcast) -> InlineKeyboardMarkup:
    media = (
        _btn(t(lang, "btn-bc-media-remove"), bcb.RemoveMedia(bc.id))
        if bc.media_kind
        else _btn(t(lang, "btn-bc-media"), bcb.AskMedia(bc.id))
    )
    return InlineKeyboardMarkup(
        [
            [_btn(t(lang, "btn-bc-text"), bcb.AskText(bc.id, Language.PL)), media],
            [
                _btn(t(lang, "btn-bc-uk"), bcb.AskText(bc.id, Language.UK)),
                _btn(t(lang, "btn-bc-en"), bcb.AskText(bc.id, Language.EN)),
            ],
            [_btn(t(lang, "btn-bc-audience"), bcb.AudienceMenu(bc.id))],
            [
                _btn(t(lang, "btn-bc-when"), bcb.PickWhen(bc.id)),
                _btn(
                    t(lang, "btn-bc-urgent", on="yes" if bc.urgent else "no"),
                    bcb.ToggleUrgent(bc.id),
                ),
            ],
            [_btn(t(lang, "btn-bc-preview"), bcb.Preview(bc.id))],
            [_btn(t(lang, "btn-bc-send"), bcb.AskConfirm(bc.id))],
            [
                _btn(t(lang, "btn-bc-discard"), bcb.Discard(bc.id)),
                _btn(t(lang, "btn-bc-back"), bcb.Menu()),
            ],
        ]
    )


async def _card(
    context: KisContext, session: AsyncSession, actor_tid: int, lang: str, bc: Broadcast
) -> str:
    """The draft's card text."""
    deps, t = context.deps, context.deps.i18n
    tz = deps.policy.tz
    audience = Audience.of(bc)
    described = await _describe_audience(session, t, lang, audience, tz)
    if audience is not None:
        count = await broadcasts.count_audience(session, actor_tid, audience, deps.clock(), tz)
        described = t(lang, "bc-aud-count", audience=described, count=count.recipients) + (
            t(lang, "bc-aud-skipped", count=count.unreachable) if count.unreachable else ""
        )
    none = t(lang, "bc-none")
    media = t(lang, f"bc-media-{bc.media_kind}") if bc.media_kind else none
    return t(
        lang,
        "bc-card",
        text=broadcasts.preview(bc.text_pl, 300) if bc.text_pl else none,
        uk=broadcasts.preview(bc.text_uk, 60) if bc.text_uk else none,
        en=broadcasts.preview(bc.text_en, 60) if bc.text_en else none,
        media=media,
        audience=described,
        when=_when_text(bc.send_at, tz, lang) if bc.send_at else t(lang, "bc-when-now"),
        quiet=t(lang, "bc-quiet-ignored" if bc.urgent else "bc-quiet-respected"),
    )


async def _forget(context: KisContext, person: Person) -> None:
    """Forget any typed question (the draft it was about was sent, discarded or never was)."""
    async with context.deps.transaction() as session:
        await people.set_awaiting(session, person.id, None)


# ----------------------------------------------------------------- screens


async def show_menu(update: Update, context: KisContext, person: Person) -> None:
    """Broadcasts: new, continue the last draft, past broadcasts."""
    t, lang = context.deps.i18n, person.language
    async with context.deps.transaction() as session:
        draft = await broadcasts.latest_draft(session, _tid(update))
        await people.set_awaiting(session, person.id, None)
    rows = [[_btn(t(lang, "btn-bc-new"), bcb.NewDraft())]]
    if draft is not None:
        rows.append([_btn(t(lang, "btn-bc-continue"), bcb.Draft(draft.id))])
    rows.append([_btn(t(lang, "btn-bc-history"), bcb.History())])
    await edit_or_reply(update, t(lang, "bc-menu"), InlineKeyboardMarkup(rows))


async def show_card(
    update: Update, context: KisContext, person: Person, broadcast_id: int, *, new: bool = False
) -> None:
    """The draft's card with every choice; forgets any typed question."""
    t, lang = context.deps.i18n, person.language
    async with context.deps.transaction() as session:
        bc = await broadcasts.get_draft(session, _tid(update), broadcast_id)
        await people.set_awaiting(session, person.id, None)
        text = await _card(context, session, _tid(update), lang, bc)
        markup = _draft_keyboard(t, lang, bc)
    if new:
        await reply(update, text, markup)
        await answer(update)
    else:
        await edit_or_reply(update, text, markup)


async def _ask(
    update: Update,
    context: KisContext,
    person: Person,
    broadcast_id: int,
    prompt: bcb.BcPrompt,
    key: str,
    extra: list[list[InlineKeyboardButton]] | None = None,
) -> None:
    """Remember what the next typed text is for, and ask for it (with Back to the card)."""
    t, lang = context.deps.i18n, person.language
    async with context.deps.transaction() as session:
        await broadcasts.get_draft(session, _tid(update), broadcast_id)
        await people.set_awaiting(session, person.id, prompt.pack())
    rows = [*(extra or []), [_btn(t(lang, "btn-bc-back"), bcb.Draft(broadcast_id))]]
    await edit_or_reply(update, t(lang, key), InlineKeyboardMarkup(rows))


async def _new_draft(update: Update, context: KisContext, person: Person) -> None:
    async with context.deps.transaction() as session:
        bc = await broadcasts.create_draft(session, _tid(update))
    await _ask(update, context, person, bc.id, bcb.TextPrompt(bc.id, Language.PL), "bc-ask-text-pl")


async def _ask_text(
    update: Update, context: KisContext, person: Person, broadcast_id: int, language: Language
) -> None:
    extra = None
    if language != Language.PL:
        async with context.deps.read() as session:
            bc = await broadcasts.get_draft(session, _tid(update), broadcast_id)
        if getattr(bc, f"text_{language}"):
            t = context.deps.i18n
            remove = bcb.RemoveVersion(broadcast_id, language)
            extra = [[_btn(t(person.language, "btn-bc-remove-version"), remove)]]
    await _ask(
        update,
        context,
        person,
        broadcast_id,
        bcb.TextPrompt(broadcast_id, language),
        f"bc-ask-text-{language}",
        extra,
    )


async def _audience_menu(update: Update, context: KisContext, person: Person, bc_id: int) -> None:
    t, lang = context.deps.i18n, person.language
    async with context.deps.transaction() as session:
        await broadcasts.get_draft(session, _tid(update), bc_id)
        await people.set_awaiting(session, person.id, None)
    rows = [
        [_btn(t(lang, "btn-bc-aud-all"), bcb.AudienceAll(bc_id))],
        [_btn(t(lang, "btn-bc-aud-workshop"), bcb.PickWorkshop(bc_id))],
        [_btn(t(lang, "btn-bc-aud-session"), bcb.PickSession(bc_id))],
        [_btn(t(lang, "btn-bc-aud-waitlist"), bcb.PickWaitlist(bc_id))],
        [_btn(t(lang, "btn-bc-aud-dates"), bcb.PickDates(bc_id))],
        [_btn(t(lang, "btn-bc-aud-language"), bcb.PickLanguage(bc_id))],
        [_btn(t(lang, "btn-bc-back"), bcb.Draft(bc_id))],
    ]
    await edit_or_reply(update, t(lang, "bc-audience-title"), InlineKeyboardMarkup(rows))


async def _pick_target(
    update: Update, context: KisContext, person: Person, bc_id: int, kind: AudienceKind
) -> None:
    """A list of workshops, dates, or dates with a waiting list, each with its head count."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    tz, now = deps.policy.tz, deps.clock()
    async with deps.transaction() as session:
        await broadcasts.get_draft(session, _tid(update), bc_id)
        if kind == AudienceKind.WORKSHOP:
            targets = await broadcasts.workshop_targets(session, _tid(update), now)
        else:
            targets = await broadcasts.session_targets(
                session, _tid(update), now, waiting=kind == AudienceKind.WAITLIST
            )
    rows = []
    for target in targets:
        label = target.workshop.title(lang)
        if target.starts_at is not None:
            label = f"{short_when(target.starts_at, tz, lang)} {label}"
        rows.append([_btn(f"{label} ({target.people})", _target_button(kind, bc_id, target.id))])
    rows.append([_btn(t(lang, "btn-bc-back"), bcb.AudienceMenu(bc_id))])
    key = {
        AudienceKind.WORKSHOP: "bc-pick-workshop",
        AudienceKind.SESSION: "bc-pick-session",
        AudienceKind.WAITLIST: "bc-pick-waitlist",
    }[kind]
    text = t(lang, key) if targets else t(lang, "bc-pick-none")
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


def _target_button(kind: AudienceKind, bc_id: int, target_id: int) -> bcb.Bc:
    """The press that makes a listed workshop, date or waiting list the audience."""
    if kind == AudienceKind.WORKSHOP:
        return bcb.AudienceWorkshop(bc_id, target_id)
    if kind == AudienceKind.SESSION:
        return bcb.AudienceSession(bc_id, target_id)
    return bcb.AudienceWaitlist(bc_id, target_id)


async def _pick_language(update: Update, context: KisContext, person: Person, bc_id: int) -> None:
    t, lang = context.deps.i18n, person.language
    async with context.deps.transaction() as session:
        await broadcasts.get_draft(session, _tid(update), bc_id)
    rows = [
        [_btn(f"{FLAGS[code]} {LANGUAGE_NAMES[code]}", bcb.AudienceLanguage(bc_id, code))]
        for code in Language
    ]
    rows.append([_btn(t(lang, "btn-bc-back"), bcb.AudienceMenu(bc_id))])
    await edit_or_reply(update, t(lang, "bc-pick-language"), InlineKeyboardMarkup(rows))


async def _pick_dates(update: Update, context: KisContext, person: Person, bc_id: int) -> None:
    deps, t, lang = context.deps, context.deps.i18n, person.language
    today = deps.clock().astimezone(deps.policy.tz).date()
    async with deps.transaction() as session:
        await broadcasts.get_draft(session, _tid(update), bc_id)
    monday = today - timedelta(days=today.weekday())
    presets = [
        ("btn-bc-this-week", today, monday + timedelta(days=6)),
        ("btn-bc-next-week", monday + timedelta(days=7), monday + timedelta(days=13)),
        ("btn-bc-next-14", today, today + timedelta(days=13)),
    ]
    rows = [
        [_btn(t(lang, key), bcb.AudienceDates(bc_id, start, end))] for key, start, end in presets
    ]
    rows.append([_btn(t(lang, "btn-bc-type-dates"), bcb.AskDates(bc_id))])
    rows.append([_btn(t(lang, "btn-bc-back"), bcb.AudienceMenu(bc_id))])
    await edit_or_reply(update, t(lang, "bc-pick-dates"), InlineKeyboardMarkup(rows))


async def _set_audience(
    update: Update, context: KisContext, person: Person, bc_id: int, audience: Audience
) -> None:
    deps = context.deps
    async with deps.transaction() as session:
        await broadcasts.set_audience(session, _tid(update), bc_id, audience, deps.clock())
    await show_card(update, context, person, bc_id)


def _wall_clock(moment: datetime, tz: ZoneInfo) -> datetime:
    """A moment as the club's clocks show it, without the zone (as buttons carry it)."""
    return moment.astimezone(tz).replace(tzinfo=None)


def _preset_moment(button: bcb.WhenPreset, tz: ZoneInfo) -> datetime:
    """The moment a preset button stands for; NotFound (a stale button) for a wall-clock
    time the clocks skip."""
    local = button.moment
    moment = local_to_utc(local.date(), local.time(), tz)
    if moment is None:
        raise NotFound()  # a forged button: presets are real moments
    return moment


async def _pick_when(update: Update, context: KisContext, person: Person, bc_id: int) -> None:
    deps, t, lang = context.deps, context.deps.i18n, person.language
    tz, now = deps.policy.tz, deps.clock()
    async with deps.transaction() as session:
        await broadcasts.get_draft(session, _tid(update), bc_id)
        await people.set_awaiting(session, person.id, None)
    today = now.astimezone(tz).date()
    tomorrow = today + timedelta(days=1)
    presets: list[tuple[str, datetime | None]] = [
        ("btn-bc-today-evening", local_to_utc(today, time(18, 0), tz)),
        ("btn-bc-tomorrow-morning", local_to_utc(tomorrow, time(9, 0), tz)),
        ("btn-bc-tomorrow-noon", local_to_utc(tomorrow, time(12, 0), tz)),
    ]
    rows = [[_btn(t(lang, "btn-bc-now"), bcb.WhenNow(bc_id))]]
    for key, moment in presets:
        if moment is not None and moment > now + timedelta(minutes=5):
            rows.append([_btn(t(lang, key), bcb.WhenPreset(bc_id, _wall_clock(moment, tz)))])
    rows.append([_btn(t(lang, "btn-bc-type-when"), bcb.AskWhen(bc_id))])
    rows.append([_btn(t(lang, "btn-bc-back"), bcb.Draft(bc_id))])
    await edit_or_reply(update, t(lang, "bc-when-title"), InlineKeyboardMarkup(rows))


async def _set_when(
    update: Update, context: KisContext, person: Person, bc_id: int, when: datetime | None
) -> None:
    deps = context.deps
    async with deps.transaction() as session:
        await broadcasts.set_send_at(session, _tid(update), bc_id, when, deps.clock())
    await show_card(update, context, person, bc_id)


async def _preview(update: Update, context: KisContext, person: Person, bc_id: int) -> None:
    """Send the author each version exactly as its recipients will get it, then the card."""
    t, lang = context.deps.i18n, person.language
    async with context.deps.transaction() as session:
        bc = await broadcasts.get_draft(session, _tid(update), bc_id)
    if not bc.text_pl:
        await answer(update, t(lang, "bc-text-empty"), alert=True)
        return
    chat = update.effective_chat
    assert chat is not None
    for code in broadcasts.LANGUAGES:
        text = getattr(bc, f"text_{code}")
        if not text:
            continue
        await reply(update, t(lang, "bc-preview-title", language=LANGUAGE_NAMES[code]))
        await send_rendered(context.bot, chat.id, as_rendered(bc, text))
    await show_card(update, context, person, bc_id, new=True)


def as_rendered(bc: Broadcast, text: str) -> Rendered:
    """The message recipients get: the text alone, or as the caption of the attachment."""
    if bc.media_kind == "photo":
        return Rendered(text, photo=bc.media_file_id)
    if bc.media_kind == "document":
        return Rendered(text, document=bc.media_file_id)
    return Rendered(text)


async def _confirm_question(
    update: Update, context: KisContext, person: Person, bc_id: int
) -> None:
    deps, t, lang = context.deps, context.deps.i18n, person.language
    tz = deps.policy.tz
    async with deps.transaction() as session:
        plan = await broadcasts.plan_confirmation(
            session, _tid(update), bc_id, deps.clock(), deps.policy
        )
    if plan.immediate:
        text = t(lang, "bc-confirm-now", count=plan.count)
    else:
        when = _when_text(plan.due, tz, lang)
        text = t(lang, "bc-confirm-later", count=plan.count, when=when)
        if plan.moved_by_quiet_hours:
            text += "\n" + t(lang, "bc-confirm-quiet", when=when)
    markup = InlineKeyboardMarkup(
        [
            [
                _btn(t(lang, "btn-bc-confirm"), bcb.Confirm(bc_id)),
                _btn(t(lang, "btn-bc-back"), bcb.Draft(bc_id)),
            ]
        ]
    )
    await edit_or_reply(update, text, markup)


async def _go(update: Update, context: KisContext, person: Person, bc_id: int) -> None:
    """Queue it; this message becomes the progress message."""
    deps = context.deps
    now = deps.clock()
    try:
        async with deps.transaction() as session:
            bc = await broadcasts.confirm(
                session,
                _tid(update),
                bc_id,
                now,
                deps.policy,
            )
            message = update.callback_query.message if update.callback_query else None
            if message is not None:
                await broadcasts.set_progress_message(
                    session, bc.id, message.chat.id, message.message_id
                )
                await broadcasts.claim_progress(session, bc.id, now, PROGRESS_EVERY)
    except AlreadyDecided:
        notice = deps.i18n(person.language, "bc-already-sent")
        await show_report(update, context, person, bc_id, notice)
        return
    log.info("broadcast %d confirmed for %d recipients", bc.id, bc.recipients)
    if bc.status == BroadcastStatus.SENDING.value:
        wake_dispatcher(context.application)
    await show_report(update, context, person, bc_id)


async def show_report(
    update: Update, context: KisContext, person: Person, bc_id: int, notice: str | None = None
) -> None:
    """A confirmed broadcast: its state and counts (the progress message shows the same); a
    press is answered once, with `notice` if given."""
    deps = context.deps
    async with deps.transaction() as session:
        summary = await broadcasts.report_for(session, _tid(update), bc_id)
        if summary.broadcast.status == BroadcastStatus.DRAFT.value:
            raise AlreadyDecided()
        audience = await _describe_audience(
            session,
            deps.i18n,
            person.language,
            Audience.of(summary.broadcast),
            deps.policy.tz,
        )
    text, markup = report_view(deps, person.language, summary, audience)
    await edit_or_reply(update, text, markup, notice)


def report_view(
    deps: Deps, lang: str, summary: Summary, audience: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The text and buttons of a broadcast's report / progress message."""
    t, tz = deps.i18n, deps.policy.tz
    bc, r = summary.broadcast, summary.report
    state = _state_line(t, lang, bc, r, tz)
    lines = [
        t(lang, "bc-report-title", when=_when_text(bc.confirmed_at, tz, lang)),
        f"<i>{broadcasts.preview(bc.text_pl)}</i>",
        t(lang, "bc-report-audience", audience=audience, count=r.total),
        state,
        t(
            lang,
            "bc-report-counts",
            delivered=r.delivered,
            unreachable=r.unreachable,
            failed=r.failed,
        ),
    ]
    if r.cancelled:
        lines.append(t(lang, "bc-report-cancelled", count=r.cancelled))
    if r.retrying and not r.finished:
        lines.append(t(lang, "bc-report-retrying", count=r.retrying))
    rows = []
    if bc.finished_at is None and bc.status in (
        BroadcastStatus.SCHEDULED.value,
        BroadcastStatus.SENDING.value,
    ):
        rows.append([_btn(t(lang, "btn-bc-stop"), bcb.AskStop(bc.id))])
    if r.unreachable or r.failed:
        rows.append(
            [_btn(t(lang, "btn-bc-failures", count=r.unreachable + r.failed), bcb.Failures(bc.id))]
        )
    rows.append(
        [
            _btn(t(lang, "btn-bc-refresh"), bcb.Report(bc.id)),
            _btn(t(lang, "btn-bc-back"), bcb.History()),
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _state_line(t: Translator, lang: str, bc: Broadcast, r: Report, tz: ZoneInfo) -> str:
    if bc.status == BroadcastStatus.SCHEDULED.value:
        return t(lang, "bc-state-scheduled", when=_when_text(bc.send_at, tz, lang))
    if bc.status == BroadcastStatus.STOPPED.value:
        return t(lang, "bc-state-stopped" if r.finished else "bc-state-stopping")
    if r.finished:
        return t(lang, "bc-state-done")
    return t(lang, "bc-state-sending", done=r.done, total=r.total)


async def _history(update: Update, context: KisContext, person: Person) -> None:
    deps, t, lang = context.deps, context.deps.i18n, person.language
    tz = deps.policy.tz
    async with deps.transaction() as session:
        summaries = await broadcasts.recent(session, _tid(update))
        await people.set_awaiting(session, person.id, None)
    rows = []
    for s in summaries:
        label = t(
            lang,
            "btn-bc-history-line",
            when=_when_text(s.broadcast.confirmed_at, tz, lang),
            delivered=s.report.delivered,
            total=s.report.total,
        )
        rows.append([_btn(label, bcb.Report(s.broadcast.id))])
    rows.append([_btn(t(lang, "btn-bc-back"), bcb.Menu())])
    text = t(lang, "bc-history-title") if summaries else t(lang, "bc-history-empty")
    await edit_or_reply(update, text, InlineKeyboardMarkup(rows))


async def _failures(update: Update, context: KisContext, person: Person, bc_id: int) -> None:
    t, lang = context.deps.i18n, person.language
    async with context.deps.transaction() as session:
        failed = await broadcasts.failures(session, _tid(update), bc_id, FAILURE_LINES + 1)
    lines = [t(lang, "bc-failures-title")]
    for failure in failed[:FAILURE_LINES]:
        name = html.escape(failure.name or t(lang, "bc-failure-unknown"))
        if failure.status == "blocked":
            lines.append(t(lang, "bc-failure-blocked", name=name))
        else:
            reason = html.escape(failure.error or failure.status)
            lines.append(t(lang, "bc-failure-failed", name=name, reason=reason))
    if not failed:
        lines.append(t(lang, "bc-failures-none"))
    if len(failed) > FAILURE_LINES:
        lines.append(t(lang, "bc-failures-more", count=FAILURE_LINES))
    markup = InlineKeyboardMarkup([[_btn(t(lang, "btn-bc-back"), bcb.Report(bc_id))]])
    await edit_or_reply(update, "\n".join(lines)[:4000], markup)


async def _stop_question(update: Update, context: KisContext, person: Person, bc_id: int) -> None:
    t, lang = context.deps.i18n, person.language
    async with context.deps.transaction() as session:
        summary = await broadcasts.report_for(session, _tid(update), bc_id)
    markup = InlineKeyboardMarkup(
        [
            [
                _btn(t(lang, "btn-bc-stop-yes"), bcb.Stop(bc_id)),
                _btn(t(lang, "btn-bc-back"), bcb.Report(bc_id)),
            ]
        ]
    )
    await edit_or_reply(update, t(lang, "bc-stop-confirm", count=summary.report.waiting), markup)


async def _stop(update: Update, context: KisContext, person: Person, bc_id: int) -> None:
    deps = context.deps
    try:
        async with deps.transaction() as session:
            cancelled = await broadcasts.stop(session, _tid(update), bc_id, deps.clock())
    except AlreadyDecided:
        notice = deps.i18n(person.language, "bc-already-finished")
        await show_report(update, context, person, bc_id, notice)
        return
    log.info("broadcast %d stopped, %d not sent", bc_id, cancelled)
    notice = deps.i18n(person.language, "bc-stopped", count=cancelled)
    await show_report(update, context, person, bc_id, notice)


# ----------------------------------------------------------------- entry points


async def on_button(update: Update, context: KisContext, person: Person, button: bcb.Bc) -> None:
    """bc:* presses of active staff, re-authorised in the service (coordinators and admins
    only); refusals are answered by `handlers.entry`."""
    try:
        await _act(update, context, person, button)
    except (NotFound, AlreadyDecided):
        await _forget(context, person)  # the draft is gone, and any question about it
        raise


async def _act(update: Update, context: KisContext, person: Person, button: bcb.Bc) -> None:
    tid, deps = _tid(update), context.deps
    match button:
        case bcb.Menu():
            await show_menu(update, context, person)
        case bcb.NewDraft():
            await _new_draft(update, context, person)
        case bcb.History():
            await _history(update, context, person)
        case bcb.Draft(broadcast_id=bc_id):
            await show_card(update, context, person, bc_id)
        case bcb.AskText(broadcast_id=bc_id, language=language):
            await _ask_text(update, context, person, bc_id, language)
        case bcb.RemoveVersion(broadcast_id=bc_id, language=language):
            async with deps.transaction() as session:
                await broadcasts.remove_version(session, tid, bc_id, language.value)
            await show_card(update, context, person, bc_id)
        case bcb.AskMedia(broadcast_id=bc_id):
            await _ask(update, context, person, bc_id, bcb.MediaPrompt(bc_id), "bc-ask-media")
        case bcb.RemoveMedia(broadcast_id=bc_id):
            async with deps.transaction() as session:
                await broadcasts.remove_media(session, tid, bc_id)
            await show_card(update, context, person, bc_id)
        case bcb.AudienceMenu(broadcast_id=bc_id):
            await _audience_menu(update, context, person, bc_id)
        case bcb.AudienceAll(broadcast_id=bc_id):
            await _set_audience(update, context, person, bc_id, Audience(AudienceKind.ALL.value))
        case bcb.PickLanguage(broadcast_id=bc_id):
            await _pick_language(update, context, person, bc_id)
        case bcb.AudienceLanguage(broadcast_id=bc_id, language=language):
            audience = Audience(AudienceKind.LANGUAGE.value, language=language.value)
            await _set_audience(update, context, person, bc_id, audience)
        case bcb.PickWorkshop(broadcast_id=bc_id):
            await _pick_target(update, context, person, bc_id, AudienceKind.WORKSHOP)
        case bcb.PickSession(broadcast_id=bc_id):
            await _pick_target(update, context, person, bc_id, AudienceKind.SESSION)
        case bcb.PickWaitlist(broadcast_id=bc_id):
            await _pick_target(update, context, person, bc_id, AudienceKind.WAITLIST)
        case bcb.AudienceWorkshop(broadcast_id=bc_id, workshop_id=ref):
            audience = Audience(AudienceKind.WORKSHOP.value, ref=ref)
            await _set_audience(update, context, person, bc_id, audience)
        case bcb.AudienceSession(broadcast_id=bc_id, session_id=ref):
            audience = Audience(AudienceKind.SESSION.value, ref=ref)
            await _set_audience(update, context, person, bc_id, audience)
        case bcb.AudienceWaitlist(broadcast_id=bc_id, session_id=ref):
            audience = Audience(AudienceKind.WAITLIST.value, ref=ref)
            await _set_audience(update, context, person, bc_id, audience)
        case bcb.PickDates(broadcast_id=bc_id):
            await _pick_dates(update, context, person, bc_id)
        case bcb.AudienceDates(broadcast_id=bc_id, start=start, end=end):
            audience = Audience(AudienceKind.DATES.value, date_from=start, date_to=end)
            await _set_audience(update, context, person, bc_id, audience)
        case bcb.AskDates(broadcast_id=bc_id):
            await _ask(update, context, person, bc_id, bcb.DatesPrompt(bc_id), "bc-ask-dates")
        case bcb.PickWhen(broadcast_id=bc_id):
            await _pick_when(update, context, person, bc_id)
        case bcb.WhenNow(broadcast_id=bc_id):
            await _set_when(update, context, person, bc_id, None)
        case bcb.WhenPreset(broadcast_id=bc_id):
            when = _preset_moment(button, deps.policy.tz)
            await _set_when(update, context, person, bc_id, when)
        case bcb.AskWhen(broadcast_id=bc_id):
            await _ask(update, context, person, bc_id, bcb.WhenPrompt(bc_id), "bc-ask-when")
        case bcb.ToggleUrgent(broadcast_id=bc_id):
            async with deps.transaction() as session:
                await broadcasts.toggle_urgent(session, tid, bc_id)
            await show_card(update, context, person, bc_id)
        case bcb.Preview(broadcast_id=bc_id):
            await _preview(update, context, person, bc_id)
        case bcb.AskConfirm(broadcast_id=bc_id):
            await _confirm_question(update, context, person, bc_id)
        case bcb.Confirm(broadcast_id=bc_id):
            await _go(update, context, person, bc_id)
        case bcb.Discard(broadcast_id=bc_id):
            async with deps.transaction() as session:
                await broadcasts.discard(session, tid, bc_id)
                await people.set_awaiting(session, person.id, None)
            await edit_or_reply(update, deps.i18n(person.language, "bc-discarded"))
        case bcb.Report(broadcast_id=bc_id):
            await show_report(update, context, person, bc_id)
        case bcb.Failures(broadcast_id=bc_id):
            await _failures(update, context, person, bc_id)
        case bcb.AskStop(broadcast_id=bc_id):
            await _stop_question(update, context, person, bc_id)
        case bcb.Stop(broadcast_id=bc_id):
            await _stop(update, context, person, bc_id)
        case _:
            raise AssertionError(f"unhandled broadcast button {button!r}")


async def _typed(
    update: Update,
    context: KisContext,
    person: Person,
    step: Callable[[bcb.BcPrompt], Awaitable[None]],
) -> int | None:
    """Run `step(prompt)` for a typed answer or a file; the broadcast id when it worked, None
    when the person was told why not (the question stays open after a wrong answer)."""
    t, lang = context.deps.i18n, person.language
    try:
        prompt = bcb.BcPrompt.unpack(person.awaiting)
    except BadCallback:  # a prompt of an older version: forget it
        await _forget(context, person)
        await reply(update, t(lang, "button-stale"))
        return None
    try:
        await step(prompt)
    except InvalidInput as exc:
        back = InlineKeyboardMarkup(
            [[_btn(t(lang, "btn-bc-back"), bcb.Draft(prompt.broadcast_id))]]
        )
        await reply(update, t(lang, exc.reason), back)
        return None
    except DomainError as error:
        if isinstance(error, NotFound | AlreadyDecided):
            await _forget(context, person)
        await refuse(update, context, lang, Feature.BROADCASTS, error)
        return None
    return prompt.broadcast_id


async def on_text(update: Update, context: KisContext, person: Person, text: str) -> None:
    """A typed answer: a text version, a date range or a send time."""
    deps = context.deps
    message = update.effective_message
    assert message is not None
    tz, now = deps.policy.tz, deps.clock()

    async def step(prompt: bcb.BcPrompt) -> None:
        async with deps.transaction() as session:
            match prompt:
                case bcb.TextPrompt(broadcast_id=bc_id, language=language):
                    await broadcasts.set_text(
                        session, _tid(update), bc_id, language.value, message.text_html
                    )
                case bcb.DatesPrompt(broadcast_id=bc_id):
                    start, end = broadcasts.parse_date_range(text, now.astimezone(tz).date())
                    audience = Audience(AudienceKind.DATES.value, date_from=start, date_to=end)
                    await broadcasts.set_audience(session, _tid(update), bc_id, audience, now)
                case bcb.WhenPrompt(broadcast_id=bc_id):
                    when = broadcasts.parse_when(text, tz, now)
                    await broadcasts.set_send_at(session, _tid(update), bc_id, when, now)
                case _:
                    raise InvalidInput("bc-media-expected")

    bc_id = await _typed(update, context, person, step)
    if bc_id is not None:
        await show_card(update, context, person, bc_id, new=True)


async def on_media(update: Update, context: KisContext, person: Person) -> None:
    """A photo or document sent as the attachment (its caption, if any, is the main text)."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    message = update.effective_message
    assert message is not None
    if message.photo:
        kind, file_id = "photo", message.photo[-1].file_id
    elif message.document is not None:
        kind, file_id = "document", message.document.file_id
    else:
        await reply(update, t(lang, "bc-media-expected"))
        return
    caption = message.caption_html if message.caption else None
    needs_text = False

    async def step(prompt: bcb.BcPrompt) -> None:
        nonlocal needs_text
        match prompt:
            case bcb.MediaPrompt() | bcb.TextPrompt(language=Language.PL):
                bc_id = prompt.broadcast_id
            case _:
                raise InvalidInput("bc-text-expected")
        async with deps.transaction() as session:
            bc = await broadcasts.set_media(session, _tid(update), bc_id, kind, file_id, caption)
            needs_text = not bc.text_pl
            if needs_text:
                ask = bcb.TextPrompt(bc_id, Language.PL)
                await people.set_awaiting(session, person.id, ask.pack())

    bc_id = await _typed(update, context, person, step)
    if bc_id is None:
        return
    if needs_text:
        back = InlineKeyboardMarkup([[_btn(t(lang, "btn-bc-back"), bcb.Draft(bc_id))]])
        await reply(update, t(lang, "bc-ask-caption"), back)
        return
    await show_card(update, context, person, bc_id, new=True)


# ----------------------------------------------------------------- delivery


def renderers(
    tz: ZoneInfo, quiet: QuietHours | None, clock: Callable[[], datetime]
) -> dict[str, Renderer]:
    """The outbox kind of broadcasts: rendered at send time in the recipient's language."""

    async def render(
        session: AsyncSession, row: OutboxMessage, t: Translator
    ) -> Rendered | Deferred | None:
        found = await broadcasts.delivery(session, row)
        if found is None:
            return None
        bc = found.broadcast
        now = clock()
        if not bc.urgent and in_quiet_hours(now.astimezone(tz).time(), quiet):
            return Deferred(after_quiet_hours(now, tz, quiet))
        return as_rendered(bc, bc.text_for(found.recipient.language))

    return {broadcasts.KIND: render}


@dataclass(frozen=True)
class ProgressView:
    """One progress message to edit (or the final notice to send), prepared in the broadcast
    progress job's transaction (scheduler.broadcasts)."""

    summary: Summary
    lang: str
    audience: str
    finished: bool


async def progress_view(
    session: AsyncSession, deps: Deps, bc: Broadcast, report: Report, finished: bool
) -> ProgressView:
    """What the author's progress message shows, in the author's language of this moment."""
    lang = await broadcasts.author_language(session, bc) or deps.settings.default_language
    audience = await _describe_audience(session, deps.i18n, lang, Audience.of(bc), deps.policy.tz)
    return ProgressView(Summary(bc, report), lang, audience, finished)


async def show_progress(bot: Bot, deps: Deps, item: ProgressView) -> None:
    """Edit the author's progress message; when the broadcast has finished, tell the author."""
    bc = item.summary.broadcast
    text, markup = report_view(deps, item.lang, item.summary, item.audience)
    if bc.progress_chat_id is not None and bc.progress_message_id is not None:
        try:
            await bot.edit_message_text(
                text,
                chat_id=bc.progress_chat_id,
                message_id=bc.progress_message_id,
                reply_markup=markup,
                parse_mode=ParseMode.HTML,
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                log.info(
                    "broadcast %d: progress message not editable (%s)", bc.id, type(exc).__name__
                )
        except Forbidden:
            log.info("broadcast %d: the author blocked the bot", bc.id)
            return
        except TelegramError as exc:
            log.warning("broadcast %d: progress edit failed (%s)", bc.id, type(exc).__name__)
    if item.finished and bc.progress_chat_id is not None:
        r = item.summary.report
        if bc.status == BroadcastStatus.STOPPED.value:
            notice = deps.i18n(
                item.lang, "bc-stopped-notice", delivered=r.delivered, cancelled=r.cancelled
            )
        else:
            notice = deps.i18n(
                item.lang,
                "bc-finished-notice",
                delivered=r.delivered,
                unreachable=r.unreachable,
                failed=r.failed,
            )
        try:
            await bot.send_message(
                bc.progress_chat_id,
                notice,
                reply_markup=InlineKeyboardMarkup(
                    [[_btn(deps.i18n(item.lang, "btn-bc-report"), bcb.Report(bc.id))]]
                ),
                parse_mode=ParseMode.HTML,
            )
        except TelegramError as exc:
            log.info("broadcast %d: end notice not sent (%s)", bc.id, type(exc).__name__)
