"""Amend anything, readably: every field of every kind of record, its sites and adverse events;
the trail names the field as the page does, old → new, why, and who by full name."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests.factories import AppointmentFactory, PractitionerFactory, appointment_type, protocol
from tests.treatments.factories_practice import NOW
from treatments.clinical.services.amendments import NEW_EVENT, record_amend
from treatments.clinical.services.errors import RecordError
from treatments.clinical.services.records import EventData, RecordData, SiteData, record_submit
from treatments.models import RecordAmendment, SessionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def me(practitioner_user):
    practitioner_user.first_name, practitioner_user.last_name = "Ada", "Lovelace"
    practitioner_user.save()
    return PractitionerFactory(user=practitioner_user, display_name="Dr Ada Lovelace")


def signed_injection(me) -> SessionRecord:
    appointment = AppointmentFactory(practitioner=me, start=NOW, status="checked_in")
    site = SiteData(region="Knee", structure="MCL", dextrose_percent=Decimal("15"), volume_ml=Decimal("2"))
    data = RecordData(
        consent_confirmed=True,
        pain_before=7,
        screening={},
        sites=[site],
        events=[EventData(kind="bleeding", notes="pressure 2 min")],
    )
    record_submit(appointment=appointment, data=data, action="sign", user=me.user, now=NOW)
    return SessionRecord.objects.get(appointment=appointment)


def test_every_site_field_and_an_adverse_event_can_be_corrected(me):
    record = signed_injection(me)
    site, event = record.sites.get(), record.adverse_events.get()
    record_amend(
        record=record,
        site_changes={site.pk: {"side": "Left", "guidance": "ultrasound", "needle_gauge": "27", "region": "Knee"}},
        event_changes={event.pk: {"kind": "vasovagal"}, NEW_EVENT: {"kind": "Severe pain"}},
        reason="Checked the ultrasound log",
        user=me.user,
        now=NOW + dt.timedelta(hours=1),
    )
    site.refresh_from_db()
    assert (site.side, site.guidance, site.needle_gauge) == ("left", "ultrasound", 27)
    assert sorted(record.adverse_events.values_list("kind", flat=True)) == ["severe_pain", "vasovagal"]
    changes = RecordAmendment.objects.get().changes
    assert changes["site 1 side"] == ["none", "left"] and changes["event 2 kind"] == ["", "severe_pain"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"site_changes": {"SITE": {"guidance": "x-ray vision"}}}, "Use one of"),
        ({"site_changes": {"SITE": {"needle_gauge": "40"}}}, "gauge must be between 10 and 34"),
        ({"event_changes": {"EVENT": {"kind": "explosion"}}}, "Use one of"),
        ({"event_changes": {999999: {"kind": "bleeding"}}}, "not part of this record"),
        ({"changes": {"history": "x"}}, "cannot be amended"),
    ],
)
def test_a_bad_correction_is_refused_and_changes_nothing(me, kwargs, message):
    record = signed_injection(me)
    site, event = record.sites.get(), record.adverse_events.get()
    ids = {"SITE": site.pk, "EVENT": event.pk}
    fixed = {key: {ids.get(k, k): v for k, v in value.items()} for key, value in kwargs.items()}
    with pytest.raises(RecordError, match=message):
        record_amend(record=record, reason="typo", user=me.user, now=NOW, **fixed)
    assert not RecordAmendment.objects.exists()
    site.refresh_from_db()
    assert (site.guidance, site.needle_gauge) == ("landmark", None)


def test_a_consultation_is_amended_with_its_own_fields(me):
    appointment = AppointmentFactory(
        practitioner=me, appointment_type=appointment_type("consultation"), start=NOW, status="checked_in"
    )
    data = RecordData(assessment="Knee OA", candidate=True, proposed_protocol_id=protocol().pk, proposed_side="left")
    record_submit(appointment=appointment, data=data, action="sign", user=me.user, now=NOW)
    record = SessionRecord.objects.get()
    record_amend(
        record=record,
        changes={"proposed_side": "Right", "imaging_reviewed": "MRI"},
        reason="Wrong knee",
        user=me.user,
        now=NOW,
    )
    record.refresh_from_db()
    assert (record.proposed_side, record.imaging_reviewed) == ("right", "MRI")


def test_the_trail_reads_as_labels_with_the_full_name_and_the_summary_lists_it(practitioner_client, me):
    record = signed_injection(me)
    site = record.sites.get()
    practitioner_client.post(
        f"/practice/appointments/{record.appointment_id}/record/amend/",
        {"field": f"site:{site.pk}:guidance", "value": "Ultrasound", "reason": "Checked the log"},
    )
    html = practitioner_client.get(f"/practice/appointments/{record.appointment_id}/record/").content.decode()
    trail = html.split('<ol class="amendments">')[1].split("</ol>")[0]
    assert "Site 1: guidance: Landmark → Ultrasound" in trail
    assert "Dr Ada Lovelace" in trail and "Checked the log" in trail
    assert "guidance</code>" not in html
    # A series' printable summary lists the amendments of its records.
    from tests.treatments.factories_practice import series_with_sessions

    series = series_with_sessions(practitioner=me, pains=[8, 6], planned=3)
    first = series.appointments.order_by("start").first().record
    record_amend(record=first, changes={"pain_after": "2"}, reason="Re-asked", user=me.user, now=NOW)
    summary = practitioner_client.get(f"/practice/series/{series.pk}/summary/").content.decode()
    assert "Amendments to signed records" in summary
    assert "Session 1" in summary and "Pain after (0-10): 7 → 2" in summary and "Re-asked" in summary


def test_a_consultations_pain_today_out_of_range_is_refused_in_the_consultations_words(me):
    appointment = AppointmentFactory(
        practitioner=me, appointment_type=appointment_type("consultation"), start=NOW, status="checked_in"
    )
    data = RecordData(assessment="Knee OA", candidate=False, pain_before=4)
    record_submit(appointment=appointment, data=data, action="sign", user=me.user, now=NOW)
    with pytest.raises(RecordError) as refused:
        record_amend(
            record=SessionRecord.objects.get(), changes={"pain_before": "11"}, reason="typo", user=me.user, now=NOW
        )
    assert str(refused.value) == "Pain today must be between 0 and 10."
    assert SessionRecord.objects.get().pain_before == 4
