"""Every text fits two SMS segments with a 40-character clinic name; the admin shows the count
and refuses an edit that breaks the budget or reads an unknown placeholder."""

import re

import pytest

from clinic import roles
from clinic.models import ClinicSettings
from notifications.budget import known_names, sample_context, template_preview, unknown_placeholders
from notifications.defaults import CONTEXT_HELP, DEFAULTS
from notifications.forms import MessageTemplateForm
from notifications.models import MessageTemplate

pytestmark = pytest.mark.django_db

SMS_KINDS = sorted(kind for kind, channel in DEFAULTS if channel == "sms")


@pytest.mark.parametrize("kind", SMS_KINDS)
def test_every_stored_text_fits_two_gsm7_segments_with_a_long_clinic_name(kind, settings):
    # A production address longer than the development one: the budget must hold there too.
    settings.SITE_URL = "https://appointments.clinic-name.example"
    template = MessageTemplate.objects.get(kind=kind, channel="sms")
    shown = template_preview(kind=kind, channel="sms", subject="", text=template.text, html="", clinic=ClinicSettings())

    assert shown.segments.encoding == "GSM-7"
    assert shown.segments.segments <= 2, shown.rendered.text
    assert "x" * 10 in shown.rendered.text  # the stretched 40-character clinic name was used


@pytest.mark.parametrize("kind", SMS_KINDS)
def test_every_text_carries_one_link_and_the_stop_reply(kind):
    shown = template_preview(
        kind=kind, channel="sms", subject="", text=DEFAULTS[(kind, "sms")]["text"], html="", clinic=ClinicSettings()
    )
    text = shown.rendered.text

    assert text.count("http") == 1
    assert "/p/" in text
    assert "STOP" in text or kind == "aftercare"


def test_an_accented_clinic_name_is_folded_and_stays_gsm7():
    shown = template_preview(
        kind="reminder",
        channel="sms",
        subject="",
        text=DEFAULTS[("reminder", "sms")]["text"],
        html="",
        clinic=ClinicSettings(name="Clinique Zoë – Genève"),
    )

    assert shown.rendered.text.startswith("Clinique Zoe - Genève")
    assert shown.segments.encoding == "GSM-7"


def test_sample_data_uses_the_longest_date():
    assert sample_context(clinic=ClinicSettings())["when"] == "Wednesday 30 September at 09:00"


def _unbudgeted(context: dict) -> list[str]:
    """Placeholders the budget would count as empty: a text could grow by their real length."""
    return sorted(name for name, value in context.items() if value in ("", None, []))


def test_the_budget_counts_every_placeholder_the_sender_fills_with_a_value():
    context = sample_context(clinic=ClinicSettings())

    assert set(context) == known_names() - {"forloop"}
    assert _unbudgeted(context) == []


def test_a_new_placeholder_without_a_sample_value_is_caught(monkeypatch):
    from notifications import budget

    sender = budget.message_context

    def sender_with_a_new_placeholder(**kwargs):
        # What a new placeholder filled from facts the sample does not set yet would look like.
        return sender(**kwargs) | {"room": getattr(kwargs["facts"], "room", "")}

    monkeypatch.setattr(budget, "message_context", sender_with_a_new_placeholder)
    context = sample_context(clinic=ClinicSettings())

    assert "room" in known_names()
    assert _unbudgeted(context) == ["room"]


def test_the_admin_help_names_every_placeholder():
    named = set(re.findall(r"[a-z_]+", CONTEXT_HELP))

    assert sorted(known_names() - {"forloop"} - named) == []


def test_unknown_placeholders_are_found_in_tags_filters_and_conditions():
    source = "{{ clinc_name }} {% for d in dates %}{{ d }} {{ forloop.counter }}{% endfor %}{% if fooo %}{% endif %}"

    assert unknown_placeholders(source) == ["clinc_name", "fooo"]
    assert unknown_placeholders(DEFAULTS[("confirmation", "email")]["text"]) == []


def _form(kind: str, text: str, channel: str = "sms") -> MessageTemplateForm:
    template = MessageTemplate.objects.get(kind=kind, channel=channel)
    return MessageTemplateForm(instance=template, data={"kind": kind, "channel": channel, "text": text, "html": ""})


def test_a_text_over_two_segments_is_refused_with_its_count():
    form = _form("reminder", "{{ clinic_name }}: " + "see you soon " * 25 + "Reply STOP to end texts.")

    assert not form.is_valid()
    assert "Too long for two SMS segments" in form.errors["text"][0]
    assert "3 segments (GSM-7" in form.errors["text"][0]


def test_an_unknown_placeholder_is_refused_by_name():
    form = _form("reminder", "{{ clinic_name }}: {{ wen }}. Reply STOP to end texts.")

    assert not form.is_valid()
    assert "Unknown placeholder: wen" in form.errors["text"][0]


def test_a_text_without_the_stop_reply_is_refused():
    form = _form("reminder", "{{ clinic_name }}: {{ when }}.")

    assert not form.is_valid()
    assert "Reply STOP" in form.errors["text"][0]


def test_the_admin_shows_the_text_rendered_with_sample_data_and_its_segments(admin_client_):
    roles.sync_role_permissions()
    template = MessageTemplate.objects.get(kind="reminder", channel="sms")

    page = admin_client_.get(f"/admin/notifications/messagetemplate/{template.pk}/change/").content.decode()
    listing = admin_client_.get("/admin/notifications/messagetemplate/").content.decode()

    assert "Preview with sample data" in page
    assert "Wednesday 30 September at 09:00" in page
    assert "2 segments (GSM-7" in page
    assert "(GSM-7," in listing


def test_an_unknown_placeholder_alone_is_reported_not_a_missing_stop_reply():
    form = _form("reminder", "{{ clinic_name }}: {{ wen }}. Reply STOP to end texts.")

    assert not form.is_valid()
    assert form.errors["text"] == ["Unknown placeholder: wen. It would be sent blank."]


def test_an_unknown_placeholder_in_an_email_does_not_also_ask_for_the_unsubscribe_link():
    form = _form("reminder", "Hello {{ fist_name }}. Stop: {{ unsubscribe_url }}", channel="email")

    assert not form.is_valid()
    assert form.errors["text"] == ["Unknown placeholder: fist_name. It would be sent blank."]
