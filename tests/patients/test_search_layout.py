"""The patient search page's layout is kept per what it shows of the request (clinic.layout_frame):
whatever is searched, and for every role, the page is the one a full render gives."""

import re

import pytest

from clinic import layout_frame
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())


@pytest.mark.parametrize("who", ["desk_client", "practitioner_client", "admin_client_"])
@pytest.mark.parametrize("query", ["", "?q=Whit", "?q=Nobody", "?q=%3Cb%3E", "?q=12", "?q=" + "x" * 150])
def test_the_kept_layout_gives_the_page_a_full_render_gives(request, monkeypatch, who, query):
    PatientFactory(first_name="Ann", last_name="White")
    PatientFactory(first_name="Bob", last_name="Whitaker")
    client = request.getfixturevalue(who)
    url = f"/desk/patients/{query}"
    kept = [_page(client, url), _page(client, url)]
    with monkeypatch.context() as patched:
        patched.setattr(layout_frame, "_layout_key", lambda _request: None)  # as a page of its own kind
        full = _page(client, url)
    assert kept[0] == kept[1] == full
    assert "\ue000" not in full


def test_each_search_shows_its_own_results_and_the_box_its_own_words(desk_client):
    PatientFactory(first_name="Ann", last_name="White")
    PatientFactory(first_name="Bob", last_name="Green")
    white, green = _page(desk_client, "/desk/patients/?q=White"), _page(desk_client, "/desk/patients/?q=Green")
    assert "White, Ann" in white and "Green, Bob" not in white and 'value="White"' in white
    assert "Green, Bob" in green and "White, Ann" not in green and 'value="Green"' in green
    assert "&lt;script&gt;" in _page(desk_client, "/desk/patients/?q=%3Cscript%3E")
