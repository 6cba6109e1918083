"""The patient moves a session themselves, inside the window the series rules allow, or books the
next session their plan leaves room for: through the desk's services, with the same history."""

import datetime as dt
import re

import pytest

from clinic.models import ClinicSettings, Closure
from tests.factories import PatientFactory
from tests.treatments.factories_desk import book_series, clinic_setup, local
from tests.treatments.factories_portal import clear_cache, issue_link  # noqa: F401
from treatments.models import Appointment, AppointmentChange

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]
NOW = local(2026, 5, 1, 12)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def plan():
    setup = clinic_setup()
    series = book_series(setup, [local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30)], now=NOW)
    patient = setup[2]
    return {
        "series": series,
        "patient": patient,
        "second": series.appointments.get(series_step=2),
        "token": issue_link(patient, now=NOW, days=90),
        "practitioner": setup[0],
    }


def _move_url(plan, appointment=None):
    return f"/portal/{plan['token']}/sessions/{(appointment or plan['second']).pk}/move/"


def test_session_two_is_offered_only_days_inside_its_window_and_says_why_others_are_not(
    client, plan, django_assert_max_num_queries
):
    Closure.objects.create(starts_at=local(2026, 6, 1, 0), ends_at=local(2026, 6, 2, 0), reason="Staff training")
    with django_assert_max_num_queries(14):
        response = client.get(_move_url(plan))
    text = response.content.decode()
    assert response.status_code == 200
    # 2 Jun (session 3 on 30 Jun) keeps it in 26 May-9 Jun.
    assert "session 2 can move to a day in 26 May–9 Jun" in text
    offered = [dt.date.fromisoformat(value[:10]) for value in re.findall(r'name="start"[^>]*value="([^"]+)"', text)]
    assert min(offered) >= dt.date(2026, 5, 26) and max(offered) <= dt.date(2026, 6, 9)
    assert "Tuesday 26 May" in text
    # Every free time of the day, not only the session's own 09:00: hours 08:00-12:00 and
    # 13:00-17:00, a 30-minute session every quarter hour.
    on_26 = sorted(v[11:16] for v in re.findall(r'name="start"[^>]*value="(2026-05-26[^"]+)"', text))
    assert on_26[:3] == ["08:00", "08:15", "08:30"] and "09:00" in on_26 and "13:00" in on_26
    assert on_26[-1] == "16:30" and "11:45" not in on_26
    assert "Wednesday 10 June" not in text
    assert "Mon 1 Jun: clinic closed — Staff training" in text
    assert "Sat 30 May: no working hours that day" in text
    assert "Ask to move or cancel" in text


def test_moving_to_an_offered_time_goes_through_the_move_service_with_the_patient_as_author(client, plan):
    # As the page writes it: in clinic time with its offset (Chicago, UTC-5 in June).
    response = client.post(_move_url(plan), {"start": "2026-06-04T09:00:00-05:00"})
    assert response.status_code == 302
    plan["second"].refresh_from_db()
    assert plan["second"].start == local(2026, 6, 4)
    change = AppointmentChange.objects.filter(appointment=plan["second"], kind=AppointmentChange.Kind.MOVED).get()
    assert change.by is None
    assert change.reason == "Moved by the patient online"
    home = client.get(f"/portal/{plan['token']}/").content.decode()
    assert "Your session has been moved" in home
    assert "Thursday 4 June 2026, 09:00" in home


@pytest.mark.parametrize(
    "start",
    [
        local(2026, 6, 10).isoformat(),  # outside the window
        local(2026, 5, 25).isoformat(),  # before it
        "2026-06-04T09:00:00",  # no zone
        "tomorrow",
        "",
    ],
)
def test_a_time_not_offered_is_refused_and_nothing_moves(client, plan, start):
    response = client.post(_move_url(plan), {"start": start})
    assert response.status_code == 400
    assert "Please choose" in response.content.decode() or "no longer free" in response.content.decode()
    plan["second"].refresh_from_db()
    assert plan["second"].start == local(2026, 6, 2)
    assert not AppointmentChange.objects.filter(kind=AppointmentChange.Kind.MOVED).exists()


def test_a_time_taken_meanwhile_is_refused_with_a_clear_message(client, plan):
    from tests.treatments.factories_calendar import booking

    page = client.get(_move_url(plan))
    assert page.status_code == 200
    booking(plan["practitioner"], plan["series"].location, local(2026, 6, 4))
    response = client.post(_move_url(plan), {"start": local(2026, 6, 4).isoformat()})
    assert response.status_code == 400
    assert "That time is no longer free" in response.content.decode()


def test_another_patients_session_is_a_404(client, plan):
    other = book_series(
        clinic_setup(name="Dr Bo Lee"), [local(2026, 5, 6), local(2026, 6, 3)], now=NOW, patient=PatientFactory()
    )
    foreign = other.appointments.get(series_step=2)
    assert client.get(_move_url(plan, foreign)).status_code == 404
    assert client.post(_move_url(plan, foreign), {"start": local(2026, 6, 4).isoformat()}).status_code == 404
    assert client.get(f"/portal/{plan['token']}/series/{other.pk}/next/").status_code == 404


def test_inside_the_notice_period_the_page_shows_the_phone_and_refuses_a_move(client, plan, time_machine):
    clinic = ClinicSettings.load()
    time_machine.move_to(local(2026, 6, 1, 12), tick=False)
    response = client.get(_move_url(plan))
    text = response.content.decode()
    assert "too soon to move online" in text
    assert clinic.phone in text
    assert 'name="start"' not in text
    assert client.post(_move_url(plan), {"start": local(2026, 6, 4).isoformat()}).status_code == 400
    plan["second"].refresh_from_db()
    assert plan["second"].start == local(2026, 6, 2)


def test_moves_are_rate_limited_per_client(client, plan):
    for _ in range(20):
        client.post(_move_url(plan), {"start": "nonsense"})
    response = client.post(_move_url(plan), {"start": local(2026, 6, 4).isoformat()})
    assert response.status_code == 429
    plan["second"].refresh_from_db()
    assert plan["second"].start == local(2026, 6, 2)


def test_the_next_planned_session_can_be_booked_inside_the_window_the_last_one_sets(client, plan):
    series = plan["series"]
    url = f"/portal/{plan['token']}/series/{series.pk}/next/"
    # The practitioner's plan has three sessions, all booked: nothing to book online.
    assert "no further session to book online" in client.get(url).content.decode()
    series.planned_sessions = 4
    series.save(update_fields=["planned_sessions"])
    page = client.get(url).content.decode()
    # Session 3 on 30 Jun sets 21 Jul-11 Aug for session 4.
    assert "Session 4 belongs on a day in 21 Jul–11 Aug" in page
    response = client.post(url, {"start": local(2026, 7, 28).isoformat()})
    assert response.status_code == 302
    added = series.appointments.get(series_step=4)
    assert (added.start, added.is_optional, added.created_by) == (local(2026, 7, 28), True, None)
    assert AppointmentChange.objects.filter(appointment=added, kind=AppointmentChange.Kind.ADDED, by=None).exists()
    # Outside the window, or once the plan is full: refused.
    assert client.post(url, {"start": local(2026, 8, 20).isoformat()}).status_code == 400
    assert Appointment.objects.filter(series=series).count() == 4
