"""The session record page: who may open it, what it shows, and what a bad form does."""

import datetime as dt

import pytest
import time_machine

from clinic.models import AuditEntry
from tests.factories import AppointmentFactory, PractitionerFactory
from tests.treatments.factories_practice import NOW, screening, series_appointment, series_with_sessions
from treatments.models import Appointment, SessionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def me(practitioner_user):
    return PractitionerFactory(user=practitioner_user, display_name="Dr Me")


@pytest.fixture
def series(me):
    return series_with_sessions(practitioner=me, pains=[8, 7], planned=5)


@pytest.fixture
def appointment(series):
    return series_appointment(series, 3, NOW, status=Appointment.Status.CHECKED_IN)


def url(appointment) -> str:
    return f"/practice/appointments/{appointment.pk}/record/"


def payload(action="save", sites=(), events=(), **fields) -> dict:
    data = {
        "action": action,
        "consent_confirmed": "on",
        "screening_rechecked": "on",
        "pain_before": "6",
        "pain_after": "4",
        "product_lot": "LOT-42",
        "plan": "continue",
        "sites-TOTAL_FORMS": str(len(sites)),
        "sites-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": str(len(events)),
        "events-INITIAL_FORMS": "0",
    }
    for i, site in enumerate(sites):
        row = {"side": "right", "guidance": "landmark", "anaesthetic": "lidocaine", "anaesthetic_percent": "0.5"}
        for key, value in {**row, **site}.items():
            data[f"sites-{i}-{key}"] = value
    for i, event in enumerate(events):
        for key, value in event.items():
            data[f"events-{i}-{key}"] = value
    data.update(fields)
    return data


KNEE = {"region": "Knee", "structure": "Intra-articular", "dextrose_percent": "25", "volume_ml": "6"}
MCL = {"region": "Knee", "structure": "MCL insertion", "dextrose_percent": "15", "volume_ml": "0.5"}


def test_anonymous_visitor_is_sent_to_login(client, appointment):
    response = client.get(url(appointment))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["desk_client", "admin_client_"])
def test_only_clinicians_open_records(request, appointment, who):
    response = request.getfixturevalue(who).get(url(appointment))
    assert response.status_code == (403 if who == "desk_client" else 200)


def test_no_role_account_gets_403(client, no_role_user, appointment):
    client.force_login(no_role_user)
    assert client.get(url(appointment)).status_code == 403


def test_a_practitioner_cannot_open_a_colleagues_appointment(practitioner_client, me):
    theirs = AppointmentFactory(start=NOW)
    assert practitioner_client.get(url(theirs)).status_code == 404
    assert practitioner_client.post(url(theirs), payload(sites=[KNEE])).status_code == 404
    assert not SessionRecord.objects.filter(appointment=theirs).exists()


def test_a_missing_appointment_is_404(practitioner_client, me):
    assert practitioner_client.get("/practice/appointments/999999/record/").status_code == 404


def test_first_open_writes_no_draft_shows_flags_on_top_and_is_audited(
    practitioner_client, appointment, django_assert_max_num_queries
):
    screening(appointment.patient, "anticoagulants", True, NOW - dt.timedelta(days=30))
    screening(appointment.patient, "pregnancy", True, NOW - dt.timedelta(days=30))
    screening(appointment.patient, "pregnancy", False, NOW - dt.timedelta(days=1))
    with django_assert_max_num_queries(24):
        response = practitioner_client.get(url(appointment))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Knee osteoarthritis, right — session 3 of 5" in html
    flags = html[html.index("Screening answers flagged yes") : html.index("Before the injection")]
    assert "Takes blood thinners" in flags and "Pregnant" not in flags
    assert "Copy from the last session" in html
    assert "Not saved yet" in html
    assert not SessionRecord.objects.filter(appointment=appointment).exists()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.patient_id) == (
        "view",
        "treatments.appointment",
        appointment.patient_id,
    )


def test_saving_the_form_stores_the_rows_and_shows_the_total(practitioner_client, appointment):
    response = practitioner_client.post(url(appointment), payload(sites=[KNEE, MCL], events=[{"kind": "bleeding"}]))
    assert response.status_code == 302
    page = practitioner_client.get(url(appointment)).content.decode()
    assert "The draft is saved." in page
    assert '<output id="total-volume" for="sites">6.5</output>' in page
    record = SessionRecord.objects.get(appointment=appointment)
    assert record.sites.count() == 2 and record.adverse_events.get().kind == "bleeding"
    assert AuditEntry.objects.filter(action="change").count() == 1


def test_blank_extra_rows_are_ignored(practitioner_client, appointment):
    data = payload(sites=[KNEE, {"side": "none", "guidance": "landmark"}], events=[{"kind": "", "notes": ""}])
    data["sites-1-anaesthetic"] = data["sites-1-anaesthetic_percent"] = ""
    assert practitioner_client.post(url(appointment), data).status_code == 302
    assert SessionRecord.objects.get(appointment=appointment).sites.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pain_before": "11"}, "less than or equal to 10"),
        ({"pain_after": "-1"}, "greater than or equal to 0"),
        ({"sites-0-volume_ml": "31"}, "less than or equal to 30"),
        ({"sites-0-volume_ml": "-1"}, "greater than or equal to 0.1"),
        ({"sites-0-dextrose_percent": "55"}, "less than or equal to 50"),
        ({"sites-0-anaesthetic_percent": "70"}, "less than or equal to 50"),
    ],
)
def test_bad_input_shows_a_message_and_saves_nothing(practitioner_client, appointment, change, message):
    response = practitioner_client.post(url(appointment), payload(sites=[KNEE], **change))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved" in html and message in html
    assert not SessionRecord.objects.filter(appointment=appointment).exists()


def test_signing_an_empty_record_is_refused_with_the_reason(practitioner_client, appointment):
    response = practitioner_client.post(url(appointment), payload(action="sign", consent_confirmed=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert "cannot be signed yet" in html and "at least one injection site" in html and "consent" in html
    assert not SessionRecord.objects.filter(appointment=appointment).exists()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN


def test_signing_locks_the_record_and_the_page_then_shows_it_read_only(practitioner_client, appointment):
    response = practitioner_client.post(url(appointment), payload(action="sign", sites=[KNEE, MCL]))
    assert response.status_code == 302
    page = practitioner_client.get(url(appointment)).content.decode()
    assert "The record is signed and the appointment completed." in page
    assert "The record is locked." in page and 'name="action"' not in page
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.COMPLETED
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {"view", "sign"}


def test_posting_to_a_signed_record_changes_nothing(practitioner_client, appointment):
    practitioner_client.post(url(appointment), payload(action="sign", sites=[KNEE]))
    response = practitioner_client.post(url(appointment), payload(sites=[MCL], pain_before="0"), follow=True)
    assert "signed and locked" in response.content.decode()
    record = SessionRecord.objects.get(appointment=appointment)
    assert record.pain_before == 6 and [s.structure for s in record.sites.all()] == ["Intra-articular"]


def test_copy_from_the_last_session_fills_the_sites(practitioner_client, appointment):
    response = practitioner_client.post(url(appointment), payload(action="copy"), follow=True)
    html = response.content.decode()
    assert "2 sites copied from the last session." in html
    assert 'value="MCL insertion"' in html
    assert '<output id="total-volume" for="sites">6.5</output>' in html


def test_a_cancelled_appointment_shows_why_and_creates_nothing(practitioner_client, me):
    cancelled = AppointmentFactory(practitioner=me, start=NOW, status="cancelled", cancelled_at=NOW)
    response = practitioner_client.get(url(cancelled))
    assert "This appointment is cancelled" in response.content.decode()
    assert not SessionRecord.objects.exists()


def test_a_draft_cannot_be_saved_once_its_appointment_is_cancelled(practitioner_client, appointment):
    practitioner_client.get(url(appointment))
    Appointment.objects.filter(pk=appointment.pk).update(status="cancelled", cancelled_at=NOW)
    response = practitioner_client.post(url(appointment), payload(sites=[KNEE]))
    assert response.status_code == 400
    assert "This appointment is cancelled" in response.content.decode()
    assert not SessionRecord.objects.filter(appointment=appointment).exists()


def test_an_amendment_is_shown_with_the_signed_record(practitioner_client, appointment):
    practitioner_client.post(url(appointment), payload(action="sign", sites=[KNEE]))
    response = practitioner_client.post(
        url(appointment) + "amend/", {"field": "pain_after", "value": "2", "reason": "Re-asked the patient"}
    )
    assert response.status_code == 302
    html = practitioner_client.get(url(appointment)).content.decode()
    assert "Re-asked the patient" in html and "Pain after (0-10): 4 → 2" in html
    trail = html.split('<ol class="amendments">')[1].split("</ol>")[0]
    assert "Dr Me" in trail and "pain_after" not in trail


def test_a_site_volume_is_amended_from_the_signed_record_page(practitioner_client, appointment):
    practitioner_client.post(url(appointment), payload(action="sign", sites=[KNEE, MCL]))
    site = SessionRecord.objects.get(appointment=appointment).sites.get(structure="MCL insertion")
    data = {"field": f"site:{site.pk}:volume_ml", "value": "1.0", "reason": "Syringe read wrong"}
    assert practitioner_client.post(url(appointment) + "amend/", data).status_code == 302
    html = practitioner_client.get(url(appointment)).content.decode()
    assert "Site 2: volume mL: 0.5 → 1.0" in html
    assert "<td>7.0</td>" in html  # the total follows the correction


def test_a_bad_amendment_shows_a_message_and_adds_nothing(practitioner_client, appointment):
    practitioner_client.post(url(appointment), payload(action="sign", sites=[KNEE]))
    response = practitioner_client.post(
        url(appointment) + "amend/", {"field": "pain_after", "value": "12", "reason": "x"}
    )
    assert response.status_code == 400
    assert "between 0 and 10" in response.content.decode()
    assert not SessionRecord.objects.get(appointment=appointment).amendments.exists()


def test_the_record_page_has_no_inline_style_or_script(practitioner_client, appointment):
    html = practitioner_client.get(url(appointment)).content.decode()
    assert "style=" not in html and "<script>" not in html


def test_copying_one_site_says_site_not_sites(practitioner_client, appointment):
    from treatments.models import InjectionSite

    last = InjectionSite.objects.filter(record__appointment__series=appointment.series).order_by("-pk")
    InjectionSite.objects.filter(record=last.first().record).exclude(pk=last.first().pk).delete()
    response = practitioner_client.post(url(appointment), payload(action="copy"), follow=True)
    assert "1 site copied from the last session." in response.content.decode()
