"""The day page keeps its grid in the cache (scheduling.day_grid): a second look is served from
it, and every change to what the grid shows is on the page at the next look, whatever wrote it."""

import datetime as dt

import pytest
from django.utils import timezone

from clinic.models import Closure
from patients.selectors_intake import consent_text_current
from patients.services import screening_record
from patients.services_intake import IntakeData, consent_sign, intake_record
from tests.factories import PatientFactory
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours, series_booking
from treatments.scheduling.services.attendance import appointment_patient_confirm

pytestmark = pytest.mark.django_db

NOW = at(DAY, 8, 30)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _day(client) -> str:
    response = client.get(f"/desk/?date={DAY}")
    assert response.status_code == 200
    return response.content.decode()


def _kept(client, django_assert_max_num_queries, time_machine) -> str:
    """The page once to build the grid, then again: the second answer comes from the cache. Then
    a second passes, so what is written next is stamped later (as it would be)."""
    _day(client)
    with django_assert_max_num_queries(11):  # the day's rows and flags say the kept grid holds
        page = _day(client)
    time_machine.shift(1)
    return page


def test_a_renamed_patient_shows_under_the_new_name(desk_client, django_assert_max_num_queries, time_machine):
    ada, main = practitioner_with_hours()
    jane = PatientFactory(first_name="Jane", last_name="Doe")
    booking(ada, main, at(DAY, 9), patient=jane)
    assert "Jane Doe" in _kept(desk_client, django_assert_max_num_queries, time_machine)
    jane.last_name = "Smith"
    jane.save()
    page = _day(desk_client)
    assert "Jane Smith" in page
    assert "Jane Doe" not in page


def test_a_screening_answer_stored_in_bulk_shows_its_flag(desk_client, django_assert_max_num_queries, time_machine):
    ada, main = practitioner_with_hours()
    jane = PatientFactory(first_name="Jane", last_name="Doe")
    booking(ada, main, at(DAY, 9), patient=jane)
    assert "Screening flags:" not in _kept(desk_client, django_assert_max_num_queries, time_machine)
    screening_record(patient=jane, answers={"anticoagulants": True}, by=None, now=NOW)
    assert "Screening flags: Takes blood thinners (anticoagulants)" in _day(desk_client)


def test_the_patients_confirmation_shows_its_badge(desk_client, django_assert_max_num_queries, time_machine):
    ada, main = practitioner_with_hours()
    appointment = booking(ada, main, at(DAY, 9))
    assert "cal-confirmed" not in _kept(desk_client, django_assert_max_num_queries, time_machine)
    assert appointment_patient_confirm(appointment_id=appointment.pk, now=timezone.now())
    assert "cal-confirmed" in _day(desk_client)


def test_moving_a_session_on_another_day_updates_the_spacing_note(
    desk_client, django_assert_max_num_queries, time_machine
):
    ada, main = practitioner_with_hours()
    _series, (first, _second) = series_booking(ada, main, [at(DAY - dt.timedelta(days=28), 9), at(DAY, 9)])
    assert "data-spacing" not in _kept(desk_client, django_assert_max_num_queries, time_machine)
    first.start, first.end = first.start + dt.timedelta(days=7), first.end + dt.timedelta(days=7)
    first.save()
    assert "21 days after session 1; protocol: 28" in _day(desk_client)


def test_a_new_closure_and_a_renamed_practitioner_show(desk_client, django_assert_max_num_queries, time_machine):
    ada, main = practitioner_with_hours()
    booking(ada, main, at(DAY, 9))
    assert "Closed:" not in _kept(desk_client, django_assert_max_num_queries, time_machine)
    Closure.objects.create(starts_at=at(DAY, 13), ends_at=at(DAY, 17), reason="Staff training")
    ada.display_name = "Dr Ada Lovelace"
    ada.save()
    page = _day(desk_client)
    assert "Closed: Staff training (13:00–17:00)" in page
    assert "Dr Ada Lovelace" in page


def test_the_no_show_button_appears_once_the_appointment_has_started(
    desk_client, time_machine, django_assert_max_num_queries
):
    ada, main = practitioner_with_hours()
    appointment = booking(ada, main, at(DAY, 8, 45))
    no_show = f'formaction="/desk/appointments/{appointment.pk}/no-show/"'
    assert no_show not in _kept(desk_client, django_assert_max_num_queries, time_machine)
    time_machine.move_to(at(DAY, 8, 45), tick=False)
    assert no_show in _day(desk_client)


def test_the_cards_buttons_carry_no_token_and_submit_the_pages_one_form(desk_client, time_machine):
    ada, main = practitioner_with_hours()
    appointment = booking(ada, main, at(DAY, 9))
    page = _day(desk_client)
    grid = page.split('<div class="cal-scroll')[1].split('<section class="kbd-help')[0]
    assert "csrfmiddlewaretoken" not in grid
    assert '<form id="cal-actions" method="post" hidden><input type="hidden" name="csrfmiddlewaretoken"' in page
    check_in = f'form="cal-actions" formaction="/desk/appointments/{appointment.pk}/check-in/"'
    assert check_in in page
    # The form's token is accepted: the desk checks the patient in with it.
    token = page.split('id="cal-actions" method="post" hidden><input type="hidden" name="csrfmiddlewaretoken" value="')[
        1
    ]
    token = token.split('"')[0]
    desk_client.handler.enforce_csrf_checks = True
    time_machine.shift(1)
    response = desk_client.post(f"/desk/appointments/{appointment.pk}/check-in/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "Checked in" in _day(desk_client)


def test_the_intake_sent_and_the_consent_signed_show_intake_done(
    desk_client, django_assert_max_num_queries, time_machine
):
    ada, main = practitioner_with_hours()
    jane = PatientFactory(first_name="Jane", last_name="Doe")
    booking(ada, main, at(DAY, 9), patient=jane)
    assert "Intake done" not in _kept(desk_client, django_assert_max_num_queries, time_machine)
    intake_record(patient=jane, data=IntakeData(blood_thinners=False), now=NOW)
    assert "Intake done" not in _day(desk_client)  # the consent is not signed yet
    version = consent_text_current().version
    consent_sign(patient=jane, version=version, typed_name="Jane Doe", agreed=True, ip=None, now=NOW)
    assert "Intake done" in _day(desk_client)


def test_each_day_and_filter_shows_its_own_toolbar_and_a_new_location_its_option(desk_client):
    """The part around the grid is rendered once per setup and filter, then filled with each day's own
    date, links, count and version: nothing of one day shows on another."""
    from tests.factories import LocationFactory
    from treatments.scheduling.selectors.calendar import read_day

    ada, main = practitioner_with_hours()
    booking(ada, main, at(DAY, 9))
    tomorrow = DAY + dt.timedelta(days=1)
    first, second = _day(desk_client), desk_client.get(f"/desk/?date={tomorrow}").content.decode()
    assert f'value="{DAY}"' in first and f'value="{tomorrow}"' in second
    assert f'href="?date={DAY - dt.timedelta(days=1)}" rel="prev"' in first
    assert f'href="?date={DAY}" rel="prev"' in second
    assert "1 appointment on this day" in first and "0 appointments on this day" in second
    assert f'data-version="{read_day(day=DAY).version}"' in first
    assert f'data-version="{read_day(day=tomorrow).version}"' in second
    assert 'name="location"' not in first  # one location: no filter
    other = LocationFactory(name="Harbour Street")
    page = desk_client.get(f"/desk/?date={DAY}&location={main.pk}").content.decode()
    assert f'<option value="{other.pk}">Harbour Street</option>' in page
    assert f'href="?date={tomorrow}&amp;location={main.pk}" rel="next"' in page


def test_a_closure_moved_or_deleted_leaves_the_day_it_no_longer_covers(desk_client):
    """The closures are kept with the setup (selectors.calendar_setup): a change to one is on the next look."""
    ada, main = practitioner_with_hours()
    booking(ada, main, at(DAY, 9))
    closure = Closure.objects.create(starts_at=at(DAY, 13), ends_at=at(DAY, 17), reason="Staff training")
    assert "Closed: Staff training (13:00–17:00)" in _day(desk_client)
    closure.starts_at, closure.ends_at = at(DAY + dt.timedelta(days=1), 13), at(DAY + dt.timedelta(days=1), 17)
    closure.save()
    assert "Staff training" not in _day(desk_client)
    assert (
        "Closed: Staff training (13:00–17:00)"
        in desk_client.get(f"/desk/?date={DAY + dt.timedelta(days=1)}").content.decode()
    )
    closure.delete()
    assert "Staff training" not in desk_client.get(f"/desk/?date={DAY + dt.timedelta(days=1)}").content.decode()
