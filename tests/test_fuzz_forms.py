"""Fuzzed input into every form of the site: walk the URLconf (tests/urlconf_walk.py), open each page
as a role that may see it — the clinic admin, the series' practitioner, the front desk, an anonymous
visitor, a patient with a real portal link — read the forms a browser would see, and submit random,
oversized, unicode and control-character values, and fields left out. Every answer is a 2xx, 3xx or
4xx, never a server error; and when the answer refuses the input (a 4xx, or the form shown again
with its errors) no row of the main tables was written.

A modest number of examples per page keeps it quick; hypothesis shrinks a failure to the smallest
submission, and the test's id names the page."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from clinic import roles
from clinic.models import AppointmentType
from patients.models import ConsultationRequest
from tests.factories import SessionRecordFactory, WorkingHoursFactory, login_with_second_factor
from tests.fuzz_forms import ERROR_MARKERS, Form, form_data, forms_of, row_counts
from tests.notifications.factories_messages import MessageFactory
from tests.treatments.factories_portal import issue_link, offer_for, patient_with_series
from tests.treatments.factories_practice import PainCheckInFactory, sign
from tests.urlconf_walk import all_urls, matches, url_for
from treatments.models import Appointment

URLS, _ = all_urls()

# Pages that hold no form by their nature (files, feeds, polls) or are not the site's own: the
# admin is fuzzed on its add and list pages (a change page holds the add page's form).
NOT_FUZZED = [
    "healthz",
    "logout",
    "admin:logout",
    "admin:jsi18n",
    "admin:view_on_site",
    "admin:autocomplete",
    "admin:index",
    "admin:app_list",
    "admin:*_delete",
    "admin:*_change",
    "admin:*_history",
    "*_ics",
    "*_css",
    "*_csv",
    "desk:calendar_version",
    "desk:practitioner_feed",
    "practice:attachment_download",
    "portal:aftercare_print",
    "education:print",
    # The SMS webhook has no form: a random body must be refused (test below).
    "sms_inbound",
]
FUZZED = [u.name for u in URLS if not matches(u.name, NOT_FUZZED)]
NEVER_SUBMITTED = {"logout", "admin:logout"}
# Pages opened by a link on another page, with the query string that link carries.
LINKED_FROM = {"book:details": "book:start"}
# Per page; FUZZ_EXAMPLES=200 for a longer hunt.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))


@dataclass
class World:
    """Real rows for the pages that show one: a patient in a series with a past session (a draft
    record and a signed one), an upcoming session, an open waitlist offer, a request, a red-flag
    check-in and a sent message."""

    given: dict
    ids: list[int]
    clients: list[Client]
    # Desk pages that start from a patient take them in the query string.
    queries: tuple[str, ...] = ("",)


@pytest.fixture
def world(db, admin_user, desk_user):
    cache.clear()
    now = timezone.now()
    patient, series, upcoming = patient_with_series(now=now, steps_done=2)
    done = list(series.appointments.filter(status=Appointment.Status.COMPLETED).order_by("start"))
    sign(SessionRecordFactory(appointment=done[0]))
    SessionRecordFactory(appointment=done[1])
    offer = offer_for(patient, upcoming, now=now)
    request = ConsultationRequest.objects.create(
        name="Ana Diaz", email="ana@example.org", consent_to_contact=True, created_at=now
    )
    checkin = PainCheckInFactory(series=series, red_flags=["fever"])
    message = MessageFactory(patient=patient, series_id=series.pk)
    practitioner = series.practitioner
    practitioner.user.groups.add(Group.objects.get(name=roles.PRACTITIONER))
    # Open for online booking every day, so /book/ shows its search and free times.
    AppointmentType.objects.filter(slug="consultation").update(bookable_online=True)
    for weekday in range(7):
        WorkingHoursFactory(practitioner=practitioner, location=series.location, weekday=weekday)
    ids = {patient.pk, series.pk, upcoming.pk, offer.pk, offer.entry_id, offer.freed_id, request.pk}
    ids |= {checkin.pk, message.pk, practitioner.pk, *(a.pk for a in done)}
    given = {
        "token": issue_link(patient, now=now),
        "appointment_id": upcoming.pk,
        "series_id": series.pk,
        "offer_id": offer.pk,
        "patient_id": patient.pk,
        "slug": "knee-aftercare",
    }
    doctor = Client()
    doctor.force_login(practitioner.user)
    desk = Client()
    desk.force_login(desk_user)
    clients = [login_with_second_factor(Client(), admin_user), doctor, desk, Client()]
    yield World(given, sorted(ids), clients, ("", f"?patient={patient.pk}"))
    cache.clear()  # the rate-limit counters the junk ran up must not follow other tests


def _pages(name: str, world: World):
    """Each way to open the page: the URL with each real id in turn, by each role."""
    keys = ("pk", "object_id")
    for pk in world.ids:
        path = url_for(name, {**world.given, **dict.fromkeys(keys, pk)})
        if path is not None:
            for client in world.clients:
                for query in world.queries:
                    yield client, path + query
        if path is None or path == url_for(name, {**world.given, **dict.fromkeys(keys, pk + 10**6)}):
            return  # the URL takes no id: one round of roles is enough


def _url_name(url: str) -> str | None:
    try:
        return resolve(url.split("?")[0].replace("http://testserver", "")).view_name
    except Resolver404:
        return None


def _submittable(form: Form) -> bool:
    return _url_name(form.action) not in {None, *NEVER_SUBMITTED}


def _linked(name: str, world: World):
    """The page as a link on its parent page opens it (the first such link, as each role)."""
    parent = url_for(LINKED_FROM[name], world.given)
    for client in world.clients:
        html = client.get(parent).content.decode()
        for href in re.findall(r'href="(/[^"]+)"', html):
            href = unescape(href)
            if _url_name(href) == name:
                yield client, href
                break


def _find(name: str, world: World) -> tuple[Client, str, list[Form]] | None:
    pages = _linked(name, world) if name in LINKED_FROM else _pages(name, world)
    for client, path in pages:
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        forms = [f for f in forms_of(path, response.content.decode()) if _submittable(f)]
        unique = list({f.key(): f for f in forms}.values())
        if unique:
            return client, path, unique
    return None


def _submit(client: Client, form: Form, data: dict):
    if form.method == "post":
        return client.post(form.action, data)
    return client.get(form.action, data)


def _refused(response) -> bool:
    if 400 <= response.status_code < 500:
        return True
    body = response.content.decode(errors="replace") if response.status_code == 200 else ""
    return any(marker in body for marker in ERROR_MARKERS)


@pytest.mark.parametrize("name", FUZZED)
def test_no_form_answers_fuzzed_input_with_a_server_error_or_a_half_save(name, world):
    found = _find(name, world)
    if found is None:
        pytest.skip("no form on this page for any role")
    client, page, forms = found

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        # A failure is reported as found: shrinking a page's worth of junk takes minutes.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def submit_junk(data):
        form = data.draw(st.sampled_from(forms), label="form")
        values = data.draw(form_data(form), label=f"{form.method.upper()} {form.action}")
        before = row_counts()
        response = _submit(client, form, values)
        assert response.status_code < 500, f"{page}: {response.status_code}"
        if _refused(response):
            assert row_counts() == before, f"{page}: refused ({response.status_code}) yet rows were written"

    submit_junk()


@pytest.mark.django_db
@given(body=st.binary(max_size=2000))
@settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_sms_webhook_refuses_a_random_unsigned_body(client, body):
    response = client.post("/sms/inbound/", body, content_type="application/x-www-form-urlencoded")
    assert 400 <= response.status_code < 500


def test_the_fuzz_covers_the_known_forms():
    assert {"patients:register", "desk:waitlist_add", "consult:request", "book:start", "login"} <= set(FUZZED)
