"""The series tells the truth, in Chromium: the desk proposes a knee OA series around a clinic
holiday and reads why session 2 is off its target day; books it; moves session 2 a week later
without shifting the rest, and the move result and the series page say how far session 3 now is
from it against the protocol's 28 days (issue 9's "done when")."""

import pytest
import time_machine
from playwright.sync_api import expect

from clinic.models import Closure
from tests.browser.test_desk_series import serious_a11y_problems
from tests.factories import PASSWORD
from tests.treatments.factories_desk import clinic_setup, ensure_seed, local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A fixed clock for the server, later than the real one so the browser keeps the session cookie.
NOW = local(2027, 4, 29, 12)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def test_desk_sees_why_a_session_is_off_target_and_the_spacing_after_a_move(clock, login, desk_user, live_server):
    ensure_seed()
    _, _, patient = clinic_setup()
    # Session 1 on Tue 4 May 2027: session 2's target, Tue 1 Jun, is a clinic holiday.
    Closure.objects.create(starts_at=local(2027, 6, 1, 0), ends_at=local(2027, 6, 2, 0), reason="Staff training")
    page = login(desk_user.username, PASSWORD)

    page.goto(f"{live_server.url}/desk/patients/{patient.pk}/")
    page.get_by_role("link", name="Book a series").click()
    page.get_by_label("Protocol").select_option(label="Knee OA — Rabago 2013")
    page.get_by_label("Practitioner").select_option(label="Dr Ada Stone")
    page.get_by_label("Location").select_option(label="Main Street")
    page.get_by_label("Side").select_option(label="Left")
    page.get_by_label("First session: date").fill("2027-05-04")
    page.get_by_label("First session: time").fill("09:00")
    page.get_by_role("button", name="Propose sessions").click()

    expect(page.get_by_label("Session 2 date")).to_have_value("2027-05-31")
    proposal = page.locator(".series-proposals tr[data-session='2']")
    expect(proposal).to_contain_text("Tue 1 Jun: clinic closed — Staff training; moved to Mon 31 May")
    expect(page.get_by_label("Session 3 date")).to_have_value("2027-06-28")
    page.get_by_role("button", name="Book all 3 sessions").click()
    expect(page.get_by_text("Booked all 3 sessions.")).to_be_visible()
    rows = page.locator("#series-sessions tbody tr")
    expect(rows.nth(1)).to_contain_text("Tue 1 Jun: clinic closed — Staff training; moved to Mon 31 May")

    page.get_by_role("link", name="Move session 2").click()
    expect(page.get_by_label("Also move the later sessions to keep the spacing")).not_to_be_checked()
    expect(page.locator("[data-window='keep']")).to_contain_text("Tue 25 May – Mon 7 Jun")
    page.get_by_label("Date").fill("2027-06-07")
    page.get_by_label("Time").fill("09:00")
    page.get_by_label("Why").fill("Patient away that week")
    page.get_by_role("button", name="Move").click()

    # The move result ...
    expect(page.get_by_text("Moved 1 appointment.")).to_be_visible()
    expect(
        page.get_by_role("status").filter(has_text="Session 3: 21 days after session 2; protocol: 28.")
    ).to_be_visible()
    # ... and the series page, on the rows themselves.
    expect(rows.nth(1)).to_contain_text("Mon 7 Jun 2027, 09:00")
    expect(rows.nth(1)).to_contain_text("34 days after session 1; protocol: 28")
    expect(rows.nth(2).locator("[data-spacing='warning']")).to_have_text(
        "⚠ Spacing warning: 21 days after session 2; protocol: 28"
    )
    assert serious_a11y_problems(page) == []

    # The day calendar's card says it too.
    page.get_by_role("link", name="Mon 28 Jun 2027, 09:00").click()
    card = page.locator(".cal-appt").filter(has_text=patient.full_name)
    expect(card.locator(".cal-spacing")).to_contain_text("21 days after session 2; protocol: 28")
