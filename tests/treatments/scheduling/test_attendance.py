import datetime as dt
from unittest import mock

import pytest

from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours
from treatments.models import Appointment, AppointmentChange
from treatments.scheduling.services.attendance import AttendanceError, appointment_check_in, appointment_mark_no_show

pytestmark = pytest.mark.django_db

NOW = at(DAY, 9, 10)


@pytest.fixture
def clinic():
    return practitioner_with_hours()


def test_check_in_records_time_history_and_retimes_messages(clinic, desk_user):
    appointment = booking(*clinic, at(DAY, 9, 30))
    with mock.patch("treatments.scheduling.messaging.appointment_changed") as hook:
        appointment_check_in(appointment=appointment, by=desk_user, now=NOW)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN
    assert appointment.checked_in_at == NOW
    change = AppointmentChange.objects.get(appointment=appointment)
    assert (change.kind, change.by, change.at) == ("checked_in", desk_user, NOW)
    hook.assert_called_once()
    assert hook.call_args.kwargs["now"] == NOW


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("cancelled", "was cancelled"),
        ("checked_in", "already checked in"),
        ("completed", "already completed"),
        ("no_show", "marked as a no-show"),
    ],
)
def test_check_in_is_refused_unless_booked(clinic, desk_user, status, message):
    extra = {"cancelled_at": NOW} if status == "cancelled" else {}
    appointment = booking(*clinic, at(DAY, 9, 30), status=status, **extra)
    with pytest.raises(AttendanceError, match=message):
        appointment_check_in(appointment=appointment, by=desk_user, now=NOW)
    assert not AppointmentChange.objects.exists()


def test_check_in_is_refused_on_another_day(clinic, desk_user):
    appointment = booking(*clinic, at(DAY + dt.timedelta(days=1), 9))
    with pytest.raises(AttendanceError, match="on the day of their appointment"):
        appointment_check_in(appointment=appointment, by=desk_user, now=NOW)
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_no_show_after_the_start_keeps_history(clinic, desk_user):
    appointment = booking(*clinic, at(DAY, 9))
    with mock.patch("treatments.scheduling.messaging.appointment_changed") as hook:
        appointment_mark_no_show(appointment=appointment, by=desk_user, now=NOW)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.NO_SHOW
    assert AppointmentChange.objects.get(appointment=appointment).kind == "no_show"
    hook.assert_called_once()


def test_no_show_before_the_start_is_refused(clinic, desk_user):
    appointment = booking(*clinic, at(DAY, 9, 30))
    with pytest.raises(AttendanceError, match="once its start time has passed"):
        appointment_mark_no_show(appointment=appointment, by=desk_user, now=NOW)
    appointment.refresh_from_db()
    assert appointment.status == "booked"


@pytest.mark.parametrize("status", ["cancelled", "checked_in", "completed", "no_show"])
def test_no_show_is_refused_unless_booked(clinic, desk_user, status):
    extra = {"cancelled_at": NOW} if status == "cancelled" else {}
    appointment = booking(*clinic, at(DAY, 9), status=status, **extra)
    with pytest.raises(AttendanceError):
        appointment_mark_no_show(appointment=appointment, by=desk_user, now=NOW)
    assert not AppointmentChange.objects.exists()


def test_check_in_button_on_the_calendar(desk_client, clinic, time_machine):
    time_machine.move_to(NOW, tick=False)
    appointment = booking(*clinic, at(DAY, 9, 30))
    response = desk_client.post(f"/desk/appointments/{appointment.pk}/check-in/", follow=True)
    assert response.redirect_chain[-1][0] == f"/desk/?date={DAY}#appt-{appointment.pk}"
    page = response.content.decode()
    assert f"{appointment.patient.full_name} is checked in." in page
    assert "Checked in" in page
    appointment.refresh_from_db()
    assert appointment.status == "checked_in"


def test_a_refused_no_show_shows_the_reason(desk_client, clinic, time_machine):
    time_machine.move_to(NOW, tick=False)
    appointment = booking(*clinic, at(DAY, 11))
    response = desk_client.post(f"/desk/appointments/{appointment.pk}/no-show/", follow=True)
    assert "once its start time has passed" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_attendance_actions_need_post_a_role_and_a_real_appointment(client, desk_client, no_role_user, clinic):
    appointment = booking(*clinic, at(DAY, 9, 30))
    url = f"/desk/appointments/{appointment.pk}/check-in/"
    assert desk_client.get(url).status_code == 405
    assert desk_client.post("/desk/appointments/999999/check-in/").status_code == 404
    assert desk_client.post("/desk/appointments/999999/no-show/").status_code == 404
    desk_client.logout()
    assert client.post(url).status_code == 302
    client.force_login(no_role_user)
    assert client.post(url).status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == "booked"
