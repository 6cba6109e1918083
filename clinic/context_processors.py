from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import roles
from .models import ClinicSettings


def clinic(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "clinic_settings": SimpleLazyObject(ClinicSettings.load),
        "user_roles": roles.roles_of(user) if user is not None else frozenset(),
    }
