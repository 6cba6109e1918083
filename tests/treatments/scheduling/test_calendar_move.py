"""Moving a card dragged (or keyed) on the desk calendar: the dialog shows what the move does to
the series' spacing before the desk confirms; the move itself is appointment_move's."""

import datetime as dt

import pytest

from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours, series_booking
from treatments.models import Appointment

pytestmark = pytest.mark.django_db

NOW = at(DAY, 8)  # Tuesday 17 March 2026, 08:00
HX = {"HTTP_HX_REQUEST": "true"}
WEEKS4 = dt.timedelta(days=28)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def series():
    ada, main = practitioner_with_hours("Dr Ada Stone")
    first = at(DAY + dt.timedelta(days=1), 10)  # Wednesday 18 March
    return series_booking(ada, main, [first, first + WEEKS4, first + 2 * WEEKS4])


def test_dropping_session_two_a_day_later_shows_both_spacings_before_anything_moves(desk_client, series):
    _series, (_one, two, _three) = series
    response = desk_client.get(f"/desk/appointments/{two.pk}/move-on-calendar/?date=2026-04-16&time=11:00", **HX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "To: Thursday 16 April, 11:00" in page
    assert "Session 2: 29 days after session 1; protocol: 28." in page
    assert "Session 3: 27 days after session 2; protocol: 28." in page
    assert "Confirm the move" in page
    two.refresh_from_db()
    assert two.start == at(dt.date(2026, 4, 15), 10)


def test_confirming_moves_through_the_service_and_returns_to_the_new_day(desk_client, series):
    _series, (_one, two, _three) = series
    response = desk_client.post(
        f"/desk/appointments/{two.pk}/move-on-calendar/", {"date": "2026-04-16", "time": "11:00"}, **HX
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/desk/?date=2026-04-16&moved={two.pk}#appt-{two.pk}"
    two.refresh_from_db()
    assert two.start == at(dt.date(2026, 4, 16), 11)
    assert "Moved 1 appointment." in desk_client.get("/desk/?date=2026-04-16").content.decode()


def test_a_day_outside_the_window_is_flagged_and_the_service_refuses_it(desk_client, series):
    _series, (_one, two, _three) = series
    preview = desk_client.get(f"/desk/appointments/{two.pk}/move-on-calendar/?date=2026-03-20&time=10:00", **HX)
    assert "this day is outside it" in preview.content.decode()
    response = desk_client.post(
        f"/desk/appointments/{two.pk}/move-on-calendar/", {"date": "2026-03-20", "time": "10:00"}, **HX
    )
    assert response.status_code == 400
    assert "to keep the spacing" in response.content.decode()
    assert Appointment.objects.get(pk=two.pk).start == at(dt.date(2026, 4, 15), 10)


def test_a_standalone_appointment_moves_without_spacing_notes(desk_client):
    ada, main = practitioner_with_hours()
    alone = booking(ada, main, at(DAY, 10), slug="follow-up")
    page = desk_client.get(f"/desk/appointments/{alone.pk}/move-on-calendar/?date={DAY}&time=14:00", **HX)
    assert "Session" not in page.content.decode()
    desk_client.post(f"/desk/appointments/{alone.pk}/move-on-calendar/", {"date": DAY, "time": "14:00"}, **HX)
    alone.refresh_from_db()
    assert alone.start == at(DAY, 14)


def test_dropping_on_another_practitioner_names_them_with_the_spacing_before_anything_moves(desk_client, series):
    _series, (_one, two, _three) = series
    ben, _ = practitioner_with_hours("Dr Ben Hall", location=two.location)
    response = desk_client.get(
        f"/desk/appointments/{two.pk}/move-on-calendar/?date=2026-04-16&time=11:00&practitioner={ben.pk}", **HX
    )
    page = response.content.decode()
    assert "With Dr Ben Hall instead of Dr Ada Stone" in page
    assert "Session 2: 29 days after session 1; protocol: 28." in page
    assert f'<input type="hidden" name="practitioner" value="{ben.pk}">' in page
    assert Appointment.objects.get(pk=two.pk).practitioner_id == two.practitioner_id


def test_confirming_hands_the_session_to_the_other_practitioner(desk_client, series):
    _series, (_one, two, _three) = series
    ben, _ = practitioner_with_hours("Dr Ben Hall", location=two.location)
    response = desk_client.post(
        f"/desk/appointments/{two.pk}/move-on-calendar/",
        {"date": "2026-04-16", "time": "11:00", "practitioner": ben.pk},
        **HX,
    )
    assert response.status_code == 204
    two.refresh_from_db()
    assert (two.practitioner, two.start) == (ben, at(dt.date(2026, 4, 16), 11))
    history = desk_client.get(f"/desk/series/{two.series_id}/").content.decode()
    assert "from Dr Ada Stone to Dr Ben Hall" in history


def test_a_move_from_the_week_goes_back_to_the_week(desk_client, series):
    _series, (_one, two, _three) = series
    response = desk_client.post(
        f"/desk/appointments/{two.pk}/move-on-calendar/",
        {"date": "2026-04-16", "time": "11:00", "back": "week"},
        **HX,
    )
    assert response["HX-Redirect"] == f"/desk/week/?date=2026-04-16&moved={two.pk}#appt-{two.pk}"


def test_without_htmx_the_move_page_from_the_week_leads_back_to_the_week(desk_client, series):
    _series, (_one, two, _three) = series
    page = desk_client.get(f"/desk/appointments/{two.pk}/move-on-calendar/?back=week").content.decode()
    assert '<a href="/desk/week/?date=2026-04-15">← Back to the week</a>' in page


def test_a_colleague_busy_then_is_refused_in_the_dialog(desk_client, series):
    _series, (_one, two, _three) = series
    ben, _ = practitioner_with_hours("Dr Ben Hall", location=two.location)
    booking(ben, two.location, at(dt.date(2026, 4, 16), 11), slug="follow-up")
    response = desk_client.post(
        f"/desk/appointments/{two.pk}/move-on-calendar/",
        {"date": "2026-04-16", "time": "11:00", "practitioner": ben.pk},
        **HX,
    )
    assert response.status_code == 400
    assert "Dr Ben Hall already has an appointment then" in response.content.decode()
    assert Appointment.objects.get(pk=two.pk).practitioner_id != ben.pk


def test_an_unknown_practitioner_is_a_400(desk_client, series):
    _series, (_one, two, _three) = series
    response = desk_client.post(
        f"/desk/appointments/{two.pk}/move-on-calendar/",
        {"date": "2026-04-16", "time": "11:00", "practitioner": "999999"},
        **HX,
    )
    assert response.status_code == 400
    assert "Check the date, time and practitioner." in response.content.decode()


def test_keyboard_move_opens_at_the_card_time(desk_client, series):
    _series, (_one, two, _three) = series
    page = desk_client.get(f"/desk/appointments/{two.pk}/move-on-calendar/", **HX).content.decode()
    assert 'value="2026-04-15"' in page
    assert 'value="10:00"' in page
    assert f'<option value="{two.practitioner_id}" selected>Dr Ada Stone</option>' in page
    assert "Confirm the move" not in page


@pytest.mark.parametrize("query", ["date=2026-13-01&time=10:00", "date=x&time=y", "date=1800-01-01&time=10:00"])
def test_bad_input_is_a_400_with_the_form_again(desk_client, series, query):
    _series, (_one, two, _three) = series
    response = desk_client.get(f"/desk/appointments/{two.pk}/move-on-calendar/?{query}", **HX)
    assert response.status_code == 400
    assert "Confirm the move" not in response.content.decode()


def test_bad_post_says_check_the_date(desk_client, series):
    _series, (_one, two, _three) = series
    response = desk_client.post(f"/desk/appointments/{two.pk}/move-on-calendar/", {"date": "x"}, **HX)
    assert response.status_code == 400
    assert "Check the date, time and practitioner." in response.content.decode()


def test_without_htmx_the_move_is_a_page_and_a_redirect(desk_client, series):
    _series, (_one, two, _three) = series
    page = desk_client.get(f"/desk/appointments/{two.pk}/move-on-calendar/?date=2026-04-16&time=11:00")
    assert "<html" in page.content.decode()
    response = desk_client.post(
        f"/desk/appointments/{two.pk}/move-on-calendar/", {"date": "2026-04-16", "time": "11:00"}
    )
    assert response.status_code == 302


def test_moving_an_unknown_appointment_is_404(desk_client):
    assert desk_client.get("/desk/appointments/999999/move-on-calendar/").status_code == 404


def test_movable_cards_are_marked_for_the_script_only_once_per_grid(desk_client):
    practitioner_with_hours()
    page = desk_client.get(f"/desk/?date={DAY}").content.decode()
    assert page.count('data-move-url="/desk/appointments/0/move-on-calendar/"') == 1
