"""The one way a view turns a patient id into a Patient: 404 for anything the user may not see."""

from clinic.access import object_or_404

from .models import Patient


def patient_for(user, pk: int | str | None) -> Patient:
    return object_or_404(Patient.objects.all(), pk, user=user)
