"""The patient's papers (issue 23): the superbill (only attended visits, a package spread over its
sessions, the practitioner's code and diagnosis pointers, the Medicare note, a real PDF read back
with pdftotext), the statement and receipt, the practitioner's codes form, and who may open what."""

import shutil
import subprocess
import uuid

import pytest

from billing.models import PatientBillingDetails, SeriesCoding
from billing.models.documents import parse_icd10_codes
from billing.selectors.documents import paid_in_order, spread, superbill
from billing.services import payment_take
from billing.services.documents import series_coding_save
from billing.services.packages import redemption_make
from billing.services.payments import AllocationRequest
from tests.billing.factories_series import SOLD, STARTS, knee_series, sell
from treatments.models import Appointment

pytestmark = pytest.mark.django_db


def attend(appointment: Appointment, *, by=None) -> None:
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.COMPLETED)
    redemption_make(appointment_id=appointment.pk, kind="attended", by=by, now=appointment.start)


def pay(invoice, *, amount: int, by) -> None:
    payment_take(
        patient_id=invoice.patient_id,
        location_id=invoice.location_id,
        method="cash",
        amount=amount,
        allocations=[AllocationRequest(invoice_id=invoice.pk, amount=amount, version=None)],
        attempt_key=uuid.uuid4(),
        by=by,
        now=SOLD,
    )


def pdf_text(data: bytes, tmp_path) -> str:
    assert data.startswith(b"%PDF-")
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_spread_adds_up_exactly_and_the_earlier_shares_take_the_cents():
    assert spread(60000, 5) == [12000] * 5
    assert spread(60000, 7) == [8572] * 3 + [8571] * 4 and sum(spread(60000, 7)) == 60000
    assert paid_in_order([12000, 12000, 12000], 30000) == [12000, 12000, 6000]
    assert paid_in_order([12000, 12000], 0) == [0, 0]


def test_icd10_codes_are_checked_and_written_with_their_dot():
    assert parse_icd10_codes("m17.11, M25561 M17.11") == ["M17.11", "M25.561"]
    with pytest.raises(Exception, match="“KNEE” is not an ICD-10 code"):
        parse_icd10_codes("M17.11 knee")


def test_only_attended_visits_appear_and_the_package_is_spread(desk_user):
    setup = knee_series()
    package = sell(setup, by=desk_user)
    pay(package.invoice, amount=30000, by=desk_user)  # half of the $600.00 package paid
    for session in setup.sessions[:3]:
        attend(session, by=desk_user)
    Appointment.objects.filter(pk=setup.sessions[3].pk).update(status=Appointment.Status.NO_SHOW)
    bill = superbill(series=setup.series)
    assert [v.appointment.pk for v in bill.visits] == [s.pk for s in setup.sessions[:3]]
    assert [v.charge for v in bill.visits] == [12000, 12000, 12000]  # $600 / 5 sessions each
    assert [v.paid for v in bill.visits] == [12000, 12000, 6000]  # the $300 paid, laid in order
    assert all(v.code == "M0076" and v.system == "HCPCS" for v in bill.visits)
    assert bill.total_charge == 36000 and bill.balance == 6000


def test_a_visit_checked_out_on_its_own_shows_its_invoice(desk_user):
    from billing.services import checkout_invoice

    setup = knee_series()
    first = setup.sessions[0]
    Appointment.objects.filter(pk=first.pk).update(status=Appointment.Status.COMPLETED)
    invoice = checkout_invoice(appointment_id=first.pk, by=desk_user, now=STARTS[0])
    pay(invoice, amount=15000, by=desk_user)
    bill = superbill(series=setup.series)
    assert [(v.charge, v.paid, v.package) for v in bill.visits] == [(15000, 15000, False)]


def test_the_superbill_pdf_carries_practice_provider_patient_codes_and_the_medicare_note(
    desk_client, practitioner_user, desk_user, tmp_path, settings
):
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is not installed: run make setup")
    from clinic.models import ClinicSettings

    ClinicSettings.objects.update_or_create(
        pk=1,
        defaults={
            "name": "Lakeside Prolotherapy",
            "address": "12 Lake St, Chicago IL",
            "group_npi": "1234567893",
            "tax_id": "36-1234567",
        },
    )
    setup = knee_series()
    setup.practitioner.npi, setup.practitioner.licence = "1245319599", "IL 036-123456"
    setup.practitioner.save()
    PatientBillingDetails.objects.create(patient=setup.patient, address="5 Elm Ave", member_id="XQZ123456")
    series_coding_save(
        series_id=setup.series.pk,
        code="20610",
        modifier="rt",
        units=1,
        diagnoses="M17.11 M25.561",
        by=practitioner_user,
        now=SOLD,
    )
    attend(setup.sessions[0], by=desk_user)
    response = desk_client.get(f"/billing/series/{setup.series.pk}/superbill.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content, tmp_path)
    for expected in (
        "Lakeside Prolotherapy",
        "1234567893",
        "36-1234567",
        "1245319599",
        "IL 036-123456",
        setup.patient.last_name,
        setup.patient.date_of_birth.isoformat(),
        "5 Elm Ave",
        "XQZ123456",
        "CPT 20610",
        "RT",
        "A M17.11",
        "B M25.561",
        "AB",
        "2026-05-05",
        "Medicare does not cover prolotherapy",
    ):
        assert expected in text, expected
    assert "2026-06-02" not in text  # session 2 not attended


def test_the_codes_form_is_the_practitioners_and_bad_input_saves_nothing(client, desk_user, practitioner_user):
    setup = knee_series()
    url = f"/billing/series/{setup.series.pk}/coding/"
    client.force_login(desk_user)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(practitioner_user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"code": "20550", "modifier": "R", "units": "1", "diagnoses": "M17.11 knee"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "A modifier is two letters or digits" in page and "is not an ICD-10 code" in page
    assert not SeriesCoding.objects.exists()
    response = client.post(url, {"code": "99999", "modifier": "", "units": "1", "diagnoses": ""})
    assert response.status_code == 400 and not SeriesCoding.objects.exists()
    response = client.post(url, {"code": "20550", "modifier": "lt", "units": "2", "diagnoses": "m76.50"})
    assert response.status_code == 302
    coding = SeriesCoding.objects.get()
    assert (coding.code, coding.modifier, coding.units, coding.diagnoses) == ("20550", "LT", 2, "M76.50")


def test_staff_documents_need_a_staff_role_and_count_their_queries(
    client, desk_client, desk_user, django_assert_max_num_queries
):
    setup = knee_series()
    url = f"/billing/series/{setup.series.pk}/superbill/"
    for session in setup.sessions:  # the count does not grow with the visits on it
        Appointment.objects.filter(pk=session.pk).update(status=Appointment.Status.COMPLETED)
        desk_client.get(url)
        # session, user, roles, the series, audit (about 6); coding, details, visits, redemptions,
        # invoices, fees, settings (twice: the page header's and the bill's)
        with django_assert_max_num_queries(16):
            page = desk_client.get(url).content.decode()
    assert "2026-05-05" in page and "2026-08-25" in page and "$750.00" in page
    statement = desk_client.get(f"/billing/patients/{setup.patient.pk}/statement/")
    assert statement.status_code == 200 and "Statement of account" in statement.content.decode()
    assert desk_client.get(f"/billing/series/{setup.series.pk + 999}/superbill/").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_without_weasyprint_the_pdf_link_serves_the_print_page(desk_client, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise ImportError("not installed here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    setup = knee_series()
    Appointment.objects.filter(pk=setup.sessions[0].pk).update(status=Appointment.Status.COMPLETED)
    response = desk_client.get(f"/billing/series/{setup.series.pk}/superbill.pdf")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Medicare does not cover prolotherapy" in response.content.decode()


def test_the_print_pages_name_the_clinic_icon_so_the_browser_asks_no_missing_favicon(desk_client):
    """The print pages had no icon link: each opened one 404 (/favicon.ico) in the server's log."""
    setup = knee_series()
    page = desk_client.get(f"/billing/patients/{setup.patient.pk}/statement/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
