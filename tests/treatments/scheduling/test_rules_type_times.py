"""rules.type_times: an appointment type's duration and the buffer kept free after it."""

import datetime as dt

import pytest

from tests.factories import appointment_type
from treatments.scheduling.rules import type_times

pytestmark = pytest.mark.django_db


def test_the_duration_and_buffer_are_the_types_minutes():
    kind = appointment_type("injection")
    kind.duration_minutes, kind.buffer_minutes = 45, 10
    assert type_times(kind) == (dt.timedelta(minutes=45), dt.timedelta(minutes=10))


def test_no_buffer_is_zero():
    kind = appointment_type("follow-up")
    kind.buffer_minutes = 0
    assert type_times(kind)[1] == dt.timedelta(0)
