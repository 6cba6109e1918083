"""Only the appointment's practitioner writes its clinical record (issue 19, item 3): the clinic
admin reads it and may hand it over to another practitioner, which the record's history shows."""

import pytest
import time_machine

from tests.factories import AppointmentFactory, PractitionerFactory
from tests.treatments.clinical.test_records_signing import ready, saved_draft
from tests.treatments.factories_practice import NOW
from treatments.clinical.services.amendments import record_amend
from treatments.clinical.services.handover import record_hand_over
from treatments.clinical.services.records import RecordError, record_save, record_sign, record_submit
from treatments.models import Appointment, RecordAmendment, SessionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def okafor_session():
    okafor = PractitionerFactory(display_name="Dr Okafor")
    return AppointmentFactory(practitioner=okafor, start=NOW, status=Appointment.Status.CHECKED_IN)


def test_the_clinic_admin_cannot_sign_another_practitioners_record(okafor_session, admin_user):
    record = saved_draft(okafor_session)

    with pytest.raises(RecordError, match="Only Dr Okafor, whose appointment this is, writes this record"):
        record_sign(record=record, user=admin_user, now=NOW)

    record.refresh_from_db()
    assert (record.status, record.signed_by) == (SessionRecord.Status.DRAFT, None)


def test_the_clinic_admin_cannot_write_a_draft_or_sign_through_the_form(okafor_session, admin_user):
    with pytest.raises(RecordError, match="Only Dr Okafor"):
        record_submit(appointment=okafor_session, data=ready(), action="sign", user=admin_user, now=NOW)
    assert not SessionRecord.objects.exists()
    record = saved_draft(okafor_session)
    with pytest.raises(RecordError, match="Only Dr Okafor"):
        record_save(record=record, data=ready(), user=admin_user, now=NOW)


def test_the_clinic_admin_cannot_amend_a_signed_record(okafor_session, admin_user):
    record = record_sign(record=saved_draft(okafor_session), user=okafor_session.practitioner.user, now=NOW)

    with pytest.raises(RecordError, match="Only Dr Okafor"):
        record_amend(record=record, reason="typo", user=admin_user, now=NOW, changes={"pain_before": 6})

    record.refresh_from_db()
    assert record.pain_before == 7 and not record.amendments.exists()


def test_a_record_handed_over_is_written_by_the_new_practitioner_only_and_its_history_says_so(
    okafor_session, admin_user
):
    patel = PractitionerFactory(display_name="Dr Patel")
    draft = saved_draft(okafor_session)

    record_hand_over(
        appointment=okafor_session, practitioner=patel, reason="Dr Okafor is away", user=admin_user, now=NOW
    )

    entry = RecordAmendment.objects.get(record=draft)
    assert entry.by == admin_user and entry.reason == "Dr Okafor is away"
    assert entry.changes == {"writer": ["Dr Okafor", "Dr Patel"]}
    with pytest.raises(RecordError, match="Only Dr Patel"):
        record_sign(record=draft, user=okafor_session.practitioner.user, now=NOW)
    signed = record_sign(record=draft, user=patel.user, now=NOW)
    assert signed.signed_by == patel.user


def test_a_handover_needs_the_clinic_admin_a_reason_and_another_practitioner(okafor_session, admin_user):
    patel = PractitionerFactory(display_name="Dr Patel")
    okafor = okafor_session.practitioner
    with pytest.raises(RecordError, match="Only the clinic admin"):
        record_hand_over(appointment=okafor_session, practitioner=patel, reason="x", user=okafor.user, now=NOW)
    with pytest.raises(RecordError, match="Say why"):
        record_hand_over(appointment=okafor_session, practitioner=patel, reason=" ", user=admin_user, now=NOW)
    with pytest.raises(RecordError, match="already writes"):
        record_hand_over(appointment=okafor_session, practitioner=okafor, reason="x", user=admin_user, now=NOW)
    assert not SessionRecord.objects.exists()


# --- the pages ----------------------------------------------------------------------------------


def test_the_admin_reads_a_record_without_save_or_sign_and_hands_it_over_on_the_page(
    okafor_session, admin_client_, django_assert_max_num_queries
):
    patel = PractitionerFactory(display_name="Dr Patel")
    saved_draft(okafor_session)
    url = f"/practice/appointments/{okafor_session.pk}/record/"

    with django_assert_max_num_queries(40):
        page = admin_client_.get(url).content.decode()

    assert "Only Dr Okafor, whose appointment this is, writes this record." in page
    assert "Sign the record" not in page and "Save draft" not in page
    assert "Hand this record over" in page

    response = admin_client_.post(f"{url}hand-over/", {"practitioner": patel.pk, "reason": "Dr Okafor is away"})

    assert response.status_code == 302
    after = admin_client_.get(url).content.decode()
    assert "Handed over: Dr Okafor → Dr Patel" in after or "Dr Okafor → Dr Patel" in after
    assert "Only Dr Patel" in after


def test_a_handover_without_a_reason_is_refused_in_the_page_and_changes_nothing(okafor_session, admin_client_):
    patel = PractitionerFactory(display_name="Dr Patel")
    url = f"/practice/appointments/{okafor_session.pk}/record/hand-over/"

    response = admin_client_.post(url, {"practitioner": patel.pk, "reason": ""})

    assert response.status_code == 400
    assert "Say why the record is handed over." in response.content.decode()
    assert not SessionRecord.objects.exists()


def test_only_the_clinic_admin_hands_over(okafor_session, client):
    patel = PractitionerFactory(display_name="Dr Patel")
    client.force_login(okafor_session.practitioner.user)
    url = f"/practice/appointments/{okafor_session.pk}/record/hand-over/"

    response = client.post(url, {"practitioner": patel.pk, "reason": "busy"})

    assert response.status_code == 403
    assert not SessionRecord.objects.exists()


def test_the_clinic_admin_reads_another_practitioners_draft_in_a_form_that_cannot_be_changed(
    okafor_session, admin_client_
):
    """Only its writer saves the record, so the reader's page offers nothing to type or press:
    every field disabled, no "Copy from the last session", no "Add a site"."""
    saved_draft(okafor_session)

    page = admin_client_.get(f"/practice/appointments/{okafor_session.pk}/record/").content.decode()

    assert "Only Dr Okafor, whose appointment this is, writes this record." in page
    assert '<fieldset class="record-read-only" disabled>' in page
    assert "Copy from the last session" not in page and "Add a site" not in page
    assert "Save draft" not in page and "Sign the record" not in page


def test_the_hand_over_form_does_not_offer_the_practitioner_who_writes_the_record_now(okafor_session, admin_client_):
    PractitionerFactory(display_name="Dr Patel")
    saved_draft(okafor_session)

    page = admin_client_.get(f"/practice/appointments/{okafor_session.pk}/record/").content.decode()

    form = page[page.index('id="id_practitioner"') :]
    form = form[: form.index("</select>")]
    assert "Dr Patel" in form and "Dr Okafor" not in form
