"""/desk/setup/: the clinic admin's hours and time off page, a practitioner's own time off when
the clinic allows it, the preview of covered bookings before saving, and the calendar card of a
covered booking marked until it is moved or cancelled."""

import datetime as dt

import pytest
import time_machine

from clinic.models import ClinicSettings, Closure, WorkingHours
from tests.factories import PractitionerFactory
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours
from treatments.models import Appointment

pytestmark = pytest.mark.django_db
NOW = at(DAY - dt.timedelta(days=1), 12, 0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def patel():
    return practitioner_with_hours("Dr Patel")


def _conference(client, doctor, **extra):
    data = {
        "practitioner": doctor.pk,
        "location": "",
        "first_day": DAY.isoformat(),
        "start_time": "09:00",
        "last_day": "",
        "end_time": "13:00",
        "reason": "Conference",
        **extra,
    }
    return client.post("/desk/setup/closures/new/", data)


@pytest.mark.parametrize("path", ["/desk/setup/", "/desk/setup/closures/new/"])
def test_the_desk_may_not_change_hours_or_time_off(desk_client, path):
    assert desk_client.get(path).status_code == 403


def test_a_practitioner_may_not_add_time_off_unless_the_clinic_allows(client, practitioner_user, patel):
    PractitionerFactory(user=practitioner_user, display_name="Dr Own")
    client.force_login(practitioner_user)
    assert client.get("/desk/setup/time-off/").status_code == 403
    assert client.get("/desk/setup/").status_code == 403
    settings = ClinicSettings.load()
    settings.practitioners_own_time_off = True
    settings.save()
    page = client.get("/desk/setup/time-off/")
    assert page.status_code == 200 and "My time off" in page.content.decode()
    # Only their own: the form has no "Who", and another practitioner's closure is a 404.
    assert 'name="practitioner"' not in page.content.decode()
    theirs = Closure.objects.create(practitioner=patel[0], starts_at=at(DAY, 9), ends_at=at(DAY, 10), reason="Dentist")
    assert client.get(f"/desk/setup/closures/{theirs.pk}/").status_code == 404
    assert client.post(f"/desk/setup/closures/{theirs.pk}/remove/").status_code == 404
    assert Closure.objects.filter(pk=theirs.pk).exists()


def test_a_closure_over_a_booking_is_previewed_then_saved_and_leads_to_the_booking(admin_client_, patel):
    doctor, location = patel
    amelia = booking(doctor, location, at(DAY, 10))

    preview = _conference(admin_client_, doctor)
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Nothing is saved yet: this time covers 1 booking." in html
    assert amelia.patient.full_name in html and "Tue 17 Mar 08:30" in html  # the nearest allowed time
    assert not Closure.objects.exists()

    saved = _conference(admin_client_, doctor, confirm="yes")
    closure = Closure.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/desk/setup/closures/{closure.pk}/"
    detail = admin_client_.get(saved["Location"]).content.decode()
    assert "Saved. It covers 1 booking: move or cancel it below." in detail
    assert f'id="covered-{amelia.pk}"' in detail

    # The same closure again is refused in the page, and stored once.
    again = _conference(admin_client_, doctor, confirm="yes")
    assert again.status_code == 400 and "This is already recorded" in again.content.decode()
    assert Closure.objects.count() == 1


def test_the_same_closure_again_is_refused_at_the_check_not_offered_for_saving(admin_client_, patel):
    """The check step says what the save would: no list of bookings and "Save it" for a closure
    that is already recorded (or overlaps one of the same people and place)."""
    doctor, location = patel
    booking(doctor, location, at(DAY, 10))
    _conference(admin_client_, doctor, confirm="yes")

    again = _conference(admin_client_, doctor)

    html = again.content.decode()
    assert again.status_code == 400 and "This is already recorded" in html
    assert "Nothing is saved yet" not in html and "Save it; I will handle these bookings" not in html
    assert Closure.objects.count() == 1


def test_the_covered_booking_is_marked_on_the_calendar_until_it_is_moved(admin_client_, desk_user, patel):
    from django.test import Client

    desk_client = Client()
    desk_client.force_login(desk_user)
    doctor, location = patel
    amelia = booking(doctor, location, at(DAY, 10))
    _conference(admin_client_, doctor, confirm="yes")
    closure = Closure.objects.get()

    day = desk_client.get(f"/desk/?date={DAY}").content.decode()
    assert "Inside a closure — move or cancel: Conference" in day and "cal-in-closure" in day
    # The week of every practitioner marks its card too (issue 19, item 5).
    week = desk_client.get(f"/desk/week/?date={DAY}").content.decode()
    card = week[week.index(f'id="appt-{amelia.pk}"') :].split("</article>", 1)[0]
    assert "Inside a closure — move or cancel: Conference" in card and "cal-in-closure" in card

    # A minute later, as in life (the day's fingerprint reads the appointments' updated_at).
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        moved = admin_client_.post(
            f"/desk/setup/closures/{closure.pk}/bookings/", {"appointment": amelia.pk, "action": "move"}, follow=True
        )
        day = desk_client.get(f"/desk/?date={DAY}").content.decode()
    assert "1 booking moved; the patient is told." in moved.content.decode()
    amelia.refresh_from_db()
    assert amelia.start == at(DAY, 8, 30)
    assert "Inside a closure" not in day
    assert "Inside a closure" not in desk_client.get(f"/desk/week/?date={DAY}").content.decode()


def test_every_covered_booking_can_be_cancelled_at_once_with_the_patients_told(admin_client_, patel):
    doctor, location = patel
    first, second = booking(doctor, location, at(DAY, 9)), booking(doctor, location, at(DAY, 11))
    _conference(admin_client_, doctor, confirm="yes")
    closure = Closure.objects.get()
    page = admin_client_.post(
        f"/desk/setup/closures/{closure.pk}/bookings/", {"appointment": "all", "action": "cancel"}, follow=True
    ).content.decode()
    assert "2 bookings cancelled; the patients are told." in page
    assert set(Appointment.objects.values_list("status", flat=True)) == {"cancelled"}
    assert "No booking is inside this time." in page
    assert {first.pk, second.pk} == set(Appointment.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"first_day": "someday"}, "Enter a valid date."),
        ({"end_time": "08:00"}, "The end must be after the start."),
        ({"reason": ""}, "This field is required."),
    ],
)
def test_bad_closure_input_is_shown_in_the_page_and_nothing_is_saved(admin_client_, patel, extra, message):
    response = _conference(admin_client_, patel[0], confirm="yes", **extra)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Closure.objects.exists()


def test_a_new_week_shows_the_bookings_it_leaves_outside_before_saving(admin_client_, patel):
    doctor, location = patel
    afternoon = booking(doctor, location, at(DAY, 14))
    week = {"which": location.pk, f"loc{location.pk}-location": location.pk}
    week |= {f"loc{location.pk}-day_{d}": "08:00-12:00" for d in range(5)}

    preview = admin_client_.post(f"/desk/setup/practitioners/{doctor.pk}/", week)
    html = preview.content.decode()
    assert "Nothing is saved yet: this week leaves 1 booking outside the hours." in html
    assert afternoon.patient.full_name in html
    assert WorkingHours.objects.filter(practitioner=doctor).count() == 10

    saved = admin_client_.post(f"/desk/setup/practitioners/{doctor.pk}/", week | {"confirm": "yes"}, follow=True)
    assert "1 booking now falls outside the hours" in saved.content.decode()
    assert WorkingHours.objects.filter(practitioner=doctor).count() == 5


def test_a_badly_typed_week_is_refused_in_the_page_and_the_old_week_stays(admin_client_, patel):
    doctor, location = patel
    week = {"which": location.pk, f"loc{location.pk}-location": location.pk, f"loc{location.pk}-day_0": "9 to 5"}
    response = admin_client_.post(f"/desk/setup/practitioners/{doctor.pk}/", week)
    assert response.status_code == 400
    assert "Write each block as 09:00-12:00" in response.content.decode()
    assert WorkingHours.objects.filter(practitioner=doctor).count() == 10


def test_the_setup_pages_read_a_bounded_number_of_queries(admin_client_, patel, django_assert_max_num_queries):
    doctor, location = patel
    for n in range(4):
        other, _loc = practitioner_with_hours(f"Dr Other {n}", location=location)
        Closure.objects.create(practitioner=other, starts_at=at(DAY, 9), ends_at=at(DAY, 10), reason=f"Off {n}")
    with django_assert_max_num_queries(20):
        assert admin_client_.get("/desk/setup/").status_code == 200
    with django_assert_max_num_queries(22):
        assert admin_client_.get(f"/desk/setup/practitioners/{doctor.pk}/").status_code == 200
    closure = Closure.objects.first()
    for hour in (9,):
        booking(closure.practitioner, location, at(DAY, hour))
    # Each covered booking asks the planner where it could go (a few reads each).
    with django_assert_max_num_queries(24):
        assert admin_client_.get(f"/desk/setup/closures/{closure.pk}/").status_code == 200


def test_a_time_swept_on_the_calendar_opens_the_form_filled_in_and_saves_nothing(admin_client_, patel):
    doctor, _location = patel
    page = admin_client_.get(
        f"/desk/setup/closures/new/?practitioner={doctor.pk}&first_day={DAY}&start_time=15:00&end_time=16:00"
    ).content.decode()
    assert f'<option value="{doctor.pk}" selected>Dr Patel</option>' in page
    assert 'value="15:00"' in page and 'value="16:00"' in page and f'value="{DAY}"' in page
    assert not Closure.objects.exists()


def test_the_day_calendar_offers_sweeping_time_off_only_to_who_may_add_it(admin_client_, desk_user):
    from django.test import Client

    assert "data-time-off-url" in admin_client_.get(f"/desk/?date={DAY}").content.decode()
    desk = Client()
    desk.force_login(desk_user)
    assert "data-time-off-url" not in desk.get(f"/desk/?date={DAY}").content.decode()


def test_the_setup_index_lists_each_location_of_a_week_without_a_stray_comma(admin_client_):
    """Dr Lindqvist's hours read "Downtown: Mon 08:30-12:00, Mon 13:00-17:00, ; Northside: …"."""
    from tests.factories import LocationFactory, WorkingHoursFactory

    doctor, _main = practitioner_with_hours("Dr Lindqvist", weekdays=(0,))
    northside = LocationFactory(name="Northside")
    WorkingHoursFactory(practitioner=doctor, location=northside, weekday=1, start=dt.time(9), end=dt.time(12))

    page = admin_client_.get("/desk/setup/").content.decode()

    assert "Main Street: Mon 08:00-12:00, Mon 13:00-17:00; Northside: Tue 09:00-12:00</span>" in page


@pytest.mark.parametrize("which", ["index", "practitioner"])
def test_the_time_off_table_is_named_once_by_its_heading(admin_client_, patel, which):
    """A screen reader hears "Time off and closures ahead" once: the table is labelled by the
    heading above it, not by a hidden caption repeating it."""
    doctor, _location = patel
    Closure.objects.create(practitioner=doctor, starts_at=at(DAY, 9), ends_at=at(DAY, 10), reason="Dentist")
    path = "/desk/setup/" if which == "index" else f"/desk/setup/practitioners/{doctor.pk}/"
    html = admin_client_.get(path).content.decode()
    assert html.count("Time off and closures ahead") == 1
    assert '<h2 id="closures-ahead">' in html and 'aria-labelledby="closures-ahead"' in html
    assert "Dentist" in html
