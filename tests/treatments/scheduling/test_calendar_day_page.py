"""The day page's layout is rendered once per what it shows of the request (clinic.layout_frame), filled with each
request's CSRF token: the page is the one a full render gives, for every role and layout, its
token works, and what the layout shows of the request (the call-back count, the clinic's name,
messages) is on the next look."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from clinic import layout_frame
from clinic.models import ClinicSettings
from tests.factories import PatientFactory, UserFactory
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours
from treatments.models import PainCheckIn, RedFlag

pytestmark = pytest.mark.django_db

NOW = at(DAY, 8, 30)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _without_token(html: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', html)


def _red_flag() -> None:
    PainCheckIn.objects.create(
        patient=PatientFactory(), pain=8, red_flags=[RedFlag.FEVER], created_at=timezone.now() - dt.timedelta(hours=1)
    )


def _page(client, url=f"/desk/?date={DAY}") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _rendered_in_full(client, monkeypatch, url=f"/desk/?date={DAY}") -> str:
    with monkeypatch.context() as patched:
        patched.setattr(layout_frame, "_layout_key", lambda _request: None)  # as a page of its own kind
        return _page(client, url)


@pytest.mark.parametrize("who", ["desk_client", "practitioner_client", "admin_client_"])
@pytest.mark.parametrize("own_time_off", [False, True])
@pytest.mark.parametrize("red_flags", [0, 1, 2])
def test_the_kept_layout_gives_the_page_a_full_render_gives(request, monkeypatch, who, own_time_off, red_flags):
    ClinicSettings.objects.update_or_create(pk=1, defaults={"practitioners_own_time_off": own_time_off})
    for _ in range(red_flags):
        _red_flag()
    ada, main = practitioner_with_hours()
    booking(ada, main, at(DAY, 9))
    client = request.getfixturevalue(who)
    first, second = _page(client), _page(client)
    assert _without_token(first) == _without_token(second) == _without_token(_rendered_in_full(client, monkeypatch))
    assert "\ue000" not in first  # no marker left
    filtered = f"/desk/?date={DAY}&location={main.pk}"
    assert _without_token(_page(client, filtered)) == _without_token(_rendered_in_full(client, monkeypatch, filtered))


def test_each_page_carries_its_own_working_token(desk_user):
    ada, main = practitioner_with_hours()
    appointment = booking(ada, main, at(DAY, 9))
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk_user)
    tokens = [TOKEN.search(_page(client)).group(0).split('value="')[1][:-1] for _ in range(2)]
    assert tokens[0] != tokens[1]  # masked afresh, as a full render does
    response = client.post(f"/desk/appointments/{appointment.pk}/check-in/", {"csrfmiddlewaretoken": tokens[1]})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == appointment.Status.CHECKED_IN


def test_the_next_look_shows_a_new_red_flag_a_new_name_and_a_message_once(desk_client):
    ada, main = practitioner_with_hours()
    appointment = booking(ada, main, at(DAY, 9))
    assert 'id="callback-count"' not in _page(desk_client)
    _red_flag()
    assert 'id="callback-count">1<' in _page(desk_client)
    _red_flag()
    assert 'id="callback-count">2<' in _page(desk_client)
    ClinicSettings.objects.update_or_create(pk=1, defaults={"name": "Harbour Prolo"})
    assert "<title>Day calendar · Harbour Prolo</title>" in _page(desk_client)
    desk_client.post(f"/desk/appointments/{appointment.pk}/check-in/")
    with_message = _page(desk_client)
    assert 'class="messages"' in with_message and "checked in" in with_message.lower()
    assert 'class="messages"' not in _page(desk_client)  # shown once, as on any page


def test_two_people_at_the_desk_each_see_their_own_name(desk_user):
    other = UserFactory(username="desk2")
    other.groups.add(*desk_user.groups.all())
    pages = []
    for user in (desk_user, other, desk_user):
        client = Client()
        client.force_login(user)
        pages.append(_page(client))
    assert [f">{name}</a></li>" in page for page, name in zip(pages, ["desk", "desk2", "desk"], strict=True)] == [
        True
    ] * 3
    assert ">desk</a></li>" not in pages[1]
