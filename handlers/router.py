"""Entry points registered on the Application: route each update to its feature handler."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.context import KisContext
from handlers import (
    bookings,
    broadcasts,
    childcare,
    consultations,
    menu,
    onboarding,
    staff,
    staff_childcare,
    staff_consult,
    staff_tools,
    staff_workshops,
    workshops,
)
from handlers import keyboards as kb
from handlers.buttons import broadcasts as bcb
from handlers.buttons import childcare as cc
from handlers.buttons import consultations as cs
from handlers.buttons import menu as mb
from handlers.buttons import onboarding as ob
from handlers.buttons import staff as st
from handlers.buttons import staff_childcare as cpb
from handlers.buttons import staff_consult as cx
from handlers.buttons import staff_tools as sx
from handlers.buttons import staff_workshops as sw
from handlers.common import language_for, load_person, reply
from handlers.entry import (
    active_person,
    on_unknown_button,
    open_buttons,
    participant_buttons,
    staff_buttons,
)
from models import Person, PersonStatus


async def on_menu_command(update: Update, context: KisContext) -> None:
    """/menu."""
    if person := await active_person(update, context):
        await menu.show_menu(update, context, person)


async def on_mydata_command(update: Update, context: KisContext) -> None:
    """/mydata."""
    if person := await active_person(update, context):
        await menu.show_my_data(update, context, person)


async def on_language_command(update: Update, context: KisContext) -> None:
    """/language: works for everyone, registered or not."""
    person = await load_person(update, context)
    if person is None:
        lang = language_for(update, context, None)
        await reply(
            update,
            context.deps.i18n(lang, "welcome-choose-language"),
            kb.language_keyboard(lambda chosen: ob.ChoseLanguage(chosen, kb.NO_CODE), current=lang),
        )
        return
    await menu.show_language_choice(update, context, person)


async def on_help_command(update: Update, context: KisContext) -> None:
    """/help: about the club and contact."""
    person = await load_person(update, context)
    await menu.show_about(update, context, language_for(update, context, person))


async def on_staff_command(update: Update, context: KisContext) -> None:
    """/staff."""
    if person := await active_person(update, context):
        await staff.show_staff_menu(update, context, person)


async def on_pending_command(update: Update, context: KisContext) -> None:
    """/pending."""
    if person := await active_person(update, context):
        if not person.is_staff:
            await reply(update, context.deps.i18n(person.language, "staff-only"))
            return
        await staff.on_command(update, context, person, st.Pending())


async def on_invite_command(update: Update, context: KisContext) -> None:
    """/invite."""
    if person := await active_person(update, context):
        if not person.is_staff:
            await reply(update, context.deps.i18n(person.language, "staff-only"))
            return
        await staff.on_command(update, context, person, st.Invite())


def button_handlers() -> list[CallbackQueryHandler[KisContext, None]]:
    """One CallbackQueryHandler per feature, each with its typed codec (`handlers.buttons`);
    the last one answers presses no feature claims."""
    return [
        open_buttons(ob.Ob, onboarding.on_button),
        workshops.buttons(),
        participant_buttons(mb.Lg, menu.on_language_button),
        participant_buttons(mb.Md, menu.on_mydata_button),
        participant_buttons(mb.Bk, bookings.on_button),
        staff_buttons(st.St, staff.on_button),
        staff_buttons(sw.Sw, staff_workshops.on_button),
        staff_buttons(sx.Sx, staff_tools.on_button),
        staff_buttons(cpb.Cp, staff_childcare.on_button),
        staff_buttons(bcb.Bc, broadcasts.on_button),
        participant_buttons(cs.Cs, consultations.on_button),
        participant_buttons(cc.Cc, childcare.on_button),
        staff_buttons(cx.Cx, staff_consult.on_button),
        CallbackQueryHandler(on_unknown_button),
    ]


async def on_text(update: Update, context: KisContext) -> None:
    """Typed text: an awaited answer, a main-menu button, or something we did not expect."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    text = message.text.strip()
    person = await load_person(update, context)
    t = context.deps.i18n
    if person is None:
        await reply(update, t(language_for(update, context, None), "please-start"))
        return
    if person.status == PersonStatus.ONBOARDING.value:
        if isinstance(ob.registration_prompt(person.awaiting), ob.AskPhone):
            skip = text in t.all_variants("btn-skip-phone").values()
            await onboarding.on_phone(update, context, person, None if skip else text)
        else:
            await onboarding.on_name(update, context, person, text)
        return
    if person.status != PersonStatus.ACTIVE.value:
        await onboarding.resume(update, context, person)
        return
    action = kb.main_menu_actions(t).get(text)
    if action is not None:
        await _menu_action(update, context, person, action)
    elif staff.expects(person.awaiting):
        await staff.on_text(update, context, person, text)
    elif person.is_staff and staff_workshops.expects(person.awaiting):
        await staff_workshops.on_text(update, context, person, text)
    elif person.is_staff and staff_consult.expects(person.awaiting):
        await staff_consult.on_text(update, context, person, text)
    elif person.is_staff and staff_tools.expects(person.awaiting):
        await staff_tools.on_text(update, context, person, text)
    elif person.is_staff and staff_childcare.expects(person.awaiting):
        await staff_childcare.on_text(update, context, person, text)
    elif person.is_staff and broadcasts.expects(person.awaiting):
        await broadcasts.on_text(update, context, person, text)
    elif childcare.expects(person.awaiting):
        await childcare.on_text(update, context, person, text)
    else:
        await reply(
            update,
            t(person.language, "not-understood"),
            kb.main_menu(t, person.language, person.is_staff),
        )


async def _menu_action(update: Update, context: KisContext, person: Person, action: str) -> None:
    if action == "workshops":
        await workshops.show_groups(update, context, person)
    elif action == "consult":
        await consultations.show_services(update, context, person)
    elif action == "childcare":
        await childcare.show_childcare(update, context, person)
    elif action == "bookings":
        await bookings.show_bookings(update, context, person)
    elif action == "mydata":
        await menu.show_my_data(update, context, person)
    elif action == "language":
        await menu.show_language_choice(update, context, person)
    elif action == "about":
        await menu.show_about(update, context, person.language)
    elif action == "staff":
        await staff.show_staff_menu(update, context, person)


async def on_contact(update: Update, context: KisContext) -> None:
    """A shared contact: accepted as the phone only if it is the sender's own."""
    message, user = update.effective_message, update.effective_user
    if message is None or message.contact is None or user is None:
        return
    person = await load_person(update, context)
    t = context.deps.i18n
    if person is None:
        await reply(update, t(language_for(update, context, None), "please-start"))
        return
    lang = person.language
    expecting = person.status == PersonStatus.ONBOARDING and isinstance(
        ob.registration_prompt(person.awaiting), ob.AskPhone
    )
    if not expecting:
        await reply(update, t(lang, "contact-not-expected"))
        return
    if message.contact.user_id != user.id:
        await reply(update, t(lang, "contact-not-own"), kb.phone_keyboard(t, lang))
        return
    await onboarding.on_phone(update, context, person, message.contact.phone_number)


async def on_unknown_command(update: Update, context: KisContext) -> None:
    """A /command we do not have."""
    person = await load_person(update, context)
    await reply(update, context.deps.i18n(language_for(update, context, person), "unknown-command"))


async def on_other(update: Update, context: KisContext) -> None:
    """Stickers, photos, voice notes, locations...: explain what the bot understands (a photo
    or document a coordinator sends for an announcement is its attachment)."""
    person = await load_person(update, context)
    lang = language_for(update, context, person)
    t = context.deps.i18n
    message = update.effective_message
    if (
        person is not None
        and person.is_staff
        and person.status == PersonStatus.ACTIVE.value
        and broadcasts.expects(person.awaiting)
        and message is not None
        and (message.photo or message.document is not None)
    ):
        await broadcasts.on_media(update, context, person)
        return
    if person is None:
        await reply(update, t(lang, "please-start"))
    elif person.status == PersonStatus.ACTIVE.value:
        await reply(update, t(lang, "only-text"), kb.main_menu(t, lang, person.is_staff))
    else:
        await reply(update, t(lang, "only-text"))
        await onboarding.resume(update, context, person)
