import datetime as dt
from collections import defaultdict

import pytest
import time_machine
from django.core.management import call_command

from clinic.localtime import clinic_zone
from clinic.models import ClinicSettings, Closure, Location, Practitioner, Room, WorkingHours
from patients.models import Patient
from patients.phones import phone_normalise
from treatments.models import Appointment, OutcomeScore, SessionRecord, TreatmentSeries

pytestmark = pytest.mark.django_db

# A Thursday in November: Chicago is on standard time, and a series crosses into December.
NOW = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)


def _counts() -> dict[str, int]:
    models = [ClinicSettings, Location, Room, Practitioner, WorkingHours, Closure, Patient, TreatmentSeries]
    models += [Appointment, SessionRecord, OutcomeScore]
    return {model.__name__: model.objects.count() for model in models}


def _overlaps(appointments, key) -> list:
    by_owner = defaultdict(list)
    for appt in appointments:
        if key(appt) is not None:
            by_owner[key(appt)].append(appt)
    clashes = []
    for rows in by_owner.values():
        rows.sort(key=lambda a: a.start)
        clashes += [(a, b) for a, b in zip(rows, rows[1:], strict=False) if b.start < a.end]
    return clashes


@pytest.fixture
def seeded(db):
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", stdout=None)


def test_running_seed_demo_twice_changes_nothing(seeded):
    first = _counts()
    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        call_command("seed_demo")
    assert _counts() == first
    assert first["Patient"] == 40
    assert first["Practitioner"] == 3
    assert first["Location"] == 2


@pytest.mark.parametrize(
    ("username", "home"), [("frontdesk", "/desk/"), ("practitioner", "/practice/"), ("admin", "/desk/")]
)
def test_demo_logins_work_with_the_demo_password(seeded, client, settings, username, home):
    settings.ADMIN_2FA_REQUIRED = False  # as on `make run` (clinic.settings.local)
    response = client.post("/accounts/login/", {"username": username, "password": "prolo-demo"}, follow=True)
    assert response.redirect_chain[-1][0] == home


def test_where_two_factor_is_required_the_demo_admin_is_sent_to_set_it_up(seeded, client):
    response = client.post("/accounts/login/", {"username": "admin", "password": "prolo-demo"}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/two-factor/set-up/"


def test_demo_admin_opens_the_setup_site_without_being_a_superuser(seeded, client, settings):
    settings.ADMIN_2FA_REQUIRED = False  # as on `make run` (clinic.settings.local)
    client.post("/accounts/login/", {"username": "admin", "password": "prolo-demo"})
    response = client.get("/admin/clinic/location/")
    assert response.status_code == 200
    assert "Downtown" in response.content.decode()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.get(username="admin").is_superuser


def test_no_practitioner_patient_or_room_holds_two_live_appointments_at_once(seeded):
    live = list(Appointment.objects.filter(status__in=Appointment.LIVE_STATUSES))
    assert len(live) > 60
    assert _overlaps(live, lambda a: a.practitioner_id) == []
    assert _overlaps(live, lambda a: a.patient_id) == []
    assert _overlaps(live, lambda a: a.room_id) == []


def test_every_appointment_sits_inside_its_practitioners_working_hours_and_outside_the_holiday(seeded):
    zone = clinic_zone()
    blocks = defaultdict(list)
    for block in WorkingHours.objects.all():
        blocks[(block.practitioner_id, block.location_id, block.weekday)].append((block.start, block.end))
    holiday = Closure.objects.get(reason="Clinic holiday")
    for appt in Appointment.objects.all():
        start, end = appt.start.astimezone(zone), appt.end.astimezone(zone)
        assert start.date() == end.date()
        assert any(
            s <= start.time() and end.time() <= e
            for s, e in blocks[(appt.practitioner_id, appt.location_id, start.weekday())]
        ), appt
        assert not (holiday.starts_at < appt.end and appt.start < holiday.ends_at)


def test_series_follow_their_protocol_spacing_with_past_sessions_completed(seeded):
    zone = clinic_zone()
    for series in TreatmentSeries.objects.select_related("protocol"):
        sessions = list(series.appointments.order_by("series_step"))
        assert [a.series_step for a in sessions] == list(range(1, series.planned_sessions + 1))
        for earlier, later in zip(sessions, sessions[1:], strict=False):
            gap = (later.start.astimezone(zone).date() - earlier.start.astimezone(zone).date()).days
            target = series.protocol.interval_after(earlier.series_step)
            assert target - series.protocol.window_before_days <= gap <= target + series.protocol.window_after_days
        for appt in sessions:
            expected = Appointment.Status.COMPLETED if appt.end <= NOW else Appointment.Status.BOOKED
            assert appt.status == expected


def test_demo_patients_have_consent_and_a_contact_number_in_e164(seeded):
    for patient in Patient.objects.all():
        assert patient.has_consent("email")
        assert patient.phone.startswith("+1")


def test_large_scale_bulk_path_makes_four_sessions_per_series_without_overlaps(seeded):
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", "--scale", "large", "--large-series", "450", stdout=None)
        call_command("seed_demo", "--scale", "large", "--large-series", "450", stdout=None)
    bench = Appointment.objects.filter(patient__email__endswith="@bench.prolo.test")
    assert bench.count() == 1800
    bench_patients = Patient.objects.filter(email__endswith="@bench.prolo.test")
    assert bench_patients.count() == 450
    # Names and numbers a desk would type, so search is measured on realistic data.
    for patient in bench_patients[:50]:
        assert patient.first_name.isalpha() and patient.last_name.isalpha()
        assert patient.search_name == f"{patient.last_name} {patient.first_name}".lower()
        assert patient.search_first_last == f"{patient.first_name} {patient.last_name}".lower()
        assert phone_normalise(patient.phone) == patient.phone
    live = list(Appointment.objects.filter(status__in=Appointment.LIVE_STATUSES))
    assert _overlaps(live, lambda a: a.practitioner_id) == []
    assert _overlaps(live, lambda a: a.patient_id) == []
    assert _overlaps(live, lambda a: a.room_id) == []


def test_past_series_sessions_have_signed_records_and_pain_scores_while_today_is_left_to_write(seeded):
    zone = clinic_zone()
    today = NOW.astimezone(zone).date()
    completed = Appointment.objects.filter(status="completed", series__isnull=False)
    before_today = [a for a in completed if a.start.astimezone(zone).date() < today]
    assert before_today
    for appt in before_today:
        record = SessionRecord.objects.get(appointment=appt)
        assert record.status == "signed"
        assert record.signed_by == appt.practitioner.user
        assert record.sites.count() == 1
    assert OutcomeScore.objects.filter(measure="pain_nrs").count() == len(before_today)
    assert not SessionRecord.objects.filter(appointment__start__date__gte=today).exists()


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC),  # a Saturday, 09:00 in Chicago
        dt.datetime(2026, 11, 29, 20, 0, tzinfo=dt.UTC),  # a Sunday afternoon
        dt.datetime(2026, 11, 30, 5, 30, tzinfo=dt.UTC),  # 23:30 on that Sunday: the day's clinic is over
        dt.datetime(2026, 11, 30, 14, 0, tzinfo=dt.UTC),  # a Monday morning
    ],
    ids=["saturday", "sunday", "sunday-late", "monday"],
)
def test_the_demos_first_screens_have_bookings_whatever_day_make_run_starts(db, client, now):
    with time_machine.travel(now, tick=False):
        call_command("seed_demo", stdout=None)
        today = now.astimezone(clinic_zone()).date()
        client.post("/accounts/login/", {"username": "frontdesk", "password": "prolo-demo"})
        desk = client.get("/desk/").content.decode()
        assert f"{today:%A} {today.day} {today:%B %Y}" in desk  # the desk lands on today...
        assert desk.count('class="cal-appt ') >= 2  # ...and today has bookings
        client.logout()
        client.post("/accounts/login/", {"username": "practitioner", "password": "prolo-demo"})
        practice = client.get("/practice/").content.decode()
        assert practice.count("/record/") >= 1, "Dr Patel's today is empty"


def test_no_two_demo_patients_share_a_name(seeded):
    """The demo had two of each of 20 names (two James Brown, two Elijah Silva): the desk's search,
    the calendar and the invoices could not tell the demo's patients apart."""
    names = list(Patient.objects.values_list("first_name", "last_name"))
    assert len(names) == len(set(names))
