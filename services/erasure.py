"""Deleting one's data ("🗑 Usuń moje dane"): the use case, in one transaction.

Every booking ends first (seats offered to the waiting list, slots freed, care requests
cancelled with the partner told), then the dependants are deleted and the person anonymised.
The row stays, without anything identifying, so that anonymous counts still add up.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services import childcare, consultations, people, workshops
from services.errors import NotAllowed
from services.policy import Policy


async def erase_my_data(
    session: AsyncSession, person_id: int, now: datetime, policy: Policy
) -> None:
    """End the person's bookings, delete their dependants and anonymise them. Staff cannot
    delete themselves this way (an admin removes the role first): NotAllowed."""
    person = await people.load(session, person_id)
    if person.is_staff:
        raise NotAllowed("delete-staff-refused")
    await workshops.withdraw_person(session, person_id, now, policy)
    await consultations.withdraw_person(session, person_id, now, policy)
    await childcare.forget_person(session, person_id, now=now, policy=policy)
    await people.anonymise(session, person_id, now)
