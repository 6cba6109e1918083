"""A busy page's layout (base.html: header, navigation, footer) kept per what it shows of the
request, and the page's own part put in its hole: the desk's day and the patient search are opened
all day, and the template engine spent a millisecond a page drawing the same layout.

Of the request, the layout shows only what the context processors give it (settings TEMPLATES): who
is signed in (name, roles), the clinic's settings, the count of red flags to call back (reached by
its name, as the template does: clinic never imports treatments) and the CSRF token. So a page's
template is rendered once per those values, the template's name, the language, the script prefix
and the URLconf, and the view's own `context` (hashable values), with markers where the page's
part and the token go; kept by the process and filled with each request's token. A page of its own
kind is rendered in full each time, as any page is: with messages waiting (showing them uses them
up), with the clinic admin's sign-in notices, or with any value of a context processor the key
cannot hold (one added since: the page is then rendered in full, never kept wrong).

`marker` and `kept_render` serve any render kept the same way (the day grid's toolbar, per setup).

The template holds `{{ hole }}` once, where the view's part goes (HTML it has escaped, or built
from escaped values). tests/treatments/scheduling/test_calendar_day_page.py and
tests/patients/test_search_layout.py hold each kept page equal to one rendered in full, for each
role; tests/clinic/test_layout_frame.py holds the layout free of what the key leaves out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

FRAMES = 256
T = TypeVar("T")

_frames: dict[tuple, Any] = {}


def marker(name: str) -> str:
    """A stand-in for a value filled in later: private-use characters around its name, in no page
    and unchanged by escaping."""
    return f"\ue000{name}\ue001"


HOLE, TOKEN = marker("hole"), marker("csrf-token")


def kept_render(key: tuple, render: Callable[[], T]) -> T:
    """`render()` kept by the process under `key` and the page's place (language, script prefix,
    URLconf): the busy pages' frames, at most FRAMES of them."""
    key = (get_language(), get_script_prefix(), get_urlconf(), *key)
    found = _frames.get(key)
    if found is None:
        found = render()
        if len(_frames) >= FRAMES:
            _frames.clear()
        _frames[key] = found
    return found


# The context processors' values the key need not hold: the layout never reads the request or the
# permissions (tests/clinic/test_layout_frame.py holds base.html free of them), the token is filled
# per request, the message levels are constants.
_NOT_SHOWN = frozenset({"request", "perms", "csrf_token", "DEFAULT_MESSAGE_LEVELS"})
_PLAIN = (str, int, float, bool, type(None), frozenset, tuple)


def _layout_key(request: HttpRequest) -> tuple | None:
    """What the layout shows of this request besides its CSRF token, from the context processors
    themselves; None for a page of its own kind (messages waiting, sign-in notices), or when a
    processor gives a value the key cannot hold (a processor added since: the page is then rendered
    in full, never kept wrong)."""
    values: dict = {}
    # The Django template backend's engine has template_context_processors; the stubs type
    # engines[...] as the base backend, which does not declare it.
    for processor in engines["django"].engine.template_context_processors:  # type: ignore[attr-defined]
        values.update(processor(request))
    key: list = []
    for name in sorted(values.keys() - _NOT_SHOWN):
        value = values[name]
        if name == "messages":
            if len(value):
                return None
            continue
        if name == "user":
            value = (value.pk, value.get_username())
        elif name == "clinic_settings":
            value = tuple(getattr(value, field.attname) for field in value._meta.concrete_fields)
        elif name == "open_callbacks" and callable(value):
            value = value()  # the red-flag count (treatments.inbox's processor)
        elif not isinstance(value, _PLAIN):
            return None  # e.g. the admin's sign-in notices (lockout_notice)
        key.append((name, value))
    return tuple(key)


def _halves(request: HttpRequest, template_name: str, context: Mapping) -> tuple[str, str]:
    page = render_to_string(template_name, {**context, "hole": mark_safe(HOLE)}, request)
    before, after = page.split(HOLE)
    return before, after


def framed_response(
    request: HttpRequest,
    template_name: str,
    part: bytes | str,
    *,
    context: Mapping | None = None,
    status: int = 200,
) -> HttpResponse:
    """`template_name` with `part` (the view's HTML, escaped by it: bytes are UTF-8) in its hole,
    its layout kept per what it shows of the request. `context`: the template's other values,
    hashable (they key the kept frame)."""
    context = context or {}
    body = part if isinstance(part, bytes) else part.encode()
    layout = _layout_key(request)
    if layout is None:
        before, after = _halves(request, template_name, context)
        return HttpResponse(b"".join((before.encode(), body, after.encode())), status=status)
    key = (template_name, *layout, *sorted(context.items()))
    found = kept_render(key, lambda: _halves(request, template_name, {**context, "csrf_token": TOKEN}))
    token = get_token(request)  # as the template's {% csrf_token %} does (the cookie is set too)
    before, after = found
    filled = (before.replace(TOKEN, token).encode(), body, after.replace(TOKEN, token).encode())
    return HttpResponse(b"".join(filled), status=status)


def forget_frames() -> None:
    """Empty this process's frames (the tests do before each test)."""
    _frames.clear()
