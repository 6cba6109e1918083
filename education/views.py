from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def index(request: HttpRequest) -> HttpResponse:
    # Filled by the education issue.
    return render(request, "education/index.html", {})
