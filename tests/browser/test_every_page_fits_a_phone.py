"""Every page a practitioner (who sees the desk's pages too) and the public open, at 390x844:
nothing scrolls the page sideways and axe finds no serious or critical problem (issue 19,
item 14). The clinic admin's setup pages: test_setup_hours_journey.py."""

import datetime as dt

import pytest

from tests.browser.calendar_grid import DAY, clock, seeded  # noqa: F401 (fixtures used by name)
from tests.browser.phone_fit import phone_problems
from tests.browser.signin import sign_in
from tests.factories import PatientFactory
from tests.treatments.factories_calendar import at, practitioner_with_hours, series_booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded", "clock")]

STAFF_PAGES = [
    "/desk/",
    "/desk/week/",
    "/desk/next-slot/",
    "/desk/feed/",
    "/desk/waitlist/",
    "/desk/patients/",
    "/desk/patients/new/",
    "/desk/requests/",
    "/messages/",
    "/practice/",
    "/accounts/password/",
    "/accounts/two-factor/",
]
PUBLIC_PAGES = ["/consult/", "/consult/request/", "/book/", "/education/", "/accounts/login/"]


def test_every_page_fits_a_phone_and_is_axe_clean(browser, live_server, practitioner_user):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    ada.user = practitioner_user
    ada.save(update_fields=["user"])
    jane = PatientFactory(first_name="Jane", last_name="Doe")
    series, sessions = series_booking(ada, main, [at(DAY + dt.timedelta(days=1), 9)], patient=jane)
    pages = [
        *STAFF_PAGES,
        f"/desk/patients/{jane.pk}/",
        f"/desk/series/new/?patient={jane.pk}",
        f"/desk/appointments/new/?patient={jane.pk}",
        f"/desk/patients/{jane.pk}/edit/",
        f"/desk/series/{series.pk}/",
        f"/desk/appointments/{sessions[0].pk}/move/",
        f"/desk/appointments/{sessions[0].pk}/cancel/",
        f"/desk/week/{ada.pk}/?date={DAY}",
        f"/desk/month/{ada.pk}/?date={DAY}",
        f"/practice/series/{series.pk}/",
    ]
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems = {url: found for url in PUBLIC_PAGES if (found := phone_problems(page, f"{live_server.url}{url}"))}
    sign_in(page, live_server, practitioner_user)
    page.wait_for_url(f"{live_server.url}/**")
    problems |= {url: found for url in pages if (found := phone_problems(page, f"{live_server.url}{url}", staff=True))}
    context.close()
    assert problems == {}
