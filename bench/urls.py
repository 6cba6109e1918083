"""The bench URLconf: the whole site plus the framework floor, so both are measured in the same
process, through the same middleware, against the same database."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

from clinic.models import Location

FLOOR_TEMPLATE = engines["django"].from_string(
    "<!doctype html><title>floor</title><ul>{% for l in locations %}<li>{{ l.name }}</li>{% endfor %}</ul>"
)


def floor(request: HttpRequest) -> HttpResponse:
    """A bare view: one query, a small template. Everything a real page costs beyond this is ours."""
    return HttpResponse(FLOOR_TEMPLATE.render({"locations": list(Location.objects.all()[:5])}, request))


urlpatterns = [
    path("__bench__/floor/", floor, name="bench-floor"),
    path("", include("clinic.urls")),
]
