"""What the desk is told is true (issue 19, items 6-8), in Chromium with the Content-Security-Policy
enforced, at 1366 px and on a 390 px phone, with axe on every page visited: the no-JavaScript booking
page shows a refusal in the page."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from clinic.models import Closure
from tests.browser.calendar_grid import DAY, clock, seeded  # noqa: F401 (fixtures used by name)
from tests.browser.truth_axe import assert_accessible_under_csp
from tests.factories import PASSWORD, PatientFactory
from tests.treatments.factories_calendar import at, practitioner_with_hours
from treatments.models import Appointment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded", "clock")]
WIDTHS = [
    pytest.param({"width": 1366, "height": 768}, id="1366"),
    pytest.param({"width": 390, "height": 844}, id="390"),
]


@pytest.mark.parametrize("viewport", WIDTHS)
def test_the_booking_page_without_the_calendar_shows_a_refusal_in_the_page(login, desk_user, live_server, viewport):
    patel, _main = practitioner_with_hours("Dr Priya Patel")
    Closure.objects.create(
        practitioner=patel, starts_at=at(DAY, 0), ends_at=at(DAY + dt.timedelta(days=1), 0), reason="Leave"
    )
    PatientFactory(first_name="Amelia", last_name="Hart")
    page = login(desk_user.username, PASSWORD)
    page.set_viewport_size(viewport)

    page.goto(f"{live_server.url}/desk/slot/?practitioner={patel.pk}&date={DAY}&time=10:00")
    page.get_by_label("Find the patient").fill("hart")
    page.get_by_role("button", name="Search").click()
    page.get_by_label("Type for Amelia Hart").select_option(label="Consultation")
    page.get_by_role("button", name="Book Amelia Hart").click()

    expect(page.get_by_role("alert")).to_contain_text("Dr Priya Patel")
    assert Appointment.objects.count() == 0
    assert_accessible_under_csp(page)
