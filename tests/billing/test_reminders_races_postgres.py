"""Balance reminders on PostgreSQL with real concurrent connections: two sweeps at once (one just
before the clinic's midnight, one just after, so their message keys differ) queue one reminder for
the period — the patient's row is locked and the period checked again under the lock."""

import datetime as dt

import pytest

from billing.models import BillingPolicy
from billing.services.accounts import balance_reminders_sweep
from notifications.models import Message
from tests.billing.factories_series import SOLD, knee_series, sell
from tests.concurrency import race
from tests.treatments.factories_desk import ensure_seed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owing():
    ensure_seed()
    setup = knee_series()
    sell(setup)
    BillingPolicy.objects.update_or_create(pk=1, defaults={"balance_reminder_days": 14})
    return setup.patient


def test_two_sweeps_either_side_of_midnight_queue_one_reminder(owing):
    midnight = (SOLD + dt.timedelta(days=15)).replace(hour=0, minute=0)
    moments = iter([midnight - dt.timedelta(minutes=1), midnight + dt.timedelta(minutes=1)])
    results = race(2, lambda: balance_reminders_sweep(now=next(moments)))
    assert sorted(results) == [0, 1]
    assert Message.objects.filter(kind="balance", patient=owing).count() == 1
