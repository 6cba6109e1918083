"""The clinic admin hands a clinical record over to another practitioner (the appointment's own is
away, or has left): from then on only that practitioner writes, signs and amends it. The admin
never writes the record itself. The hand-over is an entry in the record's history (an amendment
whose one change is the writer), so whoever reads the record sees who handed it to whom, and why."""

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from clinic import roles
from clinic.models import Practitioner
from treatments.clinical.services.errors import RecordError
from treatments.clinical.services.records import record_open, record_writer
from treatments.models import Appointment, RecordAmendment, SessionRecord


def record_hand_over(
    *, appointment: Appointment, practitioner: Practitioner, reason: str, user: User, now: dt.datetime
) -> SessionRecord:
    """Give the appointment's record (created as an empty draft when there is none yet) to
    `practitioner`, with the reason in its history."""
    if not roles.has_role(user, roles.CLINIC_ADMIN):
        raise RecordError(_("Only the clinic admin hands a record over."))
    reason = reason.strip()
    if not reason:
        raise RecordError(_("Say why the record is handed over."))
    if not practitioner.active:
        raise RecordError(_("%(who)s no longer works here.") % {"who": practitioner.display_name})
    with transaction.atomic():
        record = record_open(appointment=appointment, user=user, now=now)
        locked = SessionRecord.objects.select_for_update(of=("self",)).select_related("handed_to").get(pk=record.pk)
        before = record_writer(appointment=appointment, record=locked)
        if before.pk == practitioner.pk:
            raise RecordError(_("%(who)s already writes this record.") % {"who": practitioner.display_name})
        locked.handed_to = practitioner
        locked.save(update_fields=["handed_to", "updated_at"])
        RecordAmendment.objects.create(
            record=locked,
            by=user,
            at=now,
            reason=reason[:250],
            changes={"writer": [before.display_name, practitioner.display_name]},
        )
    return locked
