"""The experimenter's pages: sign-in, my experiments, an experiment, progress reports, photos.

Another experimenter's experiment, report or photo is a 404; the town reads
submitted reports of its own district only.
"""

import datetime as dt
import re
from decimal import Decimal
from html import escape, unescape

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from experiments.enums import ExperimentStatus as S
from experiments.enums import MilestoneOwner, ReportStatus
from experiments.models import Measurement, ProgressReport, ReportPhoto
from tests.factories import (
    ExperimentFactory,
    IndicatorFactory,
    MeasurementFactory,
    MilestoneFactory,
    MunicipalityMembershipFactory,
    ProgressReportFactory,
    ReportCommentFactory,
    ReportPhotoFactory,
    SignInLinkFactory,
    UserFactory,
    png_bytes,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def url(name, **kwargs):
    return reverse(f"experiments:{name}", kwargs=kwargs)


@pytest.fixture
def experiment():
    return ExperimentFactory(solution_name="Bancs rafraîchissants")


@pytest.fixture
def experimenter_client(client, experiment):
    client.force_login(experiment.experimenter)
    return client


@pytest.fixture
def other_client(client):
    """Signed in as the experimenter of another experiment."""
    client.force_login(ExperimentFactory(solution_name="Autre solution").experimenter)
    return client


def _form_data(report, **extra):
    return {
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "work_done": "Installation des bancs.",
        "difficulties": "",
        "next_steps": "",
        "action": "save",
        **extra,
    }


# --- Sign-in and navigation -------------------------------------------------------


def test_experimenter_signs_in_by_link_and_reaches_my_experiments(client, experiment):
    SignInLinkFactory(
        email=experiment.experimenter.email, next_url=url("my_experiments"), token="exp-1"
    )

    response = client.post(reverse("calls:signin_link", kwargs={"token": "exp-1"}))

    assert response.status_code == 302
    assert response.url == url("my_experiments")
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Bancs rafraîchissants" in page.content.decode()


def test_my_experiments_asks_to_sign_in(client):
    response = client.get(url("my_experiments"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("calls:signin_request"))


def test_nav_shows_my_experiments_only_to_experimenters(client, experimenter_client):
    link = f'href="{url("my_experiments")}"'

    assert link in experimenter_client.get(reverse("calls:my_applications")).content.decode()
    client.force_login(UserFactory())
    assert link not in client.get(reverse("calls:my_applications")).content.decode()


# --- My experiments -------------------------------------------------------------


def test_my_experiments_lists_only_mine_with_late_and_next_report(experimenter_client, experiment):
    MilestoneFactory(experiment=experiment, due_date=TODAY() - dt.timedelta(days=5))
    ExperimentFactory(solution_name="Solution d'un autre")

    response = experimenter_client.get(url("my_experiments"))

    html = response.content.decode()
    assert "Bancs rafraîchissants" in html
    assert "Solution d'un autre" not in html
    [row] = response.context["rows"]
    assert row.late_count == 1
    assert row.schedule.next_due == experiment.start_date + relativedelta(months=3)


@pytest.mark.parametrize("rows", [1, 3])
def test_my_experiments_query_count_constant(client, django_assert_num_queries, rows):
    user = UserFactory()
    for _index in range(rows):
        experiment = ExperimentFactory(experimenter=user)
        MilestoneFactory.create_batch(2, experiment=experiment)
        ProgressReportFactory(experiment=experiment, status=ReportStatus.SUBMITTED)
    client.force_login(user)

    # User (the session is cached), the experiments with their counts, the navigation.
    with django_assert_num_queries(3):
        response = client.get(url("my_experiments"))

    assert len(response.context["rows"]) == rows


# --- An experiment --------------------------------------------------------------


def test_experiment_page_shows_status_late_milestones_and_indicators(
    experimenter_client, experiment
):
    MilestoneFactory(
        experiment=experiment, name="Pose des bancs", due_date=TODAY() - dt.timedelta(days=3)
    )
    MilestoneFactory(experiment=experiment, name="Bilan", due_date=TODAY() + dt.timedelta(days=3))
    indicator = IndicatorFactory(
        experiment=experiment, name="Visiteurs", baseline=Decimal(100), target=Decimal(200)
    )
    MeasurementFactory(indicator=indicator, value=Decimal(150))

    response = experimenter_client.get(url("experiment_detail", uuid=experiment.uuid))

    assert response.status_code == 200
    html = response.content.decode()
    assert str(S.RUNNING.label) in html
    assert response.context["late_count"] == 1
    late = {row["milestone"].name: row["late"] for row in response.context["milestones"]}
    assert late == {"Pose des bancs": True, "Bilan": False}
    [summary] = response.context["indicators"]
    assert summary.latest_value == Decimal(150)
    assert summary.percent == 50
    assert 'class="exp-row-late"' in html


def test_experiment_page_of_another_experimenter_is_404(other_client, experiment):
    response = other_client.get(url("experiment_detail", uuid=experiment.uuid))

    assert response.status_code == 404


def test_experiment_page_of_the_town_is_404_here(client, experiment):
    client.force_login(
        MunicipalityMembershipFactory(municipality=experiment.district.municipality).user
    )

    assert client.get(url("experiment_detail", uuid=experiment.uuid)).status_code == 404


@pytest.mark.parametrize("rows", [1, 3])
def test_experiment_page_query_count_constant(
    experimenter_client, experiment, django_assert_num_queries, rows
):
    for _index in range(rows):
        MilestoneFactory(experiment=experiment, owner=MilestoneOwner.EXPERIMENTER)
        MeasurementFactory.create_batch(2, indicator=IndicatorFactory(experiment=experiment))
        ProgressReportFactory(experiment=experiment, status=ReportStatus.SUBMITTED)

    # User (the session is cached), experiment, milestones, reports, indicators with latest value,
    # sites, the navigation.
    with django_assert_num_queries(7):
        response = experimenter_client.get(url("experiment_detail", uuid=experiment.uuid))

    assert len(response.context["milestones"]) == rows


def test_milestone_done_in_the_future_shows_the_message(experimenter_client, experiment):
    milestone = MilestoneFactory(experiment=experiment, owner=MilestoneOwner.EXPERIMENTER)
    tomorrow = TODAY() + dt.timedelta(days=1)

    response = experimenter_client.post(
        url("milestone_done", uuid=experiment.uuid, pk=milestone.pk),
        {
            f"milestone-{milestone.pk}-done_date": tomorrow.isoformat(),
            f"milestone-{milestone.pk}-evidence": "Photo de la pose",
        },
    )

    assert response.status_code == 400
    message = _(
        "The done date %(date)s is in the future: a milestone is marked done once it is "
        "done. Leave the date empty until then."
    ) % {"date": date_format(tomorrow, "SHORT_DATE_FORMAT")}
    html = response.content.decode()
    assert message in unescape(html)
    assert 'id="error-summary"' in html
    assert "Photo de la pose" in html  # what was typed comes back
    milestone.refresh_from_db()
    assert milestone.done_date is None


def test_milestone_done_saves(experimenter_client, experiment):
    milestone = MilestoneFactory(experiment=experiment, owner=MilestoneOwner.EXPERIMENTER)

    response = experimenter_client.post(
        url("milestone_done", uuid=experiment.uuid, pk=milestone.pk),
        {f"milestone-{milestone.pk}-done_date": TODAY().isoformat()},
    )

    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_date == TODAY()


def test_milestone_done_of_another_experiment_is_404(experimenter_client, experiment):
    foreign = MilestoneFactory(owner=MilestoneOwner.EXPERIMENTER)

    response = experimenter_client.post(
        url("milestone_done", uuid=experiment.uuid, pk=foreign.pk),
        {f"milestone-{foreign.pk}-done_date": TODAY().isoformat()},
    )
    other_experiment = experimenter_client.post(
        url("milestone_done", uuid=foreign.experiment.uuid, pk=foreign.pk),
        {f"milestone-{foreign.pk}-done_date": TODAY().isoformat()},
    )

    assert response.status_code == 404
    assert other_experiment.status_code == 404
    foreign.refresh_from_db()
    assert foreign.done_date is None


def test_milestone_done_of_the_town_is_404(experimenter_client, experiment):
    milestone = MilestoneFactory(experiment=experiment, owner=MilestoneOwner.MUNICIPALITY)

    response = experimenter_client.post(
        url("milestone_done", uuid=experiment.uuid, pk=milestone.pk),
        {f"milestone-{milestone.pk}-done_date": TODAY().isoformat()},
    )

    assert response.status_code == 404


# --- Progress reports -------------------------------------------------------------


def test_report_start_creates_a_draft_and_opens_it(experimenter_client, experiment):
    response = experimenter_client.post(url("report_start", uuid=experiment.uuid))

    report = ProgressReport.objects.get()
    assert response.status_code == 302
    assert response.url == url("report_edit", uuid=report.uuid)
    assert report.status == ReportStatus.DRAFT
    assert experimenter_client.get(response.url).status_code == 200


def test_report_start_after_the_end_shows_the_message(client):
    start = TODAY().replace(day=1) - dt.timedelta(days=600)
    experiment = ExperimentFactory(
        status=S.EVALUATING, start_date=start, end_date=start + dt.timedelta(days=548)
    )
    client.force_login(experiment.experimenter)

    response = client.post(url("report_start", uuid=experiment.uuid), follow=True)

    message = _(
        "The experiment ended on %(date)s: progress reports are no longer accepted. "
        "Write to your Paris&Co project manager for the final evaluation."
    ) % {"date": date_format(experiment.end_date, "SHORT_DATE_FORMAT")}
    assert escape(message) in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_report_start_of_another_experimenter_is_404(other_client, experiment):
    assert other_client.post(url("report_start", uuid=experiment.uuid)).status_code == 404
    assert not ProgressReport.objects.exists()


def test_report_form_has_a_fieldset_per_indicator(experimenter_client, experiment):
    IndicatorFactory(experiment=experiment, name="Visiteurs", unit="personnes")
    IndicatorFactory(experiment=experiment, name="Énergie", unit="kWh")
    report = ProgressReportFactory(experiment=experiment)

    html = experimenter_client.get(url("report_edit", uuid=report.uuid)).content.decode()

    assert html.count("<legend") >= 4  # period, measurements, one per indicator, photos
    assert "Visiteurs (personnes)" in html and "Énergie (kWh)" in html
    assert re.search(r'<label[^>]+for="id_indicator_\d+_value"', html)


def test_report_save_draft_and_submit(experimenter_client, experiment):
    indicator = IndicatorFactory(experiment=experiment, unit="kWh")
    report = ProgressReportFactory(experiment=experiment, work_done="")
    day = experiment.start_date + dt.timedelta(days=5)
    data = _form_data(
        report,
        **{
            f"indicator_{indicator.pk}_value": "123,5",
            f"indicator_{indicator.pk}_unit": "kWh",
            f"indicator_{indicator.pk}_measured_on": day.isoformat(),
            f"indicator_{indicator.pk}_source": "Compteur",
        },
    )

    saved = experimenter_client.post(url("report_edit", uuid=report.uuid), data)
    submitted = experimenter_client.post(
        url("report_edit", uuid=report.uuid), {**data, "action": "submit"}
    )

    assert saved.status_code == 302 and saved.url == url("report_edit", uuid=report.uuid)
    assert submitted.status_code == 302 and submitted.url == url("report_detail", uuid=report.uuid)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.work_done == "Installation des bancs."
    measurement = Measurement.objects.get()
    assert (measurement.value, measurement.measured_on, measurement.report) == (
        Decimal("123.5"),
        day,
        report,
    )
    # Submitted once: the form no longer opens.
    again = experimenter_client.post(
        url("report_edit", uuid=report.uuid), {**data, "work_done": "Changé", "action": "submit"}
    )
    assert again.status_code == 302
    report.refresh_from_db()
    assert report.work_done == "Installation des bancs."


def test_report_wrong_unit_shows_message_and_loses_nothing(experimenter_client, experiment):
    energy = IndicatorFactory(experiment=experiment, name="Énergie", unit="kWh")
    visitors = IndicatorFactory(experiment=experiment, name="Visiteurs", unit="personnes")
    report = ProgressReportFactory(experiment=experiment, work_done="")
    day = (experiment.start_date + dt.timedelta(days=5)).isoformat()

    response = experimenter_client.post(
        url("report_edit", uuid=report.uuid),
        _form_data(
            report,
            action="submit",
            **{
                f"indicator_{energy.pk}_value": "3,2",
                f"indicator_{energy.pk}_unit": "MWh",
                f"indicator_{energy.pk}_measured_on": day,
                f"indicator_{visitors.pk}_value": "40",
                f"indicator_{visitors.pk}_unit": "personnes",
                f"indicator_{visitors.pk}_measured_on": day,
            },
        ),
    )

    assert response.status_code == 400
    html = response.content.decode()
    message = _(
        "“%(indicator)s” is measured in “%(expected)s”, not in “%(unit)s”: convert the value "
        "to %(expected)s."
    ) % {"indicator": "Énergie", "expected": "kWh", "unit": "MWh"}
    assert message in html
    assert 'id="error-summary"' in html
    assert 'value="MWh"' in html and 'value="3,2"' in html  # what was typed comes back
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT  # not submitted
    assert report.work_done == "Installation des bancs."  # the rest is saved
    assert list(Measurement.objects.values_list("indicator__name", flat=True)) == ["Visiteurs"]


def test_report_typing_error_never_removes_a_saved_value(experimenter_client, experiment):
    indicator = IndicatorFactory(experiment=experiment)
    report = ProgressReportFactory(experiment=experiment)
    MeasurementFactory(indicator=indicator, report=report, value=Decimal("110"))

    response = experimenter_client.post(
        url("report_edit", uuid=report.uuid),
        _form_data(report, **{f"indicator_{indicator.pk}_value": "cent dix"}),
    )

    assert response.status_code == 400
    assert Measurement.objects.get().value == Decimal("110")


def test_report_submit_without_work_done_is_not_submitted(experimenter_client, experiment):
    report = ProgressReportFactory(experiment=experiment, work_done="")

    response = experimenter_client.post(
        url("report_edit", uuid=report.uuid), _form_data(report, work_done="", action="submit")
    )

    assert response.status_code == 400
    assert _("Describe what was done before you submit the report.") in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_report_edit_of_another_experimenter_is_404(other_client, experiment):
    report = ProgressReportFactory(experiment=experiment)

    assert other_client.get(url("report_edit", uuid=report.uuid)).status_code == 404
    response = other_client.post(url("report_edit", uuid=report.uuid), _form_data(report))
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.work_done != "Installation des bancs."


def test_report_page_shows_comments_to_the_experimenter(experimenter_client, experiment):
    report = ProgressReportFactory(experiment=experiment, status=ReportStatus.SUBMITTED)
    ReportCommentFactory(report=report, body="Beau travail, continuez !")

    response = experimenter_client.get(url("report_detail", uuid=report.uuid))

    assert response.status_code == 200
    assert "Beau travail, continuez !" in response.content.decode()


def test_report_page_of_another_experimenter_is_404(other_client, experiment):
    report = ProgressReportFactory(experiment=experiment, status=ReportStatus.SUBMITTED)

    assert other_client.get(url("report_detail", uuid=report.uuid)).status_code == 404


# --- Photos -------------------------------------------------------------------------


def test_report_photo_uploaded_with_the_form(experimenter_client, experiment):
    report = ProgressReportFactory(experiment=experiment)

    response = experimenter_client.post(
        url("report_edit", uuid=report.uuid),
        _form_data(
            report,
            photo=SimpleUploadedFile("banc.png", png_bytes(), content_type="image/png"),
            photo_caption="Le banc posé",
        ),
    )

    assert response.status_code == 302
    photo = ReportPhoto.objects.get()
    assert (photo.report, photo.caption, photo.content_type) == (
        report,
        "Le banc posé",
        "image/png",
    )


def test_report_photo_not_an_image_refused_rest_saved(experimenter_client, experiment):
    report = ProgressReportFactory(experiment=experiment, work_done="")

    response = experimenter_client.post(
        url("report_edit", uuid=report.uuid),
        _form_data(report, photo=SimpleUploadedFile("banc.png", b"%PDF-1.4 not an image" * 20)),
    )

    assert response.status_code == 400
    assert "banc.png" in response.content.decode()
    assert not ReportPhoto.objects.exists()
    report.refresh_from_db()
    assert report.work_done == "Installation des bancs."


def test_photo_served_to_its_experimenter_inline(experimenter_client, experiment):
    photo = ReportPhotoFactory(report=ProgressReportFactory(experiment=experiment))

    response = experimenter_client.get(url("photo_file", uuid=photo.report.uuid, pk=photo.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'inline; filename="photo-{photo.pk}.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == png_bytes()


def test_photo_not_reachable_by_others(client, experiment):
    draft = ProgressReportFactory(experiment=experiment)
    photo = ReportPhotoFactory(report=draft)
    photo_url = url("photo_file", uuid=draft.uuid, pk=photo.pk)
    town = MunicipalityMembershipFactory(municipality=experiment.district.municipality).user
    other_town = MunicipalityMembershipFactory().user
    other_experimenter = ExperimentFactory().experimenter

    assert client.get(photo_url).status_code == 302  # anonymous: sign in first
    for user in (other_experimenter, other_town, town):  # the town waits for submission
        client.force_login(user)
        assert client.get(photo_url).status_code == 404, user

    draft.status, draft.submitted_at = ReportStatus.SUBMITTED, timezone.now()
    draft.save()
    client.force_login(town)
    assert client.get(photo_url).status_code == 200
    for user in (other_experimenter, other_town):
        client.force_login(user)
        assert client.get(photo_url).status_code == 404, user


def test_photo_of_another_report_under_this_report_is_404(experimenter_client, experiment):
    mine = ProgressReportFactory(experiment=experiment)
    foreign = ReportPhotoFactory()

    response = experimenter_client.get(url("photo_file", uuid=mine.uuid, pk=foreign.pk))

    assert response.status_code == 404


def test_photo_delete_by_another_experimenter_is_404(other_client, experiment):
    photo = ReportPhotoFactory(report=ProgressReportFactory(experiment=experiment))

    response = other_client.post(url("photo_delete", uuid=photo.report.uuid, pk=photo.pk))

    assert response.status_code == 404
    assert ReportPhoto.objects.filter(pk=photo.pk).exists()


def test_photo_delete_by_its_experimenter(experimenter_client, experiment):
    photo = ReportPhotoFactory(report=ProgressReportFactory(experiment=experiment))

    response = experimenter_client.post(url("photo_delete", uuid=photo.report.uuid, pk=photo.pk))

    assert response.status_code == 302
    assert not ReportPhoto.objects.exists()
