"""Issue 12 journeys: an existing patient reschedules session 2 in the portal to a day inside the
window and is not offered a day outside it; two waitlisted patients get the same offer and only the
first claim wins. At 390 px, axe-clean, nothing loaded from another host."""

import datetime as dt
from urllib.parse import urlparse

import pytest
import time_machine
from django.conf import settings
from playwright.sync_api import expect

from patients.tokens import portal_url
from tests.browser.axe_portal import assert_accessible
from tests.factories import PatientFactory, appointment_type
from tests.treatments.factories_desk import book_series, clinic_setup, ensure_seed, local
from tests.treatments.factories_portal import clear_cache, issue_link  # noqa: F401
from treatments.models import Appointment, AppointmentChange, WaitlistOffer
from treatments.scheduling.services.booking import appointment_book, appointment_cancel
from treatments.scheduling.services.waitlist import waitlist_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clear_cache")]

NOW = local(2026, 5, 1, 12)


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe is injected as a script; the Content-Security-Policy would block it.
    return {**browser_context_args, "bypass_csp": True, "viewport": {"width": 390, "height": 844}}


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def _link(raw: str, live_server) -> str:
    return portal_url(raw).replace(settings.SITE_URL, live_server.url)


def _same_host_only(page, live_server) -> list[str]:
    """Every request the page makes, to check none leaves the site."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def _assert_local(seen: list[str], live_server) -> None:
    host = urlparse(live_server.url).netloc
    foreign = [u for u in seen if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != host]
    assert not foreign, foreign


def test_patient_moves_session_two_inside_its_window_and_is_not_offered_a_day_outside_it(clock, page, live_server):
    ensure_seed()
    setup = clinic_setup()
    series = book_series(setup, [local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30)], now=NOW)
    second = series.appointments.get(series_step=2)
    seen = _same_host_only(page, live_server)

    page.goto(_link(issue_link(setup[2], now=NOW), live_server))
    page.get_by_role("article").nth(1).get_by_role("link", name="Move to another day").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Move a session")
    expect(page.get_by_text("session 2 can move to a day in 26 May–9 Jun")).to_be_visible()
    offered = [
        dt.date.fromisoformat(v[:10])
        for v in page.locator("input[name=start]").evaluate_all("els => els.map(e => e.value)")
    ]
    assert offered and min(offered) >= dt.date(2026, 5, 26) and max(offered) <= dt.date(2026, 6, 9)
    expect(page.get_by_text("Wednesday 10 June")).to_have_count(0)
    page.get_by_text("Why some days are not offered").click()
    expect(page.get_by_text("Sat 30 May: no working hours that day")).to_be_visible()
    assert_accessible(page)

    # Each allowed day lists its free times; the patient opens Thursday's.
    page.locator("summary", has_text="Thursday 4 June").click()
    page.get_by_label("Thursday 4 June, 09:00").check()
    page.get_by_role("button", name="Move to this time").click()
    expect(page.get_by_text("Your session has been moved")).to_be_visible()
    expect(page.get_by_role("article").nth(1)).to_contain_text("Thursday 4 June 2026, 09:00")
    second.refresh_from_db()
    assert second.start == local(2026, 6, 4)
    assert AppointmentChange.objects.filter(appointment=second, kind="moved", by=None).exists()
    _assert_local(seen, live_server)


def test_two_waitlisted_patients_get_the_same_offer_and_only_the_first_claim_wins(clock, page, context, live_server):
    ensure_seed()
    practitioner, location, _patient = clinic_setup()
    ann, bob = PatientFactory(first_name="Ann"), PatientFactory(first_name="Bob")
    for patient in (ann, bob):
        waitlist_add(
            patient=patient, practitioner=practitioner, appointment_type=appointment_type("injection"), by=None, now=NOW
        )
    slot = local(2026, 5, 12, 10)
    other = appointment_book(
        patient=PatientFactory(),
        practitioner=practitioner,
        location=location,
        appointment_type=appointment_type("injection"),
        start=slot,
        by=None,
        now=NOW,
    )
    appointment_cancel(appointment=other, kind="patient", reason="away", by=None, now=NOW)
    assert WaitlistOffer.objects.filter(freed=other).count() == 2
    seen = _same_host_only(page, live_server)

    page.goto(_link(issue_link(ann, now=NOW), live_server))
    page.get_by_role("link", name="See and take this time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A time has come free")
    assert_accessible(page)

    bob_page = context.new_page()
    bob_page.goto(_link(issue_link(bob, now=NOW), live_server))
    bob_page.get_by_role("link", name="See and take this time").click()
    bob_page.get_by_role("button", name="Take this time").click()
    expect(bob_page.get_by_text("The time is yours")).to_be_visible()

    # Ann's page was opened before Bob took it: her click arrives second.
    page.get_by_role("button", name="Take this time").click()
    expect(page.get_by_role("alert")).to_contain_text("someone else took this time first")
    assert_accessible(page)
    assert Appointment.objects.get(start=slot, status="booked").patient == bob
    assert not Appointment.objects.filter(patient=ann).exists()
    _assert_local(seen, live_server)
