"""Exports (CSV and XLSX parsed back), role rules for every role, audit entries, the EU
indicators on a hand-made month with known answers, the staff agenda and participant card,
and the staff views of migration 0006 — on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from models import (
    AuditEvent,
    CareRequest,
    ConsultationBooking,
    Dependant,
    Enrollment,
    Person,
    Referral,
    ServiceType,
    Slot,
    Workshop,
    WorkshopSession,
)
from models.db import Sessionmaker
from services import report_indicators, report_staff, reports
from services.errors import InvalidInput, NotAllowed, NotFound
from services.reports import Month

WAW = ZoneInfo("Europe/Warsaw")
MARCH = Month(2026, 3)
ADMIN, COORD, SPEC_A, SPEC_B, PARTNER = 1, 2, 3, 4, 5
P1, P2, P3, P4, P5 = 11, 12, 13, 14, 15
VIEWS = ("v_participants", "v_bookings", "v_attendance", "v_consultations", "v_childcare")


def local(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A Warsaw wall-clock time in 2026, as an aware datetime."""
    return datetime(2026, month, day, hour, minute, tzinfo=WAW)


@dataclass
class Data:
    """Ids of the hand-made month."""

    person: dict[int, int]  # telegram id -> person id
    session_ids: list[int]
    booking_ids: list[int]


async def build_dataset(sm: Sessionmaker) -> Data:
    """March 2026 with known answers (see test_indicators_of_a_hand_made_month).

    Workshops: S1 10 Mar 10:00–12:00 (P1 came, P2 did not, P3 unmarked), S2 20 Mar
    14:00–15:30 (P1 came, P5 did not, P4 waiting), S3 25 Mar cancelled by staff (P3),
    S4 2 Apr (P4 came: another month).
    Consultations: slot1 11 Mar 10:00–10:45 psychologist A (P2 attended), slot2 12 Mar
    10:00–10:45 A (P3 no-show), slot3 13 Mar 12:00–13:00 lawyer B (P4 attended, referral),
    slot4 31 Mar 10:00–10:45 A (P1 cancelled).
    Childcare: P3's child approved 09:45–12:15 on 10 Mar (S1), pending for slot2; P4's child
    approved 11:45–13:15 on 13 Mar (slot3).
    """
    async with sm.begin() as s:
        staff = [
            (ADMIN, "admin", "Ada Admin"),
            (COORD, "coordinator", "Celina Koordynator"),
            (SPEC_A, "specialist", "Sara Psycholog"),
            (SPEC_B, "specialist", "Bogdan Prawnik"),
            (PARTNER, "childcare_partner", "Paula Opiekunka"),
        ]
        participants = [
            (P1, "Łucja Żak", "+48500100101"),
            (P2, "Jan Kowalski", "+48500100102"),
            (P3, "Anna Nowak", "+48500100103"),
            (P4, "Olha Shevchenko", None),
            (P5, "Piotr Wiśniewski", "+48500100105"),
        ]
        people: dict[int, Person] = {}
        for tid, role, name in staff:
            people[tid] = Person(
                telegram_id=tid,
                role=role,
                status="active",
                language="pl",
                display_name=name,
                source="staff",
                created_at=local(1, 9, month=1),
                activated_at=local(1, 9, month=1),
            )
        for tid, name, phone in participants:
            people[tid] = Person(
                telegram_id=tid,
                status="active",
                language="uk" if tid == P4 else "pl",
                display_name=name,
                phone=phone,
                source="invite",
                created_at=local(2, 9, month=2),
                activated_at=local(3, 9, month=2),
            )
        s.add_all(people.values())
        await s.flush()
        pid = {tid: p.id for tid, p in people.items()}

        workshop = Workshop(
            slug="edukacja",
            group_key="social",
            title_pl="Edukacja finansowa",
            title_uk="Фінансова освіта",
            title_en="Financial education",
        )
        s.add(workshop)
        await s.flush()
        times = [
            (local(10, 10), local(10, 12), "scheduled"),
            (local(20, 14), local(20, 15, 30), "scheduled"),
            (local(25, 10), local(25, 12), "cancelled"),
            (local(2, 10, month=4), local(2, 12, month=4), "scheduled"),
        ]
        sessions = [
            WorkshopSession(
                workshop_id=workshop.id,
                starts_at=a,
                ends_at=b,
                capacity=10,
                seats_taken=0,
                status=st,
                place="Sala 1",
            )
            for a, b, st in times
        ]
        s.add_all(sessions)
        await s.flush()
        s1, s2, s3, s4 = sessions
        s1.seats_taken, s2.seats_taken = 3, 2
        enrolments = [
            Enrollment(session_id=s1.id, person_id=pid[P1], status="confirmed", attended=True),
            Enrollment(session_id=s1.id, person_id=pid[P2], status="confirmed", attended=False),
            Enrollment(session_id=s1.id, person_id=pid[P3], status="confirmed"),
            Enrollment(session_id=s2.id, person_id=pid[P1], status="confirmed", attended=True),
            Enrollment(session_id=s2.id, person_id=pid[P5], status="confirmed", attended=False),
            Enrollment(session_id=s2.id, person_id=pid[P4], status="waiting"),
            Enrollment(session_id=s3.id, person_id=pid[P3], status="session_cancelled"),
            Enrollment(session_id=s4.id, person_id=pid[P4], status="confirmed", attended=True),
        ]
        s.add_all(enrolments)

        psych = ServiceType(
            slug="psycholog",
            name_pl="Psycholog",
            name_uk="Психолог",
            name_en="Psychologist",
            slot_minutes=45,
            sensitive=True,
        )
        lawyer = ServiceType(
            slug="prawnik", name_pl="Prawnik", name_uk="Юрист", name_en="Lawyer", slot_minutes=60
        )
        s.add_all([psych, lawyer])
        await s.flush()
        slot_specs = [
            (SPEC_A, psych, local(11, 10), local(11, 10, 45)),
            (SPEC_A, psych, local(12, 10), local(12, 10, 45)),
            (SPEC_B, lawyer, local(13, 12), local(13, 13)),
            (SPEC_A, psych, local(31, 10), local(31, 10, 45)),
        ]
        slots = [
            Slot(
                specialist_id=pid[spec],
                service_type_id=svc.id,
                starts_at=a,
                ends_at=b,
                status="booked",
                place="Pokój 2",
            )
            for spec, svc, a, b in slot_specs
        ]
        s.add_all(slots)
        referral = Referral(
            person_id=pid[P4],
            service_type_id=lawyer.id,
            sessions_total=3,
            sessions_used=1,
            expires_on=date(2026, 6, 30),
            issued_by_id=pid[COORD],
        )
        s.add(referral)
        await s.flush()
        bookings = [
            ConsultationBooking(
                slot_id=slots[0].id, person_id=pid[P2], service_type_id=psych.id, status="attended"
            ),
            ConsultationBooking(
                slot_id=slots[1].id, person_id=pid[P3], service_type_id=psych.id, status="no_show"
            ),
            ConsultationBooking(
                slot_id=slots[2].id,
                person_id=pid[P4],
                service_type_id=lawyer.id,
                status="attended",
                referral_id=referral.id,
            ),
            ConsultationBooking(
                slot_id=slots[3].id, person_id=pid[P1], service_type_id=psych.id, status="cancelled"
            ),
        ]
        s.add_all(bookings)
        await s.flush()

        ola = Dependant(person_id=pid[P3], name="Ola", kind="child", birth_year=2020)
        jan = Dependant(person_id=pid[P4], name="Jaś", kind="child", birth_year=2019)
        s.add_all([ola, jan])
        await s.flush()
        s.add_all(
            [
                CareRequest(
                    person_id=pid[P3],
                    dependant_id=ola.id,
                    enrollment_id=enrolments[2].id,
                    starts_at=local(10, 9, 45),
                    ends_at=local(10, 12, 15),
                    place="Sala zabaw",
                    status="approved",
                ),
                CareRequest(
                    person_id=pid[P3],
                    dependant_id=ola.id,
                    consultation_id=bookings[1].id,
                    starts_at=local(12, 9, 45),
                    ends_at=local(12, 11),
                    place="Sala zabaw",
                    status="pending",
                ),
                CareRequest(
                    person_id=pid[P4],
                    dependant_id=jan.id,
                    consultation_id=bookings[2].id,
                    starts_at=local(13, 11, 45),
                    ends_at=local(13, 13, 15),
                    place="Sala zabaw",
                    status="approved",
                ),
            ]
        )
    return Data(pid, [x.id for x in sessions], [b.id for b in bookings])


async def _export(sm: Sessionmaker, actor: int, kind: str, fmt: str = "csv", **kw: object):  # type: ignore[no-untyped-def]
    async with sm.begin() as s:
        return await reports.export(
            s, actor_tid=actor, kind=kind, fmt=fmt, month=kw.get("month", MARCH), tz=WAW
        )


def parse_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def parse_xlsx(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert all(cell.font.bold for cell in sheet[1])
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# ------------------------------------------------------------------ exports


async def test_participants_csv_for_coordinator_has_phones_and_polish_letters(
    sessionmaker: Sessionmaker,
) -> None:
    await build_dataset(sessionmaker)
    result = await _export(sessionmaker, COORD, "participants")
    assert result.filename == "kis-participants.csv"
    assert result.media_type == "text/csv"
    rows = parse_csv(result.content)
    assert rows[0] == [
        "ID",
        "Imię i nazwisko",
        "Status",
        "Język",
        "Zarejestrowano",
        "Aktywowano",
        "Telefon",
    ]
    body = rows[1:]
    assert [r[1] for r in body] == [
        "Łucja Żak",
        "Jan Kowalski",
        "Anna Nowak",
        "Olha Shevchenko",
        "Piotr Wiśniewski",
    ]
    assert body[0][2:] == ["active", "pl", "2026-02-02", "2026-02-03", "+48500100101"]
    assert body[3][3] == "uk" and body[3][6] == ""
    assert result.rows == 5


async def test_workshops_xlsx_rows_with_real_dates(sessionmaker: Sessionmaker) -> None:
    await build_dataset(sessionmaker)
    result = await _export(sessionmaker, ADMIN, "workshops", "xlsx")
    assert result.filename == "kis-workshops-2026-03.xlsx"
    rows = parse_xlsx(result.content)
    assert rows[0][:3] == ["Data", "Od", "Do"]
    body = rows[1:]
    assert len(body) == 7  # S1: 3, S2: 3, S3 (cancelled): 1; April's S4 is not in March
    first = body[0]
    assert first[0] == datetime(2026, 3, 10)  # a real date cell (openpyxl reads datetimes)
    assert first[1] == time(10, 0) and first[2] == time(12, 0)
    assert first[3:6] == ["edukacja", "Edukacja finansowa", "scheduled"]
    by_name = {(r[0], r[7]): r for r in body}
    assert by_name[(datetime(2026, 3, 10), "Łucja Żak")][8:] == ["confirmed", True]
    assert by_name[(datetime(2026, 3, 10), "Jan Kowalski")][9] is False
    assert by_name[(datetime(2026, 3, 10), "Anna Nowak")][9] is None
    assert by_name[(datetime(2026, 3, 25), "Anna Nowak")][5] == "cancelled"


async def test_consultations_for_coordinator_and_for_each_specialist(
    sessionmaker: Sessionmaker,
) -> None:
    await build_dataset(sessionmaker)
    everything = parse_csv((await _export(sessionmaker, COORD, "consultations")).content)
    assert everything[0][-1] == "ID skierowania"
    assert [(r[0], r[3], r[7], r[8]) for r in everything[1:]] == [
        ("2026-03-11", "psycholog", "Jan Kowalski", "attended"),
        ("2026-03-12", "psycholog", "Anna Nowak", "no_show"),
        ("2026-03-13", "prawnik", "Olha Shevchenko", "attended"),
        ("2026-03-31", "psycholog", "Łucja Żak", "cancelled"),
    ]
    assert everything[3][-1] != ""  # the referral id
    own_a = parse_csv((await _export(sessionmaker, SPEC_A, "consultations")).content)
    assert "ID skierowania" not in own_a[0]
    assert {r[5] for r in own_a[1:]} == {"Sara Psycholog"} and len(own_a) == 4
    own_b = parse_xlsx((await _export(sessionmaker, SPEC_B, "consultations", "xlsx")).content)
    assert [r[7] for r in own_b[1:]] == ["Olha Shevchenko"]


async def test_childcare_for_partner_hides_the_booking(sessionmaker: Sessionmaker) -> None:
    await build_dataset(sessionmaker)
    partner = await _export(sessionmaker, PARTNER, "childcare")
    rows = parse_csv(partner.content)
    assert "Zajęcia rodzica" not in rows[0]
    text_all = partner.content.decode("utf-8-sig").lower()
    assert "konsultacj" not in text_all and "psycholog" not in text_all
    assert "prawnik" not in text_all
    assert [(r[1], r[2], r[3], r[5], r[7], r[9], r[11]) for r in rows[1:]] == [
        ("2026-03-10", "09:45", "12:15", "approved", "Ola", "6", "Anna Nowak"),
        ("2026-03-12", "09:45", "11:00", "pending", "Ola", "6", "Anna Nowak"),
        ("2026-03-13", "11:45", "13:15", "approved", "Jaś", "7", "Olha Shevchenko"),
    ]
    coord = parse_xlsx((await _export(sessionmaker, COORD, "childcare", "xlsx")).content)
    assert coord[0][-2:] == ["Zajęcia rodzica", "Nazwa"]
    assert [r[-2:] for r in coord[1:]] == [
        ["warsztat", "Edukacja finansowa"],
        ["konsultacja", "Psycholog"],
        ["konsultacja", "Prawnik"],
    ]


ALLOWED = {
    ADMIN: {"participants", "workshops", "consultations", "childcare"},
    COORD: {"participants", "workshops", "consultations", "childcare"},
    SPEC_A: {"consultations"},
    PARTNER: {"childcare"},
    P1: set(),
}


@pytest.mark.parametrize("actor", list(ALLOWED))
async def test_role_rules_for_every_role(sessionmaker: Sessionmaker, actor: int) -> None:
    await build_dataset(sessionmaker)
    for kind in reports.EXPORT_KINDS:
        if kind in ALLOWED[actor]:
            await _export(sessionmaker, actor, kind)
        else:
            with pytest.raises(NotAllowed):
                await _export(sessionmaker, actor, kind)
    async with sessionmaker() as s:
        actions = list(await s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == [f"export.{k}.csv" for k in reports.EXPORT_KINDS if k in ALLOWED[actor]]


async def test_deactivated_staff_and_strangers_are_refused(sessionmaker: Sessionmaker) -> None:
    data = await build_dataset(sessionmaker)
    async with sessionmaker.begin() as s:
        coord = await s.get(Person, data.person[COORD])
        assert coord is not None
        coord.status = "deactivated"
    for tid in (COORD, 999):
        with pytest.raises(NotAllowed):
            await _export(sessionmaker, tid, "participants")


async def test_audit_entry_names_actor_kind_and_month(sessionmaker: Sessionmaker) -> None:
    data = await build_dataset(sessionmaker)
    await _export(sessionmaker, COORD, "workshops", "xlsx")
    await _export(sessionmaker, ADMIN, "participants")
    async with sessionmaker() as s:
        events = list(await s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [(e.actor_id, e.action, e.target_type, e.target_id) for e in events] == [
        (data.person[COORD], "export.workshops.xlsx", "month", 202603),
        (data.person[ADMIN], "export.participants.csv", None, None),
    ]
    assert all(e.at is not None for e in events)


async def test_bad_requests_change_nothing(sessionmaker: Sessionmaker) -> None:
    await build_dataset(sessionmaker)
    with pytest.raises(InvalidInput):
        await _export(sessionmaker, ADMIN, "workshops", "pdf")
    with pytest.raises(InvalidInput):
        await _export(sessionmaker, ADMIN, "salaries")
    with pytest.raises(InvalidInput):
        await _export(sessionmaker, ADMIN, "workshops", month=None)
    async with sessionmaker.begin() as s:
        with pytest.raises(NotFound):
            await reports.export(
                s,
                actor_tid=ADMIN,
                kind="consultations",
                month=MARCH,
                filter_slug="dentysta",
                tz=WAW,
            )
    async with sessionmaker() as s:
        assert list(await s.scalars(select(AuditEvent))) == []
    with pytest.raises(InvalidInput):
        Month.parse("2026-13")


# ------------------------------------------------------------------ indicators


async def test_indicators_of_a_hand_made_month(sessionmaker: Sessionmaker) -> None:
    await build_dataset(sessionmaker)
    async with sessionmaker.begin() as s:
        got = await report_indicators.month_indicators(s, actor_tid=COORD, month=MARCH, tz=WAW)
    # P1 (workshops), P2 and P4 (consultations), P3 and P4 (approved care); P5 only missed.
    assert got.unique_participants == 4
    assert got.workshop_hours == 3.5  # P1: 2 h on 10 Mar + 1.5 h on 20 Mar
    assert got.consultation_hours == 1.75  # 45 min + 60 min
    assert got.childcare_hours == 4.0  # 2.5 h + 1.5 h approved; the pending one does not count
    assert (got.workshops.attended, got.workshops.no_show) == (2, 2)
    assert got.workshops.attendance_rate == 0.5 and got.workshops.no_show_rate == 0.5
    assert (got.consultations.attended, got.consultations.no_show) == (2, 1)
    assert got.consultations.attendance_rate == pytest.approx(2 / 3)
    async with sessionmaker.begin() as s:
        april = await report_indicators.month_indicators(
            s, actor_tid=ADMIN, month=Month(2026, 4), tz=WAW
        )
    assert april.unique_participants == 1 and april.workshop_hours == 2.0
    assert april.consultations.attendance_rate is None
    async with sessionmaker() as s:
        actions = list(await s.scalars(select(AuditEvent.target_id).order_by(AuditEvent.id)))
    assert actions == [202603, 202604]


@pytest.mark.parametrize("actor", [SPEC_A, PARTNER, P1])
async def test_indicators_for_managers_only(sessionmaker: Sessionmaker, actor: int) -> None:
    await build_dataset(sessionmaker)
    async with sessionmaker.begin() as s:
        with pytest.raises(NotAllowed):
            await report_indicators.month_indicators(s, actor_tid=actor, month=MARCH, tz=WAW)
        with pytest.raises(NotAllowed):
            await report_indicators.chart(s, actor_tid=actor, last=MARCH, tz=WAW)


async def test_chart_of_six_months_is_a_png(sessionmaker: Sessionmaker) -> None:
    await build_dataset(sessionmaker)
    async with sessionmaker.begin() as s:
        data = await report_indicators.series(s, actor_tid=ADMIN, last=Month(2026, 4), tz=WAW)
        png = await report_indicators.chart(s, actor_tid=ADMIN, last=Month(2026, 4), tz=WAW)
    assert [str(d.month) for d in data] == [f"2025-{m}" for m in ("11", "12")] + [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
    ]
    assert data[4].unique_participants == 4
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


# ------------------------------------------------------------------ agenda and card


async def test_agenda_by_role(sessionmaker: Sessionmaker) -> None:
    await build_dataset(sessionmaker)
    async with sessionmaker() as s:
        admin = await report_staff.staff_agenda(s, actor_tid=ADMIN, day=date(2026, 3, 20), tz=WAW)
        assert [(a.workshop, a.seats_taken, a.waiting) for a in admin.sessions] == [
            ("Edukacja finansowa", 2, 1)
        ]
        day12 = await report_staff.staff_agenda(s, actor_tid=COORD, day=date(2026, 3, 12), tz=WAW)
        assert list(day12.consultations) == ["Sara Psycholog"]
        assert [c.status for c in day12.childcare] == ["pending"]
        spec_b = await report_staff.staff_agenda(s, actor_tid=SPEC_B, day=date(2026, 3, 12), tz=WAW)
        assert spec_b.consultations == {} and spec_b.childcare == [] and spec_b.sessions == []
        spec_a = await report_staff.staff_agenda(s, actor_tid=SPEC_A, day=date(2026, 3, 12), tz=WAW)
        assert [c.participant_name for c in spec_a.consultations["Sara Psycholog"]] == [
            "Anna Nowak"
        ]
        partner = await report_staff.staff_agenda(
            s, actor_tid=PARTNER, day=date(2026, 3, 13), tz=WAW
        )
        assert partner.consultations == {} and partner.sessions == []
        assert [(c.dependant_name, c.age) for c in partner.childcare] == [("Jaś", 7)]
        with pytest.raises(NotAllowed):
            await report_staff.staff_agenda(s, actor_tid=P1, day=date(2026, 3, 12), tz=WAW)


async def test_participant_card(sessionmaker: Sessionmaker) -> None:
    data = await build_dataset(sessionmaker)
    now = local(15, 12)
    async with sessionmaker() as s:
        card = await report_staff.participant_card(
            s, actor_tid=COORD, person_id=data.person[P3], now=now
        )
        assert card.person.display_name == "Anna Nowak"
        assert [(b.kind, b.status) for b in card.past] == [
            ("consultation", "no_show"),
            ("workshop", "confirmed"),
        ]
        assert [b.status for b in card.upcoming] == ["session_cancelled"]
        assert card.no_shows == 1 and card.attended == 0
        assert [c.dependant_name for c in card.care] == ["Ola", "Ola"]
        p4 = await report_staff.participant_card(
            s, actor_tid=ADMIN, person_id=data.person[P4], now=now
        )
        assert [(r.service, r.sessions_used) for r in p4.referrals] == [("Prawnik", 1)]
        with pytest.raises(NotFound):
            await report_staff.participant_card(
                s, actor_tid=ADMIN, person_id=data.person[SPEC_A], now=now
            )
        for actor in (SPEC_A, PARTNER, P1):
            with pytest.raises(NotAllowed):
                await report_staff.participant_card(
                    s, actor_tid=actor, person_id=data.person[P3], now=now
                )


# ------------------------------------------------------------------ views


async def test_views_are_queryable_and_agree_with_the_indicators(
    sessionmaker: Sessionmaker,
) -> None:
    await build_dataset(sessionmaker)
    start, end = MARCH.bounds(WAW)
    async with sessionmaker() as s:
        for view in VIEWS:
            assert (await s.execute(text(f"SELECT * FROM {view}"))).first() is not None
        outcomes = (
            await s.execute(
                text(
                    "SELECT kind, outcome, count(*), sum(minutes) FROM v_attendance "
                    "WHERE outcome IS NOT NULL AND starts_at >= :a AND starts_at < :b "
                    "GROUP BY kind, outcome ORDER BY kind, outcome"
                ),
                {"a": _bind(s, start), "b": _bind(s, end)},
            )
        ).all()
        assert [tuple(r) for r in outcomes] == [
            ("consultation", "attended", 2, 105),
            ("consultation", "no_show", 1, 45),
            ("workshop", "attended", 2, 210),
            ("workshop", "no_show", 2, 210),
        ]
        cols = (await s.execute(text("SELECT * FROM v_consultations"))).keys()
        assert "service_slug" in cols and "display_name" not in cols
        assert not {"phone", "display_name"} & set(
            (await s.execute(text("SELECT * FROM v_participants"))).keys()
        )
        care = (
            await s.execute(
                text(
                    "SELECT booking_kind, minutes FROM v_childcare "
                    "WHERE status = 'approved' ORDER BY request_id"
                )
            )
        ).all()
        assert [tuple(r) for r in care] == [("workshop", 150), ("consultation", 90)]
        attended = (
            await s.execute(text("SELECT attended FROM v_bookings ORDER BY enrollment_id"))
        ).scalars()
        assert list(attended) == [1, 0, None, 1, 0, None, None, 1]


def _bind(s: object, moment: datetime) -> object:
    """A bound parameter for a raw query: SQLite keeps UTC as naive text."""
    bind = s.get_bind()  # type: ignore[attr-defined]
    if bind.dialect.name == "sqlite":
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return moment
