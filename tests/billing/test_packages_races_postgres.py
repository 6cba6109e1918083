"""Packages on PostgreSQL with real concurrent connections (tests/concurrency.race): two desks
redeeming the same appointment, or the package's last session, at once get one redemption."""

import pytest

from billing.models import Fee, PackageRedemption
from billing.services import BillingError
from billing.services.packages import redemption_make
from tests.billing.factories_series import STARTS, knee_series, sell
from tests.concurrency import race
from tests.factories import protocol
from tests.treatments.factories_desk import ensure_seed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_redeeming_the_same_appointment_at_once_makes_one_redemption():
    ensure_seed()
    setup = knee_series()
    sell(setup)
    first = setup.sessions[0]
    results = race(5, lambda: redemption_make(appointment_id=first.pk, kind="attended", by=None, now=STARTS[0]))
    made = [r for r in results if isinstance(r, PackageRedemption)]
    refused = [r for r in results if isinstance(r, BillingError)]
    assert len(made) == 1 and len(refused) == 4, results
    assert all("already taken from the package" in str(r) for r in refused)
    assert PackageRedemption.objects.filter(appointment=first).count() == 1


def test_two_sessions_racing_for_the_last_one_of_a_package_get_it_once():
    ensure_seed()
    setup = knee_series()
    Fee.objects.filter(protocol=protocol()).update(package_sessions=4)
    package = sell(setup)
    for session in setup.sessions[:3]:
        redemption_make(appointment_id=session.pk, kind="attended", by=None, now=session.start)
    racing = iter([setup.sessions[3], setup.sessions[4]])

    def redeem():
        session = next(racing)
        return redemption_make(appointment_id=session.pk, kind="attended", by=None, now=session.start)

    results = race(2, redeem)
    # One takes the last session; the other finds no active package left (its visit is billed as
    # a visit) or, had it read the package first, no session left.
    assert sum(isinstance(r, PackageRedemption) for r in results) == 1, results
    assert all(isinstance(r, PackageRedemption) or r is None or "no session left" in str(r) for r in results)
    package.refresh_from_db()
    assert package.status == "used" and package.redemptions.filter(reversed_at__isnull=True).count() == 4
