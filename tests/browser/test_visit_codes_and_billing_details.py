"""Issue 23's remainder in Chromium, axe on each new page: the practitioner bills the second visit
with 20610 (a three-letter modifier refused first, nothing saved); the desk opens the patient's
billing details from the patient's page, saves the address and insurer, sends a balance reminder
and reads where it went; the superbill then shows the new address and the visit's own code."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from clinic import roles
from notifications.models import Message
from tests.billing.factories_series import knee_series, sell
from tests.browser.axe_portal import assert_accessible
from tests.browser.signin import sign_in
from tests.treatments.factories_desk import ensure_seed, local
from treatments.models import Appointment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AFTER_TWO_VISITS = local(2026, 6, 10, 10)


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe is injected as a script; the Content-Security-Policy would block it.
    return {**browser_context_args, "bypass_csp": True}


def test_a_visit_coded_20610_and_the_patients_address_reach_the_superbill(page, live_server, desk_user):
    ensure_seed()
    setup = knee_series()
    sell(setup, by=desk_user)  # $600.00 owed
    first, second = setup.sessions[:2]
    Appointment.objects.filter(pk__in=[first.pk, second.pk]).update(status=Appointment.Status.COMPLETED)
    doc = setup.practitioner.user
    doc.groups.add(Group.objects.get(name=roles.PRACTITIONER))

    with time_machine.travel(AFTER_TWO_VISITS + dt.timedelta(minutes=1), tick=True):
        sign_in(page, live_server, doc.username)
        page.goto(f"{live_server.url}/billing/series/{setup.series.pk}/coding/")
        page.get_by_role("link", name="Codes per visit").click()
        assert_accessible(page)
        page.get_by_label("Code for the visit of 2 Jun 2026").select_option("20610")
        page.get_by_label("Modifier for the visit of 2 Jun 2026").fill("rtx")
        page.get_by_role("button", name="Save the codes").click()
        expect(page.get_by_text("A modifier is two letters or digits, e.g. RT.")).to_be_visible()
        assert_accessible(page)
        page.get_by_label("Modifier for the visit of 2 Jun 2026").fill("rt")
        page.get_by_role("button", name="Save the codes").click()
        expect(page.get_by_text("The code of 1 visit is saved.")).to_be_visible()

        sign_in(page, live_server, desk_user.username)
        page.goto(f"{live_server.url}/desk/patients/{setup.patient.pk}/")
        page.get_by_role("link", name="Billing details").click()
        assert_accessible(page)
        page.get_by_label("Postal address").fill("9 Oak Road, Peoria IL 61602")
        page.get_by_label("Insurer member id").fill("XQZ#1")
        page.get_by_role("button", name="Save the billing details").click()
        expect(page.get_by_text("A member id is letters and digits")).to_be_visible()
        page.get_by_label("Insurer", exact=True).fill("Blue Lake Health")
        page.get_by_label("Insurer member id").fill("XQZ-123456")
        page.get_by_role("button", name="Save the billing details").click()
        expect(page.get_by_text("The billing details are saved")).to_be_visible()
        page.get_by_role("button", name="Send a balance reminder").click()
        expect(page.get_by_text("A reminder of $600.00 owed was queued for e-mail.")).to_be_visible()
        assert_accessible(page)
        assert Message.objects.filter(kind="balance", patient=setup.patient).count() == 1

        page.goto(f"{live_server.url}/billing/series/{setup.series.pk}/superbill/")
        rows = page.locator("#sb-visits tbody tr")
        expect(rows.nth(0)).to_contain_text("HCPCS M0076")
        expect(rows.nth(1)).to_contain_text("CPT 20610")
        expect(rows.nth(1)).to_contain_text("RT")
        expect(page.locator("body")).to_contain_text("9 Oak Road, Peoria IL 61602")
        expect(page.locator("body")).to_contain_text("XQZ-123456")
