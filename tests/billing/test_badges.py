"""Money on treatments' pages through treatments.hooks: the day calendar's cards, the series page
and the patient page show the package's sessions, the balance due and the links billing gives, in
a fixed number of queries, and a kept day grid is rebuilt when the money changes."""

import datetime as dt
import uuid

import pytest
import time_machine

from billing import services
from billing.badges import appointment_badges, patient_badges, series_badges
from billing.models import CancellationPolicy, MissedVisit
from billing.services import AllocationRequest
from tests.billing.factories_series import SOLD, STARTS, knee_series, sell
from tests.factories import PatientFactory, appointment_type
from tests.treatments.factories_calendar import booking
from treatments import hooks
from treatments.hooks import ShownAppointment
from treatments.scheduling.services.attendance import appointment_check_in, appointment_mark_no_show

pytestmark = pytest.mark.django_db


def _card(page: str, appointment_id: int) -> str:
    card = page[page.index(f'id="appt-{appointment_id}"') :]
    return card[: card.index("</article>")]


def test_the_day_card_shows_the_package_session_and_the_balance(
    desk_client, desk_user, django_capture_on_commit_callbacks
):
    setup = knee_series()
    sell(setup, by=desk_user)  # $600.00 owed
    first = setup.sessions[0]
    with time_machine.travel(first.start + dt.timedelta(minutes=5), tick=False):
        page = desk_client.get(f"/desk/?date={STARTS[0].date()}").content.decode()
        card = _card(page, first.pk)
        assert "Package: 0 of 5 used" in card
        assert "Balance due $600.00" in card
        with django_capture_on_commit_callbacks(execute=True):
            appointment_check_in(appointment=first, by=desk_user, now=first.start + dt.timedelta(minutes=5))
        card = _card(desk_client.get(f"/desk/?date={STARTS[0].date()}").content.decode(), first.pk)
    assert "Session 1 of 5 — package" in card


def test_a_payment_refreshes_the_kept_day_grid(desk_client, desk_user):
    setup = knee_series()
    package = sell(setup, by=desk_user)
    url = f"/desk/?date={STARTS[0].date()}"
    with time_machine.travel(SOLD, tick=False):
        assert "Balance due $600.00" in _card(desk_client.get(url).content.decode(), setup.sessions[0].pk)
        services.payment_take(
            patient_id=setup.patient.pk,
            location_id=setup.location.pk,
            method="cash",
            amount=60000,
            allocations=[AllocationRequest(package.invoice_id, 60000)],
            attempt_key=uuid.uuid4(),
            by=desk_user,
            now=SOLD,
        )
        card = _card(desk_client.get(url).content.decode(), setup.sessions[0].pk)
    assert "Balance due" not in card and "Package: 0 of 5 used" in card


def test_a_no_show_card_links_to_the_three_choices(desk_client, desk_user, django_capture_on_commit_callbacks):
    CancellationPolicy.objects.create(appointment_type=appointment_type("injection"), charge="fixed", amount=5000)
    setup = knee_series()
    second = setup.sessions[1]
    late = second.start + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_mark_no_show(appointment=second, by=desk_user, now=late)
    missed = MissedVisit.objects.get(appointment=second)
    with time_machine.travel(late, tick=False):
        card = _card(desk_client.get(f"/desk/?date={STARTS[1].date()}").content.decode(), second.pk)
    assert f'href="/billing/missed/{missed.pk}/">No-show: fee, forfeit or waiver</a>' in card


def test_the_series_and_patient_pages(desk_client, desk_user):
    setup = knee_series()
    with time_machine.travel(SOLD, tick=False):
        page = desk_client.get(f"/desk/series/{setup.series.pk}/").content.decode()
        assert f'href="/billing/series/{setup.series.pk}/package/">Sell the package</a>' in page
        package = sell(setup, by=desk_user)
        page = desk_client.get(f"/desk/series/{setup.series.pk}/").content.decode()
        assert f'href="/billing/packages/{package.pk}/">Package: 0 of 5 used</a>' in page
        assert "Balance due" not in page  # the patient's balance: on the patient page, not per session
        page = desk_client.get(f"/desk/patients/{setup.patient.pk}/").content.decode()
    assert "Balance due $600.00" in page and "Package: 0 of 5 used" in page


def test_the_patient_page_shows_each_visits_package_session_and_its_check_out(
    desk_client, desk_user, django_capture_on_commit_callbacks
):
    """Check-out from the patient page (the issue's item 9) and "session 1 of 5 — package" there
    (item 5): the attended visit's row says which package session it took and links its check-out;
    a booked one shows the package's count."""
    setup = knee_series()
    sell(setup, by=desk_user)
    first, second = setup.sessions[0], setup.sessions[1]
    arrived = first.start + dt.timedelta(minutes=5)
    with time_machine.travel(arrived, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            appointment_check_in(appointment=first, by=desk_user, now=arrived)
        page = desk_client.get(f"/desk/patients/{setup.patient.pk}/").content.decode()
    past = page[page.index('id="past"') :]
    upcoming = page[page.index('id="upcoming"') : page.index('id="past"')]
    assert "Session 1 of 5 — package" in past
    assert f'href="/billing/checkout/{first.pk}/">Check out</a>' in past
    assert "Package: 1 of 5 used" in upcoming and f"/billing/checkout/{second.pk}/" not in upcoming
    assert upcoming.count("Balance due") == past.count("Balance due") == 0  # once, at the top


def test_a_closed_packages_sessions_still_say_which_of_how_many(desk_client, desk_user, admin_user):
    """Once the package is closed early (the series stopped) its sessions' cards said "Session 3
    of ? — package": the total came from the series' live package only."""
    from billing.services.package_ends import package_close
    from billing.services.packages import redemption_make

    setup = knee_series()
    package = sell(setup, by=desk_user)
    for session in setup.sessions[:3]:
        redemption_make(appointment_id=session.pk, kind="attended", by=desk_user, now=session.start)
    third = setup.sessions[2]
    package_close(package_id=package.pk, reason="Stopped", attempt_key=uuid.uuid4(), by=admin_user, now=third.start)
    with time_machine.travel(third.start + dt.timedelta(hours=1), tick=False):
        card = _card(desk_client.get(f"/desk/?date={STARTS[2].date()}").content.decode(), third.pk)
    assert "Session 3 of 5 — package" in card and "of ?" not in card


@pytest.mark.parametrize("count", [1, 30])
def test_the_providers_ask_a_fixed_number_of_queries(desk_user, django_assert_num_queries, count):
    setup = knee_series()
    sell(setup, by=desk_user)
    others = [
        booking(
            setup.practitioner,
            setup.location,
            STARTS[0] + dt.timedelta(days=1, minutes=30 * n),
            patient=PatientFactory(),
        )
        for n in range(count)
    ]
    shown = [ShownAppointment(a.pk, a.patient_id, a.series_id, a.status) for a in [*setup.sessions, *others]]
    with django_assert_num_queries(1):  # the money of the appointments a page has read, their series' packages
        found = appointment_badges(shown)
    assert len(found) == 5  # the series' sessions; the others owe nothing and have no package
    with django_assert_num_queries(2):  # given bare ids, the hooks read the appointments first
        assert hooks.appointment_badges(a.pk for a in shown).keys() == found.keys()
    with django_assert_num_queries(2):
        series_badges([setup.series.pk])
    with django_assert_num_queries(1):
        patient_badges([setup.patient.pk] + [o.patient_id for o in others])


def test_the_day_page_with_money_reads_the_same_queries_for_few_or_many_cards(desk_client, desk_user):
    """Two days of the same series: session 1 alone, then session 2 with eight more patients owing
    an invoice each. Built afresh, both pages cost the same."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.services import invoice_add_line, invoice_create_draft, invoice_issue
    from treatments.scheduling.day_grid import forget_recent

    setup = knee_series()
    sell(setup, by=desk_user)
    busy = STARTS[1].date()
    for n in range(8):
        patient = PatientFactory()
        booking(setup.practitioner, setup.location, STARTS[1] + dt.timedelta(minutes=45 * (n + 1)), patient=patient)
        draft = invoice_create_draft(patient_id=patient.pk, location_id=setup.location.pk, by=None, now=SOLD)
        invoice_add_line(invoice_id=draft.pk, version=None, description="Visit", unit_price=4000, by=None, now=SOLD)
        invoice_issue(invoice_id=draft.pk, version=None, by=None, now=SOLD)

    def built(day) -> tuple[int, str]:
        cache.clear()
        forget_recent()
        with CaptureQueriesContext(connection) as captured:
            page = desk_client.get(f"/desk/?date={day}").content.decode()
        return len(captured), page

    desk_client.get(f"/desk/?date={busy}")
    few, _page = built(STARTS[0].date())
    many, page = built(busy)
    assert page.count("Balance due $40.00") == 8 and "Package: 0 of 5 used" in page
    assert few == many
