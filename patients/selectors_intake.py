"""Reads of the intake form and the consent signatures: what the portal asks for and what the
practitioner's record shows. Each a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.fields import BooleanField

from .models import ConsentSignature, ConsentText, Intake


def consent_text_current() -> ConsentText | None:
    """The newest published version: the one a patient signs today."""
    return ConsentText.objects.order_by("-version").first()


@dataclass(frozen=True)
class IntakeStatus:
    """A patient's latest intake and latest signature (with the version they signed)."""

    intake: Intake | None
    signature: ConsentSignature | None

    @property
    def done(self) -> bool:
        return self.intake is not None and self.signature is not None


def intake_status(*, patient_id: int) -> IntakeStatus:
    """Two queries."""
    return IntakeStatus(
        intake=Intake.objects.filter(patient_id=patient_id).order_by("-submitted_at", "-id").first(),
        signature=ConsentSignature.objects.filter(patient_id=patient_id)
        .select_related("consent_text")
        .order_by("-signed_at", "-id")
        .first(),
    )


def intake_done_expression(patient_field: str = "patient_id") -> ExpressionWrapper:
    """A boolean to annotate rows that name a patient with: has this patient sent an intake and
    signed the consent? Evaluated by the database in the rows' own query, no query per row."""
    intake = Exists(Intake.objects.filter(patient_id=OuterRef(patient_field)))
    signed = Exists(ConsentSignature.objects.filter(patient_id=OuterRef(patient_field)))
    return ExpressionWrapper(Q(intake) & Q(signed), output_field=BooleanField())
