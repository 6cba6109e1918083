"""clinic/url_halves.py: an URL reversed once, joined around each id as `reverse` would write it."""

import pytest
from django.urls import NoReverseMatch, reverse

from clinic.url_halves import url_halves


@pytest.mark.parametrize("name", ["desk:patient", "admin:clinic_auditentry_change", "desk:calendar_week"])
def test_the_halves_around_an_id_make_the_reversed_url(name):
    before, after = url_halves(name)
    assert f"{before}42{after}" == reverse(name, args=[42])


def test_a_name_not_mounted_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        url_halves("no-such-page")
