"""The desk's series pages: what the desk sees, what a bad input shows, who may open them."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import AuditEntry, Closure
from patients.models import ScreeningAnswer
from tests.factories import AppointmentFactory, RoomFactory, protocol
from tests.treatments.factories_desk import book_series, clinic_setup, local
from treatments.models import Appointment, TreatmentSeries
from treatments.scheduling.services.booking import series_book

pytestmark = pytest.mark.django_db
NOW = local(2026, 5, 1, 12)
STARTS = [local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30)]
# Session, user, roles, clinic settings (+ their first save), the red-flag count on the navigation
# and the session save are about 10; the page itself reads 4 and writes its audit entry.
MAX_QUERIES = 16
# The money badges an app above adds through treatments.hooks (billing.badges): the patient's
# balance (1), the series' packages (2) and the appointments' (1) on the patient page; the series'
# package (2) and its sessions' (2) on the series page. Fixed whatever the data.
PATIENT_BADGES, SERIES_BADGES = 4, 4


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def setup():
    return clinic_setup()


@pytest.fixture
def series(setup):
    return book_series(setup, STARTS, now=NOW)


def plan_data(setup, **extra):
    practitioner, location, patient = setup
    return {
        "patient": patient.pk,
        "protocol": protocol().pk,
        "practitioner": practitioner.pk,
        "location": location.pk,
        "side": "left",
        "sessions": "",
        "date": "2026-05-05",
        "time": "09:00",
        **extra,
    }


def sessions_data(*pairs):
    data = {}
    for i, (day, at) in enumerate(pairs, start=1):
        data[f"s{i}-date"], data[f"s{i}-time"] = day, at
    return data


GOOD = sessions_data(("2026-05-05", "09:00"), ("2026-06-02", "09:00"), ("2026-06-30", "09:00"))


def urls(series):
    a = series.appointments.order_by("series_step").first()
    p = series.patient_id
    return [
        reverse("desk:patient", args=[p]),
        reverse("desk:series_new") + f"?patient={p}",
        reverse("desk:series", args=[series.pk]),
        reverse("desk:appointment_move", args=[a.pk]),
        reverse("desk:appointment_cancel", args=[a.pk]),
        reverse("desk:book_appointment") + f"?patient={p}",
    ]


def test_anonymous_visitors_are_sent_to_login(client, series):
    for url in urls(series):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_signed_in_without_a_role_is_forbidden(client, no_role_user, series):
    client.force_login(no_role_user)
    for url in urls(series):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role_client", ["desk_client", "practitioner_client", "admin_client_"])
def test_desk_practitioners_and_admin_may_open_every_page(request, role_client, series):
    client = request.getfixturevalue(role_client)
    for url in urls(series):
        assert client.get(url).status_code == 200, url


def test_unknown_ids_are_not_found(desk_client, series):
    assert desk_client.get(reverse("desk:series", args=[999999])).status_code == 404
    assert desk_client.get(reverse("desk:appointment_move", args=[999999])).status_code == 404
    assert desk_client.get(reverse("desk:series_new") + "?patient=abc").status_code == 404


def test_patient_page_shows_progress_appointments_no_shows_and_flags(
    desk_client, series, django_assert_max_num_queries
):
    patient = series.patient
    first = series.appointments.get(series_step=1)
    Appointment.objects.filter(pk=first.pk).update(status="completed")
    AppointmentFactory(patient=patient, start=local(2026, 4, 20, 10), status="no_show")
    ScreeningAnswer.objects.create(patient=patient, question="diabetes", answer=True, answered_at=local(2026, 4, 1))
    ScreeningAnswer.objects.create(patient=patient, question="pregnancy", answer=True, answered_at=local(2026, 3, 1))
    ScreeningAnswer.objects.create(patient=patient, question="pregnancy", answer=False, answered_at=local(2026, 4, 2))
    with django_assert_max_num_queries(MAX_QUERIES + PATIENT_BADGES):
        response = desk_client.get(reverse("desk:patient", args=[patient.pk]))
    html = response.content.decode()
    assert "1 of 3 sessions done" in html
    assert "next: session 2 of 3" in html
    assert 'id="no-show-count">1<' in html
    assert "Has diabetes" in html and "Pregnant" not in html
    assert "Tue 2 Jun 2026, 09:00" in html  # local time, not UTC
    assert AuditEntry.objects.filter(patient_id=patient.pk, action="view").exists()


def test_patient_page_query_count_does_not_grow_with_data(desk_client, setup):
    practitioner, location, patient = setup
    url = reverse("desk:patient", args=[patient.pk])
    desk_client.get(url)  # settles the session and clinic settings rows

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert desk_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def book(first, second):
        series_book(
            patient=patient,
            protocol=protocol(),
            practitioner=practitioner,
            location=location,
            side="right",
            starts=[first, second],
            by=None,
            now=NOW,
        )

    # One series first: the badge providers (treatments.hooks) are asked only when the page shows
    # a series, in a fixed number of queries from then on.
    book(local(2026, 9, 1), local(2026, 9, 29))
    empty = count()
    for first, second in ((local(2026, 5, 5), local(2026, 6, 2)), (local(2026, 7, 7), local(2026, 8, 4))):
        book(first, second)
    AppointmentFactory.create_batch(5, patient=patient, start=local(2026, 4, 20, 10), status="no_show")
    assert count() == empty


def test_plan_proposes_every_session_with_its_window(desk_client, setup):
    response = desk_client.post(reverse("desk:series_new"), plan_data(setup, action="plan"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="s2-date" value="2026-06-02"' in html and 'name="s3-date" value="2026-06-30"' in html
    assert "Tue 26 May – Tue 16 Jun" in html
    assert TreatmentSeries.objects.count() == 0  # nothing booked before confirming


def test_confirm_books_the_whole_series(desk_client, setup):
    response = desk_client.post(reverse("desk:series_new"), {**plan_data(setup, action="confirm"), **GOOD})
    series = TreatmentSeries.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("desk:series", args=[series.pk])
    assert series.appointments.count() == 3
    page = desk_client.get(response["Location"]).content.decode()
    assert "Booked all 3 sessions." in page and "Session 3 of 3" in page


def test_recheck_flags_an_edited_session_outside_its_window(desk_client, setup):
    data = {**plan_data(setup, action="check"), **GOOD, "s2-date": "2026-05-12"}
    html = desk_client.post(reverse("desk:series_new"), data).content.decode()
    assert "Session 2: it must fall between 26 May and 16 Jun (28 days after session 1)" in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"s2-date": "2026-02-30"}, "Enter a valid date."),
        ({"s1-date": "2026-04-28"}, "Session 1: that time is in the past."),
        ({"s3-time": "12:30"}, "Session 3: that time is outside Dr Ada Stone&#x27;s hours at Main Street."),
        ({"s2-date": "2026-05-12"}, "Session 2: it must fall between 26 May and 16 Jun"),
    ],
)
def test_confirm_with_bad_input_shows_why_and_saves_nothing(desk_client, setup, change, message):
    data = {**plan_data(setup, action="confirm"), **GOOD, **change}
    response = desk_client.post(reverse("desk:series_new"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert TreatmentSeries.objects.count() == 0 and Appointment.objects.count() == 0


def test_plan_form_rejects_a_practitioner_id_that_does_not_exist(desk_client, setup):
    response = desk_client.post(reverse("desk:series_new"), plan_data(setup, action="plan", practitioner=424242))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_confirm_when_the_slot_was_taken_meanwhile(desk_client, setup):
    practitioner, location, _ = setup
    AppointmentFactory(practitioner=practitioner, location=location, start=local(2026, 6, 2, 9))
    response = desk_client.post(reverse("desk:series_new"), {**plan_data(setup, action="confirm"), **GOOD})
    assert response.status_code == 400
    assert "Session 2: Dr Ada Stone already has an appointment then." in response.content.decode()
    assert TreatmentSeries.objects.count() == 0


def test_series_page_lists_sessions_and_history_in_fixed_queries(desk_client, series, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES + SERIES_BADGES):
        html = desk_client.get(reverse("desk:series", args=[series.pk])).content.decode()
    assert html.count("Move session") == 3
    assert "0 of 3 sessions done" in html
    assert html.count("Booked") >= 3


def test_move_page_shows_the_window_the_neighbours_allow(desk_client, series):
    second = series.appointments.get(series_step=2)
    html = desk_client.get(reverse("desk:appointment_move", args=[second.pk])).content.decode()
    # Moving the later sessions too is not chosen for the desk.
    assert 'name="shift_later"' in html and "checked" not in html.split('name="shift_later"')[1].split(">")[0]
    assert "Tue 26 May – Tue 9 Jun" in html  # both neighbours
    assert "Tue 26 May – Tue 16 Jun" in html  # shifting the later ones


def test_moving_session_two_and_shifting_the_rest_shows_their_new_dates_first(desk_client, series):
    second = series.appointments.get(series_step=2)
    url = reverse("desk:appointment_move", args=[second.pk])
    form = {"date": "2026-06-04", "time": "10:00", "reason": "Away", "shift_later": "on"}
    preview = desk_client.post(url, form)
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Nothing is moved yet" in html
    assert "Session 2: Tue 2 Jun 2026, 09:00 → <strong>Thu 4 Jun 2026, 10:00</strong>" in html
    assert "Session 3: Tue 30 Jun 2026, 09:00 → <strong>Thu 2 Jul 2026, 10:00</strong>" in html
    assert list(series.appointments.order_by("series_step").values_list("start", flat=True)) == STARTS

    # A changed time is shown again rather than moved on the old confirmation.
    stale = desk_client.post(url, form | {"time": "10:30", "confirm": "2026-06-04T10:00:00-05:00"})
    assert "Nothing is moved yet" in stale.content.decode()
    assert list(series.appointments.order_by("series_step").values_list("start", flat=True)) == STARTS

    response = desk_client.post(url, form | {"confirm": "2026-06-04T10:00:00-05:00"})
    assert response.status_code == 302
    starts = list(series.appointments.order_by("series_step").values_list("start", flat=True))
    assert starts == [STARTS[0], local(2026, 6, 4, 10), local(2026, 7, 2, 10)]
    html = desk_client.get(response["Location"]).content.decode()
    assert "Moved 2 appointments." in html and "“Away”" in html


def test_moving_outside_the_window_shows_why_and_changes_nothing(desk_client, series):
    second = series.appointments.get(series_step=2)
    response = desk_client.post(
        reverse("desk:appointment_move", args=[second.pk]), {"date": "2026-06-16", "time": "09:00"}
    )
    assert response.status_code == 400
    assert "Session 2 must fall between 26 May–9 Jun to keep the spacing." in response.content.decode()
    second.refresh_from_db()
    assert second.start == STARTS[1]


def test_cancel_needs_who_and_why(desk_client, series):
    third = series.appointments.get(series_step=3)
    response = desk_client.post(reverse("desk:appointment_cancel", args=[third.pk]), {"kind": "patient"})
    assert response.status_code == 400 and "Say who cancelled and why." in response.content.decode()
    assert Appointment.objects.get(pk=third.pk).status == "booked"


def test_cancelling_session_three_shows_on_the_series_page(desk_client, series):
    third = series.appointments.get(series_step=3)
    response = desk_client.post(
        reverse("desk:appointment_cancel", args=[third.pk]), {"kind": "patient", "reason": "Holiday"}
    )
    assert response.status_code == 302
    html = desk_client.get(response["Location"]).content.decode()
    assert "Appointment cancelled." in html
    assert "Cancelled (patient cancelled: Holiday)" in html


def test_add_and_discontinue_from_the_series_page(desk_client, series):
    response = desk_client.post(reverse("desk:series_add", args=[series.pk]), {"date": "2026-07-28", "time": "09:00"})
    assert response.status_code == 302
    assert series.appointments.filter(series_step=4, is_optional=True).exists()
    response = desk_client.post(reverse("desk:series_discontinue", args=[series.pk]), {"reason": "Better"})
    assert response.status_code == 302
    series.refresh_from_db()
    assert series.status == "discontinued"


def test_add_session_bad_input_shows_message(desk_client, series):
    response = desk_client.post(reverse("desk:series_add", args=[series.pk]), {"date": "2026-04-01", "time": "09:00"})
    assert response.status_code == 400
    assert "An added session must come after session 3." in response.content.decode()
    response = desk_client.post(reverse("desk:series_discontinue", args=[series.pk]), {"reason": ""})
    assert response.status_code == 400 and "Give a reason." in response.content.decode()


def test_standalone_appointment_booking(desk_client, setup):
    practitioner, location, patient = setup
    from tests.factories import appointment_type

    data = {
        "patient": patient.pk,
        "appointment_type": appointment_type("consultation").pk,
        "practitioner": practitioner.pk,
        "location": location.pk,
        "date": "2026-05-04",
        "time": "14:00",
    }
    response = desk_client.post(reverse("desk:book_appointment"), data)
    assert response.status_code == 302
    assert Appointment.objects.get().start == local(2026, 5, 4, 14)
    bad = desk_client.post(reverse("desk:book_appointment"), {**data, "time": "07:00"})
    assert bad.status_code == 400
    assert "That time is outside Dr Ada Stone&#x27;s hours at Main Street." in bad.content.decode()
    assert Appointment.objects.count() == 1


def test_move_page_suggests_free_times_that_fill_the_form(desk_client, series):
    practitioner = series.practitioner
    second = series.appointments.get(series_step=2)
    # Someone else holds 09:00 on Wednesday 27 May: that day's suggestion is the nearest free time.
    AppointmentFactory(practitioner=practitioner, location=series.location, start=local(2026, 5, 27, 9))
    html = desk_client.get(reverse("desk:appointment_move", args=[second.pk])).content.decode()
    assert "?date=2026-05-26&amp;time=09:00" in html
    # 08:20 (ends with its buffer at 09:00) and 09:40 are both 40 minutes away: the earlier wins.
    assert "?date=2026-05-27&amp;time=08:20" in html
    assert "?date=2026-05-30" not in html  # a Saturday: no hours
    filled = desk_client.get(reverse("desk:appointment_move", args=[second.pk]) + "?date=2026-05-27&time=08:20")
    assert 'value="2026-05-27"' in filled.content.decode() and 'value="08:20"' in filled.content.decode()


def test_moving_the_first_session_is_bounded_by_the_next_unless_it_shifts(desk_client, series):
    first = series.appointments.get(series_step=1)
    html = desk_client.get(reverse("desk:appointment_move", args=[first.pk])).content.decode()
    # Session 2 on 2 June must stay 21 to 42 days after it (from 21 April, but today is 1 May);
    # shifting the rest, any day from today goes.
    assert "Fri 1 May – Tue 12 May" in html
    assert "<strong>any day from Fri 1 May</strong>" in html
    response = desk_client.post(
        reverse("desk:appointment_move", args=[first.pk]), {"date": "2026-05-14", "time": "09:00"}
    )
    assert "Session 1 must fall between 1–12 May to keep the spacing." in response.content.decode()


def test_screening_flags_show_on_the_series_and_booking_pages(desk_client, series):
    ScreeningAnswer.objects.create(
        patient=series.patient, question="anticoagulants", answer=True, answered_at=local(2026, 4, 1)
    )
    for url in (reverse("desk:series", args=[series.pk]), reverse("desk:series_new") + f"?patient={series.patient_id}"):
        assert "Takes blood thinners (anticoagulants)" in desk_client.get(url).content.decode()


def test_a_nine_oclock_series_planned_across_daylight_saving_stays_at_nine(desk_client, setup):
    # Chicago springs forward on 8 March 2026: session 2 is 09:00 CDT, one hour earlier in UTC.
    with time_machine.travel(local(2026, 2, 1), tick=False):
        data = plan_data(setup, action="plan", date="2026-02-17", time="09:00")
        html = desk_client.post(reverse("desk:series_new"), data).content.decode()
        assert 'name="s2-date" value="2026-03-17"' in html and 'name="s2-time" value="09:00"' in html
        confirm = {
            **plan_data(setup, action="confirm", date="2026-02-17"),
            **sessions_data(("2026-02-17", "09:00"), ("2026-03-17", "09:00"), ("2026-04-14", "09:00")),
        }
        assert desk_client.post(reverse("desk:series_new"), confirm).status_code == 302
    starts = list(Appointment.objects.order_by("start").values_list("start", flat=True))
    assert [s.hour for s in starts] == [15, 14, 14]  # UTC: 09:00 CST, then 09:00 CDT


def test_planning_and_move_pages_use_a_fixed_number_of_queries(desk_client, setup, django_assert_max_num_queries):
    practitioner, location, _ = setup
    # A busy year for the practitioner: the planner reads it in one query, whatever its size.
    for week in range(40):
        AppointmentFactory(
            practitioner=practitioner, location=location, start=local(2026, 5, 4, 10) + dt.timedelta(weeks=week)
        )
    # On top of the fixed request overhead: the form's three lookups and three option lists, the
    # patient, the flags, and the planner's three availability queries.
    plan_queries = MAX_QUERIES + 8
    with django_assert_max_num_queries(plan_queries):
        response = desk_client.post(reverse("desk:series_new"), plan_data(setup, action="plan"))
    assert response.status_code == 200
    with django_assert_max_num_queries(plan_queries):
        response = desk_client.post(reverse("desk:series_new"), {**plan_data(setup, action="check"), **GOOD})
    assert response.status_code == 200
    appointment = Appointment.objects.first()
    with django_assert_max_num_queries(MAX_QUERIES):
        assert desk_client.get(reverse("desk:appointment_move", args=[appointment.pk])).status_code == 200


def test_plan_says_which_session_cannot_be_placed_and_why(desk_client, setup):
    practitioner, _, _ = setup
    Closure.objects.create(
        practitioner=practitioner, starts_at=local(2026, 5, 25, 0), ends_at=local(2026, 6, 17, 0), reason="Leave"
    )
    html = desk_client.post(reverse("desk:series_new"), plan_data(setup, action="plan")).content.decode()
    assert "Session 2: no free 30-minute slot between 26 May and 16 Jun — Dr Ada Stone is away 25 May–16 Jun." in html
    assert 'name="s2-date" value="2026-06-02"' not in html
    # Confirming as proposed (session 2 left empty) books nothing and says where to look.
    data = {**plan_data(setup, action="confirm"), **GOOD, "s2-date": "", "s2-time": ""}
    response = desk_client.post(reverse("desk:series_new"), data)
    assert response.status_code == 400
    assert "Some dates or times are not valid; see the sessions below." in response.content.decode()
    assert TreatmentSeries.objects.count() == 0


def test_cancel_with_a_replan_that_cannot_fit_says_so_and_cancels_nothing(desk_client, series):
    Closure.objects.create(
        practitioner=series.practitioner, starts_at=local(2026, 5, 20, 0), ends_at=local(2026, 6, 20, 0), reason="Leave"
    )
    second = series.appointments.get(series_step=2)
    response = desk_client.post(
        reverse("desk:appointment_cancel", args=[second.pk]),
        {"kind": "patient", "reason": "Ill", "replan_rest": "on"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Session 3: no free 30-minute slot" in html
    assert "Nothing was cancelled; untick re-planning to cancel only this one." in html
    assert Appointment.objects.get(pk=second.pk).status == "booked"


def test_a_series_can_hold_a_room_and_a_room_elsewhere_is_refused(desk_client, setup):
    _, location, _ = setup
    room = RoomFactory(location=location, name="Room 2")
    response = desk_client.post(
        reverse("desk:series_new"), {**plan_data(setup, action="confirm", room=room.pk), **GOOD}
    )
    assert response.status_code == 302
    assert set(Appointment.objects.values_list("room_id", flat=True)) == {room.pk}
    elsewhere = RoomFactory(name="Far away")
    response = desk_client.post(reverse("desk:series_new"), plan_data(setup, action="plan", room=elsewhere.pk))
    assert response.status_code == 400 and "That room is at another location." in response.content.decode()


def test_a_link_with_a_slot_prefills_the_booking_forms(desk_client, setup):
    practitioner, location, patient = setup
    query = f"?patient={patient.pk}&practitioner={practitioner.pk}&location={location.pk}&date=2026-05-12&time=14:30"
    for name in ("desk:series_new", "desk:book_appointment"):
        html = desk_client.get(reverse(name) + query).content.decode()
        assert 'value="2026-05-12"' in html and 'value="14:30"' in html
        assert f'<option value="{practitioner.pk}" selected>' in html


def test_writes_refuse_anonymous_and_role_less_users_and_save_nothing(client, no_role_user, series):
    second = series.appointments.get(series_step=2)
    posts = [
        (reverse("desk:series_add", args=[series.pk]), {"date": "2026-07-28", "time": "09:00"}),
        (reverse("desk:series_discontinue", args=[series.pk]), {"reason": "x"}),
        (reverse("desk:appointment_move", args=[second.pk]), {"date": "2026-06-04", "time": "09:00"}),
        (reverse("desk:appointment_cancel", args=[second.pk]), {"kind": "patient", "reason": "x"}),
        (reverse("desk:series_new"), {**plan_data(clinic_setup_data(series), action="confirm"), **GOOD}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 302, url
    client.force_login(no_role_user)
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert series.appointments.count() == 3
    assert {a.start for a in series.appointments.all()} == set(STARTS)
    assert TreatmentSeries.objects.get().status == "active"


def clinic_setup_data(series):
    return series.practitioner, series.location, series.patient


def test_planning_from_a_past_first_slot_is_flagged(desk_client, setup):
    html = desk_client.post(
        reverse("desk:series_new"), plan_data(setup, action="plan", date="2026-04-28")
    ).content.decode()
    assert "Session 1: that time is in the past" in html


def test_add_session_is_prefilled_at_the_protocol_spacing(desk_client, series):
    html = desk_client.get(reverse("desk:series", args=[series.pk])).content.decode()
    assert 'name="date" value="2026-07-28"' in html and 'name="time" value="09:00"' in html


def test_dates_link_to_their_day_on_the_calendar(desk_client, series):
    for url in (reverse("desk:patient", args=[series.patient_id]), reverse("desk:series", args=[series.pk])):
        html = desk_client.get(url).content.decode()
        assert f'href="{reverse("desk:calendar")}?date=2026-06-02"' in html


def test_patient_page_links_to_details_waitlist_and_messages_but_only_clinicians_to_the_chart(
    desk_client, practitioner_user, series
):
    url = reverse("desk:patient", args=[series.patient.pk])
    progress = reverse("practice:progress", args=[series.pk])
    desk_html = desk_client.get(url).content.decode()
    assert reverse("patients:edit", args=[series.patient.pk]) in desk_html
    assert reverse("notifications:patient_log", args=[series.patient.pk]) in desk_html
    assert f"{reverse('desk:waitlist_add')}?patient={series.patient.pk}" in desk_html
    assert progress not in desk_html
    desk_client.force_login(practitioner_user)
    assert progress in desk_client.get(url).content.decode()
