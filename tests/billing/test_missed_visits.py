"""Late cancellation and no-show: recorded as waiting when the desk records them in treatments, and
charged only when a person chooses — the policy's fee, one package session forfeited, or a waiver
with a reason — on a page reached from the calendar card."""

import datetime as dt

import pytest

from billing.models import BillingEvent, CancellationPolicy, Invoice, MissedVisit, PackageRedemption
from billing.services import BillingError
from billing.services.missed import missed_visit_decide
from tests.billing.factories_series import STARTS, VISIT, knee_series, sell
from tests.factories import appointment_type
from treatments.scheduling.services.attendance import appointment_mark_no_show
from treatments.scheduling.services.booking import appointment_cancel

pytestmark = pytest.mark.django_db
LATE = STARTS[1] + dt.timedelta(hours=1)  # session 2 has started


def policy(**kw) -> CancellationPolicy:
    return CancellationPolicy.objects.create(
        appointment_type=appointment_type("injection"), **{"window_hours": 48, "charge": "fixed", "amount": 5000, **kw}
    )


def no_show(setup, by, capture, step: int = 2):
    with capture(execute=True):
        appointment_mark_no_show(appointment=setup.sessions[step - 1], by=by, now=LATE)
    return MissedVisit.objects.filter(appointment=setup.sessions[step - 1]).first()


def test_a_no_show_waits_for_the_desk_and_charges_nothing(desk_user, django_capture_on_commit_callbacks):
    policy()
    setup = knee_series()
    missed = no_show(setup, desk_user, django_capture_on_commit_callbacks)
    assert (missed.reason, missed.decision, missed.fee) == ("no_show", "pending", 5000)
    assert not Invoice.objects.filter(kind=Invoice.Kind.FEE).exists()


def test_the_fee_when_the_desk_chooses_it(desk_user, django_capture_on_commit_callbacks):
    policy()
    setup = knee_series()
    missed = no_show(setup, desk_user, django_capture_on_commit_callbacks)
    decided = missed_visit_decide(missed_id=missed.pk, decision="fee", by=desk_user, now=LATE)
    invoice = decided.invoice
    assert (invoice.kind, invoice.status, invoice.total, invoice.appointment_id) == (
        "fee",
        "issued",
        5000,
        setup.sessions[1].pk,
    )
    assert "No-show fee" in invoice.lines.get().description
    with pytest.raises(BillingError, match="already decided: fee charged"):
        missed_visit_decide(missed_id=missed.pk, decision="waived", waiver_reason="x", by=desk_user, now=LATE)
    assert Invoice.objects.filter(kind=Invoice.Kind.FEE).count() == 1


def test_forfeiting_one_package_session(desk_user, django_capture_on_commit_callbacks):
    setup = knee_series()
    sell(setup, by=desk_user)
    missed = no_show(setup, desk_user, django_capture_on_commit_callbacks)
    assert missed is not None and missed.fee == 0  # no fee policy, but a package session to forfeit
    with pytest.raises(BillingError, match="no fee"):
        missed_visit_decide(missed_id=missed.pk, decision="fee", by=desk_user, now=LATE)
    decided = missed_visit_decide(missed_id=missed.pk, decision="forfeit", by=desk_user, now=LATE)
    assert decided.redemption.kind == PackageRedemption.Kind.FORFEITED
    assert decided.redemption.appointment_id == setup.sessions[1].pk


def test_a_waiver_needs_a_reason_and_is_in_the_history(desk_user, django_capture_on_commit_callbacks):
    policy()
    setup = knee_series()
    missed = no_show(setup, desk_user, django_capture_on_commit_callbacks)
    with pytest.raises(BillingError, match="reason"):
        missed_visit_decide(missed_id=missed.pk, decision="waived", waiver_reason=" ", by=desk_user, now=LATE)
    missed.refresh_from_db()
    assert missed.decision == "pending"
    missed_visit_decide(missed_id=missed.pk, decision="waived", waiver_reason="Snow storm", by=desk_user, now=LATE)
    event = BillingEvent.objects.get(action=BillingEvent.Action.FEE_WAIVED)
    assert "Snow storm" in event.detail and event.amount == 5000 and event.by == desk_user


def test_forfeit_without_a_package_is_refused(desk_user, django_capture_on_commit_callbacks):
    policy()
    setup = knee_series()
    missed = no_show(setup, desk_user, django_capture_on_commit_callbacks)
    with pytest.raises(BillingError, match="no active package"):
        missed_visit_decide(missed_id=missed.pk, decision="forfeit", by=desk_user, now=LATE)
    missed.refresh_from_db()
    assert missed.decision == "pending" and not PackageRedemption.objects.exists()


def test_nothing_to_decide_without_a_policy_or_a_package(desk_user, django_capture_on_commit_callbacks):
    setup = knee_series()
    assert no_show(setup, desk_user, django_capture_on_commit_callbacks) is None


@pytest.mark.parametrize(
    ("kind", "hours_before", "late"), [("late", 72, True), ("patient", 24, True), ("patient", 72, False)]
)
def test_cancellations_inside_the_window_wait_for_the_desk(
    desk_user, django_capture_on_commit_callbacks, kind, hours_before, late
):
    policy(window_hours=48)
    setup = knee_series()
    session = setup.sessions[1]
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(
            appointment=session,
            kind=kind,
            reason="",
            by=desk_user,
            now=session.start - dt.timedelta(hours=hours_before),
        )
    missed = MissedVisit.objects.filter(appointment=session).first()
    assert (missed is not None) == late
    if late:
        assert missed.reason == "late_cancel"


def test_a_percentage_fee_is_of_the_visits_fee(desk_user, django_capture_on_commit_callbacks):
    policy(charge="percent", amount=0, percent_bp=5000)
    setup = knee_series()
    missed = no_show(setup, desk_user, django_capture_on_commit_callbacks)
    assert missed.fee == VISIT // 2


def test_the_page_offers_three_choices_and_shows_bad_input(desk_client, desk_user, django_capture_on_commit_callbacks):
    policy()
    setup = knee_series()
    sell(setup, by=desk_user)
    missed = no_show(setup, desk_user, django_capture_on_commit_callbacks)
    url = f"/billing/missed/{missed.pk}/"
    page = desk_client.get(url).content.decode()
    assert "Charge the fee ($50.00)" in page and "Forfeit one package session" in page and "Waive it" in page
    assert "Nothing is charged until you choose." in page
    response = desk_client.post(url, {"decision": "waived", "waiver_reason": ""})
    assert response.status_code == 400 and "Give a reason for waiving the fee." in response.content.decode()
    missed.refresh_from_db()
    assert missed.decision == "pending"
    response = desk_client.post(url, {"decision": "forfeit"})
    assert response.status_code == 302
    page = desk_client.get(url).content.decode()
    assert "Package session forfeited" in page


def test_the_fee_chosen_on_the_page_leads_to_its_invoice_and_take_payment(
    desk_client, desk_user, django_capture_on_commit_callbacks
):
    """Having charged the fee the desk takes it: the page names the invoice as a link, with "Take
    payment" for it (it was plain text, and the desk had to look for the invoice in the list)."""
    policy()
    setup = knee_series()
    missed = no_show(setup, desk_user, django_capture_on_commit_callbacks)
    url = f"/billing/missed/{missed.pk}/"
    assert desk_client.post(url, {"decision": "fee"}).status_code == 302
    fee = Invoice.objects.get(kind="fee")
    page = desk_client.get(url).content.decode()
    assert f'<a href="/billing/invoices/{fee.pk}/" id="fee-invoice">{fee.display_number}</a> ($50.00)' in page
    assert f"/billing/pay/?patient={setup.patient.pk}&amp;invoice={fee.pk}&amp;location={fee.location_id}" in page


def test_the_page_is_for_staff_only(client, no_role_user, desk_user, django_capture_on_commit_callbacks):
    policy()
    setup = knee_series()
    missed = no_show(setup, desk_user, django_capture_on_commit_callbacks)
    url = f"/billing/missed/{missed.pk}/"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(no_role_user)
    assert client.get(url).status_code == 403
    assert client.get("/billing/missed/999999/").status_code == 403


def test_the_page_reads_a_fixed_number_of_queries(
    desk_client, desk_user, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    policy()
    setup = knee_series()
    missed = no_show(setup, desk_user, django_capture_on_commit_callbacks)
    desk_client.get(f"/billing/missed/{missed.pk}/")
    # session, user, roles, clinic settings, the navigation's counts (about 8); the missed visit
    # with its appointment, the active package, the audit entry
    with django_assert_max_num_queries(14):
        desk_client.get(f"/billing/missed/{missed.pk}/")


def test_the_desk_decides_on_the_missed_visit_page_once_and_bad_input_saves_nothing(
    desk_client, desk_user, django_capture_on_commit_callbacks
):
    policy()
    setup = knee_series()
    missed = no_show(setup, desk_user, django_capture_on_commit_callbacks)
    url = f"/billing/missed/{missed.pk}/"
    response = desk_client.post(url, {"decision": "waived", "waiver_reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was recorded: see what is marked below." in page
    assert page.count("Give a reason for waiving the fee.") == 1  # said once, under the reason
    response = desk_client.post(url, {"waiver_reason": ""})
    assert response.status_code == 400 and "Choose what happens" in response.content.decode()
    missed.refresh_from_db()
    assert missed.decision == "pending"
    response = desk_client.post(url, {"decision": "fee", "waiver_reason": ""}, follow=True)
    assert response.redirect_chain[-1][0] == url and "Recorded." in response.content.decode()
    response = desk_client.post(url, {"decision": "waived", "waiver_reason": "Snow storm"})
    assert response.status_code == 400 and "This was already decided: fee charged." in response.content.decode()
    assert Invoice.objects.filter(kind=Invoice.Kind.FEE).count() == 1
