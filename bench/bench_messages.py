"""The outbox sweep's throughput: 10,000 due messages (half session reminders, half outcome
check-ins, over 1,000 patients) sent to no-op e-mail and SMS backends, so the figure is the cost of
claiming, re-checking, rendering and recording, not of a mail server.

Beside it, measured in the same run on the same table: a loop of single-row UPDATEs, each its own
commit, the cheapest way to write one outcome per message. The sweep must reach at least half that
rate (it writes per batch, so on a server with real commits it is usually faster).

Runs under `make bench` (the registry) or alone, on a throw-away test database:
    python -m bench.bench_messages                    # SQLite
    DATABASE_URL=postgres://... python -m bench.bench_messages
"""

import datetime as dt
import time
import uuid
from typing import cast

from bench.core import Context, Result, benchmark

COUNT = 10_000
PATIENTS = 1_000


def _seed(now: dt.datetime) -> None:
    from clinic.models import ClinicSettings, Location, Practitioner
    from notifications.models import Message
    from patients.models import Patient
    from tests.factories import LocationFactory, PractitionerFactory, appointment_type, protocol
    from treatments.models import Appointment, TreatmentSeries

    Message.objects.all().delete()
    ClinicSettings.objects.update_or_create(pk=1, defaults={"sms_quiet_start": dt.time(0), "sms_quiet_end": dt.time(0)})
    # A practitioner of its own each run: the bench database is reused, and the factories' numbering
    # starts again in every process (a second run met the first run's user).
    # A factory call returns the model instance; factory_boy's types say the factory.
    practitioner = cast(Practitioner, PractitionerFactory(user__username=f"bench-sweep-{uuid.uuid4().hex[:12]}"))
    location = cast(Location, LocationFactory())
    kind, knee = appointment_type("injection"), protocol()
    patients = Patient.objects.bulk_create(
        Patient(
            first_name=f"Bench{i}",
            last_name="Patient",
            search_name=f"patient bench{i}",
            date_of_birth=dt.date(1970, 1, 1),
            phone=f"+1312{i:07d}",
            email=f"bench{i}@example.com",
            preferred_channel="sms" if i % 4 == 0 else "email",
            email_consent_at=now,
            sms_consent_at=now,
        )
        for i in range(PATIENTS)
    )
    series = TreatmentSeries.objects.bulk_create(
        TreatmentSeries(
            patient=p, protocol=knee, practitioner=practitioner, location=location, planned_sessions=5, created_at=now
        )
        for p in patients
    )
    per_series = COUNT // 2 // PATIENTS
    # One practitioner, so sessions never overlap (PostgreSQL's exclusion constraint): an hour apart.
    appointments = Appointment.objects.bulk_create(
        Appointment(
            patient_id=s.patient_id,
            practitioner=practitioner,
            location=location,
            appointment_type=kind,
            series=s,
            series_step=step,
            start=now + dt.timedelta(days=2, hours=i * per_series + step),
            end=now + dt.timedelta(days=2, hours=i * per_series + step, minutes=30),
            created_at=now,
        )
        for i, s in enumerate(series)
        for step in range(1, per_series + 1)
    )
    channel = {p.pk: p.preferred_channel for p in patients}
    reminders = [
        Message(
            patient_id=a.patient_id,
            appointment_id=a.pk,
            series_id=a.series_id,
            channel=channel[a.patient_id],
            kind=Message.Kind.REMINDER,
            dedupe_key=f"appt:{a.pk}:reminder",
            send_at=now,
            created_at=now,
        )
        for a in appointments
    ]
    outcomes = [
        Message(
            patient_id=s.patient_id,
            series_id=s.pk,
            channel=channel[s.patient_id],
            kind=Message.Kind.OUTCOME,
            data={"weeks": w},
            dedupe_key=f"series:{s.pk}:outcome_{w}w",
            send_at=now,
            created_at=now,
        )
        for s in series
        for w in range(1, per_series + 1)
    ]
    Message.objects.bulk_create(reminders + outcomes, batch_size=1000)


@benchmark
def sweep_10k_due_messages(_ctx: Context) -> list[Result]:
    from django.db import connection
    from django.test import override_settings

    from notifications import delivery
    from notifications.models import Message

    now = dt.datetime.now(dt.UTC)
    _seed(now)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend", SMS_BACKEND="notifications.sms.NullSmsBackend"
        ),
        connection.execute_wrapper(count),
    ):
        start, cpu = time.perf_counter(), time.process_time()
        result = delivery.messages_sweep(now=now)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    sent = Message.objects.filter(status=Message.Status.SENT).count()
    assert sent == result.sent == COUNT, (sent, result)
    batches = -(-COUNT // delivery.BATCH_SIZE)
    loop_seconds = _update_loop(now)
    sweep_rate, loop_rate = COUNT / seconds, UPDATE_LOOP / loop_seconds
    return [
        Result(
            name=f"messages sweep ({connection.vendor})",
            seconds_per_op=seconds / COUNT,
            ops=COUNT,
            note=(
                f"{sweep_rate:,.0f} messages/s ({cpu:.1f}s of it on this process's CPU); "
                f"{len(queries) / batches:.0f} queries per batch of {delivery.BATCH_SIZE}; "
                f"{sweep_rate / loop_rate:.2f}x the UPDATE loop (must be >= 0.5)"
            ),
        ),
        Result(
            name=f"single-row UPDATE loop ({connection.vendor})",
            seconds_per_op=loop_seconds / UPDATE_LOOP,
            ops=UPDATE_LOOP,
            note=f"{loop_rate:,.0f} rows/s, one autocommit UPDATE per message",
        ),
    ]


UPDATE_LOOP = 2_000


def _update_loop(now: dt.datetime) -> float:
    """Seconds for UPDATE_LOOP single-row updates of sent messages, one statement and commit each."""
    from notifications.models import Message

    ids = list(Message.objects.order_by("id").values_list("id", flat=True)[:UPDATE_LOOP])
    start = time.perf_counter()
    for pk in ids:
        Message.objects.filter(pk=pk).update(provider_id="bench", sent_at=now)
    return time.perf_counter() - start


def main() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        for result in sweep_10k_due_messages(Context(scale="bench")):
            print(f"{result.name}: {result.ops} in {result.seconds_per_op * result.ops:.2f}s — {result.note}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
