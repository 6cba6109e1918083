"""The staff roles. Each is a Django group created by a migration; views ask `has_role` or use
`role_required`, never group names directly."""

from collections.abc import Callable, Iterable
from functools import cache, wraps
from typing import TYPE_CHECKING

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """What a view behind `role_required` (or `staff_required`) receives: a signed-in user. For the
    type checker only (django-stubs' pattern); at run time the view gets Django's HttpRequest."""

    user: "User"


FRONT_DESK = "Front desk"
PRACTITIONER = "Practitioner"
CLINIC_ADMIN = "Clinic admin"
ALL_ROLES = (FRONT_DESK, PRACTITIONER, CLINIC_ADMIN)
CLINICAL_ROLES = (PRACTITIONER, CLINIC_ADMIN)

# Who may do what, by model permission. The admin runs setup; the desk handles contact data and
# bookings but never clinical records; practitioners see everything the desk sees plus records.
_DESK_MODELS = {
    "patients": ["patient", "screeninganswer", "portaltoken", "consultationrequest"],
    "treatments": ["treatmentseries", "appointment", "appointmentchange", "waitlistentry"],
    "notifications": ["message"],
}
_CLINICAL_MODELS = {
    "treatments": [
        "sessionrecord",
        "injectionsite",
        "adverseevent",
        "recordamendment",
        "outcomescore",
        "paincheckin",
    ],
}
_SETUP_APPS = {"clinic", "treatments", "education", "notifications", "patients", "billing"}
_TWO_FACTOR_APPS = {"otp_totp", "otp_static", "django_otp_webauthn"}


@cache
def _group_names():
    """The groups of a user, by id: every staff page asks, through a statement compiled once (made
    on first use: this module is imported before the apps are ready)."""
    from django.contrib.auth.models import Group

    from clinic.compiled_sql import CompiledRead

    return CompiledRead(lambda user: Group.objects.filter(user=user).values_list("name"), user=-7001)


def roles_of(user) -> frozenset[str]:
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_prolo_roles", None)
    if cached is None:
        cached = frozenset(name for (name,) in _group_names().rows(user=user.pk))
        if user.is_superuser:
            cached = cached | {CLINIC_ADMIN}
        user._prolo_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_clinical(user) -> bool:
    """Practitioners and the clinic admin may read and write clinical records."""
    return has_role(user, *CLINICAL_ROLES)


def role_required(*roles: str) -> Callable:
    """Anonymous visitors go to the login page; signed-in users without the role get a 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # A marker on the function object (not in a function's type), read by the URLconf walk test.
        wrapped.prolo_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


desk_required = role_required(FRONT_DESK, PRACTITIONER, CLINIC_ADMIN)
clinical_required = role_required(PRACTITIONER, CLINIC_ADMIN)
admin_required = role_required(CLINIC_ADMIN)


def _codenames(models: dict[str, list[str]], actions: Iterable[str]) -> list[tuple[str, str]]:
    return [(app, f"{action}_{model}") for app, names in models.items() for model in names for action in actions]


def sync_role_permissions(*, using: str = "default") -> None:
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    all_actions = ("view", "add", "change", "delete")
    wanted = {
        FRONT_DESK: _codenames(_DESK_MODELS, all_actions),
        PRACTITIONER: _codenames(_DESK_MODELS, all_actions) + _codenames(_CLINICAL_MODELS, ("view", "add", "change")),
    }
    for name, pairs in wanted.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        perms = [
            p
            for p in Permission.objects.using(using)
            .select_related("content_type")
            .filter(content_type__app_label__in={a for a, _ in pairs})
            if (p.content_type.app_label, p.codename) in set(pairs)
        ]
        group.permissions.set(perms)
    admin, _ = Group.objects.using(using).get_or_create(name=CLINIC_ADMIN)
    # Two-factor devices: the admin may see and remove a colleague's (a lost phone or passkey), never add one.
    devices = Q(content_type__app_label__in=_TWO_FACTOR_APPS, codename__regex=r"^(view|delete)_")
    admin.permissions.set(
        Permission.objects.using(using).filter(Q(content_type__app_label__in=_SETUP_APPS | {"auth", "axes"}) | devices)
    )


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view open to anyone (education, portal by token, unsubscribe, feeds by secret).
    The URLconf walk test treats every other view as staff-only."""
    # A marker on the function object, read by the two-factor gate and the URLconf walk test.
    view.prolo_public = True  # type: ignore[attr-defined]
    return view
