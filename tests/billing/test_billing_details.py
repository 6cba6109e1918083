"""The patient's billing details at the desk (issue 23): the address, insurer and member id the
superbill prints and the self-pay flag, edited on /billing/patients/<id>/details/ (desk roles),
linked from the patient's page, the statement and the superbill; each change audited and in the
page's history; bad input shown in the page and nothing saved; fixed queries."""

import pytest
from django.test import override_settings

from billing.models import BillingEvent, PatientBillingDetails
from clinic.models import AuditEntry
from tests.billing.factories_series import knee_series
from treatments.models import Appointment

pytestmark = pytest.mark.django_db


def url(patient) -> str:
    return f"/billing/patients/{patient.pk}/details/"


GOOD = {"address": "5 Elm Ave,  Springfield IL 62701", "payer": "Blue Lake Health", "member_id": "XQZ-123456"}


def test_the_desk_saves_the_details_and_the_superbill_prints_the_new_address(desk_client, desk_user):
    setup = knee_series()
    Appointment.objects.filter(pk=setup.sessions[0].pk).update(status=Appointment.Status.COMPLETED)
    response = desk_client.post(url(setup.patient), {**GOOD, "self_pay": "on"})
    assert response.status_code == 302
    page = desk_client.get(url(setup.patient)).content.decode()
    assert "The billing details are saved" in page
    assert 'value="5 Elm Ave, Springfield IL 62701"' in page  # spaces tidied
    assert "Billing details changed: address, insurer, member id" in page  # the history names fields
    details = PatientBillingDetails.objects.get(patient=setup.patient)
    assert (details.payer, details.member_id, details.self_pay) == ("Blue Lake Health", "XQZ-123456", True)
    assert AuditEntry.objects.filter(
        object_type="billing.patientbillingdetails", patient_id=setup.patient.pk, user=desk_user, action="create"
    ).exists()

    # A new address: the superbill shows it, not the old one; self-pay unticked.
    desk_client.post(url(setup.patient), {**GOOD, "address": "9 Oak Road, Peoria IL"})
    superbill = desk_client.get(f"/billing/series/{setup.series.pk}/superbill/").content.decode()
    assert "9 Oak Road, Peoria IL" in superbill and "5 Elm Ave" not in superbill
    assert "XQZ-123456" in superbill and "Blue Lake Health" in superbill
    assert not PatientBillingDetails.objects.get(patient=setup.patient).self_pay
    assert BillingEvent.objects.filter(patient=setup.patient, action="details_changed").count() == 2
    assert f'href="{url(setup.patient)}"' in superbill  # the superbill links here (screen only)


def test_the_self_pay_flag_decides_the_good_faith_estimate(desk_client, desk_user):
    from billing.services.documents import gfe_create

    setup = knee_series()
    desk_client.post(url(setup.patient), {**GOOD})  # self-pay unticked: an insured patient
    with override_settings(BILLING_GOOD_FAITH_ESTIMATES=True):
        assert gfe_create(series_id=setup.series.pk, by=desk_user, now=setup.sessions[0].start) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"member_id": "XQZ#123"}, "A member id is letters and digits (spaces and dashes allowed), as on the card."),
        ({"payer": ""}, "Name the insurer the member id belongs to."),
        ({"address": "x" * 251}, "Ensure this value has at most 250 characters (it has 251)."),
    ],
)
def test_bad_input_is_shown_and_nothing_is_saved(desk_client, change, message):
    setup = knee_series()
    response = desk_client.post(url(setup.patient), {**GOOD, "self_pay": "on", **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PatientBillingDetails.objects.exists() and not BillingEvent.objects.exists()


def test_desk_roles_may_open_it_others_may_not(client, desk_user, practitioner_user, no_role_user):
    setup = knee_series()
    assert client.get(url(setup.patient)).status_code == 302  # anonymous: to the login page
    assert client.post(url(setup.patient), GOOD).status_code == 302 and not PatientBillingDetails.objects.exists()
    client.force_login(no_role_user)
    assert client.get(url(setup.patient)).status_code == 403
    for user in (desk_user, practitioner_user):  # billing.access: every staff role works with every patient
        client.force_login(user)
        assert client.get(url(setup.patient)).status_code == 200
    assert client.get(f"/billing/patients/{setup.patient.pk + 999}/details/").status_code == 404


def test_the_patient_page_statement_and_balance_badge_link_here(desk_client, desk_user):
    from tests.billing.factories_series import sell

    setup = knee_series()
    sell(setup, by=desk_user)  # $600.00 owed
    patient_page = desk_client.get(f"/desk/patients/{setup.patient.pk}/").content.decode()
    assert f'href="{url(setup.patient)}">Billing details</a>' in patient_page
    assert f'href="{url(setup.patient)}">Balance due $600.00</a>' in patient_page
    statement = desk_client.get(f"/billing/patients/{setup.patient.pk}/statement/").content.decode()
    assert f'href="{url(setup.patient)}"' in statement
    assert "<title>Statement of account — " in statement  # the desk's links are in the body, not the title
    superbill = desk_client.get(f"/billing/series/{setup.series.pk}/superbill/").content.decode()
    assert "<title>Superbill — " in superbill and superbill.count(f'href="{url(setup.patient)}"') == 1


def test_what_is_owed_lists_the_invoices_and_leads_to_take_payment(desk_client, desk_user):
    """The patient page's "Balance due $600.00" lands here: the desk sees which invoice is owed and
    takes the payment from here (it said only "$600.00 is owed on issued invoices")."""
    from tests.billing.factories_series import sell

    setup = knee_series()
    package = sell(setup, by=desk_user)
    page = desk_client.get(url(setup.patient)).content.decode()
    assert f'<a href="/billing/invoices/{package.invoice_id}/">INV-000001</a>' in page and "$600.00 due" in page
    assert f'id="take-payment" href="/billing/pay/?patient={setup.patient.pk}">Take payment</a>' in page


def test_the_page_reads_a_fixed_number_of_queries(desk_client, desk_user, django_assert_max_num_queries):
    setup = knee_series()
    for n in range(4):  # the history grows; the queries do not
        desk_client.post(url(setup.patient), {**GOOD, "member_id": f"M{n}"})
        # session, user, roles, the patient, the audit entry; details, owed, the open invoices,
        # history (with who); the page's header (clinic settings, pain check-ins); the session saved (3)
        with django_assert_max_num_queries(15):
            page = desk_client.get(url(setup.patient)).content.decode()
    assert page.count("Billing details changed") == 4
