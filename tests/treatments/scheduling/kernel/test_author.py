"""kernel.author: the user a row records as who made a change; an anonymous visitor never writes."""

import pytest
from django.contrib.auth.models import AnonymousUser

from treatments.scheduling.services.kernel.history import author


def test_a_staff_user_is_the_author(desk_user):
    assert author(desk_user) == desk_user


def test_none_is_the_patient_or_the_system():
    assert author(None) is None


def test_an_anonymous_visitor_is_refused():
    with pytest.raises(ValueError, match="anonymous"):
        author(AnonymousUser())
