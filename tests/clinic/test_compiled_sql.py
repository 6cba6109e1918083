"""clinic/compiled_sql.py: a read compiled once answers as the ORM would, with each call's values
in the stand-ins' places, on SQLite and PostgreSQL alike."""

import datetime as dt

import pytest
from django.db.models import BigIntegerField, Count, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce

from clinic.compiled_sql import CompiledRead
from clinic.id_lists import among
from clinic.models import ClinicSettings, Closure, Location
from treatments.inbox.selectors import open_callback_count

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _closures(start, end):
    return Closure.objects.filter(starts_at__lt=end, ends_at__gt=start).order_by("pk").values_list("pk", "reason")


def test_each_call_runs_with_its_own_values_and_reads_what_the_orm_reads():
    first = Closure.objects.create(
        reason="Holiday", starts_at=dt.datetime(2026, 5, 1, tzinfo=UTC), ends_at=dt.datetime(2026, 5, 2, tzinfo=UTC)
    )
    second = Closure.objects.create(
        reason="Conference", starts_at=dt.datetime(2026, 6, 1, tzinfo=UTC), ends_at=dt.datetime(2026, 6, 3, tzinfo=UTC)
    )
    read = CompiledRead(
        _closures, start=dt.datetime(2001, 2, 3, 6, tzinfo=UTC), end=dt.datetime(2001, 2, 4, 6, tzinfo=UTC)
    )
    may = (dt.datetime(2026, 4, 30, tzinfo=UTC), dt.datetime(2026, 5, 31, tzinfo=UTC))
    june = (dt.datetime(2026, 6, 2, tzinfo=UTC), dt.datetime(2026, 6, 10, tzinfo=UTC))
    assert read.rows(start=may[0], end=may[1]) == [(first.pk, "Holiday")] == list(_closures(*may))
    assert read.rows(start=june[0], end=june[1]) == [(second.pk, "Conference")] == list(_closures(*june))
    assert (
        read.rows(start=may[0], end=june[1]) == list(_closures(may[0], june[1]))
        and len(list(_closures(may[0], june[1]))) == 2
    )


def test_a_list_of_ids_travels_as_one_parameter():
    north, south, west = (Location.objects.create(name=n) for n in ("North", "South", "West"))
    read = CompiledRead(lambda ids: Location.objects.filter(among("id", ids)).values_list("name"), ids=[-7001])
    assert sorted(read.rows(ids=[north.pk, west.pk])) == [("North",), ("West",)]
    assert read.rows(ids=[south.pk]) == [("South",)]
    assert read.rows(ids=[]) == []


def test_the_rows_are_converted_as_the_orm_converts_them():
    """SQLite stores booleans and times as numbers and text: the read gives Python's types, as the
    ORM's own model does (the clinic's settings are read so on every page)."""
    ClinicSettings.objects.update_or_create(pk=1, defaults={"name": "Lakeside", "sms_quiet_start": dt.time(21, 30)})
    loaded = ClinicSettings.load()
    fresh = ClinicSettings.objects.get(pk=1)
    for field in ClinicSettings._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(fresh, field.attname), field.name
    assert loaded.sms_quiet_start == dt.time(21, 30) and loaded.name == "Lakeside"
    ClinicSettings.objects.filter(pk=1).update(name="Hillside")
    assert ClinicSettings.load().name == "Hillside"  # read afresh each time, never kept


def test_the_settings_row_is_made_with_its_defaults_when_missing():
    ClinicSettings.objects.all().delete()
    assert ClinicSettings.load().pk == 1 and ClinicSettings.objects.count() == 1


def test_a_count_wraps_the_compiled_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert open_callback_count() == 0


def test_a_stand_in_the_query_does_not_hold_is_refused_when_first_compiled():
    read = CompiledRead(lambda **_stand_ins: Location.objects.filter(active=True).values_list("name"), ids=[-7001])
    with pytest.raises(ValueError, match="stand-ins not found"):
        read.rows(ids=[1])


def test_a_driver_typed_read_gives_the_values_the_orm_gives():
    """Typed NULLs and COUNT subqueries come from PostgreSQL's driver as the ints the ORM's
    converters would make; on SQLite the converters still run. Either way: the ORM's values."""
    north = Location.objects.create(name="North")
    Closure.objects.create(
        reason="Holiday",
        location=north,
        starts_at=dt.datetime(2026, 5, 1, tzinfo=UTC),
        ends_at=dt.datetime(2026, 5, 2, tzinfo=UTC),
    )

    def build(ids):
        closures = Closure.objects.filter(location_id=OuterRef("pk")).order_by().values("location_id")
        counted = closures.annotate(n=Count("id")).values("n")
        return Location.objects.filter(among("id", ids)).values_list(
            "pk", Cast(Value(None), BigIntegerField()), Coalesce(Subquery(counted), 0, output_field=BigIntegerField())
        )

    read = CompiledRead(build, driver_typed=True, ids=[-7001])
    got = read.rows(ids=[north.pk])
    assert got == [(north.pk, None, 1)] == list(build([north.pk]))
    assert all(type(value) is int for value in (got[0][0], got[0][2]))
