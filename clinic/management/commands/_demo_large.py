"""The large demo: 50,000 patients, each with one four-session series (200,000 appointments),
written with bulk_create in batches, for benchmarks. No messages are planned.

The schedule is built so that it never overlaps, which PostgreSQL's exclusion constraints check:
20 bench practitioners, each with their own room, work Mon-Fri with sixteen half-hour visits a day
(320 a weekday, the busy desk of issue 21). A "lane" is one practitioner's slot on one weekday of
a four-week cycle; a series holds its lane for four cycles (sessions 28 days apart, same weekday
and time), then the lane takes the next series.
"""

import datetime as dt
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction

from clinic import roles
from clinic.localtime import local_date, local_datetime
from clinic.models import Location, Practitioner, Room, WorkingHours
from patients.models import Channel, Patient
from treatments.models import Appointment, Protocol, TreatmentSeries
from treatments.scheduling.rules import is_optional_step

SERIES = 50_000
SESSIONS = 4
PRACTITIONERS = 20
BATCH = 1_000  # series per transaction: 1,000 patients, 1,000 series, 4,000 appointments
BENCH_EMAIL_DOMAIN = "bench.prolo.test"
# Half-hour visits back to back through the working hours (08:00-12:00, 13:00-17:00): 16 a day, so
# a busy day of the desk is about 330 cards (320 bench visits beside the small demo's), the day
# issue 21 measures.
SLOTS = [dt.time(8 + m // 60, m % 60) for m in range(0, 240, 30)] + [
    dt.time(13 + m // 60, m % 60) for m in range(0, 240, 30)
]
LANES_PER_DAY = PRACTITIONERS * len(SLOTS)
POSITIONS = 20 * LANES_PER_DAY  # 20 weekdays in a four-week cycle
PROTOCOLS = ["Knee OA — Dumais 2012", "Knee OA — Rabago 2013"]  # 28-day spacing, four sessions or more
FIRST_NAMES = [
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Carlos", "Karen",
    "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra", "Donald", "Ashley",
    "Steven", "Kimberly", "Andrew", "Emily", "Paul", "Donna", "Joshua", "Michelle", "Kenneth", "Carol",
    "Kevin", "Amanda", "Brian", "Melissa", "Timothy", "Deborah", "Ronald", "Stephanie", "Jason", "Rebecca",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Lopez", "Wilson",
    "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
]  # fmt: skip
SUFFIXES = ["", "son", "ley", "ford", "ton", "wood", "field", "man", "berg", "stein", "ridge", "well"]


def seed_large(*, now: dt.datetime, series_count: int, out=sys.stdout) -> None:
    done = TreatmentSeries.objects.filter(patient__email__endswith=f"@{BENCH_EMAIL_DOMAIN}").count()
    if done >= series_count:
        out.write(f"Large scale already seeded ({done} bench series).\n")
        return
    practitioners = _bench_practitioners()
    protocols = [Protocol.objects.get(name=name) for name in PROTOCOLS]
    # Rounds of lanes run back to back and end about a year from now: most of the history is past.
    rounds = -(-series_count // POSITIONS)
    today = local_date(now)
    first_monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=16 * rounds - 52)
    # Resume after an interrupted run: every batch is one transaction, so `done` is a batch edge.
    for begin in range(done, series_count, BATCH):
        with transaction.atomic():
            _batch(range(begin, min(begin + BATCH, series_count)), practitioners, protocols, first_monday, now)
        _progress(out, min(begin + BATCH, series_count), series_count)
    out.write("\n")
    refresh_statistics()


def refresh_statistics() -> None:
    """After a bulk load, PostgreSQL plans on stale statistics (and reads the trigram index's
    pending list) until autovacuum comes round: a phone search took 130 ms instead of 0.4. Refresh
    them now, so the first queries get the plans production would."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in ("patients_patient", "treatments_treatmentseries", "treatments_appointment"):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("SELECT gin_clean_pending_list('patient_phone_trgm_idx'::regclass)")


def _bench_practitioners() -> list[tuple[Practitioner, Room]]:
    locations = list(Location.objects.order_by("name"))
    group = Group.objects.get(name=roles.PRACTITIONER)
    result = []
    for n in range(PRACTITIONERS):
        location = locations[n % len(locations)]
        user, created = get_user_model().objects.get_or_create(username=f"bench{n:02d}")
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(group)
        practitioner, created = Practitioner.objects.get_or_create(
            user=user, defaults={"display_name": f"Dr Bench {n:02d}", "title": "MD"}
        )
        if created:
            WorkingHours.objects.bulk_create(
                WorkingHours(practitioner=practitioner, location=location, weekday=day, start=start, end=end)
                for day in range(5)
                for start, end in [(dt.time(8, 0), dt.time(12, 0)), (dt.time(13, 0), dt.time(17, 0))]
            )
        room, _ = Room.objects.get_or_create(location=location, name=f"Bench room {n:02d}")
        result.append((practitioner, room))
    return result


def _batch(indexes: range, practitioners, protocols, first_monday: dt.date, now: dt.datetime) -> None:
    patients = Patient.objects.bulk_create(_patient(i, now) for i in indexes)
    plans = []
    for i, patient in zip(indexes, patients, strict=True):
        position, round_ = i % POSITIONS, i // POSITIONS
        weekday_in_cycle, lane = divmod(position, LANES_PER_DAY)
        practitioner, room = practitioners[lane // len(SLOTS)]
        week, weekday = divmod(weekday_in_cycle, 5)
        day = first_monday + dt.timedelta(weeks=16 * round_ + week, days=weekday)
        starts = [local_datetime(day + dt.timedelta(weeks=4 * k), SLOTS[lane % len(SLOTS)]) for k in range(SESSIONS)]
        plans.append((patient, practitioner, room, protocols[i % len(protocols)], starts))
    series = TreatmentSeries.objects.bulk_create(
        TreatmentSeries(
            patient=patient,
            protocol=protocol,
            practitioner=practitioner,
            location_id=room.location_id,
            planned_sessions=SESSIONS,
            status=TreatmentSeries.Status.COMPLETED if starts[-1] < now else TreatmentSeries.Status.ACTIVE,
            consent_confirmed_at=starts[0],
            created_at=min(now, starts[0] - dt.timedelta(days=7)),
        )
        for patient, practitioner, room, protocol, starts in plans
    )
    Appointment.objects.bulk_create(
        Appointment(
            patient=patient,
            practitioner=practitioner,
            location_id=room.location_id,
            room=room,
            appointment_type_id=protocol.appointment_type_id,
            series=one,
            series_step=step,
            is_optional=is_optional_step(protocol, step),
            start=start,
            end=start + dt.timedelta(minutes=30),
            status=Appointment.Status.COMPLETED if start < now else Appointment.Status.BOOKED,
            checked_in_at=start if start < now else None,
            created_at=min(now, starts[0] - dt.timedelta(days=7)),
        )
        for one, (patient, practitioner, room, protocol, starts) in zip(series, plans, strict=True)
        for step, start in enumerate(starts, start=1)
    )


def _patient(i: int, now: dt.datetime) -> Patient:
    """Names and numbers a desk would type: search is measured on them (bench_calendar). Real
    first names, last names with suffixes (about 250 of each), valid Chicago numbers."""
    first = FIRST_NAMES[i % len(FIRST_NAMES)]
    last = LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)] + SUFFIXES[(i // 7) % len(SUFFIXES)]
    patient = Patient(
        first_name=first,
        last_name=last,
        date_of_birth=dt.date(1940 + i % 60, 1 + i % 12, 1 + i % 28),
        phone=f"+1773{200 + i // 10_000:03d}{i % 10_000:04d}",
        email=f"{first}.{last}.{i}@{BENCH_EMAIL_DOMAIN}".lower(),
        preferred_channel=Channel.EMAIL if i % 2 else Channel.SMS,
        email_consent_at=now,
        sms_consent_at=now,
    )
    patient.set_search_names()  # bulk_create skips save(), which sets them
    return patient


def _progress(out, done: int, total: int) -> None:
    width = 40
    filled = width * done // total
    out.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done:>6}/{total} series")
    out.flush()
