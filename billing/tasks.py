"""Celery tasks: thin. Beat queues the package expiry sweep every hour; the database decides what is
due, so a sweep that is lost, late or run twice changes nothing."""

from celery import shared_task
from django.utils import timezone

from billing.services.packages import packages_expiry_sweep


@shared_task(name="billing.packages_expiry", ignore_result=True)
def packages_expiry() -> int:
    return packages_expiry_sweep(now=timezone.now()).told
