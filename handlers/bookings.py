""" "My bookings": one message listing everything upcoming — workshop seats (and waiting-list
places and offers), consultations and childcare requests — with one button per booking that
opens it (to cancel it, add it to the calendar...). More than `PAGE_SIZE` bookings are paged
with ◀ ▶, the message edited in place.

One message, not one per booking: Telegram allows a chat about one message a second (with a
short burst), and a card per booking tripped that limit for anyone with four or more.

Buttons: `handlers.buttons.menu.Bookings` (a page); each booking's button is its feature's
(a workshop seat, a consultation, a care request).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import KisContext
from handlers.buttons import Button
from handlers.buttons import childcare as cc
from handlers.buttons import consultations as cs
from handlers.buttons import menu as mb
from handlers.buttons import workshops as ws
from handlers.childcare import request_line
from handlers.common import edit_or_reply
from handlers.formatting import long_when, short_when
from models import ACTIVE_CARE, Person
from services import childcare, workshops
from services import consultations as consult

PAGE_SIZE = 8
LABEL_CHARS = 40  # a button shows about this much on a phone


@dataclass(frozen=True)
class Entry:
    """One booking as the list shows it."""

    starts_at: datetime
    line: str  # its line in the message (HTML)
    label: str  # its button, after the number
    opens: Button  # what its button opens


async def _entries(context: KisContext, person: Person) -> list[Entry]:
    """Every upcoming booking of the person, soonest first."""
    deps, t, lang, tz = context.deps, context.deps.i18n, person.language, context.deps.policy.tz
    now = deps.clock()
    async with deps.read() as session:
        seats = await workshops.my_bookings(session, person.id, now)
        consultations = await consult.my_consultations(session, person.id, now)
        care = await childcare.requests_of(session, person.id, now=now)
    entries: list[Entry] = []
    for b in seats:
        title = b.workshop.title(lang)
        state = t(lang, f"bk-state-{b.enrollment.status}", position=b.position or 0)
        when = long_when(b.session.starts_at, tz, lang)
        entries.append(
            Entry(
                b.session.starts_at,
                t(lang, "bk-line-workshop", title=html.escape(title), when=when, state=state),
                f"📚 {short_when(b.session.starts_at, tz, lang)} {title}",
                ws.Booking(b.enrollment.id),
            )
        )
    for v in consultations:
        name = v.service.name(lang)
        when = long_when(v.slot.starts_at, tz, lang)
        entries.append(
            Entry(
                v.slot.starts_at,
                t(lang, "bk-line-consult", service=html.escape(name), when=when),
                f"💬 {short_when(v.slot.starts_at, tz, lang)} {name}",
                cs.Booking(v.booking.id),
            )
        )
    for c in care:
        if c.request.status not in ACTIVE_CARE or c.dependant is None:
            continue
        entries.append(
            Entry(
                c.request.starts_at,
                "🧸 " + request_line(t, lang, c, tz),
                f"🧸 {short_when(c.request.starts_at, tz, lang)} {c.dependant.name}",
                cc.Request(c.request.id),
            )
        )
    entries.sort(key=lambda e: e.starts_at)
    return entries


async def show_bookings(update: Update, context: KisContext, person: Person, page: int = 0) -> None:
    """The list, one page of it: sent from the menu, edited in place from its buttons."""
    t, lang = context.deps.i18n, person.language
    entries = await _entries(context, person)
    history = [ws.History().button(t(lang, "btn-history"))]
    if not entries:
        await edit_or_reply(update, t(lang, "ws-bookings-empty"), InlineKeyboardMarkup([history]))
        return
    pages = (len(entries) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    first = page * PAGE_SIZE
    shown = entries[first : first + PAGE_SIZE]
    lines = [t(lang, "ws-bookings-title", count=len(entries)), ""]
    rows: list[list[InlineKeyboardButton]] = []
    for number, entry in enumerate(shown, start=first + 1):
        lines.append(f"{number}. {entry.line}")
        label = f"{number}. {entry.label}"
        if len(label) > LABEL_CHARS:
            label = label[: LABEL_CHARS - 1] + "…"
        rows.append([entry.opens.button(label)])
    lines += ["", t(lang, "bk-open-hint")]
    if pages > 1:
        lines.append(t(lang, "bk-page", page=page + 1, pages=pages))
        nav = []
        if page > 0:
            nav.append(mb.Bookings(page - 1).button("◀"))
        if page < pages - 1:
            nav.append(mb.Bookings(page + 1).button("▶"))
        rows.append(nav)
    rows.append(history)
    await edit_or_reply(update, "\n".join(lines), InlineKeyboardMarkup(rows))


async def on_button(update: Update, context: KisContext, person: Person, button: mb.Bk) -> None:
    """A page of "My bookings"."""
    assert isinstance(button, mb.Bookings)  # the codec's only action
    await show_bookings(update, context, person, button.page)
