"""Practitioner pages: the series progress page for a 12-session series, today's list, the
session record and the admin's reports. Data is built here, inside the benchmark's database."""

import datetime as dt
from decimal import Decimal

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
    from clinic.models import Location
    from patients.models import Patient
    from treatments.models import (
        Appointment,
        AppointmentType,
        InjectionSite,
        PainCheckIn,
        Protocol,
        SessionRecord,
        TreatmentSeries,
    )

    now = timezone.now()
    location, _ = Location.objects.get_or_create(name="Bench clinic")
    kind = AppointmentType.objects.get(slug="injection")
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
        seconds = time_per_op(lambda url=url: client.get(url), repeat=30)
        results.append(Result(name, seconds, 30, kind="page", note=f"{count} queries"))
    admin = ctx.client("admin")
    seconds = time_per_op(lambda: admin.get("/practice/reports/"), repeat=10)
    results.append(Result("practice: clinic reports (12 months)", seconds, 10, kind="page"))
    return results
