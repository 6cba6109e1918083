from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinic.roles import clinical_required


@clinical_required
def today(request: HttpRequest) -> HttpResponse:
    # Filled by the practitioner issue: today's list.
    return render(request, "treatments/practice_today.html", {})
