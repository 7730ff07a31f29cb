"""Drafting, queueing and sending the portal's emails through the outbox.

PostgreSQL is the source of truth, the broker only a doorbell. A mail is a
row first, unique per occurrence (a database constraint). Sending claims a
batch (``FOR UPDATE SKIP LOCKED``, status sending, committed), hands each
mail to one open connection of the mail backend and marks it sent at once;
a worker killed in the middle leaves its unsent claims to the next sweep
once they are stale, and what it had sent stays sent. A failed mail waits
(``not_before``, exponential backoff) and is retried by the sweep, up to
MAIL_MAX_ATTEMPTS, then shows as failed for staff to resend.

Reminders (``reminders_sweep``) are written in bulk (``INSERT … ON CONFLICT
DO NOTHING``) for the occurrences that came due; no task is ever scheduled
for a far-future time.
"""

import contextlib
import datetime as dt
import hashlib
import logging
import time
import uuid
from itertools import islice

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import Exists, F, OuterRef, Q
from django.template import Context, Template
from django.utils import timezone, translation

from .enums import MailStatus
from .models import MailTemplate, OutgoingMail, ReminderRule
from .registry import BY_CODE
from .reminders import reminder_key_prefix, reminder_kind_of_key, reminder_kinds

logger = logging.getLogger(__name__)

REDACTED = "[…]"
INSERT_CHUNK = 1000


def _stale_claim() -> dt.timedelta:
    # A mail claimed this long ago and still not sent: its worker died; send it again.
    return dt.timedelta(seconds=settings.MAIL_STALE_CLAIM_SECONDS)


# Templates ------------------------------------------------------------------------


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


class MailRenderer:
    """Renders many mails of the same templates: each template is read and compiled once."""

    def __init__(self):
        self._compiled = {}

    def render(self, *, code: str, language: str, context: dict) -> tuple[str, str]:
        compiled = self._compiled.get((code, language))
        if compiled is None:
            template = mail_template_get(code=code)
            with translation.override(language):
                subject_source, body_source = template.subject, template.body
            compiled = (Template(subject_source), Template(body_source))
            self._compiled[(code, language)] = compiled
        context = Context({key: str(value) for key, value in context.items()}, autoescape=False)
        subject = compiled[0].render(context)
        return " ".join(subject.split()), compiled[1].render(context)


def mail_render(*, code: str, language: str, context: dict) -> tuple[str, str]:
    return MailRenderer().render(code=code, language=language, context=context)


# Drafting -------------------------------------------------------------------------


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
    the surrounding transaction commits; otherwise it waits for staff. When
    the template's definition names documents to attach (``attach_reports``),
    a report record is made for each, about ``related``, and rendered when
    the mail is sent.
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
            _attach_reports(mail, code=code, related=related, language=language)
    except IntegrityError:
        return OutgoingMail.objects.get(occurrence_key=occurrence_key)
    if queue:
        _send_on_commit(mail)
    return mail


def _attach_reports(mail, *, code, related, language):
    kinds = getattr(BY_CODE[code], "attach_reports", ())
    if not kinds or related is None:
        return
    from reports.registry import report_kind
    from reports.services import report_request

    reports = [
        report_request(
            kind=kind,
            parameters=report_kind(kind).parameters_from(related),
            language=language,
            enqueue=False,
        )
        for kind in kinds
    ]
    mail.attachments.set(reports)


def mail_queue(*, mails) -> int:
    """Staff confirm drafts (or retry failed mails): they go out after commit."""
    ids = [mail.pk for mail in mails]
    queued = OutgoingMail.objects.filter(
        pk__in=ids, status__in=[MailStatus.DRAFT, MailStatus.FAILED]
    )
    ids = list(queued.values_list("pk", flat=True))
    count = queued.update(status=MailStatus.QUEUED, queued_at=timezone.now(), not_before=None)
    for mail_id in ids:
        transaction.on_commit(lambda mail_id=mail_id: _enqueue(mail_id))
    return count


def mail_cancel(*, mails) -> int:
    return OutgoingMail.objects.filter(
        pk__in=[mail.pk for mail in mails], status__in=[MailStatus.DRAFT, MailStatus.FAILED]
    ).update(status=MailStatus.CANCELLED)


# Sending --------------------------------------------------------------------------


def _ready(now) -> Q:
    return _queued(now) | _stale(now)


def _queued(now) -> Q:
    return Q(status=MailStatus.QUEUED) & (Q(not_before__isnull=True) | Q(not_before__lte=now))


def _stale(now) -> Q:
    return Q(status=MailStatus.SENDING, claimed_at__lt=now - _stale_claim())


def _claim(*, limit: int, ids=None) -> list[OutgoingMail]:
    """Take up to ``limit`` ready mails for this process, and commit the claim.

    ``SKIP LOCKED``: two sweeps at once take different mails, never the same.
    Stale claims (a dead worker's) first, then the queue in order of creation,
    each read from its small partial index (``mail_sending``, ``mail_queued``).
    A mail whose attachment another worker is rendering waits for it.
    """
    from reports.enums import ReportStatus
    from reports.models import Report

    now = timezone.now()
    token = uuid.uuid4().hex
    rendering = Report.objects.filter(mails=OuterRef("pk"), status=ReportStatus.RUNNING)
    picked = []
    with transaction.atomic():
        for ready in (_stale(now), _queued(now)):
            candidates = OutgoingMail.objects.filter(ready).exclude(Exists(rendering))
            if ids is not None:
                candidates = candidates.filter(pk__in=ids)
            picked += (
                candidates.select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)[: limit - len(picked)]
            )
            if len(picked) >= limit:
                break
        if not picked:
            return []
        # The readiness again in the UPDATE: without row locks (SQLite) it still picks once.
        OutgoingMail.objects.filter(pk__in=picked).filter(_ready(now)).update(
            status=MailStatus.SENDING, claimed_at=now, claim=token, attempts=F("attempts") + 1
        )
    return list(
        OutgoingMail.objects.filter(pk__in=picked, claim=token)
        .prefetch_related("attachments")
        .order_by("pk")
    )


def mail_send(*, mail_id: int) -> bool:
    """Send one mail now if it is ready; False when it is not (sent, someone has it, waiting)."""
    return bool(_send_batch(_claim(limit=1, ids=[mail_id])))


def mails_send_queued(
    *, limit: int | None = None, batch_size: int | None = None, time_budget: float | None = None
) -> int:
    """The sweep of the outbox: send what is queued, and what a dead worker left claimed.

    Batches of ``batch_size`` (MAIL_BATCH_SIZE) until nothing is ready, ``limit``
    mails were taken or ``time_budget`` seconds passed. Several sweeps may run
    at once: each claims its own batches. Returns the number sent.
    """
    batch_size = batch_size or settings.MAIL_BATCH_SIZE
    deadline = time.monotonic() + time_budget if time_budget else None
    sent = taken = 0
    while limit is None or taken < limit:
        size = batch_size if limit is None else min(batch_size, limit - taken)
        batch = _claim(limit=size)
        if not batch:
            break
        taken += len(batch)
        sent += _send_batch(batch)
        if deadline is not None and time.monotonic() > deadline:
            break
    return sent


def _send_batch(mails: list[OutgoingMail]) -> int:
    """Hand the claimed mails to one connection; each is marked sent as soon as it is handed."""
    if not mails:
        return 0
    now = timezone.now()
    mails = _drop_not_due(mails, now)
    if not mails:
        return 0
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:
        for mail in mails:
            _mark_failed(mail, error)
        return 0
    sent = 0
    try:
        with _fast_commits():
            sent = _hand_over(mails, connection)
    finally:
        connection.close()
    return sent


@contextlib.contextmanager
def _fast_commits():
    """Each "sent" mark commits on its own, without waiting for the disk flush.

    A killed worker loses nothing: the commit is in PostgreSQL already. Only a
    crash of PostgreSQL itself within a fraction of a second could forget a
    mark, and that mail would go again: the price of marking each mail at
    once (exactly once through a worker's death) at thousands per second.
    """
    if db_connection.vendor != "postgresql" or db_connection.in_atomic_block:
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _hand_over(mails, connection) -> int:
    sent = 0
    for mail in mails:
        try:
            message = _message(mail, connection)
            if connection.send_messages([message]) != 1:
                raise RuntimeError("The mail backend did not accept the message.")
        except SoftTimeLimitExceeded:
            raise
        except Exception as error:
            logger.warning("Mail %s to %s failed: %s", mail.pk, mail.recipient, error)
            _mark_failed(mail, error)
            continue
        _mark_sent(mail)
        sent += 1
    return sent


def _drop_not_due(mails, now):
    """Reminders whose occasion passed since they were written (draft submitted) are cancelled."""
    by_kind = {}
    for mail in mails:
        kind = reminder_kind_of_key(mail.occurrence_key)
        if kind is not None and kind.still_due is not None:
            by_kind.setdefault(kind.code, (kind, []))[1].append(mail)
    if not by_kind:
        return mails
    dropped = set()
    for kind, kind_mails in by_kind.values():
        due = kind.still_due(kind_mails, now)
        dropped.update(mail.pk for mail in kind_mails if mail.pk not in due)
    if dropped:
        OutgoingMail.objects.filter(pk__in=dropped, status=MailStatus.SENDING).update(
            status=MailStatus.CANCELLED,
            claim="",
            last_error="No longer due when it was to be sent.",
        )
    return [mail for mail in mails if mail.pk not in dropped]


def _message_id(mail) -> str:
    """The same Message-ID for every attempt of an occurrence: a receiver can drop a repeat."""
    digest = hashlib.sha256(mail.occurrence_key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "qmi.invalid"
    return f"<{digest}@{domain}>"


def _message(mail, connection) -> EmailMessage:
    message = EmailMessage(
        subject=mail.subject,
        body=mail.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.recipient],
        headers={
            **mail.headers,
            "Message-ID": _message_id(mail),
            "X-QMI-Occurrence": mail.occurrence_key,
        },
        connection=connection,
    )
    for report in mail.attachments.all():
        report = _attachment_ready(report)
        with report.file.open("rb") as handle:
            message.attach(report.file.name.rsplit("/", 1)[-1], handle.read(), "application/pdf")
    return message


class AttachmentNotReady(Exception):
    pass


def _attachment_ready(report):
    """A mail's document, rendered now if the pdf queue has not done it yet."""
    from reports.enums import ReportStatus
    from reports.models import Report
    from reports.services import report_render

    if report.status == ReportStatus.FAILED:
        Report.objects.filter(pk=report.pk, status=ReportStatus.FAILED).update(
            status=ReportStatus.QUEUED, attempts=0
        )
    if report.status != ReportStatus.DONE:
        report_render(report_id=report.pk)
        report.refresh_from_db()
    if report.status != ReportStatus.DONE:
        raise AttachmentNotReady(
            f"The attached document “{report}” is not ready: {report.error or report.status}"
        )
    return report


def _mark_sent(mail) -> None:
    """One small UPDATE, committed at once (raw SQL: it runs once per mail sent)."""
    table = OutgoingMail._meta.db_table
    body = ", body = %s" if mail.redact_after_sending else ""
    params = [MailStatus.SENT, timezone.now()]
    if mail.redact_after_sending:
        params.append(REDACTED)
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s{body}, last_error = '', "  # noqa: S608 — names only
            "claim = '', not_before = NULL WHERE id = %s AND claim = %s",
            [*params, mail.pk, mail.claim],
        )


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def _mark_failed(mail, error) -> None:
    """Wait and try again (backoff), or give up after MAIL_MAX_ATTEMPTS: staff see it failed."""
    final = mail.attempts >= settings.MAIL_MAX_ATTEMPTS
    OutgoingMail.objects.filter(pk=mail.pk, claim=mail.claim).update(
        status=MailStatus.FAILED if final else MailStatus.QUEUED,
        not_before=None if final else timezone.now() + _backoff(mail.attempts),
        last_error=str(error)[:2000],
        claim="",
    )


def mails_send_enqueue(*, parallel: int = 2) -> None:
    """Ring the doorbell: ``parallel`` sweeps of the outbox, each claiming its own batches."""
    from .tasks import send_queued_mails

    for _ in range(parallel):
        try:
            send_queued_mails.delay()
        except Exception:
            logger.warning("Could not enqueue the outbox sweep; beat will run it.")
            return


def _send_on_commit(mail):
    transaction.on_commit(lambda: _enqueue(mail.pk))


def _enqueue(mail_id):
    from .tasks import send_mail

    try:
        send_mail.delay(mail_id)
    except Exception:
        logger.warning("Could not enqueue mail %s; the sweep will send it.", mail_id)


# Reminders ------------------------------------------------------------------------


def reminders_sweep(*, kinds=None, now=None, send: bool = True) -> int:
    """Write the reminders that came due to the outbox; returns how many were offered.

    For each kind and each of its active rules, the kind lists the occurrences
    whose date falls in the rule's window: from the time this rule came due
    to the time the next rule (closer to the date) comes due. So an
    occurrence gets one reminder per rule at most (the unique key), and a
    late start or an outage gives the most recent reminder, not a stale one.
    Safe to run twice at once: the second insert of a key does nothing.
    With ``send`` the outbox is swept after commit.
    """
    now = now or timezone.now()
    registry = reminder_kinds()
    selected = [registry[code] for code in kinds] if kinds else list(registry.values())
    rules = {}
    for rule in ReminderRule.objects.filter(is_active=True, kind__in=[k.code for k in selected]):
        rules.setdefault(rule.kind, []).append(rule)
    offered = 0
    renderer = MailRenderer()
    sending = []

    def start_sending():
        # While this sweep renders the rest, another worker process already sends.
        if send and not sending:
            sending.append(True)
            transaction.on_commit(lambda: mails_send_enqueue(parallel=1))

    for kind in selected:
        kind_rules = sorted(
            rules.get(kind.code, []), key=lambda r: r.offset, reverse=not kind.after
        )
        sign = -1 if kind.after else 1
        for index, rule in enumerate(kind_rules):
            following = kind_rules[index + 1] if index + 1 < len(kind_rules) else None
            reminders = kind.due(
                anchor_after=now + sign * following.offset if following else None,
                anchor_until=now + sign * rule.offset,
                key_prefix=reminder_key_prefix(kind.code, rule.pk),
                now=now,
            )
            offered += _reminders_insert(
                kind, reminders, now=now, renderer=renderer, on_first_chunk=start_sending
            )
    if offered and send:
        transaction.on_commit(mails_send_enqueue)
    return offered


def _reminders_insert(kind, reminders, *, now, renderer, on_first_chunk=None) -> int:
    count = 0
    iterator = iter(reminders)
    while chunk := list(islice(iterator, INSERT_CHUNK)):
        rows = []
        for reminder in chunk:
            subject, body = renderer.render(
                code=kind.template_code, language=reminder.language, context=reminder.context
            )
            rows.append(
                OutgoingMail(
                    template_code=kind.template_code,
                    occurrence_key=reminder.key,
                    recipient=reminder.recipient,
                    language=reminder.language,
                    subject=subject,
                    body=body,
                    status=MailStatus.QUEUED,
                    created_at=now,
                    queued_at=now,
                    related_type_id=reminder.related_type_id,
                    related_id=reminder.related_id,
                    headers=reminder.headers,
                )
            )
        # INSERT … ON CONFLICT DO NOTHING: a concurrent sweep's rows win, ours vanish.
        OutgoingMail.objects.bulk_create(rows, ignore_conflicts=True)
        count += len(rows)
        if on_first_chunk is not None:
            on_first_chunk()
    return count
