"""Entry points for button presses: one CallbackQueryHandler per feature, and the one place
that turns domain errors into answers.

Each feature registers its typed codec (`handlers.buttons`) with a gate saying who may press:

    participant_buttons(Ws, workshops.on_button)      # an active participant
    staff_buttons(Bc, broadcasts.on_button)            # an active staff member
    open_buttons(Ob, onboarding.on_button)             # anyone (registration itself)

The entry decodes the press (a `BadCallback` is answered as a stale button and logged with
ids only), applies the gate, calls the feature with the typed button and answers any
`DomainError` from the table `REFUSALS`. Anything else is a bug: it reaches the error handler
and the log.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.context import KisContext
from handlers import onboarding
from handlers.buttons import BadCallback, Button, Feature
from handlers.common import (
    answer,
    edit_or_reply,
    language_for,
    load_person,
    refuse_staff_only,
    reply,
)
from models import Person, PersonStatus
from services.childcare import CareClosed
from services.consultations import BookingClosed
from services.errors import AlreadyDecided, DomainError, InvalidInput, NotAllowed, NotFound

log = logging.getLogger(__name__)
B = TypeVar("B", bound=Button)


@dataclass(frozen=True)
class Refusal:
    """How a domain error is answered: the message key, and whether the pressed message is
    replaced by the text (the card it showed is gone) rather than answered with an alert."""

    key: str
    replace: bool = False


# (feature, error) → answer; `None` as the feature is the default for every feature. The
# most specific error class wins, then the feature's entry over the default.
REFUSALS: dict[tuple[Feature | None, type[DomainError]], Refusal] = {
    (None, NotFound): Refusal("button-stale"),
    (None, NotAllowed): Refusal("staff-only"),
    (None, AlreadyDecided): Refusal("staff-already-decided", replace=True),
    # A registration gone meanwhile was decided by someone else (the card is replaced).
    (Feature.STAFF, NotFound): Refusal("staff-already-decided", replace=True),
    (Feature.BROADCASTS, AlreadyDecided): Refusal("bc-already-sent"),
    (Feature.CONSULTATIONS, NotAllowed): Refusal("button-stale"),  # no longer active
    (Feature.CONSULTATIONS, BookingClosed): Refusal("cs-not-active"),
    (Feature.CHILDCARE, NotAllowed): Refusal("button-stale"),  # no longer active
    (Feature.CHILDCARE, CareClosed): Refusal("care-not-active"),
    (Feature.STAFF_CONSULT, AlreadyDecided): Refusal("cx-already-revoked"),
    (Feature.STAFF_CONSULT, BookingClosed): Refusal("cx-booking-closed"),
}


def refusal_for(feature: Feature | None, error: DomainError) -> Refusal:
    """The answer to `error` in `feature`: `InvalidInput` carries its own message key."""
    if isinstance(error, InvalidInput):
        return Refusal(error.reason)
    for kind in type(error).__mro__:
        if not (isinstance(kind, type) and issubclass(kind, DomainError)):
            continue
        found = REFUSALS.get((feature, kind)) or REFUSALS.get((None, kind))
        if found is not None:
            return found
    raise LookupError(f"no answer for {type(error).__name__} in {feature}")


async def refuse(
    update: Update, context: KisContext, lang: str, feature: Feature | None, error: DomainError
) -> None:
    """Answer a refused press or typed answer in `lang`."""
    refusal = refusal_for(feature, error)
    text = context.deps.i18n(lang, refusal.key)
    if update.callback_query is None:
        await reply(update, text)
    elif refusal.replace:
        await edit_or_reply(update, text, notice=text)
    else:
        await answer(update, text, alert=True)


async def active_person(update: Update, context: KisContext) -> Person | None:
    """The person if fully registered; otherwise tell them where they stand and return None."""
    person = await load_person(update, context)
    if person is None:
        lang = language_for(update, context, None)
        await answer(update, context.deps.i18n(lang, "please-start"), alert=True)
        if update.callback_query is None:
            await reply(update, context.deps.i18n(lang, "please-start"))
        return None
    if person.status != PersonStatus.ACTIVE.value:
        await onboarding.resume(update, context, person)
        await answer(update)
        return None
    return person


async def active_staff(update: Update, context: KisContext) -> Person | None:
    """The person if an active staff member; otherwise refuse and return None."""
    person = await load_person(update, context)
    if person is None or not person.is_staff or person.status != PersonStatus.ACTIVE.value:
        await refuse_staff_only(update, context, person)
        return None
    return person


async def stale(update: Update, context: KisContext, feature: str, person: Person | None) -> None:
    """A press that is no button of ours: say it is out of date, log ids only."""
    log.info("update %s: a %s button that is not ours any more", update.update_id, feature)
    lang = language_for(update, context, person)
    await answer(update, context.deps.i18n(lang, "button-stale"), alert=True)


Gate = Callable[[Update, KisContext], Awaitable[Person | None]]


async def _decoded(update: Update, context: KisContext, codec: type[B]) -> B | None:
    """The typed press, or None once a press that is no button of ours has been answered."""
    query = update.callback_query
    if query is None:
        return None
    try:
        return codec.unpack(query.data)
    except BadCallback:
        await stale(update, context, codec.feature.value, await load_person(update, context))
        return None


def person_entry(
    codec: type[B],
    handle: Callable[[Update, KisContext, Person, B], Awaitable[None]],
    gate: Gate,
) -> Callable[[Update, KisContext], Coroutine[Any, Any, None]]:
    """The callback of `codec`'s handler: decode, gate, handle, answer domain errors."""

    async def entry(update: Update, context: KisContext) -> None:
        button = await _decoded(update, context, codec)
        if button is None:
            return
        person = await gate(update, context)
        if person is None:
            return
        try:
            await handle(update, context, person, button)
        except DomainError as error:
            await refuse(update, context, person.language, codec.feature, error)

    return entry


def participant_buttons(
    codec: type[B], handle: Callable[[Update, KisContext, Person, B], Awaitable[None]]
) -> CallbackQueryHandler[KisContext, None]:
    """`codec`'s presses, for active participants (staff included)."""
    return CallbackQueryHandler(person_entry(codec, handle, active_person), pattern=codec.pattern())


def staff_buttons(
    codec: type[B], handle: Callable[[Update, KisContext, Person, B], Awaitable[None]]
) -> CallbackQueryHandler[KisContext, None]:
    """`codec`'s presses, for active staff; every action is re-authorised in its service."""
    return CallbackQueryHandler(person_entry(codec, handle, active_staff), pattern=codec.pattern())


def open_buttons(
    codec: type[B], handle: Callable[[Update, KisContext, B], Awaitable[None]]
) -> CallbackQueryHandler[KisContext, None]:
    """`codec`'s presses for anyone, registered or not (registration itself)."""

    async def entry(update: Update, context: KisContext) -> None:
        button = await _decoded(update, context, codec)
        if button is None:
            return
        try:
            await handle(update, context, button)
        except DomainError as error:
            lang = language_for(update, context, await load_person(update, context))
            await refuse(update, context, lang, codec.feature, error)

    return CallbackQueryHandler(entry, pattern=codec.pattern())


async def on_unknown_button(update: Update, context: KisContext) -> None:
    """Any press no feature claims (an old prefix, or forged data)."""
    await stale(update, context, "unknown", await load_person(update, context))
