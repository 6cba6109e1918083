import datetime as dt

import pytest
import time_machine

from notifications import sms

# Monday 4 May 2026, 09:00 in Chicago (CDT, UTC-5): no clock change for weeks either side.
NOW = dt.datetime(2026, 5, 4, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()
