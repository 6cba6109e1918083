"""A package expires on the date its policy sets; the patient is told once beforehand through the
outbox, in words that name the sessions left and the date, never what they are for."""

import datetime as dt

import pytest
from django.core import mail

from billing.models import BillingEvent, BillingPolicy, Package
from billing.services.package_ends import packages_expiry_sweep
from billing.services.packages import redemption_make
from notifications.delivery import messages_sweep
from notifications.models import Message
from tests.billing.factories_series import SOLD, STARTS, knee_series, sell
from tests.treatments.factories_desk import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(desk_user):
    BillingPolicy.objects.update_or_create(pk=1, defaults={"expiry_days": 120, "expiry_notice_days": 14})
    setup = knee_series()
    setup.patient.preferred_channel = "email"
    setup.patient.email = "maria@example.com"
    setup.patient.save()
    sold = sell(setup, by=desk_user)
    redemption_make(appointment_id=setup.sessions[0].pk, kind="attended", by=desk_user, now=STARTS[0])
    return sold


def test_the_patient_is_told_once_before_and_the_words_say_nothing_clinical(package):
    assert package.expires_on == SOLD.date() + dt.timedelta(days=120)  # 29 August 2026
    early = local(2026, 8, 10, 9)
    assert packages_expiry_sweep(now=early).told == 0  # 19 days before: not yet
    now = local(2026, 8, 16, 9)
    assert packages_expiry_sweep(now=now).told == 1
    assert packages_expiry_sweep(now=now + dt.timedelta(hours=1)).told == 0  # once
    message = Message.objects.get(kind="pkg_expiry")
    assert message.data == {"package_id": package.pk, "sessions_left": 4, "expires_on": "29 August 2026"}
    messages_sweep(now=now, clock=lambda: now)
    message.refresh_from_db()
    assert message.status == "sent", message.last_error
    sent = mail.outbox[-1]
    assert "expire on 29 August 2026" in sent.subject
    assert "You have 4 prepaid sessions left" in sent.body
    words = (sent.subject + sent.body).lower()
    for clinical in ("knee", "osteoarthritis", "prolotherapy", "injection", "dextrose"):
        assert clinical not in words
    assert BillingEvent.objects.filter(invoice=package.invoice, action="expiry_notice").count() == 1


def test_a_notice_no_longer_wanted_is_not_sent(package, admin_user):
    now = local(2026, 8, 16, 9)
    packages_expiry_sweep(now=now)
    Package.objects.filter(pk=package.pk).update(status=Package.Status.USED)
    messages_sweep(now=now, clock=lambda: now)
    message = Message.objects.get(kind="pkg_expiry")
    assert message.status != "sent" and "no longer active" in message.last_error


def test_after_its_date_the_package_expires_and_holds_nothing(package):
    result = packages_expiry_sweep(now=local(2026, 8, 30, 9))
    package.refresh_from_db()
    assert (result.expired, package.status) == (1, "expired")
    assert BillingEvent.objects.get(action="package_expired").detail == "4 sessions left unused"
    assert packages_expiry_sweep(now=local(2026, 8, 31, 9)).expired == 0
