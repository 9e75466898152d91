"""Staff menu: pending self-registrations with Approve / Reject, invite links."""

from __future__ import annotations

import html

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ReplyKeyboardRemove, Update

from bot.context import KisContext
from bot.i18n import Translator
from handlers import keyboards as kb
from handlers.buttons import BadCallback, Feature
from handlers.buttons import staff as st
from handlers.common import answer, edit_or_reply, reply
from handlers.entry import refuse
from handlers.menu import local_time
from models import OutboxMessage, Person, Role
from scheduler.dispatcher import wake_dispatcher
from scheduler.rendering import Rendered, Renderer
from services import invites, people
from services.errors import DomainError, InvalidInput, NotAllowed


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
    async with deps.transaction() as session:
        pending = await people.list_pending(session, _tid(update))
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


async def on_button(update: Update, context: KisContext, person: Person, button: st.St) -> None:
    """st:* presses of an active staff member; every action is re-authorised in the service."""
    t, lang = context.deps.i18n, person.language
    match button:
        case st.Pending():
            await show_pending(update, context, person)
        case st.Approve(person_id=person_id):
            await _decide(update, context, person, person_id, approve=True)
        case st.Reject(person_id=person_id):
            await _decide(update, context, person, person_id, approve=False)
        case st.Invite():
            await ask_invite_name(update, context, person)
        case st.About():
            await edit_or_reply(update, t(lang, "about-contact"))
        case st.CancelPrompt():
            async with context.deps.transaction() as session:
                await people.set_awaiting(session, person.id, None)
            await edit_or_reply(update, t(lang, "cancelled"))
        case _:
            raise AssertionError(f"unhandled staff button {button!r}")


async def on_command(update: Update, context: KisContext, person: Person, button: st.St) -> None:
    """/pending and /invite: what their buttons do, refusals answered the same way."""
    try:
        await on_button(update, context, person, button)
    except DomainError as error:
        await refuse(update, context, person.language, Feature.STAFF, error)


async def _decide(
    update: Update, context: KisContext, actor: Person, person_id: int, approve: bool
) -> None:
    deps, t, lang = context.deps, context.deps.i18n, actor.language
    async with deps.transaction() as session:
        await people.decide_registration(session, _tid(update), person_id, approve, deps.clock())
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
    person = await people.approved_recipient(session, row.person_id)
    if person is None:
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
    notice = await people.pending_notice(session, row.ref_id, row.person_id)
    if notice is None:
        return None
    applicant, lang = notice.applicant, notice.approver.language
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
    async with deps.transaction() as session:
        actor = await people.require_role(session, _tid(update), people.APPROVER_ROLES)
        actor.awaiting = st.InviteName().pack()
    await reply(update, t(lang, "staff-invite-ask-name"), kb.cancel_keyboard(t, lang))
    await answer(update)


def expects(awaiting: str | None) -> bool:
    """Whether the next typed text answers one of these prompts (an older version's too)."""
    return st.StPrompt.owns(awaiting)


async def on_text(update: Update, context: KisContext, person: Person, text: str) -> None:
    """Typed answers for the staff menu's prompts (the invitee's name)."""
    deps, t, lang = context.deps, context.deps.i18n, person.language
    try:
        st.StPrompt.unpack(person.awaiting)
    except BadCallback:  # a prompt of an older version: forget it
        async with deps.transaction() as session:
            await people.set_awaiting(session, person.id, None)
        await reply(update, t(lang, "button-stale"))
        return
    try:
        await on_invite_name(update, context, person, text)
    except DomainError as error:
        await refuse(update, context, lang, Feature.STAFF, error)


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
    except InvalidInput as exc:  # asked again, with Cancel
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
