"""The clinic setup screens refuse impossible hours and closures with a clear message."""

import datetime as dt
import re

import pytest

from clinic.models import AppointmentType, Closure, Practitioner, WorkingHours
from clinic.tokens import token_hash
from tests.factories import (
    LocationFactory,
    PractitionerFactory,
    UserFactory,
    WorkingHoursFactory,
    login_with_second_factor,
)

pytestmark = pytest.mark.django_db


def _inline(practitioner, user, blocks):
    location = LocationFactory(name="Main Street")
    data = {
        "user": user.pk,
        "display_name": practitioner.display_name if practitioner else "Dr New",
        "title": "",
        "colour": "#0d6efd",
        "active": "on",
        "working_hours-TOTAL_FORMS": str(len(blocks)),
        "working_hours-INITIAL_FORMS": "0",
        "working_hours-MIN_NUM_FORMS": "0",
        "working_hours-MAX_NUM_FORMS": "1000",
    }
    for i, (weekday, start, end) in enumerate(blocks):
        data.update(
            {
                f"working_hours-{i}-location": location.pk,
                f"working_hours-{i}-weekday": weekday,
                f"working_hours-{i}-start": start,
                f"working_hours-{i}-end": end,
            }
        )
    return data


def test_admin_adds_a_practitioner_with_a_morning_and_an_afternoon(admin_client_):
    user = UserFactory(username="ada")
    data = _inline(None, user, [(1, "08:00", "12:00"), (1, "13:00", "17:00"), (2, "08:00", "12:00")])
    response = admin_client_.post("/admin/clinic/practitioner/add/", data)
    assert response.status_code == 302
    assert WorkingHours.objects.count() == 3


def test_overlapping_blocks_on_one_weekday_are_refused(admin_client_):
    user = UserFactory(username="ada")
    data = _inline(None, user, [(1, "08:00", "12:00"), (1, "11:30", "17:00")])
    response = admin_client_.post("/admin/clinic/practitioner/add/", data)
    assert response.status_code == 200
    assert "Two blocks overlap on Tuesday: 08:00-12:00 and 11:30-17:00" in response.content.decode()
    assert not Practitioner.objects.exists()


def test_a_block_ending_before_it_starts_is_refused(admin_client_):
    user = UserFactory(username="ada")
    response = admin_client_.post("/admin/clinic/practitioner/add/", _inline(None, user, [(1, "12:00", "08:00")]))
    assert "The block must end after it starts (12:00)." in response.content.decode()
    assert not WorkingHours.objects.exists()


def test_standalone_block_overlapping_an_existing_one_is_refused(admin_client_):
    block = WorkingHoursFactory(weekday=1, start=dt.time(8), end=dt.time(12))
    response = admin_client_.post(
        "/admin/clinic/workinghours/add/",
        {
            "practitioner": block.practitioner_id,
            "location": LocationFactory().pk,
            "weekday": 1,
            "start": "09:00",
            "end": "10:00",
        },
    )
    assert "This block overlaps 08:00-12:00" in response.content.decode()
    assert WorkingHours.objects.count() == 1


def test_a_closure_ending_before_it_starts_is_refused(admin_client_):
    response = admin_client_.post(
        "/admin/clinic/closure/add/",
        {
            "reason": "Holiday",
            "starts_at_0": "2026-12-24",
            "starts_at_1": "00:00",
            "ends_at_0": "2026-12-23",
            "ends_at_1": "00:00",
        },
    )
    assert "The closure must end after it starts." in response.content.decode()
    assert not Closure.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"duration_minutes": "7"}, "multiple of 5 minutes"),
        ({"duration_minutes": "0"}, "between 5 and 480 minutes"),
        ({"colour": "red"}, "Use a colour like #0d6efd"),
        ({"buffer_minutes": "500"}, "at most 120 minutes"),
    ],
)
def test_appointment_type_bad_input(admin_client_, changes, message):
    data = {
        "name": "Long",
        "slug": "long",
        "duration_minutes": "60",
        "buffer_minutes": "0",
        "colour": "#123456",
        "active": "on",
        **changes,
    }
    response = admin_client_.post("/admin/clinic/appointmenttype/add/", data)
    assert message in response.content.decode()
    assert not AppointmentType.objects.filter(slug="long").exists()


def test_admin_issues_a_feed_link_shown_once_and_revokes_it(admin_client_):
    practitioner = PractitionerFactory(display_name="Dr Ada Stone")
    response = admin_client_.post(
        "/admin/clinic/practitioner/", {"action": "issue_feed", "_selected_action": [practitioner.pk]}
    )
    page = response.content.decode()
    token = re.search(r"/desk/feeds/([^<\s]+)\.ics", page).group(1)
    practitioner.refresh_from_db()
    assert practitioner.feed_token_hash == token_hash(token)
    assert token not in admin_client_.get(f"/admin/clinic/practitioner/{practitioner.pk}/change/").content.decode()
    admin_client_.post("/admin/clinic/practitioner/", {"action": "revoke_feed", "_selected_action": [practitioner.pk]})
    practitioner.refresh_from_db()
    assert practitioner.feed_token_hash == ""


def test_desk_cannot_open_clinic_setup(desk_client):
    response = desk_client.get("/admin/clinic/practitioner/")
    assert response.status_code == 302  # the admin's own login: the desk is not staff


def test_admin_patient_search_finds_by_name_prefix_whatever_the_case(client):
    from tests.factories import PatientFactory

    # A superuser: the clinic admin group's patient permissions depend on the roles sync
    # running after the patients app's own post_migrate (see docs/notes/calendar.md).
    login_with_second_factor(client, UserFactory(username="root", is_staff=True, is_superuser=True))
    PatientFactory(first_name="Jane", last_name="Doe")
    PatientFactory(first_name="Bob", last_name="Smith", email="bob@example.com")
    page = client.get("/admin/patients/patient/", {"q": "Doe J"}).content.decode()
    assert "Doe" in page
    assert "Smith" not in page
    assert "Smith" in client.get("/admin/patients/patient/", {"q": "BOB@example.com"}).content.decode()


def test_the_admin_refuses_the_same_closure_twice_as_the_desks_setup_page_does(admin_client_):
    import datetime as dt

    from clinic.localtime import local_datetime
    from clinic.models import Closure
    from tests.factories import PractitionerFactory

    patel = PractitionerFactory(display_name="Dr Patel")
    day = dt.date(2030, 12, 9)
    Closure.objects.create(
        practitioner=patel,
        starts_at=local_datetime(day, dt.time(9)),
        ends_at=local_datetime(day, dt.time(13)),
        reason="Conference",
    )
    form = {
        "reason": "Conference",
        "practitioner": patel.pk,
        "location": "",
        "starts_at_0": day.isoformat(),
        "starts_at_1": "11:00",
        "ends_at_0": day.isoformat(),
        "ends_at_1": "14:00",
    }
    response = admin_client_.post("/admin/clinic/closure/add/", form)
    assert response.status_code == 200
    assert "It overlaps “Conference”" in response.content.decode()
    assert Closure.objects.count() == 1


def test_a_closure_saved_in_the_admin_leads_to_the_bookings_it_covers(admin_client_):
    """The admin's closure form is not silent about bookings: once saved it says where the ones
    it covers are listed, to move or cancel (the desk's setup page for that closure)."""
    import datetime as dt

    from clinic.models import Closure
    from tests.factories import PractitionerFactory

    patel = PractitionerFactory(display_name="Dr Patel")
    day = dt.date(2030, 12, 9)
    form = {
        "reason": "Conference",
        "practitioner": patel.pk,
        "location": "",
        "starts_at_0": day.isoformat(),
        "starts_at_1": "09:00",
        "ends_at_0": day.isoformat(),
        "ends_at_1": "13:00",
    }

    response = admin_client_.post("/admin/clinic/closure/add/", form, follow=True)

    closure = Closure.objects.get()
    page = response.content.decode()
    assert f'href="/desk/setup/closures/{closure.pk}/"' in page
    assert "bookings it covers" in page
