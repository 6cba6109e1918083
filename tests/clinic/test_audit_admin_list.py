"""The audit log's admin list at a million entries (issue 21): no COUNT(*) of the whole table per
page, a count that stops at its cap, filters whose values come from their indexes, and a date
hierarchy answered by index probes that agrees with the database's own answer."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clinic.admin_paging import CappedCountPaginator
from clinic.audit import audit_record
from clinic.models import AuditEntry
from tests.factories import login_with_second_factor

pytestmark = pytest.mark.django_db

LIST = "/admin/clinic/auditentry/"


def _entries(time_machine, moments_and_kinds):
    for moment, object_type, via in moments_and_kinds:
        time_machine.move_to(moment, tick=False)
        audit_record(request=None, action=AuditEntry.Action.VIEW, object_type=object_type, object_id=1, via=via)


MOMENTS = [
    (dt.datetime(2024, 3, 5, 15, tzinfo=dt.UTC), "patients.patient", "staff"),
    (dt.datetime(2024, 3, 9, 15, tzinfo=dt.UTC), "portal.home", "portal"),
    (dt.datetime(2025, 7, 1, 15, tzinfo=dt.UTC), "patients.patient", "staff"),
    (dt.datetime(2026, 1, 20, 15, tzinfo=dt.UTC), "report", "system"),
]


def test_only_the_admin_sees_the_audit_list(admin_user, desk_user):
    anonymous, desk = Client(), Client()
    desk.force_login(desk_user)
    assert login_with_second_factor(Client(), admin_user).get(LIST).status_code == 200
    assert desk.get(LIST)["Location"].startswith("/admin/login/")  # not staff
    assert anonymous.get(LIST)["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    ("granted", "superuser", "seen"),
    [("user", False, True), ("group", False, True), ("change", False, True), (None, False, False), (None, True, True)],
)
def test_the_list_is_seen_by_whoever_holds_its_permission(settings, granted, superuser, seen):
    """The list asks for its own permission in one probe (clinic.admin.may_read_audit_log), as
    Django's `has_perm` would answer it: given to the user, through a group, or to a superuser."""
    from django.contrib.auth.models import Group, Permission

    from tests.factories import UserFactory

    settings.ADMIN_2FA_REQUIRED = False
    user = UserFactory(is_staff=True, is_superuser=superuser)
    codename = "change_auditentry" if granted == "change" else "view_auditentry"
    permission = Permission.objects.get(content_type__app_label="clinic", codename=codename)
    if granted in ("user", "change"):
        user.user_permissions.add(permission)
    elif granted == "group":
        auditors = Group.objects.create(name="Auditors")
        auditors.permissions.add(permission)
        user.groups.add(auditors)
    client = Client()
    client.force_login(user)
    assert client.get(LIST).status_code == (200 if seen else 403)
    assert user.has_perm(f"clinic.{codename}") is seen  # the same answer as Django's


# session, user, 2FA device, the audit permission (one probe), the filters' values (one statement), the capped count,
# the page of entries, roles, the date range, the date hierarchy's probes (one statement), the
# session saved (three statements: it is saved on every request)
PAGE_QUERIES = 13


def test_the_list_never_counts_the_whole_table(admin_client_, time_machine, django_assert_max_num_queries):
    _entries(time_machine, MOMENTS)
    with CaptureQueriesContext(connection) as captured, django_assert_max_num_queries(PAGE_QUERIES):
        page = admin_client_.get(LIST).content.decode()
    assert "4 audit entries" in page
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper() and "clinic_auditentry" in q["sql"]]
    assert counts and all("LIMIT" in sql.upper() for sql in counts), counts


def test_past_its_cap_the_list_says_more_than_and_stops_paging(admin_client_, time_machine, monkeypatch):
    _entries(time_machine, MOMENTS * 2)
    monkeypatch.setattr(CappedCountPaginator, "cap", 4)
    monkeypatch.setattr("clinic.admin.AuditEntryAdmin.list_per_page", 2)
    page = admin_client_.get(LIST).content.decode()
    assert "More than 4 audit entries: choose a filter or a date to see them all" in page
    assert admin_client_.get(LIST + "?p=2").status_code == 200
    assert admin_client_.get(LIST + "?p=3").status_code != 200  # the pages stop at the cap


def test_the_count_goes_a_few_pages_past_the_page_asked_for(admin_client_, time_machine, monkeypatch):
    """A filter matching one entry in ten reads ten for each one counted: the count stops a few
    pages past the page shown, and each page further counts further, up to the whole list."""
    _entries(time_machine, MOMENTS * 3)  # 12 entries
    monkeypatch.setattr(CappedCountPaginator, "pages_ahead", 2)
    monkeypatch.setattr("clinic.admin.AuditEntryAdmin.list_per_page", 2)
    first = admin_client_.get(LIST).content.decode()
    assert "More than 6 audit entries" in first  # pages 1 to 3 counted
    assert "?p=3" in first and "?p=4" not in first
    third = admin_client_.get(LIST + "?p=3").content.decode()
    assert "More than 10 audit entries" in third and "?p=5" in third
    last = admin_client_.get(LIST + "?p=6").content.decode()
    assert "12 audit entries" in last and "More than" not in last
    assert last.count('class="field-at nowrap"') == 2


def test_the_filters_offer_the_values_found_and_filter_by_them(admin_client_, time_machine):
    _entries(time_machine, MOMENTS)
    page = admin_client_.get(LIST).content.decode()
    for value in ("?object_type=patients.patient", "?object_type=portal.home", "?object_type=report", "?via=system"):
        assert value in page
    filtered = admin_client_.get(LIST + "?object_type=patients.patient").content.decode()
    assert "2 audit entries" in filtered
    assert "1 audit entry" in admin_client_.get(LIST + "?via=portal").content.decode()


@pytest.mark.parametrize("kind", ["year", "month", "day"])
def test_the_date_hierarchy_probes_agree_with_the_database(time_machine, kind):
    _entries(time_machine, MOMENTS)
    probed = list(AuditEntry.objects.datetimes("at", kind))
    scanned = list(QuerySet.datetimes(AuditEntry.objects.all(), "at", kind))
    assert probed == scanned and len(probed) >= 3
    narrowed = AuditEntry.objects.filter(object_type="patients.patient")
    assert list(narrowed.datetimes("at", kind, order="DESC")) == list(
        QuerySet.datetimes(narrowed, "at", kind, order="DESC")
    )


def test_the_date_hierarchy_drills_down_to_a_day(admin_client_, time_machine):
    _entries(time_machine, MOMENTS)
    years = admin_client_.get(LIST).content.decode()
    assert "?at__year=2024" in years and "?at__year=2026" in years
    months = admin_client_.get(LIST + "?at__year=2024").content.decode()
    assert "at__month=3" in months and "at__month=7" not in months
    days = admin_client_.get(LIST + "?at__year=2024&at__month=3").content.decode()
    assert "at__day=5" in days and "at__day=9" in days
    assert "2 audit entries" in days


def test_the_list_reads_the_users_with_the_entries(admin_client_, desk_user, django_assert_max_num_queries):
    for n in range(30):
        audit_record(request=None, action=AuditEntry.Action.VIEW, object_type="x", object_id=n, user=desk_user)
    admin_client_.get(LIST)
    with django_assert_max_num_queries(PAGE_QUERIES):
        page = admin_client_.get(LIST).content.decode()
    assert page.count(desk_user.username) >= 30


def test_each_row_shows_the_entry_as_the_admin_did_with_a_link_to_it(admin_client_, desk_user):
    """The rows are built in Python (clinic.admin_rows.audit_rows): the same cells Django's change list
    made, the user's name, the action's label, an empty address as "-", every value escaped."""
    shown = audit_record(
        request=None,
        action=AuditEntry.Action.CHANGE,
        object_type="<b>report</b>",
        object_id=7,
        patient_id=12,
        user=desk_user,
        ip="10.0.0.5",
    )
    nobody = audit_record(request=None, action=AuditEntry.Action.VIEW, object_type="x", object_id=8)
    page = admin_client_.get(LIST).content.decode()
    row = page.split(f'href="/admin/clinic/auditentry/{shown.pk}/change/"', 1)[1].split("</tr>", 1)[0]
    assert f'<td class="field-user nowrap">{desk_user.username}</td>' in row
    assert f'<td class="field-action">{AuditEntry.Action.CHANGE.label}</td>' in row
    assert '<td class="field-object_type">&lt;b&gt;report&lt;/b&gt;</td>' in row
    assert '<td class="field-ip">10.0.0.5</td>' in row and '<td class="field-patient_id">12</td>' in row
    other = page.split(f'href="/admin/clinic/auditentry/{nobody.pk}/change/"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="field-user nowrap">-</td>' in other and '<td class="field-ip">-</td>' in other
    assert 'id="nav-sidebar"' not in page  # the list takes the page's width


def test_the_list_builds_no_app_list_and_an_entry_keeps_the_sidebar(admin_client_, time_machine):
    """Django's each_context builds the sidebar's list of models on every admin page (each
    registered model asked for the user's permissions); the list, which shows no sidebar, does not."""
    _entries(time_machine, MOMENTS)
    entry = AuditEntry.objects.order_by("pk").first()
    assert entry is not None
    response = admin_client_.get(LIST)
    assert response.status_code == 200 and response.context["available_apps"] == []
    assert "4 audit entries" in response.content.decode()
    detail = admin_client_.get(f"{LIST}{entry.pk}/change/")
    # The entry's page keeps Django's sidebar, with the models its user may see.
    assert detail.status_code == 200 and detail.context["available_apps"]
    assert 'id="nav-sidebar"' in detail.content.decode()


def test_the_query_count_stays_fixed_whatever_the_entries_and_the_drill_down(
    admin_client_, time_machine, django_assert_max_num_queries
):
    """Fifteen years of entries, the list, filtered, a year, a month and a day: the same queries
    each time (the date hierarchy's probes go in one statement), and each page shows its entries."""
    moments = [
        (dt.datetime(2011 + n, 1 + n % 12, 1 + n % 28, 15, tzinfo=dt.UTC), kind, via)
        for n in range(15)
        for kind, via in [("patients.patient", "staff"), ("report", "system")]
    ]
    _entries(time_machine, moments)
    pages = {
        "": "30 audit entries",
        "?object_type=report": "15 audit entries",
        "?object_type=report&via=system": "15 audit entries",
        "?action=view&via=staff": "15 audit entries",
        "?at__year=2015": "2 audit entries",
        "?at__year=2015&at__month=5": "2 audit entries",
        "?at__year=2015&at__month=5&at__day=5": "2 audit entries",
    }
    for query, shown in pages.items():
        admin_client_.get(LIST + query)
        with django_assert_max_num_queries(PAGE_QUERIES):
            page = admin_client_.get(LIST + query).content.decode()
        assert shown in page, query
    years = admin_client_.get(LIST).content.decode()
    assert all(f"?at__year={year}" in years for year in range(2011, 2026))
    assert "?at__month=5&amp;at__year=2015" in admin_client_.get(LIST + "?at__year=2015").content.decode()


def test_an_empty_object_id_is_shown_as_the_admin_shows_an_empty_value(admin_client_):
    entry = audit_record(request=None, action=AuditEntry.Action.VIEW, object_type="patients.intake")
    page = admin_client_.get(LIST).content.decode()
    row = page.split(f'href="/admin/clinic/auditentry/{entry.pk}/change/"', 1)[1].split("</tr>", 1)[0]
    assert entry.object_id == "" and '<td class="field-object_id">-</td>' in row


def _shown(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'href="/admin/clinic/auditentry/(\d+)/change/"', page)}


def test_the_search_finds_a_user_an_object_or_a_patient_by_exact_value(
    admin_client_, desk_user, django_assert_max_num_queries
):
    """The search box says what it searches; a username in any case finds that user's entries, a
    number the entries of that object or that patient; a fragment finds nothing (an exact search
    reads through indexes, where "contains" read every entry)."""
    by_desk = audit_record(request=None, action=AuditEntry.Action.VIEW, object_type="x", object_id=901, user=desk_user)
    object_42 = audit_record(request=None, action=AuditEntry.Action.VIEW, object_type="x", object_id=42)
    patient_42 = audit_record(request=None, action=AuditEntry.Action.VIEW, object_type="y", object_id=7, patient_id=42)
    other = audit_record(request=None, action=AuditEntry.Action.VIEW, object_type="x", object_id=4242, patient_id=5)
    page = admin_client_.get(LIST).content.decode()
    assert "A username, an object&#x27;s id or a patient&#x27;s id, exactly as written." in page
    assert _shown(admin_client_.get(LIST, {"q": desk_user.username.upper()}).content.decode()) == {by_desk.pk}
    with django_assert_max_num_queries(PAGE_QUERIES + 1):  # + the username's lookup
        found = admin_client_.get(LIST, {"q": " 42 "}).content.decode()
    assert _shown(found) == {object_42.pk, patient_42.pk}
    assert other.pk not in _shown(admin_client_.get(LIST, {"q": "42"}).content.decode())
    assert _shown(admin_client_.get(LIST, {"q": "424"}).content.decode()) == set()
    assert _shown(admin_client_.get(LIST, {"q": "9" * 30}).content.decode()) == set()  # no overflow


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
def test_each_search_reads_through_an_index(desk_user):
    """The plans of the three searches on PostgreSQL: never a sequential scan of the entries."""
    from django.contrib import admin

    from clinic.admin import AuditEntryAdmin

    audit = AuditEntryAdmin(AuditEntry, admin.site)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a tiny test table would be scanned otherwise
        for term in (desk_user.username, "42"):
            queryset, _duplicates = audit.get_search_results(None, AuditEntry.objects.order_by("-at"), term)
            plan = queryset[:50].explain()
            assert "Seq Scan on clinic_auditentry" not in plan, (term, plan)
        cursor.execute("RESET enable_seqscan")
