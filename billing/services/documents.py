"""Writes behind the patient's papers (issue 23): the practitioner's billing and diagnosis codes
for a series, and the Good Faith Estimate (made once from the series' plan, kept as it was made,
the patient told through the outbox that it is in their portal — no code or diagnosis in the
message). Keyword-only, typed, each owns its transaction, takes `now`, audited."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from billing.models import BillingCode, GoodFaithEstimate, Invoice, PatientBillingDetails, SeriesCoding
from billing.models.documents import parse_icd10_codes
from billing.money import format_money
from billing.selectors.fees import fee_for_type
from clinic import roles
from clinic.audit import audit_record
from clinic.localtime import local_date
from clinic.models import AuditEntry, ClinicSettings
from notifications.models import Message
from notifications.services import Planned, messages_plan
from patients.models import Patient
from treatments.models import Appointment, TreatmentSeries

from ._common import BillingError

ESTIMATE_KIND = "estimate"
BALANCE_KIND = "balance"
# The patient may dispute a bill that exceeds the estimate by this much or more (45 CFR 149.620).
DISPUTE_THRESHOLD = 40000  # $400.00 in cents


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
    if code not in BillingCode.values:
        raise BillingError(_("Choose M0076, 20550 or 20610."))
    modifier = modifier.strip().upper()
    if modifier and (len(modifier) != 2 or not modifier.isalnum()):
        raise BillingError(_("A modifier is two letters or digits, e.g. RT."))
    if not 1 <= units <= 99:
        raise BillingError(_("Units are between 1 and 99."))
    try:
        codes = parse_icd10_codes(diagnoses)
    except Exception as exc:  # ValidationError: its message is the page's
        raise BillingError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
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
    code = coding.code if coding else BillingCode.M0076
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
                "system": BillingCode.system(code),
                "code": code,
                "modifier": coding.modifier if coding else "",
                "units": coding.units if coding else 1,
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


def balance_reminder(
    *, patient_id: int, attempt_key: uuid.UUID, by: User | None, now: dt.datetime, ip: str | None = None
) -> Message | None:
    """Queue a reminder of what the patient still owes (issued invoices' balances) in the outbox:
    the amount and their portal link only — never what the visits were for. The attempt key makes a
    double click one message. Refused when nothing is owed. None when this attempt already queued it."""
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        raise BillingError(_("That patient does not exist."))
    owed = (
        Invoice.objects.filter(patient_id=patient_id, status=Invoice.Status.ISSUED, balance__gt=0).aggregate(
            s=Sum("balance")
        )["s"]
        or 0
    )
    if owed <= 0:
        raise BillingError(_("%(name)s owes nothing: there is no balance to remind them of.") % {"name": patient})
    with transaction.atomic():
        planned = messages_plan(
            patient=patient,
            wanted=[
                Planned(
                    key=f"balance:{patient_id}:{attempt_key}",
                    kind=BALANCE_KIND,
                    send_at=now,
                    data={"amount": format_money(int(owed))},
                )
            ],
            now=now,
        )
        if not planned:
            return None
        audit_record(
            request=None, action=AuditEntry.Action.CREATE, obj=planned[0], patient_id=patient_id, user=by, ip=ip
        )
    return planned[0]
