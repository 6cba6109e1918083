import datetime as dt

import pytest

from tests.factories import PatientFactory, appointment_type
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours, series_booking
from treatments.models import WaitlistEntry
from treatments.scheduling.selectors.waitlist import waitlist_candidates
from treatments.scheduling.services.waitlist import WaitlistError, waitlist_add, waitlist_resolve

pytestmark = pytest.mark.django_db

NOW = at(DAY, 8)
WEEK = dt.timedelta(days=7)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def clinic():
    return practitioner_with_hours()


def _series(clinic, patient=None, minutes=0):
    """Knee OA (Rabago): 28 days apart, window 7 days before to 14 after. Sessions on 17 Mar,
    14 Apr and 12 May; session 2 may move to 7-21 Apr (session 3 caps it at 21 Apr)."""
    shift = dt.timedelta(minutes=minutes)
    starts = [at(DAY, 9) + shift, at(DAY + 4 * WEEK, 9) + shift, at(DAY + 8 * WEEK, 9) + shift]
    return series_booking(*clinic, starts, patient=patient)


def _freed(clinic, start):
    return booking(*clinic, start, status="cancelled", cancelled_at=NOW)


def _wait(clinic, patient, appointment=None, slug="injection", desk_user=None):
    return waitlist_add(
        patient=patient,
        practitioner=clinic[0],
        appointment_type=appointment_type(slug),
        appointment=appointment,
        by=desk_user,
        now=NOW,
    )


def test_a_freed_slot_inside_the_series_window_finds_the_waiting_patient(clinic):
    _s, sessions = _series(clinic)
    entry = _wait(clinic, sessions[0].patient, sessions[1])
    freed = _freed(clinic, at(DAY + 3 * WEEK + dt.timedelta(days=2), 10))  # Thu 9 Apr
    candidates = waitlist_candidates(freed=freed, now=NOW)
    assert [c.entry for c in candidates] == [entry]
    assert (candidates[0].window.earliest, candidates[0].window.latest) == (dt.date(2026, 4, 7), dt.date(2026, 4, 21))


def test_a_freed_slot_that_would_break_the_series_window_is_not_offered(clinic):
    _s, sessions = _series(clinic)
    _wait(clinic, sessions[0].patient, sessions[1])
    freed = _freed(clinic, at(DAY + 2 * WEEK + dt.timedelta(days=2), 10))  # Thu 2 Apr: too soon after session 1
    assert waitlist_candidates(freed=freed, now=NOW) == []


def test_a_slot_later_than_the_booked_session_is_not_offered(clinic):
    patient = PatientFactory()
    current = booking(*clinic, at(DAY + WEEK, 9), patient=patient)
    _wait(clinic, patient, current)
    freed = _freed(clinic, at(DAY + 2 * WEEK, 9))
    assert waitlist_candidates(freed=freed, now=NOW) == []


def test_a_patient_waiting_for_any_earlier_slot_is_offered_one_that_fits(clinic):
    entry = _wait(clinic, PatientFactory(), slug="follow-up")
    freed = _freed(clinic, at(DAY + WEEK, 9))
    assert [c.entry for c in waitlist_candidates(freed=freed, now=NOW)] == [entry]


def test_a_longer_appointment_type_that_does_not_fit_is_not_offered(clinic):
    _wait(clinic, PatientFactory(), slug="consultation")  # 45 minutes
    freed = _freed(clinic, at(DAY + WEEK, 11, 30))  # the morning ends at 12:00
    assert waitlist_candidates(freed=freed, now=NOW) == []


def test_other_practitioners_resolved_entries_and_past_slots_are_left_out(clinic):
    other_practitioner, _ = practitioner_with_hours("Dr Other", location=clinic[1])
    waitlist_add(
        patient=PatientFactory(),
        practitioner=other_practitioner,
        appointment_type=appointment_type("follow-up"),
        by=None,
        now=NOW,
    )
    resolved = _wait(clinic, PatientFactory(), slug="follow-up")
    waitlist_resolve(entry=resolved, by=None, now=NOW)
    freed = _freed(clinic, at(DAY + WEEK, 9))
    assert waitlist_candidates(freed=freed, now=NOW) == []
    _wait(clinic, PatientFactory(), slug="follow-up")
    assert waitlist_candidates(freed=freed, now=freed.start + dt.timedelta(minutes=1)) == []


def test_waitlist_refuses_someone_elses_or_a_past_appointment_and_duplicates(clinic):
    patient = PatientFactory()
    others = booking(*clinic, at(DAY + WEEK, 9))
    with pytest.raises(WaitlistError, match="belongs to another patient"):
        _wait(clinic, patient, others)
    past = booking(*clinic, at(DAY - WEEK, 9), patient=patient)
    with pytest.raises(WaitlistError, match="upcoming"):
        _wait(clinic, patient, past)
    _wait(clinic, patient)
    with pytest.raises(WaitlistError, match="already on the waitlist"):
        _wait(clinic, patient)
    assert WaitlistEntry.objects.count() == 1


def test_resolving_twice_is_refused(clinic):
    entry = _wait(clinic, PatientFactory())
    waitlist_resolve(entry=entry, by=None, now=NOW)
    with pytest.raises(WaitlistError):
        waitlist_resolve(entry=entry, by=None, now=NOW)


def test_resolving_records_who_took_the_entry_off(clinic, desk_user):
    entry = _wait(clinic, PatientFactory())
    resolved = waitlist_resolve(entry=entry, by=desk_user, now=NOW)
    assert (resolved.resolved_by, resolved.resolved_at) == (desk_user, NOW)


def test_the_waitlist_page_shows_who_took_a_patient_off(desk_client, desk_user, clinic):
    entry = _wait(clinic, PatientFactory(first_name="Olive", last_name="Barker"))
    response = desk_client.post(f"/desk/waitlist/{entry.pk}/resolve/", follow=True)
    assert "Olive Barker is off the waitlist." in response.content.decode()
    entry.refresh_from_db()
    assert entry.resolved_by == desk_user
    page = desk_client.get("/desk/waitlist/").content.decode()
    resolved = page[page.index('id="waitlist-resolved"') :]
    assert "Olive Barker" in resolved and desk_user.get_username() in resolved


def test_the_admin_lists_who_resolved_an_entry(admin_client_, admin_user, clinic):
    entry = _wait(clinic, PatientFactory())
    waitlist_resolve(entry=entry, by=admin_user, now=NOW)
    page = admin_client_.get("/admin/treatments/waitlistentry/").content.decode()
    assert admin_user.get_username() in page


def test_desk_adds_a_patient_from_search_and_sees_them_for_a_freed_slot(desk_client, clinic):
    _s, sessions = _series(clinic)
    patient = sessions[0].patient
    page = desk_client.get(f"/desk/waitlist/new/?patient={patient.pk}").content.decode()
    assert f'value="{sessions[1].pk}"' in page  # the booked sessions are offered
    response = desk_client.post(
        "/desk/waitlist/new/",
        {
            "patient": patient.pk,
            "practitioner": clinic[0].pk,
            "appointment_type": appointment_type("injection").pk,
            "appointment": sessions[1].pk,
            "note": "Mornings only",
        },
    )
    assert response.status_code == 302
    assert patient.full_name in desk_client.get("/desk/waitlist/").content.decode()
    freed = _freed(clinic, at(DAY + 3 * WEEK + dt.timedelta(days=2), 10))
    page = desk_client.get(f"/desk/waitlist/slot/{freed.pk}/").content.decode()
    assert patient.full_name in page
    assert "7 Apr – 21 Apr" in page
    assert "Mornings only" in page


def test_waitlist_form_bad_input_saves_nothing(desk_client, clinic):
    patient = PatientFactory()
    other_practitioner, _ = practitioner_with_hours("Dr Other", location=clinic[1])
    mine = booking(*clinic, at(DAY + WEEK, 9), patient=patient)
    response = desk_client.post(
        "/desk/waitlist/new/",
        {
            "patient": patient.pk,
            "practitioner": other_practitioner.pk,
            "appointment_type": appointment_type("injection").pk,
            "appointment": mine.pk,
        },
    )
    assert response.status_code == 400
    assert "That appointment is with another practitioner" in response.content.decode()
    response = desk_client.post("/desk/waitlist/new/", {"patient": patient.pk, "practitioner": "x"})
    assert "Select a valid choice" in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_waitlist_pages_need_a_role_and_real_records(client, desk_client, no_role_user, clinic):
    live = booking(*clinic, at(DAY + WEEK, 9))
    assert desk_client.get("/desk/waitlist/new/?patient=999999").status_code == 404
    assert desk_client.get("/desk/waitlist/new/?patient=abc").status_code == 404
    assert desk_client.get("/desk/waitlist/new/").status_code == 302  # to the patient search
    assert desk_client.get(f"/desk/waitlist/slot/{live.pk}/").status_code == 404  # not cancelled
    assert desk_client.post("/desk/waitlist/999999/resolve/").status_code == 404
    desk_client.logout()
    for url in ["/desk/waitlist/", "/desk/waitlist/new/", f"/desk/waitlist/slot/{live.pk}/"]:
        assert client.get(url).status_code == 302
    client.force_login(no_role_user)
    for url in ["/desk/waitlist/", "/desk/waitlist/new/", f"/desk/waitlist/slot/{live.pk}/"]:
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("waiting", [1, 20])
def test_freed_slot_page_uses_a_fixed_number_of_queries(desk_client, clinic, django_assert_max_num_queries, waiting):
    for n in range(waiting):
        _s, sessions = _series(clinic, minutes=35 * n - 120)  # never two at once (PostgreSQL forbids it)
        _wait(clinic, sessions[0].patient, sessions[1])
    freed = _freed(clinic, at(DAY + 3 * WEEK + dt.timedelta(days=2), 10))
    desk_client.get("/desk/")
    # auth (3), freed appointment, entries, sessions, availability (3), flags, clinic settings,
    # session save (3)
    with django_assert_max_num_queries(15):
        page = desk_client.get(f"/desk/waitlist/slot/{freed.pk}/").content.decode()
    assert page.count("Offered: remove from waitlist") == waiting


def test_waitlist_page_lists_upcoming_freed_slots(desk_client, clinic):
    freed = _freed(clinic, at(DAY + WEEK, 9))
    _past = booking(*clinic, at(DAY - WEEK, 9), status="cancelled", cancelled_at=NOW)
    page = desk_client.get("/desk/waitlist/").content.decode()
    assert f'href="/desk/waitlist/slot/{freed.pk}/"' in page
    assert page.count("who could take it") == 1


@pytest.mark.parametrize("count", [1, 15])
def test_waitlist_page_uses_a_fixed_number_of_queries(desk_client, clinic, django_assert_max_num_queries, count):
    for n in range(count):
        _wait(clinic, PatientFactory(), slug="follow-up")
        _freed(clinic, at(DAY + WEEK, 8) + dt.timedelta(minutes=15 * n))
    desk_client.get("/desk/")
    # auth (3), entries, recently resolved, offers, freed slots, clinic settings, session save (3)
    with django_assert_max_num_queries(12):
        page = desk_client.get("/desk/waitlist/").content.decode()
    assert page.count("who could take it") == count
