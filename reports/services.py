"""Asking for a report and generating it: queued → running → done, or failed."""

import datetime as dt
import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .enums import ReportStatus
from .models import Report
from .pdf import html_to_pdf
from .registry import ObjectGone, report_kind

logger = logging.getLogger(__name__)

# A render claimed this long ago and still running: its worker died; take it again.
STALE_RENDER = dt.timedelta(seconds=settings.REPORT_TIME_LIMIT + 60)
# After this many starts (worker killed by the hard time limit each time), give up.
MAX_ATTEMPTS = 3
FORGOTTEN_AFTER = dt.timedelta(minutes=1)


def report_request(
    *, kind: str, parameters: dict, language: str, requested_by=None, enqueue: bool = True
) -> Report:
    """Record what was asked; it is rendered on the "pdf" queue after the transaction commits.

    The caller checks that ``requested_by`` may see the document
    (``reports.permissions.report_can_request``). Raises ValidationError for
    an unknown kind or bad parameters. With ``enqueue=False`` nothing is sent
    to the queue: a mail attachment is rendered when its mail is sent.
    """
    from django.core.exceptions import ValidationError

    try:
        report_type = report_kind(kind)
    except KeyError as error:
        raise ValidationError(_("Unknown kind of report: %(kind)s.") % {"kind": kind}) from error
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language: %(language)s.") % {"language": language})
    parameters = report_type.clean(parameters or {})
    report = Report.objects.create(
        kind=kind,
        parameters=parameters,
        language=language,
        requested_by=requested_by,
        title=str(report_type.label),
    )
    if enqueue:
        transaction.on_commit(lambda: _enqueue(report.pk))
    return report


def report_retry(*, reports) -> int:
    """Staff queue failed reports again."""
    ids = list(
        Report.objects.filter(
            pk__in=[report.pk for report in reports], status=ReportStatus.FAILED
        ).values_list("pk", flat=True)
    )
    count = Report.objects.filter(pk__in=ids).update(
        status=ReportStatus.QUEUED, error="", attempts=0
    )
    for report_id in ids:
        transaction.on_commit(lambda report_id=report_id: _enqueue(report_id))
    return count


def _claim(report_id: int, now) -> bool:
    """queued → running, or a stale running one (its worker died) again. One winner."""
    claimed = Report.objects.filter(pk=report_id).filter(
        Q(status=ReportStatus.QUEUED)
        | Q(status=ReportStatus.RUNNING, started_at__lt=now - STALE_RENDER)
    )
    return bool(
        claimed.update(status=ReportStatus.RUNNING, started_at=now, attempts=F("attempts") + 1)
    )


def report_render(*, report_id: int) -> Report | None:
    """Generate the PDF of a queued report; None when someone else has it or it is gone.

    Side effects: status running (committed first, so staff see it), then
    done with the file, its pages and size, or failed with the error. A
    render cut by the soft time limit fails with a message saying so; one
    whose worker died is taken again by the next attempt, up to MAX_ATTEMPTS.
    """
    now = timezone.now()
    if not _claim(report_id, now):
        return None
    report = Report.objects.get(pk=report_id)
    if report.attempts > MAX_ATTEMPTS:
        return _fail(
            report,
            _("Gave up after %(count)d attempts: the render never finished in time.")
            % {"count": MAX_ATTEMPTS},
        )
    started = time.monotonic()
    try:
        kind = report_kind(report.kind)
        with translation.override(report.language):
            document = kind.build(report.parameters, report.language)
            html = render_to_string(
                document.template,
                {**document.context, "report": report, "document_title": document.title},
            )
        content, pages = html_to_pdf(html, private_files=document.private_files)
    except SoftTimeLimitExceeded:
        return _fail(
            report,
            _("The report took longer than %(seconds)d seconds and was stopped.")
            % {"seconds": settings.REPORT_SOFT_TIME_LIMIT},
        )
    except ObjectGone as error:
        return _fail(report, str(error))
    except Exception as error:
        logger.exception("Report %s (%s) failed", report.pk, report.kind)
        return _fail(report, f"{type(error).__name__}: {error}")
    if report.file:
        report.file.delete(save=False)
    report.file.save(document.filename, ContentFile(content), save=False)
    report.status = ReportStatus.DONE
    report.title = document.title[:300]
    report.pages = pages
    report.size = len(content)
    report.error = ""
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "status", "title", "pages", "size", "error", "finished_at"])
    logger.info(
        "Report %s (%s): %d pages in %.2f s",
        report.pk,
        report.kind,
        pages,
        time.monotonic() - started,
    )
    return report


def reports_enqueue_forgotten(*, now=None) -> int:
    """Queue again what the broker may have lost (Redis restarted): PostgreSQL is the truth.

    A report still queued a minute after it was asked for, or running past
    its time limit (its worker died), gets a new render task; the claim in
    ``report_render`` makes a duplicate task harmless.
    """
    now = now or timezone.now()
    ids = list(
        Report.objects.filter(
            Q(status=ReportStatus.QUEUED, created_at__lt=now - FORGOTTEN_AFTER)
            | Q(status=ReportStatus.RUNNING, started_at__lt=now - STALE_RENDER)
        ).values_list("pk", flat=True)[:500]
    )
    for report_id in ids:
        _enqueue(report_id)
    return len(ids)


def _fail(report, error: str) -> Report:
    report.status = ReportStatus.FAILED
    report.error = error[:5000]
    report.finished_at = timezone.now()
    report.save(update_fields=["status", "error", "finished_at"])
    return report


def _enqueue(report_id: int) -> None:
    from .tasks import render_report

    try:
        render_report.delay(report_id)
    except Exception:
        logger.warning("Could not enqueue report %s; staff can queue it again.", report_id)
