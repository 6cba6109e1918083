"""Practitioner pages: the series progress page for a 12-session series, today's list, the
session record and the admin's reports. Data is built here, inside the benchmark's database."""

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import cast

from django.contrib.auth import get_user_model
from django.utils import timezone

from bench.core import Context, Result, benchmark, time_per_op


def _practitioner_for(client):
    from clinic.models import Practitioner

    user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    practitioner, _ = Practitioner.objects.get_or_create(user=user, defaults={"display_name": "Dr Bench"})
    return practitioner


def _series(practitioner, *, sessions: int, first: dt.datetime):
    """A series with `sessions` signed sessions of 4 sites each and a check-in between sessions."""
    from clinic.models import AppointmentType, Location
    from patients.models import Patient
    from treatments.models import (
        Appointment,
        InjectionSite,
        PainCheckIn,
        Protocol,
        SessionRecord,
        TreatmentSeries,
    )

    now = timezone.now()
    location, _ = Location.objects.get_or_create(name="Bench clinic")
    kind = AppointmentType.objects.get(slug="injection")
    # The bench database is reused: an earlier run's sessions, minutes from these, step aside
    # (the overlap constraint counts only live ones).
    Appointment.objects.filter(
        practitioner=practitioner, patient__first_name="Bench", patient__last_name="Patient"
    ).update(status=Appointment.Status.CANCELLED, cancelled_at=now)
    patient = Patient.objects.create(first_name="Bench", last_name="Patient", date_of_birth=dt.date(1960, 1, 1))
    series = TreatmentSeries.objects.create(
        patient=patient,
        protocol=Protocol.objects.get(name="Knee OA — Rabago 2013"),
        practitioner=practitioner,
        location=location,
        side="right",
        planned_sessions=sessions,
        created_at=now,
    )
    for step in range(1, sessions + 1):
        start = first + dt.timedelta(days=7 * (step - 1))
        appointment = Appointment.objects.create(
            patient=patient,
            practitioner=practitioner,
            location=location,
            appointment_type=kind,
            series=series,
            series_step=step,
            start=start,
            end=start + dt.timedelta(minutes=30),
            status=Appointment.Status.COMPLETED,
            created_at=now,
        )
        record = SessionRecord.objects.create(
            appointment=appointment,
            status=SessionRecord.Status.SIGNED,
            consent_confirmed=True,
            screening_rechecked=True,
            pain_before=max(8 - step // 2, 0),
            created_at=now,
            signed_by=practitioner.user,
            signed_at=start,
        )
        InjectionSite.objects.bulk_create(
            InjectionSite(record=record, order=n, region="Knee", dextrose_percent=Decimal("15"), volume_ml=Decimal("1"))
            for n in range(4)
        )
        PainCheckIn.objects.create(patient=patient, series=series, pain=6, created_at=start + dt.timedelta(days=2))
    return series


@benchmark
def practice_pages(ctx: Context) -> list[Result]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = ctx.client("practitioner")
    practitioner = _practitioner_for(client)
    first = timezone.now() - dt.timedelta(days=7 * 12)
    long_series = _series(practitioner, sessions=12, first=first)
    last = long_series.appointments.order_by("-start").first()
    results = []
    for name, url in (
        ("practice: series progress, 12 sessions", f"/practice/series/{long_series.pk}/"),
        ("practice: printable summary, 12 sessions", f"/practice/series/{long_series.pk}/summary/"),
        ("practice: signed session record", f"/practice/appointments/{last.pk}/record/"),
        ("practice: today's list", "/practice/"),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        # Counted now: every later request clears Django's query log.
        count = len(queries)
        seconds = time_per_op(partial(client.get, url), repeat=30)
        results.append(Result(name, seconds, 30, kind="page", note=f"{count} queries"))
    admin = ctx.client("admin")
    seconds = time_per_op(lambda: admin.get("/practice/reports/"), repeat=10)
    results.append(Result("practice: clinic reports (12 months)", seconds, 10, kind="page"))
    return results


# The report's period: one year of series, far from the demo data; the history lies before it.
REPORT_YEAR = 2003
REPORT_SERIES = 200


def _history(practitioner, *, first_year: int, years: int, series_per_year: int) -> None:
    """`series_per_year` three-session knee series with pain and WOMAC each year, bulk-created."""
    from clinic.models import AppointmentType, Location
    from patients.models import Patient
    from treatments.models import Appointment, OutcomeScore, Protocol, SessionRecord, TreatmentSeries

    now = timezone.now()
    location, _ = Location.objects.get_or_create(name="Bench clinic")
    kind = AppointmentType.objects.get(slug="injection")
    protocol = Protocol.objects.get(name="Knee OA — Rabago 2013")
    patient = Patient.objects.create(first_name="History", last_name="Patient", date_of_birth=dt.date(1950, 1, 1))
    plans = []
    for year in range(first_year, first_year + years):
        for n in range(series_per_year):
            # One a day, at an hour that differs from the sessions 28 and 56 days later, so the
            # one patient never holds two sessions at once (PostgreSQL's exclusion constraint).
            plans.append(dt.datetime(year, 1, 1, 8, tzinfo=dt.UTC) + dt.timedelta(days=n % 300, hours=n % 10))
    series = TreatmentSeries.objects.bulk_create(
        TreatmentSeries(
            patient=patient,
            protocol=protocol,
            practitioner=practitioner,
            location=location,
            side="right",
            planned_sessions=3,
            created_at=now,
        )
        for _ in plans
    )
    appointments = Appointment.objects.bulk_create(
        Appointment(
            patient=patient,
            practitioner=practitioner,
            location=location,
            appointment_type=kind,
            series=s,
            series_step=step,
            start=start + dt.timedelta(days=28 * (step - 1)),
            end=start + dt.timedelta(days=28 * (step - 1), minutes=30),
            status=Appointment.Status.COMPLETED,
            created_at=now,
        )
        for s, start in zip(series, plans, strict=True)
        for step in (1, 2, 3)
    )
    SessionRecord.objects.bulk_create(
        SessionRecord(
            appointment=a,
            status=SessionRecord.Status.SIGNED,
            consent_confirmed=True,
            screening_rechecked=True,
            pain_before=(7, 5, 4)[cast(int, a.series_step) - 1] - (i // 3) % 2,  # steps 1-3, created above
            created_at=now,
            signed_by=practitioner.user,
            signed_at=a.start,
        )
        for i, a in enumerate(appointments)
    )
    OutcomeScore.objects.bulk_create(
        OutcomeScore(
            patient=patient,
            series=s,
            measure=OutcomeScore.Measure.WOMAC,
            value=Decimal(value - i % 7),
            recorded_at=start + dt.timedelta(days=days),
            source=OutcomeScore.Source.CLINIC,
        )
        for i, (s, start) in enumerate(zip(series, plans, strict=True))
        for days, value in ((0, 55), (120, 40))
    )


def _forget_history(practitioner) -> None:
    from treatments.models import Appointment, SessionRecord, TreatmentSeries

    SessionRecord.objects.filter(appointment__practitioner=practitioner).delete()
    Appointment.objects.filter(practitioner=practitioner).delete()
    TreatmentSeries.objects.filter(practitioner=practitioner).delete()


@benchmark
def practice_reports_history(ctx: Context) -> list[Result]:
    """The admin's reports for one year, with 1x and then 10x that year's records in the years
    before it: the period bounds every query, so the time should not move."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clinic.models import Practitioner

    admin = ctx.client("admin")
    user = get_user_model().objects.get(pk=admin.session["_auth_user_id"])
    practitioner, _ = Practitioner.objects.get_or_create(user=user, defaults={"display_name": "Dr History"})
    _forget_history(practitioner)  # a re-run starts from the same data
    _history(practitioner, first_year=REPORT_YEAR, years=1, series_per_year=REPORT_SERIES)
    url = f"/practice/reports/?start={REPORT_YEAR}-01&end={REPORT_YEAR}-12"
    results = []
    for times, first_year, years in ((1, REPORT_YEAR - 10, 1), (10, REPORT_YEAR - 9, 9)):
        # 1x: one year of history before the period; 10x: nine more years, as much each year.
        _history(practitioner, first_year=first_year, years=years, series_per_year=REPORT_SERIES)
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(url).status_code == 200
        count = len(queries)
        seconds = time_per_op(lambda: admin.get(url), repeat=10)
        note = f"{count} queries; {REPORT_SERIES} series in the year, history {times}x that year"
        results.append(Result(f"practice: reports for a year, {times}x history", seconds, 10, kind="page", note=note))
    _forget_history(practitioner)
    return results
