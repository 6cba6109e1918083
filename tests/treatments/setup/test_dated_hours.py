"""Extra working hours on a single date (issue 19, item 11's "exceptions by date"): a Saturday
worked once adds bookable time wherever "is it inside the hours" is asked — the kernel, the
planner, /book/, the calendars — through the one rule (Availability.working); a closure still
wins; the Saturday after stays closed. Added and removed at /desk/setup/practitioners/<pk>/."""

import datetime as dt
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from clinic.models import Closure, DatedHours
from tests.treatments.booking.factories_booking import consultation, open_online
from tests.treatments.factories_desk import local
from treatments.scheduling.planning import place
from treatments.scheduling.rules import Window, type_times
from treatments.scheduling.selectors.availability import availability_for
from treatments.scheduling.services.booking import BookingError, appointment_book
from treatments.setup.services import SetupError, dated_hours_add

pytestmark = pytest.mark.django_db

NOW = local(2026, 5, 1, 12)  # a Friday noon
SATURDAY = dt.date(2026, 5, 9)
NEXT_SATURDAY = dt.date(2026, 5, 16)


@pytest.fixture(autouse=True)
def _clock_and_cache():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def saturday():
    """Dr Stone (weekdays 08-12, 13-17 at Main Street) works Saturday 9 May 09:00-13:00 once."""
    practitioner, location, patient = open_online()
    dated_hours_add(
        practitioner=practitioner, location=location, date=SATURDAY, start=dt.time(9), end=dt.time(13), now=NOW
    )
    return practitioner, location, patient


def _book(setup, start):
    practitioner, location, patient = setup
    return appointment_book(
        patient=patient,
        practitioner=practitioner,
        location=location,
        appointment_type=consultation(),
        start=start,
        by=None,
        now=NOW,
    )


def test_the_kernel_books_the_extra_saturday_and_refuses_the_saturday_after(saturday):
    booked = _book(saturday, local(2026, 5, 9, 10))

    assert booked.pk is not None
    with pytest.raises(BookingError, match="outside Dr Ada Stone's hours at Main Street"):
        _book(saturday, local(2026, 5, 16, 10))
    with pytest.raises(BookingError, match="outside Dr Ada Stone's hours"):
        _book(saturday, local(2026, 5, 9, 13))  # after the extra block ends


def test_a_closure_still_wins_over_extra_hours(saturday):
    practitioner, _location, _patient = saturday
    Closure.objects.create(
        practitioner=practitioner, starts_at=local(2026, 5, 9, 0), ends_at=local(2026, 5, 10, 0), reason="Leave"
    )

    with pytest.raises(BookingError, match="is away"):
        _book(saturday, local(2026, 5, 9, 10))


def test_the_planner_suggests_the_extra_saturday(saturday):
    practitioner, location, _patient = saturday
    duration, buffer = type_times(consultation())
    availability = availability_for(
        practitioner=practitioner, location=location, first=SATURDAY, last=NEXT_SATURDAY, now=NOW
    )

    def proposed(day: dt.date) -> dt.datetime | None:
        window = Window(day, day, day)
        return place(
            step=1,
            window=window,
            preferred=dt.time(10),
            weekday=day.weekday(),
            duration=duration,
            buffer=buffer,
            availability=availability,
        ).start

    assert proposed(SATURDAY) == local(2026, 5, 9, 10)
    assert proposed(NEXT_SATURDAY) is None


def test_the_online_booking_page_offers_the_extra_saturday_only(client, saturday):
    query = {"appointment_type": consultation().pk, "location": saturday[1].pk, "practitioner": "any"}

    page = client.get("/book/?" + urlencode({**query, "day": SATURDAY.isoformat()})).content.decode()
    after = client.get("/book/?" + urlencode({**query, "day": NEXT_SATURDAY.isoformat()})).content.decode()

    assert ">09:00<" in page and ">12:00<" in page
    assert ">13:00<" not in page
    assert ">09:00<" not in after and ">10:00<" not in after


def test_the_day_and_week_calendars_show_the_extra_saturday_as_working_time(desk_client, saturday):
    practitioner, _location, _patient = saturday

    day = desk_client.get(f"/desk/?date={SATURDAY}").content.decode()
    after = desk_client.get(f"/desk/?date={NEXT_SATURDAY}").content.decode()
    week = desk_client.get(f"/desk/week/{practitioner.pk}/?date={SATURDAY}").content.decode()

    assert 'class="cal-open' in day and 'title="Main Street"' in day
    assert 'class="cal-open' not in after
    # The week shows Saturday open besides the weekdays: eleven blocks (5 x 2 + 1).
    assert week.count('class="cal-open') == 11


def test_the_calendar_sees_extra_hours_added_after_it_was_read(desk_client, saturday):
    """The calendars' setup is kept per process under the setup stamp: adding extra hours renews it."""
    practitioner, location, _patient = saturday
    before = desk_client.get(f"/desk/?date={NEXT_SATURDAY}").content.decode()

    dated_hours_add(
        practitioner=practitioner, location=location, date=NEXT_SATURDAY, start=dt.time(9), end=dt.time(12), now=NOW
    )
    after = desk_client.get(f"/desk/?date={NEXT_SATURDAY}").content.decode()

    assert 'class="cal-open' not in before
    assert 'class="cal-open' in after


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (dt.time(9), dt.time(13), "already has extra hours then: 09:00–13:00 at Main Street"),
        (dt.time(12), dt.time(15), "already has extra hours then: 09:00–13:00 at Main Street"),
    ],
)
def test_overlapping_extra_hours_the_same_date_are_refused(saturday, start, end, message):
    practitioner, location, _patient = saturday

    with pytest.raises(SetupError, match=message):
        dated_hours_add(practitioner=practitioner, location=location, date=SATURDAY, start=start, end=end, now=NOW)

    assert DatedHours.objects.count() == 1


def test_extra_hours_touching_others_and_on_a_past_date(saturday):
    practitioner, location, _patient = saturday

    dated_hours_add(
        practitioner=practitioner, location=location, date=SATURDAY, start=dt.time(13), end=dt.time(15), now=NOW
    )
    with pytest.raises(SetupError, match="That date is over already"):
        dated_hours_add(
            practitioner=practitioner,
            location=location,
            date=dt.date(2026, 4, 25),
            start=dt.time(9),
            end=dt.time(12),
            now=NOW,
        )

    assert DatedHours.objects.count() == 2
    # Touching blocks make one stretch: 12:30-13:15 fits across them.
    assert _book((practitioner, location, _patient), local(2026, 5, 9, 12, 30)).pk


# The setup page.


def _add(client, practitioner, location, **over):
    data = {
        "extra-location": location.pk,
        "extra-date": SATURDAY.isoformat(),
        "extra-start": "09:00",
        "extra-end": "13:00",
        **over,
    }
    return client.post(f"/desk/setup/practitioners/{practitioner.pk}/extra-hours/", data)


def test_the_clinic_admin_adds_and_removes_extra_hours_on_the_setup_page(admin_client_):
    practitioner, location, _patient = open_online()

    added = _add(admin_client_, practitioner, location)
    page = admin_client_.get(added["Location"]).content.decode()
    dated = DatedHours.objects.get()

    assert added.status_code == 302
    assert "Dr Ada Stone works Sat 9 May 09:00–13:00 at Main Street too." in page
    assert "Sat 9 May 2026 · 09:00–13:00 · Main Street" in page

    removed = admin_client_.post(f"/desk/setup/extra-hours/{dated.pk}/remove/", follow=True).content.decode()
    assert "The extra hours of Sat 9 May 09:00–13:00 are removed." in removed
    assert not DatedHours.objects.exists()


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"extra-start": "13:00", "extra-end": "09:00"}, "The end must be after the start."),
        ({"extra-date": "not a date"}, "Enter a valid date."),
        ({"extra-date": "2026-04-25"}, "That date is over already."),
    ],
)
def test_bad_extra_hours_are_refused_in_the_page_with_nothing_saved(admin_client_, over, message):
    practitioner, location, _patient = open_online()

    response = _add(admin_client_, practitioner, location, **over)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DatedHours.objects.exists()


def test_overlapping_extra_hours_are_refused_in_the_page(admin_client_):
    practitioner, location, _patient = open_online()
    _add(admin_client_, practitioner, location)

    response = _add(admin_client_, practitioner, location, **{"extra-start": "12:00", "extra-end": "14:00"})

    assert response.status_code == 400
    assert "Dr Ada Stone already has extra hours then: 09:00–13:00 at Main Street." in response.content.decode()
    assert DatedHours.objects.count() == 1


def test_only_the_clinic_admin_may_add_or_remove_extra_hours(client, desk_user, practitioner_user):
    practitioner, location, _patient = open_online()
    dated = dated_hours_add(
        practitioner=practitioner, location=location, date=SATURDAY, start=dt.time(9), end=dt.time(13), now=NOW
    )
    anonymous = Client()

    assert _add(anonymous, practitioner, location)["Location"].startswith("/accounts/login/")
    for user in (desk_user, practitioner_user):
        other = Client()
        other.force_login(user)
        assert _add(other, practitioner, location, **{"extra-date": "2026-05-10"}).status_code == 403
        assert other.post(f"/desk/setup/extra-hours/{dated.pk}/remove/").status_code == 403
    assert list(DatedHours.objects.all()) == [dated]


def test_the_week_of_every_practitioner_opens_the_extra_saturday_only(desk_client, saturday):
    week = desk_client.get(f"/desk/week/?date={SATURDAY}").content.decode()
    after = desk_client.get(f"/desk/week/?date={NEXT_SATURDAY}").content.decode()

    assert f'data-date="{SATURDAY}"' in week
    assert f'data-date="{NEXT_SATURDAY}"' not in after


@pytest.fixture
def saturday_booked(saturday):
    """The extra Saturday with Maria's 10:00 consultation inside it."""
    return DatedHours.objects.get(), _book(saturday, local(2026, 5, 9, 10))


def _remove(client, dated, **over):
    return client.post(f"/desk/setup/extra-hours/{dated.pk}/remove/", over)


def test_removing_extra_hours_over_a_booking_lists_it_first_and_removes_nothing(
    admin_client_, saturday_booked, django_assert_max_num_queries
):
    dated, maria = saturday_booked
    admin_client_.get(f"/desk/setup/practitioners/{dated.practitioner_id}/")  # session and settings

    with django_assert_max_num_queries(30):
        response = _remove(admin_client_, dated)
    page = response.content.decode()
    row = page[page.index(f'id="covered-{maria.pk}"') :].split("</tr>", 1)[0]

    assert response.status_code == 200
    assert "Nothing is removed yet: without the extra hours of Sat 9 May 09:00–13:00, 1 booking" in page
    assert "Sat 9 May 10:00" in row and maria.patient.full_name in row
    # Its nearest allowed time is worked out without the extra Saturday: a weekday's hours.
    assert "Fri 8 May 10:00" in row
    assert list(DatedHours.objects.all()) == [dated]


def test_removing_extra_hours_when_confirmed_leaves_the_booking_listed_outside_the_hours(
    admin_client_, saturday_booked
):
    dated, maria = saturday_booked

    removed = _remove(admin_client_, dated, confirm="yes")
    page = admin_client_.get(removed["Location"]).content.decode()

    assert removed.status_code == 302
    assert "The extra hours of Sat 9 May 09:00–13:00 are removed. 1 booking now falls outside the hours" in page
    assert not DatedHours.objects.exists()
    assert f'id="covered-{maria.pk}"' in page.split('id="outside"', 1)[1]
    maria.refresh_from_db()
    assert maria.start == local(2026, 5, 9, 10) and maria.status == "booked"


def test_a_confirmation_not_understood_removes_nothing_and_a_gone_one_is_404(admin_client_, saturday_booked):
    dated, _maria = saturday_booked

    maybe = _remove(admin_client_, dated, confirm="maybe")
    assert maybe.status_code == 200 and "Nothing is removed yet" in maybe.content.decode()
    assert DatedHours.objects.exists()
    assert _remove(admin_client_, dated, confirm="yes").status_code == 302
    assert _remove(admin_client_, dated, confirm="yes").status_code == 404


def test_a_booking_on_another_date_does_not_hold_the_removal(admin_client_, saturday):
    _book(saturday, local(2026, 5, 8, 10))  # the Friday before, inside the week's hours
    dated = DatedHours.objects.get()

    assert _remove(admin_client_, dated).status_code == 302
    assert not DatedHours.objects.exists()


def test_only_the_clinic_admin_sees_what_removing_extra_hours_leaves(client, desk_user, saturday_booked):
    dated, _maria = saturday_booked

    assert _remove(client, dated)["Location"].startswith("/accounts/login/")
    client.force_login(desk_user)
    assert _remove(client, dated).status_code == 403
    assert DatedHours.objects.exists()


def test_extra_hours_over_the_week_at_another_location_are_refused(saturday):
    """Extra hours at Downtown on a Monday Dr Okafor works at Northside were saved: the calendars
    and /book/ offered him in two places at once."""
    from tests.factories import LocationFactory

    practitioner, _main, _patient = saturday
    elsewhere = LocationFactory(name="Lakeside")
    monday = dt.date(2026, 5, 11)
    with pytest.raises(SetupError, match="Dr Ada Stone works 08:00–12:00 at Main Street that day"):
        dated_hours_add(
            practitioner=practitioner, location=elsewhere, date=monday, start=dt.time(10), end=dt.time(12), now=NOW
        )
    assert DatedHours.objects.count() == 1  # the Saturday only
    dated_hours_add(
        practitioner=practitioner, location=elsewhere, date=monday, start=dt.time(17), end=dt.time(19), now=NOW
    )
    assert DatedHours.objects.count() == 2
