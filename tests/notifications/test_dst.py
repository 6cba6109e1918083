"""A 24-hour reminder across a daylight-saving change fires once, at 09:00 clinic time the day
before, with the clock driven by time-machine and the sweep run every 15 minutes."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications import delivery
from notifications.models import Message
from tests.factories import AppointmentFactory, appointment_type
from treatments.scheduling import messaging

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def _sweep_every_quarter_hour(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Run the sweep as beat would, on the moving clock; return when reminders went out."""
    fired = []
    moment = start
    while moment <= end:
        with time_machine.travel(moment, tick=False):
            before = len(mail.outbox)
            delivery.messages_sweep(now=timezone.now())
            fired += [moment] * sum("Reminder" in e.subject for e in mail.outbox[before:])
        moment += dt.timedelta(minutes=15)
    return fired


@pytest.mark.parametrize(
    ("session_local", "expected_reminder_local"),
    [
        # Clocks go back at 02:00 on Sunday 1 November 2026: the day before is 25 hours long.
        (dt.datetime(2026, 11, 1, 9, 0), dt.datetime(2026, 10, 31, 9, 0)),
        # Clocks go forward at 02:00 on Sunday 8 March 2026: the day before is 23 hours long.
        (dt.datetime(2026, 3, 8, 9, 0), dt.datetime(2026, 3, 7, 9, 0)),
    ],
)
def test_24h_reminder_across_a_clock_change_fires_once_at_the_same_local_time_the_day_before(
    session_local, expected_reminder_local
):
    start = session_local.replace(tzinfo=CHICAGO).astimezone(dt.UTC)
    booked_at = start - dt.timedelta(days=10)
    with time_machine.travel(booked_at, tick=False):
        visit = AppointmentFactory(start=start, appointment_type=appointment_type("consultation"))
        messaging.appointment_changed(appointment=visit, now=booked_at)

    fired = _sweep_every_quarter_hour(start - dt.timedelta(hours=30), start)

    assert len(fired) == 1
    assert fired[0].astimezone(CHICAGO).replace(tzinfo=None) == expected_reminder_local
    sent = Message.objects.get(kind=Message.Kind.REMINDER)
    assert sent.sent_at == fired[0]
    assert "09:00" in sent.text
