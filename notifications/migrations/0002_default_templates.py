"""The starting words for every kind of message; the clinic admin edits them afterwards."""

from django.db import migrations

# A frozen copy would be safer against later edits, but the defaults are data the clinic owns from
# here on: later changes to notifications/defaults.py only reach new installs, never existing rows.
from notifications.defaults import DEFAULTS


def load(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for (kind, channel), words in DEFAULTS.items():
        MessageTemplate.objects.get_or_create(
            kind=kind,
            channel=channel,
            defaults={"subject": words.get("subject", ""), "text": words["text"], "html": words.get("html", "")},
        )


def unload(apps, schema_editor):
    apps.get_model("notifications", "MessageTemplate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_outbox")]

    operations = [migrations.RunPython(load, unload)]
