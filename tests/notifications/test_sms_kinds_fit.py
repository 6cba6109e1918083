"""Every kind of text, rendered the way the sweep renders it (the stored template, the real context
and links, the real counter), fits two SMS segments with a 40-character clinic name and the longest
dates, whether the patient's name is in the GSM-7 alphabet or needs UCS-2."""

import datetime as dt
import secrets

import pytest

from clinic.localtime import clinic_zone
from clinic.models import ClinicSettings
from notifications.budget import SAMPLE_NAMES
from notifications.facts import SendFacts
from notifications.forms import MessageTemplateForm
from notifications.links import portal_links
from notifications.models import Message, MessageTemplate
from notifications.rendering import message_context, render
from notifications.segments import gsm7_fold, sms_segments
from patients.models import Patient

pytestmark = pytest.mark.django_db

CLINIC_NAME = "Lakeside Prolotherapy & Sports Care Ltd."  # 40 characters, GSM-7
NAMES = ["Alexandrina", "Zoë Łukasiewicz", "美咲", "Zoë 🙂"]
# The kinds that name the session's day and time (the others say how the patient is doing).
TIMED = {"confirmation", "prepare", "reminder", "offer", "moved", "cancelled", "receipt", "rebooked"}
# Wednesday 30 September: the longest day and month names; five later sessions of a series.
LONGEST = dt.datetime(2026, 9, 30, 9, 0, tzinfo=clinic_zone())


def _rendered(kind: str, first_name: str) -> str:
    clinic = ClinicSettings(name=CLINIC_NAME)
    message = Message(kind=kind, channel="sms", data={"weeks": 12}, patient=Patient(first_name=first_name))
    facts = SendFacts(
        start=LONGEST,
        location="Main Street practice",
        address="1200 North Lake Shore Drive, Chicago",
        session_number=3,
        session_count=6,
        dates=tuple(LONGEST + dt.timedelta(weeks=n) for n in range(1, 6)),
        previous=LONGEST - dt.timedelta(weeks=1),
    )
    links = portal_links(secrets.token_urlsafe(16), 123456)
    context = message_context(message=message, facts=facts, clinic=clinic, links=links, unsubscribe="")
    return render(MessageTemplate.objects.get(kind=kind, channel="sms"), context).text


def test_the_names_cover_both_alphabets():
    assert len(CLINIC_NAME) == 40
    assert [sms_segments(gsm7_fold(name)).encoding for name in NAMES] == ["GSM-7", "UCS-2", "UCS-2", "UCS-2"]


@pytest.mark.parametrize("first_name", NAMES)
@pytest.mark.parametrize("kind", Message.Kind.values)
def test_every_text_fits_two_segments_whatever_the_patients_name(kind, first_name, settings):
    settings.SITE_URL = "https://appointments.clinic-name.example"
    text = _rendered(kind, first_name)

    count = sms_segments(text)
    assert count.segments <= 2, f"{count}: {text}"
    assert CLINIC_NAME in text
    if kind in TIMED:
        assert "Wednesday 30 September at 09:00" in text


def test_a_series_move_text_lists_three_later_dates_and_counts_the_rest(settings):
    text = _rendered("moved", "Alexandrina")

    assert "Later ones now: Wed 7 Oct 09:00, Wed 14 Oct 09:00, Wed 21 Oct 09:00 and 2 more." in text


def test_an_admin_text_that_fits_only_with_a_gsm7_name_is_refused_naming_the_other():
    # 200 characters of words: two GSM-7 segments, but over 134 once a name forces UCS-2.
    text = "Hi {{ first_name }}, {{ clinic_name }}: " + "see you soon. " * 8
    text += "{{ short_url }} Reply STOP to end texts."
    template = MessageTemplate.objects.get(kind="reminder", channel="sms")
    form = MessageTemplateForm(instance=template, data={"kind": "reminder", "channel": "sms", "text": text, "html": ""})

    assert not form.is_valid()
    error = form.errors["text"][0]
    assert f"a patient named “{SAMPLE_NAMES[1]}”" in error
    assert "(UCS-2," in error


def test_the_admin_previews_a_notice_with_its_later_dates_and_segment_count(admin_client_):
    from clinic import roles

    roles.sync_role_permissions()
    template = MessageTemplate.objects.get(kind="moved", channel="sms")

    page = admin_client_.get(f"/admin/notifications/messagetemplate/{template.pk}/change/").content.decode()

    assert "your session has moved to Wednesday 30 September at 09:00. Later ones now: Wed 7 Oct 09:00" in page
    assert "and 2 more." in page
    assert "2 segments (GSM-7" in page
