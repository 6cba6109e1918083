from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinic.roles import desk_required


@desk_required
def calendar(request: HttpRequest) -> HttpResponse:
    # Filled by the front-desk issue: the day calendar.
    return render(request, "treatments/desk_calendar.html", {})
