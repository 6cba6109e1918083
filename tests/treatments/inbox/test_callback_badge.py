"""A red flag puts a count on the Requests link of every staff page until someone calls back;
patients and visitors never see it, and it costs a staff page one query at most."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.models import AuditEntry
from tests.factories import PASSWORD, PatientFactory
from tests.treatments.factories_portal import issue_link
from treatments.models import PainCheckIn, RedFlag

pytestmark = pytest.mark.django_db

BADGE = 'id="callback-count"'
PROCESSOR = "treatments.inbox.context_processors.callbacks"


def _checkin(*, red_flags=(), handled: bool = False, **fields) -> PainCheckIn:
    now = timezone.now()
    return PainCheckIn.objects.create(
        patient=fields.pop("patient", None) or PatientFactory(),
        pain=7,
        red_flags=list(red_flags),
        created_at=now - dt.timedelta(hours=1),
        acknowledged_at=now if handled else None,
        **fields,
    )


def _badge(html: str) -> str | None:
    """The number on the Requests link, or None when there is no badge."""
    if BADGE not in html:
        return None
    start = html.index(BADGE) + len(BADGE) + 1
    return html[start : html.index("<", start)]


@pytest.fixture
def two_open():
    _checkin(red_flags=[RedFlag.FEVER])
    _checkin(red_flags=[RedFlag.SPREADING, RedFlag.DISCHARGE])
    _checkin(red_flags=[RedFlag.UNWELL], handled=True)
    _checkin()  # no warning sign: nothing to call back


@pytest.mark.parametrize("who", ["desk_client", "practitioner_client", "admin_client_"])
# Not named "page": that is the browser tests' fixture, and pytest would group these tests with them.
@pytest.mark.parametrize("url", ["/desk/", "/desk/patients/", "/messages/"])
def test_every_staff_page_counts_the_warning_signs_nobody_has_called_back(request, two_open, who, url):
    html = request.getfixturevalue(who).get(url).content.decode()

    assert _badge(html) == "2"
    assert '>2<span class="visually-hidden"> warning signs to call back</span>' in html


def test_no_badge_when_everyone_has_been_called_back(desk_client):
    _checkin(red_flags=[RedFlag.FEVER], handled=True)

    assert _badge(desk_client.get("/desk/patients/").content.decode()) is None


def test_calling_back_drops_the_count_and_is_audited(desk_client, desk_user):
    first = _checkin(red_flags=[RedFlag.FEVER])
    _checkin(red_flags=[RedFlag.NERVE])

    response = desk_client.post(f"/desk/requests/alerts/{first.pk}/acknowledge/", follow=True)

    assert _badge(response.content.decode()) == "1"
    first.refresh_from_db()
    assert first.acknowledged_by == desk_user
    audit = AuditEntry.objects.get(action=AuditEntry.Action.CHANGE)
    assert (audit.patient_id, audit.object_type) == (first.patient_id, "treatments.paincheckin")


def test_a_new_red_flag_from_the_portal_raises_the_count(desk_client):
    patient = PatientFactory()
    link = issue_link(patient, now=timezone.now())
    assert _badge(desk_client.get("/desk/patients/").content.decode()) is None

    Client().post(f"/portal/{link}/checkin/", {"pain": "8", "red_flags": [RedFlag.SPREADING], "note": "hot"})

    assert PainCheckIn.objects.filter(patient=patient).exists()
    assert _badge(desk_client.get("/desk/patients/").content.decode()) == "1"


def test_visitors_and_patients_never_see_it(client, two_open):
    patient = PatientFactory()
    link = issue_link(patient, now=timezone.now())

    for page in ["/education/", "/accounts/login/", f"/portal/{link}/"]:
        response = client.get(page)
        assert response.status_code == 200, page
        assert BADGE not in response.content.decode(), page


def test_the_count_costs_a_staff_page_one_query_at_most(desk_client, two_open):
    without = [dict(t, OPTIONS={**t["OPTIONS"]}) for t in settings.TEMPLATES]
    without[0]["OPTIONS"]["context_processors"] = [
        p for p in without[0]["OPTIONS"]["context_processors"] if p != PROCESSOR
    ]
    desk_client.get("/desk/patients/")  # warm: the session, the clinic's settings row
    with override_settings(TEMPLATES=without), CaptureQueriesContext(connection) as bare:
        assert BADGE not in desk_client.get("/desk/patients/").content.decode()
    with CaptureQueriesContext(connection) as counted:
        assert _badge(desk_client.get("/desk/patients/").content.decode()) == "2"

    assert len(counted) <= len(bare) + 1
    assert sum("treatments_paincheckin" in q["sql"] for q in counted.captured_queries) == 1


def test_before_the_second_sign_in_step_there_is_no_count_and_no_query(client, admin_user, two_open):
    client.post("/accounts/login/", {"username": admin_user.username, "password": PASSWORD})

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/accounts/two-factor/set-up/").content.decode()

    assert "Log out" in page and BADGE not in page
    assert not any("treatments_paincheckin" in q["sql"] for q in queries.captured_queries)
