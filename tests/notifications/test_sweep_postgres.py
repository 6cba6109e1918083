"""The sweep on PostgreSQL under a real backlog: two workers drain 5,000 due messages and each goes
out exactly once; a batch of 200 costs a fixed handful of queries and one UPDATE per outcome."""

import datetime as dt
import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings

from clinic.models import ClinicSettings
from notifications import delivery, sms
from notifications.models import Message
from patients.models import Patient
from patients.tokens import portal_tokens_live
from tests.factories import TreatmentSeriesFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DUE = 5_000


def _backlog(now: dt.datetime, count: int, *, channel: str = "email") -> None:
    """`count` due outcome check-ins over 50 patients, written in bulk (factories would take minutes).
    Message i says "i weeks", so a text or e-mail names the message it came from."""
    series = [TreatmentSeriesFactory(created_at=now) for _ in range(50)]
    Patient.objects.update(email_consent_at=now, preferred_channel=channel)
    Message.objects.bulk_create(
        Message(
            patient_id=series[i % 50].patient_id,
            series_id=series[i % 50].pk,
            channel=channel,
            kind=Message.Kind.OUTCOME,
            data={"weeks": i},
            dedupe_key=f"series:{series[i % 50].pk}:outcome_{i}w",
            send_at=now - dt.timedelta(seconds=i % 600),
            created_at=now,
        )
        for i in range(count)
    )


def test_two_workers_send_5000_due_messages_each_exactly_once():
    now = dt.datetime.now(dt.UTC)
    _backlog(now, DUE)
    results, errors = [], []
    start = threading.Barrier(2)

    def work():
        try:
            start.wait()
            results.append(delivery.messages_sweep(now=now))
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)
        finally:
            connection.close()

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        workers = [threading.Thread(target=work) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    assert errors == []
    assert sum(r.sent for r in results) == DUE
    assert all(r.sent > 0 for r in results), "both workers took a share"
    assert sum(len(r.reclaimed) for r in results) == 0
    message_ids = [email.extra_headers["Message-ID"] for email in mail.outbox]
    assert len(message_ids) == len(set(message_ids)) == DUE
    assert Message.objects.filter(status=Message.Status.SENT).count() == DUE
    assert Message.objects.exclude(claim_token="").count() == 0


def test_a_batch_of_200_is_claimed_in_a_handful_of_queries_and_recorded_one_row_each(django_assert_max_num_queries):
    now = dt.datetime.now(dt.UTC)
    _backlog(now, 201)
    delivery.messages_sweep(now=now, max_batches=1, batch_size=1)  # warm: settings row, templates
    # Steady state: each patient's one live portal link is already out (minted once, then reused).
    portal_tokens_live(patient_ids=set(Patient.objects.values_list("pk", flat=True)), now=now)

    # A fixed handful for the claim (the unsubscribe links among them: one transaction deleting
    # expired ones and inserting the batch's), then one single-row UPDATE per outcome as the
    # provider answers.
    with django_assert_max_num_queries(14 + 200):
        result = delivery.messages_sweep(now=now, max_batches=1, batch_size=200)

    assert result.sent == 200
    assert Message.objects.filter(status=Message.Status.SENT).count() == 201


class _SlowProvider(sms.BaseSmsBackend):
    """Takes 50 ms a text and counts how many texts it holds at once."""

    lock = threading.Lock()
    in_flight = 0
    most = 0
    texts: list[str] = []

    def send(self, *, to: str, text: str) -> str:
        with _SlowProvider.lock:
            _SlowProvider.in_flight += 1
            _SlowProvider.most = max(_SlowProvider.most, _SlowProvider.in_flight)
        time.sleep(0.05)
        with _SlowProvider.lock:
            _SlowProvider.in_flight -= 1
            _SlowProvider.texts.append(text)
        return f"slow-{len(_SlowProvider.texts)}"


@override_settings(SMS_BACKEND="tests.notifications.test_sweep_postgres._SlowProvider")
def test_four_lanes_keep_four_texts_with_the_provider_and_send_each_once():
    now = dt.datetime.now(dt.UTC)
    _backlog(now, 200, channel="sms")
    Patient.objects.update(sms_consent_at=now)
    # Texts on the real clock must not wait for the morning.
    ClinicSettings.objects.filter(pk=ClinicSettings.load().pk).update(
        sms_quiet_start=dt.time(0), sms_quiet_end=dt.time(0)
    )
    _SlowProvider.texts, _SlowProvider.most = [], 0

    result = delivery.messages_sweep(now=now, concurrency=4)

    assert result.sent == 200 and result.reclaimed == []
    assert _SlowProvider.most == 4, "four texts with the provider at once"
    assert len(_SlowProvider.texts) == len(set(_SlowProvider.texts)) == 200
    assert Message.objects.filter(status=Message.Status.SENT).count() == 200
    assert Message.objects.exclude(claim_token="").count() == 0
