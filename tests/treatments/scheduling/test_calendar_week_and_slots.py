import datetime as dt

import pytest

from clinic.models import Closure
from tests.factories import appointment_type
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours
from treatments.scheduling.selectors.slots import next_free_slots

pytestmark = pytest.mark.django_db

NOW = at(DAY, 8)  # Tuesday 17 March 2026, 08:00


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_week_shows_seven_days_of_one_practitioner(desk_client):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    ben, _ = practitioner_with_hours("Dr Ben Hall", location=main)
    mine = booking(ada, main, at(DAY + dt.timedelta(days=2), 10))  # Thursday
    theirs = booking(ben, main, at(DAY, 10))
    response = desk_client.get(f"/desk/week/{ada.pk}/?date={DAY}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Week of Dr Ada Stone" in page
    assert "16 Mar – 22 Mar 2026" in page
    assert page.count('class="cal-col"') == 7
    assert f'id="appt-{mine.pk}"' in page
    assert f'id="appt-{theirs.pk}"' not in page
    assert 'href="?date=2026-03-09" rel="prev"' in page


def test_week_of_an_unknown_practitioner_is_404(desk_client):
    assert desk_client.get("/desk/week/999999/").status_code == 404


def test_week_with_a_bad_date_says_so(desk_client):
    ada, _ = practitioner_with_hours()
    response = desk_client.get(f"/desk/week/{ada.pk}/?date=2026-13-01")
    assert response.status_code == 400
    assert "is not a date the calendar understands" in response.content.decode()


def test_week_needs_a_role(client, no_role_user):
    ada, _ = practitioner_with_hours()
    assert client.get(f"/desk/week/{ada.pk}/").status_code == 302
    client.force_login(no_role_user)
    assert client.get(f"/desk/week/{ada.pk}/").status_code == 403


@pytest.mark.parametrize("count", [1, 40])
def test_week_uses_a_fixed_number_of_queries(desk_client, django_assert_max_num_queries, count):
    ada, main = practitioner_with_hours()
    for n in range(count):
        booking(ada, main, at(DAY + dt.timedelta(days=n % 5 - 1), 8) + dt.timedelta(minutes=40 * (n // 5)))
    desk_client.get("/desk/")
    # session, user, roles, practitioner, appointments, hours, closures, flags, practitioners, types,
    # clinic settings, session save (+2 savepoints)
    # + 2: the money badges (treatments.hooks.appointment_badges: billing's providers), fixed
    with django_assert_max_num_queries(15 + 2):
        response = desk_client.get(f"/desk/week/{ada.pk}/?date={DAY}")
    assert response.content.decode().count('class="cal-appt ') == count


def test_next_free_slot_skips_bookings_breaks_and_closures():
    ada, main = practitioner_with_hours()
    injection = appointment_type("injection")  # 30 minutes + 10 buffer
    booking(ada, main, at(DAY, 8))  # 08:00-08:30, buffer to 08:40
    slots = next_free_slots(practitioner=ada, appointment_type=injection, after=NOW, now=NOW)
    assert slots[0].start == at(DAY, 8, 40)
    assert slots[1].start == at(DAY + dt.timedelta(days=1), 8)
    Closure.objects.create(
        practitioner=ada, starts_at=at(DAY, 0), ends_at=at(DAY + dt.timedelta(days=2), 0), reason="Leave"
    )
    slots = next_free_slots(practitioner=ada, appointment_type=injection, after=NOW, now=NOW)
    assert slots[0].start == at(DAY + dt.timedelta(days=2), 8)


def test_next_free_slot_never_offers_the_past():
    ada, _main = practitioner_with_hours()
    now = at(DAY, 11, 52)
    slots = next_free_slots(practitioner=ada, appointment_type=appointment_type("follow-up"), after=at(DAY, 0), now=now)
    assert slots[0].start == at(DAY, 13, 0)  # 11:55 + 15 min would end after the morning block


def test_next_free_slot_page_lists_slots(desk_client):
    ada, main = practitioner_with_hours()
    injection = appointment_type("injection")
    response = desk_client.get(
        "/desk/next-slot/", {"practitioner": ada.pk, "appointment_type": injection.pk, "after": "2026-03-18"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Wednesday 18 March 2026, 08:00" in page
    assert "Main Street" in page


def test_next_free_slot_page_with_nothing_free_says_why(desk_client):
    ada, main = practitioner_with_hours(weekdays=())
    response = desk_client.get(
        "/desk/next-slot/", {"practitioner": ada.pk, "appointment_type": appointment_type("injection").pk}
    )
    assert "No free slot in the next 90 days" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"practitioner": "999999", "appointment_type": "1"}, "Select a valid choice"),
        ({"appointment_type": "abc"}, "Select a valid choice"),
        ({"after": "2026-02-31"}, "Enter a valid date"),
        ({"after": "2031-01-01"}, "within the next two years"),
    ],
)
def test_next_free_slot_page_bad_input(desk_client, params, message):
    ada, _main = practitioner_with_hours()
    query = {"practitioner": ada.pk, "appointment_type": appointment_type("injection").pk, **params}
    response = desk_client.get("/desk/next-slot/", query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_next_free_slot_page_needs_a_role(client, no_role_user):
    assert client.get("/desk/next-slot/").status_code == 302
    client.force_login(no_role_user)
    assert client.get("/desk/next-slot/").status_code == 403


def test_next_free_slot_page_query_count_does_not_grow_with_bookings(desk_client, django_assert_max_num_queries):
    ada, main = practitioner_with_hours()
    for n in range(30):
        booking(ada, main, at(DAY + dt.timedelta(days=n), 8))
    desk_client.get("/desk/")
    with django_assert_max_num_queries(18):
        desk_client.get(
            "/desk/next-slot/", {"practitioner": ada.pk, "appointment_type": appointment_type("injection").pk}
        )


def test_type_colours_stylesheet(desk_client):
    response = desk_client.get("/desk/calendar/types.css")
    css = response.content.decode()
    assert response["Content-Type"].startswith("text/css")
    injection = appointment_type("injection")
    assert f".cal-type-{injection.pk} {{ border-left-color: #0d6efd;" in css


def test_type_colours_ignore_anything_but_a_hex_colour(desk_client):
    injection = appointment_type("injection")
    injection.colour = "red;}"
    injection.save()
    css = desk_client.get("/desk/calendar/types.css").content.decode()
    assert "red;}" not in css
