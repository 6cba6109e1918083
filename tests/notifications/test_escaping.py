"""What a patient reads is what was typed: plain text as is, HTML escaped exactly once."""

import pytest
from django.core import mail

from clinic.models import ClinicSettings
from notifications import delivery
from tests.factories import PatientFactory
from tests.notifications.factories_messages import MessageFactory

pytestmark = pytest.mark.django_db


def test_plain_text_says_names_as_typed_and_the_html_part_escapes_them_once(now):
    ClinicSettings.objects.filter(pk=ClinicSettings.load().pk).update(name="Smith & Jones <Clinic>")
    patient = PatientFactory(first_name="D'Arcy")
    MessageFactory(patient=patient, send_at=now)

    delivery.messages_sweep(now=now)

    email = mail.outbox[0]
    assert "D'Arcy" in email.body and "Smith & Jones <Clinic>" in email.body
    assert "&#x27;" not in email.body and "&amp;" not in email.body and "&lt;" not in email.body
    html = email.alternatives[0][0]
    assert "D&#x27;Arcy" in html and "Smith &amp; Jones &lt;Clinic&gt;" in html
    assert "&amp;amp;" not in html and "&amp;#x27;" not in html and "&amp;lt;" not in html
    assert "<Clinic>" not in html
