"""The experiments' admin: a fast list with late milestones, statuses through the
transition function only, rules checked next to their fields, history kept."""

import datetime as dt
from decimal import Decimal
from html import unescape

import pytest
from django.contrib import admin
from django.forms import MultiWidget
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from experiments.enums import ExperimentStatus as S
from experiments.enums import Outcome, ReportStatus
from experiments.models import (
    Evaluation,
    EventRegistration,
    Experiment,
    ExperimentStatusChange,
    Measurement,
    Milestone,
    OutcomeUpdate,
    ProgrammeEvent,
    ReportComment,
)
from experiments.services.lifecycle import MILESTONE_TEMPLATE
from tests.factories import (
    ExperimentFactory,
    IndicatorFactory,
    InnovationDistrictFactory,
    MeasurementFactory,
    MilestoneFactory,
    ProgressReportFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:experiments_experiment_changelist")
TODAY = timezone.localdate


@pytest.fixture
def staff():
    return StaffUserFactory(username="pm")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _messages(response):
    return [str(message) for message in response.context["messages"]]


def _form_data(form) -> dict:
    """What a browser would post back for a bound-or-initial form, unchanged."""
    data = {}
    for field in form:
        value = field.value()
        widget = field.field.widget
        if isinstance(widget, MultiWidget):
            parts = widget.decompress(value) if value else [None] * len(widget.widgets)
            for index, part in enumerate(parts):
                data[f"{field.html_name}_{index}"] = _text(part)
            continue
        if isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
            continue
        if isinstance(value, list | tuple):
            data[field.html_name] = [_text(item) for item in value]
            continue
        data[field.html_name] = _text(value)
    return data


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(getattr(value, "pk", value))


def _change_page_data(response) -> dict:
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= _form_data(formset.management_form)
        for form in formset.forms:
            data |= _form_data(form)
    return data


# --- The list ------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 3])
def test_experiment_changelist_query_count_constant(staff_client, django_assert_num_queries, rows):
    for _index in range(rows):
        experiment = ExperimentFactory()
        MilestoneFactory.create_batch(
            2, experiment=experiment, due_date=TODAY() - dt.timedelta(days=2)
        )
        MilestoneFactory(experiment=experiment, due_date=TODAY() + dt.timedelta(days=9))

    # User (the session is cached), user and group permissions, editions and municipalities of the
    # filters, the count twice (filtered and full), the page with its late counts.
    with django_assert_num_queries(8):
        response = staff_client.get(CHANGELIST)

    assert response.status_code == 200
    results = response.context["cl"].result_list
    assert len(results) == rows
    assert {experiment.late_milestone_count for experiment in results} == {2}


def test_experiment_changelist_columns_and_late_filter(staff_client):
    late = ExperimentFactory(solution_name="En retard")
    MilestoneFactory(experiment=late, due_date=TODAY() - dt.timedelta(days=1))
    on_time = ExperimentFactory(solution_name="À l'heure")
    MilestoneFactory(experiment=on_time, due_date=TODAY() - dt.timedelta(days=1), done_date=TODAY())

    html = staff_client.get(CHANGELIST).content.decode()
    assert late.district.municipality.name in html
    assert str(late.district.edition) in html
    assert '<strong class="late">1</strong>' in html

    late_only = staff_client.get(CHANGELIST, {"late": "yes"}).context["cl"].result_list
    none_late = staff_client.get(CHANGELIST, {"late": "no"}).context["cl"].result_list
    assert list(late_only) == [late]
    assert list(none_late) == [on_time]


def test_experiment_change_page_has_inlines_and_readonly_status(staff_client):
    experiment = ExperimentFactory()
    MilestoneFactory(experiment=experiment)
    IndicatorFactory(experiment=experiment)

    response = staff_client.get(
        reverse("admin:experiments_experiment_change", args=[experiment.pk])
    )

    assert response.status_code == 200
    assert "status" not in response.context["adminform"].form.fields
    models = {inline.formset.model for inline in response.context["inline_admin_formsets"]}
    assert {ExperimentStatusChange, Milestone}.issubset(models)


def test_experiment_change_form_cannot_change_the_status(staff_client):
    experiment = ExperimentFactory(status=S.RUNNING)
    change = reverse("admin:experiments_experiment_change", args=[experiment.pk])
    data = _change_page_data(staff_client.get(change))

    response = staff_client.post(change, {**data, "status": S.ENDED, "solution_name": "Renommée"})

    assert response.status_code == 302
    experiment.refresh_from_db()
    assert experiment.solution_name == "Renommée"
    assert experiment.status == S.RUNNING


def test_experiment_add_by_staff_is_planned_with_its_plan(staff_client, staff):
    district = InnovationDistrictFactory()
    start = TODAY().replace(day=1)

    response = staff_client.post(
        reverse("admin:experiments_experiment_add"),
        {
            "district": district.pk,
            "organisation_name": "Pélican Cycles",
            "country": "FR",
            "solution_name": "Vélos cargos",
            "summary_fr": "",
            "summary_en": "",
            "language": "fr",
            "start_date": start.isoformat(),
            "end_date": (start + dt.timedelta(days=548)).isoformat(),
            "report_interval_months": "3",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
            "sites-TOTAL_FORMS": "0",
            "sites-INITIAL_FORMS": "0",
            "milestones-TOTAL_FORMS": "0",
            "milestones-INITIAL_FORMS": "0",
            "indicators-TOTAL_FORMS": "0",
            "indicators-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    experiment = Experiment.objects.get()
    assert experiment.status == S.PLANNED
    assert experiment.status_changes.get().by == staff
    assert experiment.milestones.count() == len(MILESTONE_TEMPLATE)


# --- Status through the transition function -------------------------------------


def _change_status(client, experiments, **data):
    return client.post(
        CHANGELIST,
        {
            "action": "change_status",
            "_selected_action": [str(experiment.pk) for experiment in experiments],
            **data,
        },
    )


def test_change_status_action_shows_the_allowed_statuses(staff_client):
    experiment = ExperimentFactory(status=S.RUNNING)

    response = _change_status(staff_client, [experiment])

    assert response.status_code == 200
    choices = {value for value, _label in response.context["form"].fields["status"].choices}
    assert choices == {S.EVALUATING, S.SUSPENDED, S.ABANDONED}


def test_change_status_action_applies_and_records(staff_client, staff):
    experiment = ExperimentFactory(status=S.RUNNING)

    response = _change_status(staff_client, [experiment], apply="1", status=S.EVALUATING, reason="")

    assert response.status_code == 302
    experiment.refresh_from_db()
    assert experiment.status == S.EVALUATING
    change = experiment.status_changes.get()
    assert (change.from_status, change.to_status, change.by) == (S.RUNNING, S.EVALUATING, staff)


def test_change_status_action_suspend_needs_a_reason(staff_client):
    experiment = ExperimentFactory(status=S.RUNNING)

    response = _change_status(staff_client, [experiment], apply="1", status=S.SUSPENDED)

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Veuillez indiquer un motif."]
    experiment.refresh_from_db()
    assert experiment.status == S.RUNNING
    assert not experiment.status_changes.exists()


def test_change_status_action_reports_refused_transitions(staff_client):
    running = ExperimentFactory(status=S.RUNNING, solution_name="Active")
    ended = ExperimentFactory(status=S.ENDED, solution_name="Finie")

    response = _change_status(
        staff_client, [running, ended], apply="1", status=S.ABANDONED, reason="Faillite"
    )

    messages = _messages(staff_client.get(response.url))
    running.refresh_from_db()
    ended.refresh_from_db()
    assert (running.status, ended.status) == (S.ABANDONED, S.ENDED)
    assert running.status_changes.get().reason == "Faillite"
    assert any(
        str(ended) in message
        and _("An experiment cannot go from “%(from)s” to “%(to)s”.")
        % {"from": S.ENDED.label, "to": S.ABANDONED.label}
        in message
        for message in messages
    )


# --- Milestones, indicators, measurements --------------------------------------


def test_milestone_inline_done_in_the_future_refused(staff_client):
    experiment = ExperimentFactory()
    milestone = MilestoneFactory(experiment=experiment)
    change = reverse("admin:experiments_experiment_change", args=[experiment.pk])
    data = _change_page_data(staff_client.get(change))
    prefix = next(
        key[: -len("-id")]
        for key, value in data.items()
        if key.startswith("milestones-") and key.endswith("-id") and value == str(milestone.pk)
    )
    tomorrow = TODAY() + dt.timedelta(days=1)

    response = staff_client.post(change, {**data, f"{prefix}-done_date": tomorrow.isoformat()})

    assert response.status_code == 200
    message = _(
        "The done date %(date)s is in the future: a milestone is marked done once it is "
        "done. Leave the date empty until then."
    ) % {"date": date_format(tomorrow, "SHORT_DATE_FORMAT")}
    assert message in unescape(response.content.decode())
    milestone.refresh_from_db()
    assert milestone.done_date is None


def test_milestone_inline_save_keeps_history(staff_client, staff):
    experiment = ExperimentFactory()
    milestone = MilestoneFactory(experiment=experiment)
    change = reverse("admin:experiments_experiment_change", args=[experiment.pk])
    data = _change_page_data(staff_client.get(change))
    prefix = next(
        key[: -len("-id")]
        for key, value in data.items()
        if key.startswith("milestones-") and key.endswith("-id") and value == str(milestone.pk)
    )

    response = staff_client.post(
        change, {**data, f"{prefix}-done_date": TODAY().isoformat(), f"{prefix}-evidence": "PV"}
    )

    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_date == TODAY()
    latest = milestone.history.latest("history_date")
    assert (latest.done_date, latest.history_user) == (TODAY(), staff)
    history = staff_client.get(reverse("admin:experiments_milestone_history", args=[milestone.pk]))
    assert history.status_code == 200


def test_measurement_admin_date_outside_the_experiment_refused(staff_client):
    indicator = IndicatorFactory()
    experiment = indicator.experiment
    day = experiment.end_date + dt.timedelta(days=1)

    response = staff_client.post(
        reverse("admin:experiments_measurement_add"),
        {"indicator": indicator.pk, "measured_on": day.isoformat(), "value": "3", "source": ""},
    )

    assert response.status_code == 200
    assert "measured_on" in response.context["adminform"].form.errors
    assert not Measurement.objects.exists()


def test_measurement_admin_edit_keeps_history(staff_client, staff):
    measurement = MeasurementFactory(value=Decimal("110"))
    change = reverse("admin:experiments_measurement_change", args=[measurement.pk])
    data = _form_data(staff_client.get(change).context["adminform"].form)

    response = staff_client.post(change, {**data, "value": "111"})

    assert response.status_code == 302
    versions = list(measurement.history.order_by("history_date"))
    assert [v.value for v in versions] == [Decimal("110"), Decimal("111")]
    assert versions[-1].history_user == staff


def test_indicator_admin_target_against_direction_refused(staff_client):
    experiment = ExperimentFactory()

    response = staff_client.post(
        reverse("admin:experiments_indicator_add"),
        {
            "experiment": experiment.pk,
            "name": "Déchets",
            "unit": "kg",
            "baseline": "100",
            "target": "150",
            "direction": "down",
            "order": "0",
        },
    )

    assert response.status_code == 200
    assert "target" in response.context["adminform"].form.errors
    assert not experiment.indicators.exists()


# --- Reports: read and comment ------------------------------------------------------


def test_report_admin_lists_submitted_reports_only(staff_client):
    submitted = ProgressReportFactory(status=ReportStatus.SUBMITTED)
    ProgressReportFactory()

    response = staff_client.get(reverse("admin:experiments_progressreport_changelist"))

    assert list(response.context["cl"].result_list) == [submitted]


def test_report_admin_comment_goes_through_the_service(staff_client, staff):
    report = ProgressReportFactory(status=ReportStatus.SUBMITTED)
    change = reverse("admin:experiments_progressreport_change", args=[report.pk])
    data = _change_page_data(staff_client.get(change))
    prefix = next(key for key in data if key.startswith("comments-") and key.endswith("-body"))

    response = staff_client.post(change, {**data, prefix: "Très bon rapport."})

    assert response.status_code == 302
    comment = ReportComment.objects.get()
    assert (comment.report, comment.author, comment.body) == (report, staff, "Très bon rapport.")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


# --- Evaluation and outcomes --------------------------------------------------------


def _evaluation_data(experiment, **extra):
    return {
        "experiment": experiment.pk,
        "utility": "4",
        "sustainable_development": "3",
        "sobriety": "5",
        "resilience": "",
        "quality_of_life": "4",
        "feasibility": "",
        "user_feedback": "",
        "conclusion": "Concluant.",
        "outcome": Outcome.CONTRACTED,
        "buyer": "",
        "evaluated_on": "",
        **extra,
    }


def test_evaluation_admin_contracted_needs_a_buyer(staff_client, staff):
    experiment = ExperimentFactory(status=S.EVALUATING)
    add = reverse("admin:experiments_evaluation_add")

    refused = staff_client.post(add, _evaluation_data(experiment))
    saved = staff_client.post(add, _evaluation_data(experiment, buyer="Ville de Sceaux"))

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["buyer"] == [
        _("Name the town or other buyer that contracted the solution.")
    ]
    assert saved.status_code == 302
    evaluation = Evaluation.objects.get()
    assert (evaluation.buyer, evaluation.evaluated_by) == ("Ville de Sceaux", staff)
    assert evaluation.history.get().history_user == staff


def test_evaluation_admin_score_above_five_refused(staff_client):
    experiment = ExperimentFactory(status=S.EVALUATING)

    response = staff_client.post(
        reverse("admin:experiments_evaluation_add"),
        _evaluation_data(experiment, utility="6", buyer="Sceaux"),
    )

    assert response.status_code == 200
    assert "utility" in response.context["adminform"].form.errors
    assert not Evaluation.objects.exists()


def test_outcome_update_admin_only_after_the_end(staff_client, staff):
    running = ExperimentFactory(status=S.RUNNING)
    begun = TODAY() - dt.timedelta(days=800)
    ended = ExperimentFactory(
        status=S.ENDED, start_date=begun, end_date=begun + dt.timedelta(days=548)
    )
    add = reverse("admin:experiments_outcomeupdate_add")

    def post(experiment):
        return staff_client.post(
            add,
            {
                "experiment": experiment.pk,
                "recorded_on": TODAY().isoformat(),
                "outcome": Outcome.CONTRACTED,
                "buyer": "Ville de Meudon",
                "note": "",
            },
        )

    refused = post(running)
    saved = post(ended)

    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors()
    assert saved.status_code == 302
    update = OutcomeUpdate.objects.get()
    assert (update.experiment, update.recorded_by, update.buyer) == (
        ended,
        staff,
        "Ville de Meudon",
    )
    change = staff_client.get(reverse("admin:experiments_outcomeupdate_change", args=[update.pk]))
    assert change.status_code == 200
    assert not change.context["has_change_permission"]


def test_programme_events_admin_stays_registered():
    assert admin.site.is_registered(ProgrammeEvent)
    assert admin.site.is_registered(EventRegistration)
