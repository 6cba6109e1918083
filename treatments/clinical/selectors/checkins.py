"""What the patient reported between two sessions, for the practitioner's next record."""

from treatments.models import Appointment, PainCheckIn

# A patient checks in a few times between sessions; more than this on one page is noise.
CHECKINS_SHOWN = 30
# Appointments that did not take place are not a "last session".
NOT_A_SESSION = (Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW)


def checkins_since_last_session(appointment: Appointment) -> list[PainCheckIn]:
    """The patient's check-ins after their previous session began and before this one ended,
    oldest first. With no previous session, every check-in before this one. Two queries."""
    previous_start = (
        Appointment.objects.filter(patient_id=appointment.patient_id, start__lt=appointment.start)
        .exclude(status__in=NOT_A_SESSION)
        .order_by("-start")
        .values_list("start", flat=True)
        .first()
    )
    rows = PainCheckIn.objects.filter(patient_id=appointment.patient_id, created_at__lt=appointment.end)
    if previous_start is not None:
        rows = rows.filter(created_at__gte=previous_start)
    latest = rows.select_related("acknowledged_by").order_by("-created_at")[:CHECKINS_SHOWN]
    return sorted(latest, key=lambda c: c.created_at)
