"""The desk's package pages: selling (the prices stated, a double click one sale), the package
(sessions used, giving one back, closing early with the arithmetic on screen — the clinic admin's),
who may open them, bad input shown with nothing saved, and fixed query counts."""

import uuid

import pytest

from billing.models import CreditNote, Invoice, Package, PackageRedemption
from billing.services.packages import redemption_make
from tests.billing.factories_series import STARTS, knee_series, pay_all, sell
from tests.factories import login_with_second_factor

pytestmark = pytest.mark.django_db


def test_the_sell_page_states_both_prices_and_one_click_sells_once(desk_client):
    setup = knee_series()
    url = f"/billing/series/{setup.series.pk}/package/"
    page = desk_client.get(url).content.decode()
    assert 'id="package-price">$600.00' in page
    assert 'id="single-visit-price">$150.00' in page and "the package saves $150.00" in page
    key = str(uuid.uuid4())
    first = desk_client.post(url, {"attempt_key": key})
    second = desk_client.post(url, {"attempt_key": key})  # the double click
    package = Package.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/billing/packages/{package.pk}/"
    assert Invoice.objects.count() == 1


def test_the_sell_page_says_why_it_cannot_sell(desk_client):
    setup = knee_series(priced=False)
    url = f"/billing/series/{setup.series.pk}/package/"
    page = desk_client.get(url).content.decode()
    assert "The fee schedule has no package price for this protocol today." in page
    response = desk_client.post(url, {"attempt_key": str(uuid.uuid4())})
    assert response.status_code == 400 and "no package price" in response.content.decode()
    response = desk_client.post(url, {"attempt_key": "not-a-key"})
    assert response.status_code == 400 and "out of date" in response.content.decode()
    assert not Invoice.objects.exists() and not Package.objects.exists()


def test_the_package_page_shows_sessions_and_the_refund_arithmetic(
    desk_client, desk_user, django_assert_max_num_queries
):
    setup = knee_series()
    package = sell(setup, by=desk_user)
    for session in setup.sessions[:3]:
        redemption_make(appointment_id=session.pk, kind="attended", by=desk_user, now=session.start)
    url = f"/billing/packages/{package.pk}/"
    desk_client.get(url)
    # session, user, roles, settings and the navigation's counts (about 8); the package, its
    # redemptions, the count used, paid (allocations, refunds), the policy, the audit entry
    with django_assert_max_num_queries(17):
        page = desk_client.get(url).content.decode()
    assert "3 of 5 sessions used" in page
    assert '<em id="refund-rule">Sessions given at the single-visit price</em>' in page
    assert "3 sessions used × $150.00 single-visit price = $450.00" in page
    assert "Refund: $0.00 paid − $450.00 = $0.00 (never below $0.00)" in page
    assert "Credit note: $600.00 package price − $450.00 = $150.00" in page
    assert "Close and issue the credit note ($150.00)" in page  # the desk closes it by the rule
    assert "The refund of what is owed back is then the clinic admin's." in page


def test_the_clinic_admin_closes_it_and_bad_input_saves_nothing(client, admin_user, desk_user):
    login_with_second_factor(client, admin_user)
    setup = knee_series()
    package = sell(setup, by=desk_user)
    redemption_make(appointment_id=setup.sessions[0].pk, kind="attended", by=desk_user, now=STARTS[0])
    url = f"/billing/packages/{package.pk}/close/"
    response = client.post(url, {"attempt_key": str(uuid.uuid4()), "reason": ""})
    assert response.status_code == 400 and "Give a reason" in response.content.decode()
    package.refresh_from_db()
    assert package.status == "active" and not CreditNote.objects.exists()
    response = client.post(url, {"attempt_key": str(uuid.uuid4()), "reason": "Series stopped"})
    assert response.status_code == 302
    page = client.get(f"/billing/packages/{package.pk}/").content.decode()
    note = CreditNote.objects.get()
    assert note.display_number in page and "Credit note: $600.00 package price − $150.00 = $450.00" in page


def test_the_desk_closes_a_package_by_the_rule_and_the_refund_stays_the_admins(desk_client, desk_user):
    """The Done-when's journey: the desk issues the credit note whose arithmetic is on screen; the
    money goes back through the clinic admin (a refund is one of item 12's admin writes)."""
    setup = knee_series()
    package = sell(setup, by=desk_user)
    redemption_make(appointment_id=setup.sessions[0].pk, kind="attended", by=desk_user, now=STARTS[0])
    response = desk_client.post(
        f"/billing/packages/{package.pk}/close/", {"attempt_key": str(uuid.uuid4()), "reason": "Series stopped"}
    )
    assert response.status_code == 302
    package.refresh_from_db()
    note = CreditNote.objects.get()
    assert package.status == "closed" and package.credit_note_id == note.pk
    page = desk_client.get(f"/billing/packages/{package.pk}/").content.decode()
    assert note.display_number in page and "Credit note: $600.00 package price − $150.00 = $450.00" in page


def test_a_visitor_or_a_patient_link_cannot_close_a_package(client, desk_user):
    setup = knee_series()
    package = sell(setup, by=desk_user)
    response = client.post(f"/billing/packages/{package.pk}/close/", {"attempt_key": str(uuid.uuid4()), "reason": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    package.refresh_from_db()
    assert package.status == "active"


def test_giving_a_session_back_needs_a_reason(desk_client, desk_user):
    setup = knee_series()
    sell(setup, by=desk_user)
    redemption = redemption_make(appointment_id=setup.sessions[0].pk, kind="attended", by=desk_user, now=STARTS[0])
    url = f"/billing/redemptions/{redemption.pk}/reverse/"
    assert desk_client.post(url, {"reason": ""}).status_code == 400
    assert PackageRedemption.objects.get().reversed_at is None
    assert desk_client.post(url, {"reason": "Wrong patient checked in"}).status_code == 302
    redemption.refresh_from_db()
    assert redemption.reversed_reason == "Wrong patient checked in"


@pytest.mark.parametrize(
    "path", ["/billing/series/{series}/package/", "/billing/packages/{package}/", "/billing/reports/"]
)
def test_anonymous_and_roleless_visitors_are_kept_out(client, no_role_user, desk_user, path):
    setup = knee_series()
    package = sell(setup, by=desk_user)
    url = path.format(series=setup.series.pk, package=package.pk)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(no_role_user)
    assert client.get(url).status_code == 403


def test_an_unknown_package_is_a_404(desk_client):
    assert desk_client.get("/billing/packages/999999/").status_code == 404
    assert desk_client.get("/billing/series/999999/package/").status_code == 404


def test_check_out_of_a_package_session_says_so_and_invoices_nothing(
    desk_client, desk_user, django_assert_max_num_queries
):
    setup = knee_series()
    sell(setup, by=desk_user)
    first = setup.sessions[0]
    redemption_make(appointment_id=first.pk, kind="attended", by=desk_user, now=STARTS[0])
    url = f"/billing/checkout/{first.pk}/"
    desk_client.get(url)
    with django_assert_max_num_queries(24):  # B1's check-out page and the package's two
        page = desk_client.get(url).content.decode()
    assert "Session 1 of 5 — package: the package pays for this visit" in page
    assert "Invoice this visit from the fee schedule" not in page
    assert "The patient owes $600.00 in all." in page  # the package invoice itself
    response = desk_client.post(f"/billing/checkout/{first.pk}/invoice/")
    assert response.status_code == 400 and "The series package pays for this session" in response.content.decode()
    assert Invoice.objects.filter(kind="regular").count() == 0
    # Session 2, not yet given: the package's count, and the visit may be invoiced as usual.
    page = desk_client.get(f"/billing/checkout/{setup.sessions[1].pk}/").content.decode()
    assert "Package: 1 of 5 used" in page and "Invoice this visit from the fee schedule" in page


def test_check_out_of_a_package_session_lists_the_receipt_of_what_was_paid_that_day(desk_client, desk_user):
    """Back on a package session's check-out after taking the payment: its receipt is there to
    print or e-mail again (the payment went to the package's invoice, not the visit's)."""
    import datetime as dt

    setup = knee_series()
    package = sell(setup, by=desk_user)
    first = setup.sessions[0]
    redemption_make(appointment_id=first.pk, kind="attended", by=desk_user, now=STARTS[0])
    paid_at = first.start + dt.timedelta(minutes=40)
    on_the_day = pay_all(setup, package.invoice, by=desk_user, amount=30000, now=paid_at).payment
    page = desk_client.get(f"/billing/checkout/{first.pk}/").content.decode()
    assert f'href="/billing/payments/{on_the_day.pk}/receipt/">print receipt</a>' in page
    later = desk_client.get(f"/billing/checkout/{setup.sessions[1].pk}/").content.decode()
    assert f"/billing/payments/{on_the_day.pk}/receipt/" not in later  # another day's visit


def test_from_the_package_the_desk_finds_its_invoice_and_the_admin_the_refund(
    client, admin_user, desk_client, desk_user
):
    """The journey by hand: after the sale the package page leads to its invoice and "Take payment";
    once closed with money owed back, it offers "Refund $…" from each payment that paid it (filled
    in: that invoice, that amount), and tells the desk that a clinic admin makes the refund."""
    import datetime as dt

    import time_machine

    from billing.services.package_ends import package_close

    setup = knee_series()
    package = sell(setup, by=desk_user)
    url = f"/billing/packages/{package.pk}/"
    page = desk_client.get(url).content.decode()
    assert (
        f'href="/billing/invoices/{package.invoice_id}/" id="package-invoice">INV-000001</a> (issued, $600.00 due)'
        in page
    )
    assert f"/billing/pay/?patient={setup.patient.pk}&amp;invoice={package.invoice_id}" in page
    paid_at = STARTS[2] + dt.timedelta(hours=1)
    payment = pay_all(setup, package.invoice, by=desk_user).payment
    for session in setup.sessions[:3]:
        redemption_make(appointment_id=session.pk, kind="attended", by=desk_user, now=session.start)
    package_close(package_id=package.pk, reason="Stopped", attempt_key=uuid.uuid4(), by=admin_user, now=paid_at)
    with time_machine.travel(paid_at, tick=False):
        page = desk_client.get(url).content.decode()
        assert "Refund due: <strong>$150.00</strong>" in page
        assert "$150.00 to refund" in page and "A clinic admin makes the refund" in page
        assert f"/billing/payments/{payment.pk}/refund/" not in page  # not the desk's to press
        login_with_second_factor(client, admin_user)
        page = client.get(url).content.decode()
        refund_url = f"/billing/payments/{payment.pk}/refund/?invoice={package.invoice_id}&amp;amount=15000"
        assert f'href="{refund_url}">Refund $150.00</a>' in page
        invoice_page = client.get(f"/billing/invoices/{package.invoice_id}/").content.decode()
        assert f'href="{refund_url}">Refund $150.00</a>' in invoice_page
        form = client.get(refund_url.replace("&amp;", "&")).content.decode()
        assert 'value="$150.00"' in form and f'value="{package.invoice_id}" selected' in form
