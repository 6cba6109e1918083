"""The day page around its grid (the layout: header, navigation, footer; the page's heading and
action form), as two encoded halves the view joins with the grid's bytes (day_grid.DayGrid.body).

Of the request, the layout shows only what the context processors give it (settings TEMPLATES):
who is signed in (name, roles), the clinic's settings, the count of red flags to call back
(treatments.inbox's processor, reached by its setting as the template does) and the CSRF token.
So the halves are rendered once per those values, with a marker where the token goes, kept by the
process and filled with each request's own token; a page of its own kind is rendered as any other
page: with a problem to show, with messages waiting (showing them uses them up), or with the
clinic admin's sign-in notices. tests/treatments/scheduling/test_calendar_day_page.py holds a kept page equal to one
rendered in full, for each role."""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template import engines
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

TEMPLATE = "treatments/calendar_day.html"
# Private-use characters: in no page, unchanged by escaping.
GRID_MARKER = "\ue000day-grid\ue001"
TOKEN_MARKER = "\ue000csrf-token\ue001"
FRAMES = 256

_frames: dict[tuple, tuple[str, str]] = {}


def _halves(request: HttpRequest, context: dict) -> tuple[str, str]:
    before, after = render_to_string(TEMPLATE, {**context, "grid_marker": mark_safe(GRID_MARKER)}, request).split(
        GRID_MARKER
    )
    return before, after


def _layout_key(request: HttpRequest) -> tuple | None:
    """What the layout shows of this request besides its CSRF token, from the context processors
    themselves; None for a page of its own kind (messages waiting, sign-in notices)."""
    values: dict = {}
    for processor in engines["django"].engine.template_context_processors:  # type: ignore[attr-defined]
        values.update(processor(request))
    if "lockout_notice" in values or len(values["messages"]):
        return None
    user, clinic = values["user"], values["clinic_settings"]
    callbacks = values.get("open_callbacks")
    return (
        user.pk,
        user.get_username(),
        values["user_roles"],
        tuple(getattr(clinic, field.attname) for field in clinic._meta.concrete_fields),
        callbacks() if callable(callbacks) else callbacks,
    )


def page_halves(request: HttpRequest, context: dict) -> tuple[bytes, bytes]:
    """The page before and after its grid, encoded. `context`: the template's own values besides
    the grid (the problem to show)."""
    layout = None if context.get("problem") else _layout_key(request)
    if layout is None:
        before, after = _halves(request, context)
        return before.encode(), after.encode()
    key = (get_language(), get_script_prefix(), get_urlconf(), *layout)
    found = _frames.get(key)
    if found is None:
        found = _halves(request, {**context, "csrf_token": TOKEN_MARKER})
        if len(_frames) >= FRAMES:
            _frames.clear()
        _frames[key] = found
    token = get_token(request)  # as the template's {% csrf_token %} does (the cookie is set too)
    before, after = found
    return before.replace(TOKEN_MARKER, token).encode(), after.replace(TOKEN_MARKER, token).encode()


def forget_frames() -> None:
    _frames.clear()
