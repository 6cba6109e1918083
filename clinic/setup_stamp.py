"""The setup stamp: a token that changes whenever a practitioner, their hours, a closure, a location,
a room, an appointment type or a protocol is saved or deleted (what the desk calendar shows besides
its appointments). Pages that build something from those rows key it on the stamp rather than read
them all again (the desk's day grid digests its token into the day's version:
treatments.scheduling.selectors.calendar.DayReading). A token, not a counter: a rolled-back change
must never bring an old number back."""

import uuid

from django.db.models.signals import post_delete, post_save

CLINIC_SETUP = ["Location", "Room", "Practitioner", "WorkingHours", "DatedHours", "Closure", "AppointmentType"]


def setup_stamp_bump(**_signal) -> None:
    """A new token. In the writer's own transaction: a page that reads the stamp before it commits
    also reads the rows as they were, so nothing newer is ever filed under the old token."""
    from clinic.models import SetupStamp

    token = uuid.uuid4().hex
    if not SetupStamp.objects.filter(pk=1).update(token=token):
        SetupStamp.objects.update_or_create(pk=1, defaults={"token": token})


def connect_setup_stamp(app_label: str, model_names: list[str]) -> None:
    """Each app names its own setup models (treatments: Protocol), from its AppConfig.ready()."""
    from django.apps import apps

    for name in model_names:
        model = apps.get_model(app_label, name)
        label = f"{app_label}.{name}"
        post_save.connect(setup_stamp_bump, sender=model, dispatch_uid=f"setup_stamp_save_{label}")
        post_delete.connect(setup_stamp_bump, sender=model, dispatch_uid=f"setup_stamp_delete_{label}")
