"""Messages that tell the patient what happened, no more (issue 19, item 9): a single appointment
is confirmed as one appointment with its practitioner named, a desk booking is confirmed too, a
patient who moved a session themselves is not told to call if the time does not suit them, every
text carries the STOP reply the template editor demands, and a moved session's calendar file
updates the same event."""

import re

import pytest
from django.core import mail

from notifications import delivery, sms
from notifications.forms import MessageTemplateForm
from notifications.models import MessageTemplate
from tests.factories import appointment_type
from tests.treatments.factories_desk import book_series, clinic_setup, local
from treatments.scheduling.feeds import appointment_file
from treatments.scheduling.services.booking import appointment_book, appointment_cancel, appointment_move

pytestmark = pytest.mark.django_db
NOW = local(2026, 5, 1, 12)  # Friday 1 May, noon in Chicago


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _consultation(setup, *, by=None):
    practitioner, location, patient = setup
    return appointment_book(
        patient=patient,
        practitioner=practitioner,
        location=location,
        appointment_type=appointment_type("consultation"),
        start=local(2026, 5, 5, 10),
        by=by,
        now=NOW,
    )


def test_a_single_appointment_booked_at_the_desk_is_confirmed_as_one_appointment_with_its_practitioner(desk_user):
    setup = clinic_setup(name="Dr Ada Stone")
    _consultation(setup, by=desk_user)

    delivery.messages_sweep(now=NOW)

    [email] = [m for m in mail.outbox if "booked" in m.subject]
    assert email.subject == "Your appointment at Prolo Clinic is booked"
    assert (
        "Hello Maria,\n\nYour appointment at Prolo Clinic is booked for Tuesday 5 May at 10:00 with Dr Ada Stone"
        in (email.body)
    )
    assert "sessions" not in email.body and "each session" not in email.body
    assert "We will remind you before it." in email.body
    [(name, _ics, _type)] = email.attachments
    assert name == "appointment.ics"


def test_a_series_confirmation_still_lists_every_session_and_names_the_practitioner():
    setup = clinic_setup(name="Dr Ada Stone")
    book_series(setup, [local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30)], now=NOW)

    delivery.messages_sweep(now=NOW)

    [email] = [m for m in mail.outbox if "booked" in m.subject]
    assert email.subject == "Your sessions at Prolo Clinic are booked"
    assert "Your sessions at Prolo Clinic with Dr Ada Stone are booked:" in email.body
    assert "- Tuesday 2 June at 09:00" in email.body
    assert "We will remind you before each session." in email.body


def _knew_and_moved(setup, *, by_patient: bool):
    appointment = _consultation(setup)
    delivery.messages_sweep(now=NOW)  # the confirmation: the patient knows the time
    mail.outbox.clear()
    appointment_move(appointment=appointment, start=local(2026, 5, 7, 10), by=None, now=NOW, by_patient=by_patient)
    delivery.messages_sweep(now=NOW)
    [email] = mail.outbox
    return email


def test_a_patient_who_moved_their_own_session_is_not_asked_to_call_if_the_time_does_not_suit():
    email = _knew_and_moved(clinic_setup(), by_patient=True)

    assert "As you asked, your appointment at Prolo Clinic on Tuesday 5 May at 10:00 has moved" in email.body
    assert "The new time is Thursday 7 May at 10:00" in email.body
    assert "does not suit you" not in email.body


def test_a_session_the_clinic_moved_still_offers_a_call_if_the_time_does_not_suit():
    email = _knew_and_moved(clinic_setup(), by_patient=False)

    assert "If the new time does not suit you, call us" in email.body
    assert "as you asked" not in email.body.lower()


def test_a_single_appointment_is_never_called_a_session_in_its_texts_and_notices():
    """A consultation's confirmation text, reminder, move notice and cancellation receipt all say
    "appointment"; only a session of a series is a session."""
    setup = clinic_setup()
    setup[2].preferred_channel = "sms"
    setup[2].save()
    appointment = _consultation(setup)
    delivery.messages_sweep(now=NOW)
    [booked] = [t["text"] for t in sms.outbox]
    assert "your appointment is booked for Tuesday 5 May at 10:00." in booked
    assert "All dates" not in booked and "Confirm or cancel: " in booked
    setup[2].preferred_channel = "email"
    setup[2].save()
    appointment_move(appointment=appointment, start=local(2026, 5, 7, 10), by=None, now=NOW)
    delivery.messages_sweep(now=NOW)
    delivery.messages_sweep(now=local(2026, 5, 6, 11))  # the day before: the reminder
    appointment_cancel(appointment=appointment, kind="patient", reason="away", by=None, now=local(2026, 5, 6, 12))
    delivery.messages_sweep(now=local(2026, 5, 6, 12))

    subjects = [m.subject for m in mail.outbox]
    bodies = "\n".join(m.body for m in mail.outbox)
    assert "New time for your appointment: Thursday 7 May at 10:00" in subjects
    assert "Your appointment at Prolo Clinic on Tuesday 5 May at 10:00 has moved." in bodies
    assert "A reminder of your appointment at Prolo Clinic on Thursday 7 May at 10:00" in bodies
    assert "Your appointment on Thursday 7 May at 10:00 is cancelled" in subjects
    assert "As you asked, your appointment at Prolo Clinic on Thursday 7 May at 10:00 is cancelled." in bodies
    # ("See your sessions here" names the portal's page, not this visit.)
    assert not re.search(r"your session\b", bodies, re.I) and not any("session" in s.lower() for s in subjects)


def test_a_session_of_a_series_is_still_told_as_a_session():
    setup = clinic_setup()
    series = book_series(setup, [local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30)], now=NOW)
    delivery.messages_sweep(now=NOW)
    mail.outbox.clear()
    second = series.appointments.get(series_step=2)

    appointment_move(appointment=second, start=local(2026, 6, 4, 9), by=None, now=NOW)
    delivery.messages_sweep(now=NOW)

    [email] = mail.outbox
    assert email.subject == "New time for your session: Thursday 4 June at 09:00"
    assert "Your session at Prolo Clinic on Tuesday 2 June at 09:00 has moved." in email.body


def test_the_appointment_migration_replaces_untouched_words_and_keeps_a_clinics_own():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("notifications.migrations.0014_appointment_not_session")
    old = migration.OLD[("reminder", "sms")]["text"]
    MessageTemplate.objects.filter(kind="reminder", channel="sms").update(text=old)
    MessageTemplate.objects.filter(kind="moved", channel="sms").update(text="Our own words. Reply STOP")

    migration.forward(apps, None)

    assert "reminder of your {% if session_number %}session{% else %}appointment{% endif %}" in (
        MessageTemplate.objects.get(kind="reminder", channel="sms").text
    )
    assert MessageTemplate.objects.get(kind="moved", channel="sms").text == "Our own words. Reply STOP"
    migration.backward(apps, None)
    assert MessageTemplate.objects.get(kind="reminder", channel="sms").text == old


def test_every_stored_text_passes_the_template_editors_own_checks():
    # The editor demands "Reply STOP" of every text: the clinic's starting words keep that rule too.
    for template in MessageTemplate.objects.filter(channel="sms"):
        data = {"kind": template.kind, "channel": "sms", "subject": "", "text": template.text, "html": ""}
        form = MessageTemplateForm(instance=template, data=data)
        assert form.is_valid(), (template.kind, form.errors)


def _event(ics: str) -> tuple[str, int]:
    uid = re.search(r"^UID:(.+)$", ics, re.M).group(1).strip()
    sequence = int(re.search(r"^SEQUENCE:(\d+)", ics, re.M).group(1))
    return uid, sequence


def test_a_moved_sessions_calendar_file_keeps_its_uid_and_raises_its_sequence(time_machine):
    appointment = _consultation(clinic_setup())
    before = _event(appointment_file(appointment=appointment, now=NOW))

    later = local(2026, 5, 1, 13)
    time_machine.move_to(later, tick=False)
    [moved] = appointment_move(appointment=appointment, start=local(2026, 5, 7, 10), by=None, now=later)
    after = _event(appointment_file(appointment=moved, now=later))

    assert after[0] == before[0]
    assert after[1] > before[1]


def test_the_move_and_cancel_notices_carry_the_event_with_its_uid_kept_and_its_sequence_raised(time_machine):
    """The confirmation's calendar file put the event in the patient's calendar: the notice's
    file moves it (same UID, higher SEQUENCE), and a cancellation's file cancels it."""
    appointment = _consultation(clinic_setup())
    delivery.messages_sweep(now=NOW)
    [(_name, booked_ics, _type)] = mail.outbox[0].attachments
    mail.outbox.clear()

    later = local(2026, 5, 1, 13)
    time_machine.move_to(later, tick=False)
    appointment_move(appointment=appointment, start=local(2026, 5, 7, 10), by=None, now=later)
    delivery.messages_sweep(now=later)
    [moved_mail] = mail.outbox
    [(name, moved_ics, mimetype)] = moved_mail.attachments

    assert (name, mimetype) == ("appointment.ics", "text/calendar")
    assert _event(moved_ics)[0] == _event(booked_ics)[0]
    assert _event(moved_ics)[1] > _event(booked_ics)[1]
    assert "DTSTART:20260507T150000Z" in moved_ics and "STATUS:CONFIRMED" in moved_ics

    mail.outbox.clear()
    cancelled_at = local(2026, 5, 1, 14)
    time_machine.move_to(cancelled_at, tick=False)
    appointment.refresh_from_db()
    appointment_cancel(appointment=appointment, kind="clinic", reason="ill", by=None, now=cancelled_at)
    delivery.messages_sweep(now=cancelled_at)
    [(_name, cancelled_ics, _type)] = mail.outbox[0].attachments
    assert _event(cancelled_ics)[0] == _event(booked_ics)[0]
    assert _event(cancelled_ics)[1] > _event(moved_ics)[1]
    assert "STATUS:CANCELLED" in cancelled_ics


def test_the_migration_replaces_untouched_starting_words_and_keeps_a_clinics_own():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("notifications.migrations.0007_truth_message_words")
    old_aftercare = migration.OLD[("aftercare", "sms")]["text"]
    MessageTemplate.objects.filter(kind="aftercare", channel="sms").update(text=old_aftercare)
    MessageTemplate.objects.filter(kind="moved", channel="email").update(text="Our own words {{ unsubscribe_url }}")

    migration.forward(apps, None)

    assert MessageTemplate.objects.get(kind="aftercare", channel="sms").text.endswith("Reply STOP to end texts.")
    assert MessageTemplate.objects.get(kind="moved", channel="email").text == "Our own words {{ unsubscribe_url }}"


def test_the_e_mails_first_sentence_starts_with_a_capital_and_the_migration_mends_untouched_ones():
    """ "Hello Jane," then "Your sessions at ...", never "your sessions": every e-mail's words, and
    the migration that mends a clinic's stored ones unless the clinic wrote its own."""
    import importlib

    from django.apps import apps

    from notifications.defaults import DEFAULTS

    greeting = "Hello {{ first_name }},\n\n"
    for (kind, channel), words in DEFAULTS.items():
        body = re.sub(r"^\{%[^%]*%\}", "", words["text"].partition(greeting)[2])  # a leading {% if %}
        assert not body or body[0].isupper(), (kind, channel, body[:30])
    migration = importlib.import_module("notifications.migrations.0013_capital_after_greeting")
    confirmation = DEFAULTS[("confirmation", "email")]["text"]
    moved = DEFAULTS[("moved", "email")]["text"]
    old_confirmation, old_moved = migration._before(confirmation), migration._before(moved)
    assert greeting + "{% if session_count %}your sessions at" in old_confirmation
    assert "{% else %}your appointment at" in old_confirmation
    assert greeting + "{% if by_patient %}as you asked, {% endif %}your session at" in old_moved
    MessageTemplate.objects.filter(kind="confirmation", channel="email").update(text=old_confirmation)
    MessageTemplate.objects.filter(kind="moved", channel="email").update(text="Our own words {{ unsubscribe_url }}")

    migration.forward(apps, None)

    assert MessageTemplate.objects.get(kind="confirmation", channel="email").text == confirmation
    assert MessageTemplate.objects.get(kind="moved", channel="email").text == "Our own words {{ unsubscribe_url }}"
    migration.backward(apps, None)
    assert MessageTemplate.objects.get(kind="confirmation", channel="email").text == old_confirmation
