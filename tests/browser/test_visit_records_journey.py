"""Issue 11's journey in Chromium: a consultation note chooses a knee protocol; the desk books it
from the request; at the first session's time its record is filled and signed; the next session,
still in the future, cannot be signed."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    AppointmentFactory,
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    WorkingHoursFactory,
    appointment_type,
)
from tests.treatments.factories_desk import ensure_seed, local
from treatments.models import Appointment, SeriesRequest, SessionRecord, TreatmentSeries

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Monday morning, later than the real clock so the browser keeps the session cookie.
CONSULTATION_AT = local(2027, 5, 3, 10, 0)
FIRST_SESSION = local(2027, 5, 4, 9, 0)


def test_consultation_to_booked_series_to_a_signed_first_session(
    login, page, live_server, practitioner_user, desk_user
):
    ensure_seed()
    me = PractitionerFactory(user=practitioner_user, display_name="Dr Ada Stone")
    location = LocationFactory(name="Main Street")
    for weekday in range(5):
        WorkingHoursFactory(practitioner=me, location=location, weekday=weekday, start=dt.time(8), end=dt.time(17))
    patient = PatientFactory(first_name="Maria", last_name="Lopez")
    consultation = AppointmentFactory(
        practitioner=me,
        patient=patient,
        location=location,
        appointment_type=appointment_type("consultation"),
        start=CONSULTATION_AT,
        status=Appointment.Status.CHECKED_IN,
    )

    with time_machine.travel(CONSULTATION_AT + dt.timedelta(minutes=40), tick=True) as clock:
        login(practitioner_user.username, PASSWORD)
        page.goto(f"{live_server.url}/practice/appointments/{consultation.pk}/record/")
        expect(page.get_by_role("heading", name="Consultation")).to_be_visible()
        expect(page.get_by_text("Consent for this series")).to_have_count(0)
        page.get_by_label("History").fill("Left knee pain for three years, worse on stairs.")
        page.get_by_label("Examination").fill("Medial joint line tender, no effusion.")
        page.get_by_label("Imaging reviewed").fill("X-ray 2026: KL grade 2, medial.")
        page.get_by_label("Screening answers reviewed").check()
        page.get_by_label("Assessment").fill("Knee osteoarthritis, left.")
        page.get_by_label("Candidate for prolotherapy").select_option(label="Yes")
        page.get_by_label("Protocol to book").select_option(label="Knee OA — Rabago 2013")
        page.get_by_label("Side to treat").select_option(label="Left")
        page.get_by_role("button", name="Sign the note").click()
        expect(page.get_by_text("The note is signed and the appointment completed.")).to_be_visible()
        assert SeriesRequest.objects.filter(patient=patient, side="left").exists()
        page.get_by_role("button", name="Log out").click()

        # The desk books it from the request, protocol and side already chosen.
        login(desk_user.username, PASSWORD)
        page.goto(f"{live_server.url}/desk/requests/")
        card = page.locator("article").filter(has_text="Maria Lopez").filter(has_text="Knee OA — Rabago 2013")
        expect(card).to_contain_text("side: Left")
        expect(page.get_by_text("Medial joint line tender")).to_have_count(0)
        card.get_by_role("link", name="Book the series").click()
        expect(page.get_by_label("Protocol")).to_have_value(str(SeriesRequest.objects.get().protocol_id))
        expect(page.get_by_label("Side")).to_have_value("left")
        page.get_by_label("Location").select_option(label="Main Street")
        page.get_by_label("First session: date").fill("2027-05-04")
        page.get_by_label("First session: time").fill("09:00")
        page.get_by_role("button", name="Propose sessions").click()
        page.get_by_role("button", name="Book all 3 sessions").click()
        expect(page.get_by_text("Booked all 3 sessions.")).to_be_visible()
        page.goto(f"{live_server.url}/desk/requests/")
        page.get_by_role("button", name="Booked: close the request").click()
        expect(page.get_by_text("No series waiting to be booked.")).to_be_visible()
        page.get_by_role("button", name="Log out").click()

        series = TreatmentSeries.objects.get(patient=patient)
        first, second = series.appointments.order_by("start")[:2]
        assert first.start == FIRST_SESSION

        # Ten minutes into the first session: its record is filled and signed.
        clock.move_to(FIRST_SESSION + dt.timedelta(minutes=10))
        login(practitioner_user.username, PASSWORD)
        page.goto(f"{live_server.url}/practice/")
        page.get_by_role("link", name="Maria Lopez").first.click()
        expect(page.get_by_text("Knee osteoarthritis, left — session 1 of 3")).to_be_visible()
        page.get_by_label("Consent for this series confirmed").check()
        page.get_by_label("I re-checked today's screening").check()
        page.get_by_label("Pain before (0-10)").fill("6")
        # The site is placed on the body chart: a click on the left knee fills the first row.
        page.locator('.bc-region[aria-label="Knee, left (Front)"]').click()
        expect(page.locator('input[name="sites-0-region"]')).to_have_value("Knee")
        expect(page.locator('select[name="sites-0-side"]')).to_have_value("left")
        page.locator('input[name="sites-0-structure"]').fill("Intra-articular")
        page.locator('input[name="sites-0-dextrose_percent"]').fill("25")
        page.locator('input[name="sites-0-volume_ml"]').fill("6")
        page.get_by_role("button", name="Sign the record").click()
        expect(page.get_by_text("The record is signed and the appointment completed.")).to_be_visible()
        assert SessionRecord.objects.get(appointment=first).status == "signed"

        # The next session is weeks away: the page says so, and signing it is refused.
        page.goto(f"{live_server.url}/practice/appointments/{second.pk}/record/")
        expect(page.locator("#sign-refusal")).to_contain_text("can be signed once it has started")
        page.get_by_label("Consent for this series confirmed").check()
        page.get_by_label("I re-checked today's screening").check()
        page.get_by_label("Pain before (0-10)").fill("5")
        page.locator('input[name="sites-0-region"]').fill("Knee")
        page.locator('input[name="sites-0-dextrose_percent"]').fill("25")
        page.locator('input[name="sites-0-volume_ml"]').fill("6")
        page.get_by_role("button", name="Sign the record").click()
        expect(page.get_by_role("alert")).to_contain_text("can be signed once it has started")
        assert not SessionRecord.objects.filter(appointment=second).exists()
        second.refresh_from_db()
        assert second.status == Appointment.Status.BOOKED

        # The series chart shows the site of session 1.
        page.goto(f"{live_server.url}/practice/series/{series.pk}/")
        chart = page.locator("svg.series-body-chart")
        expect(chart.locator(".bc-mark")).to_have_count(1)
        expect(page.locator(".series-site-list")).to_contain_text("Session 1: Knee")
