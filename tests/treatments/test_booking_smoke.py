import pytest

from tests.factories import protocol
from tests.treatments.factories_desk import clinic_setup, local
from treatments.models import Appointment, AppointmentChange
from treatments.services.booking import BookingError, appointment_cancel, appointment_move, series_book

NOW = local(2026, 5, 1, 12)


@pytest.mark.django_db
def test_series_book_then_move_with_shift_then_cancel():
    practitioner, location, patient = clinic_setup()
    starts = [local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30)]
    series = series_book(
        patient=patient,
        protocol=protocol(),
        practitioner=practitioner,
        location=location,
        side="left",
        starts=starts,
        by=None,
        now=NOW,
    )
    appts = list(series.appointments.order_by("series_step"))
    assert [a.start for a in appts] == starts
    moved = appointment_move(appointment=appts[1], start=local(2026, 6, 4, 10), by=None, now=NOW, shift_later=True)
    assert [a.start for a in moved] == [local(2026, 6, 4, 10), local(2026, 7, 2, 10)]
    appointment_cancel(appointment=appts[2], kind="patient", reason="ill", by=None, now=NOW)
    assert Appointment.objects.get(pk=appts[2].pk).status == "cancelled"
    assert AppointmentChange.objects.filter(series=series).count() == 3 + 2 + 1
    with pytest.raises(BookingError):
        series_book(
            patient=patient,
            protocol=protocol(),
            practitioner=practitioner,
            location=location,
            side="left",
            starts=[local(2026, 5, 5)],
            by=None,
            now=NOW,
        )
