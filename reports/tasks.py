"""Thin Celery wrappers around the report services (queue: pdf)."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    acks_late=True,
    soft_time_limit=settings.REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_TIME_LIMIT,
)
def render_report(report_id: int) -> str | None:
    report = services.report_render(report_id=report_id)
    return report.status if report else None


@shared_task(acks_late=True)
def requeue_forgotten_reports() -> int:
    """The sweep: a report whose message the broker lost is queued again."""
    return services.reports_enqueue_forgotten()
