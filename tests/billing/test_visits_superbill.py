"""Issue 23's done-when, "after session 1 the patient downloads a superbill PDF from the portal",
for the patient who booked at /book/: /book/ books a single visit (a consultation), never a series,
and the series' superbill left that visit on no paper. The money page now offers the superbill of
the visits outside any series — only attended ones, each with place of service 11, the code of its
fee (CPT 99203) unless the practitioner set one, its charge and what was paid (the deposit) — by
the patient's own link (no id in the URL), no-store."""

import datetime as dt
import shutil

import pytest

from billing.models import Fee
from billing.services.checkout import checkout_invoice
from clinic.models import ClinicSettings
from tests.billing.factories_series import SOLD
from tests.billing.test_documents import pay, pdf_text
from tests.billing.test_portal_money import no_store
from tests.factories import (
    AppointmentFactory,
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    appointment_type,
)
from tests.treatments.factories_portal import issue_link
from treatments.models import Appointment

pytestmark = pytest.mark.django_db
VISIT = dt.datetime(2027, 5, 11, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def consultation(desk_user):
    ClinicSettings.objects.update_or_create(pk=1, defaults={"group_npi": "1234567893", "tax_id": "36-1234567"})
    kind = appointment_type("consultation")
    fee = {
        "code_system": "cpt",
        "code": "99203",
        "description": "Visit",
        "unit_price": 12000,
        "valid_from": VISIT.date(),
    }
    Fee.objects.create(appointment_type=kind, **fee)
    patient = PatientFactory(first_name="Nina", last_name="Berg", date_of_birth=dt.date(1980, 3, 4))
    practitioner = PractitionerFactory(display_name="Dr Ada Stone", npi="1987654328", licence="IL 036-123456")
    place = LocationFactory(address="1 Main St, Springfield, IL 62701")
    visit = AppointmentFactory(
        patient=patient,
        practitioner=practitioner,
        location=place,
        appointment_type=kind,
        start=VISIT,
        status="checked_in",
    )
    invoice = checkout_invoice(appointment_id=visit.pk, by=desk_user, now=VISIT)
    pay(invoice, amount=3000, by=desk_user)
    later = AppointmentFactory(
        patient=patient, practitioner=practitioner, appointment_type=kind, start=VISIT + dt.timedelta(days=30)
    )
    return patient, visit, later, issue_link(patient, now=SOLD, days=3650)


def test_the_money_page_offers_the_superbill_of_a_visit_booked_outside_a_series(client, consultation):
    patient, visit, later, token = consultation
    page = client.get(f"/billing/portal/{token}/").content.decode()
    assert "1 visit outside a treatment series." in page
    assert f'href="/billing/portal/{token}/visits/superbill.pdf" download' in page

    response = client.get(f"/billing/portal/{token}/visits/superbill/")
    text = response.content.decode()
    assert response.status_code == 200 and no_store(response)
    for shown in ("Dr Ada Stone", "1987654328", "IL 036-123456", "1234567893", "36-1234567", "Nina Berg", "1980-03-04"):
        assert shown in text, shown
    assert "<td>2027-05-11</td><td>11</td><td>CPT 99203</td>" in text
    assert "$120.00" in text and "$30.00" in text  # charge, and the deposit paid
    assert "2027-06-10" not in text  # only attended visits
    assert "Medicare does not cover prolotherapy" in text
    # No practice address in setup: the visit's place's; the patient gave none: the paper says so.
    assert f'<dd id="sb-practice-address">{visit.location.address}</dd>' in text
    assert '<dd id="sb-patient-address">not given: please tell the clinic</dd>' in text


def test_a_visit_not_yet_attended_gives_no_superbill_link(client, consultation):
    patient, visit, later, token = consultation
    Appointment.objects.filter(pk=visit.pk).update(status="booked")
    page = client.get(f"/billing/portal/{token}/").content.decode()
    assert "visits/superbill" not in page


def test_another_patients_link_shows_only_their_own_visits(client, consultation):
    other = issue_link(PatientFactory(first_name="Olga", last_name="Other"), now=SOLD, days=3650)
    text = client.get(f"/billing/portal/{other}/visits/superbill/").content.decode()
    assert "Nina" not in text and "No visit has been attended yet." in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_the_visits_superbill_pdf_reads_back_with_pdftotext(client, consultation, tmp_path):
    patient, visit, later, token = consultation
    response = client.get(f"/billing/portal/{token}/visits/superbill.pdf")
    if response["Content-Type"] != "application/pdf":
        pytest.skip("WeasyPrint is not installed here: the print page answers instead")
    text = pdf_text(response.content, tmp_path)
    for shown in ("Superbill", "Dr Ada Stone", "1987654328", "Nina Berg", "2027-05-11", "99203", "Medicare"):
        assert shown in text, shown


def test_a_visit_not_yet_checked_out_shows_its_fee_as_the_charge_and_its_deposit_as_paid(client, desk_user):
    """Only the deposit is invoiced until check-out: the charge is the visit's fee, not the deposit."""
    from billing.models import DepositPolicy
    from billing.selectors.superbills import visits_superbill
    from billing.services.deposits import deposit_invoice_at_booking

    kind = appointment_type("consultation")
    fee = {"code_system": "cpt", "code": "99203", "description": "Visit", "unit_price": 20000}
    Fee.objects.create(appointment_type=kind, valid_from=VISIT.date(), **fee)
    DepositPolicy.objects.create(appointment_type=kind, charge="fixed", amount=4000)
    visit = AppointmentFactory(appointment_type=kind, start=VISIT, status="checked_in")
    deposit = deposit_invoice_at_booking(appointment_ids=[visit.pk], series_id=None, by=desk_user, now=VISIT)
    pay(deposit, amount=4000, by=desk_user)
    (row,) = visits_superbill(patient=visit.patient).visits
    assert (row.code, row.charge, row.paid) == ("99203", 20000, 4000)
