"""A waitlist offer the patient can take (issue 19, item 1), in Chromium at 1366 px and 390 px with
axe on every page: the offer e-mail opens the offer's own page; a claim refused for the patient's
own reason says that reason and keeps them on the list; once that is cleared, "Take this time" moves
their session."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from notifications import delivery
from tests.browser.calendar_grid import DAY, clock, seeded  # noqa: F401 (fixtures used by name)
from tests.browser.truth_axe import assert_accessible_under_csp
from tests.factories import PatientFactory
from tests.treatments.factories_calendar import at, booking, practitioner_with_hours, series_booking
from treatments.models import WaitlistEntry
from treatments.scheduling.services.booking import appointment_cancel
from treatments.scheduling.services.waitlist import waitlist_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded", "clock")]
WIDTHS = [
    pytest.param({"width": 1366, "height": 768}, id="1366"),
    pytest.param({"width": 390, "height": 844}, id="390"),
]
WEEK = dt.timedelta(days=7)


@pytest.mark.parametrize("viewport", WIDTHS)
def test_the_offer_link_opens_the_offer_a_refusal_says_why_and_the_time_is_taken(live_server, page, viewport):
    patel, main = practitioner_with_hours("Dr Priya Patel")
    okafor, _ = practitioner_with_hours("Dr Ken Okafor", location=main)
    walker = PatientFactory(first_name="Walt", last_name="Walker", email="walt@example.com")
    starts = [at(DAY, 9), at(DAY + 4 * WEEK, 9), at(DAY + 8 * WEEK, 9)]
    _series, sessions = series_booking(patel, main, starts, patient=walker)
    now = timezone.now()
    waitlist_add(
        patient=walker,
        practitioner=patel,
        appointment_type=sessions[1].appointment_type,
        appointment=sessions[1],
        by=None,
        now=now,
    )
    slot = at(DAY + 3 * WEEK, 10)
    freed = booking(patel, main, slot)
    appointment_cancel(appointment=freed, kind="patient", reason="away", by=None, now=now)
    delivery.messages_sweep(now=timezone.now())
    [email] = [m for m in mail.outbox if m.to == ["walt@example.com"] and "earlier time" in m.subject]
    link = re.search(r"(http\S+/offers/\d+/)", email.body).group(1)
    page.set_viewport_size(viewport)

    # Meanwhile the desk booked him with Dr Okafor at that very time: the claim says so.
    elsewhere = booking(okafor, main, slot, patient=walker, slug="follow-up")
    offer_page = link.replace("http://127.0.0.1:8000", live_server.url)
    page.goto(offer_page)
    expect(page.get_by_role("heading", name="A time has come free")).to_be_visible()
    assert_accessible_under_csp(page)
    page.get_by_role("button", name="Take this time").click()
    expect(page.get_by_role("alert")).to_contain_text("already has an appointment then")
    expect(page.get_by_role("alert")).not_to_contain_text("someone else")
    assert_accessible_under_csp(page)
    assert WaitlistEntry.objects.get().resolved_at is None

    # That booking cancelled, the offer is still his to take.
    appointment_cancel(appointment=elsewhere, kind="clinic", reason="booked twice", by=None, now=timezone.now())
    page.goto(offer_page)
    assert_accessible_under_csp(page)
    page.get_by_role("button", name="Take this time").click()
    expect(page.get_by_text("The time is yours.")).to_be_visible()
    assert_accessible_under_csp(page)
    sessions[1].refresh_from_db()
    assert sessions[1].start == slot
