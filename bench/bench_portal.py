"""Public and portal pages: the education index, a condition page, search, the Markdown renderer
on the longest seeded page, and a patient's portal home."""

from __future__ import annotations

import datetime as dt
from functools import partial

from bench.core import Context, Result, benchmark, time_per_op


def _anonymous():
    from django.test import Client

    return Client()


@benchmark
def education_pages(_ctx: Context) -> list[Result]:
    client = _anonymous()
    out = []
    for name, url in [
        ("education: index", "/education/"),
        ("education: knee page", "/education/knee-osteoarthritis/"),
        ("education: search 'knee'", "/education/search/?q=knee"),
    ]:
        if client.get(url).status_code != 200:
            continue
        out.append(Result(name, time_per_op(partial(client.get, url), repeat=30), 30, kind="page"))
    return out


@benchmark
def markdown_rendering(_ctx: Context) -> list[Result]:
    from django.db.models.functions import Length

    from clinic.models import ClinicSettings
    from education.models import Page
    from education.rendering import render_markdown

    page = Page.objects.annotate(n=Length("body")).order_by("-n").first()
    if page is None:
        return []
    clinic = ClinicSettings.load()
    seconds = time_per_op(lambda: render_markdown(page.body, clinic=clinic), repeat=200)
    return [Result("education: Markdown + nh3 of the longest page", seconds, 200, note=f"{len(page.body)} chars")]


@benchmark
def portal_home(_ctx: Context) -> list[Result]:
    from django.utils import timezone

    from patients.models import Patient
    from patients.tokens import portal_token_issue

    patient = Patient.objects.filter(series__isnull=False).order_by("pk").first() or Patient.objects.first()
    if patient is None:
        patient = Patient.objects.create(first_name="Bench", last_name="Portal", date_of_birth=dt.date(1970, 1, 1))
    raw = portal_token_issue(patient=patient, now=timezone.now(), days=1)
    client = _anonymous()
    url = f"/portal/{raw}/"
    seconds = time_per_op(lambda: client.get(url), repeat=30)
    return [Result("portal: patient home", seconds, 30, kind="page")]
