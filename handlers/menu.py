"""Main menu: about & contact, language, "my data" and deletion."""

from __future__ import annotations

import html
from datetime import datetime

from telegram import ReplyKeyboardRemove, Update

from bot.context import KisContext
from bot.i18n import LANGUAGE_NAMES
from handlers import keyboards as kb
from handlers.buttons import menu as mb
from handlers.common import answer, edit_or_reply, reply
from handlers.formatting import short_when
from models import Person
from services import consultations, erasure, people, workshops


def local_time(context: KisContext, moment: datetime | None) -> str:
    """A timestamp as people read it: day.month.year hour:minute in the club's time zone."""
    if moment is None:
        return "—"
    return moment.astimezone(context.deps.policy.tz).strftime("%d.%m.%Y %H:%M")


async def show_menu(update: Update, context: KisContext, person: Person) -> None:
    """Show the main menu keyboard."""
    t = context.deps.i18n
    await reply(
        update,
        t(person.language, "main-menu-greeting", name=html.escape(person.display_name or "")),
        kb.main_menu(t, person.language, person.is_staff),
    )


async def show_about(update: Update, context: KisContext, lang: str) -> None:
    """About the club and how to reach the coordinator."""
    await reply(update, context.deps.i18n(lang, "about-contact"))


async def show_language_choice(update: Update, context: KisContext, person: Person) -> None:
    """Offer the supported languages."""
    await reply(
        update,
        context.deps.i18n(person.language, "choose-language"),
        kb.language_keyboard(mb.SetLanguage, current=person.language),
    )


async def on_language_button(
    update: Update, context: KisContext, person: Person, button: mb.Lg
) -> None:
    """A language chosen: store it and re-send the menu in it."""
    deps, t = context.deps, context.deps.i18n
    assert isinstance(button, mb.SetLanguage)  # the codec's only action
    async with deps.transaction() as session:
        person = await people.set_language(session, person.id, button.language)
    lang = person.language
    await edit_or_reply(update, t(lang, "language-changed", language=LANGUAGE_NAMES[lang]))
    await reply(update, t(lang, "menu-hint"), kb.main_menu(t, lang, person.is_staff))


def describe_person(context: KisContext, person: Person) -> str:
    """Everything stored about the person, as they will read it."""
    t, lang = context.deps.i18n, person.language
    return t(
        lang,
        "mydata-summary",
        name=html.escape(person.display_name or "—"),
        phone=html.escape(person.phone or "—"),
        language=LANGUAGE_NAMES.get(person.language, person.language),
        telegram_id=str(person.telegram_id),
        status=t(lang, f"status-{person.status}"),
        role=t(lang, f"role-{person.role}"),
        source=t(lang, f"source-{person.source}"),
        registered=local_time(context, person.created_at),
        consent=local_time(context, person.consent_at),
    )


async def show_my_data(update: Update, context: KisContext, person: Person) -> None:
    """/mydata: the person's data with a Delete button."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    async with deps.transaction() as session:
        upcoming = await workshops.my_bookings(session, person.id, deps.clock())
        past = await workshops.history(session, person.id, deps.clock())
        consults = await consultations.my_consultations(session, person.id, deps.clock())
        referrals = await consultations.referrals_of(session, person.id)
        services = {s.id: s for s in await consultations.list_service_types(session)}
    lines = [describe_person(context, person), "", t(lang, "mydata-bookings-title")]
    for b in upcoming + past:
        status: str = b.enrollment.status
        if b in past:
            status = {True: "attended", False: "absent", None: "unmarked"}[b.enrollment.attended]
        lines.append(
            f"• {short_when(b.session.starts_at, deps.policy.tz, lang)} "
            f"{html.escape(b.workshop.title(lang))} — {t(lang, f'mydata-enrollment-{status}')}"
        )
    for v in consults:
        lines.append(
            f"• {short_when(v.slot.starts_at, deps.policy.tz, lang)} "
            f"{html.escape(v.service.name(lang))} — {t(lang, 'mydata-consult-booked')}"
        )
    if not upcoming and not past and not consults:
        lines.append(t(lang, "mydata-no-bookings"))
    for r in referrals:
        service = services.get(r.service_type_id)
        lines.append(
            t(
                lang,
                "mydata-referral",
                service=html.escape(service.name(lang) if service else "—"),
                used=r.sessions_used,
                total=r.sessions_total,
                until=r.expires_on.strftime("%d.%m.%Y"),
            )
        )
    markup = None if person.is_staff else kb.mydata_keyboard(t, lang)
    await reply(update, "\n".join(lines), markup)


async def on_mydata_button(
    update: Update, context: KisContext, person: Person, button: mb.Md
) -> None:
    """Delete asks to confirm, Yes anonymises, No keeps everything."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    if person.is_staff:
        await answer(update, t(lang, "delete-staff-refused"), alert=True)
        return
    match button:
        case mb.AskDelete():
            await edit_or_reply(
                update, t(lang, "delete-confirm"), kb.delete_confirm_keyboard(t, lang)
            )
        case mb.KeepData():
            await edit_or_reply(update, t(lang, "delete-kept"))
        case mb.Delete():
            async with deps.transaction() as session:
                await erasure.erase_my_data(session, person.id, deps.clock(), context.deps.policy)
            await edit_or_reply(update, t(lang, "delete-done"))
            await reply(update, t(lang, "delete-goodbye"), ReplyKeyboardRemove())
        case _:
            raise AssertionError(f"unhandled my-data button {button!r}")
