"""Celery tasks: thin. Beat queues the package expiry sweep, the Good Faith Estimate sweep and the
balance reminders every hour; the database decides what is due, so a sweep that is lost, late or
run twice changes nothing."""

from celery import shared_task
from django.utils import timezone

from billing.services.accounts import balance_reminders_sweep
from billing.services.documents import gfe_sweep
from billing.services.package_ends import packages_expiry_sweep


@shared_task(name="billing.packages_expiry", ignore_result=True)
def packages_expiry() -> int:
    return packages_expiry_sweep(now=timezone.now()).told


@shared_task(name="billing.online_paying_holds", ignore_result=True)
def online_paying_holds() -> int:
    """Online bookings held while their deposit is paid, past their time: Stripe is asked about
    each before its slot is given back (treatments.booking.services.confirm.online_paying_release)."""
    from treatments.booking.services.confirm import online_paying_release

    return online_paying_release(now=timezone.now())


@shared_task(name="billing.estimates_sweep", ignore_result=True)
def estimates_sweep() -> int:
    return gfe_sweep(now=timezone.now())


@shared_task(name="billing.balance_reminders", ignore_result=True)
def balance_reminders() -> int:
    """Reminders of what is owed on the clinic's schedule (BillingPolicy.balance_reminder_days)."""
    return balance_reminders_sweep(now=timezone.now())
