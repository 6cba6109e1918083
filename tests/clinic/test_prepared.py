"""clinic.prepared: the hot pages' long statements prepared once per connection on PostgreSQL,
run as they are elsewhere; the same rows either way, and no query more for the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic import prepared
from patients.models import Patient
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

SQL = f"SELECT id, last_name FROM {Patient._meta.db_table} WHERE last_name LIKE %s AND id >= %s ORDER BY id"


def _rows(name: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        prepared.execute(cursor, name, SQL, params)
        return cursor.fetchall()


def test_the_same_rows_as_the_plain_statement_with_a_percent_sign_in_the_sql():
    found = [PatientFactory(last_name="Okafor"), PatientFactory(last_name="Okonkwo")]
    PatientFactory(last_name="Smith")
    expected = [(p.pk, p.last_name) for p in found]
    assert _rows("test_patients", ["Ok%", 0]) == expected
    assert _rows("test_patients", ["Ok%", found[1].pk]) == expected[1:]  # other values, same statement
    with connection.cursor() as cursor:  # "%%" in the SQL is a literal % (here in a LIKE)
        prepared.execute(cursor, "test_literal", SQL.replace("LIKE %s", "LIKE 'Oko%%'"), [0])
        assert cursor.fetchall() == expected[1:]


def test_each_run_is_one_query_of_the_page():
    PatientFactory(last_name="Okafor")
    _rows("test_counted", ["Ok%", 0])
    with CaptureQueriesContext(connection) as first_on_new_name:
        _rows("test_counted_again", ["Ok%", 0])
    with CaptureQueriesContext(connection) as again:
        _rows("test_counted_again", ["Ok%", 0])
    assert len(first_on_new_name) == 1 and len(again) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_prepared_once_per_connection_and_again_after_a_reconnect():
    found = PatientFactory(last_name="Okafor")
    _rows("test_once", ["Ok%", 0])
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name = 'prolo_test_once'")
        assert cursor.fetchall() == [("prolo_test_once",)]
        cursor.execute("SHOW plan_cache_mode")  # the generic plan was asked for that statement only
        assert cursor.fetchone() == ("auto",)
    connection.close()  # as CONN_MAX_AGE does: the next request opens a new connection
    assert _rows("test_once", ["Ok%", 0]) == [(found.pk, "Okafor")]  # prepared again on it
