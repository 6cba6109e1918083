"""Issue 23's documents in Chromium: a knee series is booked and sold as a package; at the first
session the practitioner chooses the billing codes (M0076, a diagnosis code) on their small form
and signs the session's record; the patient then opens their secret link, goes to "Your account"
("1 of 5 sessions used"), downloads the superbill PDF, and its text — read back with pdftotext — names the
practice, the code M0076, the date of service and the Medicare note, and not the session not given."""

import datetime as dt
import subprocess
import uuid

import pytest
import time_machine
from playwright.sync_api import expect

from billing.models import Fee
from billing.services.packages import package_sell
from clinic.models import ClinicSettings
from patients.tokens import portal_token_issue
from tests.browser.signin import sign_in
from tests.factories import (
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    WorkingHoursFactory,
    appointment_type,
    protocol,
)
from tests.treatments.factories_desk import ensure_seed, local
from treatments.models import SessionRecord
from treatments.scheduling.services.booking import series_book

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOOKED = local(2027, 4, 29, 12)  # a Thursday
SESSION_1 = local(2027, 5, 4, 9)
LATER = [local(2027, 6, 1, 9), local(2027, 6, 29, 9), local(2027, 7, 27, 9), local(2027, 8, 24, 9)]


def test_after_session_one_the_patient_downloads_a_superbill_pdf(page, live_server, practitioner_user, tmp_path):
    ensure_seed()
    ClinicSettings.objects.update_or_create(pk=1, defaults={"name": "Lakeside Prolotherapy", "tax_id": "36-1234567"})
    location = LocationFactory(name="Main Street")
    ada = PractitionerFactory(user=practitioner_user, display_name="Dr Ada Stone", npi="1245319599")
    for weekday in range(5):
        WorkingHoursFactory(practitioner=ada, location=location, weekday=weekday, start=dt.time(8), end=dt.time(17))
    patient = PatientFactory(first_name="Maria", last_name="Lopez", email="maria@example.com")
    Fee.objects.create(
        appointment_type=appointment_type("injection"),
        code_system="hcpcs",
        code="M0076",
        description="Prolotherapy session",
        unit_price=15000,
        valid_from=dt.date(2027, 1, 1),
    )
    Fee.objects.create(
        protocol=protocol(),
        package_sessions=5,
        code="PKG5",
        description="Series package, 5 sessions",
        unit_price=60000,
        valid_from=dt.date(2027, 1, 1),
    )
    with time_machine.travel(BOOKED, tick=True) as clock:
        series = series_book(
            patient=patient,
            protocol=protocol(),
            practitioner=ada,
            location=location,
            side="left",
            starts=[SESSION_1, *LATER],
            by=None,
            now=BOOKED,
        )
        package_sell(series_id=series.pk, attempt_key=uuid.uuid4(), by=None, now=BOOKED)
        token = portal_token_issue(patient=patient, now=BOOKED, days=365)
        first = series.appointments.order_by("start").first()

        # Ten minutes into session 1: the practitioner chooses the codes, then signs the record.
        clock.move_to(SESSION_1 + dt.timedelta(minutes=10))
        sign_in(page, live_server, practitioner_user)
        page.goto(f"{live_server.url}/billing/series/{series.pk}/coding/")
        page.get_by_label("HCPCS M0076 — prolotherapy").check()
        page.get_by_label("Diagnosis codes (ICD-10)").fill("M17.12 knee")
        page.get_by_role("button", name="Save the codes").click()
        expect(page.get_by_text("“KNEE” is not an ICD-10 code")).to_be_visible()  # nothing saved
        page.get_by_label("Diagnosis codes (ICD-10)").fill("m17.12")
        page.get_by_label("Modifier").fill("lt")
        page.get_by_role("button", name="Save the codes").click()
        expect(page.get_by_text("The billing codes are saved.")).to_be_visible()
        page.goto(f"{live_server.url}/practice/")
        page.get_by_role("link", name="Maria Lopez").first.click()
        page.get_by_label("Consent for this series confirmed").check()
        page.get_by_label("I re-checked today's screening").check()
        page.get_by_label("Pain before (0-10)").fill("6")
        page.locator('.bc-region[aria-label="Knee, left (Front)"]').click()
        page.locator('input[name="sites-0-structure"]').fill("Intra-articular")
        page.locator('input[name="sites-0-dextrose_percent"]').fill("25")
        page.locator('input[name="sites-0-volume_ml"]').fill("6")
        page.get_by_role("button", name="Sign the record").click()
        expect(page.get_by_text("The record is signed and the appointment completed.")).to_be_visible()
        assert SessionRecord.objects.get(appointment=first).status == "signed"

        # The patient, by their link: the money page, then the superbill as a PDF.
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/portal/{token}/")
        page.get_by_role("link", name="Your account").click()
        expect(page.get_by_text("1 of 5 sessions used")).to_be_visible()
        expect(page.locator("#portal-balance")).to_contain_text("You owe $600.00.")
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download the superbill (PDF)").click()
        pdf = tmp_path / "superbill.pdf"
        download_info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Lakeside Prolotherapy" in text and "36-1234567" in text and "1245319599" in text
    assert "HCPCS M0076" in text and "LT" in text and "A M17.12" in text
    assert "2027-05-04" in text  # the date of service
    assert "2027-06-01" not in text  # session 2 has not been given
    assert "$120.00" in text  # the $600.00 package spread over its 5 sessions
    assert "Medicare does not cover prolotherapy" in text
