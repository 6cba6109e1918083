"""The practitioner's next record shows what the patient reported since their last session: each
check-in's date, pain, ticked warning signs, words, and whether the desk called back."""

import datetime as dt

import pytest

from tests.factories import AppointmentFactory, PatientFactory
from tests.treatments.clinical import test_records_views as record_page
from tests.treatments.factories_practice import NOW, PainCheckInFactory, series_appointment
from treatments.clinical.selectors.checkins import checkins_since_last_session
from treatments.models import Appointment, RedFlag

pytestmark = pytest.mark.django_db

# The record page's own setting: the clock frozen at NOW (autouse), sessions 1 and 2 of a knee
# series signed 56 and 28 days ago by `me`, and session 3 checked in now.
frozen, me, series, appointment = record_page.frozen, record_page.me, record_page.series, record_page.appointment
url = record_page.url

DAY = dt.timedelta(days=1)
PANEL = "Since the last session the patient reported:"


def _panel(html: str) -> str:
    start = html.index(PANEL)
    return html[start : html.index("</section>", start)]


def test_the_next_record_shows_each_check_in_since_the_previous_session(
    practitioner_client, series, appointment, desk_user
):
    PainCheckInFactory(series=series, pain=6, note="before the last session", created_at=NOW - 40 * DAY)
    PainCheckInFactory(series=series, pain=5, note="a little stiff in the morning", created_at=NOW - 20 * DAY)
    PainCheckInFactory(
        series=series,
        pain=8,
        note="hot and swollen since last night",
        red_flags=[RedFlag.SPREADING, RedFlag.FEVER],
        created_at=NOW - 2 * DAY,
        acknowledged_by=desk_user,
        acknowledged_at=NOW - 2 * DAY + dt.timedelta(hours=1),
    )
    PainCheckInFactory(pain=9, note="another patient's words", created_at=NOW - DAY)

    panel = _panel(practitioner_client.get(url(appointment)).content.decode())

    assert "before the last session" not in panel
    assert "another patient&#x27;s words" not in panel
    # Oldest first, with the date, the pain score, the answers and the words.
    assert panel.index("a little stiff in the morning") < panel.index("hot and swollen since last night")
    assert "Wed 25 Mar 2026" in panel and "5/10" in panel
    assert "Sun 12 Apr 2026" in panel and "8/10" in panel
    assert "No warning signs" in panel
    assert "Warning signs" in panel
    assert str(RedFlag.LABELS[RedFlag.SPREADING]) in panel
    assert "I have a fever above 38 °C" in panel
    assert "called back by desk" in panel


def test_an_unanswered_warning_sign_says_nobody_has_called_back(practitioner_client, series, appointment):
    PainCheckInFactory(series=series, pain=7, red_flags=[RedFlag.DISCHARGE], created_at=NOW - 3 * DAY)

    panel = _panel(practitioner_client.get(url(appointment)).content.decode())

    assert "not called back yet" in panel
    assert str(RedFlag.LABELS[RedFlag.DISCHARGE]) in panel


def test_with_nothing_reported_the_panel_says_so(practitioner_client, appointment):
    panel = _panel(practitioner_client.get(url(appointment)).content.decode())

    assert "No check-ins since the last session." in panel


def test_a_cancelled_or_missed_appointment_is_not_the_last_session(series, appointment):
    series_appointment(series, 9, NOW - 10 * DAY, status=Appointment.Status.CANCELLED, cancelled_at=NOW - 11 * DAY)
    series_appointment(series, 10, NOW - 5 * DAY, status=Appointment.Status.NO_SHOW)
    reported = PainCheckInFactory(series=series, note="after session 2", created_at=NOW - 20 * DAY)

    assert checkins_since_last_session(appointment) == [reported]


def test_a_first_appointment_shows_what_came_before_it_and_nothing_after(practitioner_user):
    first = AppointmentFactory(start=NOW + DAY, status=Appointment.Status.BOOKED)
    before = PainCheckInFactory(series=None, patient=first.patient, created_at=NOW - 3 * DAY)
    PainCheckInFactory(series=None, patient=first.patient, created_at=first.end + DAY)

    assert checkins_since_last_session(first) == [before]


@pytest.mark.parametrize("count", [1, 12])
def test_the_check_ins_are_read_in_two_queries_however_many(
    series, appointment, desk_user, count, django_assert_max_num_queries
):
    for n in range(count):
        PainCheckInFactory(
            series=series,
            created_at=NOW - (n + 1) * DAY,
            red_flags=[RedFlag.UNWELL],
            acknowledged_by=desk_user,
            acknowledged_at=NOW,
        )

    with django_assert_max_num_queries(2):
        rows = checkins_since_last_session(appointment)
        names = [c.acknowledged_by.get_username() for c in rows]

    assert len(rows) == count and set(names) == {"desk"}


def test_the_desk_cannot_open_the_record_and_never_reads_the_panel(desk_client, series, appointment):
    PainCheckInFactory(series=series, note="hot and swollen since last night", created_at=NOW - 2 * DAY)

    response = desk_client.get(url(appointment))

    assert response.status_code == 403
    assert PANEL not in response.content.decode()


def test_the_clinic_admin_reads_the_panel_too(admin_client_, series, appointment):
    PainCheckInFactory(series=series, note="a little stiff in the morning", created_at=NOW - 20 * DAY)

    assert "a little stiff in the morning" in _panel(admin_client_.get(url(appointment)).content.decode())


def test_another_patients_check_ins_never_show(series, appointment):
    PainCheckInFactory(patient=PatientFactory(), series=None, created_at=NOW - DAY)

    assert checkins_since_last_session(appointment) == []
