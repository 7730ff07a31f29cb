"""Thin Celery wrappers around the calls' services (queue: celery)."""

from celery import shared_task
from django.db import DatabaseError

from notifications.services import reminders_sweep

from .services.privacy import privacy_apply_retention as _apply_retention
from .services.reminders import CALL_REMINDERS


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    max_retries=3,
    soft_time_limit=240,
    time_limit=300,
)
def send_call_reminders() -> int:
    """Beat's sweep of the calls' reminders: the mails go to the outbox, then out.

    Safe to run twice at once (two beats, a redelivery): the outbox keys settle it.
    """
    return reminders_sweep(kinds=CALL_REMINDERS)


@shared_task(acks_late=True)
def privacy_apply_retention() -> int:
    """Every night from beat (calls/migrations/0004_privacy.py): the retention periods."""
    return _apply_retention().pk
