"""Writes to a session record: open a draft, save it, copy the last session, sign, amend.

A record is a draft until signed. Signing locks it, completes the appointment and plans the
aftercare messages in the same transaction; afterwards the only change is an amendment, which
keeps the old and the new value side by side."""

import datetime as dt

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clinic.integrity import constraint_name, integrity_message
from clinic.models import Practitioner
from notifications.rendering import short_when
from patients.models import ScreeningAnswer, ScreeningQuestion
from treatments import hooks
from treatments.clinical.services.errors import RecordError

# The services' input types, named here too: callers write `records.RecordData(...)`.
from treatments.clinical.services.record_data import EventData as EventData
from treatments.clinical.services.record_data import RecordData, check_nrs, check_site
from treatments.clinical.services.record_data import SiteData as SiteData
from treatments.clinical.services.visits import (
    KIND_FIELDS,
    check_visit_fields,
    consultation_signed,
    follow_up_signed,
    record_kind,
    sign_problems,
)
from treatments.models import (
    AdverseEvent,
    Appointment,
    AppointmentChange,
    InjectionSite,
    SessionRecord,
    TreatmentSeries,
)
from treatments.scheduling import messaging
from treatments.scheduling.services.kernel.history import history_entry

# The questions asked again before every session (docs/clinical-facts.md, "Screening"): bleeding risk,
# infection, pregnancy and the allergies that matter for the solution and the gloves.
RECHECK_QUESTIONS: tuple[str, ...] = (
    ScreeningQuestion.ANTICOAGULANTS,
    ScreeningQuestion.INFECTION,
    ScreeningQuestion.PREGNANCY,
    ScreeningQuestion.ALLERGY_DEXTROSE,
    ScreeningQuestion.ALLERGY_ANAESTHETIC,
    ScreeningQuestion.ALLERGY_LATEX,
    ScreeningQuestion.ALLERGY_FISH,
)
AMENDABLE_FIELDS: tuple[str, ...] = KIND_FIELDS[SessionRecord.Kind.INJECTION]
ALL_RECORD_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(f for names in KIND_FIELDS.values() for f in names))


def check_recordable(appointment: Appointment) -> None:
    """Refuse a record for an appointment that did not take place."""
    if appointment.status in (Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW):
        raise RecordError(
            _("This appointment is %(status)s: there is no session to record.")
            % {"status": appointment.get_status_display().lower()}
        )


# SessionRecord.appointment is one-to-one: PostgreSQL's name for that unique rule.
ONE_RECORD_PER_APPOINTMENT = "treatments_sessionrecord_appointment_id_key"


def record_open(*, appointment: Appointment, user: User, now: dt.datetime) -> SessionRecord:
    """The appointment's record, created as an empty draft. Called by the first save, never by
    opening the page: a GET must not write (today's list would say "in draft" when nobody typed)."""
    existing = SessionRecord.objects.filter(appointment=appointment).first()
    if existing is not None:
        return existing
    check_recordable(appointment)
    try:
        with transaction.atomic():
            return SessionRecord.objects.create(
                appointment=appointment,
                kind=record_kind(appointment.appointment_type),
                created_by=user,
                created_at=now,
            )
    except IntegrityError as exc:
        # Two tabs opened the same appointment at once: the other one created it.
        if constraint_name(exc) != ONE_RECORD_PER_APPOINTMENT:
            raise RecordError(integrity_message(exc)) from exc
        return SessionRecord.objects.get(appointment=appointment)


def _locked_draft(record: SessionRecord, user: User) -> SessionRecord:
    locked = (
        SessionRecord.objects.select_for_update(of=("self",))
        .select_related("appointment__practitioner", "handed_to")
        .get(pk=record.pk)
    )
    if locked.status != SessionRecord.Status.DRAFT:
        raise RecordError(_("This record is signed and locked. Add an amendment to correct it."))
    check_recordable(locked.appointment)
    if refusal := write_refusal(appointment=locked.appointment, record=locked, user=user):
        raise RecordError(refusal)
    return locked


def _write_screening(*, record: SessionRecord, answers: dict[str, bool], user: User, now: dt.datetime) -> None:
    appointment = record.appointment
    ScreeningAnswer.objects.filter(
        patient_id=appointment.patient_id, appointment_id=appointment.pk, source=ScreeningAnswer.Source.PRE_SESSION
    ).delete()
    ScreeningAnswer.objects.bulk_create(
        ScreeningAnswer(
            patient_id=appointment.patient_id,
            question=question,
            answer=bool(answers.get(question, False)),
            source=ScreeningAnswer.Source.PRE_SESSION,
            appointment_id=appointment.pk,
            answered_at=now,
            recorded_by=user,
        )
        for question in RECHECK_QUESTIONS
    )


def _replace_sites(record: SessionRecord, sites: list[SiteData]) -> None:
    record.sites.all().delete()
    InjectionSite.objects.bulk_create(
        InjectionSite(
            record=record,
            order=index,
            region=site.region.strip(),
            structure=site.structure.strip(),
            side=site.side,
            guidance=site.guidance,
            dextrose_percent=site.dextrose_percent,
            anaesthetic=site.anaesthetic.strip(),
            anaesthetic_percent=site.anaesthetic_percent,
            volume_ml=site.volume_ml,
            needle_gauge=site.needle_gauge,
            chart_view=site.chart_view,
            chart_x=site.chart_x,
            chart_y=site.chart_y,
        )
        for index, site in enumerate(sites, start=1)
    )


def record_save(*, record: SessionRecord, data: RecordData, user: User, now: dt.datetime) -> SessionRecord:
    """Save a draft as a whole: its fields, today's screening re-check, its sites and events."""
    check_nrs(data.pain_before, _("Pain before"))
    check_nrs(data.pain_after, _("Pain after"))
    for number, site in enumerate(data.sites, start=1):
        check_site(site, number)
    kinds = set(AdverseEvent.Kind.values)
    if any(event.kind not in kinds for event in data.events):
        raise RecordError(_("Choose the kind of each adverse event."))
    if data.plan not in SessionRecord.Plan.values:
        raise RecordError(_("Choose a plan."))
    check_visit_fields(data)
    try:
        with transaction.atomic():
            locked = _locked_draft(record, user)
            locked.consent_confirmed = data.consent_confirmed
            for name in ALL_RECORD_FIELDS:
                value = getattr(data, name)
                setattr(locked, name, value.strip() if isinstance(value, str) else value)
            if data.screening is not None:
                locked.screening_rechecked = True
                _write_screening(record=locked, answers=data.screening, user=user, now=now)
            locked.save()
            _replace_sites(locked, data.sites)
            locked.adverse_events.all().delete()
            AdverseEvent.objects.bulk_create(
                AdverseEvent(record=locked, kind=event.kind, notes=event.notes.strip()) for event in data.events
            )
    except IntegrityError as exc:
        raise RecordError(integrity_message(exc)) from exc
    return locked


def previous_signed_record(record: SessionRecord) -> SessionRecord | None:
    """The last signed record of the same series before this appointment."""
    appointment = record.appointment
    if appointment.series_id is None:
        return None
    return (
        SessionRecord.objects.filter(
            status=SessionRecord.Status.SIGNED,
            appointment__series_id=appointment.series_id,
            appointment__start__lt=appointment.start,
        )
        .order_by("-appointment__start")
        .first()
    )


def record_copy_previous(*, record: SessionRecord, data: RecordData, user: User, now: dt.datetime) -> int:
    """Save the draft's own fields, then fill its sites and solution from the last signed session
    of the series. Returns how many sites were copied."""
    previous = previous_signed_record(record)
    if previous is None:
        raise RecordError(_("There is no earlier signed session in this series to copy from."))
    sites = [SiteData.of(s) for s in previous.sites.all()]
    with transaction.atomic():
        record_save(record=record, data=RecordData(**{**data.__dict__, "sites": sites}), user=user, now=now)
    return len(sites)


def record_writer(*, appointment: Appointment, record: SessionRecord | None) -> Practitioner:
    """The one practitioner who writes, signs and amends this appointment's record: the
    appointment's own, or the one the clinic admin handed it over to. The admin reads."""
    if record is not None and record.handed_to is not None:
        return record.handed_to
    return appointment.practitioner


def write_refusal(*, appointment: Appointment, record: SessionRecord | None, user: User) -> str | None:
    """Why this user may not write the record (save, sign, amend), or None."""
    writer = record_writer(appointment=appointment, record=record)
    if getattr(getattr(user, "practitioner", None), "pk", None) == writer.pk:
        return None
    if record is not None and record.handed_to_id is not None:
        return _("Only %(who)s, to whom this record was handed over, writes it.") % {"who": writer.display_name}
    return _("Only %(who)s, whose appointment this is, writes this record.") % {"who": writer.display_name}


def sign_refusal(*, appointment: Appointment, user: User, now: dt.datetime) -> str | None:
    """Why this appointment's record cannot be signed by this user now, or None. Only what happened
    can be signed: a session that has not started yet would otherwise show as completed and queue
    aftercare for an injection nobody gave."""
    if appointment.status in (Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW):
        return _("This appointment is %(status)s: there is no session to sign.") % {
            "status": appointment.get_status_display().lower()
        }
    if now < appointment.start:
        # "Sun 6 Dec 09:00", as every other page and message writes a time.
        starts = short_when(appointment.start)
        return _("This session starts at %(start)s: its record can be signed once it has started.") % {"start": starts}
    record = SessionRecord.objects.filter(appointment=appointment).select_related("handed_to").first()
    return write_refusal(appointment=appointment, record=record, user=user)


def _mark_arrival(appointment: Appointment, *, user: User, now: dt.datetime) -> None:
    """Signing is proof the patient came: a booking the desk never checked in is checked in too,
    stamped at its start (the real arrival was not recorded), so attendance counts stay true."""
    if appointment.status != Appointment.Status.BOOKED:
        return
    appointment.checked_in_at = appointment.start
    history_entry(
        kind=AppointmentChange.Kind.CHECKED_IN,
        by=user,
        now=now,
        appointment=appointment,
        reason=_("Checked in when the record was signed."),
    )


def record_sign(*, record: SessionRecord, user: User, now: dt.datetime) -> SessionRecord:
    """Lock the record, complete the appointment and plan its aftercare, all or nothing."""
    with transaction.atomic():
        locked = _locked_draft(record, user)
        appointment = Appointment.objects.select_for_update().get(pk=locked.appointment_id)
        refusal = sign_refusal(appointment=appointment, user=user, now=now)
        if refusal:
            raise RecordError(refusal)
        problems = sign_problems(locked)
        if problems:
            raise RecordError(_("The record cannot be signed yet: %(list)s.") % {"list": "; ".join(problems)})
        # A conditional update: of two signing requests, exactly one changes the row.
        changed = SessionRecord.objects.filter(pk=locked.pk, status=SessionRecord.Status.DRAFT).update(
            status=SessionRecord.Status.SIGNED, signed_by=user, signed_at=now, updated_at=now
        )
        if changed != 1:
            raise RecordError(_("This record is signed and locked. Add an amendment to correct it."))
        _mark_arrival(appointment, user=user, now=now)
        appointment.status = Appointment.Status.COMPLETED
        appointment.save(update_fields=["status", "checked_in_at", "updated_at"])
        history_entry(kind=AppointmentChange.Kind.COMPLETED, by=user, now=now, appointment=appointment)
        hooks.send_on_commit(
            hooks.appointment_outcome,
            sender=Appointment,
            appointment_id=appointment.pk,
            status="attended",
            by=user,
            now=now,
        )
        if locked.kind == SessionRecord.Kind.CONSULTATION:
            consultation_signed(record=locked, appointment=appointment, now=now)
        elif locked.kind == SessionRecord.Kind.FOLLOW_UP:
            series = follow_up_signed(record=locked, appointment=appointment, user=user, now=now)
            if series is not None:
                series_follow_plan(record=locked, series=series, appointment=appointment, user=user, now=now)
        elif appointment.series is not None:
            # The consent confirmed at the first signed session stands for the series.
            TreatmentSeries.objects.filter(pk=appointment.series.pk, consent_confirmed_at__isnull=True).update(
                consent_confirmed_at=now
            )
            # Before the messages: a series that ends here gets its outcome check-ins planned.
            series_follow_plan(record=locked, series=appointment.series, appointment=appointment, user=user, now=now)
        if locked.kind == SessionRecord.Kind.INJECTION:
            # Aftercare and check-ins follow an injection, not a conversation.
            messaging.session_signed(appointment=appointment, now=now)
    locked.refresh_from_db()
    return locked


def series_follow_plan(
    *, record: SessionRecord, series: TreatmentSeries, appointment: Appointment, user: User, now: dt.datetime
) -> None:
    """What the signed plan does to the series at once. Discontinuing cancels the later sessions
    (through the booking service, with a neutral reason the desk and patient may read: never the
    practitioner's note). The last planned session signed with "continue" completes the series.
    Adding a session or changing the interval needs a time, so the desk does it from the series page."""
    from treatments.scheduling.services.booking import series_discontinue

    if record.plan == SessionRecord.Plan.DISCONTINUE and series.status != series.Status.DISCONTINUED:
        if appointment.series_step:
            reason = _("Stopped by the practitioner after session %(step)d.") % {"step": appointment.series_step}
        else:
            reason = _("Stopped by the practitioner at a review.")
        series_discontinue(
            series=series,
            reason=reason,
            by=user,
            now=now,
        )
        return
    if record.plan != SessionRecord.Plan.CONTINUE or series.status != series.Status.ACTIVE:
        return
    later = series.appointments.filter(
        status__in=(Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN), start__gt=appointment.start
    ).exists()
    done = series.appointments.filter(status=Appointment.Status.COMPLETED).count()
    if not later and done >= series.planned_sessions:
        type(series).objects.filter(pk=series.pk, status=series.Status.ACTIVE).update(status=series.Status.COMPLETED)


def record_save_and_sign(*, record: SessionRecord, data: RecordData, user: User, now: dt.datetime) -> SessionRecord:
    """Save what is on the form and sign it; if signing is refused, nothing of the save remains."""
    with transaction.atomic():
        saved = record_save(record=record, data=data, user=user, now=now)
        return record_sign(record=saved, user=user, now=now)


def record_submit(*, appointment: Appointment, data: RecordData, action: str, user: User, now: dt.datetime) -> int:
    """What the record form's buttons do: "save", "copy" (returns how many sites were copied) or
    "sign". The draft is created here, by the first save, and a refused save or signing leaves
    nothing behind, not even an empty draft."""
    with transaction.atomic():
        record = record_open(appointment=appointment, user=user, now=now)
        if action == "sign":
            record_save_and_sign(record=record, data=data, user=user, now=now)
            return 0
        if action == "copy":
            return record_copy_previous(record=record, data=data, user=user, now=now)
        record_save(record=record, data=data, user=user, now=now)
        return 0
