"""Celery tasks: thin. Beat queues the sweep every minute; the database decides what is due, so a
sweep that is lost, late or run twice changes nothing (no ETA/countdown tasks on the broker)."""

from celery import shared_task
from django.utils import timezone

from .delivery import messages_sweep


@shared_task(name="notifications.sweep", ignore_result=True)
def sweep() -> int:
    return messages_sweep(now=timezone.now()).sent
