"""The session record services: drafts, bad input, signing, copying and amending."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from patients.models import ScreeningAnswer
from tests.factories import AppointmentFactory, PractitionerFactory, SessionRecordFactory
from tests.treatments.factories_practice import (
    NOW,
    InjectionSiteFactory,
    series_appointment,
    series_with_sessions,
)
from treatments.clinical.services.amendments import record_amend
from treatments.clinical.services.outcomes import OutcomeError, outcome_add
from treatments.clinical.services.records import (
    EventData,
    RecordData,
    RecordError,
    SiteData,
    record_copy_previous,
    record_open,
    record_save,
    record_save_and_sign,
    record_sign,
    sign_refusal,
)
from treatments.models import Appointment, AppointmentChange, SessionRecord
from treatments.scheduling import messaging

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def site(**kwargs) -> SiteData:
    values = {"region": "Knee", "structure": "Intra-articular"}
    values |= {"dextrose_percent": Decimal("25"), "volume_ml": Decimal("6")}
    return SiteData(**{**values, **kwargs})


def full_data(**kwargs) -> RecordData:
    values = {
        "consent_confirmed": True,
        "pain_before": 7,
        "pain_after": 5,
        "screening": {"anticoagulants": False, "pregnancy": False},
        "sites": [site(), site(structure="MCL insertion", dextrose_percent=Decimal("15"), volume_ml=Decimal("0.5"))],
        "events": [EventData(kind="vasovagal", notes="brief")],
    }
    return RecordData(**{**values, **kwargs})


@pytest.fixture
def appointment():
    return AppointmentFactory(start=NOW, status=Appointment.Status.CHECKED_IN)


@pytest.fixture
def draft(appointment):
    return record_open(appointment=appointment, user=appointment.practitioner.user, now=NOW)


def test_opening_an_appointment_creates_one_draft(appointment):
    user = appointment.practitioner.user
    first = record_open(appointment=appointment, user=user, now=NOW)
    again = record_open(appointment=appointment, user=user, now=NOW)
    assert first.pk == again.pk
    assert first.status == SessionRecord.Status.DRAFT
    assert SessionRecord.objects.count() == 1


def test_a_cancelled_appointment_cannot_be_recorded():
    cancelled = AppointmentFactory(status=Appointment.Status.CANCELLED, cancelled_at=NOW)
    with pytest.raises(RecordError, match="cancelled"):
        record_open(appointment=cancelled, user=cancelled.practitioner.user, now=NOW)
    assert not SessionRecord.objects.exists()


def test_saving_a_draft_stores_sites_events_and_todays_screening(draft, appointment):
    data = full_data(screening={"anticoagulants": True})
    record_save(record=draft, data=data, user=appointment.practitioner.user, now=NOW)
    draft.refresh_from_db()
    assert draft.pain_before == 7 and draft.screening_rechecked
    assert [s.structure for s in draft.sites.all()] == ["Intra-articular", "MCL insertion"]
    assert sum(s.volume_ml for s in draft.sites.all()) == Decimal("6.5")
    assert [e.kind for e in draft.adverse_events.all()] == ["vasovagal"]
    answers = ScreeningAnswer.objects.filter(appointment_id=appointment.pk, source="pre_session")
    assert answers.count() == 7
    assert answers.get(question="anticoagulants").answer is True
    assert answers.get(question="pregnancy").answer is False


def test_saving_twice_replaces_the_rechecked_answers_instead_of_piling_them_up(draft, appointment):
    for _ in range(2):
        record_save(record=draft, data=full_data(), user=appointment.practitioner.user, now=NOW)
    assert ScreeningAnswer.objects.filter(appointment_id=appointment.pk).count() == 7


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"pain_before": 11}, "between 0 and 10"),
        ({"pain_after": -1}, "between 0 and 10"),
        ({"sites": [site(volume_ml=Decimal("31"))]}, "at most 30 mL"),
        ({"sites": [site(volume_ml=Decimal("-2"))]}, "at most 30 mL"),
        ({"sites": [site(dextrose_percent=Decimal("60"))]}, "between 0 and 50%"),
        ({"sites": [site(anaesthetic_percent=Decimal("-1"))]}, "between 0 and 50%"),
        ({"sites": [site(region=" ")]}, "region"),
        ({"events": [EventData(kind="explosion")]}, "kind"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(draft, appointment, data, message):
    record_save(record=draft, data=full_data(), user=appointment.practitioner.user, now=NOW)
    with pytest.raises(RecordError, match=message):
        bad = full_data(**{"pain_after": 2, **data})
        record_save(record=draft, data=bad, user=appointment.practitioner.user, now=NOW)
    draft.refresh_from_db()
    assert draft.pain_before == 7
    assert draft.sites.count() == 2


def test_signing_an_empty_record_says_what_is_missing(draft, appointment):
    with pytest.raises(RecordError) as error:
        record_sign(record=draft, user=appointment.practitioner.user, now=NOW)
    text = str(error.value)
    assert "consent" in text and "screening" in text and "pain before" in text and "injection site" in text
    draft.refresh_from_db()
    appointment.refresh_from_db()
    assert draft.status == "draft"
    assert appointment.status == Appointment.Status.CHECKED_IN


def test_signing_locks_the_record_completes_the_appointment_and_plans_aftercare(draft, appointment, monkeypatch):
    calls = []

    def spy(*, appointment, now):
        calls.append((appointment.pk, now, transaction.get_connection().in_atomic_block))

    monkeypatch.setattr(messaging, "session_signed", spy)
    user = appointment.practitioner.user
    record_save(record=draft, data=full_data(), user=user, now=NOW)
    signed = record_sign(record=draft, user=user, now=NOW)
    appointment.refresh_from_db()
    assert signed.status == "signed" and signed.signed_by == user and signed.signed_at == NOW
    assert appointment.status == Appointment.Status.COMPLETED
    change = AppointmentChange.objects.get(appointment=appointment)
    assert change.kind == "completed" and change.by == user
    assert calls == [(appointment.pk, NOW, True)]


def test_signing_confirms_the_series_consent_once():
    series = series_with_sessions(pains=[7])
    appointment = series_appointment(series, 2, NOW)
    user = series.practitioner.user
    record = record_open(appointment=appointment, user=user, now=NOW)
    record_save_and_sign(record=record, data=full_data(), user=user, now=NOW)
    series.refresh_from_db()
    assert series.consent_confirmed_at == NOW


def test_a_signed_record_is_never_edited(draft, appointment):
    user = appointment.practitioner.user
    record_save_and_sign(record=draft, data=full_data(), user=user, now=NOW)
    with pytest.raises(RecordError, match="signed and locked"):
        record_save(record=draft, data=full_data(pain_before=1), user=user, now=NOW)
    with pytest.raises(RecordError, match="signed and locked"):
        record_sign(record=draft, user=user, now=NOW)
    draft.refresh_from_db()
    assert draft.pain_before == 7
    assert AppointmentChange.objects.filter(kind="completed").count() == 1


def test_a_refused_signature_also_undoes_the_save_it_came_with(draft, appointment):
    with pytest.raises(RecordError):
        record_save_and_sign(record=draft, data=full_data(sites=[]), user=appointment.practitioner.user, now=NOW)
    draft.refresh_from_db()
    assert draft.pain_before is None
    assert not ScreeningAnswer.objects.exists()


def test_copy_fills_sites_and_solution_from_the_last_signed_session_of_the_same_series():
    series = series_with_sessions(pains=[7, 6])
    other = series_with_sessions(pains=[5], practitioner=series.practitioner, first=NOW - dt.timedelta(days=3))
    InjectionSiteFactory(record=other.appointments.get().record, structure="Elsewhere")
    appointment = series_appointment(series, 3, NOW)
    user = series.practitioner.user
    record = record_open(appointment=appointment, user=user, now=NOW)
    copied = record_copy_previous(record=record, data=full_data(sites=[]), user=user, now=NOW)
    assert copied == 2
    sites = list(record.sites.all())
    assert [(s.structure, s.dextrose_percent, s.volume_ml) for s in sites] == [
        ("Intra-articular", Decimal("25.0"), Decimal("6.0")),
        ("MCL insertion", Decimal("15.0"), Decimal("0.5")),
    ]
    record.refresh_from_db()
    assert record.pain_before == 7  # the form's own fields are saved too


def test_copy_without_an_earlier_session_says_so(draft, appointment):
    with pytest.raises(RecordError, match="no earlier signed session"):
        record_copy_previous(record=draft, data=full_data(), user=appointment.practitioner.user, now=NOW)


def test_an_amendment_keeps_who_when_why_and_old_to_new(draft, appointment):
    user = appointment.practitioner.user
    record_save_and_sign(record=draft, data=full_data(), user=user, now=NOW)
    later = NOW + dt.timedelta(hours=2)
    amendment = record_amend(record=draft, changes={"pain_after": 3}, reason="Misheard", user=user, now=later)
    assert amendment.changes == {"pain_after": [5, 3]}
    assert (amendment.by, amendment.at, amendment.reason) == (user, later, "Misheard")
    draft.refresh_from_db()
    assert draft.status == "signed" and draft.pain_after == 3


@pytest.mark.parametrize(
    ("changes", "reason", "message"),
    [
        ({"pain_after": 3}, " ", "why"),
        ({"pain_after": 12}, "typo", "between 0 and 10"),
        ({"status": "draft"}, "typo", "cannot be amended"),
        ({"pain_after": 5}, "typo", "Nothing was changed"),
    ],
)
def test_a_bad_amendment_is_refused(draft, appointment, changes, reason, message):
    user = appointment.practitioner.user
    record_save_and_sign(record=draft, data=full_data(), user=user, now=NOW)
    with pytest.raises(RecordError, match=message):
        record_amend(record=draft, changes=changes, reason=reason, user=user, now=NOW)
    assert not draft.amendments.exists()


def test_a_site_is_corrected_by_an_amendment_within_the_same_limits(draft, appointment):
    user = appointment.practitioner.user
    record_save_and_sign(record=draft, data=full_data(), user=user, now=NOW)
    second = draft.sites.all()[1]
    with pytest.raises(RecordError, match="at most 30 mL"):
        record_amend(record=draft, site_changes={second.pk: {"volume_ml": "45"}}, reason="typo", user=user, now=NOW)
    fix = {second.pk: {"volume_ml": Decimal("1.5")}}
    amendment = record_amend(record=draft, site_changes=fix, reason="Syringe read wrong", user=user, now=NOW)
    assert amendment.changes == {"site 2 volume_ml": ["0.5", "1.5"]}
    second.refresh_from_db()
    assert second.volume_ml == Decimal("1.5")


def test_a_site_of_another_record_cannot_be_amended(draft, appointment):
    user = appointment.practitioner.user
    record_save_and_sign(record=draft, data=full_data(), user=user, now=NOW)
    elsewhere = InjectionSiteFactory()
    with pytest.raises(RecordError, match="not part of this record"):
        record_amend(record=draft, site_changes={elsewhere.pk: {"volume_ml": "1"}}, reason="x", user=user, now=NOW)


def test_a_draft_is_not_amended(draft, appointment):
    with pytest.raises(RecordError, match="only a signed record"):
        record_amend(record=draft, changes={"pain_after": 3}, reason="x", user=appointment.practitioner.user, now=NOW)


@pytest.mark.parametrize(
    ("measure", "value"),
    [("pain_nrs", "11"), ("grc", "-8"), ("womac", "101"), ("psfs", "-0.5"), ("nonsense", "1")],
)
def test_an_outcome_score_outside_its_range_is_refused(measure, value):
    series = series_with_sessions(pains=[6])
    with pytest.raises(OutcomeError):
        outcome_add(series=series, measure=measure, value=Decimal(value), recorded_at=NOW, user=None, now=NOW)
    assert not series.scores.exists()


def test_an_outcome_score_is_tied_to_series_patient_and_date():
    series = series_with_sessions(pains=[6])
    score = outcome_add(series=series, measure="grc", value=Decimal("3"), recorded_at=NOW, user=None, now=NOW)
    assert (score.series, score.patient, score.recorded_at, score.source) == (series, series.patient, NOW, "clinic")


def test_a_record_made_by_the_factory_is_a_draft():
    # Guard for the builders above: SessionRecordFactory makes drafts, `sign` signs them.
    assert SessionRecordFactory(appointment=AppointmentFactory(practitioner=PractitionerFactory())).status == "draft"


def test_a_session_not_yet_started_is_refused_naming_its_time_as_the_app_writes_times():
    # 14 Apr 2026 15:00 UTC is 10:00 in Chicago; an hour later is 11:00 there.
    later = AppointmentFactory(start=NOW + dt.timedelta(hours=1))
    assert sign_refusal(appointment=later, user=later.practitioner.user, now=NOW) == (
        "This session starts at Tue 14 Apr 11:00: its record can be signed once it has started."
    )
