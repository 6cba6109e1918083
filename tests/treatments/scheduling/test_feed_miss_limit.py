"""Guessing at practitioners' calendar feed links: a client (an IPv6 client by its /64) that misses
more than FEED_MISS_LIMIT times an hour is answered 429 with Retry-After; a live link still works."""

import datetime as dt
import logging

import pytest

from clinic.feed_tokens import practitioner_feed_token_issue, practitioner_feed_token_revoke
from clinic.tokens import token_new
from tests.treatments.factories_calendar import DAY, at, practitioner_with_hours
from treatments.scheduling.views.feeds import FEED_MISS_LIMIT, FEED_MISS_WINDOW

pytestmark = pytest.mark.django_db

NOW = at(DAY, 8)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _get(client, token: str, address: str):
    return client.get(f"/desk/feeds/{token}.ics", REMOTE_ADDR=address)


def test_one_ipv6_64_spreading_its_misses_gets_429_with_retry_after(client, caplog):
    practitioner, _ = practitioner_with_hours()
    live = practitioner_feed_token_issue(practitioner=practitioner)
    guesses = [token_new() for _ in range(FEED_MISS_LIMIT + 1)]
    # Every guess from another address of the same /64.
    answers = [_get(client, raw, f"2001:db8:1:2::{n + 1:x}").status_code for n, raw in enumerate(guesses)]
    assert answers == [404] * FEED_MISS_LIMIT + [429]

    with caplog.at_level(logging.INFO):
        refused = _get(client, token_new(), "2001:db8:1:2:ffff::9")
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(FEED_MISS_WINDOW)
    assert "Try again in an hour" in refused.content.decode()
    # The live link still opens from that network; another network is not affected.
    assert _get(client, live, "2001:db8:1:2::77").status_code == 200
    assert _get(client, token_new(), "2001:db8:1:3::1").status_code == 404
    # The refusal was logged, without any token tried.
    everything_logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert "too many wrong links" in caplog.text
    assert all(raw not in everything_logged for raw in guesses)


def test_the_first_refusal_is_logged_without_the_token(client, caplog):
    guesses = [token_new() for _ in range(FEED_MISS_LIMIT + 1)]
    with caplog.at_level(logging.WARNING, logger="treatments.scheduling.views.feeds"):
        for raw in guesses:
            _get(client, raw, "203.0.113.9")
    assert [r.getMessage() for r in caplog.records if r.name == "treatments.scheduling.views.feeds"] == [
        "calendar feed: too many wrong links from 203.0.113.9, refused for the hour"
    ]
    assert not any(raw in caplog.text for raw in guesses)


def test_a_revoked_link_counts_as_a_miss_and_the_limit_lifts_after_the_hour(client, time_machine):
    practitioner, _ = practitioner_with_hours()
    old = practitioner_feed_token_issue(practitioner=practitioner)
    practitioner_feed_token_revoke(practitioner=practitioner)
    for _ in range(FEED_MISS_LIMIT):
        assert _get(client, old, "198.51.100.4").status_code == 404
    assert _get(client, old, "198.51.100.4").status_code == 429
    time_machine.move_to(NOW + dt.timedelta(seconds=FEED_MISS_WINDOW + 1), tick=False)
    assert _get(client, old, "198.51.100.4").status_code == 404
