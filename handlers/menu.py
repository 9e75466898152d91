"""Main menu: about & contact, language, "my data" and deletion."""

from __future__ import annotations

import html
from datetime import datetime

from telegram import ReplyKeyboardRemove, Update

from bot.context import KisContext
from bot.i18n import LANGUAGE_NAMES
from handlers import keyboards as kb
from handlers.callbacks import Callback
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
        kb.language_keyboard("lg", "set", current=person.language),
    )


async def on_language_callback(
    update: Update, context: KisContext, person: Person, cb: Callback
) -> None:
    """lg:set:<lang>: store the language and re-send the menu in it."""
    deps, t = context.deps, context.deps.i18n
    if cb.action != "set" or len(cb.args) != 1 or cb.args[0] not in t.bundles:
        await answer(update, t(person.language, "button-stale"), alert=True)
        return
    async with deps.transaction() as session:
        person = await people.set_language(session, person.id, cb.args[0])
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
        status = b.enrollment.status
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


async def on_mydata_callback(
    update: Update, context: KisContext, person: Person, cb: Callback
) -> None:
    """md:del asks to confirm, md:yes anonymises, md:no keeps everything."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    if person.is_staff:
        await answer(update, t(lang, "delete-staff-refused"), alert=True)
        return
    if cb.action == "del":
        await edit_or_reply(update, t(lang, "delete-confirm"), kb.delete_confirm_keyboard(t, lang))
    elif cb.action == "no":
        await edit_or_reply(update, t(lang, "delete-kept"))
    elif cb.action == "yes":
        async with deps.transaction() as session:
            await erasure.erase_my_data(session, person.id, deps.clock(), context.deps.policy)
        await edit_or_reply(update, t(lang, "delete-done"))
        await reply(update, t(lang, "delete-goodbye"), ReplyKeyboardRemove())
    else:
        await answer(update, t(lang, "button-stale"), alert=True)
