"""Where an appointment may move (selectors/moves.py): the window the move page shows, the one the
move service enforces and the one the patient's own rescheduling will ask for are one."""

import datetime as dt

import pytest

from clinic.localtime import local_date
from tests.factories import AppointmentFactory
from tests.treatments.factories_desk import book_series, clinic_setup, local
from treatments.models import Appointment
from treatments.scheduling.rules import Window
from treatments.scheduling.selectors.moves import move_suggestions, series_siblings, session_window
from treatments.scheduling.services.booking import BookingError, appointment_cancel, appointment_move

pytestmark = pytest.mark.django_db
NOW = local(2026, 5, 1, 12)
TODAY = dt.date(2026, 5, 1)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def series():
    return book_series(clinic_setup(), [local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30)], now=NOW)


def test_an_appointment_and_its_siblings_give_the_window_the_move_service_enforces(series):
    second = series.appointments.get(series_step=2)
    window = session_window(second, siblings=series_siblings(second), today=TODAY)
    assert window == Window(dt.date(2026, 6, 2), dt.date(2026, 5, 26), dt.date(2026, 6, 9))
    with pytest.raises(BookingError, match="between 26 May–9 Jun"):
        appointment_move(appointment=second, start=local(2026, 6, 10), by=None, now=NOW)
    with pytest.raises(BookingError, match="between 26 May–9 Jun"):
        appointment_move(appointment=second, start=local(2026, 5, 25), by=None, now=NOW)
    appointment_move(appointment=second, start=local(2026, 6, 9), by=None, now=NOW)


def test_a_cancelled_sibling_does_not_count_but_the_next_live_one_does(series):
    appointment_cancel(appointment=series.appointments.get(series_step=2), kind="clinic", reason="x", by=None, now=NOW)
    third = series.appointments.get(series_step=3)
    # From session 1 (5 May): the window for the session after it is 26 May-16 Jun.
    window = session_window(third, siblings=series_siblings(third), today=TODAY)
    assert window == Window(dt.date(2026, 6, 2), dt.date(2026, 5, 26), dt.date(2026, 6, 16))
    assert series_siblings(third) == [series.appointments.get(series_step=1)]


def test_the_move_page_offers_no_times_when_no_date_keeps_the_spacing(series):
    # Session 1 already happened on 1 March (a desk edit left session 2 far out): the window it
    # sets closed in April, so nothing may be suggested.
    first = series.appointments.get(series_step=1)
    Appointment.objects.filter(pk=first.pk).update(start=local(2026, 3, 3), end=local(2026, 3, 3, 9, 30))
    second = series.appointments.get(series_step=2)
    options = move_suggestions(appointment=second, now=NOW)
    assert (options.window, options.window_shifted, options.suggestions) == (None, None, [])


def test_a_standalone_appointment_is_offered_the_next_two_weeks():
    practitioner, location, patient = clinic_setup()
    alone = AppointmentFactory(practitioner=practitioner, location=location, patient=patient, start=local(2026, 5, 4))
    options = move_suggestions(appointment=alone, now=NOW)
    assert options.window is None and options.window_shifted is None
    days = [local_date(s) for s in options.suggestions]
    assert days and all(TODAY <= day <= TODAY + dt.timedelta(days=14) for day in days)
