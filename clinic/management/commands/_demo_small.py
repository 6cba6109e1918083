"""The small demo clinic: 40 patients with consent, a few weeks of booked series and some
consultations. Appointments are written with the ORM (not through the booking service) but obey
the same rules: inside working hours, outside closures, and no practitioner, patient or room twice
at once. Each series then goes through the messaging hook, in the same transaction, like a real
booking."""

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction

from clinic.localtime import clinic_zone, local_date, local_datetime, to_local
from clinic.models import AppointmentType, Closure, Practitioner, Room, WorkingHours
from patients.models import Channel, ConsentSignature, ConsentText, Intake, Patient
from treatments.models import Appointment, OutcomeScore, Protocol, TreatmentSeries
from treatments.scheduling import messaging
from treatments.scheduling.planning import candidate_days
from treatments.scheduling.rules import Window, offer_last, offer_step, step_window, type_times

from ._demo_records import sign_past_sessions

PATIENTS = 40
SERIES = 26
CONSULTATIONS = 8
DEMO_EMAIL_DOMAIN = "demo.prolo.test"

FIRST = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
    "Mia", "Mateo", "Amelia", "Benjamin", "Harper", "Levi", "Evelyn", "Henry", "Luna", "Jack",
]  # fmt: skip
LAST = [
    "Garcia", "Nguyen", "Kowalski", "Johnson", "Okoye", "Rossi", "Novak", "Hernandez", "Kim", "Brown",
    "Murphy", "Schmidt", "Ali", "Jensen", "Cohen", "Silva", "Wright", "Dubois", "Tanaka", "Moore",
]  # fmt: skip


class Diary:
    """Who is busy when, in memory: [start, end + buffer) per practitioner, patient and room."""

    def __init__(self) -> None:
        self.busy: dict[tuple[str, int], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)

    def free(self, key: tuple[str, int], start: dt.datetime, end: dt.datetime) -> bool:
        return all(end <= s or start >= e for s, e in self.busy[key])

    def hold(self, keys: list[tuple[str, int]], start: dt.datetime, end: dt.datetime) -> None:
        for key in keys:
            self.busy[key].append((start, end))


def seed_patients_and_series(*, practitioners: list[Practitioner], now: dt.datetime) -> int:
    """Make the demo patients and their bookings once; returns how many patients were made."""
    if Patient.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").exists():
        return 0
    rng = random.Random(2026)
    planner = _Planner(practitioners=practitioners, now=now)
    with transaction.atomic():
        patients = [_patient(i, rng, now) for i in range(PATIENTS)]
        protocols = list(Protocol.objects.filter(active=True).order_by("name"))
        for i, patient in enumerate(patients[:SERIES]):
            practitioner = practitioners[i % len(practitioners)]
            # First sessions from eight weeks ago to two weeks ahead: some series are half done.
            first_day = local_date(now) + dt.timedelta(days=rng.randint(-56, 14))
            planner.book_series(
                patient=patient, protocol=protocols[i % len(protocols)], practitioner=practitioner, first_day=first_day
            )
        consultation = AppointmentType.objects.get(slug="consultation")
        for i, patient in enumerate(patients[SERIES : SERIES + CONSULTATIONS]):
            # Two a day from today, so the desk calendar and "today" have something on them.
            day = local_date(now) + dt.timedelta(days=i // 2)
            planner.book_one(
                patient=patient, practitioner=practitioners[i % len(practitioners)], kind=consultation, day=day
            )
            if i % 2 == 0:
                _intake_done(patient, now)
        sign_past_sessions(now=now)
    return len(patients)


def _intake_done(patient: Patient, now: dt.datetime) -> None:
    """Half the new patients sent their intake form and signed the consent ("Intake done" on the
    calendar card, and the form on the practitioner's record)."""
    text = ConsentText.objects.order_by("-version").first()
    if text is None:
        return
    sent = now - dt.timedelta(days=2)
    Intake.objects.create(
        patient=patient,
        history="Pain for about a year, worse on stairs and after sitting.",
        medicines="Paracetamol when needed.",
        blood_thinners=False,
        goals="Walk to the shops and back without stopping.",
        activities=[{"activity": "Climbing stairs", "score": 4}, {"activity": "Walking 30 minutes", "score": 3}],
        submitted_at=sent,
    )
    # The PSFS mean as the intake service stores it: the patient's baseline.
    OutcomeScore.objects.create(patient=patient, measure="psfs", value=3.5, recorded_at=sent, source="intake")
    ConsentSignature.objects.create(
        patient=patient, consent_text=text, typed_name=patient.full_name, agreed=True, signed_at=sent
    )


def _patient(i: int, rng: random.Random, now: dt.datetime) -> Patient:
    # The second round of first names takes the next last name along: no two patients share a name.
    first, last = FIRST[i % len(FIRST)], LAST[(i * 7 + i // len(FIRST)) % len(LAST)]
    sms = i % 3 == 0
    return Patient.objects.create(
        first_name=first,
        last_name=last,
        date_of_birth=dt.date(1950 + rng.randint(0, 50), rng.randint(1, 12), rng.randint(1, 28)),
        phone=f"+1312555{1000 + i:04d}",
        email=f"{first}.{last}.{i}@{DEMO_EMAIL_DOMAIN}".lower(),
        preferred_channel=Channel.SMS if sms else Channel.EMAIL,
        email_consent_at=now - dt.timedelta(days=90),
        sms_consent_at=now - dt.timedelta(days=90) if sms else None,
    )


class _Planner:
    def __init__(self, *, practitioners: list[Practitioner], now: dt.datetime) -> None:
        self.now = now
        self.zone = clinic_zone()
        self.diary = Diary()
        self.rng = random.Random(7)
        self.hours: dict[tuple[int, int], list[WorkingHours]] = defaultdict(list)  # (practitioner, weekday)
        for block in WorkingHours.objects.filter(practitioner__in=practitioners).order_by("start"):
            self.hours[(block.practitioner_id, block.weekday)].append(block)
        self.rooms: dict[int, list[Room]] = defaultdict(list)
        for room in Room.objects.filter(active=True).order_by("name"):
            self.rooms[room.location_id].append(room)
        self.closures = list(Closure.objects.filter(location=None, practitioner=None))

    def book_series(self, *, patient: Patient, protocol: Protocol, practitioner: Practitioner, first_day: dt.date):
        location_id = self._location_for(practitioner)
        series = TreatmentSeries.objects.create(
            patient=patient,
            protocol=protocol,
            practitioner=practitioner,
            location_id=location_id,
            side="right",
            planned_sessions=protocol.required_sessions,
            consent_confirmed_at=self.now - dt.timedelta(days=60),
            created_at=min(self.now, local_datetime(first_day, dt.time(9))) - dt.timedelta(days=7),
        )
        before, after = protocol.window_before_days, protocol.window_after_days
        window = Window(first_day, first_day - dt.timedelta(days=before), first_day + dt.timedelta(days=after))
        at, weekday = None, None
        for step in range(1, protocol.required_sessions + 1):
            # The planner's windows and order of days; later sessions keep the first one's local
            # time and weekday when they are free.
            day, at = self._book(
                patient=patient,
                practitioner=practitioner,
                kind=protocol.appointment_type,
                window=window,
                location_id=location_id,
                series=series,
                step=step,
                prefer=at,
                weekday=weekday,
            )
            weekday = day.weekday() if weekday is None else weekday
            window = step_window(local_datetime(day, at), protocol.interval_after(step), before, after, self.zone)
        messaging.series_booked(series=series, now=self.now)

    def book_one(self, *, patient: Patient, practitioner: Practitioner, kind: AppointmentType, day: dt.date) -> None:
        location_id = self._location_for(practitioner)
        window = Window(day, day, offer_last(None, day))
        self._book(patient=patient, practitioner=practitioner, kind=kind, window=window, location_id=location_id)

    def _book(
        self, *, patient, practitioner, kind, window, location_id, series=None, step=None, prefer=None, weekday=None
    ) -> tuple[dt.date, dt.time]:
        """Book the first free slot on the window's target day, else on the next day the planner
        would try (planning.candidate_days)."""
        target = window.target or window.earliest
        length, buffer = type_times(kind)
        held = length + buffer
        for day in candidate_days(window, target.weekday() if weekday is None else weekday):
            for start in self._candidates(practitioner.pk, location_id, day, length, prefer=prefer):
                room = self._free_room(location_id, start, start + held)
                keys = [("practitioner", practitioner.pk), ("patient", patient.pk)]
                if room is None or not all(self.diary.free(k, start, start + held) for k in keys):
                    continue
                self.diary.hold([*keys, ("room", room.pk)], start, start + held)
                past = start + length <= self.now
                Appointment.objects.create(
                    patient=patient,
                    practitioner=practitioner,
                    location_id=location_id,
                    room=room,
                    appointment_type=kind,
                    series=series,
                    series_step=step,
                    start=start,
                    end=start + length,
                    status=Appointment.Status.COMPLETED if past else Appointment.Status.BOOKED,
                    checked_in_at=start - dt.timedelta(minutes=5) if past else None,
                    created_at=min(self.now, start) - dt.timedelta(days=7),
                )
                return day, to_local(start, self.zone).time()
        raise RuntimeError(f"No free slot for the demo near {target}")  # the demo clinic is far from full

    def _candidates(
        self, practitioner_id: int, location_id: int, day: dt.date, length: dt.timedelta, prefer: dt.time | None = None
    ):
        """Start times inside the practitioner's blocks at that location, beginning at a random
        one so the diary looks lived in rather than packed from 08:30."""
        starts = []
        for block in self.hours.get((practitioner_id, day.weekday()), []):
            if block.location_id != location_id:
                continue
            start, end = local_datetime(day, block.start), local_datetime(day, block.end)
            while start + length <= end:
                if not any(c.starts_at < start + length and start < c.ends_at for c in self.closures):
                    starts.append(start)
                start += offer_step()
        if not starts:
            return []
        first = self.rng.randrange(len(starts))
        if prefer is not None:
            wanted = [i for i, s in enumerate(starts) if to_local(s, self.zone).time() == prefer]
            first = wanted[0] if wanted else first
        return starts[first:] + starts[:first]

    def _location_for(self, practitioner: Practitioner) -> int:
        """One of the places the practitioner works; a series stays at one location."""
        places = sorted(
            {b.location_id for (pid, _day), blocks in self.hours.items() if pid == practitioner.pk for b in blocks}
        )
        return self.rng.choice(places)

    def _free_room(self, location_id: int, start: dt.datetime, end: dt.datetime) -> Room | None:
        return next((r for r in self.rooms[location_id] if self.diary.free(("room", r.pk), start, end)), None)
