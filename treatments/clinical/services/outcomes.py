"""Outcome scores recorded by the clinic: pain NRS, PSFS, global rating of change and the numeric
totals of licensed instruments (their items are never reproduced, only the total is stored)."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clinic.integrity import integrity_message
from treatments.models import OutcomeScore, TreatmentSeries

Measure = OutcomeScore.Measure

# The range of each measure's total. PSFS is the mean of 0-10 activity scores; the global rating
# of change is the common -7 (a very great deal worse) to +7 scale; the licensed totals are the
# 0-100 forms clinics report.
RANGES: dict[str, tuple[Decimal, Decimal]] = {
    Measure.PAIN_NRS: (Decimal(0), Decimal(10)),
    Measure.PSFS: (Decimal(0), Decimal(10)),
    Measure.GRC: (Decimal(-7), Decimal(7)),
    Measure.WOMAC: (Decimal(0), Decimal(100)),
    Measure.ODI: (Decimal(0), Decimal(100)),
    Measure.VISA_A: (Decimal(0), Decimal(100)),
    Measure.PRTEE: (Decimal(0), Decimal(100)),
}


class OutcomeError(Exception):
    """A clear, user-facing reason why nothing was saved."""


def outcome_add(
    *, series: TreatmentSeries, measure: str, value: Decimal, recorded_at: dt.datetime, user: User, now: dt.datetime
) -> OutcomeScore:
    if measure not in RANGES:
        raise OutcomeError(_("Choose a measure."))
    low, high = RANGES[measure]
    if not low <= value <= high:
        raise OutcomeError(
            _("%(measure)s must be between %(low)s and %(high)s.")
            % {"measure": Measure(measure).label, "low": low, "high": high}
        )
    if recorded_at > now + dt.timedelta(minutes=5):
        raise OutcomeError(_("A score cannot be dated in the future."))
    try:
        with transaction.atomic():
            return OutcomeScore.objects.create(
                patient_id=series.patient_id,
                series=series,
                measure=measure,
                value=value,
                recorded_at=recorded_at,
                source=OutcomeScore.Source.CLINIC,
                recorded_by=user,
            )
    except IntegrityError as exc:
        raise OutcomeError(integrity_message(exc)) from exc
