"""The one way to write the audit trail. Views call `audit_record` after they read or change a
patient's data; the entry names kinds and ids only, never clinical text."""

from django.http import HttpRequest

from .client_address import client_ip
from .models import AuditEntry


def audit_record(
    *,
    request: HttpRequest | None,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    patient_id: int | None = None,
    user=None,
    via: str = "staff",
    ip: str | None = None,
) -> AuditEntry:
    """`ip` is for writes made outside a request's view (a service given the client's address)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    return AuditEntry.objects.create(
        user=user,
        patient_id=patient_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        ip=client_ip(request) if request is not None else ip,
        via=via,
    )
