"""clinic.id_lists: a list of ids as one query parameter (a busy day's 330 cards ask other tables
about their appointments and patients in one parameter, not 330)."""

import pytest

from clinic.id_lists import among
from patients.models import Patient
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_the_rows_with_those_ids_and_no_other():
    chosen = [PatientFactory() for _ in range(3)]
    PatientFactory()  # not asked for
    asked = [chosen[0].pk, str(chosen[2].pk), chosen[2].pk]  # as text, and twice
    found = set(Patient.objects.filter(among("id", asked)).values_list("pk", flat=True))
    assert found == {chosen[0].pk, chosen[2].pk}
    assert not Patient.objects.filter(among("id", [])).exists()


def test_hundreds_of_ids_travel_as_one_parameter():
    patients = [PatientFactory() for _ in range(3)]
    ids = [p.pk for p in patients] + list(range(10_000_000, 10_000_400))
    chosen = Patient.objects.filter(among("id", ids))
    _sql, params = chosen.query.sql_with_params()
    assert len(params) == 1  # against 403 for pk__in=ids
    assert chosen.count() == 3


def test_only_numbers_reach_the_query():
    with pytest.raises(ValueError):
        among("id", ["1); DROP TABLE patients_patient; --"])
