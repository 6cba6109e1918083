"""The week of every practitioner (/desk/week/): a lane per practitioner in each open day, cards in
their lane, closures and working hours shown, a fixed number of queries."""

import datetime as dt

import pytest

from clinic.models import Closure
from tests.treatments.factories_calendar import (
    DAY,
    at,
    booking,
    flagged_booking,
    practitioner_with_hours,
)

pytestmark = pytest.mark.django_db

NOW = at(DAY, 8)  # Tuesday 17 March 2026, 08:00
MONDAY = DAY - dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _lane(page: str, day: dt.date, practitioner) -> str:
    """The markup of one practitioner's lane on one day."""
    start = page.index(f'data-column="{day.isoformat()}-{practitioner.pk}"')
    end = page.find('<section class="cal-col"', start)
    return page[start : end if end != -1 else len(page)]


def test_every_practitioner_has_a_lane_on_each_open_day_with_their_cards(desk_client):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    ben, _ = practitioner_with_hours("Dr Ben Hall", location=main, weekdays=(1, 2))
    hers = booking(ada, main, at(DAY + dt.timedelta(days=2), 10))  # Thursday
    his = booking(ben, main, at(DAY, 14))  # Tuesday
    response = desk_client.get(f"/desk/week/?date={DAY}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "16 Mar – 22 Mar 2026" in page
    # Monday to Friday: someone works; nobody works the weekend.
    assert page.count('class="cal-team-day"') == 5
    assert page.count('<section class="cal-col"') == 10
    assert ">Sat 21 Mar<" not in page
    assert f'id="appt-{hers.pk}"' in _lane(page, DAY + dt.timedelta(days=2), ada)
    assert f'id="appt-{his.pk}"' in _lane(page, DAY, ben)
    # Ben's Thursday has no working hours: nothing there is bookable.
    assert "cal-open" not in _lane(page, DAY + dt.timedelta(days=2), ben)
    assert "cal-open" in _lane(page, DAY + dt.timedelta(days=2), ada)
    assert 'href="?date=2026-03-09" rel="prev"' in page
    assert 'href="?date=2026-03-23" rel="next"' in page
    assert f'href="/desk/month/{ben.pk}/?date=2026-03-16"' in page
    assert 'data-back="week"' in page


def test_a_leave_is_shown_in_that_practitioners_lanes_only(desk_client):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    ben, _ = practitioner_with_hours("Dr Ben Hall", location=main)
    Closure.objects.create(practitioner=ben, starts_at=at(DAY, 0), ends_at=at(DAY, 23, 59), reason="Leave")
    page = desk_client.get(f"/desk/week/?date={DAY}").content.decode()
    assert "Closed: Leave" in _lane(page, DAY, ben)
    assert "Closed" not in _lane(page, DAY, ada)
    assert "Closed" not in _lane(page, MONDAY, ben)


def test_a_clinic_holiday_closes_every_lane_of_that_day(desk_client):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    ben, _ = practitioner_with_hours("Dr Ben Hall", location=main)
    Closure.objects.create(starts_at=at(MONDAY, 0), ends_at=at(DAY, 0), reason="Holiday")
    page = desk_client.get(f"/desk/week/?date={DAY}").content.decode()
    assert "Closed: Holiday" in _lane(page, MONDAY, ada)
    assert "Closed: Holiday" in _lane(page, MONDAY, ben)
    assert "Closed" not in _lane(page, DAY, ada)


def test_a_booking_on_a_day_nobody_works_still_shows_that_day(desk_client):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    saturday = DAY + dt.timedelta(days=4)
    extra = booking(ada, main, at(saturday, 10))
    page = desk_client.get(f"/desk/week/?date={DAY}").content.decode()
    assert page.count('class="cal-team-day"') == 6
    assert f'id="appt-{extra.pk}"' in _lane(page, saturday, ada)


def test_a_bad_date_says_so_and_shows_this_week(desk_client):
    practitioner_with_hours()
    response = desk_client.get("/desk/week/?date=2026-13-01")
    assert response.status_code == 400
    assert "is not a date the calendar understands" in response.content.decode()
    assert "16 Mar – 22 Mar 2026" in response.content.decode()


def test_the_week_needs_a_desk_role(client, no_role_user):
    assert client.get("/desk/week/").status_code == 302
    client.force_login(no_role_user)
    assert client.get("/desk/week/").status_code == 403


@pytest.mark.parametrize(("staff", "count"), [(1, 1), (5, 60)])
def test_the_week_uses_a_fixed_number_of_queries(desk_client, django_assert_max_num_queries, staff, count):
    practitioners = [practitioner_with_hours(f"Dr {n}")[0] for n in range(staff)]
    location = practitioners[0].working_hours.first().location
    for n in range(count):
        practitioner = practitioners[n % staff]
        start = at(MONDAY + dt.timedelta(days=n // staff % 5), 8) + dt.timedelta(minutes=45 * (n // (5 * staff)))
        flagged_booking(practitioner, location, start, in_series=bool(n % 2), now=NOW)
    desk_client.get("/desk/")  # session and clinic settings exist from here on
    # session, user, roles, the week's outline (days, practitioners, hours shown), the setup's
    # token, appointments, closures, flags, types, clinic settings, the week's fingerprint (the
    # poll's version), the navigation's call-back count, session save (+2 savepoints); the setup
    # (practitioners, hours, types, protocols) once per process per setup change (+4)
    with django_assert_max_num_queries(18):
        response = desk_client.get(f"/desk/week/?date={DAY}")
    page = response.content.decode()
    assert f"{count} appointment" in page
    if staff == 1:
        assert page.count('class="cal-appt ') == count
        return
    # Five lanes a day: the page builds the first four days (LANES_AT_ONCE); Friday comes when seen.
    friday = (MONDAY + dt.timedelta(days=4)).isoformat()
    on_friday = sum(1 for n in range(count) if n // staff % 5 == 4)
    assert page.count('class="cal-appt ') == count - on_friday
    assert 'class="cal-team-day cal-team-later"' in page and f'id="day-{friday}"' in page
    later = page.split('class="cal-team-day cal-team-later"', 1)[1]
    source = later.split('hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert source.startswith(f"/desk/week/day/?date={friday}&first=")
    # + 2: the money badges (treatments.hooks.appointment_badges: billing's providers), fixed
    with django_assert_max_num_queries(12 + 2):
        day = desk_client.get(source)
    assert day.status_code == 200
    assert day.content.decode().count('class="cal-appt ') == on_friday
    assert day.content.decode().startswith(f'<div class="cal-team-day" role="group" aria-labelledby="day-{friday}">')


@pytest.mark.parametrize(
    "query",
    [
        "date=2026-03-20",
        "date=2026-03-20&first=480",
        "date=nope&first=480&last=1080",
        "date=2026-03-20&first=490&last=1080",
        "date=2026-03-20&first=480&last=2000",
        "date=2026-03-20&first=480&last=1080&practitioner=x",
    ],
)
def test_a_later_day_asked_for_with_bad_input_is_a_400(desk_client, query):
    response = desk_client.get(f"/desk/week/day/?{query}")
    assert response.status_code == 400
    assert "cal-appt" not in response.content.decode()


def test_a_later_day_needs_a_desk_role(client, no_role_user):
    url = "/desk/week/day/?date=2026-03-20&first=480&last=1080"
    assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(no_role_user)
    assert client.get(url).status_code == 403


def _page_version(page: str) -> str:
    start = page.index('data-version="') + len('data-version="')
    return page[start : page.index('"', start)]


def test_the_open_week_polls_a_version_that_changes_only_when_the_week_does(desk_client):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    booking(ada, main, at(DAY, 9))
    page = desk_client.get(f"/desk/week/?date={DAY}").content.decode()
    poll = desk_client.get(f"/desk/week/version/?date={DAY}")
    assert "no-store" in poll["Cache-Control"]
    assert poll.content.decode() == _page_version(page)  # no refresh while nothing changed
    booking(ada, main, at(DAY + dt.timedelta(days=3), 9))  # Friday of the same week
    assert desk_client.get(f"/desk/week/version/?date={MONDAY}").content.decode() != _page_version(page)


def test_a_booking_in_another_week_leaves_the_version_alone(desk_client):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    before = desk_client.get(f"/desk/week/version/?date={DAY}").content.decode()
    booking(ada, main, at(DAY + dt.timedelta(days=7), 9))
    assert desk_client.get(f"/desk/week/version/?date={DAY}").content.decode() == before


def test_the_week_poll_with_a_bad_date_is_a_400(desk_client):
    response = desk_client.get("/desk/week/version/?date=nonsense")
    assert response.status_code == 400
    assert "is not a date the calendar understands" in response.content.decode()


def test_the_desk_can_choose_whose_lanes_the_week_shows(desk_client):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    ben, _ = practitioner_with_hours("Dr Ben Hall", location=main)
    hers = booking(ada, main, at(DAY, 9))
    his = booking(ben, main, at(DAY, 9))
    page = desk_client.get(f"/desk/week/?date={DAY}&practitioner={ben.pk}").content.decode()
    assert page.count('<section class="cal-col"') == 5
    assert f'id="appt-{his.pk}"' in _lane(page, DAY, ben)
    assert f'id="appt-{hers.pk}"' not in page
    assert "1 practitioner shown" in page
    assert f'href="?date=2026-03-23&amp;practitioner={ben.pk}" rel="next"' in page
    assert (
        f'<input class="form-check-input" type="checkbox" name="practitioner" value="{ada.pk}" id="who-{ada.pk}">'
        in page
    )


def test_a_choice_of_practitioners_that_is_not_understood_shows_everyone_and_says_so(desk_client):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    practitioner_with_hours("Dr Ben Hall", location=main)
    response = desk_client.get(f"/desk/week/?date={DAY}&practitioner={ada.pk}&practitioner=x")
    assert response.status_code == 400
    page = response.content.decode()
    assert "That choice of practitioners is not one the calendar understands: showing everyone." in page
    assert page.count('<section class="cal-col"') == 10


def test_a_week_of_ten_thousand_appointments_answers_with_its_first_day(desk_client, django_assert_max_num_queries):
    """Summarized: the count of the week, the first day's cards, the other days loaded when seen."""
    from tests.treatments.scheduling.test_calendar_day import _crowd

    ada, main = practitioner_with_hours("Dr Ada Stone")
    ben, _ = practitioner_with_hours("Dr Ben Hall", location=main)
    for n in range(5):
        _crowd([ada, ben], main, MONDAY + dt.timedelta(days=n), 2000)
    desk_client.get("/desk/")
    with django_assert_max_num_queries(18):
        response = desk_client.get(f"/desk/week/?date={DAY}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "10000 appointments this week" in page
    assert page.count('class="cal-appt ') == 2000  # Monday's: one day at least, no more
    assert page.count('class="cal-team-day cal-team-later"') == 4
