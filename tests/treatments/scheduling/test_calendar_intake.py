"""The day calendar's card says "Intake done" for a first visit whose patient sent the intake form
and signed the consent; the day's query count does not change for it."""

import datetime as dt

import pytest

from patients.selectors_intake import consent_text_current
from patients.services_intake import IntakeData, consent_sign, intake_record
from tests.factories import PatientFactory
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours, series_booking

pytestmark = pytest.mark.django_db

NOW = at(DAY, 8, 30)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _done(patient, *, sign: bool = True) -> None:
    intake_record(patient=patient, data=IntakeData(blood_thinners=False), now=NOW - dt.timedelta(days=1))
    if sign:
        consent_sign(
            patient=patient,
            version=consent_text_current().version,
            typed_name=patient.full_name,
            agreed=True,
            ip=None,
            now=NOW - dt.timedelta(days=1),
        )


def _card(page: str, appointment) -> str:
    start = page.index(f'id="appt-{appointment.pk}"')
    return page[start : page.index("</article>", start)]


def test_the_card_says_intake_done_only_when_the_form_is_sent_and_the_consent_signed(desk_client):
    ada, main = practitioner_with_hours()
    done, form_only, nothing = PatientFactory(), PatientFactory(), PatientFactory()
    _done(done)
    _done(form_only, sign=False)
    cards = {p: booking(ada, main, at(DAY, 9 + n), patient=p) for n, p in enumerate([done, form_only, nothing])}
    _series, (session,) = series_booking(ada, main, [at(DAY, 13)], patient=done)
    page = desk_client.get(f"/desk/?date={DAY}").content.decode()
    assert "Intake done" in _card(page, cards[done])
    assert "Intake done" not in _card(page, cards[form_only])
    assert "Intake done" not in _card(page, cards[nothing])
    # A series session is not a first visit: no badge there.
    assert "Intake done" not in _card(page, session)


@pytest.mark.parametrize("count", [1, 30])
def test_the_badge_costs_no_query(desk_client, django_assert_max_num_queries, count):
    practitioners = [practitioner_with_hours(f"Dr {n}")[0] for n in range(3)]
    location = practitioners[0].working_hours.first().location
    for n in range(count):
        patient = PatientFactory()
        _done(patient)
        booking(practitioners[n % 3], location, at(DAY, 8) + dt.timedelta(minutes=45 * (n // 3)), patient=patient)
    desk_client.get("/desk/")
    # The same ceiling as the day page's own test (test_calendar_day.py).
    with django_assert_max_num_queries(15):
        page = desk_client.get(f"/desk/?date={DAY}").content.decode()
    assert page.count("Intake done") == count
