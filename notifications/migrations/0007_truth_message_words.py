"""Words that said the wrong thing (issue 19, item 9): a single appointment was confirmed as "your
sessions ... before each session" and without the practitioner's name; a patient who moved their own
session was asked to call if the new time did not suit them; the aftercare text had no STOP reply,
which the template editor demands of every text; the waitlist offer linked to the portal's home
instead of the offer's own page. A template the clinic has edited is left as the
clinic wrote it (only the untouched starting words are replaced)."""

from django.db import migrations

# Frozen: the starting words before this change.
OLD = {
    ("offer", "email"): {
        "subject": "An earlier time is free at {{ clinic_name }}",
        "text": "Hello {{ first_name }},\n"
        "\n"
        "you are on our waiting list, and a time has come free: {{ when }} at {{ location }}.\n"
        "\n"
        "We offer it to a few people at once: whoever takes it first gets it. If you want it, "
        "take it here: {{ portal_url }}\n"
        "\n"
        "If it does not suit you, do nothing: your booking stays as it is.\n"
        "\n"
        "{{ clinic_name }} · {{ clinic_phone }}\n"
        "Stop these e-mails: {{ unsubscribe_url }}\n",
    },
    ("aftercare", "sms"): {
        "subject": "",
        "text": "{{ clinic_name }}: soreness is normal; paracetamol helps. No "
        "anti-inflammatory painkillers {{ nsaid_after }}. Call {{ clinic_phone }} at "
        "once for fever, spreading redness, discharge, worse pain after 2-3 days or "
        "numbness. {{ short_url }}",
    },
    ("confirmation", "email"): {
        "subject": "Your sessions at {{ clinic_name }} are booked",
        "text": "Hello {{ first_name }},\n"
        "\n"
        "your sessions at {{ clinic_name }} are booked:\n"
        "{% for date in dates %}- {{ date }}\n"
        "{% endfor %}\n"
        "The dates are attached as a calendar file. You can see, confirm or "
        "cancel them here:\n"
        "{{ portal_url }}\n"
        "\n"
        "We will remind you before each session.\n"
        "\n"
        "{{ clinic_name }} · {{ clinic_phone }}\n"
        "Stop these e-mails: {{ unsubscribe_url }}\n",
    },
    ("moved", "email"): {
        "subject": "New time for your session: {{ when }}",
        "text": "Hello {{ first_name }},\n"
        "\n"
        "your session at {{ clinic_name }}{% if old_when %} on {{ old_when }}{% endif "
        "%} has moved. The new time is {{ when }}{% if location %}, {{ location }}{% "
        "endif %}.\n"
        "{% if dates %}\n"
        "Your later sessions have moved too. Their new dates are:\n"
        "{% for date in dates %}- {{ date }}\n"
        "{% endfor %}{% endif %}\n"
        "Confirm: {{ confirm_url }}\n"
        "If the new time does not suit you, call us on {{ clinic_phone }} or see your "
        "sessions here: {{ portal_url }}\n"
        "\n"
        "{{ clinic_name }} · {{ clinic_phone }}\n"
        "Stop these e-mails: {{ unsubscribe_url }}\n",
    },
}


def _swap(apps, *, forward: bool) -> None:
    from notifications.defaults import DEFAULTS

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for (kind, channel), old in OLD.items():
        new = {"subject": DEFAULTS[(kind, channel)].get("subject", ""), "text": DEFAULTS[(kind, channel)]["text"]}
        have, want = (old, new) if forward else (new, old)
        MessageTemplate.objects.filter(kind=kind, channel=channel, **have).update(**want)


def forward(apps, schema_editor):
    _swap(apps, forward=True)


def backward(apps, schema_editor):
    _swap(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0006_notices_change_kinds")]

    operations = [migrations.RunPython(forward, backward)]
