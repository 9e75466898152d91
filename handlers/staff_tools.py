"""Staff tools in the bot: the agenda of a day or week, participant search and card (approve,
issue a referral, deactivate), the pending list, exports as documents, the monthly indicators
and their chart.

Callback data (`sx:<action>[:<arg>...]`; every press is re-authorised in the services, which
also decide what each role sees):

| data | screen |
| --- | --- |
| `sx:a` / `sx:a:<t, m or w>` | agenda: choose / today, tomorrow, this week (Mon–Sun) |
| `sx:f` | "type part of a name or phone" (`person.awaiting = "sx_find"`) |
| `sx:p:<person>` | a participant's card |
| `sx:ok:<person>` | approve a pending self-registration, then the card |
| `sx:dq:<person>` / `sx:dy:<person>` | deactivate? / deactivate, then the card |
| `sx:pl` | pending self-registrations (to their cards) and pending care requests |
| `sx:e` | exports and reports: what the role may have |
| `sx:ek:<kind>` / `sx:ep:<kind>` | this / last month, or one of the last 6 months |
| `sx:em:<kind>:<YYYYMM>` | the format (kind `ind`: the indicators of that month) |
| `sx:ef:<kind>:<YYYYMM or 0>:<csv or xlsx>` | send the export as a document |
| `sx:ch` | the chart of the last 6 months as a photo |

Nothing personal is logged: only the kind of screen and error classes.
"""

from __future__ import annotations

import html
import logging
from datetime import date, datetime, timedelta

from babel.dates import format_date
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import MessageLimit

from bot.context import KisContext
from bot.i18n import Translator
from handlers.buttons import BadCallback, Feature
from handlers.buttons import staff as st
from handlers.buttons import staff_childcare as cpb
from handlers.buttons import staff_consult as staff_consult_buttons
from handlers.buttons import staff_tools as sx
from handlers.buttons.staff_tools import Report, Span
from handlers.common import answer, edit_or_reply, reply
from handlers.participant_search import SearchScreen, answer_search, label
from models import Person, PersonStatus, Role
from scheduler.dispatcher import wake_dispatcher
from services import (
    childcare,
    deactivation,
    people,
    report_indicators,
    report_staff,
    reports,
)
from services.errors import AlreadyDecided, InvalidInput, NotAllowed, NotFound
from services.reports import Month

log = logging.getLogger(__name__)

STAFF_ROLES = tuple(r.value for r in Role if r != Role.PARTICIPANT)
INDICATORS = Report.INDICATORS  # the report of the month screens that is no export
PICK_MONTHS = 6
CARD_LINES = 8  # bookings listed per part of the card (upcoming, past)
TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH - 96  # room for the HTML Telegram counts differently
BOOKING_MARK = {True: "✅", False: "❌", None: "•"}
STATES = (
    "confirmed",
    "waiting",
    "offered",
    "cancelled",
    "passed",
    "expired",
    "session_cancelled",
    "held",
    "pending",
    "approved",
    "declined",
    "booked",
    "attended",
    "no_show",
    "unmarked",
)


def _btn(text: str, press: sx.Sx) -> InlineKeyboardButton:
    return press.button(text[:60])


def _tid(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _now(context: KisContext) -> datetime:
    return context.deps.clock()


def _today(context: KisContext) -> date:
    return _now(context).astimezone(context.deps.policy.tz).date()


def _hm(moment: datetime, context: KisContext) -> str:
    return moment.astimezone(context.deps.policy.tz).strftime("%H:%M")


def _dmy(moment: datetime, context: KisContext) -> str:
    return moment.astimezone(context.deps.policy.tz).strftime("%d.%m.%Y %H:%M")


def _esc(text: str | None) -> str:
    return html.escape(text or "—")


def _state(t: Translator, lang: str, status: str) -> str:
    """A booking's or request's status in words (the stored value if unknown)."""
    if status in STATES:
        return t(lang, f"sx-st-{status.replace('_', '-')}")
    return html.escape(status)


def split_text(lines: list[str], limit: int = TEXT_LIMIT) -> list[str]:
    """Lines joined into messages of at most `limit` characters, cut between lines (a line
    longer than the limit is cut itself); blank messages are dropped."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        for piece in [line[i : i + limit] for i in range(0, len(line), limit)] or [""]:
            extra = len(piece) + (1 if current else 0)
            if current and size + extra > limit:
                chunks.append("\n".join(current))
                current, size, extra = [], 0, len(piece)
            current.append(piece)
            size += extra
    if current:
        chunks.append("\n".join(current))
    return [c.strip() for c in chunks if c.strip()] or ["—"]


async def _send_long(update: Update, lines: list[str], markup: InlineKeyboardMarkup | None) -> None:
    """One screen: edited in place when it fits, else as several messages (buttons last)."""
    chunks = split_text(lines)
    if len(chunks) == 1:
        await edit_or_reply(update, chunks[0], markup)
        return
    for i, chunk in enumerate(chunks):
        await reply(update, chunk, markup if i == len(chunks) - 1 else None)
    await answer(update)


# --- agenda ----------------------------------------------------------------------------


def _agenda_keyboard(t: Translator, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _btn(t(lang, "btn-sx-today"), sx.Agenda(Span.TODAY)),
                _btn(t(lang, "btn-sx-tomorrow"), sx.Agenda(Span.TOMORROW)),
                _btn(t(lang, "btn-sx-week"), sx.Agenda(Span.WEEK)),
            ]
        ]
    )


def _agenda_days(today: date, span: Span) -> list[date]:
    if span is Span.TOMORROW:
        return [today + timedelta(days=1)]
    if span is Span.WEEK:
        monday = today - timedelta(days=today.weekday())
        return [monday + timedelta(days=i) for i in range(7)]
    return [today]


def _agenda_lines(
    t: Translator, lang: str, agenda: report_staff.Agenda, context: KisContext, manager: bool
) -> list[str]:
    lines = [t(lang, "sx-agenda-day", day=format_date(agenda.day, "EEEE, d MMMM", locale=lang))]
    if agenda.sessions:
        lines.append(t(lang, "sx-agenda-workshops"))
    for s in agenda.sessions:
        key = "sx-agenda-session-cancelled" if s.status == "cancelled" else "sx-agenda-session"
        lines.append(
            t(
                lang,
                key,
                start=_hm(s.starts_at, context),
                end=_hm(s.ends_at, context),
                title=_esc(s.workshop),
                taken=s.seats_taken,
                capacity=s.capacity,
                waiting=s.waiting,
            )
        )
    if agenda.consultations:
        lines.append(t(lang, "sx-agenda-consultations"))
    for specialist, entries in agenda.consultations.items():
        lines.append(t(lang, "sx-agenda-specialist", name=_esc(specialist)))
        for c in entries:
            if manager:
                lines.append(
                    t(
                        lang,
                        "sx-agenda-consultation",
                        start=_hm(c.starts_at, context),
                        name=_esc(c.participant_name),
                        service=_esc(c.service),
                    )
                )
            else:
                lines.append(
                    t(lang, "sx-agenda-consultation-time", start=_hm(c.starts_at, context))
                )
    if agenda.childcare:
        pending = sum(1 for c in agenda.childcare if c.status == "pending")
        lines.append(t(lang, "sx-agenda-childcare", count=len(agenda.childcare), pending=pending))
    if not (agenda.sessions or agenda.consultations or agenda.childcare):
        lines.append(t(lang, "sx-agenda-empty"))
    return [*lines, ""]


async def show_agenda(update: Update, context: KisContext, person: Person, span: Span) -> None:
    """The agenda menu, or the agenda of today / tomorrow / this week."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    if span is Span.CHOOSE:
        async with deps.read() as session:
            await people.require_role(session, _tid(update), report_staff.AGENDA_ROLES)
        await edit_or_reply(update, t(lang, "sx-agenda-title"), _agenda_keyboard(t, lang))
        return
    days = _agenda_days(_today(context), span)
    lines: list[str] = []
    async with deps.read() as session:
        for day in days:
            agenda = await report_staff.staff_agenda(
                session, actor_tid=_tid(update), day=day, tz=deps.policy.tz
            )
            manager = person.role in reports.MANAGERS
            lines += _agenda_lines(t, lang, agenda, context, manager)
    await _send_long(update, lines, _agenda_keyboard(t, lang))


# --- search, card, actions -------------------------------------------------------------


def _cancel_keyboard(t: Translator, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_btn(t(lang, "btn-sx-pending"), sx.Pending())],
            [st.CancelPrompt().button(t(lang, "btn-cancel"))],
        ]
    )


async def ask_find(update: Update, context: KisContext, person: Person) -> None:
    """Ask for part of a participant's name or phone (the answer comes as typed text)."""
    t, lang = context.deps.i18n, person.language
    async with context.deps.transaction() as session:
        actor = await people.require_role(session, _tid(update), report_staff.CARD_ROLES)
        actor.awaiting = sx.FindPrompt().pack()
    await reply(update, t(lang, "sx-find-ask"), _cancel_keyboard(t, lang))
    await answer(update)


def expects(awaiting: str | None) -> bool:
    """True when a staff member's next typed text belongs to these screens."""
    return (awaiting or "").startswith("sx_")


SEARCH = SearchScreen(
    feature=Feature.STAFF_TOOLS,
    results_key="sx-find-results",
    more_key="sx-find-more",
    none_key="sx-find-none",
    again_key="btn-sx-search-again",
    open_participant=sx.Card,
    again=sx.Find(),
    retry_keyboard=_cancel_keyboard,
)


async def on_text(update: Update, context: KisContext, person: Person, text: str) -> None:
    """Typed answers for sx_* prompts: the participant search."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        sx.SxPrompt.unpack(person.awaiting)
    except BadCallback:  # a prompt of an older version: forget it
        async with deps.transaction() as session:
            await people.set_awaiting(session, person.id, None)
        await reply(update, t(lang, "button-stale"))
        return
    await answer_search(update, context, person, text, SEARCH)


def _booking_line(
    t: Translator, lang: str, b: report_staff.CardBooking, context: KisContext
) -> str:
    return t(
        lang,
        "sx-card-booking",
        mark=BOOKING_MARK[b.attended],
        when=_dmy(b.starts_at, context),
        title=_esc(b.title),
        status=_state(t, lang, b.status),
    )


def _card_lines(
    t: Translator, lang: str, card: report_staff.ParticipantCard, context: KisContext
) -> list[str]:
    p = card.person
    lines = [
        t(
            lang,
            "sx-card-title",
            name=_esc(p.display_name),
            phone=_esc(p.phone),
            status=t(lang, f"sx-status-{p.status}"),
        ),
        t(lang, "sx-card-attendance", attended=card.attended, missed=card.no_shows),
        "",
        t(lang, "sx-card-upcoming") if card.upcoming else t(lang, "sx-card-no-upcoming"),
    ]
    lines += [_booking_line(t, lang, b, context) for b in card.upcoming[:CARD_LINES]]
    if card.past:
        lines.append(t(lang, "sx-card-past"))
        lines += [_booking_line(t, lang, b, context) for b in card.past[:CARD_LINES]]
    if card.referrals:
        lines.append(t(lang, "sx-card-referrals"))
    for r in card.referrals:
        lines.append(
            t(
                lang,
                "sx-card-referral",
                service=_esc(r.service),
                used=r.sessions_used,
                total=r.sessions_total,
                until=r.expires_on.strftime("%d.%m.%Y"),
                revoked="yes" if r.revoked else "no",
            )
        )
    if card.care:
        lines.append(t(lang, "sx-card-care"))
    for c in card.care[:CARD_LINES]:
        lines.append(
            t(
                lang,
                "sx-card-care-line",
                when=_dmy(c.starts_at, context),
                name=_esc(c.dependant_name),
                status=_state(t, lang, c.status),
            )
        )
    return lines


def _card_keyboard(t: Translator, lang: str, person: Person) -> InlineKeyboardMarkup:
    rows = []
    if person.status == PersonStatus.PENDING.value:
        rows.append([_btn(t(lang, "btn-sx-approve"), sx.Approve(person.id))])
    if person.status == PersonStatus.ACTIVE.value:
        rows.append([staff_consult_buttons.Draft(person.id).button(t(lang, "btn-sx-referral"))])
    if person.status in people.DEACTIVATABLE:
        rows.append([_btn(t(lang, "btn-sx-deactivate"), sx.AskDeactivate(person.id))])
    rows.append([_btn(t(lang, "btn-sx-search-again"), sx.Find())])
    return InlineKeyboardMarkup(rows)


async def show_card(
    update: Update, context: KisContext, person: Person, pid: int, notice: str | None = None
) -> None:
    """A participant's card with the actions their status allows."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.read() as session:
        card = await report_staff.participant_card(
            session, actor_tid=_tid(update), person_id=pid, now=_now(context)
        )
        lines = _card_lines(t, lang, card, context)
        markup = _card_keyboard(t, lang, card.person)
    if notice:
        lines = [notice, "", *lines]
    await _send_long(update, lines, markup)


async def approve(update: Update, context: KisContext, person: Person, pid: int) -> None:
    """Approve a pending self-registration from the card (the person is told)."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        async with deps.transaction() as session:
            await people.decide_registration(session, _tid(update), pid, True, _now(context))
    except AlreadyDecided:
        await show_card(update, context, person, pid, t(lang, "staff-already-decided"))
        return
    wake_dispatcher(context.application)  # the person is told through the outbox
    await show_card(update, context, person, pid, t(lang, "staff-approved"))


async def ask_deactivate(update: Update, context: KisContext, person: Person, pid: int) -> None:
    """Deactivate? Yes / No."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.read() as session:
        card = await report_staff.participant_card(
            session, actor_tid=_tid(update), person_id=pid, now=_now(context)
        )
        name = card.person.display_name
    rows = [
        [_btn(t(lang, "btn-sx-deactivate-yes"), sx.Deactivate(pid))],
        [_btn(t(lang, "btn-sx-deactivate-no"), sx.Card(pid))],
    ]
    await edit_or_reply(
        update, t(lang, "sx-deactivate-ask", name=_esc(name)), InlineKeyboardMarkup(rows)
    )


async def deactivate(update: Update, context: KisContext, person: Person, pid: int) -> None:
    """Deactivate the participant (their future bookings cancelled), then the card again
    with what was cancelled."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        async with deps.transaction() as session:
            summary = await deactivation.deactivate_participant(
                session, _tid(update), pid, _now(context), context.deps.policy
            )
    except AlreadyDecided:
        await show_card(update, context, person, pid, t(lang, "staff-already-decided"))
        return
    wake_dispatcher(context.application)  # offers of the freed seats to the waiting list
    if summary.anything:
        cancelled = t(
            lang,
            "sx-deactivated-cancelled",
            seats=summary.workshop_seats,
            waiting=summary.waiting_places,
            consultations=summary.consultations,
            care=summary.care_requests,
        )
    else:
        cancelled = t(lang, "sx-deactivated-nothing")
    await show_card(update, context, person, pid, t(lang, "sx-deactivated") + "\n" + cancelled)


async def show_pending(update: Update, context: KisContext, person: Person) -> None:
    """Self-registrations waiting for approval (to their cards) and pending care requests."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.read() as session:
        pending = await people.list_pending(session, _tid(update))
        rows = [[_btn(label(p), sx.Card(p.id))] for p in pending[:20]]
        care = await childcare.pending_requests(session, _tid(update), now=_now(context))
    lines = [
        t(lang, "sx-pending-title"),
        t(lang, "sx-pending-people", count=len(pending)),
        t(lang, "sx-pending-care", count=len(care)),
    ]
    if care:
        rows.append([cpb.Pending().button(t(lang, "btn-cp-pending", count=len(care)))])
    await edit_or_reply(update, "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None)


# --- exports and indicators ------------------------------------------------------------


def _month_code(month: Month) -> int:
    return month.year * 100 + month.month


def _month_from(code: int) -> Month:
    """The month of a YYYYMM code; NotFound (a stale button) for one that is no month."""
    try:
        return Month.parse(f"{code // 100:04d}-{code % 100:02d}")
    except InvalidInput:
        raise NotFound("no such month") from None


def _month_name(month: Month, lang: str) -> str:
    return format_date(date(month.year, month.month, 1), "LLLL yyyy", locale=lang)


async def _allowed(update: Update, context: KisContext, report: Report) -> None:
    """NotAllowed unless the acting person may have `report` (the menus only; the export
    itself is authorised again by the service)."""
    roles: tuple[str, ...] = (
        report_indicators.REPORT_ROLES if report is INDICATORS else reports.EXPORT_ROLES[report]
    )
    async with context.deps.read() as session:
        await people.require_role(session, _tid(update), roles)


async def show_exports(update: Update, context: KisContext, person: Person) -> None:
    """What this role may export, plus the indicators and the chart for managers."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.read() as session:
        actor = await people.require_role(session, _tid(update), STAFF_ROLES)
        kinds = reports.allowed_exports(actor.role)
        manager = actor.role in report_indicators.REPORT_ROLES
    if not kinds:
        raise NotAllowed()
    rows = [[_btn(t(lang, f"btn-sx-kind-{k}"), sx.ChooseMonth(Report(k)))] for k in kinds]
    if manager:
        rows.append([_btn(t(lang, "btn-sx-indicators"), sx.ChooseMonth(INDICATORS))])
        rows.append([_btn(t(lang, "btn-sx-chart"), sx.Chart())])
    await edit_or_reply(update, t(lang, "sx-exports-title"), InlineKeyboardMarkup(rows))


async def choose_month(update: Update, context: KisContext, person: Person, report: Report) -> None:
    """This month / last month / another (participants need no month: the format at once)."""
    t, lang = context.deps.i18n, person.language
    await _allowed(update, context, report)
    if report is Report.PARTICIPANTS:
        await _format_screen(update, context, person, report, 0)
        return
    this = Month.of(_now(context), context.deps.policy.tz)
    last = this.shift(-1)
    rows = [
        [
            _btn(
                t(lang, "btn-sx-this-month", month=_month_name(this, lang)),
                sx.MonthChosen(report, _month_code(this)),
            )
        ],
        [
            _btn(
                t(lang, "btn-sx-last-month", month=_month_name(last, lang)),
                sx.MonthChosen(report, _month_code(last)),
            )
        ],
        [_btn(t(lang, "btn-sx-other-month"), sx.PickMonth(report))],
        [_btn(t(lang, "btn-back"), sx.Exports())],
    ]
    await edit_or_reply(update, t(lang, "sx-month-ask"), InlineKeyboardMarkup(rows))


async def pick_month(update: Update, context: KisContext, person: Person, report: Report) -> None:
    """One of the last PICK_MONTHS months."""
    t, lang = context.deps.i18n, person.language
    await _allowed(update, context, report)
    this = Month.of(_now(context), context.deps.policy.tz)
    months = [this.shift(-i) for i in range(PICK_MONTHS)]
    buttons = [_btn(_month_name(m, lang), sx.MonthChosen(report, _month_code(m))) for m in months]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_btn(t(lang, "btn-back"), sx.ChooseMonth(report))])
    await edit_or_reply(update, t(lang, "sx-month-ask"), InlineKeyboardMarkup(rows))


async def month_chosen(
    update: Update, context: KisContext, person: Person, report: Report, code: int
) -> None:
    """The format of an export, or the indicators table of the month."""
    month = _month_from(code)
    if report is INDICATORS:
        await show_indicators(update, context, person, month)
        return
    await _allowed(update, context, report)
    await _format_screen(update, context, person, report, _month_code(month))


async def _format_screen(
    update: Update, context: KisContext, person: Person, report: Report, code: int
) -> None:
    t, lang = context.deps.i18n, person.language
    back: sx.Sx = sx.Exports() if report is Report.PARTICIPANTS else sx.ChooseMonth(report)
    rows = [
        [
            _btn("XLSX (Excel)", sx.SendExport(report, code, sx.Format.XLSX)),
            _btn("CSV", sx.SendExport(report, code, sx.Format.CSV)),
        ],
        [_btn(t(lang, "btn-back"), back)],
    ]
    await edit_or_reply(update, t(lang, "sx-format-ask"), InlineKeyboardMarkup(rows))


async def send_export(
    update: Update, context: KisContext, person: Person, press: sx.SendExport
) -> None:
    """Make the export (audited, in its own transaction), then send it as a document."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    if press.report is INDICATORS:
        raise NotFound("the indicators are no export")
    month = None if press.month == 0 else _month_from(press.month)
    if month is None and press.report is not Report.PARTICIPANTS:
        raise NotFound("an export without its month")
    async with deps.transaction() as session:
        made = await reports.export(
            session,
            actor_tid=_tid(update),
            kind=press.report.value,
            fmt=press.fmt.value,
            month=month,
            tz=deps.policy.tz,
        )
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(
        chat.id,
        document=made.content,
        filename=made.filename,
        caption=t(lang, "sx-export-caption", rows=made.rows),
    )
    log.info("export sent: %s (%s)", press.report, press.fmt)
    await answer(update)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


async def show_indicators(
    update: Update, context: KisContext, person: Person, month: Month
) -> None:
    """The indicators of one month as a small table (audited by the service)."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.transaction() as session:
        ind = await report_indicators.month_indicators(
            session, actor_tid=_tid(update), month=month, tz=deps.policy.tz
        )
    rows = [
        (t(lang, "sx-ind-unique"), str(ind.unique_participants)),
        (t(lang, "sx-ind-hours-workshops"), f"{ind.workshop_hours:.1f}"),
        (t(lang, "sx-ind-hours-consultations"), f"{ind.consultation_hours:.1f}"),
        (t(lang, "sx-ind-hours-childcare"), f"{ind.childcare_hours:.1f}"),
        (t(lang, "sx-ind-hours-total"), f"{ind.total_hours:.1f}"),
        (t(lang, "sx-ind-attendance-workshops"), _percent(ind.workshops.attendance_rate)),
        (t(lang, "sx-ind-noshow-workshops"), _percent(ind.workshops.no_show_rate)),
        (t(lang, "sx-ind-attendance-consultations"), _percent(ind.consultations.attendance_rate)),
        (t(lang, "sx-ind-noshow-consultations"), _percent(ind.consultations.no_show_rate)),
    ]
    width = max(len(label) for label, _ in rows)
    table = "\n".join(f"{label.ljust(width)}  {value:>6}" for label, value in rows)
    text = (
        t(lang, "sx-ind-title", month=_month_name(month, lang))
        + f"\n<pre>{html.escape(table)}</pre>"
    )
    back = InlineKeyboardMarkup([[_btn(t(lang, "btn-back"), sx.ChooseMonth(INDICATORS))]])
    await edit_or_reply(update, text, back)


async def send_chart(update: Update, context: KisContext, person: Person) -> None:
    """The chart of the last months as a photo (audited by the service)."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    last = Month.of(_now(context), deps.policy.tz)
    async with deps.transaction() as session:
        png = await report_indicators.chart(
            session, actor_tid=_tid(update), last=last, tz=deps.policy.tz
        )
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_photo(
        chat.id, photo=png, caption=t(lang, "sx-chart-caption", months=PICK_MONTHS)
    )
    await answer(update)


# --- dispatch --------------------------------------------------------------------------


async def on_button(update: Update, context: KisContext, person: Person, button: sx.Sx) -> None:
    """sx:* presses of an active staff member; every action is re-authorised in the services,
    which also decide what each role sees."""
    match button:
        case sx.Agenda(span=span):
            await show_agenda(update, context, person, span)
        case sx.Find():
            await ask_find(update, context, person)
        case sx.Card(person_id=pid):
            await show_card(update, context, person, pid)
        case sx.Approve(person_id=pid):
            await approve(update, context, person, pid)
        case sx.AskDeactivate(person_id=pid):
            await ask_deactivate(update, context, person, pid)
        case sx.Deactivate(person_id=pid):
            await deactivate(update, context, person, pid)
        case sx.Pending():
            await show_pending(update, context, person)
        case sx.Exports():
            await show_exports(update, context, person)
        case sx.ChooseMonth(report=report):
            await choose_month(update, context, person, report)
        case sx.PickMonth(report=report):
            await pick_month(update, context, person, report)
        case sx.MonthChosen(report=report, month=code):
            await month_chosen(update, context, person, report, code)
        case sx.SendExport():
            await send_export(update, context, person, button)
        case sx.Chart():
            await send_chart(update, context, person)
        case _:
            raise AssertionError(f"unhandled staff tools button {button!r}")
