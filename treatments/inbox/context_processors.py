"""The count of warning signs nobody has called back yet, on the Requests link of every staff
page. Registered by string in settings (clinic never imports treatments); evaluated only when the
layout's navigation is drawn, in one COUNT query."""

from functools import cache

from django.http import HttpRequest

from clinic import roles
from clinic.two_factor import second_step_pending
from treatments.inbox.selectors import open_callback_count


def callbacks(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    # Patients (the portal has no user) and visitors never see it; nor staff before their second step.
    if user is None or not roles.has_role(user, *roles.ALL_ROLES) or second_step_pending(request):
        return {}
    # A callable: the template calls it where the link is drawn; cached, so once per page.
    return {"open_callbacks": cache(open_callback_count)}
