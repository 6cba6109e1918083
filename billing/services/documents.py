"""Writes behind the patient's papers (issue 23): the practitioner's billing and diagnosis codes
for a series and, where the payer directs, a code per attended visit; and the Good Faith Estimate
(made once from the series' plan, kept as it was made, the patient told through the outbox that
it is in their portal — no code or diagnosis in the message). Keyword-only, typed, each owns its
transaction, takes `now`, audited. The patient's account at the desk (billing details, balance
reminders) is billing/services/accounts.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from billing.access import may_code_visit
from billing.models import GoodFaithEstimate, PatientBillingDetails, SeriesCoding, VisitCoding
from billing.models.documents import checked_code, parse_icd10_codes, visit_code
from billing.money import format_money
from billing.selectors.documents import ATTENDED
from billing.selectors.fees import fee_for_type
from clinic import roles
from clinic.audit import audit_record
from clinic.localtime import local_date
from clinic.models import AuditEntry, ClinicSettings
from notifications.services import Planned, messages_plan
from treatments.models import Appointment, TreatmentSeries

from ._common import BillingError

ESTIMATE_KIND = "estimate"


def series_coding_save(
    *,
    series_id: int,
    code: str,
    modifier: str,
    units: int,
    diagnoses: str,
    by: User,
    now: dt.datetime,
    ip: str | None = None,
) -> SeriesCoding:
    """The practitioner's codes for the series: the procedure code the payer directs (M0076 unless
    20550/20610), modifier, units and the ICD-10 diagnosis codes (validated, in pointer order)."""
    if not roles.has_role(by, *roles.CLINICAL_ROLES):
        raise PermissionDenied(_("Only a practitioner may choose the billing codes."))
    try:
        code, modifier, units = checked_code(code=code, modifier=modifier, units=units)
        codes = parse_icd10_codes(diagnoses)
    except ValidationError as exc:  # its message is the page's
        raise BillingError(" ".join(exc.messages)) from exc
    with transaction.atomic():
        series = TreatmentSeries.objects.select_for_update().filter(pk=series_id).first()
        if series is None:
            raise BillingError(_("That series does not exist."))
        coding, _created = SeriesCoding.objects.update_or_create(
            series=series,
            defaults={
                "code": code,
                "modifier": modifier,
                "units": units,
                "diagnoses": " ".join(codes),
                "updated_at": now,
                "updated_by": by,
            },
        )
        audit_record(
            request=None, action=AuditEntry.Action.CHANGE, obj=coding, patient_id=series.patient_id, user=by, ip=ip
        )
    return coding


@dataclass(frozen=True)
class VisitCodeRequest:
    """One attended visit's code as the practitioner chose it on the codes-per-visit page."""

    appointment_id: int
    code: str
    modifier: str
    units: int


def visit_codings_save(
    *,
    series_id: int,
    rows: list[VisitCodeRequest],
    by: User,
    now: dt.datetime,
    ip: str | None = None,
) -> int:
    """The practitioner's code, modifier and units per attended visit of the series, each checked
    as the series' are (`checked_code`). A visit given the series' own coding keeps no row of its
    own (it follows the series' coding if that changes later). All or nothing: one bad row, a visit
    not attended or not of this series, or a visit of another practitioner (unless the clinic admin)
    refuses the whole form. Returns how many visits changed; audited per visit."""
    if not roles.has_role(by, *roles.CLINICAL_ROLES):
        raise PermissionDenied(_("Only a practitioner may choose the billing codes."))
    wanted: dict[int, tuple[str, str, int]] = {}
    for row in rows:
        try:
            wanted[row.appointment_id] = checked_code(code=row.code, modifier=row.modifier, units=row.units)
        except ValidationError as exc:
            raise BillingError(" ".join(exc.messages)) from exc
    with transaction.atomic():
        series = TreatmentSeries.objects.select_for_update().filter(pk=series_id).first()
        if series is None:
            raise BillingError(_("That series does not exist."))
        visits = {
            a.pk: a
            for a in Appointment.objects.filter(series=series, pk__in=wanted, status__in=ATTENDED).select_related(
                "practitioner"
            )
        }
        for appointment_id in wanted:
            appointment = visits.get(appointment_id)
            if appointment is None:
                raise BillingError(_("Only the attended visits of this series can be given a code."))
            if not may_code_visit(by, appointment):
                raise PermissionDenied(_("Only the visit's practitioner or the clinic admin may choose its code."))
        default = visit_code(series=SeriesCoding.objects.filter(series=series).first())
        existing = {
            v.appointment_id: v for v in VisitCoding.objects.select_for_update().filter(appointment_id__in=wanted)
        }
        changed = 0
        for appointment_id, chosen in wanted.items():
            current = existing.get(appointment_id)
            follows_series = chosen == (default.code, default.modifier, default.units)
            if current is None and follows_series:
                continue
            if current is not None and (current.code, current.modifier, current.units) == chosen:
                continue
            if current is not None and follows_series:
                record, action = current, AuditEntry.Action.DELETE
            else:
                code, modifier, units = chosen
                record, _created = VisitCoding.objects.update_or_create(
                    appointment_id=appointment_id,
                    defaults={"code": code, "modifier": modifier, "units": units, "updated_at": now, "updated_by": by},
                )
                action = AuditEntry.Action.CHANGE
            audit_record(request=None, action=action, obj=record, patient_id=series.patient_id, user=by, ip=ip)
            if follows_series:
                record.delete()  # the visit follows the series' coding again
            changed += 1
    return changed


def add_business_days(day: dt.date, n: int) -> dt.date:
    """`n` business days (Monday to Friday) after `day`."""
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after `start` up to and including `end` (0 when end ≤ start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count += 1
    return count


def gfe_due_date(*, scheduled_on: dt.date, first_service_on: dt.date) -> dt.date:
    """When the estimate must be in the patient's hands (45 CFR 149.610): within three business
    days of scheduling a service ten or more business days out, else within one business day.
    Business days are Monday to Friday (the clinic's holidays are not counted out)."""
    far = business_days_between(scheduled_on, first_service_on) >= 10
    return add_business_days(scheduled_on, 3 if far else 1)


def gfe_wanted(series: TreatmentSeries) -> bool:
    if not settings.BILLING_GOOD_FAITH_ESTIMATES:
        return False
    details = PatientBillingDetails.objects.filter(patient_id=series.patient_id).first()
    return details is None or details.self_pay


def gfe_create(*, series_id: int, by: User | None, now: dt.datetime) -> GoodFaithEstimate | None:
    """The series' Good Faith Estimate, made once from its plan at booking: each planned session with
    its code and the fee schedule's charge on its date, the practitioner's NPI and licence, the
    practice's group NPI and TIN, the diagnosis codes, the total; kept as made (a second call
    returns it unchanged). None where estimates are off (BILLING_GOOD_FAITH_ESTIMATES) or the
    patient is not self-pay. The patient is told through the outbox (no code or diagnosis)."""
    existing = GoodFaithEstimate.objects.filter(series_id=series_id).first()
    if existing is not None:
        return existing
    series = TreatmentSeries.objects.select_related("patient", "practitioner", "protocol").filter(pk=series_id).first()
    if series is None or not gfe_wanted(series):
        return None
    planned = list(
        series.appointments.filter(status__in=Appointment.LIVE_STATUSES)
        .select_related("appointment_type")
        .order_by("start", "pk")
    )
    if not planned:
        return None
    coding = SeriesCoding.objects.filter(series_id=series.pk).first()
    billed = visit_code(series=coding)  # planned sessions: none has a code of its own yet
    clinic = ClinicSettings.load()
    sessions: list[dict[str, object]] = []
    charges: list[int] = []
    for appointment in planned:
        day = local_date(appointment.start)
        fee = fee_for_type(appointment_type_id=appointment.appointment_type_id, day=day)
        charges.append(fee.unit_price if fee else 0)
        sessions.append(
            {
                "step": appointment.series_step,
                "date": day.isoformat(),
                "system": billed.system,
                "code": billed.code,
                "modifier": billed.modifier,
                "units": billed.units,
                "description": appointment.appointment_type.name,
                "charge": charges[-1],
            }
        )
    total = sum(charges)
    practitioner = series.practitioner
    snapshot = {
        "practice": {
            "name": clinic.name,
            "address": clinic.address,
            "phone": clinic.phone,
            "group_npi": clinic.group_npi,
            "tax_id": clinic.tax_id,
        },
        "practitioner": {
            "name": str(practitioner),
            "title": practitioner.title,
            "npi": practitioner.npi,
            "licence": practitioner.licence,
        },
        "diagnoses": coding.diagnosis_list if coding else [],
        "sessions": sessions,
        "total": total,
        "currency": settings.CLINIC_CURRENCY,
    }
    scheduled_on = local_date(series.created_at or now)
    first_on = local_date(planned[0].start)
    try:
        with transaction.atomic():
            estimate = GoodFaithEstimate.objects.create(
                patient_id=series.patient_id,
                series=series,
                total=total,
                snapshot=snapshot,
                scheduled_on=scheduled_on,
                first_service_on=first_on,
                due_by=gfe_due_date(scheduled_on=scheduled_on, first_service_on=first_on),
                created_at=now,
                created_by=by,
            )
            messages_plan(
                patient=series.patient,
                wanted=[
                    Planned(
                        key=f"gfe:{estimate.pk}",
                        kind=ESTIMATE_KIND,
                        send_at=now,
                        data={"amount": format_money(total), "estimate_id": estimate.pk},
                    )
                ],
                now=now,
            )
            audit_record(
                request=None,
                action=AuditEntry.Action.CREATE,
                obj=estimate,
                patient_id=series.patient_id,
                user=by,
            )
    except IntegrityError:  # another worker made it first: that one is kept
        return GoodFaithEstimate.objects.get(series_id=series_id)
    return estimate


def gfe_sweep(*, now: dt.datetime, lookback_days: int = 30) -> int:
    """The estimates the booking hook missed (a receiver that failed, a worker that died): every
    series booked in the last `lookback_days` with a session still planned and no estimate gets
    one now. Returns how many were made. Run hourly by beat (billing.estimates_sweep), well inside
    the one-business-day rule."""
    if not settings.BILLING_GOOD_FAITH_ESTIMATES:
        return 0
    since = now - dt.timedelta(days=lookback_days)
    ids = list(
        TreatmentSeries.objects.filter(
            created_at__gte=since, good_faith_estimate__isnull=True, appointments__status=Appointment.Status.BOOKED
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    return sum(1 for pk in ids if gfe_create(series_id=pk, by=None, now=now) is not None)
