"""One live portal link per patient: reused across messages until it nears expiry; the desk can
revoke it and the old link 404s at once."""

import datetime as dt

import pytest
from django.utils import timezone

from patients.models import PortalToken
from patients.tokens import REUSE_MARGIN, portal_token_resolve, portal_tokens_issue, portal_tokens_live
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 4, 14, 0, tzinfo=dt.UTC)


def test_every_message_reuses_the_patients_one_live_link():
    patient = PatientFactory()

    first = portal_tokens_live(patient_ids={patient.pk}, now=NOW, days=120)[patient.pk]
    later = portal_tokens_live(patient_ids={patient.pk}, now=NOW + dt.timedelta(days=30), days=120)[patient.pk]

    assert first == later
    assert len(first) == 22
    assert PortalToken.objects.filter(patient=patient).count() == 1


def test_a_link_near_expiry_is_replaced_and_the_old_one_stops_working():
    patient = PatientFactory()
    old = portal_tokens_live(patient_ids={patient.pk}, now=NOW, days=120)[patient.pk]
    near_end = NOW + dt.timedelta(days=120) - REUSE_MARGIN + dt.timedelta(hours=1)

    new = portal_tokens_live(patient_ids={patient.pk}, now=near_end, days=120)[patient.pk]

    assert new != old
    assert portal_token_resolve(raw=old, now=near_end) is None
    assert portal_token_resolve(raw=new, now=near_end).patient == patient


def test_only_the_hash_and_seed_are_stored_never_the_link():
    patient = PatientFactory()
    raw = portal_tokens_live(patient_ids={patient.pk}, now=NOW)[patient.pk]

    row = PortalToken.objects.get(patient=patient)
    assert raw not in (row.token_hash, row.seed)


def test_links_of_other_patients_are_their_own():
    one, two = PatientFactory(), PatientFactory()

    links = portal_tokens_live(patient_ids={one.pk, two.pk}, now=NOW)

    assert links[one.pk] != links[two.pk]


def test_issuing_a_fresh_link_ends_the_one_before():
    patient = PatientFactory()
    old = portal_tokens_live(patient_ids={patient.pk}, now=NOW)[patient.pk]

    portal_tokens_issue(patient_ids={patient.pk}, now=NOW)

    assert portal_token_resolve(raw=old, now=NOW) is None


def test_the_desk_revokes_the_link_and_it_404s_at_once_in_full_and_short_form(client, desk_client):
    patient = PatientFactory()
    raw = portal_tokens_live(patient_ids={patient.pk}, now=timezone.now())[patient.pk]
    assert client.get(f"/p/{raw}").status_code == 302
    assert client.get(f"/portal/{raw}/").status_code == 200
    assert "Revoke portal link" in desk_client.get(f"/desk/patients/{patient.pk}/").content.decode()

    response = desk_client.post(f"/desk/patients/{patient.pk}/portal-link/revoke/")

    assert response.status_code == 302
    assert client.get(f"/portal/{raw}/").status_code == 404
    assert client.get(f"/p/{raw}").status_code == 404
    fresh = portal_tokens_live(patient_ids={patient.pk}, now=timezone.now())[patient.pk]
    assert fresh != raw


def test_the_short_link_leads_into_the_portal(client):
    patient = PatientFactory()
    raw = portal_tokens_live(patient_ids={patient.pk}, now=timezone.now())[patient.pk]

    response = client.get(f"/p/{raw}")

    assert response["Location"] == f"/portal/{raw}/"


def test_revoke_asks_on_a_page_of_its_own_and_opening_it_revokes_nothing(client, desk_client):
    patient = PatientFactory(first_name="Walt", last_name="Walker")
    raw = portal_tokens_live(patient_ids={patient.pk}, now=timezone.now())[patient.pk]
    detail = desk_client.get(f"/desk/patients/{patient.pk}/").content.decode()
    assert "onclick" not in detail  # the CSP refuses inline script: an inline confirm() never asked
    assert f'href="/desk/patients/{patient.pk}/portal-link/revoke/">Revoke portal link</a>' in detail

    page = desk_client.get(f"/desk/patients/{patient.pk}/portal-link/revoke/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "Revoke Walt Walker’s portal link?" in text
    assert "Yes, revoke the link" in text and "No, keep it" in text
    assert client.get(f"/portal/{raw}/").status_code == 200


def test_revoking_a_patient_the_desk_cannot_see_is_a_404(desk_client):
    assert desk_client.get("/desk/patients/999999/portal-link/revoke/").status_code == 404
    assert desk_client.post("/desk/patients/999999/portal-link/revoke/").status_code == 404


def test_a_second_unrevoked_link_for_one_patient_is_refused_by_the_database():
    from django.db import IntegrityError, transaction

    from clinic.integrity import constraint_name

    patient = PatientFactory()
    portal_tokens_live(patient_ids={patient.pk}, now=NOW)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        PortalToken.objects.create(
            patient=patient, token_hash="x" * 64, seed="", created_at=NOW, expires_at=NOW + dt.timedelta(days=1)
        )
    assert constraint_name(caught.value) == "portal_token_one_live_per_patient"


def test_an_expired_link_left_unrevoked_is_revoked_when_its_successor_is_made():
    patient = PatientFactory()
    old = portal_tokens_live(patient_ids={patient.pk}, now=NOW, days=30)[patient.pk]
    later = NOW + dt.timedelta(days=31)

    new = portal_tokens_live(patient_ids={patient.pk}, now=later, days=30)[patient.pk]

    assert new != old
    assert portal_token_resolve(raw=new, now=later).patient == patient
    assert PortalToken.objects.filter(patient=patient, revoked_at__isnull=True).count() == 1
