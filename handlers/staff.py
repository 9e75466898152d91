"""Staff menu: pending self-registrations with Approve / Reject, invite links."""

from __future__ import annotations

import html

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ReplyKeyboardRemove, Update

from bot.context import KisContext
from bot.i18n import Translator
from handlers import keyboards as kb
from handlers.callbacks import Callback
from handlers.common import answer, edit_or_reply, refuse_staff_only, reply
from handlers.menu import local_time
from models import OutboxMessage, Person, PersonStatus, Role
from scheduler.dispatcher import wake_dispatcher
from scheduler.rendering import Rendered, Renderer
from services import invites, people
from services.errors import AlreadyDecided, InvalidInput, NotAllowed, NotFound


async def show_staff_menu(update: Update, context: KisContext, person: Person) -> None:
    """/staff: the staff menu, for staff only."""
    from services import childcare  # here: this function is the only user in this module

    deps, t, lang = context.deps, context.deps.i18n, person.language
    if not person.is_staff:
        await reply(update, t(lang, "staff-only"))
        return
    pending, manages = 0, True
    care_pending: int | None = None
    async with deps.transaction() as session:
        try:
            pending = len(await people.list_pending(session, _tid(update)))
        except NotAllowed:
            manages = False  # specialists and the childcare partner: their own screens only
        if person.role in childcare.CARE_STAFF:
            try:
                care_pending = len(
                    await childcare.pending_requests(session, _tid(update), now=deps.clock())
                )
            except NotAllowed:
                care_pending = None
    specialist = person.role == Role.SPECIALIST.value
    partner = person.role == Role.CHILDCARE_PARTNER.value
    await reply(
        update,
        t(lang, "staff-menu-title"),
        kb.staff_menu(t, lang, pending, manages, specialist, care_pending, partner),
    )


def _tid(update: Update) -> int:
    user = update.effective_user
    assert user is not None
    return user.id


async def show_pending(update: Update, context: KisContext, person: Person) -> None:
    """/pending: every self-registration waiting for a decision."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        async with deps.transaction() as session:
            pending = await people.list_pending(session, _tid(update))
    except NotAllowed:
        await refuse_staff_only(update, context, person)
        return
    if not pending:
        await reply(update, t(lang, "staff-no-pending"))
    for candidate in pending:
        await reply(
            update,
            t(
                lang,
                "staff-pending-card",
                name=html.escape(candidate.display_name or "—"),
                phone=html.escape(candidate.phone or "—"),
                registered=local_time(context, candidate.created_at),
            ),
            kb.approval_keyboard(t, lang, candidate.id),
        )
    await answer(update)


async def on_callback(
    update: Update, context: KisContext, person: Person | None, cb: Callback
) -> None:
    """st:*: every staff click, re-authorised here and again in the service."""
    if person is None or not person.is_staff:
        await refuse_staff_only(update, context, person)
        return
    if cb.action == "pd":
        await show_pending(update, context, person)
    elif cb.action in ("ap", "rj"):
        try:
            person_id = cb.id_arg()
        except (IndexError, ValueError):
            await answer(update, context.deps.i18n(person.language, "button-stale"), alert=True)
            return
        await _decide(update, context, person, person_id, approve=cb.action == "ap")
    elif cb.action == "inv":
        await ask_invite_name(update, context, person)
    elif cb.action == "about":
        await edit_or_reply(update, context.deps.i18n(person.language, "about-contact"))
    elif cb.action == "cx":
        async with context.deps.transaction() as session:
            await people.set_awaiting(session, person.id, None)
        await edit_or_reply(update, context.deps.i18n(person.language, "cancelled"))
    else:
        await answer(update, context.deps.i18n(person.language, "button-stale"), alert=True)


async def _decide(
    update: Update, context: KisContext, actor: Person, person_id: int, approve: bool
) -> None:
    deps, t, lang = context.deps, context.deps.i18n, actor.language
    try:
        async with deps.transaction() as session:
            await people.decide_registration(
                session, _tid(update), person_id, approve, deps.clock()
            )
    except NotAllowed:
        await refuse_staff_only(update, context, actor)
        return
    except (AlreadyDecided, NotFound):
        text = t(lang, "staff-already-decided")
        await edit_or_reply(update, text, notice=text)
        return
    wake_dispatcher(context.application)  # the person is told through the outbox
    await edit_or_reply(update, t(lang, "staff-approved" if approve else "staff-rejected"))


async def render_registration_decided(
    session: AsyncSession, row: OutboxMessage, t: Translator
) -> Rendered | None:
    """ "Your registration is confirmed" with the main menu, or "we cannot confirm it" (the
    person's data is gone then: the language comes from the payload). An approval is no longer
    sent when the person was deactivated or deleted their data meanwhile."""
    payload = row.payload or {}
    if not payload.get("approved"):
        lang = str(payload.get("language") or "pl")
        return Rendered(t(lang, "registration-rejected"), ReplyKeyboardRemove())
    person = await session.get(Person, row.person_id) if row.person_id is not None else None
    if person is None or person.status != PersonStatus.ACTIVE.value:
        return None
    lang = person.language
    return Rendered(
        t(lang, "registration-approved"), kb.main_menu(t, lang, is_staff=person.is_staff)
    )


async def render_registration_pending(
    session: AsyncSession, row: OutboxMessage, t: Translator
) -> Rendered | None:
    """ "New registration: name, phone" with Approve / Reject, for one approver, in their
    language; dropped when the registration was decided (or the approver left) meanwhile."""
    applicant = await session.get(Person, row.ref_id) if row.ref_id is not None else None
    approver = await session.get(Person, row.person_id) if row.person_id is not None else None
    if applicant is None or applicant.status != PersonStatus.PENDING.value:
        return None
    if approver is None or approver.status != PersonStatus.ACTIVE.value:
        return None
    lang = approver.language
    text = t(
        lang,
        "staff-new-registration",
        name=html.escape(applicant.display_name or ""),
        phone=html.escape(applicant.phone or "—"),
    )
    return Rendered(text, kb.approval_keyboard(t, lang, applicant.id))


def renderers() -> dict[str, Renderer]:
    """Outbox renderers of the staff module (self-registrations: the notice to approvers and
    the decision to the person)."""
    return {
        people.KIND_REGISTRATION_PENDING: render_registration_pending,
        people.KIND_REGISTRATION_DECIDED: render_registration_decided,
    }


async def ask_invite_name(update: Update, context: KisContext, person: Person) -> None:
    """Start creating an invite: ask for the person's name."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        async with deps.transaction() as session:
            actor = await people.require_role(session, _tid(update), people.APPROVER_ROLES)
            actor.awaiting = "invite_name"
    except NotAllowed:
        await refuse_staff_only(update, context, person)
        return
    await reply(update, t(lang, "staff-invite-ask-name"), kb.cancel_keyboard(t, lang))
    await answer(update)


async def on_invite_name(update: Update, context: KisContext, person: Person, text: str) -> None:
    """The name typed after "create invite": make the invite and show its link."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        async with deps.transaction() as session:
            actor = await people.require_role(session, _tid(update), people.APPROVER_ROLES)
            invite = await invites.create_invite(
                session, text, deps.clock(), deps.settings.invite_valid_days, actor.id
            )
            actor.awaiting = None
    except NotAllowed:
        await refuse_staff_only(update, context, person)
        return
    except InvalidInput as exc:
        await reply(update, t(lang, exc.reason), kb.cancel_keyboard(t, lang))
        return
    link = invites.invite_link(context.bot.username, invite.code)
    await reply(
        update,
        t(
            lang,
            "staff-invite-created",
            name=html.escape(invite.display_name or ""),
            link=link,
            expires=local_time(context, invite.expires_at),
        ),
    )
