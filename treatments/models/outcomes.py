"""What the patient reports and the clinic measures: outcome scores, pain check-ins from the
portal and the warning signs a check-in may carry."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patients.models import Patient

from .appointments import Appointment
from .series import TreatmentSeries


class OutcomeScore(models.Model):
    class Measure(models.TextChoices):
        PAIN_NRS = "pain_nrs", _("Pain (0-10)")
        PSFS = "psfs", _("Patient-Specific Functional Scale")
        GRC = "grc", _("Global rating of change")
        WOMAC = "womac", _("WOMAC total")
        ODI = "odi", _("Oswestry (ODI) total")
        VISA_A = "visa_a", _("VISA-A total")
        PRTEE = "prtee", _("PRTEE total")

    class Source(models.TextChoices):
        SESSION = "session", _("At a session")
        CHECKIN = "checkin", _("Patient check-in")
        CLINIC = "clinic", _("Recorded by the clinic")
        INTAKE = "intake", _("Patient intake (baseline)")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="outcome_scores")
    series = models.ForeignKey(TreatmentSeries, null=True, blank=True, on_delete=models.CASCADE, related_name="scores")
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="scores"
    )
    measure = models.CharField(max_length=10, choices=Measure.choices)
    value = models.DecimalField(max_digits=6, decimal_places=2)
    recorded_at = models.DateTimeField()
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.CLINIC)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at"]
        indexes = [models.Index(fields=["series", "measure", "recorded_at"], name="score_series_measure_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(measure="pain_nrs") | Q(value__gte=0, value__lte=10), name="score_pain_nrs_0_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.value}"


class RedFlag:
    """The warning signs a patient can report after a session: any one means "call the clinic now"
    (docs/clinical-facts.md, "Warning signs after an injection")."""

    FEVER = "fever"
    SPREADING = "spreading"
    DISCHARGE = "discharge"
    WORSE_PAIN = "worse_pain"
    UNWELL = "unwell"
    NERVE = "nerve"
    SPINE = "spine"

    CHOICES = [
        (FEVER, _("I have a fever above 38 °C (100.4 °F)")),
        (SPREADING, _("Redness, warmth or swelling around the injection is spreading or getting worse")),
        (DISCHARGE, _("Fluid or pus is coming out of an injection site")),
        (WORSE_PAIN, _("The pain is getting worse 2 to 3 days after the session, instead of better")),
        (UNWELL, _("I feel generally unwell")),
        (NERVE, _("I have burning pain, numbness or weakness in an arm or leg")),
        (SPINE, _("I have a severe headache, shortness of breath or chest pain")),
    ]
    LABELS = dict(CHOICES)


class PainCheckIn(models.Model):
    """ "How do you feel?" from the patient portal; its pain score also becomes an OutcomeScore."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="checkins")
    series = models.ForeignKey(
        TreatmentSeries, null=True, blank=True, on_delete=models.CASCADE, related_name="checkins"
    )
    pain = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(10)])
    note = models.TextField(max_length=1000, blank=True)
    red_flags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(pain__lte=10), name="checkin_pain_0_10")]

    def __str__(self) -> str:
        return f"Check-in {self.created_at:%Y-%m-%d}"

    @property
    def red_flag_labels(self) -> list[str]:
        return [str(RedFlag.LABELS.get(flag, flag)) for flag in self.red_flags]
