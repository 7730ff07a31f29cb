"""Thin Celery wrappers around the outbox services (queue: mail)."""

from celery import shared_task

from . import services


@shared_task(
    acks_late=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def send_mail(mail_id: int) -> bool:
    return services.mail_send(mail_id=mail_id)


@shared_task(acks_late=True)
def send_queued_mails() -> int:
    return services.mails_send_queued()
