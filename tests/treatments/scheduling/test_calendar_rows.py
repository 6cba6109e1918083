"""selectors/calendar_rows.py: on PostgreSQL each card's previous live session comes from a
LATERAL join written beside the ORM's two subqueries that SQLite runs; both must read the same
session (the series' live one with the highest step below the card's, as rules.spacing pairs them)."""

import datetime as dt

import pytest
from django.db import connection

from clinic.localtime import day_bounds
from tests.treatments.factories_calendar import DAY, at, practitioner_with_hours, series_booking
from treatments.models import Appointment
from treatments.scheduling.selectors import calendar_rows
from treatments.scheduling.selectors.calendar_setup import calendar_setup

pytestmark = pytest.mark.django_db


def test_the_lateral_join_and_the_subqueries_read_the_same_previous_session():
    doctor, location = practitioner_with_hours("Dr Ada Stone")
    weeks = [DAY - dt.timedelta(weeks=n) for n in (6, 4, 2)]
    # Steps 1-3 before the day, step 4 on it: step 3 cancelled, so step 2 is its previous live one.
    _series, sessions = series_booking(doctor, location, [at(d, 9) for d in weeks] + [at(DAY, 9)])
    cancelled = sessions[2].start - dt.timedelta(days=1)
    Appointment.objects.filter(pk=sessions[2].pk).update(status=Appointment.Status.CANCELLED, cancelled_at=cancelled)
    # A first session on the day (no previous one), and a series whose earlier steps are all gone.
    series_booking(doctor, location, [at(DAY, 10)])
    _gone, lonely = series_booking(doctor, location, [at(weeks[0], 11), at(DAY, 11)])
    Appointment.objects.filter(pk=lonely[0].pk).update(status=Appointment.Status.NO_SHOW)
    start, end = day_bounds(DAY)

    rows = calendar_rows.appointment_rows(start, end, None, calendar_setup())
    earliest = start - calendar_rows.LONGEST
    through_subqueries = calendar_rows._rows_queryset(start, end, earliest, None, None, lateral=False)
    previous = calendar_rows.ROW_FIELDS.index("previous_start")
    expected = {row[0]: (row[previous], row[previous + 1]) for row in through_subqueries}

    assert {r.pk: (r.previous_start, r.previous_step) for r in rows} == expected
    assert expected[sessions[3].pk] == (sessions[1].start, 2)
    assert [value for pk, value in expected.items() if pk != sessions[3].pk] == [(None, None), (None, None)]
    shape = calendar_rows._READS[(False, False)]._statement()
    assert ("LATERAL" in shape.sql) == (connection.vendor == "postgresql")


def test_the_cards_moments_are_the_appointments_own_to_the_microsecond():
    """On PostgreSQL the moments travel as microseconds since the epoch (calendar_rows.MOMENT_FIELDS)
    and become times again: the same instants, aware, as the ORM reads them."""
    doctor, location = practitioner_with_hours("Dr Ada Stone")
    weeks = [DAY - dt.timedelta(weeks=2), DAY]
    _series, sessions = series_booking(doctor, location, [at(d, 9) for d in weeks])
    odd = at(DAY, 11) + dt.timedelta(microseconds=123457)
    Appointment.objects.filter(pk=sessions[1].pk).update(start=odd, end=odd + dt.timedelta(minutes=30, seconds=1))
    start, end = day_bounds(DAY)
    [row] = calendar_rows.appointment_rows(start, end, None, calendar_setup())
    stored = Appointment.objects.get(pk=sessions[1].pk)
    assert (row.start, row.end, row.previous_start) == (stored.start, stored.end, sessions[0].start)
    assert row.start.utcoffset() == dt.timedelta(0) and row.start.microsecond == 123457
