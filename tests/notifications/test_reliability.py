"""Reliability on real parts: a Celery worker and beat as separate processes, Redis as the broker,
the live test database (PostgreSQL) shared with them.

These need Redis (REDIS_URL or CELERY_BROKER_URL) and PostgreSQL (DATABASE_URL): the worker is
another process, so it must see the test database through a server, not an in-memory SQLite."""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import override_settings
from kombu import pools
from kombu.exceptions import OperationalError

from clinic.models import ClinicSettings
from notifications import delivery
from notifications.models import Message
from notifications.tasks import sweep
from tests.factories import PatientFactory
from tests.notifications.factories_messages import MessageFactory, series_with_sessions
from tests.notifications.test_sms import FakeProvider
from tests.seeds import reseed
from treatments.scheduling import messaging

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""

TWILIO = {"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t", "SMS_FROM": "+13125550000"}


def _redis_answers() -> bool:
    if not BROKER.startswith("redis://"):
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(
    not _redis_answers(), reason="needs Redis: set REDIS_URL=redis://127.0.0.1:6379/<db> to a running server"
)
pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


class Celery:
    """Starts `celery -A clinic worker|beat` against the live test database and a private queue."""

    def __init__(self, tmp_path: Path, *, broker: str = BROKER, **env):
        self.queue = f"prolo-test-{uuid.uuid4().hex[:12]}"
        self.broker = broker
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.sms_dir = tmp_path / "sms"
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "tests.notifications.celery_settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": broker,
            "CELERY_BROKER_URL": broker,
            "PROLO_TEST_MAIL_DIR": str(self.mail_dir),
            "PROLO_TEST_QUEUE": self.queue,
            "PROLO_TEST_BEAT": "2",
            "CONN_MAX_AGE": "0",
            **env,
        }
        if db.get("PASSWORD"):
            self.env["DATABASE_URL"] = self.env["DATABASE_URL"].replace("@", f":{db['PASSWORD']}@", 1)
        self.processes: list[subprocess.Popen] = []
        self.logs = tmp_path / "celery.log"

    def start(self, kind: str) -> subprocess.Popen:
        args = [sys.executable, "-m", "celery", "-A", "clinic", kind, "--loglevel=INFO"]
        if kind == "worker":
            args += ["--pool=solo", "-Q", self.queue, "--without-gossip", "--without-mingle", "--without-heartbeat"]
        else:
            args += ["--schedule", str(self.mail_dir.parent / f"beat-{self.queue}")]
        log = self.logs.open("a")
        process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        import redis

        # The queue and the routing keys kombu keeps for it: leave the test's Redis database clean.
        with suppress(redis.ConnectionError):  # a broker the test has stopped keeps nothing
            redis.Redis.from_url(self.broker, socket_connect_timeout=1).delete(
                self.queue, f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}"
            )

    def mails(self) -> str:
        return "".join(path.read_text() for path in sorted(self.mail_dir.glob("*.log")))


@pytest.fixture(autouse=True)
def _seeded():
    reseed()


@contextmanager
def broker_at(url: str):
    """Point this process's Celery app at another broker, dropping its pooled connections."""
    from clinic.celery import app

    def reset():
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        # kombu keeps producer pools per broker address: one left from an earlier visit to the
        # same address would hand out the connections closed above.
        pools.reset()

    previous = app.conf.broker_url
    reset()
    app.conf.broker_url = url
    try:
        yield
    finally:
        reset()
        app.conf.broker_url = previous


@pytest.fixture
def celery_procs(tmp_path):
    procs = Celery(tmp_path)
    yield procs
    procs.stop()


def _wait_for(check, *, seconds: float, what: str, every: float = 0.25):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def _no_quiet_hours():
    # The processes run on the real clock: texts must not wait for the morning.
    ClinicSettings.objects.filter(pk=ClinicSettings.load().pk).update(
        sms_quiet_start=dt.time(0, 0), sms_quiet_end=dt.time(0, 0)
    )


def _book_a_series_due_now():
    now = dt.datetime.now(dt.UTC)
    series = series_with_sessions(starts=[now + dt.timedelta(days=10), now + dt.timedelta(days=38)], now=now)
    with transaction.atomic():  # as the booking service does: the outbox rows commit with the booking
        messaging.series_booked(series=series, now=now)
    return series


@needs_redis
def test_worker_and_beat_send_the_due_confirmation_into_the_mail_folder(celery_procs):
    series = _book_a_series_due_now()
    celery_procs.start("worker")
    celery_procs.start("beat")

    _wait_for(
        lambda: Message.objects.filter(kind=Message.Kind.CONFIRMATION, status=Message.Status.SENT).exists(),
        seconds=60,
        what="beat -> worker -> sent",
    )

    mails = celery_procs.mails()
    assert f"To: {series.patient.email}" in mails
    assert mails.count("Subject: Your sessions at") == 1
    confirmation = Message.objects.get(kind=Message.Kind.CONFIRMATION)
    assert confirmation.status == Message.Status.SENT
    # Reminders are days away: still waiting.
    assert Message.objects.filter(kind=Message.Kind.REMINDER, status=Message.Status.PENDING).count() == 2


@needs_redis
def test_redis_down_at_booking_loses_nothing_and_the_sweep_sends_once_it_is_back(celery_procs):
    with broker_at("redis://127.0.0.1:1/0"):  # nothing listens there: Redis is down
        with pytest.raises(OperationalError):
            sweep.apply_async(queue=celery_procs.queue, retry=False)
        series = _book_a_series_due_now()  # and the booking still commits with its messages
    assert Message.objects.get(kind=Message.Kind.CONFIRMATION).status == Message.Status.PENDING

    celery_procs.start("worker")
    sweep.apply_async(queue=celery_procs.queue)

    _wait_for(
        lambda: Message.objects.get(kind=Message.Kind.CONFIRMATION).status == Message.Status.SENT,
        seconds=60,
        what="the sweep after Redis is back",
    )
    assert celery_procs.mails().count(f"To: {series.patient.email}") == 1


@needs_redis
def test_a_worker_killed_mid_send_is_retried_after_the_lease_at_most_once_more_and_logged(tmp_path, caplog):
    _no_quiet_hours()
    patient = PatientFactory(preferred_channel="sms", email_consent_at=None)
    MessageFactory(patient=patient, channel="sms", send_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    with FakeProvider() as provider:
        provider.hang = threading.Event()  # the first request is held until the worker is gone
        original = provider.server.RequestHandlerClass.do_POST

        def held(handler):
            if len(provider.requests) == 0:
                provider.requests.append({"held": True})
                provider.hang.wait(30)
                return
            original(handler)

        provider.server.RequestHandlerClass.do_POST = held
        procs = Celery(tmp_path, SMS_BACKEND="notifications.sms.HttpSmsBackend", SMS_API_URL=provider.url, **TWILIO)
        try:
            worker = procs.start("worker")
            sweep.apply_async(queue=procs.queue)
            _wait_for(lambda: provider.requests, seconds=60, what="the worker to claim and start sending")
            assert Message.objects.get().status == Message.Status.SENDING
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
        finally:
            provider.hang.set()
            procs.stop()

        claimed = Message.objects.get()
        assert (claimed.status, claimed.attempts) == (Message.Status.SENDING, 1)
        with override_settings(SMS_BACKEND="notifications.sms.HttpSmsBackend", SMS_API_URL=provider.url, **TWILIO):
            early = delivery.messages_sweep(now=claimed.lease_until - dt.timedelta(seconds=1))
            late = delivery.messages_sweep(now=claimed.lease_until)
            again = delivery.messages_sweep(now=claimed.lease_until + delivery.LEASE * 2)

    row = Message.objects.get()
    assert (early.sent, late.sent, again.sent) == (0, 1, 0)
    assert (row.status, row.attempts, row.last_error) == (Message.Status.SENT, 2, delivery.RECLAIMED_NOTE)
    assert len(provider.requests) == 2  # the one lost with the worker, and exactly one more
    assert "may have gone out once before" in caplog.text


def test_two_sweeps_at_once_send_every_message_exactly_once():
    now = dt.datetime.now(dt.UTC)
    patients = PatientFactory.create_batch(10)
    for i in range(120):
        MessageFactory(patient=patients[i % 10], send_at=now - dt.timedelta(seconds=i))
    results, errors = [], []
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            results.append(delivery.messages_sweep(now=now, batch_size=7))
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(r.sent for r in results) == 120
    sent_ids = [e.extra_headers["Message-ID"] for e in mail.outbox]
    assert len(mail.outbox) == 120 and len(set(sent_ids)) == 120
    assert Message.objects.filter(status=Message.Status.SENT).count() == 120


def test_two_writers_planning_the_same_series_at_once_store_each_message_once():
    now = dt.datetime.now(dt.UTC)
    series = series_with_sessions(starts=[now + dt.timedelta(days=d) for d in (10, 38, 66)], now=now)
    errors = []
    start = threading.Barrier(2)

    def book():
        try:
            start.wait()
            with transaction.atomic():
                messaging.series_booked(series=series, now=now)
                time.sleep(0.2)  # hold the transaction open while the other writer inserts
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=book) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Message.objects.count() == 1 + 3 * 2
    assert Message.objects.filter(kind=Message.Kind.CONFIRMATION).count() == 1
