import pytest

from tests.factories import PatientFactory
from tests.treatments.factories_portal import NOW
from treatments.inbox.services import checkin_acknowledge
from treatments.models import PainCheckIn

pytestmark = pytest.mark.django_db


def test_acknowledge_only_once(desk_user):
    checkin = PainCheckIn.objects.create(patient=PatientFactory(), pain=8, red_flags=["fever"], created_at=NOW)
    assert checkin_acknowledge(checkin=checkin, by=desk_user, now=NOW) is True
    assert checkin_acknowledge(checkin=checkin, by=desk_user, now=NOW) is False


def test_an_alert_lists_its_warning_signs_in_words():
    checkin = PainCheckIn(red_flags=["fever", "spine", "unknown"])
    assert checkin.red_flag_labels == [
        "I have a fever above 38 °C (100.4 °F)",
        "I have a severe headache, shortness of breath or chest pain",
        "unknown",
    ]
