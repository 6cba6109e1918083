"""Holding a slot while the patient verifies, and booking it through the desk's service."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from clinic.models import AuditEntry
from notifications.models import Message
from patients.models import Patient, ScreeningAnswer
from tests.factories import PatientFactory
from tests.treatments.booking.factories_booking import NOW, SLOT, code_in, consultation, details, open_online
from tests.treatments.factories_desk import local
from treatments.booking.services.confirm import CodeRefused, online_booking_confirm
from treatments.booking.services.holds import online_hold_create
from treatments.models import Appointment, OnlineBooking
from treatments.scheduling.services.booking import BookingError, SlotTaken, appointment_book

pytestmark = pytest.mark.django_db


def _hold(setup, *, start=SLOT, now=NOW, **over):
    practitioner, location, _patient = setup
    return online_hold_create(
        appointment_type=consultation(),
        location=location,
        practitioners=[practitioner],
        start=start,
        now=now,
        **details(**over),
    )


def _hold_and_code(setup, django_capture_on_commit_callbacks, **over) -> tuple[OnlineBooking, str]:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking = _hold(setup, **over)
    return booking, code_in(mail.outbox[-1].body)


def test_holding_a_slot_sends_a_six_digit_code_and_stores_only_its_hash(django_capture_on_commit_callbacks):
    booking, code = _hold_and_code(open_online(), django_capture_on_commit_callbacks)
    assert mail.outbox[-1].to == ["nina@example.com"]
    assert "expires in 5 minutes" in mail.outbox[-1].body
    assert code not in booking.code_hash and len(booking.code_hash) == 64
    assert Appointment.objects.count() == 0
    assert Patient.objects.filter(email="nina@example.com").count() == 0


def test_the_right_code_books_the_slot_for_a_new_patient_with_consent_and_screening(
    django_capture_on_commit_callbacks,
):
    booking, code = _hold_and_code(open_online(), django_capture_on_commit_callbacks)
    booked = online_booking_confirm(booking=booking, code=code, now=NOW + dt.timedelta(minutes=3))
    appointment = booked.appointment
    assert appointment.start == SLOT and appointment.appointment_type.slug == "consultation"
    patient = appointment.patient
    assert (patient.first_name, patient.email, patient.phone) == ("Nina", "nina@example.com", "+13125550188")
    assert patient.email_consent_at is not None and patient.sms_consent_at is None
    flagged = ScreeningAnswer.objects.get(patient=patient, question="anticoagulants")
    assert flagged.answer is True and flagged.answered_at == NOW + dt.timedelta(minutes=3)
    confirmation = Message.objects.get(appointment_id=appointment.pk, kind=Message.Kind.CONFIRMATION)
    assert confirmation.channel == "email"


def test_a_verified_email_with_the_same_birth_date_books_for_the_existing_patient(
    django_capture_on_commit_callbacks,
):
    setup = open_online()
    known = PatientFactory(
        first_name="Nina", last_name="Old", email="nina@example.com", date_of_birth=dt.date(1980, 3, 4)
    )
    booking, code = _hold_and_code(setup, django_capture_on_commit_callbacks)
    booked = online_booking_confirm(booking=booking, code=code, now=NOW)
    assert booked.appointment.patient == known
    assert Patient.objects.filter(email="nina@example.com").count() == 1


GIVEN = NOW - dt.timedelta(days=30)


def _known_books_online(capture, *, phone, email_consent_at, client_address=None):
    """A known patient (texts consented a month ago) books with e-mail ticked and texts unticked."""
    setup = open_online()
    known = PatientFactory(
        email="nina@example.com",
        phone=phone,
        date_of_birth=dt.date(1980, 3, 4),
        email_consent_at=email_consent_at,
        sms_consent_at=GIVEN,
    )
    booking, code = _hold_and_code(setup, capture, email_consent=True, sms_consent=False)
    online_booking_confirm(booking=booking, code=code, now=NOW, client_address=client_address)
    known.refresh_from_db()
    return known


def test_a_known_patient_s_ticks_update_their_consent_with_an_audit_entry(django_capture_on_commit_callbacks):
    known = _known_books_online(
        django_capture_on_commit_callbacks, phone="+13125550188", email_consent_at=None, client_address="203.0.113.9"
    )
    # Ticked e-mail, unticked text messages: e-mail is given now, texts are withdrawn.
    assert (known.email_consent_at, known.sms_consent_at) == (NOW, None)
    entry = AuditEntry.objects.get(object_type="patients.consent")
    assert (entry.patient_id, entry.action, entry.via) == (known.pk, "change", "online-booking")
    assert entry.ip == "203.0.113.9"


def test_a_tick_for_a_contact_not_on_the_record_leaves_that_channel_as_it_was(django_capture_on_commit_callbacks):
    known = _known_books_online(django_capture_on_commit_callbacks, phone="+13125550100", email_consent_at=GIVEN)
    # The e-mail tick was already given (its first time is kept); the typed phone is another one.
    assert (known.email_consent_at, known.sms_consent_at) == (GIVEN, GIVEN)
    assert not AuditEntry.objects.filter(object_type="patients.consent").exists()


def test_the_same_name_alone_never_matches_an_existing_patient(django_capture_on_commit_callbacks):
    setup = open_online()
    PatientFactory(first_name="Nina", last_name="Berg", email="other@example.com", date_of_birth=dt.date(1980, 3, 4))
    booking, code = _hold_and_code(setup, django_capture_on_commit_callbacks)
    booked = online_booking_confirm(booking=booking, code=code, now=NOW)
    assert booked.appointment.patient.email == "nina@example.com"
    assert Patient.objects.filter(first_name="Nina", last_name="Berg").count() == 2


def test_a_wrong_code_counts_a_try_and_the_fifth_gives_the_slot_back(django_capture_on_commit_callbacks):
    booking, code = _hold_and_code(open_online(), django_capture_on_commit_callbacks)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(CodeRefused) as refused:
            online_booking_confirm(booking=booking, code=wrong, now=NOW)
        assert refused.value.tries_left == left
    with pytest.raises(CodeRefused) as refused:
        online_booking_confirm(booking=booking, code=wrong, now=NOW)
    assert refused.value.tries_left == 0 and "five times" in refused.value.message
    # The right code after that (the sixth try) books nothing.
    with pytest.raises(CodeRefused):
        online_booking_confirm(booking=booking, code=code, now=NOW)
    assert Appointment.objects.count() == 0
    booking.refresh_from_db()
    assert booking.status == OnlineBooking.Status.EXPIRED and booking.code_tries == 5


def test_a_code_older_than_five_minutes_is_refused(django_capture_on_commit_callbacks):
    booking, code = _hold_and_code(open_online(), django_capture_on_commit_callbacks)
    with pytest.raises(CodeRefused):
        online_booking_confirm(booking=booking, code=code, now=NOW + dt.timedelta(minutes=5, seconds=1))
    assert Appointment.objects.count() == 0


def test_the_desk_may_book_over_an_online_hold_and_the_visitor_is_told_at_verification(
    django_capture_on_commit_callbacks,
):
    setup = open_online()
    practitioner, location, patient = setup
    booking, code = _hold_and_code(setup, django_capture_on_commit_callbacks)

    desk = appointment_book(
        patient=patient,
        practitioner=practitioner,
        location=location,
        appointment_type=consultation(),
        start=SLOT,
        by=None,
        now=NOW + dt.timedelta(minutes=1),
    )
    assert desk.start == SLOT

    with pytest.raises(SlotTaken, match="the clinic booked that time for someone else"):
        online_booking_confirm(booking=booking, code=code, now=NOW + dt.timedelta(minutes=2))
    assert list(Appointment.objects.values_list("pk", flat=True)) == [desk.pk]
    assert not Patient.objects.filter(email="nina@example.com").exists()  # nothing half-saved


def test_another_patient_cannot_hold_a_held_slot_but_can_once_it_expires():
    setup = open_online()
    _hold(setup)
    with pytest.raises(SlotTaken):
        _hold(setup, email="other@example.com")
    later = _hold(setup, email="other@example.com", now=NOW + dt.timedelta(minutes=6))
    assert later.status == OnlineBooking.Status.HELD
    assert OnlineBooking.objects.filter(status=OnlineBooking.Status.EXPIRED).count() == 1


def test_the_same_visitor_asking_for_their_held_time_again_gets_it_with_a_new_code(
    django_capture_on_commit_callbacks,
):
    """Back, then send again within the hold's five minutes: the visitor's own hold gives way (the
    first code no longer books), while someone else still cannot take the held time."""
    setup = open_online()
    first, first_code = _hold_and_code(setup, django_capture_on_commit_callbacks)
    again, code = _hold_and_code(setup, django_capture_on_commit_callbacks)

    assert again.pk != first.pk and again.status == OnlineBooking.Status.HELD
    first.refresh_from_db()
    assert first.status == OnlineBooking.Status.EXPIRED
    with pytest.raises(SlotTaken):
        _hold(setup, email="other@example.com")
    with pytest.raises(CodeRefused):
        online_booking_confirm(booking=first, code=first_code, now=NOW)
    assert online_booking_confirm(booking=again, code=code, now=NOW).status == "booked"


def test_anyone_falls_through_to_the_next_free_practitioner():
    setup = open_online()
    practitioner, location, patient = setup
    from tests.factories import PractitionerFactory, WorkingHoursFactory

    second = PractitionerFactory(display_name="Dr Ben Ode")
    WorkingHoursFactory(practitioner=second, location=location, weekday=1, start=dt.time(8), end=dt.time(17))
    appointment_book(
        patient=patient,
        practitioner=practitioner,
        location=location,
        appointment_type=consultation(),
        start=SLOT,
        by=None,
        now=NOW,
    )
    booking = online_hold_create(
        appointment_type=consultation(),
        location=location,
        practitioners=[practitioner, second],
        start=SLOT,
        now=NOW,
        **details(),
    )
    assert booking.practitioner == second


def test_after_the_hold_expires_the_desk_may_take_the_time_and_a_late_code_books_nothing(
    django_capture_on_commit_callbacks,
):
    setup = open_online()
    practitioner, location, patient = setup
    booking, code = _hold_and_code(setup, django_capture_on_commit_callbacks)
    later = NOW + dt.timedelta(minutes=16)  # the hold expired; the desk took the time meanwhile
    appointment_book(
        patient=patient,
        practitioner=practitioner,
        location=location,
        appointment_type=consultation(),
        start=SLOT,
        by=None,
        now=later,
    )
    with pytest.raises(CodeRefused):  # the code expired too
        online_booking_confirm(booking=booking, code=code, now=later)
    assert Appointment.objects.filter(start=SLOT).count() == 1


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (local(2026, 5, 1, 15), "too soon"),  # same day, not allowed by default
        (local(2026, 4, 30, 10), "too soon"),  # the past
        (local(2026, 8, 4, 10), "too far ahead"),  # past 60 days
    ],
)
def test_times_outside_the_online_window_are_refused(start, message):
    setup = open_online()
    with pytest.raises(BookingError, match=message):
        _hold(setup, start=start)
    assert OnlineBooking.objects.count() == 0


def test_same_day_with_enough_notice_is_allowed_when_the_clinic_says_so():
    setup = open_online(online_same_day=True, online_min_notice_hours=2)
    booking = _hold(setup, start=local(2026, 5, 1, 15))
    assert booking.status == OnlineBooking.Status.HELD


def test_a_type_not_open_online_cannot_be_held():
    setup = open_online()
    practitioner, location, _patient = setup
    from tests.factories import appointment_type

    with pytest.raises(BookingError, match="cannot be booked online"):
        online_hold_create(
            appointment_type=appointment_type("injection"),
            location=location,
            practitioners=[practitioner],
            start=SLOT,
            now=NOW,
            **details(),
        )


def test_the_code_goes_by_text_when_asked(django_capture_on_commit_callbacks):
    from notifications import sms

    sms.outbox.clear()
    setup = open_online()
    with django_capture_on_commit_callbacks(execute=True):
        booking = _hold(setup, code_channel="sms")
    assert sms.outbox[-1]["to"] == "+13125550188"
    with time_machine.travel(NOW, tick=False):
        booked = online_booking_confirm(booking=booking, code=code_in(sms.outbox[-1]["text"]), now=NOW)
    assert booked.appointment.patient.preferred_channel == "sms"


def test_the_confirmation_carries_the_appointment_as_an_ics_file(django_capture_on_commit_callbacks):
    from treatments.scheduling.messaging import message_facts

    booking, code = _hold_and_code(open_online(), django_capture_on_commit_callbacks)
    booked = online_booking_confirm(booking=booking, code=code, now=NOW)
    confirmation = Message.objects.get(appointment_id=booked.appointment_id, kind=Message.Kind.CONFIRMATION)
    facts = message_facts([confirmation], now=NOW)[confirmation.pk]
    ((name, ics, mimetype),) = facts.attachments
    assert (name, mimetype) == ("appointment.ics", "text/calendar")
    assert f"UID:appointment-{booked.appointment_id}" in ics
    assert facts.dates == (SLOT,)


def test_an_expired_hold_does_not_stop_the_desk():
    setup = open_online()
    practitioner, location, patient = setup
    _hold(setup)
    appointment = appointment_book(
        patient=patient,
        practitioner=practitioner,
        location=location,
        appointment_type=consultation(),
        start=SLOT,
        by=None,
        now=NOW + dt.timedelta(minutes=5),
    )
    assert appointment.start == SLOT


def test_free_times_for_a_day_take_four_queries_per_practitioner(django_assert_num_queries):
    from clinic.models import ClinicSettings
    from treatments.booking.selectors import online_slots, online_window

    setup = open_online()
    practitioner, location, _patient = setup
    window = online_window(clinic=ClinicSettings.load(), now=NOW)
    kind = consultation()
    _hold(setup, start=SLOT)
    with django_assert_num_queries(4):
        slots = online_slots(
            appointment_type=kind,
            location=location,
            practitioners=[practitioner],
            day=SLOT.date(),
            window=window,
            now=NOW,
        )
    starts = [s.start for s in slots]
    assert local(2026, 5, 5, 9) in starts and SLOT not in starts  # held
    assert local(2026, 5, 5, 11) in starts


def test_the_desk_may_not_book_over_a_hold_whose_deposit_is_being_paid(django_capture_on_commit_callbacks):
    """A hold being paid for (issue 23) may have charged the patient's card: unlike a plain hold, it
    stops the desk too, until the payment step has asked the card gateway."""
    setup = open_online()
    practitioner, location, patient = setup
    booking, _code = _hold_and_code(setup, django_capture_on_commit_callbacks)
    OnlineBooking.objects.filter(pk=booking.pk).update(status=OnlineBooking.Status.PAYING, patient=PatientFactory())

    with pytest.raises(BookingError, match="held for a patient booking online"):
        appointment_book(
            patient=patient,
            practitioner=practitioner,
            location=location,
            appointment_type=consultation(),
            start=SLOT,
            by=None,
            now=NOW + dt.timedelta(minutes=30),  # long past the plain hold's expiry
        )
    assert not Appointment.objects.exists()
