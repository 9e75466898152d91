"""People: onboarding, approval, language, "my data" and anonymisation, staff roles."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol, TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import Invite, Person, PersonSource, PersonStatus, Role
from models.db import rowcount
from services import audit, outbox
from services.errors import AlreadyDecided, InvalidInput, NotAllowed, NotFound

NAME_MAX = 100
APPROVER_ROLES = (Role.ADMIN.value, Role.COORDINATOR.value)
_PHONE_RE = re.compile(r"^\+?[0-9]{6,15}$")

InviteOutcome = Literal["none", "accepted", "invalid"]


@dataclass(frozen=True)
class ConsentResult:
    """The person created on consent and what became of the invite code, if any."""

    person: Person
    invite: InviteOutcome


@dataclass(frozen=True)
class Decision:
    """A staff decision on a self-registration, with what is needed to tell the person."""

    person_id: int
    telegram_id: int
    language: str
    approved: bool


async def get_by_telegram_id(session: AsyncSession, telegram_id: int) -> Person | None:
    """The person with this Telegram id, or None."""
    return await session.scalar(select(Person).where(Person.telegram_id == telegram_id))


async def give_consent(
    session: AsyncSession,
    telegram_id: int,
    language: str,
    invite_code: str | None,
    now: datetime,
) -> ConsentResult:
    """Create the person who has just agreed to the consent text; the first row we store.

    A double tap on "I agree" finds the existing person and changes nothing.
    """
    existing = await get_by_telegram_id(session, telegram_id)
    if existing is not None:
        return ConsentResult(existing, "none")
    person = Person(
        telegram_id=telegram_id,
        language=language,
        status=PersonStatus.ONBOARDING,
        consent_at=now,
        created_at=now,
        awaiting="name",
        source=PersonSource.SELF,
    )
    try:
        async with session.begin_nested():
            session.add(person)
            await session.flush()
    except IntegrityError:
        # Another process created this person between our read and write.
        raced = await get_by_telegram_id(session, telegram_id)
        if raced is None:
            raise
        return ConsentResult(raced, "none")
    outcome: InviteOutcome = "none"
    if invite_code:
        outcome = await _claim_invite(session, person, invite_code, now)
    return ConsentResult(person, outcome)


async def _claim_invite(
    session: AsyncSession, person: Person, code: str, now: datetime
) -> InviteOutcome:
    """Mark the invite used by `person`; a conditional update so one code admits one person."""
    claimed = await session.execute(
        update(Invite)
        .where(Invite.code == code, Invite.used_at.is_(None), Invite.expires_at > now)
        .values(used_at=now, used_by_id=person.id)
        .returning(Invite.display_name)
    )
    row = claimed.first()
    if row is None:
        return "invalid"
    person.source = PersonSource.INVITE
    if row.display_name:
        person.display_name = row.display_name
        if person.awaiting == "name":
            person.awaiting = "phone"
    if person.status == PersonStatus.PENDING:
        person.status = PersonStatus.ACTIVE
        person.activated_at = now
    await session.flush()
    return "accepted"


async def apply_invite(
    session: AsyncSession, person: Person, code: str, now: datetime
) -> InviteOutcome:
    """Use an invite opened by someone who already started registering on their own."""
    in_progress = (PersonStatus.ONBOARDING.value, PersonStatus.PENDING.value)
    if person.status not in in_progress or person.source == PersonSource.INVITE:
        return "none"
    return await _claim_invite(session, person, code, now)


def clean_name(text: str) -> str:
    """A display name typed by a person, trimmed and checked."""
    name = " ".join(text.split())
    if not name or name.startswith("/") or len(name) > NAME_MAX:
        raise InvalidInput("name-invalid")
    if not any(ch.isalpha() for ch in name):
        raise InvalidInput("name-invalid")
    return name


def clean_phone(text: str) -> str:
    """A phone number with spaces and dashes removed, checked for shape."""
    phone = re.sub(r"[\s\-()]", "", text)
    if not _PHONE_RE.match(phone):
        raise InvalidInput("phone-invalid")
    return phone


async def load(session: AsyncSession, person_id: int) -> Person:
    """The person with this id, fresh from the database; NotFound if gone."""
    person = await session.get(Person, person_id, populate_existing=True)
    if person is None:
        raise NotFound()
    return person


async def set_name(session: AsyncSession, person_id: int, text: str) -> Person:
    """Store the name answered during onboarding and move on to the phone question."""
    name = clean_name(text)
    person = await load(session, person_id)
    person.display_name = name
    person.awaiting = "phone"
    await session.flush()
    return person


async def set_awaiting(session: AsyncSession, person_id: int, awaiting: str | None) -> Person:
    """Remember which typed answer the bot waits for next (None: nothing)."""
    person = await load(session, person_id)
    person.awaiting = awaiting
    await session.flush()
    return person


async def finish_onboarding(
    session: AsyncSession, person_id: int, phone: str | None, now: datetime
) -> Person:
    """Store the optional phone and finish: active for invited people, pending otherwise.

    A pending registration is announced to every active admin and coordinator through the
    outbox, in this transaction (kind `registration_pending`, ref = the person): each notice is
    rendered at send time and dropped once someone has decided.
    """
    clean = clean_phone(phone) if phone else None
    person = await load(session, person_id)
    person.phone = clean
    person.awaiting = None
    if person.source == PersonSource.INVITE:
        person.status = PersonStatus.ACTIVE
        person.activated_at = now
    else:
        person.status = PersonStatus.PENDING
    await session.flush()
    if person.status == PersonStatus.PENDING:
        for approver_id, chat_id in await active_chats(session, APPROVER_ROLES):
            await outbox.enqueue(
                session,
                chat_id=chat_id,
                person_id=approver_id,
                kind=KIND_REGISTRATION_PENDING,
                ref_id=person.id,
                due_at=now,
            )
    return person


async def require_role(session: AsyncSession, telegram_id: int, roles: tuple[str, ...]) -> Person:
    """The acting staff member, if active and holding one of `roles`; NotAllowed otherwise."""
    actor = await get_by_telegram_id(session, telegram_id)
    if actor is None or actor.status != PersonStatus.ACTIVE or actor.role not in roles:
        raise NotAllowed()
    return actor


async def list_pending(session: AsyncSession, actor_telegram_id: int) -> list[Person]:
    """Self-registrations waiting for a decision, oldest first (approvers only)."""
    await require_role(session, actor_telegram_id, APPROVER_ROLES)
    rows = await session.scalars(
        select(Person)
        .where(Person.status == PersonStatus.PENDING.value)
        .order_by(Person.created_at, Person.id)
    )
    return list(rows)


async def get_pending(session: AsyncSession, actor_telegram_id: int, person_id: int) -> Person:
    """One pending registration, for the approver's card."""
    await require_role(session, actor_telegram_id, APPROVER_ROLES)
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound()
    if person.status != PersonStatus.PENDING:
        raise AlreadyDecided()
    return person


KIND_REGISTRATION_PENDING = "registration_pending"
KIND_REGISTRATION_DECIDED = "registration_decided"
# A decision not delivered within this long (Telegram down for days) is no longer news.
DECISION_NOTICE_VALID = timedelta(days=7)


async def approved_recipient(session: AsyncSession, person_id: int | None) -> Person | None:
    """The person a queued "your registration is confirmed" goes to, while still active; None
    once they were deactivated or deleted their data meanwhile (the notice is dropped)."""
    person = await session.get(Person, person_id) if person_id is not None else None
    if person is None or person.status != PersonStatus.ACTIVE.value:
        return None
    return person


@dataclass(frozen=True)
class PendingNotice:
    """A queued "new registration" notice: who registered, and the approver it goes to."""

    applicant: Person
    approver: Person


async def pending_notice(
    session: AsyncSession, applicant_id: int | None, approver_id: int | None
) -> PendingNotice | None:
    """The applicant and approver of a queued "new registration" notice while it is still
    wanted: the registration waits for a decision and the approver is active; None otherwise."""
    applicant = await session.get(Person, applicant_id) if applicant_id is not None else None
    approver = await session.get(Person, approver_id) if approver_id is not None else None
    if applicant is None or applicant.status != PersonStatus.PENDING.value:
        return None
    if approver is None or approver.status != PersonStatus.ACTIVE.value:
        return None
    return PendingNotice(applicant, approver)


async def decide_registration(
    session: AsyncSession, actor_telegram_id: int, person_id: int, approve: bool, now: datetime
) -> Decision:
    """Approve or reject a pending self-registration; the first decision wins.

    A rejected registration is deleted: the club has no reason to keep data about someone who
    is not a participant. The person is told through the outbox, queued in this transaction
    (kind `registration_decided`; the payload keeps the language, as a rejected person's row
    is gone), so a crash after the commit cannot leave them waiting for an answer.
    """
    actor = await require_role(session, actor_telegram_id, APPROVER_ROLES)
    person = await session.get(Person, person_id)
    if person is None:
        raise AlreadyDecided()
    if person.status != PersonStatus.PENDING or person.telegram_id is None:
        raise AlreadyDecided()
    decision = Decision(person.id, person.telegram_id, person.language, approve)
    pending = (Person.id == person_id) & (Person.status == PersonStatus.PENDING.value)
    if approve:
        result = await session.execute(
            update(Person)
            .where(pending)
            .values(status=PersonStatus.ACTIVE.value, activated_at=now)
            .execution_options(synchronize_session=False)
        )
    else:
        result = await session.execute(
            delete(Person).where(pending).execution_options(synchronize_session=False)
        )
    if rowcount(result) != 1:
        raise AlreadyDecided()
    session.expunge(person)
    await audit.record_action(
        session,
        actor.id,
        "registration.approve" if approve else "registration.reject",
        "person",
        person_id,
    )
    await outbox.enqueue(
        session,
        chat_id=decision.telegram_id,
        person_id=person_id if approve else None,
        kind=KIND_REGISTRATION_DECIDED,
        due_at=now,
        expires_at=now + DECISION_NOTICE_VALID,
        payload={"approved": approve, "language": decision.language},
    )
    return decision


DEACTIVATABLE = (PersonStatus.ACTIVE.value, PersonStatus.PENDING.value)


async def deactivate(
    session: AsyncSession, actor_telegram_id: int, person_id: int, now: datetime
) -> Person:
    """Deactivate a participant (active or pending) so the bot no longer serves them;
    admins and coordinators only. The first press wins: AlreadyDecided when the person is
    no longer active or pending, NotFound for unknown ids and staff. The account only: the use
    case, which also cancels the person's future bookings, is
    `services.deactivation.deactivate_participant`. `now` is taken for symmetry with the other
    decisions; the person table keeps no deactivation time."""
    actor = await require_role(session, actor_telegram_id, APPROVER_ROLES)
    person = await session.get(Person, person_id)
    if person is None or person.role != Role.PARTICIPANT:
        raise NotFound()
    result = await session.execute(
        update(Person)
        .where(
            Person.id == person_id,
            Person.role == Role.PARTICIPANT.value,
            Person.status.in_(DEACTIVATABLE),
        )
        .values(status=PersonStatus.DEACTIVATED.value, awaiting=None)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise AlreadyDecided()
    await session.refresh(person)
    await audit.record_action(session, actor.id, "person.deactivate", "person", person_id)
    return person


class _Owned(Protocol):
    @property
    def person_id(self) -> int | None: ...


_OwnedRow = TypeVar("_OwnedRow", bound=_Owned)


async def own(
    session: AsyncSession, model: type[_OwnedRow], row_id: int, person_id: int
) -> _OwnedRow:
    """Row `row_id` of `model` if it belongs to `person_id` (fresh from the database), else
    NotFound: somebody else's row is reported exactly like a missing one, so ids reveal
    nothing."""
    row = await session.get(model, row_id, populate_existing=True)
    if row is None or row.person_id != person_id:
        raise NotFound()
    return row


async def active_chats(session: AsyncSession, roles: Sequence[str]) -> list[tuple[int, int]]:
    """(person id, Telegram id) of every active person with one of `roles` who has a chat, in
    person order (so concurrent writers take row locks in the same order)."""
    rows = await session.execute(
        select(Person.id, Person.telegram_id)
        .where(
            Person.role.in_(roles),
            Person.status == PersonStatus.ACTIVE.value,
            Person.telegram_id.is_not(None),
        )
        .order_by(Person.id)
    )
    return [(pid, tid) for pid, tid in rows.all() if tid is not None]


async def mark_unreachable(
    session: AsyncSession,
    now: datetime,
    *,
    person_id: int | None = None,
    telegram_id: int | None = None,
) -> None:
    """Telegram answered 403 for this person (by id or Telegram id): leave them out of
    broadcasts from now on."""
    who = Person.id == person_id if person_id is not None else Person.telegram_id == telegram_id
    await session.execute(
        update(Person)
        .where(who, Person.unreachable_at.is_(None))
        .values(unreachable_at=now)
        .execution_options(synchronize_session=False)
    )


async def mark_reachable(session: AsyncSession, *telegram_ids: int) -> bool:
    """The person wrote to the bot again: broadcasts reach them again. True if changed."""
    result = await session.execute(
        update(Person)
        .where(Person.telegram_id.in_(telegram_ids), Person.unreachable_at.is_not(None))
        .values(unreachable_at=None)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) > 0


async def set_language(session: AsyncSession, person_id: int, language: str) -> Person:
    """Remember the language the person chose."""
    person = await load(session, person_id)
    person.language = language
    await session.flush()
    return person


async def anonymise(session: AsyncSession, person_id: int, now: datetime) -> None:
    """Remove every identifying detail; the row stays only so anonymous counts still add up.
    Part of `services.erasure.erase_my_data`, which first ends bookings and deletes dependants
    (call that, not this, for "delete my data")."""
    person = await load(session, person_id)
    await session.execute(
        update(Invite).where(Invite.used_by_id == person.id).values(display_name=None)
    )
    person.telegram_id = None
    person.display_name = None
    person.phone = None
    person.awaiting = None
    person.status = PersonStatus.ANONYMISED
    person.anonymised_at = now
    await session.flush()


async def add_staff(
    session: AsyncSession,
    telegram_id: int,
    role: str,
    name: str,
    language: str,
    now: datetime,
    actor_id: int | None = None,
) -> Person:
    """Create or update a staff member with `role`, active at once."""
    if role not in (r.value for r in Role) or role == Role.PARTICIPANT.value:
        raise InvalidInput("role-invalid")
    person = await get_by_telegram_id(session, telegram_id)
    if person is None:
        person = Person(telegram_id=telegram_id, language=language, source=PersonSource.STAFF)
        session.add(person)
    person.role = Role(role)
    person.display_name = clean_name(name)
    person.status = PersonStatus.ACTIVE
    person.awaiting = None
    person.activated_at = person.activated_at or now
    await session.flush()
    await audit.record_action(session, actor_id, f"staff.add.{role}", "person", person.id)
    return person


async def remove_staff(session: AsyncSession, telegram_id: int) -> Person:
    """Take the staff role away (the person stays, as a deactivated account)."""
    person = await get_by_telegram_id(session, telegram_id)
    if person is None or not person.is_staff:
        raise NotFound()
    person.role = Role.PARTICIPANT
    person.status = PersonStatus.DEACTIVATED
    await session.flush()
    await audit.record_action(session, None, "staff.remove", "person", person.id)
    return person


async def ensure_admins(
    session: AsyncSession, telegram_ids: list[int], language: str, now: datetime
) -> None:
    """Make the configured Telegram ids admins (at start-up); existing names are kept."""
    for telegram_id in telegram_ids:
        person = await get_by_telegram_id(session, telegram_id)
        if person is not None and person.role == Role.ADMIN:
            if person.status != PersonStatus.ACTIVE:
                person.status = PersonStatus.ACTIVE
            continue
        await add_staff(
            session,
            telegram_id,
            Role.ADMIN.value,
            (person.display_name if person and person.display_name else "Admin"),
            person.language if person else language,
            now,
        )


async def list_staff(session: AsyncSession) -> list[Person]:
    """Every staff member, by role then name."""
    rows = await session.scalars(
        select(Person)
        .where(Person.role != Role.PARTICIPANT.value)
        .order_by(Person.role, Person.display_name)
    )
    return list(rows)
