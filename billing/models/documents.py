"""What the patient's papers need beyond the ledger (issue 23): the practitioner's billing code and
diagnosis codes per series (the superbill and the Good Faith Estimate), the patient's address and
insurer member id as the superbill shows them, and the Good Faith Estimates themselves (a stored
snapshot, never rewritten). Diagnosis codes appear only on the documents the patient downloads
through their portal link or the staff pages: never in a message, a log line or a calendar feed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from patients.models import Patient

# ICD-10-CM: a letter, a digit, a digit or letter, then optionally a dot and 1-4 characters
# (e.g. M17.11, M54.5, S83.511A). Typed with or without the dot; stored with it.
ICD10 = re.compile(r"^([A-TV-Z][0-9][0-9A-Z])\.?([0-9A-Z]{1,4})?$")
MAX_DIAGNOSES = 12  # the CMS-1500 form's pointers A-L


def parse_icd10_codes(text: str) -> list[str]:
    """'m17.11, M25561' → ['M17.11', 'M25.561']; a code that is not ICD-10's shape is refused with
    its name in the message; duplicates are dropped in order."""
    codes: list[str] = []
    for raw in re.split(r"[\s,;]+", text.strip().upper()):
        if not raw:
            continue
        match = ICD10.match(raw)
        if match is None:
            raise ValidationError(
                _(
                    "“%(code)s” is not an ICD-10 code: a letter, two characters, then optionally a dot "
                    "and up to four more (e.g. M17.11)."
                )
                % {"code": raw[:20]}
            )
        code = match.group(1) + (f".{match.group(2)}" if match.group(2) else "")
        if code not in codes:
            codes.append(code)
    if len(codes) > MAX_DIAGNOSES:
        raise ValidationError(_("At most %(n)d diagnosis codes fit on a superbill.") % {"n": MAX_DIAGNOSES})
    return codes


class BillingCode(models.TextChoices):
    # Medicare's code for prolotherapy (not covered); other payers may direct the injection codes.
    M0076 = "M0076", _lazy("HCPCS M0076 — prolotherapy")
    CPT_20550 = "20550", _lazy("CPT 20550 — injection, tendon sheath or ligament")
    CPT_20610 = "20610", _lazy("CPT 20610 — injection, major joint or bursa")

    @classmethod
    def system(cls, code: str) -> str:
        return "HCPCS" if code == cls.M0076 else "CPT"


def code_constraints(prefix: str) -> list[models.BaseConstraint]:
    """What the database holds to of any stored code: units 1-99, a modifier of two capitals or digits."""
    return [
        models.CheckConstraint(condition=Q(units__gte=1, units__lte=99), name=f"{prefix}_units"),
        models.CheckConstraint(condition=Q(modifier__regex=r"^([A-Z0-9]{2})?$"), name=f"{prefix}_modifier"),
    ]


class SeriesCoding(models.Model):
    """The practitioner's choice for a series: the procedure code (as the patient's payer directs),
    its modifier and units per visit, and the diagnosis codes (ICD-10) in pointer order A, B, …"""

    series = models.OneToOneField("treatments.TreatmentSeries", on_delete=models.PROTECT, related_name="coding")
    code = models.CharField(max_length=5, choices=BillingCode.choices, default=BillingCode.M0076)
    modifier = models.CharField(max_length=2, blank=True, help_text=_lazy("Two letters or digits, e.g. RT or LT."))
    units = models.PositiveSmallIntegerField(default=1)
    # Space-separated ICD-10 codes, validated by parse_icd10_codes (the service writes them).
    diagnoses = models.CharField(max_length=120, blank=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = code_constraints("series_coding")

    def __str__(self) -> str:
        return f"{self.code} for series {self.series_id}"

    @property
    def diagnosis_list(self) -> list[str]:
        return self.diagnoses.split()


class VisitCoding(models.Model):
    """The practitioner's code for one attended visit when the payer directs another than the
    series' (e.g. 20610 for this visit, M0076 for the others). No row: the visit is billed with
    the series' coding (`visit_code`, the one function that decides). Written by
    billing.services.documents.visit_codings_save."""

    appointment = models.OneToOneField("treatments.Appointment", on_delete=models.PROTECT, related_name="visit_coding")
    code = models.CharField(max_length=5, choices=BillingCode.choices)
    modifier = models.CharField(max_length=2, blank=True)
    units = models.PositiveSmallIntegerField(default=1)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = code_constraints("visit_coding")

    def __str__(self) -> str:
        return f"{self.code} for appointment {self.appointment_id}"


@dataclass(frozen=True)
class VisitCode:
    """What a visit is billed with: system (HCPCS/CPT), code, modifier, units; `own` when the
    practitioner chose it for this visit rather than the series."""

    system: str
    code: str
    modifier: str
    units: int
    own: bool = False


def visit_code(*, series: SeriesCoding | None, visit: VisitCoding | None = None) -> VisitCode:
    """THE rule for a visit's code, used by the superbill, the Good Faith Estimate and the codes
    page: the visit's own code when the practitioner set one, else the series', else M0076 × 1."""
    if visit is not None:
        return VisitCode(BillingCode.system(visit.code), visit.code, visit.modifier, visit.units, own=True)
    if series is not None:
        return VisitCode(BillingCode.system(series.code), series.code, series.modifier, series.units)
    return VisitCode(BillingCode.system(BillingCode.M0076), BillingCode.M0076, "", 1)


def checked_code(*, code: str, modifier: str, units: int) -> tuple[str, str, int]:
    """A procedure code, modifier and units as the practitioner typed them, checked (the series'
    form, the per-visit form and their services all call this): the code one of BillingCode, the
    modifier two letters or digits (upper-cased) or none, units 1-99. Raises ValidationError."""
    if code not in BillingCode.values:
        raise ValidationError(CODE_CHOICE_MESSAGE)
    if not 1 <= units <= 99:
        raise ValidationError(UNITS_MESSAGE)
    return code, checked_modifier(modifier), units


CODE_CHOICE_MESSAGE = _lazy("Choose M0076, 20550 or 20610.")
UNITS_MESSAGE = _lazy("Units are a whole number between 1 and 99.")


def checked_modifier(modifier: str) -> str:
    """'rt ' → 'RT'; empty stays empty; anything but two letters or digits is refused."""
    modifier = modifier.strip().upper()
    if modifier and (len(modifier) != 2 or not modifier.isalnum() or not modifier.isascii()):
        raise ValidationError(_("A modifier is two letters or digits, e.g. RT."))
    return modifier


class PatientBillingDetails(models.Model):
    """What the superbill prints about the patient beyond their name and date of birth. Entered by
    the desk at /billing/patients/<id>/details/ (billing.services.accounts.billing_details_save);
    the admin only reads it. Empty fields are left off the document."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="billing_details")
    address = models.CharField(max_length=250, blank=True)
    payer = models.CharField(max_length=120, blank=True, help_text=_lazy("The patient's insurer, if any."))
    member_id = models.CharField(max_length=40, blank=True, verbose_name=_lazy("insurer member id"))
    self_pay = models.BooleanField(
        default=True, help_text=_lazy("Pays the clinic directly (a Good Faith Estimate is due in the US).")
    )

    class Meta:
        verbose_name_plural = _lazy("patient billing details")

    def __str__(self) -> str:
        return f"billing details of patient {self.patient_id}"


class GoodFaithEstimate(models.Model):
    """The No Surprises Act estimate for a self-pay patient's series: what was planned at booking,
    frozen in `snapshot` (sessions, codes, charges, provider, diagnoses, total). Written once, never
    rewritten; `due_by` is the date it had to be in the patient's hands (billing.documents.gfe_due_date)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="good_faith_estimates")
    series = models.OneToOneField(
        "treatments.TreatmentSeries", on_delete=models.PROTECT, related_name="good_faith_estimate"
    )
    total = models.BigIntegerField()
    snapshot = models.JSONField()
    scheduled_on = models.DateField(help_text=_lazy("The clinic-local date the series was booked."))
    first_service_on = models.DateField()
    due_by = models.DateField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(total__gte=0), name="gfe_total_not_negative")]

    def __str__(self) -> str:
        return f"good faith estimate for series {self.series_id}"
