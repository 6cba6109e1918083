"""The portal's money page and the patient's papers by their secret link: "3 of 5 sessions used",
the balance, "Pay now" only when the card checkout (billing:portal_pay) exists, each paper as a
PDF; another patient's paper through this link is a 404, every answer no-store, fixed queries."""

import uuid

import pytest
from django.http import HttpResponse
from django.urls import clear_url_caches, path, set_urlconf

from billing.services.packages import redemption_make
from tests.billing.factories_series import SOLD, knee_series, sell
from tests.billing.test_documents import pay, pdf_text
from tests.treatments.factories_portal import issue_link
from treatments.models import Appointment

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return {"no-store", "private"} <= {d.strip() for d in response.get("Cache-Control", "").split(",")}


@pytest.fixture
def sold(desk_user):
    setup = knee_series()
    package = sell(setup, by=desk_user)
    for session in setup.sessions[:3]:
        Appointment.objects.filter(pk=session.pk).update(status=Appointment.Status.COMPLETED)
        redemption_make(appointment_id=session.pk, kind="attended", by=desk_user, now=session.start)
    pay(package.invoice, amount=20000, by=desk_user)
    token = issue_link(setup.patient, now=SOLD, days=3650)
    return setup, package, token


def test_the_money_page_shows_sessions_used_balance_and_papers(client, sold, django_assert_max_num_queries):
    setup, package, token = sold
    url = f"/billing/portal/{token}/"
    client.get(url)
    # the link, its touch, the audit entry, settings; series+packages, redemptions, attended,
    # estimates, invoices, payments
    with django_assert_max_num_queries(14):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and no_store(response)
    assert "3 of 5 sessions used" in page
    # The series in the patient's words, as the portal's home names it (the protocol's own name
    # is the clinic's, with its literature reference).
    protocol = setup.series.protocol
    assert f'<h3 class="h5">{protocol.condition_label}</h3>' in page and protocol.name not in page
    assert "You owe $400.00." in page  # $600.00 package − $200.00 paid
    assert f"/billing/portal/{token}/series/{setup.series.pk}/superbill.pdf" in page
    assert "Receipt: $200.00" in page
    assert f"/billing/portal/{token}/bills/{package.invoice.pk}/pay/" in page  # Pay now: the card checkout
    home = client.get(f"/portal/{token}/").content.decode()  # the portal's navigation links here
    assert f'href="/billing/portal/{token}/">Your account</a>' in home


def urls_with_pay():
    from clinic import urls as root

    def portal_pay(request, token, invoice_id):
        return HttpResponse("pay")

    from billing import urls as billing_urls

    class Billing:
        app_name = "billing"
        urlpatterns = [
            *billing_urls.urlpatterns,
            path("portal/<str:token>/pay/<int:invoice_id>/", portal_pay, name="portal_pay"),
        ]

    from django.urls import include

    class Root:
        urlpatterns = [
            *[p for p in root.urlpatterns if getattr(p, "app_name", None) != "billing"],
            path("billing/", include(Billing)),
        ]

    return Root


def test_pay_now_appears_when_the_card_checkout_is_installed(client, sold):
    setup, package, token = sold
    set_urlconf(None)
    from django.test.utils import override_settings

    with override_settings(ROOT_URLCONF=urls_with_pay()):
        clear_url_caches()
        page = client.get(f"/billing/portal/{token}/").content.decode()
    clear_url_caches()
    assert f'href="/billing/portal/{token}/pay/{package.invoice.pk}/">Pay now' in page


def test_the_papers_download_as_pdf_by_the_link(client, sold, tmp_path):
    setup, package, token = sold
    superbill = client.get(f"/billing/portal/{token}/series/{setup.series.pk}/superbill.pdf")
    assert superbill.status_code == 200 and no_store(superbill)
    text = pdf_text(superbill.content, tmp_path)
    assert "M0076" in text and "2026-05-05" in text and "Medicare does not cover prolotherapy" in text
    statement = client.get(f"/billing/portal/{token}/statement.pdf")
    assert statement.status_code == 200 and "Statement of account" in pdf_text(statement.content, tmp_path)
    payment = setup.patient.payments.get()
    receipt = client.get(f"/billing/portal/{token}/receipts/{payment.pk}.pdf")
    assert receipt.status_code == 200 and "$200.00" in pdf_text(receipt.content, tmp_path)


def test_another_patients_paper_through_this_link_is_a_404(client, sold, desk_user):
    setup, package, token = sold
    other = knee_series(priced=False)
    Appointment.objects.filter(pk=other.sessions[0].pk).update(status=Appointment.Status.COMPLETED)
    from billing.services import checkout_invoice

    invoice = checkout_invoice(appointment_id=other.sessions[0].pk, by=desk_user, now=SOLD)
    pay(invoice, amount=invoice.total, by=desk_user)  # the fee schedule of the first series: $150.00
    other_payment = other.patient.payments.get()
    for path_ in (
        f"/billing/portal/{token}/series/{other.series.pk}/superbill.pdf",
        f"/billing/portal/{token}/series/{other.series.pk}/superbill/",
        f"/billing/portal/{token}/estimates/999999.pdf",
    ):
        response = client.get(path_)
        assert response.status_code == 404 and no_store(response), path_
    assert client.get(f"/billing/portal/{token}/receipts/{other_payment.pk}.pdf").status_code == 404
    # A wrong link is the same 404.
    bad = client.get(f"/billing/portal/{uuid.uuid4().hex}/statement.pdf")
    assert bad.status_code == 404 and no_store(bad)


def test_a_balance_reminder_goes_through_the_outbox_with_the_amount_only(sold, desk_user):
    from billing.services._common import BillingError
    from billing.services.accounts import balance_reminder
    from notifications.defaults import DEFAULTS
    from notifications.models import Message

    setup, package, token = sold
    key = uuid.uuid4()
    first = balance_reminder(patient_id=setup.patient.pk, attempt_key=key, by=desk_user, now=SOLD)
    again = balance_reminder(patient_id=setup.patient.pk, attempt_key=key, by=desk_user, now=SOLD)  # double click
    assert first.message is not None and again.message is None
    message = Message.objects.get(kind="balance")
    assert message.data == {"amount": "$400.00"}
    for channel in ("email", "sms"):
        words = DEFAULTS[("balance", channel)]["text"]
        assert "{{ amount }}" in words and "M0076" not in words and "diagnos" not in words
    pay(package.invoice, amount=40000, by=desk_user)  # paid up: nothing to remind of
    with pytest.raises(BillingError, match="owes nothing"):
        balance_reminder(patient_id=setup.patient.pk, attempt_key=uuid.uuid4(), by=desk_user, now=SOLD)
    assert Message.objects.filter(kind="balance").count() == 1


def test_a_package_closed_early_is_not_shown_to_the_patient_as_prepaid(client, sold, admin_user):
    """The demo's Liam read "1 of 4 sessions used · prepaid package" after the clinic had closed his
    package and refunded the rest: he would think his next sessions were paid for."""
    from billing.services.package_ends import package_close

    setup, package, token = sold
    url = f"/billing/portal/{token}/"
    assert "3 of 5 sessions used · prepaid package" in client.get(url).content.decode()
    package_close(package_id=package.pk, reason="Moving away", attempt_key=uuid.uuid4(), by=admin_user, now=SOLD)
    page = client.get(url).content.decode()
    assert "3 of 5 sessions used · package closed early" in page
    assert "prepaid package" not in page
