"""Deactivating a participant: the account and everything it still holds ahead, in one go.

Staff deactivate a participant (active or pending) from the participant card. In the same
transaction, for everything that has not started yet:

- workshop enrolments (confirmed seats, open offers, waiting-list places) are cancelled; each
  freed seat is offered to the next person waiting, whose offer goes out through the outbox as
  usual (`workshops.withdraw_future`, the same path as any cancellation);
- consultation bookings are cancelled: the slot is free again and a referral session is given
  back (`consultations.withdraw_future`);
- childcare requests are cancelled, the partner told about pending and approved ones, freed
  room promoted to held requests (through the bookings, then `childcare.cancel_future_requests`
  for anything left);
- messages still queued for the person (reminders, notices, announcements) are cancelled.

The person is not messaged: they can no longer use the bot. Past bookings and attendance stay
as history for the reports. Nothing here is undone by reactivating an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ACTIVE_CARE, CareRequest, CareStatus, EnrollmentStatus
from services import childcare, consultations, outbox, people, workshops
from services.policy import Policy


@dataclass(frozen=True)
class DeactivationSummary:
    """What deactivating one participant cancelled."""

    person_id: int
    workshop_seats: int  # confirmed seats and open offers given up (each offered on)
    waiting_places: int  # waiting-list places left
    consultations: int
    care_requests: int
    messages: int  # queued messages to the person that will not be sent

    @property
    def anything(self) -> bool:
        """True when at least one booking was cancelled."""
        return bool(
            self.workshop_seats + self.waiting_places + self.consultations + self.care_requests
        )


async def deactivate_participant(
    session: AsyncSession,
    actor_telegram_id: int,
    person_id: int,
    now: datetime,
    policy: Policy,
) -> DeactivationSummary:
    """Deactivate a participant and cancel their future bookings, in the caller's transaction.

    Admins and coordinators only (NotAllowed); AlreadyDecided when the person is no longer
    active or pending, NotFound for unknown ids and staff (see `people.deactivate`)."""
    await people.deactivate(session, actor_telegram_id, person_id, now)
    care_before = set(
        await session.scalars(
            select(CareRequest.id).where(
                CareRequest.person_id == person_id, CareRequest.status.in_(ACTIVE_CARE)
            )
        )
    )
    statuses = await workshops.withdraw_future(session, person_id, now, policy)
    booked = await consultations.withdraw_future(session, person_id, now, policy)
    await childcare.cancel_future_requests(session, person_id, now=now, policy=policy)
    care = 0
    if care_before:
        care = int(
            await session.scalar(
                select(func.count()).where(
                    CareRequest.id.in_(care_before),
                    CareRequest.status == CareStatus.CANCELLED.value,
                )
            )
            or 0
        )
    # Last: the steps above may have queued notices to the person (none is wanted now).
    messages = await outbox.cancel(session, person_id=person_id)
    waiting = statuses.count(EnrollmentStatus.WAITING)
    return DeactivationSummary(
        person_id=person_id,
        workshop_seats=len(statuses) - waiting,
        waiting_places=waiting,
        consultations=booked,
        care_requests=care,
        messages=messages,
    )
