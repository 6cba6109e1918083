import datetime as dt

import pytest
import time_machine

from clinic.models import AuditEntry, ClinicSettings
from patients.models import ScreeningAnswer, ScreeningQuestion
from patients.tokens import portal_tokens_revoke
from tests.factories import AppointmentFactory, PatientFactory
from tests.treatments.factories_portal import NOW, clear_cache, issue_link, patient_with_series  # noqa: F401
from treatments.models import OutcomeScore, PainCheckIn

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]

# Every screening question answered "no".
SCREENING_NO = dict.fromkeys([q.value for q in ScreeningQuestion], "no")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def clinic():
    return ClinicSettings.load()


@pytest.fixture
def knee():
    patient, series, upcoming = patient_with_series(steps_done=1, first_name="Maria")
    return {"patient": patient, "series": series, "upcoming": upcoming, "token": issue_link(patient)}


def test_home_shows_next_session_progress_and_calendar_link(client, knee, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(f"/portal/{knee['token']}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Hello Maria" in text
    assert "Session 2 of 3" in text
    assert "1 of 3 sessions done" in text
    assert '<progress id="progress-' in text
    assert f"/portal/{knee['token']}/sessions/{knee['upcoming'].pk}/calendar.ics" in text
    # 15:00 UTC five days on, shown in the clinic's zone: Chicago is on daylight time (UTC-5) by then.
    assert "Sunday 15 March 2026, 10:00" in text
    assert response["Cache-Control"].startswith("max-age=0")
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # The token never leaves the site in a Referer header.
    assert response["Referrer-Policy"] == "same-origin"


def test_query_count_does_not_grow_with_sessions(client, django_assert_max_num_queries):
    patient, series, _ = patient_with_series(steps_done=3)
    token = issue_link(patient)
    for n in range(4):
        AppointmentFactory(patient=patient, start=NOW + dt.timedelta(days=10 + n), created_at=NOW)
    with django_assert_max_num_queries(8):
        assert client.get(f"/portal/{token}/").status_code == 200


def test_portal_view_writes_an_audit_entry_via_portal(client, knee):
    client.get(f"/portal/{knee['token']}/")
    entry = AuditEntry.objects.get()
    assert entry.via == "portal" and entry.patient_id == knee["patient"].pk and entry.user is None


def test_wrong_expired_and_revoked_links_get_the_same_404(client, knee):
    unknown = client.get("/portal/not-a-real-token/")
    expired_patient = PatientFactory()
    expired = issue_link(expired_patient, now=NOW - dt.timedelta(days=40), days=30)
    revoked_patient = PatientFactory()
    revoked = issue_link(revoked_patient)
    portal_tokens_revoke(patient=revoked_patient, now=NOW)
    responses = [unknown, client.get(f"/portal/{expired}/"), client.get(f"/portal/{revoked}/")]
    assert {r.status_code for r in responses} == {404}
    assert len({r.content for r in responses}) == 1


def test_guessing_links_is_rate_limited_per_address(client, knee):
    for n in range(20):
        assert client.get(f"/portal/guess-{n}/").status_code == 404
    blocked = client.get("/portal/guess-21/")
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert client.get("/portal/guess-22/", REMOTE_ADDR="10.1.1.1").status_code == 404


def test_guessing_links_from_the_addresses_of_one_ipv6_64_counts_as_one_client(client, knee):
    for n in range(20):
        assert client.get(f"/portal/guess-{n}/", REMOTE_ADDR=f"2001:db8:5:6::{n + 1:x}").status_code == 404
    assert client.get("/portal/guess-21/", REMOTE_ADDR="2001:db8:5:6::ffff").status_code == 429
    assert client.get("/portal/guess-22/", REMOTE_ADDR="2001:db8:5:7::1").status_code == 404  # another /64


def test_a_valid_link_opens_even_from_an_address_that_guessed(client, knee):
    for n in range(25):
        client.get(f"/portal/guess-{n}/")
    assert client.get(f"/portal/{knee['token']}/").status_code == 200


PROXY = "172.28.0.10"


def _via_proxy(client, path: str, client_address: str):
    return client.get(path, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def test_behind_a_trusted_proxy_misses_from_one_address_leave_another_addresss_link_working(client, knee, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for n in range(20):
        assert _via_proxy(client, f"/portal/guess-{n}/", "203.0.113.66").status_code == 404
    assert _via_proxy(client, "/portal/guess-21/", "203.0.113.66").status_code == 429
    assert _via_proxy(client, "/portal/guess-22/", "192.0.2.10").status_code == 404
    assert _via_proxy(client, f"/portal/{knee['token']}/", "192.0.2.10").status_code == 200
    assert _via_proxy(client, f"/portal/{knee['token']}/", "203.0.113.66").status_code == 200


def test_a_spoofed_forwarded_header_from_outside_does_not_reset_the_count(client, knee, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for n in range(20):
        client.get(f"/portal/guess-{n}/", REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert (
        client.get("/portal/guess-x/", REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 429
    )


def test_another_patients_appointment_is_404_on_every_session_page(client, knee):
    other, _, other_appt = patient_with_series()
    base = f"/portal/{knee['token']}/sessions/{other_appt.pk}"
    for suffix in ["calendar.ics", "before/", "confirm/", "cancel/"]:
        assert client.get(f"{base}/{suffix}").status_code == 404, suffix
    assert client.post(f"{base}/confirm/").status_code == 404
    other_appt.refresh_from_db()
    assert other_appt.patient_confirmed_at is None


def test_calendar_file_names_the_clinic_but_no_condition(client, knee, clinic):
    response = client.get(f"/portal/{knee['token']}/sessions/{knee['upcoming'].pk}/calendar.ics")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert f"SUMMARY:Appointment at {clinic.name}" in body
    assert "DTSTART:20260315T150000Z" in body
    for private in ["knee", "Knee", "osteoarthritis", "dextrose", "injection"]:
        assert private not in body


def test_before_page_shows_the_clinics_nsaid_pause_and_the_checklist(client, knee, clinic):
    clinic.nsaid_pause_days_before = 10
    clinic.save()
    response = client.get(f"/portal/{knee['token']}/sessions/{knee['upcoming'].pk}/before/")
    text = response.content.decode()
    assert "(such as ibuprofen or naproxen) 10 days before the session" in text
    assert "Wear loose clothes" in text and "scan or X-ray reports" in text and "light meal" in text
    assert "Do you take blood thinners (anticoagulants)?" in text


def test_screening_answers_are_stored_for_the_session_as_portal_answers(client, knee):
    url = f"/portal/{knee['token']}/sessions/{knee['upcoming'].pk}/before/"
    response = client.post(url, {**SCREENING_NO, "pregnancy": "yes", "note": "Started a new pill"})
    assert response.status_code == 302
    answers = ScreeningAnswer.objects.filter(patient=knee["patient"])
    assert answers.count() == len(ScreeningQuestion)
    flagged = answers.get(answer=True)
    assert flagged.question == "pregnancy"
    assert flagged.source == "portal" and flagged.appointment_id == knee["upcoming"].pk
    assert flagged.note == "Started a new pill"


def test_incomplete_screening_is_refused_and_nothing_saved(client, knee):
    url = f"/portal/{knee['token']}/sessions/{knee['upcoming'].pk}/before/"
    partial = dict(list(SCREENING_NO.items())[:5])
    response = client.post(url, partial)
    assert response.status_code == 400
    assert "Please answer yes or no." in response.content.decode()
    assert not ScreeningAnswer.objects.exists()


def test_over_long_screening_note_is_refused(client, knee):
    url = f"/portal/{knee['token']}/sessions/{knee['upcoming'].pk}/before/"
    response = client.post(url, {**SCREENING_NO, "note": "x" * 251})
    assert response.status_code == 400
    assert "Please use at most 250 characters." in response.content.decode()
    assert not ScreeningAnswer.objects.exists()


def test_patient_confirms_they_will_come(client, knee):
    url = f"/portal/{knee['token']}/sessions/{knee['upcoming'].pk}/confirm/"
    assert "Yes, I will be there" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "Thank you, we have noted that you will come." in response.content.decode()
    knee["upcoming"].refresh_from_db()
    assert knee["upcoming"].patient_confirmed_at == NOW


def test_a_past_session_cannot_be_confirmed(client, knee):
    past = knee["series"].appointments.get(series_step=1)
    response = client.post(f"/portal/{knee['token']}/sessions/{past.pk}/confirm/")
    assert response.status_code == 400
    assert "cannot be confirmed" in response.content.decode()


def test_inside_the_notice_period_the_cancel_page_shows_the_phone_instead(client, clinic):
    patient, _, soon = patient_with_series(next_in_days=0)
    soon.start = NOW + dt.timedelta(hours=20)
    soon.end = soon.start + dt.timedelta(minutes=30)
    soon.save()
    token = issue_link(patient)
    text = client.get(f"/portal/{token}/sessions/{soon.pk}/cancel/").content.decode()
    assert "Less than 24 hours to go: please call us" in text
    assert clinic.phone in text
    assert "Cancel this session" not in text
    response = client.post(f"/portal/{token}/sessions/{soon.pk}/cancel/", {"action": "cancel"})
    assert response.status_code == 400
    soon.refresh_from_db()
    assert soon.status == "booked"


def test_asking_to_move_sends_a_request_to_the_desk_inbox(client, knee, desk_client):
    url = f"/portal/{knee['token']}/sessions/{knee['upcoming'].pk}/cancel/"
    response = client.post(url, {"action": "move", "reason": "Thursdays are better"}, follow=True)
    assert "We have your request" in response.content.decode()
    inbox = desk_client.get("/desk/requests/").content.decode()
    assert knee["patient"].full_name in inbox
    assert "Asks to move a session" in inbox and "Thursdays are better" in inbox
    assert AuditEntry.objects.filter(
        via="staff", object_type="patients.consultationrequest", patient_id=knee["patient"].pk
    ).exists()


def test_unknown_cancel_action_is_refused(client, knee):
    url = f"/portal/{knee['token']}/sessions/{knee['upcoming'].pk}/cancel/"
    response = client.post(url, {"action": "delete-everything"})
    assert response.status_code == 400
    assert "Please choose what to do." in response.content.decode()


def test_checkin_stores_pain_and_an_outcome_score_for_the_chart(client, knee):
    response = client.post(f"/portal/{knee['token']}/checkin/", {"pain": "3", "note": "Sore but fine"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "We have noted your pain as 3 out of 10." in text
    checkin = PainCheckIn.objects.get()
    assert (checkin.pain, checkin.series, checkin.red_flags) == (3, knee["series"], [])
    score = OutcomeScore.objects.get()
    assert (score.measure, score.source, score.value, score.series) == ("pain_nrs", "checkin", 3, knee["series"])
    assert score.appointment == knee["series"].appointments.get(series_step=1)


def test_red_flag_checkin_tells_the_patient_to_call_now_and_alerts_the_desk(client, knee, clinic, desk_client):
    response = client.post(f"/portal/{knee['token']}/checkin/", {"pain": "7", "red_flags": ["fever", "spreading"]})
    text = response.content.decode()
    assert '<h1 id="call-title">Please call us now</h1>' in text
    # The phone number comes right after the heading, before anything else.
    assert text.index(clinic.phone) < text.index("You told us:")
    assert "I have a fever above 38 °C" in text
    inbox = desk_client.get("/desk/requests/").content.decode()
    assert knee["patient"].full_name in inbox and "Called back: mark" in inbox


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"pain": "11"}, "Please choose a number from 0 to 10."),
        ({"pain": "-1"}, "Please choose a number from 0 to 10."),
        ({}, "Please choose a number from 0 to 10."),
        ({"pain": "4", "red_flags": ["made_up"]}, "Please tick only the warning signs listed."),
        ({"pain": "4", "note": "n" * 1001}, "Please use at most 1000 characters."),
    ],
)
def test_bad_checkin_is_refused_and_nothing_saved(client, knee, data, message):
    response = client.post(f"/portal/{knee['token']}/checkin/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PainCheckIn.objects.exists() and not OutcomeScore.objects.exists()


def test_aftercare_shows_the_guide_of_the_patients_protocol(client, knee, clinic):
    text = client.get(f"/portal/{knee['token']}/aftercare/").content.decode()
    assert "Aftercare for the knee" in text
    assert text.index("Call us at once") < text.index("Aftercare for the knee</h2>")
    assert clinic.phone in text


def test_aftercare_falls_back_to_the_general_guide_without_a_series(client):
    token = issue_link(PatientFactory())
    text = client.get(f"/portal/{token}/aftercare/").content.decode()
    assert "Aftercare: what to expect after a session" in text


def test_aftercare_adds_the_warning_signs_near_the_spine_only_for_a_spine_series(client, knee):
    spine_sign = "After an injection near the spine"
    assert spine_sign not in client.get(f"/portal/{knee['token']}/aftercare/").content.decode()
    protocol = knee["series"].protocol
    protocol.condition = "low-back"
    protocol.save()
    assert spine_sign in client.get(f"/portal/{knee['token']}/aftercare/").content.decode()
    assert spine_sign in client.get(f"/portal/{knee['token']}/aftercare/print/").content.decode()


def test_aftercare_print_sheet_has_red_flags_phone_and_timeline(client, knee, clinic):
    response = client.get(f"/portal/{knee['token']}/aftercare/print/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Call us at once" in text and clinic.phone in text and "Days 1 to 3" in text
    assert "css/portal-print.css" in text


def test_nothing_of_another_patient_shows_on_a_link(client, knee):
    other, _, _ = patient_with_series(first_name="Zebedee")
    PainCheckIn.objects.create(patient=other, pain=9, created_at=NOW)
    for path in ["", "checkin/", "aftercare/"]:
        text = client.get(f"/portal/{knee['token']}/{path}").content.decode()
        assert "Zebedee" not in text and other.last_name not in text


def test_cancel_this_session_asks_once_more_on_a_page_and_cancels_nothing_yet(client, knee):
    url = f"/portal/{knee['token']}/sessions/{knee['upcoming'].pk}/cancel/"

    response = client.post(url, {"action": "cancel", "reason": "Away that week"})

    text = response.content.decode()
    assert response.status_code == 200
    assert "Cancel this session?" in text and "Yes, cancel this session" in text and "No, keep it" in text
    assert 'name="confirmed" value="1"' in text and 'name="reason" value="Away that week"' in text
    assert "onclick" not in text  # no inline script: the CSP would refuse it
    knee["upcoming"].refresh_from_db()
    assert knee["upcoming"].status == "booked"


def test_patient_cancels_outside_the_notice_period_through_the_booking_service(client, knee):
    url = f"/portal/{knee['token']}/sessions/{knee['upcoming'].pk}/cancel/"
    response = client.post(url, {"action": "cancel", "confirmed": "1", "reason": "Away that week"}, follow=True)
    assert "Your session has been cancelled." in response.content.decode()
    appointment = knee["upcoming"]
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_kind, appointment.cancel_reason) == (
        "cancelled",
        "patient",
        "Away that week",
    )
    change = appointment.changes.get()
    assert change.kind == "cancelled" and change.by is None
    # The cancelled session leaves the list of next sessions.
    assert "Session 2 of 3" not in client.get(f"/portal/{knee['token']}/").content.decode()


def test_cancelling_twice_is_refused_with_a_message(client, knee):
    url = f"/portal/{knee['token']}/sessions/{knee['upcoming'].pk}/cancel/"
    client.post(url, {"action": "cancel", "confirmed": "1"})
    response = client.get(url)
    assert "This session is over or cancelled" in response.content.decode()
    again = client.post(url, {"action": "cancel"})
    assert again.status_code == 400
    assert "This session is over or cancelled, so it cannot be changed here." in again.content.decode()


@pytest.mark.parametrize("path", ["checkin/", "aftercare/", "aftercare/print/", "before/", "confirm/", "cancel/"])
def test_portal_pages_use_a_fixed_number_of_queries(client, knee, path, django_assert_max_num_queries):
    if path in {"before/", "confirm/", "cancel/"}:
        path = f"sessions/{knee['upcoming'].pk}/{path}"
    # Token lookup, its last-use stamp, the page's own reads, settings and the audit entry.
    with django_assert_max_num_queries(9):
        response = client.get(f"/portal/{knee['token']}/{path}")
    assert response.status_code == 200


def test_every_portal_consult_inbox_and_education_view_is_public_or_role_checked():
    from django.urls import get_resolver

    resolver = get_resolver()
    checked = 0
    for prefix in ["portal", "consult", "inbox", "education"]:
        for pattern in resolver.namespace_dict[prefix][1].url_patterns:
            callback = pattern.callback
            assert getattr(callback, "prolo_public", False) or getattr(callback, "prolo_roles", None), pattern
            checked += 1
    assert checked >= 15


def test_the_portal_and_the_desk_count_a_series_alike(client, desk_client, knee):
    portal = client.get(f"/portal/{knee['token']}/").content.decode()
    desk = desk_client.get(f"/desk/series/{knee['series'].pk}/").content.decode()
    for text in (portal, desk):
        assert "1 of 3 sessions done" in text
        assert "next: session 2 of 3" in text


def test_a_flood_of_check_ins_is_refused_after_six_an_hour_from_any_address(client, knee):
    answers = [
        client.post(f"/portal/{knee['token']}/checkin/", {"pain": "3"}, REMOTE_ADDR=f"203.0.113.{i + 1}")
        for i in range(40)
    ]

    assert [a.status_code for a in answers[:6]] == [200] * 6
    assert {a.status_code for a in answers[6:]} == {429}
    assert answers[-1]["Retry-After"] == "3600"
    assert "Too many attempts" in answers[-1].content.decode()
    assert PainCheckIn.objects.count() == OutcomeScore.objects.count() == 6


def test_the_error_summary_puts_no_colon_after_a_question_or_a_sentence(client, knee):
    """ "…the worst pain you can imagine.: Please choose a number" in the patient's error summary."""
    response = client.post(f"/portal/{knee['token']}/checkin/", {"pain": "4", "red_flags": ["made_up"]})
    page = response.content.decode()
    assert "Do you have any of these warning signs?</a> Please tick only the warning signs listed." in page
    response = client.post(f"/portal/{knee['token']}/checkin/", {})
    assert "you can imagine.</a> Please choose a number from 0 to 10." in response.content.decode()
    assert "?</a>:" not in page and ".</a>:" not in response.content.decode()
