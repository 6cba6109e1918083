from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from . import roles
from .models import ClinicSettings


def clinic(request: HttpRequest) -> dict:
    from .two_factor import second_step_pending

    user = getattr(request, "user", None)
    # Before the second sign-in step, the layout shows nothing a role would (navigation, notices).
    pending = second_step_pending(request)
    user_roles = roles.roles_of(user) if user is not None and not pending else frozenset()
    context = {
        "clinic_settings": SimpleLazyObject(ClinicSettings.load),
        "user_roles": user_roles,
        "clinic_time_zone": settings.CLINIC_TIME_ZONE,
    }
    if roles.CLINIC_ADMIN in user_roles:
        from .lockouts import lockouts_recent

        # Read only when the layout shows it (pages rendered with base.html).
        context["lockout_notice"] = SimpleLazyObject(lambda: lockouts_recent(now=timezone.now()))
    return context
