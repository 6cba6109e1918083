"""axe-core on the practitioner's pages: no serious or critical accessibility violations."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.conf import settings

from tests.factories import PASSWORD, PatientFactory, PractitionerFactory
from tests.seeds import reseed
from tests.treatments.factories_practice import (
    NOW,
    PainCheckInFactory,
    screening,
    series_appointment,
    series_with_sessions,
)
from treatments.models import Appointment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(autouse=True)
def clock():
    reseed()
    with time_machine.travel(NOW, tick=True):
        yield


def test_practice_pages_have_no_serious_accessibility_violations(browser, live_server, practitioner_user):
    me = PractitionerFactory(user=practitioner_user)
    series = series_with_sessions(practitioner=me, pains=[8, 7], planned=3, patient=PatientFactory())
    PainCheckInFactory(series=series, pain=6, created_at=NOW - dt.timedelta(days=10))
    today = series_appointment(series, 3, NOW + dt.timedelta(minutes=30), status=Appointment.Status.CHECKED_IN)
    screening(today.patient, "anticoagulants", True, NOW - dt.timedelta(days=2))
    # axe is injected as a script, which the page's own CSP would (rightly) refuse.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(practitioner_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    problems = {}
    for path in (
        "/practice/",
        f"/practice/appointments/{today.pk}/record/",
        f"/practice/series/{series.pk}/",
        f"/practice/series/{series.pk}/summary/",
    ):
        page.goto(f"{live_server.url}{path}")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("async () => (await axe.run()).violations")
        serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            problems[path] = serious
    context.close()
    assert problems == {}
