"""The participant search shared by the staff screens that find a participant by part of a
name or phone (staff tools `sx`, consultation referrals `cx`): the typed query answered with
the participants found, each a button to that feature's screen of them.

Each feature keeps its own prompt, texts and buttons (`SearchScreen`); the search itself, who
may search and how a query matches, is `services.participant_search`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update

from bot.context import KisContext
from bot.i18n import Translator
from handlers.buttons import Button, Feature
from handlers.common import reply
from handlers.entry import refuse
from models import Person
from services import participant_search, people
from services.errors import InvalidInput, NotAllowed

LABEL_MAX = 60


@dataclass(frozen=True)
class SearchScreen:
    """One feature's search: its message keys, the press that opens a participant found,
    "search again", and the keyboard under "type it again" (with Cancel)."""

    feature: Feature
    results_key: str  # "Found:"
    more_key: str  # "the first {count} are shown"
    none_key: str  # "nobody found, type again"
    again_key: str  # the label of "search again"
    open_participant: Callable[[int], Button]  # a participant's id → the press opening them
    again: Button
    retry_keyboard: Callable[[Translator, str], InlineKeyboardMarkup]


def label(p: Person) -> str:
    """Name, and the phone's last three digits to tell two people of one name apart."""
    text = p.display_name or "—"
    digits = "".join(ch for ch in p.phone or "" if ch.isdigit())
    if len(digits) >= 3:
        text += f" · …{digits[-3:]}"
    return text[:LABEL_MAX]


async def answer_search(
    update: Update, context: KisContext, person: Person, text: str, screen: SearchScreen
) -> None:
    """Answer a typed search query: the participants found (the question is then done), or
    "nobody found" / "too short" with `screen.retry_keyboard` (the question stays). Someone
    who may not search any more is answered as staff-only and the question is forgotten."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    user = update.effective_user
    assert user is not None
    try:
        async with deps.transaction() as session:
            found = await participant_search.search_participants(
                session, actor_tid=user.id, query=text
            )
            if found.people:
                await people.set_awaiting(session, person.id, None)
    except InvalidInput as exc:
        await reply(update, t(lang, exc.reason), screen.retry_keyboard(t, lang))
        return
    except NotAllowed as error:
        async with deps.transaction() as session:
            await people.set_awaiting(session, person.id, None)
        await refuse(update, context, lang, screen.feature, error)
        return
    if not found.people:
        await reply(update, t(lang, screen.none_key), screen.retry_keyboard(t, lang))
        return
    rows = [[screen.open_participant(p.id).button(label(p))] for p in found.people]
    rows.append([screen.again.button(t(lang, screen.again_key))])
    out = t(lang, screen.results_key)
    if found.more:
        out += "\n" + t(lang, screen.more_key, count=len(found.people))
    await reply(update, out, InlineKeyboardMarkup(rows))
