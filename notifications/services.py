"""Drafting, queueing and sending the portal's emails through the outbox."""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template import Context, Template
from django.utils import timezone, translation

from .enums import MailStatus
from .models import MailTemplate, OutgoingMail
from .registry import BY_CODE

logger = logging.getLogger(__name__)

# A mail claimed this long ago and still not sent: its worker died; send it again.
STALE_CLAIM = dt.timedelta(minutes=10)
REDACTED = "[…]"


def mail_template_get(*, code: str) -> MailTemplate:
    """The template staff may have edited, created from the registry the first time."""
    definition = BY_CODE[code]
    template, _ = MailTemplate.objects.get_or_create(
        code=code,
        defaults={
            "description": str(definition.description),
            "subject_fr": definition.subject_fr,
            "subject_en": definition.subject_en,
            "body_fr": definition.body_fr,
            "body_en": definition.body_en,
            "subject": definition.subject_fr,
            "body": definition.body_fr,
        },
    )
    return template


def mail_render(*, code: str, language: str, context: dict) -> tuple[str, str]:
    template = mail_template_get(code=code)
    with translation.override(language):
        subject_source, body_source = template.subject, template.body
    context = Context({key: str(value) for key, value in context.items()}, autoescape=False)
    subject = Template(subject_source).render(context)
    body = Template(body_source).render(context)
    return " ".join(subject.split()), body


def mail_draft(
    *,
    code: str,
    recipient: str,
    language: str,
    context: dict,
    occurrence_key: str,
    related=None,
    queue: bool = False,
    redact_after_sending: bool = False,
    headers: dict | None = None,
) -> OutgoingMail:
    """Create the mail of an occurrence, or return the one that exists.

    Idempotent: the unique occurrence key makes a second call a no-op, even
    from two processes at once. With ``queue`` the mail goes out as soon as
    the surrounding transaction commits; otherwise it waits for staff.
    """
    existing = OutgoingMail.objects.filter(occurrence_key=occurrence_key).first()
    if existing:
        return existing
    subject, body = mail_render(code=code, language=language, context=context)
    fields = {
        "template_code": code,
        "recipient": recipient,
        "language": language,
        "subject": subject,
        "body": body,
        "redact_after_sending": redact_after_sending,
        "headers": headers or {},
        "status": MailStatus.QUEUED if queue else MailStatus.DRAFT,
        "queued_at": timezone.now() if queue else None,
    }
    if related is not None:
        fields["related_type"] = ContentType.objects.get_for_model(related)
        fields["related_id"] = related.pk
    try:
        with transaction.atomic():
            mail = OutgoingMail.objects.create(occurrence_key=occurrence_key, **fields)
    except IntegrityError:
        return OutgoingMail.objects.get(occurrence_key=occurrence_key)
    if queue:
        _send_on_commit(mail)
    return mail


def mail_queue(*, mails) -> int:
    """Staff confirm drafts (or retry failed mails): they go out after commit."""
    ids = [mail.pk for mail in mails]
    queued = OutgoingMail.objects.filter(
        pk__in=ids, status__in=[MailStatus.DRAFT, MailStatus.FAILED]
    )
    ids = list(queued.values_list("pk", flat=True))
    count = queued.update(status=MailStatus.QUEUED, queued_at=timezone.now())
    for mail_id in ids:
        transaction.on_commit(lambda mail_id=mail_id: _enqueue(mail_id))
    return count


def mail_cancel(*, mails) -> int:
    return OutgoingMail.objects.filter(
        pk__in=[mail.pk for mail in mails], status__in=[MailStatus.DRAFT, MailStatus.FAILED]
    ).update(status=MailStatus.CANCELLED)


def mail_send(*, mail_id: int) -> bool:
    """Claim the mail, send it, mark it sent; False when someone else has it.

    The claim commits before sending: a worker killed mid-send leaves a
    'sending' row that the next sweep takes again once the claim is stale.
    """
    now = timezone.now()
    claimed = OutgoingMail.objects.filter(pk=mail_id).filter(
        Q(status=MailStatus.QUEUED) | Q(status=MailStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)
    )
    if not claimed.update(status=MailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1):
        return False
    mail = OutgoingMail.objects.get(pk=mail_id)
    message = EmailMessage(
        subject=mail.subject,
        body=mail.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.recipient],
        headers={**mail.headers, "X-QMI-Occurrence": mail.occurrence_key},
    )
    try:
        message.send()
    except Exception as error:
        logger.warning("Mail %s to %s failed: %s", mail.pk, mail.recipient, error)
        OutgoingMail.objects.filter(pk=mail.pk).update(
            status=MailStatus.FAILED, last_error=str(error)[:2000]
        )
        return False
    update = {"status": MailStatus.SENT, "sent_at": timezone.now(), "last_error": ""}
    if mail.redact_after_sending:
        update["body"] = REDACTED
    OutgoingMail.objects.filter(pk=mail.pk).update(**update)
    return True


def mails_send_queued(*, limit: int = 1000) -> int:
    """The sweep: send what is queued, and what a dead worker left claimed."""
    stale = timezone.now() - STALE_CLAIM
    ids = list(
        OutgoingMail.objects.filter(
            Q(status=MailStatus.QUEUED) | Q(status=MailStatus.SENDING, claimed_at__lt=stale)
        )
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for mail_id in ids if mail_send(mail_id=mail_id))


def _send_on_commit(mail):
    transaction.on_commit(lambda: _enqueue(mail.pk))


def _enqueue(mail_id):
    from .tasks import send_mail

    try:
        send_mail.delay(mail_id)
    except Exception:
        logger.warning("Could not enqueue mail %s; the sweep will send it.", mail_id)
