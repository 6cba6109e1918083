"""no-store on every response that shows patient or clinical data: walk the whole URLconf (the walk
of tests/test_urlconf_roles.py) as the clinic admin, who may open every staff page, as an anonymous
visitor, and with a real portal link, and prove that each answer tells the browser and any proxy to
keep nothing — so Back after logout on a shared front-desk computer shows no patient. Only views
marked `may_cache` (clinic.middleware) are exempt, and those must be public pages outside the portal."""

import pytest
from django.urls import resolve
from django.utils import timezone

from tests.factories import AppointmentFactory, PatientFactory, login_with_second_factor
from tests.treatments.factories_portal import issue_link, offer_for, patient_with_series
from tests.urlconf_walk import all_urls, get_or_post

URLS, _ = all_urls()


def _may_cache(url) -> bool:
    return getattr(resolve(url.path).func, "prolo_may_cache", False)


def _assert_no_store(response, path: str) -> None:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= directives, (
        f"{path} answered {response.status_code} with Cache-Control {response.get('Cache-Control')!r}"
    )


KEPT_FROM_CACHES = [u for u in URLS if not _may_cache(u)]


@pytest.mark.django_db
@pytest.mark.parametrize("url", KEPT_FROM_CACHES, ids=lambda u: u.name)
def test_every_answer_to_an_anonymous_visitor_and_to_the_clinic_admin_is_no_store(client, admin_user, url):
    _assert_no_store(get_or_post(client, url.path), f"{url.path} (anonymous)")
    login_with_second_factor(client, admin_user)
    _assert_no_store(get_or_post(client, url.path), f"{url.path} (clinic admin)")


PORTAL_NAMES = [u.name for u in URLS if u.name.startswith("portal:")]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PORTAL_NAMES)
def test_every_portal_page_with_a_real_link_is_no_store(client, name):
    now = timezone.now()
    patient, series, upcoming = patient_with_series(now=now)
    offer = offer_for(patient, upcoming, now=now)
    given = {"token": issue_link(patient, now=now), "appointment_id": upcoming.pk, "offer_id": offer.pk}
    urls, _ = all_urls(given={**given, "series_id": series.pk})
    path = next(u.path for u in urls if u.name == name)
    response = get_or_post(client, path)
    assert response.status_code in (200, 302), f"{path} answered {response.status_code}"
    _assert_no_store(response, path)


def test_only_public_pages_outside_the_portal_may_be_cached():
    cached = [u for u in URLS if _may_cache(u)]
    assert {u.name for u in cached} >= {"education:index", "education:page"}
    for url in cached:
        roles = getattr(resolve(url.path).func, "prolo_roles", ())
        public = getattr(resolve(url.path).func, "prolo_public", False)
        assert not url.name.startswith("portal:"), url.name
        # The one staff exception: the calendar's stylesheet of appointment-type colours.
        assert public or url.name == "desk:calendar_types_css", f"{url.name} {roles}"


@pytest.mark.django_db
def test_a_patient_page_that_shows_data_is_no_store(desk_client):
    patient = PatientFactory(first_name="Ines", last_name="Okafor")
    response = desk_client.get(f"/desk/patients/{patient.pk}/")
    assert response.status_code == 200 and "Okafor" in response.content.decode()
    _assert_no_store(response, "patient page")


@pytest.mark.django_db
def test_the_week_of_every_practitioner_with_a_booking_on_it_is_no_store(desk_client):
    appointment = AppointmentFactory(patient=PatientFactory(last_name="Okafor"))
    day = timezone.localtime(appointment.start).date()
    response = desk_client.get(f"/desk/week/?date={day.isoformat()}")
    assert response.status_code == 200 and "Okafor" in response.content.decode()
    _assert_no_store(response, "week of every practitioner")


@pytest.mark.django_db
def test_public_education_pages_may_be_cached(client):
    response = client.get("/education/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
