"""Thin Celery wrappers around the experiments' services (queue: celery)."""

from celery import shared_task
from django.db import DatabaseError

from notifications.services import reminders_sweep

from .reminders import EXPERIMENT_REMINDERS


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    max_retries=3,
    soft_time_limit=240,
    time_limit=300,
)
def send_experiment_reminders() -> int:
    """Beat's sweep of the experiments' reminders (milestones, reports, events).

    Safe to run twice at once (two beats, a redelivery): the outbox keys settle it.
    """
    return reminders_sweep(kinds=EXPERIMENT_REMINDERS)
