"""Search must stay on an index at 50,000 patients. On PostgreSQL the plan is checked with
sequential scans switched off: if no index can answer the query, the planner still falls back to
a Seq Scan and the test fails. On SQLite, its own query plan must name the index."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.models import Patient
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.parametrize(
    "queryset",
    [
        lambda: Patient.objects.filter(search_name__startswith="doe ja"),
        lambda: Patient.objects.filter(phone="+13125550123"),
        lambda: Patient.objects.filter(date_of_birth=dt.date(1970, 5, 4)),
        lambda: Patient.objects.filter(email="jane@example.com"),
        lambda: Patient.objects.filter(search_first_last__startswith="jane d"),
        lambda: Patient.objects.filter(email__startswith="jane.d"),
        lambda: Patient.objects.filter(phone__contains="5550"),
    ],
    ids=["name-prefix", "phone", "date-of-birth", "email", "first-name-prefix", "email-prefix", "phone-part"],
)
def test_each_kind_of_search_is_answered_by_an_index(queryset):
    PatientFactory.create_batch(5)
    plan = _plan(queryset())
    assert "Seq Scan" not in plan, plan
    assert "Index" in plan, plan


@pytest.mark.postgres
def test_first_and_last_name_search_uses_indexes_for_both_orders():
    from patients.selectors import patient_search

    PatientFactory(first_name="Jane", last_name="Doe")
    qs = Patient.objects.filter(search_name__startswith="jane doe") | Patient.objects.filter(
        search_name__startswith="doe jane"
    )
    plan = _plan(qs)
    assert "Seq Scan" not in plan, plan
    assert [p.last_name for p in patient_search("Jane Doe")] == ["Doe"]


def test_on_sqlite_the_name_search_uses_the_search_name_index():
    from patients.selectors import _name_prefix, patient_search

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own plan")
    PatientFactory(first_name="Jane", last_name="Doe")
    PatientFactory(first_name="Ann", last_name="Doering")
    PatientFactory(first_name="Bob", last_name="Smith")
    sql, params = Patient.objects.filter(_name_prefix("doe j") | _name_prefix("j doe")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "search_name" in plan and "INDEX" in plan.upper(), plan
    assert [p.last_name for p in patient_search("doe")] == ["Doe", "Doering"]
    assert [p.last_name for p in patient_search("Jane Doe")] == ["Doe"]


def _plan_of_search(query: str, explain: str) -> str:
    from patients.selectors import patient_search

    with CaptureQueriesContext(connection) as captured:
        patient_search(query)
    [sql] = [q["sql"] for q in captured.captured_queries]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"{explain} {sql}")
        return "\n".join(str(row) for row in cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.parametrize("query", ["jane", "Jane Doe", "jane.doe@example.com", "5550", "(312) 555-0123"])
def test_every_kind_of_desk_search_is_answered_by_indexes_on_postgresql(query):
    PatientFactory.create_batch(5)
    PatientFactory(first_name="Jane", last_name="Doe", email="jane.doe@example.com", phone="+13125550123")
    plan = _plan_of_search(query, "EXPLAIN")
    assert "Seq Scan" not in plan, plan
    assert "Index" in plan, plan
    if query[0].isdigit() or query[0] == "(":
        assert "patient_phone_trgm_idx" in plan, plan  # any part of the number: the trigram index


@pytest.mark.parametrize("query", ["jane", "Jane Doe", "jane.doe@example.com"])
def test_on_sqlite_name_and_email_searches_use_their_indexes(query):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own plan")
    PatientFactory(first_name="Jane", last_name="Doe", email="jane.doe@example.com")
    plan = _plan_of_search(query, "EXPLAIN QUERY PLAN")
    assert "SCAN patients_patient" not in plan, plan
    assert "INDEX" in plan.upper(), plan
