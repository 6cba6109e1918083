"""The patient's pages and papers, and the desk's invoice list, at 390x844 (issue 19, item 14):
nothing scrolls the page sideways and axe finds no serious or critical problem. The portal's
pages (home, check-in, aftercare, a session's pages, its money pages) and the superbill a
patient prints from them; the staff pages: test_every_page_fits_a_phone.py."""

import pytest
import time_machine
from django.utils import timezone

from tests.billing.factories import desk_setup, issued_invoice
from tests.billing.factories_series import SOLD, knee_series, sell
from tests.browser.phone_fit import phone_problems
from tests.browser.signin import sign_in
from tests.treatments.factories_portal import issue_link
from treatments.models import Appointment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_patients_pages_and_papers_fit_a_phone_and_are_axe_clean(browser, live_server, desk_user):
    with time_machine.travel(SOLD, tick=False):
        setup = knee_series()
        sell(setup)
        Appointment.objects.filter(pk=setup.sessions[0].pk).update(status=Appointment.Status.COMPLETED)
        token = issue_link(setup.patient, now=timezone.now(), days=365)
        desk = desk_setup()
        issued_invoice(desk)
    first, second = setup.sessions[0], setup.sessions[1]
    portal = f"/portal/{token}"
    pages = [
        f"{portal}/",
        f"{portal}/checkin/",
        f"{portal}/aftercare/",
        f"{portal}/sessions/{second.pk}/before/",
        f"{portal}/sessions/{second.pk}/move/",
        f"{portal}/sessions/{second.pk}/cancel/",
        f"/billing/portal/{token}/",
        f"/billing/portal/{token}/bills/",
        f"/billing/portal/{token}/statement/",
        f"/billing/portal/{token}/series/{setup.series.pk}/superbill/",
    ]
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems = {url: found for url in pages if (found := phone_problems(page, f"{live_server.url}{url}"))}
    sign_in(page, live_server, desk_user)
    page.wait_for_url(f"{live_server.url}/desk/**")
    for url in ["/billing/", f"/billing/series/{setup.series.pk}/superbill/"]:
        if found := phone_problems(page, f"{live_server.url}{url}"):
            problems[url] = found
    context.close()
    assert first.pk
    assert problems == {}
