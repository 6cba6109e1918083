"""Staff see what patients said: check-in notes and pain in the desk's requests."""

import pytest
from django.utils import timezone

from tests.factories import PatientFactory
from treatments.models import PainCheckIn, RedFlag

pytestmark = pytest.mark.django_db


def _checkin(patient, **fields) -> PainCheckIn:
    return PainCheckIn.objects.create(patient=patient, created_at=timezone.now(), **{"pain": 3, **fields})


def test_a_red_flag_check_ins_note_and_pain_show_in_the_requests(desk_client):
    patient = PatientFactory()
    _checkin(patient, pain=8, note="hot and swollen since last night", red_flags=[RedFlag.SPREADING])

    page = desk_client.get("/desk/requests/").content.decode()

    assert "hot and swollen since last night" in page
    assert "8/10" in page


def test_a_check_in_without_a_red_flag_shows_its_note_too(desk_client):
    _checkin(PatientFactory(), pain=2, note="much better, thank you")

    assert "much better, thank you" in desk_client.get("/desk/requests/").content.decode()
