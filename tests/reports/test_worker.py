"""Reports rendered by a real Celery worker (queue "pdf") on Redis and PostgreSQL."""

import pytest

from calls.enums import ApplicationStatus
from reports.enums import ReportStatus
from reports.models import Report
from reports.services import report_request
from reports.tasks import render_report
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    InnovationDistrictFactory,
    MunicipalityFactory,
    completed_review,
)
from tests.notifications.worker import wait_for

from .test_reports import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)


def _finished(report):
    def check():
        report.refresh_from_db()
        return report.status in {ReportStatus.DONE, ReportStatus.FAILED}

    return check


def test_call_report_goes_from_queued_to_done_with_its_names_and_figures(workers):
    district = InnovationDistrictFactory(
        municipality=MunicipalityFactory(name="Clichy-sous-Bois"), name_fr="Bois du Temple"
    )
    call = CallFactory(districts=[district])
    for name, values in [("Jardins de pluie", [5, 5, 4, 4, 4]), ("Abri frais", [1, 2, 1, 2, 1])]:
        application = ApplicationFactory(
            call=call,
            target_districts=[district],
            status=ApplicationStatus.UNDER_REVIEW,
            solution_name=name,
        )
        completed_review(application=application, values=values)
    report = report_request(kind="call_report", parameters={"call": call.pk}, language="fr")
    assert report.status == ReportStatus.QUEUED

    workers.start(concurrency=1)
    wait_for(_finished(report), timeout=120, message="the report rendered")
    assert report.status == ReportStatus.DONE, report.error
    assert report.pages >= 2 and report.started_at <= report.finished_at
    with report.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Clichy-sous-Bois – Bois du Temple" in text
    lines = text.splitlines()
    best = next(line for line in lines if "Jardins de pluie" in line)
    last = next(line for line in lines if "Abri frais" in line)
    assert "4,40" in best and best.split()[0] == "1"
    assert "1,40" in last and last.split()[0] == "2"


def test_report_of_a_deleted_call_shows_failed_with_its_error(workers):
    # Asked for, then its call deleted before the worker got to it.
    report = Report.objects.create(
        kind="call_report", parameters={"call": 424242}, language="en", title="Call report"
    )
    render_report.delay(report.pk)
    workers.start(concurrency=1)
    wait_for(_finished(report), timeout=120, message="the report failed")
    assert report.status == ReportStatus.FAILED
    assert report.error == "The call no longer exists."
    assert not report.file
