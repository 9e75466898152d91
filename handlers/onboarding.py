"""/start, language, consent, name and phone: getting a person into the club's bot."""

from __future__ import annotations

import html
import re

from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ReplyKeyboardRemove, Update

from bot.context import KisContext
from handlers import keyboards as kb
from handlers.buttons import onboarding as ob
from handlers.common import edit_or_reply, language_for, load_person, reply
from models import Person, PersonStatus, Referral
from scheduler.dispatcher import wake_dispatcher
from services import consultations as consult
from services import people
from services.errors import InvalidInput

_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _invite_code(context: KisContext) -> str:
    """The deep-link payload if it looks like an invite code, else the "no code" marker."""
    if context.args and _CODE_RE.match(context.args[0]):
        return context.args[0]
    return kb.NO_CODE


async def start(update: Update, context: KisContext) -> None:
    """/start [invite code]: resume where the person is, or begin with the language choice."""
    user = update.effective_user
    if user is None:
        return
    deps = context.deps
    code = _invite_code(context)
    outcome: people.InviteOutcome = "none"
    opened_referral = consult.is_referral_code(code)
    referral: Referral | None = None
    async with deps.transaction() as session:
        person = await people.get_by_telegram_id(session, user.id)
        if person is not None and person.unreachable_at is not None:
            person.unreachable_at = None  # /start after unblocking: broadcasts reach them again
        if person is not None and opened_referral:
            referral = await _claim_referral(context, session, person, code)
        elif person is not None and code != kb.NO_CODE:
            outcome = await people.apply_invite(session, person, code, deps.clock())
    if person is None:
        lang = language_for(update, context, None)
        await reply(
            update,
            deps.i18n(lang, "welcome-choose-language"),
            kb.language_keyboard(lambda chosen: ob.ChoseLanguage(chosen, code), current=lang),
        )
        return
    await _tell_invite_outcome(update, context, person, outcome)
    if opened_referral:
        await _tell_referral(update, context, person, referral)
    await resume(update, context, person)


async def _claim_referral(
    context: KisContext, session: AsyncSession, person: Person, code: str
) -> Referral | None:
    """The referral behind a link opened by `person` (now theirs), or None if it is not valid."""
    deps = context.deps
    try:
        return await consult.claim_referral_code(
            session, code=code, person_id=person.id, now=deps.clock(), tz=deps.policy.tz
        )
    except consult.ReferralCodeInvalid:
        return None


async def _tell_referral(
    update: Update, context: KisContext, person: Person, referral: Referral | None
) -> None:
    t, lang = context.deps.i18n, person.language
    if referral is None:
        await reply(update, t(lang, "cs-referral-invalid"))
        return
    async with context.deps.read() as session:
        service = await consult.get_service_type(session, referral.service_type_id)
    await reply(
        update,
        t(
            lang,
            "cs-referral-received",
            service=html.escape(service.name(lang)),
            count=referral.sessions_total,
            until=format_date(referral.expires_on, "d MMMM y", locale=lang),
        ),
    )


async def _tell_invite_outcome(
    update: Update, context: KisContext, person: Person, outcome: people.InviteOutcome
) -> None:
    t = context.deps.i18n
    if outcome == "invalid":
        await reply(update, t(person.language, "invite-invalid"))
    elif outcome == "accepted":
        await reply(
            update,
            t(person.language, "invite-accepted", name=html.escape(person.display_name or "")),
        )


async def resume(update: Update, context: KisContext, person: Person) -> None:
    """Tell the person where they are and show what they can do next."""
    t, lang = context.deps.i18n, person.language
    if person.status == PersonStatus.ONBOARDING.value:
        if isinstance(ob.registration_prompt(person.awaiting), ob.AskPhone):
            await reply(update, t(lang, "ask-phone"), kb.phone_keyboard(t, lang))
        else:
            await reply(update, t(lang, "ask-name"), ReplyKeyboardRemove())
    elif person.status == PersonStatus.PENDING.value:
        await reply(update, t(lang, "registration-pending"), ReplyKeyboardRemove())
    elif person.status == PersonStatus.ACTIVE.value:
        await reply(
            update,
            t(lang, "main-menu-greeting", name=html.escape(person.display_name or "")),
            kb.main_menu(t, lang, person.is_staff),
        )
    else:
        await reply(update, t(lang, "account-inactive"), ReplyKeyboardRemove())


async def on_button(update: Update, context: KisContext, button: ob.Ob) -> None:
    """A registration press (anyone may press these: registration itself)."""
    t = context.deps.i18n
    match button:
        case ob.ChoseLanguage(language=lang, code=code):
            await edit_or_reply(update, t(lang, "consent-text"), kb.consent_keyboard(t, lang, code))
        case ob.ChooseAgain(code=code):
            current = language_for(update, context, None)
            await edit_or_reply(
                update,
                t(current, "welcome-choose-language"),
                kb.language_keyboard(
                    lambda chosen: ob.ChoseLanguage(chosen, code), current=current
                ),
            )
        case ob.Decline(language=lang):
            await _decline(update, context, lang)
        case ob.Agree(language=lang, code=code):
            await _agree(update, context, lang, code)
        case _:
            raise AssertionError(f"unhandled registration button {button!r}")


async def _decline(update: Update, context: KisContext, lang: str) -> None:
    """ "I do not agree": nothing is stored for a newcomer. Someone already registered pressed
    it on an old prompt: their consent and data stay, so say so (in their stored language)
    and how to delete them, rather than "we stored nothing"."""
    user = update.effective_user
    if user is None:
        return
    person = await load_person(update, context)
    t = context.deps.i18n
    if person is None:
        await edit_or_reply(update, t(lang, "consent-declined"))
        return
    if person.status == PersonStatus.ACTIVE.value:
        await edit_or_reply(update, t(person.language, "consent-declined-registered"))
        return
    await edit_or_reply(update, t(person.language, "consent-declined-kept"))
    await resume(update, context, person)


async def _agree(update: Update, context: KisContext, lang: str, code: str) -> None:
    user = update.effective_user
    if user is None:
        return
    deps = context.deps
    referral_link = consult.is_referral_code(code)
    referral: Referral | None = None
    async with deps.transaction() as session:
        invite = None if code == kb.NO_CODE or referral_link else code
        result = await people.give_consent(session, user.id, lang, invite, deps.clock())
        if referral_link:
            # Opened from a referral link: the referral is theirs from now on and can be used
            # once staff have approved the registration.
            referral = await _claim_referral(context, session, result.person, code)
    person, t = result.person, deps.i18n
    await edit_or_reply(update, t(person.language, "consent-thanks"))
    await _tell_invite_outcome(update, context, person, result.invite)
    if referral_link:
        await _tell_referral(update, context, person, referral)
    await resume(update, context, person)


async def on_name(update: Update, context: KisContext, person: Person, text: str) -> None:
    """The answer to "what is your name?"."""
    deps, t = context.deps, context.deps.i18n
    try:
        async with deps.transaction() as session:
            person = await people.set_name(session, person.id, text)
    except InvalidInput as exc:
        await reply(update, t(person.language, exc.reason))
        return
    await reply(update, t(person.language, "ask-phone"), kb.phone_keyboard(t, person.language))


async def on_phone(update: Update, context: KisContext, person: Person, phone: str | None) -> None:
    """The shared contact, a typed number, or "skip": finish the onboarding."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        async with deps.transaction() as session:
            person = await people.finish_onboarding(session, person.id, phone, deps.clock())
            status = person.status
    except InvalidInput as exc:
        await reply(update, t(lang, exc.reason), kb.phone_keyboard(t, lang))
        return
    if status == PersonStatus.ACTIVE.value:
        await reply(
            update,
            t(lang, "registration-active", name=html.escape(person.display_name or "")),
            kb.main_menu(t, lang, person.is_staff),
        )
        return
    await reply(update, t(lang, "registration-pending"), ReplyKeyboardRemove())
    wake_dispatcher(context.application)  # the approvers are told through the outbox
