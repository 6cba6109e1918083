import datetime as dt
import re

import pytest
from django.core.cache import cache

from clinic.models import Closure
from patients.models import ScreeningAnswer
from tests.factories import PatientFactory, appointment_type
from tests.treatments.factories_calendar import (
    DAY,
    at,
    booking,
    flagged_booking,
    practitioner_with_hours,
    series_booking,
)
from treatments.scheduling.day_grid import forget_recent

pytestmark = pytest.mark.django_db

NOW = at(DAY, 8, 30)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _without_token(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def _page(client, query=""):
    response = client.get(f"/desk/{query}")
    return response, response.content.decode()


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/desk/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_without_a_role_are_refused(client, no_role_user):
    client.force_login(no_role_user)
    assert client.get("/desk/").status_code == 403


@pytest.mark.parametrize("who", ["desk_client", "practitioner_client", "admin_client_"])
def test_desk_practitioner_and_admin_see_the_day(request, who):
    assert request.getfixturevalue(who).get("/desk/").status_code == 200


def test_day_shows_a_column_per_practitioner_with_name_type_step_and_status(desk_client):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    ben, _ = practitioner_with_hours("Dr Ben Hall", location=main)
    jane = PatientFactory(first_name="Jane", last_name="Doe")
    _series, sessions = series_booking(
        ada, main, [at(DAY, 9), at(DAY + dt.timedelta(days=28), 9)], patient=jane, planned=5
    )
    follow_up = booking(ben, main, at(DAY, 10, 15), slug="follow-up")
    response, page = _page(desk_client, f"?date={DAY}")
    assert response.status_code == 200
    assert "Tuesday 17 March 2026" in page
    assert "Dr Ada Stone" in page and "Dr Ben Hall" in page
    assert "Jane Doe" in page
    assert "session 1 of 5" in page
    assert "Injection session" in page
    assert follow_up.patient.full_name in page
    assert "Booked" in page
    # Positioned by classes: 09:00 is row 13 of a grid starting at 08:00 (5-minute rows), 30 min = 6 rows.
    assert f'id="appt-{sessions[0].pk}" class="cal-appt cal-r-13 cal-s-6 ' in page
    assert f"cal-type-{appointment_type('injection').pk}" in page
    # The session four weeks later is not on this day.
    assert f'id="appt-{sessions[1].pk}"' not in page


def test_times_are_shown_in_the_clinic_zone(desk_client):
    ada, main = practitioner_with_hours()
    booking(ada, main, at(DAY, 9, 0))
    _response, page = _page(desk_client, f"?date={DAY}")
    assert "09:00–09:30" in page


def test_screening_flag_is_shown_on_the_booking(desk_client):
    ada, main = practitioner_with_hours()
    jane = PatientFactory(first_name="Jane", last_name="Doe")
    ScreeningAnswer.objects.create(patient=jane, question="anticoagulants", answer=True, answered_at=NOW)
    booking(ada, main, at(DAY, 9), patient=jane)
    _response, page = _page(desk_client, f"?date={DAY}")
    assert "Screening flags: Takes blood thinners (anticoagulants)" in page


def test_previous_and_next_day_links(desk_client):
    _response, page = _page(desk_client, f"?date={DAY}")
    assert 'href="?date=2026-03-16" rel="prev"' in page
    assert 'href="?date=2026-03-18" rel="next"' in page


@pytest.mark.parametrize("bad", ["2026-02-30", "yesterday", "17/03/2026", "1200-01-01", "<script>"])
def test_an_impossible_date_says_so_and_shows_today(desk_client, bad):
    response, page = _page(desk_client, f"?date={bad}")
    assert response.status_code == 400
    assert "Showing today" in page
    assert "Tuesday 17 March 2026" in page
    assert "<script>" not in page.split("<main", 1)[1].split("</main>")[0]


def test_check_in_and_no_show_buttons_follow_the_rules(desk_client):
    ada, main = practitioner_with_hours()
    started = booking(ada, main, at(DAY, 8))  # began 30 minutes ago
    later = booking(ada, main, at(DAY, 11))
    cancelled = booking(ada, main, at(DAY, 14), status="cancelled", cancelled_at=NOW)
    _response, page = _page(desk_client, f"?date={DAY}")
    assert f'action="/desk/appointments/{started.pk}/check-in/"' in page
    assert f'action="/desk/appointments/{started.pk}/no-show/"' in page
    assert f'action="/desk/appointments/{later.pk}/check-in/"' in page
    assert f'action="/desk/appointments/{later.pk}/no-show/"' not in page
    assert f'action="/desk/appointments/{cancelled.pk}/check-in/"' not in page
    assert f'href="/desk/waitlist/slot/{cancelled.pk}/"' in page


def test_overlapping_cancelled_and_new_booking_sit_side_by_side(desk_client):
    ada, main = practitioner_with_hours()
    old = booking(ada, main, at(DAY, 9), status="cancelled", cancelled_at=NOW)
    new = booking(ada, main, at(DAY, 9))
    _response, page = _page(desk_client, f"?date={DAY}")
    assert f'id="appt-{old.pk}" class="cal-appt cal-r-13 cal-s-6 cal-ln-2-' in page
    assert f'id="appt-{new.pk}" class="cal-appt cal-r-13 cal-s-6 cal-ln-2-' in page


def test_closures_are_shown_in_the_columns(desk_client):
    ada, main = practitioner_with_hours()
    Closure.objects.create(practitioner=ada, starts_at=at(DAY, 13), ends_at=at(DAY, 17), reason="Conference")
    _response, page = _page(desk_client, f"?date={DAY}")
    assert "Closed: Conference" in page


def test_the_grid_grows_to_show_an_early_appointment(desk_client):
    ada, main = practitioner_with_hours()
    booking(ada, main, at(DAY, 6, 30))
    _response, page = _page(desk_client, f"?date={DAY}")
    assert ">06:00<" in page
    assert "cal-r-7 cal-s-6" in page  # 06:30 is row 7 of a grid starting at 06:00


def test_daylight_saving_day_keeps_wall_clock_positions(desk_client):
    ada, main = practitioner_with_hours(weekdays=(6,))
    change = dt.date(2026, 3, 8)  # clocks go forward at 02:00 in Chicago
    appointment = booking(ada, main, at(change, 9))
    _response, page = _page(desk_client, f"?date={change}")
    assert f'id="appt-{appointment.pk}" class="cal-appt cal-r-13 cal-s-6 ' in page


def test_a_card_names_its_room_as_the_setup_names_it_now(desk_client):
    """The cards take the type's and room's names from the setup the page read: renaming a room
    in Setup renames it on the day's cards (the setup stamp changes; no stale name is kept)."""
    from tests.factories import RoomFactory

    ada, main = practitioner_with_hours("Dr Ada Stone")
    room = RoomFactory(location=main, name="Room Willow")
    visit = booking(ada, main, at(DAY, 9))
    visit.room = room
    visit.save(update_fields=["room"])
    _response, page = _page(desk_client, f"?date={DAY}")
    assert "Room Willow" in page and "Injection session" in page
    room.name = "Room Cedar"
    room.save()
    _response, page = _page(desk_client, f"?date={DAY}")
    assert "Room Cedar" in page and "Room Willow" not in page


@pytest.mark.parametrize("count", [1, 50])
def test_day_uses_a_fixed_number_of_queries(desk_client, django_assert_max_num_queries, count):
    practitioners = [practitioner_with_hours(f"Dr {n}")[0] for n in range(5)]
    location = practitioners[0].working_hours.first().location
    for n in range(count):
        practitioner = practitioners[n % 5]
        start = at(DAY, 8) + dt.timedelta(minutes=45 * (n // 5))
        flagged_booking(practitioner, location, start, in_series=bool(n % 2), now=NOW)
    desk_client.get("/desk/")  # session and clinic settings exist from here on
    # session, user, roles, locations, the setup's token, appointments (as values, with each
    # session's previous live session for its spacing), flags (the two make the day's version and
    # the grid both), clinic settings, session save (+2 savepoints) (+1: the navigation's call-back
    # count); the cards' extra badges (treatments.hooks) cost none with no provider, 1 with billing's.
    # The setup (practitioners, hours, types, rooms, protocols, closures) is read once per process
    # per setup change:
    cache.clear()  # the day built afresh by a process that has not read the setup yet
    forget_recent()
    # + 1: the money badges (treatments.hooks.appointment_badges: billing's provider), fixed
    with django_assert_max_num_queries(18 + 1):
        desk_client.get(f"/desk/?date={DAY}")
    # After a booking on the day: the grid is built afresh, the setup kept.
    booking(practitioners[0], location, at(DAY, 17))
    with django_assert_max_num_queries(12 + 1):  # + the money badges, as above
        built = desk_client.get(f"/desk/?date={DAY}").content.decode()
    # Kept: the grid comes from the cache; the day's rows and flags (its version) say it still holds.
    with django_assert_max_num_queries(11):
        kept = desk_client.get(f"/desk/?date={DAY}").content.decode()
    assert built.count('class="cal-appt ') == kept.count('class="cal-appt ') == count + 1
    assert _without_token(kept) == _without_token(built)


def test_location_filter_shows_only_who_works_or_is_booked_there(desk_client):
    from tests.factories import LocationFactory

    ada, main = practitioner_with_hours("Dr Ada Stone")
    north = LocationFactory(name="North Side")
    ben, _ = practitioner_with_hours("Dr Ben Hall", location=north)
    here = booking(ada, main, at(DAY, 9))
    there = booking(ben, north, at(DAY, 9))
    Closure.objects.create(location=north, starts_at=at(DAY, 13), ends_at=at(DAY, 17), reason="Plumbing")
    page = desk_client.get(f"/desk/?date={DAY}&location={north.pk}").content.decode()
    assert "Dr Ben Hall" in page and "Dr Ada Stone" not in page
    assert f'id="appt-{there.pk}"' in page and f'id="appt-{here.pk}"' not in page
    assert f"?date=2026-03-18&amp;location={north.pk}" in page  # next day keeps the location
    everywhere = desk_client.get(f"/desk/?date={DAY}").content.decode()
    assert f'id="appt-{there.pk}"' in everywhere and f'id="appt-{here.pk}"' in everywhere
    # The North Side closure shows only in the column of the one working there.
    assert everywhere.count("Closed: Plumbing") == 1


def test_an_unknown_location_says_so_and_shows_every_location(desk_client):
    response = desk_client.get(f"/desk/?date={DAY}&location=999")
    assert response.status_code == 400
    assert "There is no such location" in response.content.decode()


def test_today_shows_a_line_at_the_current_time_and_other_days_do_not(desk_client):
    practitioner_with_hours()
    today = desk_client.get("/desk/").content.decode()  # 08:30, row 7 of a grid from 08:00
    assert 'class="cal-now cal-r-7 cal-s-1"' in today
    tomorrow = desk_client.get(f"/desk/?date={DAY + dt.timedelta(days=1)}").content.decode()
    assert "cal-now" not in tomorrow


def test_the_cards_show_the_badges_apps_provide_asked_once_per_page_and_escaped(desk_client):
    """treatments.hooks: an app above treatments (billing) gives each card short texts; the page
    asks once for every card shown, and the texts are shown as text."""
    from treatments import hooks

    ada, main = practitioner_with_hours()
    first, second = booking(ada, main, at(DAY, 9)), booking(ada, main, at(DAY, 10))
    asked = []

    def provider(ids):
        asked.append(list(ids))
        return {first.pk: ["Balance due <b>£40</b>"], second.pk: ["Paid", "Package 2/5"]}

    hooks.register_badges("appointment", provider)
    try:
        _response, page = _page(desk_client, f"?date={DAY}")
    finally:
        hooks._providers["appointment"].remove(provider)
    assert asked == [sorted([first.pk, second.pk])]
    card = page.split(f'id="appt-{first.pk}"', 1)[1].split("</article>", 1)[0]
    assert "Balance due &lt;b&gt;£40&lt;/b&gt;" in card and "<b>" not in card
    other = page.split(f'id="appt-{second.pk}"', 1)[1].split("</article>", 1)[0]
    assert ">Paid</span>" in other and ">Package 2/5</span>" in other


def _crowd(practitioners, location, day: dt.date, count: int) -> None:
    """`count` cancelled appointments on `day` (cancelled ones may overlap, on PostgreSQL too)."""
    from treatments.models import Appointment

    patient = PatientFactory()
    kind = appointment_type()
    rows = []
    for n in range(count):
        start = at(day, 8) + dt.timedelta(minutes=5 * (n % 100))
        rows.append(
            Appointment(
                patient=patient,
                practitioner=practitioners[n % len(practitioners)],
                location=location,
                appointment_type=kind,
                start=start,
                end=start + dt.timedelta(minutes=30),
                status="cancelled",
                cancelled_at=NOW,
                created_at=NOW,
            )
        )
    Appointment.objects.bulk_create(rows)


def test_a_day_of_a_thousand_appointments_answers_with_every_card(desk_client, django_assert_max_num_queries):
    practitioners = [practitioner_with_hours(f"Dr {n}")[0] for n in range(5)]
    _crowd(practitioners, practitioners[0].working_hours.first().location, DAY, 1000)
    desk_client.get("/desk/")
    cache.clear()
    forget_recent()
    # + 1: the money badges (treatments.hooks.appointment_badges: billing's provider), fixed
    with django_assert_max_num_queries(19 + 1):
        response = desk_client.get(f"/desk/?date={DAY}")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="cal-appt ') == 1000
    assert "1000 appointments on this day" in page
