"""One clinic time everywhere: what the clinic admin types in Setup, what the desk sees on the
calendar, what the planner refuses, what a CSV and a message say are all clinic wall-clock time
(America/Chicago in the test settings), on plain days and on the days the clocks change.

The bug this guards: a closure typed in Setup as 13:00-17:00 blocked 07:00-11:00 on the calendar,
because the admin worked in UTC and the pages in the clinic's zone."""

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail

from clinic.localtime import local_datetime
from clinic.models import Closure, WorkingHours
from notifications import delivery
from notifications.models import Message
from tests.factories import (
    AppointmentFactory,
    LocationFactory,
    PractitionerFactory,
    appointment_type,
    login_with_second_factor,
)
from tests.treatments.factories_practice import series_with_sessions
from treatments.scheduling import messaging
from treatments.scheduling.selectors.availability import availability_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# Before every day below, so nothing here depends on today's date.
NOW = dt.datetime(2026, 1, 5, 15, 0, tzinfo=dt.UTC)
DAYS = [
    pytest.param(dt.date(2026, 12, 24), id="christmas-eve-cst"),
    pytest.param(dt.date(2026, 7, 14), id="summer-cdt"),
    # Sunday 8 March 2026: the clocks go forward at 02:00, the day has 23 hours.
    pytest.param(dt.date(2026, 3, 8), id="spring-forward-sunday"),
    # Sunday 1 November 2026: the clocks go back at 02:00, the day has 25 hours.
    pytest.param(dt.date(2026, 11, 1), id="fall-back-sunday"),
    pytest.param(dt.date(2026, 11, 2), id="early-november-monday"),
]
HALF_HOUR = dt.timedelta(minutes=30)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def clinic():
    """Dr Ada Stone works 08:00-18:00 every day of the week at Main Street."""
    location = LocationFactory(name="Main Street")
    ada = PractitionerFactory(display_name="Dr Ada Stone")
    for weekday in range(7):
        WorkingHours.objects.create(
            practitioner=ada, location=location, weekday=weekday, start=dt.time(8), end=dt.time(18)
        )
    return ada, location


def _problem(practitioner, location, day: dt.date, hh: int, mm: int = 0) -> str | None:
    start = local_datetime(day, dt.time(hh, mm))
    return availability_for(practitioner=practitioner, location=location, first=day, last=day).problem(
        start, start + HALF_HOUR
    )


def _add_closure_in_setup(client, day: dt.date, start: str, end: str, reason: str):
    response = client.post(
        "/admin/clinic/closure/add/",
        {
            "reason": reason,
            "location": "",
            "practitioner": "",
            "starts_at_0": day.isoformat(),
            "starts_at_1": start,
            "ends_at_0": day.isoformat(),
            "ends_at_1": end,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Closure.objects.get(reason=reason)


@pytest.mark.parametrize("day", DAYS)
def test_a_closure_typed_in_setup_blocks_those_local_hours_on_the_calendar_and_in_the_planner(
    client, admin_user, desk_user, clinic, day
):
    ada, location = clinic
    login_with_second_factor(client, admin_user)
    closure = _add_closure_in_setup(client, day, "13:00", "17:00", "Staff training")

    # Stored in UTC as the instants of 13:00 and 17:00 on the clinic's clock that day.
    assert (closure.starts_at, closure.ends_at) == (local_datetime(day, dt.time(13)), local_datetime(day, dt.time(17)))
    # Setup shows it back as typed.
    change = client.get(f"/admin/clinic/closure/{closure.pk}/change/").content.decode()
    assert 'name="starts_at_1" value="13:00:00"' in change and 'name="ends_at_1" value="17:00:00"' in change

    client.force_login(desk_user)
    page = client.get(f"/desk/?date={day}").content.decode()
    assert "Closed: Staff training (13:00–17:00)" in page
    # The grid starts at 08:00 in 5-minute rows: 13:00 is row 61, four hours are 48 rows.
    assert 'class="cal-closed cal-r-61 cal-s-48"' in page

    assert _problem(ada, location, day, 12) is None
    assert _problem(ada, location, day, 12, 30) is None  # ends as the closure begins
    assert "the clinic is closed" in _problem(ada, location, day, 13, 30)
    assert "the clinic is closed" in _problem(ada, location, day, 16, 30)
    assert _problem(ada, location, day, 17) is None


@pytest.mark.parametrize("day", DAYS)
def test_working_hours_typed_in_setup_are_open_at_those_local_hours(client, admin_user, desk_user, day):
    location = LocationFactory(name="Main Street")
    ben = PractitionerFactory(display_name="Dr Ben Hall")
    login_with_second_factor(client, admin_user)
    response = client.post(
        "/admin/clinic/workinghours/add/",
        {"practitioner": ben.pk, "location": location.pk, "weekday": day.weekday(), "start": "13:00", "end": "17:00"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    client.force_login(desk_user)
    page = client.get(f"/desk/?date={day}").content.decode()
    assert 'class="cal-open cal-r-61 cal-s-48" title="Main Street"' in page

    assert "outside Dr Ben Hall's hours" in _problem(ben, location, day, 12)
    assert _problem(ben, location, day, 13) is None
    assert _problem(ben, location, day, 16, 30) is None
    assert "outside Dr Ben Hall's hours" in _problem(ben, location, day, 16, 45)


def test_a_closure_across_the_night_the_clocks_go_forward_keeps_its_local_ends(client, admin_user, clinic):
    """Saturday 18:00 to Sunday 10:00 across the spring change: 15 hours on the stopwatch, and the
    planner frees Sunday at 10:00 local, not an hour early or late."""
    ada, location = clinic
    login_with_second_factor(client, admin_user)
    response = client.post(
        "/admin/clinic/closure/add/",
        {
            "reason": "Deep clean",
            "starts_at_0": "2026-03-07",
            "starts_at_1": "18:00",
            "ends_at_0": "2026-03-08",
            "ends_at_1": "10:00",
        },
    )
    assert response.status_code == 302
    closure = Closure.objects.get()
    assert closure.ends_at - closure.starts_at == dt.timedelta(hours=15)
    sunday = dt.date(2026, 3, 8)
    assert "the clinic is closed" in _problem(ada, location, sunday, 9, 30)
    assert _problem(ada, location, sunday, 10) is None


def test_the_sessions_csv_counts_a_late_evening_session_in_its_local_month(admin_client_):
    """31 March 21:00 in Chicago is already 1 April in UTC: the export says March."""
    series_with_sessions(pains=[6], first=local_datetime(dt.date(2026, 3, 31), dt.time(21)))
    series_with_sessions(pains=[6], first=local_datetime(dt.date(2026, 5, 1), dt.time(0, 30)))  # 05:30 UTC
    response = admin_client_.get("/practice/reports/sessions.csv?start=2026-03&end=2026-04")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[1:] for row in rows[1:]] == [["2026-03", "1"]]


def test_a_reminder_and_the_message_log_show_the_clinics_wall_clock(client, desk_user):
    """A session at 13:30 on the Monday after the autumn change: the reminder goes out at 13:30 the
    day before (a 25-hour day), names 13:30, and the desk's log lists it at 13:30."""
    start = local_datetime(dt.date(2026, 11, 2), dt.time(13, 30))
    visit = AppointmentFactory(start=start, appointment_type=appointment_type("consultation"))
    messaging.appointment_changed(appointment=visit, now=NOW)
    reminder = Message.objects.get(kind=Message.Kind.REMINDER)
    assert reminder.send_at == local_datetime(dt.date(2026, 11, 1), dt.time(13, 30))

    delivery.messages_sweep(now=reminder.send_at)
    (email,) = [e for e in mail.outbox if "Reminder" in e.subject]
    assert "13:30" in email.body and "19:30" not in email.body

    client.force_login(desk_user)
    log = client.get("/messages/").content.decode()
    assert "Sun 1 Nov 2026 13:30" in log


def test_clinic_time_zone_sets_djangos_zone_while_celery_keeps_utc():
    """The environment variable is the one switch; Celery's clock stays UTC so its ETAs and the
    beat schedule do not jump on a clock change."""
    code = (
        "import django, json; django.setup();"
        "from django.conf import settings; from django.utils import timezone; from clinic.celery import app;"
        "from clinic.localtime import clinic_zone;"
        "print(json.dumps([settings.TIME_ZONE, str(clinic_zone()), timezone.get_current_timezone_name(),"
        " str(app.conf.timezone), app.conf.enable_utc]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clinic.settings.test", "CLINIC_TIME_ZONE": "Europe/Lisbon"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "Europe/Lisbon",
        "Europe/Lisbon",
        "Europe/Lisbon",
        "UTC",
        True,
    ]
