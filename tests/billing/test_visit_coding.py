"""The practitioner's code per attended visit (issue 23, item 6): the payer may direct 20610 for
one visit and M0076 for the others. The superbill (read back with pdftotext) bills each visit with
its own code when set, the series' otherwise; only the visit's practitioner or the clinic admin
may change it; bad input is shown in the page and nothing is saved; the page's queries are fixed."""

import shutil

import pytest
from django.contrib.auth.models import Group

from billing.models import SeriesCoding, VisitCoding
from billing.models.documents import visit_code
from billing.selectors.documents import superbill
from billing.services.documents import series_coding_save
from clinic import roles
from tests.billing.factories_series import SOLD, knee_series
from tests.billing.test_documents import pdf_text
from treatments.models import Appointment

pytestmark = pytest.mark.django_db


def attended(setup, count: int) -> list[Appointment]:
    visits = setup.sessions[:count]
    Appointment.objects.filter(pk__in=[v.pk for v in visits]).update(status=Appointment.Status.COMPLETED)
    return visits


def the_practitioner(setup):
    """The series' own practitioner, signed in as a practitioner."""
    user = setup.practitioner.user
    user.groups.add(Group.objects.get(name=roles.PRACTITIONER))
    return user


def form_data(visits, **chosen) -> dict[str, str]:
    """Every visit on the series' default (M0076, no modifier, 1 unit), except those in `chosen`:
    {appointment id: (code, modifier, units)}."""
    data = {}
    for visit in visits:
        code, modifier, units = chosen.get(str(visit.pk), ("M0076", "", "1"))
        data |= {f"code_{visit.pk}": code, f"modifier_{visit.pk}": modifier, f"units_{visit.pk}": units}
    return data


def url(setup) -> str:
    return f"/billing/series/{setup.series.pk}/coding/visits/"


def test_the_superbill_pdf_bills_the_overridden_visit_with_20610_and_the_others_with_m0076(client, desk_user, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is not installed: run make setup")
    setup = knee_series()
    visits = attended(setup, 3)
    client.force_login(the_practitioner(setup))
    page = client.get(url(setup)).content.decode()
    assert page.count('<select class="form-select"') == 3  # one row per attended visit, each editable
    response = client.post(url(setup), form_data(visits, **{str(visits[1].pk): ("20610", "rt", "2")}))
    assert response.status_code == 302
    assert "The code of 1 visit is saved." in client.get(response["Location"]).content.decode()
    assert list(VisitCoding.objects.values_list("appointment_id", "code", "modifier", "units")) == [
        (visits[1].pk, "20610", "RT", 2)
    ]

    client.force_login(desk_user)
    text = pdf_text(client.get(f"/billing/series/{setup.series.pk}/superbill.pdf").content, tmp_path)
    rows = {
        day: line for line in text.splitlines() for day in ("2026-05-05", "2026-06-02", "2026-06-30") if day in line
    }
    assert "CPT 20610" in rows["2026-06-02"] and " RT " in rows["2026-06-02"]
    assert "HCPCS M0076" in rows["2026-05-05"] and "HCPCS M0076" in rows["2026-06-30"]
    assert "20610" not in rows["2026-05-05"] + rows["2026-06-30"]
    assert text.count("CPT 20610") == 1 and text.count("HCPCS M0076") >= 2


def test_a_visit_without_its_own_code_follows_the_series_and_setting_it_back_removes_the_override(client):
    setup = knee_series()
    visits = attended(setup, 2)
    doc = the_practitioner(setup)
    client.force_login(doc)
    client.post(url(setup), form_data(visits, **{str(visits[0].pk): ("20610", "", "1")}))
    series_coding_save(series_id=setup.series.pk, code="20550", modifier="LT", units=1, diagnoses="", by=doc, now=SOLD)
    bill = superbill(series=setup.series)
    assert [(v.code, v.modifier) for v in bill.visits] == [("20610", ""), ("20550", "LT")]
    # The first visit given the series' coding again: it follows the series from now on.
    response = client.post(url(setup), form_data(visits, **{str(v.pk): ("20550", "LT", "1") for v in visits}))
    assert response.status_code == 302 and not VisitCoding.objects.exists()
    assert [v.code for v in superbill(series=setup.series).visits] == ["20550", "20550"]


def test_one_rule_decides_a_visits_code():
    coding = SeriesCoding(code="20550", modifier="LT", units=2)
    own = VisitCoding(code="20610", modifier="", units=1)
    assert visit_code(series=None) == visit_code(series=None, visit=None)
    assert (visit_code(series=None).code, visit_code(series=None).units) == ("M0076", 1)
    assert (visit_code(series=coding).system, visit_code(series=coding).code) == ("CPT", "20550")
    assert visit_code(series=coding, visit=own).code == "20610" and visit_code(series=coding, visit=own).own


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        (("99999", "", "1"), "Choose M0076, 20550 or 20610."),
        (("20610", "", "0"), "Units are a whole number between 1 and 99."),
        (("20610", "RTX", "1"), "A modifier is two letters or digits, e.g. RT."),
    ],
)
def test_bad_input_is_shown_in_the_page_and_nothing_is_saved(client, chosen, message):
    setup = knee_series()
    visits = attended(setup, 2)
    client.force_login(the_practitioner(setup))
    # The other visit's row is good: all or nothing, it is not saved either.
    data = form_data(visits, **{str(visits[0].pk): chosen, str(visits[1].pk): ("20550", "", "1")})
    response = client.post(url(setup), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not VisitCoding.objects.exists()


def test_only_the_visits_practitioner_or_the_clinic_admin_may_change_its_code(
    client, desk_user, practitioner_user, admin_client_
):
    setup = knee_series()
    visits = attended(setup, 2)
    data = form_data(visits, **{str(visits[0].pk): ("20610", "", "1")})
    # The clinic admin may code any visit.
    assert admin_client_.post(url(setup), data).status_code == 302
    assert VisitCoding.objects.get().code == "20610"
    VisitCoding.objects.all().delete()
    admin_client_.logout()

    client.logout()
    assert client.get(url(setup)).status_code == 302  # anonymous: to the login page
    client.force_login(desk_user)
    assert client.get(url(setup)).status_code == 403  # the desk does not choose codes
    assert client.post(url(setup), data).status_code == 403
    client.force_login(practitioner_user)  # a practitioner, but not this series' visits'
    page = client.get(url(setup)).content.decode()
    assert 'class="form-select' not in page and "practitioner or the clinic admin may change its code" in page
    assert "HCPCS M0076" in page  # the visits, read-only
    assert client.post(url(setup), data).status_code == 403
    assert not VisitCoding.objects.exists()
    assert client.get(f"/billing/series/{setup.series.pk + 999}/coding/visits/").status_code == 404


def test_the_codes_page_reads_the_same_queries_for_one_visit_or_five(client, django_assert_max_num_queries):
    setup = knee_series()
    client.force_login(the_practitioner(setup))
    for count in (1, 5):
        attended(setup, count)
        client.get(url(setup))
        # session, user, roles, the series; the series' coding, the visits with their own codes (one
        # join); the page's header (clinic settings, pain check-ins to read); the session saved (3)
        with django_assert_max_num_queries(11):
            page = client.get(url(setup)).content.decode()
        assert page.count('<select class="form-select"') == count


def test_the_series_codes_page_links_to_the_codes_per_visit(client):
    setup = knee_series()
    client.force_login(the_practitioner(setup))
    page = client.get(f"/billing/series/{setup.series.pk}/coding/").content.decode()
    assert f'href="{url(setup)}"' in page
