"""The experiment report and the edition impact report: what they hold, who may see them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from experiments.enums import Outcome
from reports.enums import ReportStatus
from reports.models import Report
from reports.services import report_request
from tests.factories import (
    EditionFactory,
    EvaluationFactory,
    ExperimentFactory,
    IndicatorFactory,
    InnovationDistrictFactory,
    MeasurementFactory,
    MilestoneFactory,
    MunicipalityFactory,
    MunicipalityMembershipFactory,
    ProgressReportFactory,
    ReportCommentFactory,
    StaffUserFactory,
)
from tests.notifications.worker import wait_for

from .test_reports import pdf_text, rendered

pytestmark = pytest.mark.django_db


def _experiment(**kwargs):
    """An experiment of Clichy-sous-Bois with a late and a done milestone, an indicator
    measured twice, a commented report and an evaluation."""
    today = timezone.localdate()
    district = InnovationDistrictFactory(
        municipality=MunicipalityFactory(name="Clichy-sous-Bois"), name_fr="Bois du Temple"
    )
    experiment = ExperimentFactory(
        district=district,
        solution_name="Îlots de fraîcheur",
        organisation_name="Rafraîchir SAS",
        project_manager=StaffUserFactory(first_name="Inès", last_name="Durand"),
        **kwargs,
    )
    MilestoneFactory(
        experiment=experiment, name="Convention de site", due_date=today - dt.timedelta(days=20)
    )
    MilestoneFactory(
        experiment=experiment,
        name="Lancement",
        due_date=experiment.start_date,
        done_date=experiment.start_date,
    )
    indicator = IndicatorFactory(
        experiment=experiment,
        name="Température ressentie",
        unit="°C",
        baseline=Decimal("31"),
        target=Decimal("27"),
        direction="down",
    )
    MeasurementFactory(indicator=indicator, measured_on=experiment.start_date, value=Decimal("31"))
    MeasurementFactory(
        indicator=indicator,
        measured_on=experiment.start_date + dt.timedelta(days=40),
        value=Decimal("28.5"),
    )
    progress = ProgressReportFactory(
        experiment=experiment, status="submitted", work_done="Pose de 12 brumisateurs."
    )
    ReportCommentFactory(report=progress, body="Bravo pour la <b>pose</b> rapide.")
    EvaluationFactory(experiment=experiment, outcome="ready_to_scale")
    return experiment


def test_experiment_report_holds_milestones_indicators_reports_and_evaluation():
    experiment = _experiment()
    report = rendered(
        report_request(
            kind="experiment_report", parameters={"experiment": experiment.pk}, language="fr"
        )
    )
    text = pdf_text(report.file.open("rb").read())
    assert "Îlots de fraîcheur" in text and "Rafraîchir SAS" in text
    assert "Clichy-sous-Bois – Bois du Temple" in text
    assert "Inès Durand" in text
    late_line = next(line for line in text.splitlines() if "Convention de site" in line)
    assert "en retard" in late_line
    done_line = next(line for line in text.splitlines() if "Lancement" in line)
    assert "réalisé" in done_line and "en retard" not in done_line
    indicator_line = next(
        line for line in text.splitlines() if "Température ressentie" in line and "31" in line
    )
    # Baseline 31, target 27, latest 28,5: 62 % of the way (2.5 of 4 degrees).
    assert "27" in indicator_line and "28,5" in indicator_line and "62 %" in indicator_line
    assert "Pose de 12 brumisateurs." in text
    assert "Bravo pour la <b>pose</b> rapide." in text  # escaped, shown as written
    assert str(Outcome.READY_TO_SCALE.label) in " ".join(text.split())
    assert report.pages >= 2


def test_experiment_report_in_english():
    experiment = _experiment()
    report = rendered(
        report_request(
            kind="experiment_report", parameters={"experiment": experiment.pk}, language="en"
        )
    )
    text = pdf_text(report.file.open("rb").read())
    assert "Milestones" in text and "Progress reports" in text
    assert "late" in next(line for line in text.splitlines() if "Convention de site" in line)


def test_experiment_report_for_a_town_covers_its_own_experiments_only(client):
    experiment = _experiment()
    member = MunicipalityMembershipFactory(municipality=experiment.district.municipality).user
    stranger = MunicipalityMembershipFactory(municipality=MunicipalityFactory()).user
    ask = reverse("reports:report_ask")
    parameters = f'{{"experiment": {experiment.pk}}}'

    client.force_login(stranger)
    assert (
        client.post(ask, {"kind": "experiment_report", "parameters": parameters}).status_code == 404
    )
    assert not Report.objects.exists()

    client.force_login(member)
    response = client.post(ask, {"kind": "experiment_report", "parameters": parameters})
    report = Report.objects.get()
    assert response["Location"] == report.get_absolute_url()
    rendered(report)
    download = reverse("reports:report_download", kwargs={"uuid": report.uuid})
    assert client.get(download).status_code == 200

    client.force_login(stranger)
    assert client.get(download).status_code == 404
    assert client.get(report.get_absolute_url()).status_code == 404


def test_edition_report_is_for_staff_only(client):
    experiment = _experiment()
    edition = experiment.district.edition
    member = MunicipalityMembershipFactory(municipality=experiment.district.municipality).user
    client.force_login(member)
    ask = reverse("reports:report_ask")
    parameters = f'{{"edition": {edition.pk}}}'
    assert client.post(ask, {"kind": "edition_report", "parameters": parameters}).status_code == 404
    client.force_login(StaffUserFactory())
    response = client.post(ask, {"kind": "edition_report", "parameters": parameters})
    assert response.status_code == 302
    report = Report.objects.get(kind="edition_report")
    rendered(report)
    download = reverse("reports:report_download", kwargs={"uuid": report.uuid})
    assert client.get(download).status_code == 200
    client.force_login(member)
    assert client.get(download).status_code == 404


def _figure(text: str, label: str) -> str:
    """The key figure printed above ``label`` (pdftotext -layout keeps the columns)."""
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if label in line)
    column = lines[index].index(label)
    above = next(line for line in reversed(lines[:index]) if line.strip())
    return above[column:].split()[0]


def test_edition_report_holds_every_district_its_experiments_and_figures():
    experiment = _experiment()
    edition = experiment.district.edition
    other = ExperimentFactory(
        district=InnovationDistrictFactory(
            edition=edition, municipality=MunicipalityFactory(name="Meudon")
        ),
        solution_name="Compost partagé",
        status="abandoned",
    )
    MilestoneFactory(experiment=other, due_date=timezone.localdate() - dt.timedelta(days=5))
    ExperimentFactory(
        district=InnovationDistrictFactory(edition=EditionFactory()), solution_name="Ailleurs"
    )
    report = rendered(
        report_request(kind="edition_report", parameters={"edition": edition.pk}, language="fr")
    )
    text = pdf_text(report.file.open("rb").read())
    assert "Îlots de fraîcheur" in text and "Compost partagé" in text
    assert "Ailleurs" not in text
    assert "Clichy-sous-Bois – Bois du Temple" in text and "Meudon" in text
    assert _figure(text, "expérimentations") == "2"
    # The abandoned experiment's open milestone is not late; the other one is.
    assert _figure(text, "jalons en retard") == "1"
    assert _figure(text, "jalons réalisés") == "1"
    assert _figure(text, "indicateurs à l'objectif") == "0"  # 28,5 °C: not at 27 yet
    assert report.pages >= 4


def test_report_parameters_are_checked():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        report_request(kind="experiment_report", parameters={"experiment": "x"}, language="fr")
    with pytest.raises(ValidationError):
        report_request(kind="edition_report", parameters={"edition": 987654}, language="fr")


def test_dashboard_experiment_page_offers_the_pdf_report(client):
    experiment = _experiment()
    member = MunicipalityMembershipFactory(municipality=experiment.district.municipality).user
    client.force_login(member)
    url = reverse("municipalities:dashboard_experiment", kwargs={"uuid": experiment.uuid})
    page = client.get(url).content.decode()
    assert reverse("reports:report_ask") in page
    assert f"value='{{\"experiment\": {experiment.pk}}}'" in page


@pytest.mark.django_db(transaction=True)
def test_experiment_report_rendered_by_a_real_worker(workers):
    experiment = _experiment()
    report = report_request(
        kind="experiment_report", parameters={"experiment": experiment.pk}, language="fr"
    )
    assert report.status == ReportStatus.QUEUED
    workers.start(concurrency=1)

    def finished():
        report.refresh_from_db()
        return report.status in {ReportStatus.DONE, ReportStatus.FAILED}

    wait_for(finished, timeout=120, message="the experiment report rendered")
    assert report.status == ReportStatus.DONE, report.error
    with report.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Îlots de fraîcheur" in text and "Température ressentie" in text
