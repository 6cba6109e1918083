"""Faults tried for real, each with real processes against the live test database (PostgreSQL):
a Celery worker killed with SIGKILL in the middle of a batch, Redis stopped while the desk books,
and the sweeping process's PostgreSQL connection cut with pg_terminate_backend. In each, nothing
is lost and a killed process re-sends at most the one text it had with the provider (the sweep
records each outcome as soon as the provider answers; default settings: one lane).

Every test starts its own redis-server on a free loopback port (never the shared one) and texts
are written one file per message by FileSmsBackend, so the test counts what really left."""

import datetime as dt
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from clinic.localtime import local_datetime
from clinic.models import ClinicSettings
from notifications import delivery
from notifications.models import Message
from notifications.tasks import sweep
from tests.factories import PatientFactory, appointment_type
from tests.notifications.test_reliability import ROOT, Celery, _no_quiet_hours, _wait_for, broker_at
from tests.notifications.test_sweep_postgres import _backlog
from tests.treatments.factories_calendar import practitioner_with_hours
from treatments.models import Appointment

REDIS_SERVER = shutil.which("redis-server")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server on the PATH (apt-get install redis-server)"),
]

TEXTS = 1_000  # fifty claims of 20
# The kill lands after this many texts are out: in the middle of a claim, not between two.
KILL_AT = 310
WEEKS = re.compile(r": (\d+) weeks since your last session")


class RedisServer:
    """A private redis-server on a free loopback port, stopped and started by the test."""

    def __init__(self, tmp_path: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = tmp_path / "redis.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        args += ["--daemonize", "no"]
        self.process = subprocess.Popen(args, stdout=self.log.open("a"), stderr=subprocess.STDOUT)
        _wait_for(self.answers, seconds=20, what="redis-server to answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def _texts_out(folder: Path) -> Counter:
    """How many times each message's text was written; key None for a file cut short by a kill."""
    counts: Counter = Counter()
    for path in folder.glob("*.txt"):
        found = WEEKS.search(path.read_text(encoding="utf-8"))
        counts[int(found.group(1)) if found else None] += 1
    return counts


def _files(folder: Path) -> int:
    return len(os.listdir(folder)) if folder.exists() else 0


def _when_texts_out(folder: Path, count: int) -> None:
    """Return as soon as `count` texts are out: polled every few milliseconds (the shared helper's
    quarter second is a whole batch), so the kill lands while the batch is still being sent."""
    _wait_for(lambda: _files(folder) >= count, seconds=60, what=f"{count} texts out", every=0.002)


def _status_count(status: str) -> int:
    return Message.objects.filter(status=status).count()


def _assert_each_sent_once_or_twice(counts: Counter, *, duplicates: int) -> None:
    assert counts.pop(None, 0) <= 1  # at most the one file being written when the process died
    assert set(counts) == set(range(TEXTS)), "every message went out: none lost"
    assert max(counts.values()) <= 2, "none more than twice"
    assert sum(1 for n in counts.values() if n == 2) == duplicates
    print(f"duplicates after one killed process: {duplicates}")  # the figure, shown with -s
    assert duplicates <= 1, "at most one duplicate per killed process"
    assert _status_count(Message.Status.SENT) == TEXTS


def test_a_worker_killed_mid_batch_loses_nothing_and_a_second_worker_sends_the_rest(tmp_path, own_redis):
    _no_quiet_hours()
    _backlog(dt.datetime.now(dt.UTC), TEXTS, channel="sms")
    procs = Celery(tmp_path, broker=own_redis.url, PROLO_TEST_LEASE="3")
    try:
        first = procs.start("worker")
        with broker_at(own_redis.url):
            sweep.apply_async(queue=procs.queue)
        # Into the sixteenth claim: the texts going out one by one, each recorded as it goes.
        _when_texts_out(procs.sms_dir, KILL_AT)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()

        out = _texts_out(procs.sms_dir)
        recorded = _status_count(Message.Status.SENT)
        unrecorded = sum(out.values()) - recorded
        stranded = _status_count(Message.Status.SENDING)
        # Mid-claim for real: at most the one text in flight left unrecorded, the rest of the
        # dead worker's claim still "sending" (never sent), later claims never made.
        assert recorded >= KILL_AT - 1 and unrecorded <= 1
        assert 0 < stranded <= delivery.BATCH_SIZE
        assert _status_count(Message.Status.PENDING) == TEXTS - recorded - stranded
        lease_end = Message.objects.filter(status=Message.Status.SENDING).values_list("lease_until", flat=True)[0]
        _wait_for(lambda: dt.datetime.now(dt.UTC) > lease_end, seconds=20, what="the dead worker's lease to end")

        procs.start("worker")
        with broker_at(own_redis.url):
            sweep.apply_async(queue=procs.queue)
        _wait_for(lambda: _status_count(Message.Status.SENT) == TEXTS, seconds=60, what="the second worker")
    finally:
        procs.stop()

    # Only the texts the dead worker sent without recording went twice (a file it was writing
    # when killed may be cut short: that text was re-sent whole).
    _assert_each_sent_once_or_twice(_texts_out(procs.sms_dir), duplicates=unrecorded - out[None])
    assert Message.objects.filter(last_error=delivery.RECLAIMED_NOTE).count() == stranded


def _next_weekday_at(hour: int, minute: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=3)
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    return local_datetime(day, dt.time(hour, minute))


def test_redis_stopped_while_booking_keeps_the_messages_and_they_go_once_it_is_back(tmp_path, own_redis, desk_client):
    _no_quiet_hours()
    # The reminder of a session booked three to five days ahead is due at once.
    ClinicSettings.objects.filter(pk=ClinicSettings.load().pk).update(reminder_hours=7 * 24)
    ada, main = practitioner_with_hours("Dr Ada Stone")
    patient = PatientFactory(first_name="Jane", preferred_channel="email")
    start = _next_weekday_at(10, 30)
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": own_redis.url}}
    procs = Celery(tmp_path, broker=own_redis.url)
    try:
        with override_settings(CACHES=redis_cache), broker_at(own_redis.url):
            sweep.apply_async(queue=procs.queue)  # Redis answers: a sweep is queued ...
            own_redis.stop()  # ... and lost with Redis (it keeps nothing on disk)
            with pytest.raises(OperationalError):
                sweep.apply_async(queue=procs.queue, retry=False)

            response = desk_client.post(
                "/desk/slot/book/",
                {
                    "patient": patient.pk,
                    "practitioner": ada.pk,
                    "location": main.pk,
                    "date": timezone.localtime(start).date().isoformat(),
                    "time": "10:30",
                    "appointment_type": appointment_type("consultation").pk,
                },
            )
            assert response.status_code == 302

            booked = Appointment.objects.get(patient=patient)
            assert (booked.status, booked.start) == (Appointment.Status.BOOKED, start)
            reminder = Message.objects.get(appointment_id=booked.pk, kind=Message.Kind.REMINDER)
            assert reminder.status == Message.Status.PENDING  # in the outbox, in the database

            # The rate limits in the cache are skipped, not a 500: a mistyped link is a plain 404.
            assert Client().get("/portal/not-a-real-link-at-all/").status_code == 404

            own_redis.start()  # back, empty
            procs.start("worker")
            sweep.apply_async(queue=procs.queue)
            _wait_for(
                lambda: not Message.objects.filter(appointment_id=booked.pk, status=Message.Status.PENDING).exists(),
                seconds=60,
                what="the sweep once Redis is back",
            )
    finally:
        procs.stop()

    mails = procs.mails()
    # The desk's booking is confirmed in writing (issue 19), and the reminder is due: each goes once.
    assert Message.objects.get(pk=reminder.pk).status == Message.Status.SENT
    assert mails.count(f"To: {patient.email}") == 2
    assert "Jane" in mails


SWEEP = """
import django
django.setup()
from django.utils import timezone
from notifications.delivery import messages_sweep
messages_sweep(now=timezone.now())
"""


def test_the_sweeps_database_connection_cut_mid_sweep_loses_nothing(tmp_path):
    _no_quiet_hours()
    _backlog(dt.datetime.now(dt.UTC), TEXTS, channel="sms")
    name = f"prolo-fault-sweep-{os.getpid()}"
    procs = Celery(tmp_path, broker="")
    env = {**procs.env, "DATABASE_URL": f"{procs.env['DATABASE_URL']}?application_name={name}"}
    log = (tmp_path / "sweep.log").open("w")
    sweeper = subprocess.Popen([sys.executable, "-c", SWEEP], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _when_texts_out(procs.sms_dir, KILL_AT)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", [name])
            assert cursor.fetchall() == [(True,)]
        assert sweeper.wait(timeout=60) != 0  # the sweep died with its connection
    finally:
        if sweeper.poll() is None:
            sweeper.kill()
            sweeper.wait()
        log.close()
    # It died of the cut, not of something else.
    assert "django.db.utils.OperationalError: server closed the connection" in (tmp_path / "sweep.log").read_text()

    out = _texts_out(procs.sms_dir)
    recorded = _status_count(Message.Status.SENT)
    unrecorded = sum(out.values()) - recorded
    stranded = _status_count(Message.Status.SENDING)
    assert unrecorded <= 1 and 0 < stranded <= delivery.BATCH_SIZE
    lease_end = Message.objects.filter(status=Message.Status.SENDING).values_list("lease_until", flat=True)[0]

    # The next sweep, after the lost batch's lease: in this process, the same file channel.
    with override_settings(SMS_BACKEND="notifications.sms.FileSmsBackend", SMS_FILE_PATH=str(procs.sms_dir)):
        result = delivery.messages_sweep(now=lease_end, clock=lambda: lease_end)

    assert result.sent == TEXTS - recorded
    assert len(result.reclaimed) == stranded
    _assert_each_sent_once_or_twice(_texts_out(procs.sms_dir), duplicates=unrecorded - out[None])
    assert _status_count(Message.Status.PENDING) == 0
