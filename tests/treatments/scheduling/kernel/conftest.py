"""The kernel's tests share a Tuesday at Main Street with Dr Ada Stone working 08–12 and 13–17."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.treatments.factories_calendar import practitioner_with_hours


@pytest.fixture
def clinic(db):
    return practitioner_with_hours()


class LockCount(CaptureQueriesContext):
    """How many times the practitioner lock was asked of the database while open."""

    def __init__(self) -> None:
        super().__init__(connection)

    @property
    def locks(self) -> int:
        return sum(1 for q in self.captured_queries if _is_lock(q["sql"]))


def _is_lock(sql: str) -> bool:
    # The lock reads the practitioner's own id, FOR NO KEY UPDATE on PostgreSQL (SQLite drops the
    # clause, and serialises writers itself): no other query reads only that column.
    return sql.startswith('SELECT "clinic_practitioner"."id" AS "pk" FROM "clinic_practitioner" WHERE')


@pytest.fixture
def lock_count():
    return LockCount
