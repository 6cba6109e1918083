import datetime as dt
import re

import pytest

from clinic.feed_tokens import practitioner_feed_token_issue, practitioner_feed_token_revoke
from clinic.models import AuditEntry, Practitioner
from clinic.tokens import token_hash
from tests.factories import PatientFactory
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours, series_booking
from treatments.models import Protocol

pytestmark = pytest.mark.django_db

NOW = at(DAY, 8)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _condition_words() -> set[str]:
    """Every word that could give a condition away: protocol names, conditions, solutions."""
    words = set()
    for protocol in Protocol.objects.all():
        text = " ".join([protocol.name, protocol.condition, protocol.condition_label, protocol.solution])
        words |= {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}
    return words | {
        "knee",
        "back",
        "elbow",
        "shoulder",
        "achilles",
        "plantar",
        "sacroiliac",
        "dextrose",
        "osteoarthritis",
    }


def test_only_the_hash_of_the_feed_token_is_stored():
    practitioner, _ = practitioner_with_hours()
    raw = practitioner_feed_token_issue(practitioner=practitioner)
    practitioner.refresh_from_db()
    assert practitioner.feed_token_hash == token_hash(raw)
    assert raw not in practitioner.feed_token_hash


def test_feed_lists_sessions_with_a_neutral_title_and_no_condition(client):
    practitioner, main = practitioner_with_hours()
    jane = PatientFactory(first_name="Jane", last_name="Doe")
    series, _sessions = series_booking(
        practitioner, main, [at(DAY, 9), at(DAY + dt.timedelta(days=28), 9)], patient=jane
    )
    booking(
        practitioner, main, at(DAY, 11), slug="consultation", patient=PatientFactory(first_name="Al", last_name="Bo")
    )
    raw = practitioner_feed_token_issue(practitioner=practitioner)
    response = client.get(f"/desk/feeds/{raw}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode().replace("\r\n ", "")
    assert "SUMMARY:Session – Jane D.\r\n" in text
    assert "SUMMARY:Appointment – Al B.\r\n" in text
    assert "LOCATION:Main Street\r\n" in text
    assert text.count("BEGIN:VEVENT") == 3
    lowered = text.lower()
    leaked = [w for w in _condition_words() if re.search(rf"\b{re.escape(w)}\b", lowered)]
    assert leaked == [], leaked
    assert "Doe" not in text  # only the initial of the last name


def test_cancelled_appointments_are_marked_cancelled_in_the_feed(client):
    practitioner, main = practitioner_with_hours()
    booking(practitioner, main, at(DAY, 9), status="cancelled", cancelled_at=NOW)
    raw = practitioner_feed_token_issue(practitioner=practitioner)
    assert "STATUS:CANCELLED" in client.get(f"/desk/feeds/{raw}.ics").content.decode()


def test_wrong_revoked_and_replaced_tokens_are_404(client):
    practitioner, _ = practitioner_with_hours()
    first = practitioner_feed_token_issue(practitioner=practitioner)
    second = practitioner_feed_token_issue(practitioner=practitioner)
    assert client.get(f"/desk/feeds/{first}.ics").status_code == 404
    assert client.get(f"/desk/feeds/{second}.ics").status_code == 200
    assert client.get("/desk/feeds/wrong-token.ics").status_code == 404
    assert client.get(f"/desk/feeds/{'x' * 200}.ics").status_code == 404
    practitioner_feed_token_revoke(practitioner=practitioner)
    assert client.get(f"/desk/feeds/{second}.ics").status_code == 404
    # An empty hash never matches anything.
    Practitioner.objects.update(feed_token_hash="")
    assert client.get("/desk/feeds/.ics").status_code == 404


def test_feed_uses_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    practitioner, main = practitioner_with_hours()
    for n in range(20):
        booking(practitioner, main, at(DAY + dt.timedelta(days=n), 9))
    raw = practitioner_feed_token_issue(practitioner=practitioner)
    client.get(f"/desk/feeds/{raw}.ics")
    with django_assert_max_num_queries(3):  # practitioner, appointments, clinic settings
        response = client.get(f"/desk/feeds/{raw}.ics")
    assert response.content.decode().count("BEGIN:VEVENT") == 20


def test_practitioner_issues_a_feed_link_shown_once_and_revokes_it(client, practitioner_user):
    from tests.factories import PractitionerFactory

    practitioner = PractitionerFactory(user=practitioner_user)
    client.force_login(practitioner_user)
    page = client.post("/desk/feed/", {"action": "issue"}).content.decode()
    url = re.search(r'value="(http[^"]+\.ics)"', page).group(1)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    practitioner.refresh_from_db()
    assert practitioner.feed_token_hash == token_hash(token)
    assert token not in client.get("/desk/feed/").content.decode()  # shown once only
    client.post("/desk/feed/", {"action": "revoke"})
    practitioner.refresh_from_db()
    assert practitioner.feed_token_hash == ""
    assert client.get(f"/desk/feeds/{token}.ics").status_code == 404


def test_feed_page_without_a_practitioner_profile_explains(desk_client):
    page = desk_client.get("/desk/feed/").content.decode()
    assert "Only practitioners have a calendar feed" in page


def test_feed_page_refuses_an_unknown_action(client, practitioner_user):
    from tests.factories import PractitionerFactory

    PractitionerFactory(user=practitioner_user)
    client.force_login(practitioner_user)
    response = client.post("/desk/feed/", {"action": "explode"})
    assert response.status_code == 400
    assert "Choose to create a new link or to revoke" in response.content.decode()


def test_feed_page_needs_a_role(client, no_role_user):
    assert client.get("/desk/feed/").status_code == 302
    client.force_login(no_role_user)
    assert client.get("/desk/feed/").status_code == 403


def test_appointment_ics_for_the_patient_names_clinic_time_and_place_only(desk_client):
    practitioner, main = practitioner_with_hours()
    main.address = "1 Main Street, Springfield"
    main.save()
    _series, sessions = series_booking(practitioner, main, [at(DAY, 9)])
    response = desk_client.get(f"/desk/appointments/{sessions[0].pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="appointment-{sessions[0].pk}.ics"'
    text = response.content.decode().replace("\r\n ", "")
    assert "SUMMARY:Appointment at Prolo Clinic\r\n" in text
    assert "DTSTART:20260317T140000Z\r\n" in text  # 09:00 in Chicago (CDT)
    assert "LOCATION:Main Street\\, 1 Main Street\\, Springfield\r\n" in text
    lowered = text.lower()
    assert [w for w in _condition_words() if re.search(rf"\b{re.escape(w)}\b", lowered)] == []
    assert AuditEntry.objects.filter(action="export", patient_id=sessions[0].patient_id).exists()


def test_appointment_ics_needs_a_role_and_a_real_appointment(client, desk_client, no_role_user):
    practitioner, main = practitioner_with_hours()
    appointment = booking(practitioner, main, at(DAY, 9))
    assert desk_client.get("/desk/appointments/999999/calendar.ics").status_code == 404
    desk_client.logout()
    assert client.get(f"/desk/appointments/{appointment.pk}/calendar.ics").status_code == 302
    client.force_login(no_role_user)
    assert client.get(f"/desk/appointments/{appointment.pk}/calendar.ics").status_code == 403


def _vevent(text: str) -> str:
    unfolded = text.replace("\r\n ", "")
    return unfolded[unfolded.index("BEGIN:VEVENT") : unfolded.index("END:VEVENT")]


def test_desk_portal_and_confirmation_give_the_patient_the_same_event(desk_client, client):
    from notifications.models import Message
    from patients.tokens import portal_token_issue
    from treatments.scheduling.messaging import message_facts

    practitioner, main = practitioner_with_hours()
    series, sessions = series_booking(practitioner, main, [at(DAY, 9)])
    desk = desk_client.get(f"/desk/appointments/{sessions[0].pk}/calendar.ics").content.decode()
    token = portal_token_issue(patient=sessions[0].patient, now=NOW)
    portal = client.get(f"/portal/{token}/sessions/{sessions[0].pk}/calendar.ics").content.decode()
    confirmation = Message(pk=1, kind=Message.Kind.CONFIRMATION, series_id=series.pk)
    (_name, attached, _type) = message_facts([confirmation], now=NOW)[1].attachments[0]
    assert _vevent(desk) == _vevent(portal) == _vevent(attached)
    assert "DESCRIPTION:To change or cancel\\, call " in _vevent(desk)
