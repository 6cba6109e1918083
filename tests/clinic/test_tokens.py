import pytest

from clinic.feed_tokens import practitioner_feed_token_issue
from clinic.tokens import MAX_LENGTH, token_hash, token_new, token_plausible
from patients.models import PortalToken
from patients.tokens import portal_token_issue
from tests.factories import PatientFactory, PractitionerFactory
from tests.treatments.factories_portal import NOW


def test_tokens_are_random_and_only_their_sha256_would_be_stored():
    first, second = token_new(), token_new()
    assert first != second and len(first) >= 40
    assert len(token_hash(first)) == 64 and token_hash(first) != first


@pytest.mark.parametrize(("raw", "plausible"), [("", False), ("x" * MAX_LENGTH, True), ("x" * (MAX_LENGTH + 1), False)])
def test_only_plausible_values_are_looked_up(raw, plausible):
    assert token_plausible(raw) is plausible


@pytest.mark.django_db
def test_portal_links_and_calendar_feeds_are_hashed_alike():
    raw_link = portal_token_issue(patient=PatientFactory(), now=NOW)
    practitioner = PractitionerFactory()
    raw_feed = practitioner_feed_token_issue(practitioner=practitioner)
    assert PortalToken.objects.get().token_hash == token_hash(raw_link)
    assert practitioner.feed_token_hash == token_hash(raw_feed)
