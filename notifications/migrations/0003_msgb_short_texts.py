"""Texts of two SMS segments (issue 10): every default text now carries one short link
(/p/<token>) and the STOP reply instead of three long links. A text the clinic has edited is left
as the clinic wrote it; the admin shows its segment count."""

from django.db import migrations

# Frozen: the words 0002 loaded, so that only untouched texts are replaced.
OLD = {
    "aftercare": "{{ clinic_name }}: soreness for a few days is normal. Paracetamol helps; no anti-inflammatory "
    "painkillers {{ nsaid_after }}. Call {{ clinic_phone }} at once for fever, spreading redness "
    "or swelling, discharge, pain getting worse after 2-3 days, numbness or weakness. More: {{ "
    "aftercare_url }} Stop texts: {{ unsubscribe_url }}",
    "checkin": "{{ clinic_name }}: how are you feeling since your session? Your pain score, 0-10: {{ "
    "checkin_url }} Stop texts: {{ unsubscribe_url }}",
    "confirmation": "{{ clinic_name }}: {% if dates|length == 1 %}your session is booked for {{ when }}. {% "
    "else %}your {{ dates|length }} sessions are booked, the first on {{ when }}. {% endif "
    "%}All dates: {{ portal_url }} Stop texts: {{ unsubscribe_url }}",
    "followup": "{{ clinic_name }}: a week on, how are you? Tell us: {{ checkin_url }} Still sore? Call {{ "
    "clinic_phone }}. Stop texts: {{ unsubscribe_url }}",
    "outcome": "{{ clinic_name }}: {{ weeks }} weeks since your last session. How are you doing? {{ checkin_url "
    "}} Stop texts: {{ unsubscribe_url }}",
    "prepare": "{{ clinic_name }}: session on {{ when }}. Please skip anti-inflammatory painkillers for {{ "
    "nsaid_pause_days }} days before, eat first, wear loose clothes. A few questions: {{ before_url "
    "}} Confirm: {{ confirm_url }} Cancel: {{ cancel_url }} Stop texts: {{ unsubscribe_url }}",
    "reminder": "{{ clinic_name }}: reminder of your session on {{ when }}. Confirm: {{ confirm_url }} Cancel: "
    "{{ cancel_url }} Stop texts: {{ unsubscribe_url }}",
}


def forward(apps, schema_editor):
    from notifications.defaults import DEFAULTS

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for kind, text in OLD.items():
        MessageTemplate.objects.filter(kind=kind, channel="sms", text=text).update(text=DEFAULTS[(kind, "sms")]["text"])


def backward(apps, schema_editor):
    from notifications.defaults import DEFAULTS

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for kind, text in OLD.items():
        MessageTemplate.objects.filter(kind=kind, channel="sms", text=DEFAULTS[(kind, "sms")]["text"]).update(text=text)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_default_templates")]

    operations = [migrations.RunPython(forward, backward)]
