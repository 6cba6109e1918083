"""The outbox sweep's throughput: 10,000 due messages (half session reminders, half outcome
check-ins, over 1,000 patients) sent to no-op e-mail and SMS backends, so the figure is the cost of
claiming, re-checking, rendering and recording, not of a mail server.

Beside it, measured in the same run on the same table: a loop of single-row UPDATEs, each its own
commit, the cheapest way to write one outcome per message. The sweep writes exactly that (one
UPDATE per outcome, as the provider answers, so a crash re-sends at most the text in flight) and must
reach at least half that rate.

Then the sweep against a fake SMS provider on loopback that takes 200 ms per text (Twilio's API
shape, through notifications.sms.TwilioSmsBackend): messages per second with the default settings
(MESSAGES_SWEEP_CONCURRENCY, one lane) and with four lanes. `BENCH_ONLY=slow_provider make bench`
runs only that stage.

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


def _forget_sweeps() -> None:
    """The messages, patients, series, sessions and practitioners a sweep benchmark made (the
    practitioners' users are bench-sweep-…): removed before each seeding and after each benchmark,
    so the database keeps the seed's shape (each run's 5,000 sessions in the coming weeks made the
    calendars' busiest day grow from run to run, and each run's practitioners a column of every
    day page)."""
    from django.contrib.auth import get_user_model

    from clinic.models import Practitioner
    from notifications.models import Message
    from patients.models import Patient
    from treatments.models import Appointment, TreatmentSeries

    Message.objects.all().delete()
    made = TreatmentSeries.objects.filter(practitioner__user__username__startswith="bench-sweep-")
    patients = list(made.values_list("patient_id", flat=True))
    Appointment.objects.filter(practitioner__user__username__startswith="bench-sweep-").delete()
    made.delete()
    Patient.objects.filter(pk__in=patients).delete()
    # Their practitioners too: each run's stayed active, a column more on every day page.
    Practitioner.objects.filter(user__username__startswith="bench-sweep-").delete()
    get_user_model().objects.filter(username__startswith="bench-sweep-").delete()


def _seed(now: dt.datetime, *, count: int = COUNT, patients_count: int = PATIENTS, sms_only: bool = False) -> None:
    from clinic.models import ClinicSettings, Location, Practitioner
    from notifications.models import Message
    from patients.models import Patient
    from tests.factories import LocationFactory, PractitionerFactory, appointment_type, protocol
    from treatments.models import Appointment, TreatmentSeries

    _forget_sweeps()
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
            preferred_channel="sms" if sms_only or i % 4 == 0 else "email",
            email_consent_at=now,
            sms_consent_at=now,
        )
        for i in range(patients_count)
    )
    series = TreatmentSeries.objects.bulk_create(
        TreatmentSeries(
            patient=p, protocol=knee, practitioner=practitioner, location=location, planned_sessions=5, created_at=now
        )
        for p in patients
    )
    per_series = count // 2 // patients_count
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
    _forget_sweeps()
    sweep_rate, loop_rate = COUNT / seconds, UPDATE_LOOP / loop_seconds
    return [
        Result(
            name=f"messages sweep ({connection.vendor})",
            seconds_per_op=seconds / COUNT,
            ops=COUNT,
            note=(
                f"{sweep_rate:,.0f} messages/s ({cpu:.1f}s of it on this process's CPU); "
                f"{len(queries) / batches:.0f} queries per batch of {delivery.BATCH_SIZE}; "
                f"{sweep_rate / loop_rate:.2f}x the UPDATE loop (each outcome is its own UPDATE as it happens, "
                "so a crash repeats at most one message; throughput comes from lanes, below)"
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
PROVIDER_SECONDS = 0.2


def _fake_provider():
    """A Twilio-shaped Messages API on a loopback port, answering each text after 200 ms; one
    thread per request, so parallel texts wait in parallel as they would at a real provider."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(PROVIDER_SECONDS)
            body = json.dumps({"sid": f"SM{uuid.uuid4().hex}"}).encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _slow_provider_run(*, lanes: int | None, count: int) -> Result:
    from django.conf import settings
    from django.db import connection
    from django.test import override_settings

    from notifications import delivery
    from notifications.models import Message

    now = dt.datetime.now(dt.UTC)
    _seed(now, count=count, patients_count=count // 2, sms_only=True)
    server = _fake_provider()
    try:
        with override_settings(
            SMS_BACKEND="notifications.sms.TwilioSmsBackend",
            SMS_API_URL=f"http://127.0.0.1:{server.server_address[1]}",
            TWILIO_ACCOUNT_SID="ACbench",
            TWILIO_AUTH_TOKEN="bench-token",
            SMS_FROM="+13125550100",
        ):
            start = time.perf_counter()
            result = delivery.messages_sweep(now=now, concurrency=lanes)
            seconds = time.perf_counter() - start
    finally:
        server.shutdown()
        server.server_close()
    sent = Message.objects.filter(status=Message.Status.SENT).count()
    assert sent == result.sent == count, (sent, result)
    _forget_sweeps()
    label = f"{lanes} lanes" if lanes else f"default settings, {settings.MESSAGES_SWEEP_CONCURRENCY} lane(s)"
    return Result(
        name=f"sweep, 200 ms fake SMS provider, {label} ({connection.vendor})",
        seconds_per_op=seconds / count,
        ops=count,
        note=f"{count / seconds:,.1f} messages/s",
    )


@benchmark
def sweep_slow_provider_default(_ctx: Context) -> Result:
    return _slow_provider_run(lanes=None, count=50)


@benchmark
def sweep_slow_provider_4_lanes(_ctx: Context) -> Result:
    return _slow_provider_run(lanes=4, count=200)


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
        results = [*sweep_10k_due_messages(Context(scale="bench"))]
        results += [
            sweep_slow_provider_default(Context(scale="bench")),
            sweep_slow_provider_4_lanes(Context(scale="bench")),
        ]
        for result in results:
            print(f"{result.name}: {result.ops} in {result.seconds_per_op * result.ops:.2f}s — {result.note}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
