"""What a calendar event holds: the practitioner's feed, and the patient's event — one builder for
the desk's "add to calendar" file, the portal's and the confirmation e-mail's attachment. What goes
in is deliberately small: a neutral title, the time, the location. Never a diagnosis, body part,
protocol or condition (a calendar is synced to phones and shared). `ics.py` writes the text."""

import datetime as dt

from django.utils.translation import gettext as _

from clinic.models import ClinicSettings, Practitioner
from treatments.models import Appointment
from treatments.scheduling.ics import Event, calendar

FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 365


def _initial(last_name: str) -> str:
    return f"{last_name[:1]}." if last_name else ""


def _ics_status(appointment: Appointment) -> str:
    return "CONFIRMED" if appointment.is_live else "CANCELLED"


def _sequence(appointment: Appointment) -> int:
    """Grows with every change of the appointment, so a calendar that already holds the event (same
    UID) takes the new time instead of keeping the old one (RFC 5545 3.8.7.4)."""
    return int(appointment.updated_at.timestamp()) % 2_000_000_000 if appointment.updated_at else 0


def practitioner_event(appointment: Appointment) -> Event:
    """'Session – Jane D.': enough for the practitioner to recognise the booking."""
    kind = _("Session") if appointment.appointment_type.is_injection else _("Appointment")
    patient = appointment.patient
    return Event(
        uid=f"appointment-{appointment.pk}",
        start=appointment.start,
        end=appointment.end,
        summary=f"{kind} – {patient.first_name} {_initial(patient.last_name)}".strip(),
        location=appointment.location.name,
        status=_ics_status(appointment),
        sequence=_sequence(appointment),
        stamp=appointment.updated_at,
    )


def practitioner_feed(*, practitioner: Practitioner, now: dt.datetime) -> str:
    appointments = (
        Appointment.objects.filter(
            practitioner=practitioner,
            start__gte=now - dt.timedelta(days=FEED_PAST_DAYS),
            start__lt=now + dt.timedelta(days=FEED_FUTURE_DAYS),
        )
        .exclude(status=Appointment.Status.NO_SHOW)
        .select_related("patient", "location", "appointment_type")
        .order_by("start")
    )
    name = _("%(clinic)s – %(who)s") % {"clinic": ClinicSettings.load().name, "who": practitioner.display_name}
    return calendar((practitioner_event(a) for a in appointments), name=name, now=now)


def patient_event(appointment: Appointment, *, clinic: ClinicSettings) -> Event:
    """The one event a patient gets for a session, whether from the desk, their portal or the
    confirmation e-mail: the clinic, the time, the address and the phone number."""
    location = appointment.location
    return Event(
        uid=f"appointment-{appointment.pk}",
        start=appointment.start,
        end=appointment.end,
        summary=_("Appointment at %(clinic)s") % {"clinic": clinic.name},
        location=", ".join(part for part in (location.name, location.address) if part),
        description=_("To change or cancel, call %(phone)s.") % {"phone": clinic.phone},
        status=_ics_status(appointment),
        sequence=_sequence(appointment),
        stamp=appointment.updated_at,
    )


def appointment_file(*, appointment: Appointment, now: dt.datetime) -> str:
    """The patient's own 'add to calendar' file for one session."""
    clinic = ClinicSettings.load()
    return calendar([patient_event(appointment, clinic=clinic)], name=clinic.name, now=now)


def sessions_file(*, appointments: list[Appointment], clinic: ClinicSettings, now: dt.datetime) -> str:
    """Every upcoming session of a series in one file (attached to the confirmation)."""
    return calendar([patient_event(a, clinic=clinic) for a in appointments], name=clinic.name, now=now)
