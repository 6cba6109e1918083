""" "Re-plan the rest" after a cancellation re-plans, or says exactly why it could not while the
cancellation itself still happens; when the re-planned sessions do not fit, nothing is cancelled
(see test_booking and test_desk_series_views for that and the re-plans that work)."""

import pytest
from django.urls import reverse

from tests.treatments.factories_desk import book_series, clinic_setup, local
from treatments.models import Appointment
from treatments.scheduling.services.booking import appointment_cancel

pytestmark = pytest.mark.django_db
NOW = local(2026, 5, 1, 12)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def series():
    setup = clinic_setup()
    return lambda *starts: book_series(setup, list(starts), now=NOW)


def cancel(session, **kw):
    return appointment_cancel(appointment=session, kind="clinic", reason="Doctor ill", by=None, now=NOW, **kw)


def starts(series):
    return list(series.appointments.order_by("series_step").values_list("status", "start"))


def test_cancelling_the_first_session_says_there_is_nothing_to_plan_from(series):
    s = series(local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30))
    before = starts(s)
    done = cancel(s.appointments.get(series_step=1), replan_rest=True)
    assert done.appointment.status == "cancelled"
    assert done.not_replanned == (
        "no session before session 1 is left to plan from, so the later ones keep their dates"
    )
    assert starts(s)[1:] == before[1:]
    assert not s.changes.filter(kind="replanned").exists()


def test_cancelling_the_last_session_says_nothing_later_is_booked(series):
    s = series(local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30))
    done = cancel(s.appointments.get(series_step=3), replan_rest=True)
    assert (done.appointment.status, done.not_replanned) == ("cancelled", "no later session is booked")


def test_a_window_with_no_day_left_after_the_cancelled_one_is_named(series):
    # Session 2 sits on the last day of the window session 1 sets (26 May-16 Jun): cancelled, no
    # day of that window is left after it.
    s = series(local(2026, 5, 5), local(2026, 6, 16), local(2026, 7, 14))
    done = cancel(s.appointments.get(series_step=2), replan_rest=True)
    assert done.appointment.status == "cancelled"
    assert done.not_replanned == (
        "the window session 1 sets for the next one (26 May–16 Jun) has no day left after Tue 16 Jun, "
        "so session 3 keeps Tue 14 Jul"
    )
    assert s.appointments.get(series_step=3).start == local(2026, 7, 14)


def test_a_replan_that_works_returns_the_sessions_it_moved(series):
    s = series(local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30))
    done = cancel(s.appointments.get(series_step=2), replan_rest=True)
    assert [(a.series_step, a.start) for a in done.replanned] == [(3, local(2026, 6, 3))]
    assert done.not_replanned == ""


def test_the_page_says_it_was_cancelled_and_why_the_rest_was_not_replanned(desk_client, series):
    s = series(local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30))
    first = s.appointments.get(series_step=1)
    response = desk_client.post(
        reverse("desk:appointment_cancel", args=[first.pk]), {"kind": "patient", "reason": "Ill", "replan_rest": "on"}
    )
    assert response.status_code == 302
    html = desk_client.get(response["Location"]).content.decode()
    assert (
        "Session 1 was cancelled, but the rest could not be re-planned: no session before session 1 is left to "
        "plan from, so the later ones keep their dates." in html
    )
    assert Appointment.objects.get(pk=first.pk).status == "cancelled"


def test_the_page_says_how_many_sessions_were_replanned(desk_client, series):
    s = series(local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30))
    second = s.appointments.get(series_step=2)
    response = desk_client.post(
        reverse("desk:appointment_cancel", args=[second.pk]), {"kind": "clinic", "reason": "Ill", "replan_rest": "on"}
    )
    html = desk_client.get(response["Location"]).content.decode()
    assert "Session 2 was cancelled and 1 later session re-planned." in html
    # Session 3 now sits 29 days after session 1 (Wed 3 Jun, the day after the cancelled one).
    assert "Session 3: 29 days after session 1; protocol: 28." in html
