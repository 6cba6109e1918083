"""A clinic that opens the consultation online, and a patient's typed details."""

import datetime as dt
import re

from clinic.models import AppointmentType, ClinicSettings
from tests.treatments.factories_desk import clinic_setup, local

NOW = local(2026, 5, 1, 12)  # a Friday noon
SLOT = local(2026, 5, 5, 10)  # the Tuesday after, 10:00


def open_online(**settings) -> tuple:
    """clinic_setup()'s (practitioner, location, patient) with the consultation open online."""
    setup = clinic_setup()
    AppointmentType.objects.filter(slug="consultation").update(bookable_online=True)
    if settings:
        ClinicSettings.load()
        ClinicSettings.objects.filter(pk=1).update(**settings)
    return setup


def consultation() -> AppointmentType:
    return AppointmentType.objects.get(slug="consultation")


def details(**over) -> dict:
    data = {
        "first_name": "Nina",
        "last_name": "Berg",
        "date_of_birth": dt.date(1980, 3, 4),
        "email": "nina@example.com",
        "phone": "+13125550188",
        "code_channel": "email",
        "email_consent": True,
        "sms_consent": False,
        "screening": {"anticoagulants": True},
    }
    data.update(over)
    return data


def code_in(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)
