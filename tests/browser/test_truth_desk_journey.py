"""What the desk is told is true (issue 19, items 6-8), in Chromium with the Content-Security-Policy
enforced, at 1366 px and on a 390 px phone, with axe on every page visited: a session moved to a
colleague who works elsewhere is refused in the preview itself at the wrong place and moves to his
location, which the dialog offers; the no-JavaScript booking page shows a refusal in the page;
"Revoke portal link" and the portal's "Cancel this session" ask on a page of their own before
anything changes (an inline confirm() is refused by the CSP)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import Closure, Location
from tests.browser.calendar_grid import DAY, clock, drag_card_in_view, seeded  # noqa: F401 (fixtures used by name)
from tests.browser.truth_axe import assert_accessible_under_csp
from tests.factories import PASSWORD, PatientFactory
from tests.treatments.factories_calendar import at, booking, practitioner_with_hours
from tests.treatments.factories_portal import issue_link
from treatments.models import Appointment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded", "clock")]
WIDTHS = [
    pytest.param({"width": 1366, "height": 768}, id="1366"),
    pytest.param({"width": 390, "height": 844}, id="390"),
]


@pytest.mark.parametrize("viewport", WIDTHS)
def test_the_booking_page_without_the_calendar_shows_a_refusal_in_the_page(axe_login, desk_user, live_server, viewport):
    patel, _main = practitioner_with_hours("Dr Priya Patel")
    Closure.objects.create(
        practitioner=patel, starts_at=at(DAY, 0), ends_at=at(DAY + dt.timedelta(days=1), 0), reason="Leave"
    )
    PatientFactory(first_name="Amelia", last_name="Hart")
    page = axe_login(desk_user.username, PASSWORD)
    page.set_viewport_size(viewport)

    page.goto(f"{live_server.url}/desk/slot/?practitioner={patel.pk}&date={DAY}&time=10:00")
    assert_accessible_under_csp(page)
    page.get_by_label("Find the patient").fill("hart")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_label("Type for Amelia Hart")).to_be_visible()
    assert_accessible_under_csp(page)
    page.get_by_label("Type for Amelia Hart").select_option(label="Consultation")
    page.get_by_role("button", name="Book Amelia Hart").click()

    expect(page.get_by_role("alert")).to_contain_text("Dr Priya Patel")
    assert Appointment.objects.count() == 0
    assert_accessible_under_csp(page)


@pytest.mark.parametrize("viewport", WIDTHS)
def test_revoking_a_portal_link_and_cancelling_a_session_ask_first_under_the_csp(
    axe_login, desk_user, live_server, page, viewport
):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    walker = PatientFactory(first_name="Walt", last_name="Walker")
    session = booking(ada, main, at(DAY + dt.timedelta(days=7), 10), patient=walker, slug="consultation")
    token = issue_link(walker, now=timezone.now())
    page.set_viewport_size(viewport)

    # The patient: "Cancel this session" asks on a page of its own; "No, keep it" keeps it.
    page.goto(f"{live_server.url}/portal/{token}/sessions/{session.pk}/cancel/")
    assert_accessible_under_csp(page)
    page.get_by_role("button", name="Cancel this session").click()
    expect(page.get_by_role("heading", name="Cancel this session?")).to_be_visible()
    assert_accessible_under_csp(page)
    session.refresh_from_db()
    assert session.status == "booked"
    page.get_by_role("link", name="No, keep it").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible_under_csp(page)
    session.refresh_from_db()
    assert session.status == "booked"
    page.goto(f"{live_server.url}/portal/{token}/sessions/{session.pk}/cancel/")
    page.get_by_role("button", name="Cancel this session").click()
    page.get_by_role("button", name="Yes, cancel this session").click()
    expect(page.get_by_text("Your session has been cancelled.")).to_be_visible()
    assert_accessible_under_csp(page)
    session.refresh_from_db()
    assert session.status == "cancelled"

    # The desk: "Revoke portal link" opens a confirmation page; only its button revokes.
    axe_login(desk_user.username, PASSWORD)
    page.goto(f"{live_server.url}/desk/patients/{walker.pk}/")
    assert_accessible_under_csp(page)
    page.get_by_role("link", name="Revoke portal link").click()
    expect(page.get_by_role("heading", name="Revoke Walt Walker’s portal link?")).to_be_visible()
    assert_accessible_under_csp(page)
    assert page.request.get(f"{live_server.url}/portal/{token}/").status == 200
    page.get_by_role("button", name="Yes, revoke the link").click()
    expect(page.get_by_text("The portal link is revoked.")).to_be_visible()
    assert_accessible_under_csp(page)
    assert page.request.get(f"{live_server.url}/portal/{token}/").status == 404


def _walker_with_patel_and_okafor():
    """Walker booked with Dr Patel at Downtown, 09:00; Dr Okafor works at Northside."""
    patel, downtown = practitioner_with_hours("Dr Priya Patel", location=Location.objects.create(name="Downtown"))
    okafor, northside = practitioner_with_hours("Dr Ken Okafor", location=Location.objects.create(name="Northside"))
    walker = booking(patel, downtown, at(DAY, 9), patient=PatientFactory(first_name="Walt", last_name="Walker"))
    return patel, downtown, okafor, northside, walker


@pytest.mark.parametrize("viewport", WIDTHS)
def test_moving_to_a_colleague_previews_the_confirms_check_and_offers_his_location(
    axe_login, desk_user, live_server, viewport
):
    patel, downtown, okafor, northside, walker = _walker_with_patel_and_okafor()
    page = axe_login(desk_user.username, PASSWORD)
    page.set_viewport_size(viewport)

    # The card dropped on Dr Okafor at 14:00 (the page the dialog is, without the calendar's script).
    page.goto(f"{live_server.url}/desk/appointments/{walker.pk}/move-on-calendar/?date={DAY}&time=14:00")
    assert_accessible_under_csp(page)
    page.get_by_label("Practitioner").select_option(label="Dr Ken Okafor")
    page.get_by_role("button", name="Show the effect").click()
    expect(page.get_by_text("With Dr Ken Okafor instead of Dr Priya Patel")).to_be_visible()
    expect(page.get_by_label("Location")).to_have_value("")  # where he works then: Northside
    expect(page.get_by_text("At Northside instead of Downtown")).to_be_visible()
    assert_accessible_under_csp(page)

    # Downtown, where he does not work: the preview says what the confirm would, and offers no confirm.
    page.get_by_label("Location").select_option(label="Downtown")
    page.get_by_role("button", name="Show the effect").click()
    expect(page.get_by_role("alert")).to_contain_text("Dr Ken Okafor")
    expect(page.get_by_role("button", name="Confirm the move")).to_have_count(0)
    assert_accessible_under_csp(page)

    page.get_by_label("Location").select_option(label="Northside")
    page.get_by_role("button", name="Show the effect").click()
    page.get_by_role("button", name="Confirm the move").click()
    expect(page.get_by_text("Moved 1 appointment.")).to_be_visible()
    assert_accessible_under_csp(page)
    walker.refresh_from_db()
    assert (walker.practitioner, walker.location, walker.start) == (okafor, northside, at(DAY, 14))


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_card_dragged_to_a_colleague_on_the_day_previews_his_location_and_is_booked_there(
    axe_login, desk_user, live_server, viewport
):
    """Item 6 by a real drag: Walker's 09:00 card from Dr Patel's column (Downtown) to Dr Okafor's
    at 14:00 (he works at Northside); the dialog's preview names Northside and its confirm books
    it there. On the phone the cards drag too (static/js/calendar.js marks them draggable at every
    width): the page is scrolled first so the card and 14:00 in his column are both on screen."""
    patel, downtown, okafor, northside, walker = _walker_with_patel_and_okafor()
    page = axe_login(desk_user.username, PASSWORD)
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/desk/?date={DAY}")
    assert_accessible_under_csp(page)

    dialog = page.get_by_role("dialog")
    drag_card_in_view(page, page.locator(f"#appt-{walker.pk}"), f'.cal-col[data-practitioner="{okafor.pk}"]', 14, 0)
    expect(dialog).to_contain_text("To: Tuesday 11 May, 14:00")
    expect(dialog).to_contain_text("With Dr Ken Okafor instead of Dr Priya Patel")
    expect(dialog).to_contain_text("At Northside instead of Downtown")
    assert_accessible_under_csp(page)
    walker.refresh_from_db()
    assert (walker.practitioner, walker.location) == (patel, downtown)  # nothing moved by the preview
    dialog.get_by_role("button", name="Confirm the move").click()
    expect(page.get_by_text("Moved 1 appointment.")).to_be_visible()
    expect(page.locator(f'.cal-col[data-practitioner="{okafor.pk}"] #appt-{walker.pk}')).to_contain_text("14:00")
    assert_accessible_under_csp(page)
    walker.refresh_from_db()
    assert (walker.practitioner, walker.location, walker.start) == (okafor, northside, at(DAY, 14))
