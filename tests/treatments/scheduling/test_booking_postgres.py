"""No double booking, ever: on PostgreSQL the exclusion constraints decide a race."""

import threading

import pytest
from django.db import connection

from tests.factories import PatientFactory, appointment_type
from tests.treatments.factories_desk import clinic_setup, ensure_seed, local
from treatments.models import Appointment
from treatments.scheduling.services.booking import SlotTaken, appointment_book, series_book

NOW = local(2026, 5, 1, 12)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_booking_one_slot_exactly_one_wins():
    ensure_seed()
    practitioner, location, _ = clinic_setup()
    patients = [PatientFactory() for _ in range(20)]
    kind = appointment_type("consultation")
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(patient):
        try:
            barrier.wait()
            appointment_book(
                patient=patient,
                practitioner=practitioner,
                location=location,
                appointment_type=kind,
                start=local(2026, 5, 5, 10),
                by=None,
                now=NOW,
            )
            result = "booked"
        except SlotTaken as exc:
            result = exc.message
        except Exception as exc:  # noqa: BLE001 - a BookingError from the in-transaction check also counts
            result = getattr(exc, "message", repr(exc))
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(p,)) for p in patients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("booked") == 1
    assert len(outcomes) == 20
    assert Appointment.objects.filter(start=local(2026, 5, 5, 10)).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_series_losing_one_session_to_a_race_saves_nothing(monkeypatch):
    """The in-transaction check passes (the rival commits after it), the constraint fires on
    session 2, and session 1 and the series roll back with it."""
    # series_book re-checks the plan through series_check, which reads availability here.
    from treatments.scheduling.selectors import proposals

    ensure_seed()
    practitioner, location, patient = clinic_setup()
    rival = PatientFactory()
    real = proposals.availability_for

    def availability_then_rival_commits(**kwargs):
        result = real(**kwargs)
        # A rival takes session 2's slot on another connection after our check.
        import threading as th

        def rival_books():
            Appointment.objects.create(
                patient=rival,
                practitioner=practitioner,
                location=location,
                appointment_type=appointment_type("follow-up"),
                start=local(2026, 6, 2, 9),
                end=local(2026, 6, 2, 9, 15),
                created_at=NOW,
            )
            connection.close()

        t = th.Thread(target=rival_books)
        t.start()
        t.join()
        return result

    monkeypatch.setattr(proposals, "availability_for", availability_then_rival_commits)
    from tests.factories import protocol

    with pytest.raises(SlotTaken):
        series_book(
            patient=patient,
            protocol=protocol(),
            practitioner=practitioner,
            location=location,
            side="right",
            starts=[local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30)],
            by=None,
            now=NOW,
        )
    assert list(Appointment.objects.values_list("patient_id", flat=True)) == [rival.pk]
    assert patient.series.count() == 0
