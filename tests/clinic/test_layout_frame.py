"""clinic.layout_frame keys a kept layout on the context processors' values: the layout must never
read what the key leaves out (the request, the permissions), and a value the key cannot hold makes
the page render in full rather than kept wrong."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory

from clinic import layout_frame

pytestmark = pytest.mark.django_db

BASE = Path(settings.BASE_DIR)
# The layout and the pages kept with it (their templates around the hole).
FRAMED = [
    "templates/base.html",
    "treatments/templates/treatments/calendar_day.html",
    "patients/templates/patients/search.html",
]


@pytest.mark.parametrize("template", FRAMED)
def test_a_kept_layout_reads_neither_the_request_nor_the_permissions(template):
    text = re.sub(r"{% comment %}.*?{% endcomment %}", "", (BASE / template).read_text(), flags=re.S)
    assert not re.search(r"\b(request|perms)\b", text)


def test_a_value_the_key_cannot_hold_renders_the_page_in_full(desk_user, monkeypatch):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/desk/patients/")
    request.user, request.session = desk_user, SessionStore()
    request._messages = FallbackStorage(request)
    key = layout_frame._layout_key(request)
    assert key is not None and ("user", (desk_user.pk, "desk")) in key
    engine = layout_frame.engines["django"].engine
    monkeypatch.setattr(
        engine, "template_context_processors", (*engine.template_context_processors, lambda _r: {"x": object()})
    )
    assert layout_frame._layout_key(request) is None
