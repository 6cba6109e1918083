"""Good Faith Estimates (issue 23): the due date rule (one business day; three for a service ten or
more business days out), made once from the series' plan at booking and kept as made, the
patient told through the outbox with no code or diagnosis, off outside the US, and the desk
warned when the series' bills exceed the estimate by $400 or more."""

import datetime as dt

import pytest

from billing.models import GoodFaithEstimate, PatientBillingDetails
from billing.services import invoice_add_line, invoice_create_draft, invoice_issue
from billing.services.documents import gfe_create, gfe_due_date, gfe_sweep, series_coding_save
from notifications.models import Message
from tests.billing.factories_series import SOLD, knee_series
from tests.billing.test_documents import pdf_text
from tests.treatments.factories_portal import issue_link
from treatments.hooks import patient_badges

pytestmark = pytest.mark.django_db

FRI = dt.date(2026, 5, 1)


def test_the_due_date_is_one_business_day_or_three_for_a_service_ten_business_days_out():
    # Booked on a Friday for the next Tuesday (2 business days out): due Monday.
    assert gfe_due_date(scheduled_on=FRI, first_service_on=dt.date(2026, 5, 5)) == dt.date(2026, 5, 4)
    # Nine business days out (Thursday 14 May): still one business day.
    assert gfe_due_date(scheduled_on=FRI, first_service_on=dt.date(2026, 5, 14)) == dt.date(2026, 5, 4)
    # Ten business days out (Friday 15 May): three business days, over the weekend → Wednesday.
    assert gfe_due_date(scheduled_on=FRI, first_service_on=dt.date(2026, 5, 15)) == dt.date(2026, 5, 6)


def test_booking_the_series_makes_the_estimate_once_and_keeps_it(
    practitioner_user, client, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        setup = knee_series()  # booked through the services: the hook makes the estimate on commit
    gfe = GoodFaithEstimate.objects.get(series=setup.series)
    assert gfe.total == 5 * 15000 and [s["charge"] for s in gfe.snapshot["sessions"]] == [15000] * 5
    assert gfe.snapshot["sessions"][0]["code"] == "M0076"
    assert gfe.due_by == gfe_due_date(scheduled_on=gfe.scheduled_on, first_service_on=gfe.first_service_on)
    message = Message.objects.get(kind="estimate", patient=setup.patient)
    assert message.data["amount"] == "$750.00"
    # The practitioner's later codes never rewrite it.
    series_coding_save(
        series_id=setup.series.pk,
        code="20610",
        modifier="",
        units=1,
        diagnoses="M17.11",
        by=practitioner_user,
        now=SOLD,
    )
    assert gfe_create(series_id=setup.series.pk, by=None, now=SOLD + dt.timedelta(days=1)).snapshot == gfe.snapshot
    assert GoodFaithEstimate.objects.count() == 1 and Message.objects.filter(kind="estimate").count() == 1
    token = issue_link(setup.patient, now=SOLD, days=3650)
    assert "$750.00" in client.get(f"/billing/portal/{token}/").content.decode()
    response = client.get(f"/billing/portal/{token}/estimates/{gfe.pk}.pdf")
    text = pdf_text(response.content, tmp_path)
    assert "Good Faith Estimate" in text and "$750.00" in text and "HCPCS M0076" in text


def test_the_estimate_message_says_no_code_or_diagnosis(practitioner_user):
    setup = knee_series()
    gfe_create(series_id=setup.series.pk, by=None, now=SOLD)
    message = Message.objects.get(kind="estimate", patient=setup.patient)
    from notifications.defaults import DEFAULTS

    for channel in ("email", "sms"):
        words = DEFAULTS[("estimate", channel)]["text"]
        for banned in ("M0076", "diagnos", "knee", "ICD"):
            assert banned not in words
    assert set(message.data) == {"amount", "estimate_id"}


def test_no_estimate_outside_the_us_or_for_an_insured_patient(settings):
    settings.BILLING_GOOD_FAITH_ESTIMATES = False
    setup = knee_series()
    assert not GoodFaithEstimate.objects.exists()
    assert gfe_sweep(now=SOLD) == 0
    settings.BILLING_GOOD_FAITH_ESTIMATES = True
    PatientBillingDetails.objects.create(patient=setup.patient, self_pay=False, payer="Acme Health")
    assert gfe_create(series_id=setup.series.pk, by=None, now=SOLD) is None


def test_the_sweep_makes_an_estimate_the_hook_missed():
    setup = knee_series()  # the hook's on-commit never ran here: as if its worker had died
    assert not GoodFaithEstimate.objects.exists()
    assert gfe_sweep(now=SOLD + dt.timedelta(hours=1)) == 1
    assert GoodFaithEstimate.objects.get().series_id == setup.series.pk
    assert gfe_sweep(now=SOLD + dt.timedelta(hours=2)) == 0


def _bill(setup, amount: int, desk_user) -> None:
    invoice = invoice_create_draft(
        patient_id=setup.patient.pk,
        location_id=setup.location.pk,
        kind="regular",
        series_id=setup.series.pk,
        by=desk_user,
        now=SOLD,
    )
    invoice_add_line(
        invoice_id=invoice.pk, description="Extra", unit_price=amount, quantity=1, version=None, by=desk_user, now=SOLD
    )
    invoice_issue(invoice_id=invoice.pk, version=None, by=desk_user, now=SOLD)


def test_the_desk_is_warned_at_400_dollars_over_the_estimate(desk_client, desk_user):
    setup = knee_series()
    assert gfe_create(series_id=setup.series.pk, by=None, now=SOLD).total == 75000
    _bill(setup, 75000 + 39999, desk_user)  # $399.99 over: no warning
    assert not any(
        "Good Faith Estimate" in b["text"] for b in patient_badges([setup.patient.pk]).get(setup.patient.pk, [])
    )
    _bill(setup, 1, desk_user)  # now exactly $400.00 over
    texts = [b["text"] for b in patient_badges([setup.patient.pk])[setup.patient.pk]]
    assert "Bills exceed the Good Faith Estimate by $400.00" in texts
    invoice = setup.series.invoices.order_by("pk").last()
    page = desk_client.get(f"/billing/invoices/{invoice.pk}/").content.decode()
    assert "$400.00 above its Good Faith Estimate of $750.00" in page
