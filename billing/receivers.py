"""What billing does when treatments says something happened (treatments.hooks' events, sent after
treatments' transaction commits), and what keeps the desk's kept day grid true when money changes.

- A session attended redeems one session of its series' active package.
- A no-show or late cancellation (or a patient's cancellation inside the policy's window) waits
  for the desk's choice: fee, forfeit or waiver (billing.services.missed). Nothing is charged here.
- A booking raises the deposit invoice the clinic's policy asks for, and a series' booking its
  Good Faith Estimate (a self-pay patient in the US).

A receiver never fails the treatment write (it has committed); a refusal is logged. Connected in
BillingConfig.ready()."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.auth.models import User
from django.db.models.signals import post_save
from django.utils import timezone

from billing.models import CancellationPolicy, Invoice, MissedVisit, PackageRedemption
from billing.services._common import BillingError
from billing.services.deposits import deposit_invoice_at_booking
from billing.services.documents import gfe_create
from billing.services.missed import is_late, missed_visit_record
from billing.services.packages import redemption_make
from patients.models import Patient
from treatments import hooks
from treatments.models import Appointment

log = logging.getLogger(__name__)


def _user(by: Any) -> User | None:
    """The signal's `by` as billing's services take it (an anonymous visitor writes as nobody)."""
    return by if isinstance(by, User) else None


def on_appointment_outcome(*, appointment_id: int, status: str, by: Any, now: dt.datetime, **_: Any) -> None:
    by = _user(by)
    try:
        if status == "attended":
            if not PackageRedemption.objects.filter(appointment_id=appointment_id, reversed_at__isnull=True).exists():
                redemption_make(appointment_id=appointment_id, kind=PackageRedemption.Kind.ATTENDED, by=by, now=now)
        elif status == "no_show":
            missed_visit_record(appointment_id=appointment_id, reason=MissedVisit.Reason.NO_SHOW, now=now)
        elif status == "late_cancelled":
            missed_visit_record(appointment_id=appointment_id, reason=MissedVisit.Reason.LATE_CANCEL, now=now)
        elif status == "cancelled":
            appointment = Appointment.objects.filter(pk=appointment_id).first()
            if appointment is not None and appointment.cancel_kind == Appointment.CancelKind.PATIENT:
                policy = CancellationPolicy.objects.filter(appointment_type_id=appointment.appointment_type_id).first()
                if is_late(policy, appointment=appointment, cancelled_at=appointment.cancelled_at or now):
                    missed_visit_record(appointment_id=appointment_id, reason=MissedVisit.Reason.LATE_CANCEL, now=now)
    except BillingError as refusal:
        log.warning("billing: appointment %s %s: %s", appointment_id, status, refusal)


def on_appointments_booked(
    *, appointment_ids: list[int], series_id: int | None, by: Any, now: dt.datetime, **_: Any
) -> None:
    by = _user(by)
    try:
        deposit_invoice_at_booking(appointment_ids=appointment_ids, series_id=series_id, by=by, now=now)
    except BillingError as refusal:
        log.warning("billing: no deposit for appointments %s: %s", appointment_ids, refusal)
    if series_id is not None:
        # The self-pay patient's Good Faith Estimate, made from the plan just booked (kept as made;
        # the hourly sweep makes any this misses).
        gfe_create(series_id=series_id, by=by, now=now)


def touch_patient(*, instance: Any, **_: Any) -> None:
    """Money on a patient's cards changed: bump the patient's updated_at, which the desk's day
    version covers (treatments.scheduling.selectors.calendar.DayReading) as do the week's
    fingerprint (selectors.calendar_version), so a kept grid is
    rebuilt with the new badges. Every ledger write saves its invoice (billing.services.invoices.
    refresh); a redemption or a missed visit's choice changes a card too."""
    patient_id = getattr(instance, "patient_id", None)
    if patient_id is None:
        if isinstance(instance, PackageRedemption):
            patient_id = instance.package.patient_id
        elif isinstance(instance, MissedVisit):
            patient_id = instance.appointment.patient_id
    if patient_id is not None:
        Patient.objects.filter(pk=patient_id).update(updated_at=timezone.now())


def connect() -> None:
    hooks.appointment_outcome.connect(on_appointment_outcome, dispatch_uid="billing.appointment_outcome")
    hooks.appointments_booked.connect(on_appointments_booked, dispatch_uid="billing.appointments_booked")
    for model in (Invoice, PackageRedemption, MissedVisit):
        post_save.connect(touch_patient, sender=model, dispatch_uid=f"billing.touch_patient.{model.__name__}")
