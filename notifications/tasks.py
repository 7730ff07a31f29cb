"""Thin Celery wrappers around the outbox services (queue: mail).

Safe to run twice: every state lives in PostgreSQL and each mail is claimed
by one process at a time. Database hiccups retry with backoff; a mail that
fails to send waits in the outbox (``not_before``) for the next sweep.
"""

import time

from celery import shared_task
from django.db import DatabaseError

from . import services

# A sweep stops taking new batches after this long, well inside its time limit;
# the next one (beat, every minute) goes on.
SWEEP_BUDGET = 150


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def send_mail(mail_id: int) -> bool:
    return services.mail_send(mail_id=mail_id)


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=3,
    soft_time_limit=SWEEP_BUDGET + 60,
    time_limit=SWEEP_BUDGET + 90,
)
def send_queued_mails() -> int:
    """Sends until the outbox is empty; past its budget it hands over to a fresh task."""
    started = time.monotonic()
    sent = services.mails_send_queued(time_budget=SWEEP_BUDGET)
    if time.monotonic() - started >= SWEEP_BUDGET:
        send_queued_mails.delay()
    return sent
