"""What the clinical pages say is true (issue 19, items 2-4), in Chromium at 1366 px and 390 px
with axe on every page: the intake's blood thinners and allergy are flags on the calendar card, the
patient page and the record; the letter charts the signed sessions only, each site placed; the
clinic admin reads a colleague's record without signing it and hands it over, which its history
shows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from patients.services_intake import IntakeData
from tests.browser.calendar_grid import DAY, clock, seeded  # noqa: F401 (fixtures used by name)
from tests.browser.truth_axe import assert_accessible_under_csp
from tests.factories import PASSWORD, PatientFactory, PractitionerFactory, SessionRecordFactory
from tests.treatments.factories_calendar import at, practitioner_with_hours
from tests.treatments.factories_practice import InjectionSiteFactory, series_appointment, series_with_sessions
from treatments.portal.services_intake import portal_intake_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded", "clock")]
WIDTHS = [
    pytest.param({"width": 1366, "height": 768}, id="1366"),
    pytest.param({"width": 390, "height": 844}, id="390"),
]


def _admin_signs_in(page, live_server, admin_user):
    key = bytes(range(20))
    TOTPDevice.objects.create(user=admin_user, name="phone", confirmed=True, key=key.hex())
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible_under_csp(page)
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_accessible_under_csp(page)
    page.get_by_label("Code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/desk/")
    assert_accessible_under_csp(page)


@pytest.mark.parametrize("viewport", WIDTHS)
def test_flags_from_the_intake_a_letter_of_signed_sessions_and_a_record_handed_over(
    axe_login, desk_user, practitioner_user, admin_user, live_server, page, viewport
):
    okafor = PractitionerFactory(user=practitioner_user, display_name="Dr Ken Okafor")
    practitioner_with_hours("Dr Priya Patel")
    _, main = practitioner_with_hours("Dr Ada Stone")
    for weekday in range(5):
        okafor.working_hours.create(location=main, weekday=weekday, start=dt.time(8), end=dt.time(17))
    walker = PatientFactory(first_name="Walt", last_name="Walker")
    portal_intake_submit(
        patient=walker,
        data=IntakeData(blood_thinners=True, blood_thinners_which="apixaban", allergies="Penicillin"),
        now=timezone.now(),
    )
    # Sessions 1-2 signed (sites typed without a point), session 3 a draft dated tomorrow.
    series = series_with_sessions(
        practitioner=okafor,
        pains=[7, 5],
        planned=3,
        side="right",
        patient=walker,
        location=main,
        first=at(DAY, 9) - dt.timedelta(days=28),
        interval_days=14,
    )
    today = series_appointment(series, 3, at(DAY, 11))
    draft = SessionRecordFactory(appointment=today, pain_before=3)
    InjectionSiteFactory(record=draft, side="left", structure="Draft site", chart_view="front", chart_x=70, chart_y=150)
    InjectionSiteFactory(
        record=draft, volume_ml=Decimal("2"), structure="Draft site", chart_view="front", chart_x=50, chart_y=150
    )
    page.set_viewport_size(viewport)

    # The desk: the card and the patient page flag the intake's answers.
    axe_login(desk_user.username, PASSWORD)
    page.goto(f"{live_server.url}/desk/?date={DAY}")
    flag = page.locator(f"#appt-{today.pk} .cal-flag")
    expect(flag).to_have_attribute("title", "Has another allergy; Takes blood thinners (anticoagulants)")
    assert_accessible_under_csp(page)
    page.goto(f"{live_server.url}/desk/patients/{walker.pk}/")
    expect(page.get_by_text("Takes blood thinners (anticoagulants) — apixaban")).to_be_visible()
    expect(page.get_by_text("Has another allergy — Penicillin")).to_be_visible()
    assert_accessible_under_csp(page)

    # The practitioner: the record flags them; the letter charts the two signed sessions only.
    page.context.clear_cookies()
    axe_login(practitioner_user.username, PASSWORD)
    page.goto(f"{live_server.url}/practice/appointments/{today.pk}/record/")
    expect(page.locator(".red-flags")).to_contain_text("Takes blood thinners (anticoagulants)")
    expect(page.locator(".red-flags")).to_contain_text("Has another allergy")
    assert_accessible_under_csp(page)
    page.goto(f"{live_server.url}/practice/series/{series.pk}/letter/")
    chart = page.locator(".series-site-list")
    expect(chart).to_contain_text("Session 1: Knee — Intra-articular (placed by its region)")
    expect(chart).not_to_contain_text("Draft site")
    expect(chart).not_to_contain_text("not placed on the chart")
    expect(page.locator(".series-body-chart .bc-mark")).to_have_count(4)
    assert_accessible_under_csp(page)

    # The clinic admin: reads the draft, cannot sign it, hands it over; the history says so.
    _admin_signs_in(page, live_server, admin_user)
    patel = okafor.__class__.objects.get(display_name="Dr Priya Patel")
    page.goto(f"{live_server.url}/practice/appointments/{today.pk}/record/")
    expect(page.get_by_text("Only Dr Ken Okafor, whose appointment this is, writes this record.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign the record")).to_have_count(0)
    expect(page.get_by_label("Pain before (0-10)")).to_be_disabled()
    expect(page.get_by_role("button", name="Copy from the last session")).to_have_count(0)
    assert_accessible_under_csp(page)
    page.get_by_label("Hand it to").select_option(label="Dr Priya Patel")
    page.get_by_label("Why").fill("Dr Okafor is away this week")
    page.get_by_role("button", name="Hand it over").click()
    expect(page.get_by_text("The record is handed over to Dr Priya Patel.")).to_be_visible()
    expect(page.get_by_text("Written and signed by: Dr Ken Okafor → Dr Priya Patel")).to_be_visible()
    expect(page.get_by_text("Only Dr Priya Patel, to whom this record was handed over, writes it.")).to_be_visible()
    assert_accessible_under_csp(page)
    draft.refresh_from_db()
    assert (draft.handed_to, draft.status) == (patel, "draft")
