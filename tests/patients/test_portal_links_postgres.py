"""One live portal link per patient, under concurrency: sweeps minting a patient's link at the same
moment all end up sending the same one (PostgreSQL: the partial unique constraint decides)."""

import datetime as dt

import pytest

from patients.models import PortalToken
from patients.tokens import portal_token_resolve, portal_tokens_issue, portal_tokens_live
from tests.concurrency import race
from tests.factories import PatientFactory

NOW = dt.datetime(2026, 5, 4, 14, 0, tzinfo=dt.UTC)
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_six_sweeps_minting_one_patients_link_at_once_all_send_the_same_link():
    patient = PatientFactory()
    links = race(6, lambda: portal_tokens_live(patient_ids={patient.pk}, now=NOW, days=120)[patient.pk])
    assert len(set(links)) == 1, links
    assert PortalToken.objects.filter(patient=patient, revoked_at__isnull=True).count() == 1
    assert portal_token_resolve(raw=links[0], now=NOW).patient == patient


def test_two_fresh_links_issued_at_once_leave_exactly_one_working():
    patient = PatientFactory()
    portal_tokens_live(patient_ids={patient.pk}, now=NOW)
    links = race(4, lambda: portal_tokens_issue(patient_ids={patient.pk}, now=NOW)[patient.pk])
    assert all(len(link) == 22 for link in links), links  # no refusal reached the caller
    assert PortalToken.objects.filter(patient=patient, revoked_at__isnull=True).count() == 1
    working = [link for link in links if portal_token_resolve(raw=link, now=NOW) is not None]
    assert len(working) == 1
