"""The one way a view turns a patient id into a Patient: 404 for anything the user may not see."""

from django.http import Http404

from clinic import roles

from .models import Patient


def patient_for(user, pk: int | str) -> Patient:
    if not roles.has_role(user, *roles.ALL_ROLES):
        raise Http404
    try:
        return Patient.objects.get(pk=int(pk))
    except (Patient.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
