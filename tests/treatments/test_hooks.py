"""treatments.hooks: an app above treatments shows badges on the desk's pages and hears what the
desk records, while treatments never imports it. Here a provider and a receiver of the test's own
stand in for billing (billing's are tested in tests/billing)."""

import datetime as dt

import pytest
import time_machine

from tests.factories import PatientFactory
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours, series_booking
from tests.treatments.factories_desk import book_series, clinic_setup, local
from treatments import hooks
from treatments.models import Appointment
from treatments.scheduling.services.attendance import appointment_check_in, appointment_mark_no_show
from treatments.scheduling.services.booking import appointment_book, appointment_cancel, series_discontinue

pytestmark = pytest.mark.django_db


@pytest.fixture
def provided(monkeypatch):
    """A provider per kind that answers every id it is asked for, and records each call."""
    calls: list[tuple[str, list[int]]] = []

    def provider(kind):
        def answer(ids):
            calls.append((kind, list(ids)))
            return {
                i: [f"{kind} <b>{i}</b>", {"text": f"Pay {i}", "href": f"/money/{i}/", "tone": "warning"}] for i in ids
            }

        return answer

    for kind in ("appointment", "series", "patient"):
        monkeypatch.setitem(hooks._providers, kind, [provider(kind)])
    return calls


def test_badges_are_normalised_and_a_page_asks_once_for_all_ids(provided):
    found = hooks.appointment_badges([3, 1, 3])
    assert provided == [("appointment", [1, 3])]
    assert found[1] == [
        {"text": "appointment <b>1</b>", "href": "", "tone": "info", "scope": ""},
        {"text": "Pay 1", "href": "/money/1/", "tone": "warning", "scope": ""},
    ]
    assert hooks.series_badges([]) == {}  # no ids: no provider is asked
    assert provided == [("appointment", [1, 3])]


def test_a_badge_made_once_is_shared_normalised_and_rendered_escaped(monkeypatch, desk_client):
    """A provider hands the same badge to many cards through hooks.badge(): one object, rendered once,
    shown on each card exactly as a plain dict would be."""
    made = hooks.badge("Owes <£5>", href="/pay/?a=1&b=2", tone="loud", scope="patient")
    assert hooks.badge("Owes <£5>", href="/pay/?a=1&b=2", tone="loud", scope="patient") is made
    assert made == {"text": "Owes <£5>", "href": "/pay/?a=1&b=2", "tone": "info", "scope": "patient"}
    as_dict = hooks.badges_html([hooks._badge(dict(made))])
    assert hooks.badges_html([made]) == as_dict
    assert as_dict == ' <a class="badge text-bg-light border hook-badge" href="/pay/?a=1&amp;b=2">Owes &lt;£5&gt;</a>'
    monkeypatch.setitem(hooks._providers, "appointment", [lambda ids: {i: [made] for i in ids}])
    ada, main = practitioner_with_hours()
    first, second = booking(ada, main, at(DAY, 9)), booking(ada, main, at(DAY, 10))
    found = hooks.appointment_badges([first.pk, second.pk])
    assert found[first.pk][0] is found[second.pk][0] is made
    page = desk_client.get(f"/desk/?date={DAY}").content.decode()
    assert page.count(as_dict) == 2


def test_an_unknown_kind_cannot_be_registered():
    with pytest.raises(ValueError, match="unknown badge kind"):
        hooks.register_badges("invoice", lambda _ids: {})


def test_the_day_calendar_shows_each_cards_badges_escaped_with_one_call(provided, desk_client):
    ada, main = practitioner_with_hours()
    first = booking(ada, main, at(DAY, 9))
    second = booking(ada, main, at(DAY, 10))
    page = desk_client.get(f"/desk/?date={DAY}").content.decode()
    assert provided == [("appointment", sorted([first.pk, second.pk]))]
    card = page[page.index(f'id="appt-{first.pk}"') :]
    card = card[: card.index("</article>")]
    assert f"appointment &lt;b&gt;{first.pk}&lt;/b&gt;" in card
    assert f'<a class="badge text-bg-warning hook-badge" href="/money/{first.pk}/">Pay {first.pk}</a>' in card


def test_the_series_and_patient_pages_show_their_badges(provided, desk_client):
    with time_machine.travel(local(2026, 5, 1, 12), tick=False):
        setup = clinic_setup()
        series = book_series(setup, [local(2026, 5, 5), local(2026, 6, 2)], now=local(2026, 5, 1, 12))
        page = desk_client.get(f"/desk/series/{series.pk}/").content.decode()
        assert f"series &lt;b&gt;{series.pk}&lt;/b&gt;" in page
        session = series.appointments.order_by("series_step").first()
        assert f'href="/money/{session.pk}/"' in page  # each session row
        kinds = [kind for kind, _ids in provided]
        assert kinds == ["series", "appointment"]
        provided.clear()
        page = desk_client.get(f"/desk/patients/{series.patient_id}/").content.decode()
        assert f"patient &lt;b&gt;{series.patient_id}&lt;/b&gt;" in page
        assert f'href="/money/{series.pk}/"' in page  # the series card
        assert f'href="/money/{session.pk}/"' in page  # each appointment row
        assert [kind for kind, _ids in provided] == ["patient", "series", "appointment"]


@pytest.fixture
def heard():
    """What a receiver of each event heard (connected for the test only)."""
    events: list[tuple[str, dict]] = []

    def receiver(name):
        def hear(sender, **kwargs):
            kwargs.pop("signal", None)
            events.append((name, kwargs))

        return hear

    receivers = {name: receiver(name) for name in ("appointment_outcome", "series_discontinued", "appointments_booked")}
    for name, hear in receivers.items():
        getattr(hooks, name).connect(hear)
    yield events
    for name, hear in receivers.items():
        getattr(hooks, name).disconnect(hear)


def test_attendance_and_no_show_are_sent_after_the_commit(heard, desk_user, django_capture_on_commit_callbacks):
    ada, main = practitioner_with_hours()
    came = booking(ada, main, at(DAY, 9, 30))
    missed = booking(ada, main, at(DAY, 8))
    now = at(DAY, 9, 10)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        appointment_check_in(appointment=came, by=desk_user, now=now)
    assert heard == []  # nothing before the commit
    for callback in callbacks:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        appointment_mark_no_show(appointment=missed, by=desk_user, now=now)
    assert heard == [
        ("appointment_outcome", {"appointment_id": came.pk, "status": "attended", "by": desk_user, "now": now}),
        ("appointment_outcome", {"appointment_id": missed.pk, "status": "no_show", "by": desk_user, "now": now}),
    ]


def test_a_refused_check_in_sends_nothing(heard, desk_user, django_capture_on_commit_callbacks):
    ada, main = practitioner_with_hours()
    tomorrow = booking(ada, main, at(DAY + dt.timedelta(days=1), 9))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception, match="on the day"):
        appointment_check_in(appointment=tomorrow, by=desk_user, now=at(DAY, 9))
    assert heard == []


@pytest.mark.parametrize(("kind", "status"), [("late", "late_cancelled"), ("patient", "cancelled")])
def test_a_cancellation_says_whether_it_was_late(heard, desk_user, django_capture_on_commit_callbacks, kind, status):
    ada, main = practitioner_with_hours()
    appointment = booking(ada, main, at(DAY, 11))
    now = at(DAY, 9)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=appointment, kind=kind, reason="", by=desk_user, now=now)
    assert heard == [
        ("appointment_outcome", {"appointment_id": appointment.pk, "status": status, "by": desk_user, "now": now})
    ]


def test_bookings_and_discontinuing_are_sent(heard, desk_user, django_capture_on_commit_callbacks):
    now = local(2026, 5, 1, 12)
    with time_machine.travel(now, tick=False):
        setup = clinic_setup()
        practitioner, location, patient = setup
        with django_capture_on_commit_callbacks(execute=True):
            series = book_series(setup, [local(2026, 5, 5), local(2026, 6, 2)], now=now)
        sessions = sorted(series.appointments.values_list("pk", flat=True))
        assert heard == [
            ("appointments_booked", {"appointment_ids": sessions, "series_id": series.pk, "by": None, "now": now})
        ]
        heard.clear()
        with django_capture_on_commit_callbacks(execute=True):
            single = appointment_book(
                patient=PatientFactory(),
                practitioner=practitioner,
                location=location,
                appointment_type=series.protocol.appointment_type,
                start=local(2026, 5, 6, 10),
                by=desk_user,
                now=now,
            )
            series_discontinue(series=series, reason="Stopped.", by=desk_user, now=now)
        assert heard == [
            ("appointments_booked", {"appointment_ids": [single.pk], "series_id": None, "by": desk_user, "now": now}),
            ("series_discontinued", {"series_id": series.pk, "by": desk_user, "now": now}),
        ]
        assert not Appointment.objects.filter(series=series, status="booked").exists()


def test_a_failing_receiver_never_undoes_the_write(desk_user, django_capture_on_commit_callbacks, caplog):
    def broken(sender, **kwargs):
        raise RuntimeError("receiver broke")

    hooks.appointment_outcome.connect(broken)
    try:
        ada, main = practitioner_with_hours()
        series, sessions = series_booking(ada, main, [at(DAY, 9, 30)])
        with django_capture_on_commit_callbacks(execute=True):
            appointment_check_in(appointment=sessions[0], by=desk_user, now=at(DAY, 9, 10))
    finally:
        hooks.appointment_outcome.disconnect(broken)
    sessions[0].refresh_from_db()
    assert sessions[0].status == "checked_in"
    assert "receiver broke" in caplog.text
