"""Online holds cannot take a day hostage and codes cannot be pumped (issue 20, item 3): holds last
five minutes, a day's share of held times is capped, holds are limited per contact as well as per
address, and code texts go only to mobile numbers of the allowed countries, three an hour to one
number and a clinic-wide hourly ceiling that alerts in the log."""

import datetime as dt
import logging
from urllib.parse import urlencode

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from clinic.models import ClinicSettings
from notifications import sms
from tests.treatments.booking.factories_booking import NOW, SLOT, consultation, details, open_online
from treatments.booking.selectors import online_slots, online_window
from treatments.booking.services.holds import DayFull, online_hold_create
from treatments.models import OnlineBooking

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_limits():
    cache.clear()
    sms.outbox.clear()
    with time_machine.travel(NOW, tick=False):
        yield


def _free(location, practitioner, *, holds_count=True):
    """The day's online times: free now, or (holds_count=False) free but for the online holds."""
    window = online_window(clinic=ClinicSettings.load(), now=NOW)
    return online_slots(
        appointment_type=consultation(),
        location=location,
        practitioners=[practitioner],
        day=SLOT.date(),
        window=window,
        now=NOW if holds_count else None,
    )


def test_visitors_cannot_hold_more_than_the_days_share_of_its_free_times(settings):
    settings.ONLINE_HOLD_DAY_SHARE = 0.25
    practitioner, location, _patient = open_online()
    offered = len(_free(location, practitioner))
    held, refused = 0, 0
    for n in range(offered):
        free = _free(location, practitioner)
        if not free:
            break
        try:
            online_hold_create(
                appointment_type=consultation(),
                location=location,
                practitioners=[practitioner],
                start=free[0].start,
                now=NOW,
                **details(email=f"hoarder{n}@example.com", phone=f"+1312555{n:04d}"),
            )
            held += 1
        except DayFull as exc:
            assert "try again in a few minutes" in str(exc)
            refused += 1
        # At every moment at most a quarter of the day's online times are held.
        assert offered - len(_free(location, practitioner)) <= 0.25 * offered
        assert len(_free(location, practitioner, holds_count=False)) == offered

    assert held >= 2 and refused > 0
    assert OnlineBooking.objects.filter(status=OnlineBooking.Status.HELD).count() == held  # nothing half-saved


def test_a_hold_lasts_five_minutes():
    practitioner, location, _patient = open_online()
    kwargs = {"appointment_type": consultation(), "location": location, "practitioners": [practitioner], "start": SLOT}
    first = online_hold_create(now=NOW, **kwargs, **details())
    assert first.expires_at == NOW + dt.timedelta(minutes=5)
    again = online_hold_create(now=NOW + dt.timedelta(minutes=5), **kwargs, **details(email="next@example.com"))
    assert again.status == OnlineBooking.Status.HELD


def _details_url(location, start) -> str:
    query = {"appointment_type": consultation().pk, "location": location.pk, "practitioner": "any"}
    return "/book/details/?" + urlencode({**query, "start": start.isoformat()})


def _form(**over) -> dict:
    data = {
        "first_name": "Nina",
        "last_name": "Berg",
        "date_of_birth": "1980-03-04",
        "phone": "(312) 555-0188",
        "email": "nina@example.com",
        "code_channel": "email",
        "email_consent": "on",
    }
    return {**data, **over}


def _times(n):
    """n starts on n different weekdays (each day's share of holds is a limit of its own)."""
    days = [0, 1, 2, 7, 8, 9, 14, 15]
    return [SLOT + dt.timedelta(days=days[i]) for i in range(n)]


def test_one_contact_holds_at_most_three_times_an_hour_from_any_number_of_addresses():
    _practitioner, location, _patient = open_online()
    answers = [
        Client().post(_details_url(location, start), _form(), REMOTE_ADDR=f"203.0.113.{i + 1}")
        for i, start in enumerate(_times(4))
    ]
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert "in the last hour" in answers[-1].content.decode()
    assert answers[-1]["Retry-After"] == "3600"
    assert OnlineBooking.objects.count() == 3


@pytest.mark.parametrize(
    ("phone", "why"),
    [
        ("+44 7400 123456", "We can only text codes to numbers in US"),  # another country
        ("+1 900 200 1234", "We can only text codes to mobile numbers"),  # a premium-rate line
    ],
)
def test_a_code_is_texted_only_to_a_mobile_number_of_the_allowed_countries(phone, why):
    _practitioner, location, _patient = open_online()
    response = Client().post(_details_url(location, SLOT), _form(phone=phone, code_channel="sms"))
    assert response.status_code == 400
    assert why in response.content.decode()
    assert not OnlineBooking.objects.exists() and sms.outbox == []


def test_another_country_may_be_allowed(settings, django_capture_on_commit_callbacks):
    settings.SMS_CODE_COUNTRIES = ["US", "GB"]
    _practitioner, location, _patient = open_online()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(_details_url(location, SLOT), _form(phone="+44 7400 123456", code_channel="sms"))
    assert response.status_code == 302
    assert [t["to"] for t in sms.outbox] == ["+447400123456"]


def test_three_code_texts_an_hour_to_one_number(django_capture_on_commit_callbacks):
    _practitioner, location, _patient = open_online()
    browser = Client()
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post(_details_url(location, SLOT), _form(code_channel="sms")).status_code == 302
        assert browser.post("/book/verify/", {"resend": "1"}).status_code == 200
        assert browser.post("/book/verify/", {"resend": "1"}).status_code == 200
        refused = browser.post("/book/verify/", {"resend": "1"})
    assert refused.status_code == 429
    assert "several codes to this number" in refused.content.decode()
    assert len(sms.outbox) == 3


def test_a_clinic_wide_hourly_ceiling_on_code_texts_alerts_in_the_log(settings, caplog):
    settings.SMS_CODES_PER_HOUR = 2
    _practitioner, location, _patient = open_online()
    answers = [
        Client().post(
            _details_url(location, start),
            _form(code_channel="sms", email=f"v{i}@example.com", phone=f"(312) 555-01{i:02d}"),
            REMOTE_ADDR=f"198.51.100.{i + 1}",
        )
        for i, start in enumerate(_times(3))
    ]
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "cannot send codes by text message right now" in answers[-1].content.decode()
    alert = [r for r in caplog.records if r.levelno == logging.ERROR and "SMS_CODES_PER_HOUR" in r.getMessage()]
    assert alert
    assert OnlineBooking.objects.count() == 2
