"""The patient's intake from their portal: the form is stored by patients' `intake_record`, and the
PSFS activities become the first PSFS point of the patient's outcome scores, in one transaction."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from patients.models import Intake, Patient
from patients.services_intake import IntakeData, intake_record
from treatments.models import OutcomeScore


def psfs_mean(activities: list[dict]) -> Decimal:
    """The PSFS score is the mean of the activities' 0-10 scores."""
    total = Decimal(sum(a["score"] for a in activities))
    return (total / len(activities)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def portal_intake_submit(*, patient: Patient, data: IntakeData, now: dt.datetime) -> Intake:
    """Store the intake and its PSFS baseline together: a refused form saves neither."""
    with transaction.atomic():
        intake = intake_record(patient=patient, data=data, now=now)
        if intake.activities:
            # No series exists before the first visit, so the baseline belongs to the patient.
            OutcomeScore.objects.create(
                patient=patient,
                measure=OutcomeScore.Measure.PSFS,
                value=psfs_mean(intake.activities),
                recorded_at=now,
                source=OutcomeScore.Source.INTAKE,
            )
    return intake
