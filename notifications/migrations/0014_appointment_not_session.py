"""A single visit (a consultation, a follow-up) was told as a "session" in its texts and notices:
"your session is booked" ("All dates, confirm or cancel"), "a reminder of your session", "New
time for your session", "Your session on ... is cancelled" (issue 19, item 9). They say "appointment" unless the visit is a session of a
series. A template the clinic has edited is left as the clinic wrote it: only a field still holding
the starting words below is replaced."""

from django.db import migrations

# Frozen: the starting words before this change, per (kind, channel) and field.
OLD = {
    ("confirmation", "sms"): {
        "text": "{{ clinic_name }}: {% if dates|length == 1 %}your session is "
        "booked for {{ when }}.{% else %}your {{ dates|length }} "
        "sessions are booked, the first on {{ when }}.{% endif %} All "
        "dates, confirm or cancel: {{ short_url }} Reply STOP to end "
        "texts."
    },
    ("reminder", "email"): {
        "text": "Hello {{ first_name }},\n"
        "\n"
        "A reminder of your session at {{ clinic_name }} on {{ when }}{% "
        "if session_number %} (session {{ session_number }}{% if "
        "session_count %} of {{ session_count }}{% endif %}){% endif %}{% "
        "if location %}, {{ location }}{% if address %}, {{ address }}{% "
        "endif %}{% endif %}.\n"
        "\n"
        "Confirm: {{ confirm_url }}\n"
        "Cannot come? Cancel: {{ cancel_url }}\n"
        "\n"
        "{{ clinic_name }} · {{ clinic_phone }}\n"
        "Stop these e-mails: {{ unsubscribe_url }}\n"
    },
    ("reminder", "sms"): {
        "text": "{{ clinic_name }}: reminder of your session on {{ when }}. Reply C "
        "to confirm. Cancel or details: {{ short_url }} Reply STOP to end "
        "texts."
    },
    ("moved", "email"): {
        "subject": "New time for your session: {{ when }}",
        "text": "Hello {{ first_name }},\n"
        "\n"
        "{% if by_patient %}As you asked, your{% else %}Your{% endif %} "
        "session at {{ clinic_name }}{% if old_when %} on {{ old_when }}{% "
        "endif %} has moved. The new time is {{ when }}{% if location %}, {{ "
        "location }}{% endif %}.\n"
        "{% if dates %}\n"
        "Your later sessions have moved too. Their new dates are:\n"
        "{% for date in dates %}- {{ date }}\n"
        "{% endfor %}{% endif %}\n"
        "Confirm: {{ confirm_url }}\n"
        "{% if by_patient %}See your sessions here: {{ portal_url }}{% else "
        "%}If the new time does not suit you, call us on {{ clinic_phone }} "
        "or see your sessions here: {{ portal_url }}{% endif %}\n"
        "\n"
        "{{ clinic_name }} · {{ clinic_phone }}\n"
        "Stop these e-mails: {{ unsubscribe_url }}\n",
    },
    ("moved", "sms"): {
        "text": "{{ clinic_name }}: your session has moved to {{ when }}.{% if "
        "short_dates %} Later ones now: {{ short_dates|join:', ' }}{% if "
        "more_dates %} and {{ more_dates }} more{% endif %}.{% endif %} Reply "
        "C to confirm. {{ short_url }} Reply STOP to end texts."
    },
    ("cancelled", "email"): {
        "subject": "Your session on {{ when }} is cancelled",
        "text": "Hello {{ first_name }},\n"
        "\n"
        "We are sorry: {{ clinic_name }} has had to cancel your session "
        "on {{ when }}.\n"
        "{% if dates %}\n"
        "These sessions are cancelled too:\n"
        "{% for date in dates %}- {{ date }}\n"
        "{% endfor %}{% endif %}\n"
        "We will be in touch about a new time. You can also call us on "
        "{{ clinic_phone }} or see your sessions here: {{ portal_url }}\n"
        "\n"
        "{{ clinic_name }} · {{ clinic_phone }}\n"
        "Stop these e-mails: {{ unsubscribe_url }}\n",
    },
    ("cancelled", "sms"): {
        "text": "{{ clinic_name }}: sorry, we had to cancel your session on {{ "
        "when }}{% if dates %} and {{ dates|length }} later ones{% endif "
        "%}. For a new time call {{ clinic_phone }} or see {{ short_url }} "
        "Reply STOP to end texts."
    },
    ("receipt", "email"): {
        "subject": "Your session on {{ when }} is cancelled",
        "text": "Hello {{ first_name }},\n"
        "\n"
        "As you asked, your session at {{ clinic_name }} on {{ when }} is "
        "cancelled. There is nothing else you need to do.\n"
        "\n"
        "To book a new time, see your sessions here: {{ portal_url }}\n"
        "or call us on {{ clinic_phone }}.\n"
        "\n"
        "{{ clinic_name }} · {{ clinic_phone }}\n"
        "Stop these e-mails: {{ unsubscribe_url }}\n",
    },
    ("receipt", "sms"): {
        "text": "{{ clinic_name }}: as you asked, your session on {{ when }} is "
        "cancelled. A new time: {{ short_url }} or call {{ clinic_phone }}. "
        "Reply STOP to end texts."
    },
    ("rebooked", "email"): {
        "text": "Hello {{ first_name }},\n"
        "\n"
        "Your session at {{ clinic_name }} is booked again, now on {{ "
        "when }}{% if location %}, {{ location }}{% endif %}.\n"
        "\n"
        "Confirm: {{ confirm_url }}\n"
        "See or cancel your sessions: {{ portal_url }}\n"
        "\n"
        "We will remind you before it.\n"
        "\n"
        "{{ clinic_name }} · {{ clinic_phone }}\n"
        "Stop these e-mails: {{ unsubscribe_url }}\n"
    },
    ("rebooked", "sms"): {
        "text": "{{ clinic_name }}: your session is booked again for {{ when }}. "
        "Reply C to confirm. Details: {{ short_url }} Reply STOP to end "
        "texts."
    },
}


def _swap(apps, *, forward: bool) -> None:
    from notifications.defaults import DEFAULTS

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for (kind, channel), fields in OLD.items():
        for field, old in fields.items():
            new = DEFAULTS[(kind, channel)].get(field, "")
            have, want = (old, new) if forward else (new, old)
            MessageTemplate.objects.filter(kind=kind, channel=channel, **{field: have}).update(**{field: want})


def forward(apps, schema_editor):
    _swap(apps, forward=True)


def backward(apps, schema_editor):
    _swap(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0013_capital_after_greeting")]

    operations = [migrations.RunPython(forward, backward)]
