"""The rules of an experiment's life: status table, milestones, indicators, measurements,
progress reports, photos, evaluation and outcomes. Bad input gets a clear message and
nothing already saved is lost; edits keep their history."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from calls.enums import ApplicationStatus
from calls.services.workflow import TransitionError as ApplicationTransitionError
from calls.services.workflow import application_set_status
from experiments.enums import ExperimentStatus as S
from experiments.enums import MilestoneOwner, Outcome, ReportStatus
from experiments.models import (
    Experiment,
    ExperimentStatusChange,
    Indicator,
    Measurement,
    ProgressReport,
    ReportPhoto,
)
from experiments.selectors import (
    experiment_timeline_rows,
    experiments_with_counts,
    indicator_summary,
    indicators_with_latest,
    indicators_with_measurements,
    late_milestones,
    next_report_due,
    report_due_dates,
    report_period,
    report_schedule,
)
from experiments.services.lifecycle import (
    MILESTONE_TEMPLATE,
    TRANSITIONS,
    TransitionError,
    experiment_create_from_application,
    experiment_register,
    experiment_set_status,
    indicator_create,
    indicator_update,
    measurement_add,
    measurement_update,
    milestone_mark_done,
    milestone_save,
    milestones_generate,
    site_add,
)
from experiments.services.reports import (
    MAX_PHOTOS,
    MeasurementInput,
    ReportLocked,
    evaluation_save,
    outcome_update_add,
    report_comment_add,
    report_create,
    report_photo_add,
    report_photo_delete,
    report_save,
    report_submit,
)
from tests.factories import (
    ApplicationFactory,
    ExperimentFactory,
    IndicatorFactory,
    MeasurementFactory,
    MilestoneFactory,
    MunicipalityMembershipFactory,
    ProgressReportFactory,
    ReportPhotoFactory,
    StaffUserFactory,
    UserFactory,
    png_bytes,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def short(day):
    return date_format(day, "SHORT_DATE_FORMAT")


def fields_of(error: ValidationError) -> dict:
    return error.message_dict


@pytest.fixture
def staff():
    return StaffUserFactory()


@pytest.fixture
def experiment():
    return ExperimentFactory()


@pytest.fixture
def experimenter(experiment):
    return experiment.experimenter


# --- Status: the transition table ------------------------------------------------

ALLOWED = [(origin, target) for origin, targets in TRANSITIONS.items() for target in targets]
REFUSED = [
    (origin, target)
    for origin, target in itertools.product(S.values, S.values)
    if target not in TRANSITIONS[origin]
]


@pytest.mark.parametrize(("origin", "target"), ALLOWED)
def test_experiment_set_status_allowed_transition_saves_and_records(staff, origin, target):
    experiment = ExperimentFactory(status=origin)

    experiment_set_status(experiment=experiment, status=target, by=staff, reason="Motif écrit.")

    experiment.refresh_from_db()
    assert experiment.status == target
    change = ExperimentStatusChange.objects.get(experiment=experiment)
    assert (change.from_status, change.to_status, change.by, change.reason) == (
        origin,
        target,
        staff,
        "Motif écrit.",
    )


@pytest.mark.parametrize(("origin", "target"), REFUSED)
def test_experiment_set_status_refused_transition_changes_nothing(staff, origin, target):
    experiment = ExperimentFactory(status=origin)

    with pytest.raises(TransitionError) as caught:
        experiment_set_status(experiment=experiment, status=target, by=staff, reason="x")

    assert caught.value.code == "invalid_transition"
    assert caught.value.messages == [
        _("An experiment cannot go from “%(from)s” to “%(to)s”.")
        % {"from": S(origin).label, "to": S(target).label}
    ]
    experiment.refresh_from_db()
    assert experiment.status == origin
    assert not ExperimentStatusChange.objects.filter(experiment=experiment).exists()


def test_experiment_set_status_ended_and_abandoned_are_final():
    assert TRANSITIONS[S.ENDED] == set()
    assert TRANSITIONS[S.ABANDONED] == set()


@pytest.mark.parametrize("target", [S.SUSPENDED, S.ABANDONED])
def test_experiment_set_status_suspend_or_abandon_needs_a_reason(staff, target):
    experiment = ExperimentFactory(status=S.RUNNING)

    with pytest.raises(TransitionError) as caught:
        experiment_set_status(experiment=experiment, status=target, by=staff, reason="   ")

    assert caught.value.messages == ["Veuillez indiquer un motif."]
    experiment.refresh_from_db()
    assert experiment.status == S.RUNNING
    assert not experiment.status_changes.exists()


def test_experiment_set_status_by_experimenter_refused(experiment, experimenter):
    with pytest.raises(PermissionDenied):
        experiment_set_status(experiment=experiment, status=S.EVALUATING, by=experimenter)

    experiment.refresh_from_db()
    assert experiment.status == S.RUNNING


def test_experiment_set_status_running_before_the_start_refused(staff):
    experiment = ExperimentFactory(status=S.PREPARING, start_date=TODAY() + dt.timedelta(days=10))

    with pytest.raises(TransitionError) as caught:
        experiment_set_status(experiment=experiment, status=S.RUNNING, by=staff)

    assert caught.value.code == "not_started"
    experiment.refresh_from_db()
    assert experiment.status == S.PREPARING


def test_experiment_set_status_history_follows_each_change(staff):
    experiment = ExperimentFactory(status=S.PREPARING)

    experiment_set_status(experiment=experiment, status=S.RUNNING, by=staff)
    experiment_set_status(experiment=experiment, status=S.SUSPENDED, by=staff, reason="Travaux")
    experiment_set_status(experiment=experiment, status=S.RUNNING, by=staff)

    assert list(experiment.status_changes.values_list("from_status", "to_status", "reason")) == [
        (S.PREPARING, S.RUNNING, ""),
        (S.RUNNING, S.SUSPENDED, "Travaux"),
        (S.SUSPENDED, S.RUNNING, ""),
    ]


# --- Creation from a selection ----------------------------------------------------


def test_experiment_created_once_when_selected_twice(staff):
    application = ApplicationFactory(status=ApplicationStatus.SHORTLISTED)

    application_set_status(application=application, status=ApplicationStatus.SELECTED, by=staff)
    with pytest.raises(ApplicationTransitionError):
        application_set_status(application=application, status=ApplicationStatus.SELECTED, by=staff)
    again = experiment_create_from_application(application=application)

    experiment = Experiment.objects.get(application=application)
    assert again == experiment
    assert Experiment.objects.count() == 1
    assert experiment.milestones.count() == len(MILESTONE_TEMPLATE)
    assert experiment.status_changes.count() == 1


def test_experiment_from_selection_copies_the_application(staff):
    application = ApplicationFactory(
        status=ApplicationStatus.SHORTLISTED, organisation_name="Ombre Fraîche", country="BE"
    )

    application_set_status(application=application, status=ApplicationStatus.SELECTED, by=staff)

    experiment = Experiment.objects.get(application=application)
    assert experiment.organisation_name == "Ombre Fraîche"
    assert experiment.experimenter == application.applicant
    assert experiment.district == application.target_districts.get()
    assert experiment.status == S.PLANNED
    assert experiment.end_date == experiment.start_date + relativedelta(months=18)
    assert experiment.is_international
    assert set(experiment.themes.all()) == set(application.themes.all())


def test_experiment_register_by_staff_gets_history_and_plan(staff):
    experiment = ExperimentFactory.build(
        district=ExperimentFactory().district, experimenter=None, status=S.RUNNING
    )

    experiment_register(experiment=experiment, by=staff)

    assert experiment.status == S.PLANNED
    assert experiment.status_changes.get().by == staff
    assert experiment.milestones.count() == len(MILESTONE_TEMPLATE)


# --- Milestones --------------------------------------------------------------------


def test_milestone_late_is_computed_from_the_clock(experiment):
    due = TODAY() - dt.timedelta(days=1)
    late = MilestoneFactory(experiment=experiment, due_date=due)
    done = MilestoneFactory(experiment=experiment, due_date=due, done_date=due)
    coming = MilestoneFactory(experiment=experiment, due_date=TODAY())

    assert late.is_late() and not done.is_late() and not coming.is_late()
    assert list(late_milestones(Experiment.objects.all(), TODAY())) == [late]
    # Tomorrow the milestone due today is late too, without anyone flipping a flag.
    tomorrow = TODAY() + dt.timedelta(days=1)
    assert set(late_milestones(Experiment.objects.all(), tomorrow)) == {late, coming}


def test_an_abandoned_experiments_open_milestones_are_not_late(experiment):
    """They will never be done: the admin, the dashboards and the reminders agree."""
    milestone = MilestoneFactory(experiment=experiment, due_date=TODAY() - dt.timedelta(days=5))
    Experiment.objects.filter(pk=experiment.pk).update(status=S.ABANDONED)
    milestone.refresh_from_db()

    assert not milestone.is_late()
    assert list(late_milestones(Experiment.objects.all(), TODAY())) == []
    counted = experiments_with_counts(Experiment.objects.filter(pk=experiment.pk), TODAY()).get()
    assert counted.late_milestone_count == 0


def test_late_milestones_only_of_the_given_experiments(experiment):
    mine = MilestoneFactory(experiment=experiment, due_date=TODAY() - dt.timedelta(days=3))
    MilestoneFactory(due_date=TODAY() - dt.timedelta(days=3))

    assert list(late_milestones(Experiment.objects.filter(pk=experiment.pk), TODAY())) == [mine]


def test_milestone_done_in_the_future_refused_with_message(experiment, experimenter):
    milestone = MilestoneFactory(experiment=experiment, owner=MilestoneOwner.EXPERIMENTER)
    tomorrow = TODAY() + dt.timedelta(days=1)

    with pytest.raises(ValidationError) as caught:
        milestone_mark_done(milestone=milestone, by=experimenter, done_date=tomorrow, evidence="x")

    assert fields_of(caught.value)["done_date"] == [
        _(
            "The done date %(date)s is in the future: a milestone is marked done once it is "
            "done. Leave the date empty until then."
        )
        % {"date": short(tomorrow)}
    ]
    milestone.refresh_from_db()
    assert milestone.done_date is None
    assert milestone.evidence == ""


def test_milestone_mark_done_keeps_history(experiment, experimenter):
    milestone = MilestoneFactory(experiment=experiment, owner=MilestoneOwner.EXPERIMENTER)

    milestone_mark_done(
        milestone=milestone, by=experimenter, done_date=TODAY(), evidence="Photo de la pose"
    )

    milestone.refresh_from_db()
    assert milestone.done_date == TODAY()
    assert milestone.evidence == "Photo de la pose"
    versions = list(milestone.history.order_by("history_date"))
    assert [version.done_date for version in versions] == [None, TODAY()]
    assert versions[-1].history_user == experimenter


def test_milestone_mark_done_of_the_town_refused_to_experimenter(experiment, experimenter):
    milestone = MilestoneFactory(experiment=experiment, owner=MilestoneOwner.MUNICIPALITY)

    with pytest.raises(PermissionDenied):
        milestone_mark_done(milestone=milestone, by=experimenter, done_date=TODAY())


def test_milestone_mark_done_by_another_experimenter_refused(experiment):
    milestone = MilestoneFactory(experiment=experiment, owner=MilestoneOwner.EXPERIMENTER)

    with pytest.raises(PermissionDenied):
        milestone_mark_done(
            milestone=milestone, by=ExperimentFactory().experimenter, done_date=TODAY()
        )


def test_milestone_save_by_staff_edits_due_date_with_history(experiment, staff):
    milestone = MilestoneFactory(experiment=experiment)
    first_due = milestone.due_date
    milestone.due_date = first_due + dt.timedelta(days=30)

    milestone_save(milestone=milestone, by=staff)

    assert [v.due_date for v in milestone.history.order_by("history_date")] == [
        first_due,
        first_due + dt.timedelta(days=30),
    ]


def test_milestone_save_by_experimenter_refused(experiment, experimenter):
    milestone = MilestoneFactory(experiment=experiment)

    with pytest.raises(PermissionDenied):
        milestone_save(milestone=milestone, by=experimenter)


# --- Indicators and measurements ---------------------------------------------------


def test_indicator_create_target_against_direction_refused(experiment, staff):
    with pytest.raises(ValidationError) as caught:
        indicator_create(
            experiment=experiment,
            by=staff,
            name="Déchets",
            unit="kg",
            baseline=Decimal("100"),
            target=Decimal("120"),
            direction="down",
        )

    assert fields_of(caught.value)["target"] == [
        _(
            "Lower is better for this indicator: the target must be below the baseline "
            "(%(baseline)s)."
        )
        % {"baseline": "100"}
    ]
    assert not Indicator.objects.exists()


def test_indicator_create_by_experimenter_while_it_lives(experiment, experimenter):
    indicator = indicator_create(
        experiment=experiment,
        by=experimenter,
        name="Visiteurs",
        unit="personnes",
        baseline=Decimal("0"),
        target=Decimal("500"),
    )

    assert indicator.experiment == experiment
    assert indicator.history.get().history_user == experimenter


def test_indicator_create_by_another_user_refused(experiment):
    with pytest.raises(PermissionDenied):
        indicator_create(
            experiment=experiment,
            by=UserFactory(),
            name="Visiteurs",
            unit="personnes",
            baseline=Decimal("0"),
            target=Decimal("500"),
        )


def test_indicator_update_unit_with_measurements_refused(experiment, staff):
    indicator = IndicatorFactory(experiment=experiment, unit="kWh")
    MeasurementFactory(indicator=indicator)

    with pytest.raises(ValidationError) as caught:
        indicator_update(indicator=indicator, by=staff, unit="MWh")

    assert "unit" in fields_of(caught.value)
    indicator.refresh_from_db()
    assert indicator.unit == "kWh"


def test_indicator_update_keeps_history(experiment, staff):
    indicator = IndicatorFactory(experiment=experiment, target=Decimal("150"))

    indicator_update(indicator=indicator, by=staff, target=Decimal("180"))

    assert [v.target for v in indicator.history.order_by("history_date")] == [
        Decimal("150"),
        Decimal("180"),
    ]


def test_indicator_update_unit_without_measurements_allowed(experiment, staff):
    indicator = IndicatorFactory(experiment=experiment, unit="kWh")

    indicator_update(indicator=indicator, by=staff, unit="MWh")

    indicator.refresh_from_db()
    assert indicator.unit == "MWh"


def test_measurement_add_wrong_unit_refused_with_message(experiment, experimenter):
    indicator = IndicatorFactory(experiment=experiment, name="Énergie", unit="kWh")

    with pytest.raises(ValidationError) as caught:
        measurement_add(
            indicator=indicator,
            by=experimenter,
            measured_on=experiment.start_date,
            value=Decimal("3"),
            unit="MWh",
        )

    assert fields_of(caught.value) == {
        "unit": [
            _(
                "“%(indicator)s” is measured in “%(expected)s”, not in “%(unit)s”: convert the "
                "value to %(expected)s."
            )
            % {"indicator": "Énergie", "expected": "kWh", "unit": "MWh"}
        ]
    }
    assert not Measurement.objects.exists()


def test_measurement_add_same_unit_in_other_case_accepted(experiment, experimenter):
    indicator = IndicatorFactory(experiment=experiment, unit="kWh")

    measurement = measurement_add(
        indicator=indicator,
        by=experimenter,
        measured_on=experiment.start_date,
        value=Decimal("3"),
        unit=" KWH ",
    )

    assert measurement.recorded_by == experimenter


@pytest.mark.parametrize(
    "day",
    [
        lambda e: e.start_date - dt.timedelta(days=1),
        lambda e: e.end_date + dt.timedelta(days=1),
    ],
    ids=["before-start", "after-end"],
)
def test_measurement_add_outside_the_experiment_refused(experiment, experimenter, day):
    indicator = IndicatorFactory(experiment=experiment)
    measured_on = day(experiment)

    with pytest.raises(ValidationError) as caught:
        measurement_add(
            indicator=indicator, by=experimenter, measured_on=measured_on, value=Decimal("1")
        )

    assert fields_of(caught.value)["measured_on"] == [
        _("The date %(date)s is outside the experiment, which runs from %(start)s to %(end)s.")
        % {
            "date": short(measured_on),
            "start": short(experiment.start_date),
            "end": short(experiment.end_date),
        }
    ]
    assert not Measurement.objects.exists()


def test_measurement_add_in_the_future_refused(experiment, experimenter):
    indicator = IndicatorFactory(experiment=experiment)

    with pytest.raises(ValidationError) as caught:
        measurement_add(
            indicator=indicator,
            by=experimenter,
            measured_on=TODAY() + dt.timedelta(days=2),
            value=Decimal("1"),
        )

    assert "measured_on" in fields_of(caught.value)


def test_measurement_add_after_the_experiment_ended_refused_to_experimenter():
    experiment = ExperimentFactory(status=S.ENDED)
    indicator = IndicatorFactory(experiment=experiment)

    with pytest.raises(PermissionDenied):
        measurement_add(
            indicator=indicator,
            by=experiment.experimenter,
            measured_on=experiment.start_date,
            value=Decimal("1"),
        )


def test_measurement_update_keeps_the_previous_value(experiment, staff):
    measurement = MeasurementFactory(
        indicator=IndicatorFactory(experiment=experiment), value=Decimal("110")
    )

    measurement_update(
        measurement=measurement,
        by=staff,
        measured_on=measurement.measured_on,
        value=Decimal("112.5"),
        source="Relevé corrigé",
    )

    measurement.refresh_from_db()
    assert measurement.value == Decimal("112.5")
    versions = list(measurement.history.order_by("history_date"))
    assert [(v.value, v.source) for v in versions] == [
        (Decimal("110"), "Relevé du compteur"),
        (Decimal("112.5"), "Relevé corrigé"),
    ]
    assert versions[-1].history_user == staff


def test_measurement_update_bad_date_keeps_the_saved_value(experiment, staff):
    measurement = MeasurementFactory(indicator=IndicatorFactory(experiment=experiment))
    saved = (measurement.value, measurement.measured_on)

    with pytest.raises(ValidationError):
        measurement_update(
            measurement=measurement,
            by=staff,
            measured_on=experiment.end_date + dt.timedelta(days=1),
            value=Decimal("999"),
        )

    measurement.refresh_from_db()
    assert (measurement.value, measurement.measured_on) == saved
    assert measurement.history.count() == 1


# --- Indicator progress and latest value -------------------------------------------


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "value", "progress"),
    [
        ("up", "100", "150", "125", 0.5),
        ("up", "100", "150", "160", 1.2),
        ("down", "200", "100", "150", 0.5),
        ("down", "200", "100", "220", -0.2),
    ],
)
def test_indicator_progress_toward_target(experiment, direction, baseline, target, value, progress):
    indicator = IndicatorFactory(
        experiment=experiment,
        direction=direction,
        baseline=Decimal(baseline),
        target=Decimal(target),
    )
    MeasurementFactory(indicator=indicator, value=Decimal("1"), measured_on=experiment.start_date)
    MeasurementFactory(
        indicator=indicator,
        value=Decimal(value),
        measured_on=experiment.start_date + dt.timedelta(days=20),
    )

    annotated = indicator_summary(indicators_with_latest(Indicator.objects.all()).get())
    prefetched = indicator_summary(indicators_with_measurements([experiment]).get())

    for summary in (annotated, prefetched):
        assert summary.latest_value == Decimal(value)
        assert summary.progress == pytest.approx(progress)
        assert summary.percent == round(max(0, min(1, progress)) * 100)
    assert len(prefetched.measurements) == 2


def test_indicator_without_measurement_has_no_progress(experiment):
    IndicatorFactory(experiment=experiment)

    summary = indicator_summary(indicators_with_latest(Indicator.objects.all()).get())

    assert summary.latest_value is None
    assert summary.progress is None and summary.percent is None


@pytest.mark.parametrize("rows", [1, 3])
def test_indicators_with_measurements_two_queries(django_assert_num_queries, rows):
    experiments = []
    for _index in range(rows):
        experiment = ExperimentFactory()
        for indicator in IndicatorFactory.create_batch(2, experiment=experiment):
            MeasurementFactory.create_batch(3, indicator=indicator)
        experiments.append(experiment)

    with django_assert_num_queries(2):
        summaries = [
            indicator_summary(indicator)
            for indicator in indicators_with_measurements(
                Experiment.objects.filter(pk__in=[e.pk for e in experiments])
            )
        ]

    assert len(summaries) == 2 * rows
    assert all(len(summary.measurements) == 3 for summary in summaries)


# --- Report schedule -------------------------------------------------------------


def test_report_due_dates_every_interval_until_the_end():
    experiment = ExperimentFactory.build(
        start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 7, 1), report_interval_months=4
    )

    assert report_due_dates(experiment) == [
        dt.date(2025, 5, 1),
        dt.date(2025, 9, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 5, 1),
        dt.date(2026, 7, 1),
    ]
    assert next_report_due(experiment, submitted_count=0) == dt.date(2025, 5, 1)
    assert next_report_due(experiment, submitted_count=2) == dt.date(2026, 1, 1)
    assert next_report_due(experiment, submitted_count=5) is None
    assert report_period(experiment, submitted_count=0) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 4, 30),
    )
    assert report_period(experiment, submitted_count=4) == (
        dt.date(2026, 5, 1),
        dt.date(2026, 7, 1),
    )


def test_report_schedule_overdue_minus_submitted(experiment):
    # Started three months ago, every three months: the first report is due about now.
    start = TODAY() - relativedelta(months=7)
    experiment = ExperimentFactory(start_date=start, end_date=start + relativedelta(months=18))
    ProgressReportFactory(experiment=experiment, status=ReportStatus.SUBMITTED)
    ProgressReportFactory(experiment=experiment)  # a draft does not count

    schedule = report_schedule(experiment, submitted_count=1)

    assert schedule.next_due == start + relativedelta(months=6)
    assert schedule.overdue
    assert schedule.due_count == 6
    counted = experiments_with_counts(Experiment.objects.filter(pk=experiment.pk), TODAY()).get()
    assert counted.submitted_report_count == 1


def test_report_schedule_nothing_due_once_ended():
    experiment = ExperimentFactory(status=S.ENDED)

    assert report_schedule(experiment, submitted_count=0).next_due is None


# --- Progress reports ------------------------------------------------------------


def test_report_create_covers_the_next_period(experiment, experimenter):
    report = report_create(experiment=experiment, by=experimenter)

    assert report.status == ReportStatus.DRAFT
    assert report.period_start == experiment.start_date
    assert report.period_end == experiment.start_date + relativedelta(months=3) - dt.timedelta(
        days=1
    )
    assert report.author == experimenter


def test_report_create_returns_the_open_draft(experiment, experimenter):
    first = report_create(experiment=experiment, by=experimenter)

    assert report_create(experiment=experiment, by=experimenter) == first
    assert ProgressReport.objects.count() == 1


def test_report_create_by_another_user_refused(experiment):
    with pytest.raises(PermissionDenied):
        report_create(experiment=experiment, by=ExperimentFactory().experimenter)


@pytest.mark.parametrize("status", [S.PLANNED, S.ENDED, S.ABANDONED])
def test_report_create_when_the_experiment_does_not_live_refused(status):
    experiment = ExperimentFactory(status=status)

    with pytest.raises(ValidationError) as caught:
        report_create(experiment=experiment, by=experiment.experimenter)

    assert caught.value.code == "not_reporting"
    assert not ProgressReport.objects.exists()


def test_report_after_the_end_date_refused_with_message():
    start = TODAY() - relativedelta(months=19)
    experiment = ExperimentFactory(
        status=S.EVALUATING, start_date=start, end_date=start + relativedelta(months=18)
    )

    with pytest.raises(ValidationError) as caught:
        report_create(experiment=experiment, by=experiment.experimenter)

    assert caught.value.messages == [
        _(
            "The experiment ended on %(date)s: progress reports are no longer accepted. "
            "Write to your Paris&Co project manager for the final evaluation."
        )
        % {"date": short(experiment.end_date)}
    ]


def test_report_submit_after_the_end_date_refused_and_draft_kept():
    start = TODAY() - relativedelta(months=18, days=3)
    experiment = ExperimentFactory(start_date=start, end_date=start + relativedelta(months=18))
    report = ProgressReportFactory(experiment=experiment, work_done="Tout.")

    with pytest.raises(ValidationError) as caught:
        report_submit(report=report, by=experiment.experimenter)

    assert caught.value.code == "ended"
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert report.work_done == "Tout."


def test_report_create_when_every_report_is_in_refused(experimenter):
    experiment = ExperimentFactory(start_date=TODAY().replace(day=1))

    ProgressReportFactory(experiment=experiment, status=ReportStatus.SUBMITTED)
    with pytest.raises(ValidationError) as caught:
        report_create(experiment=experiment, by=experiment.experimenter)

    assert caught.value.code == "nothing_due"


def test_report_save_keeps_valid_parts_and_returns_bad_ones(experiment, experimenter):
    good = IndicatorFactory(experiment=experiment, name="Visiteurs", unit="personnes")
    bad_unit = IndicatorFactory(experiment=experiment, name="Énergie", unit="kWh")
    bad_date = IndicatorFactory(experiment=experiment, name="Bruit", unit="dB")
    report = ProgressReportFactory(experiment=experiment, work_done="")
    day = experiment.start_date + dt.timedelta(days=10)

    saved = report_save(
        report=report,
        by=experimenter,
        work_done="Pose des capteurs.",
        difficulties="Aucune.",
        next_steps="Ateliers.",
        period_start=experiment.start_date - dt.timedelta(days=5),
        period_end=report.period_end,
        measurements=[
            MeasurementInput(good, Decimal("42"), day, "Comptage", "personnes"),
            MeasurementInput(bad_unit, Decimal("3"), day, "", "MWh"),
            MeasurementInput(bad_date, Decimal("55"), TODAY() + dt.timedelta(days=3)),
        ],
    )

    assert not saved.ok
    assert set(saved.errors) == {"period_start"}
    assert set(saved.measurement_errors) == {bad_unit.pk, bad_date.pk}
    assert set(saved.measurement_errors[bad_unit.pk]) == {"unit"}
    assert set(saved.measurement_errors[bad_date.pk]) == {"measured_on"}
    report.refresh_from_db()
    assert report.work_done == "Pose des capteurs."
    assert report.period_start == experiment.start_date  # the previous period is kept
    assert list(report.measurements.values_list("indicator__name", "value")) == [
        ("Visiteurs", Decimal("42"))
    ]


def test_report_save_updates_measurement_in_place_with_history(experiment, experimenter):
    indicator = IndicatorFactory(experiment=experiment)
    report = ProgressReportFactory(experiment=experiment)
    day = experiment.start_date + dt.timedelta(days=3)

    def save(value):
        return report_save(
            report=report,
            by=experimenter,
            work_done="x",
            difficulties="",
            next_steps="",
            period_start=report.period_start,
            period_end=report.period_end,
            measurements=[MeasurementInput(indicator, value, day)],
        )

    save(Decimal("120"))
    save(Decimal("125"))

    measurement = Measurement.objects.get()
    assert measurement.report == report
    assert [v.value for v in measurement.history.order_by("history_date")] == [
        Decimal("120"),
        Decimal("125"),
    ]
    save(None)
    assert not Measurement.objects.exists()
    assert measurement.history.count() == 3  # the removal is in the history too


def test_report_submit_once(experiment, experimenter):
    report = ProgressReportFactory(experiment=experiment)

    report_submit(report=report, by=experimenter)
    with pytest.raises(ReportLocked):
        report_submit(report=report, by=experimenter)

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_at is not None


def test_report_submit_without_work_done_refused(experiment, experimenter):
    report = ProgressReportFactory(experiment=experiment, work_done="  ")

    with pytest.raises(ValidationError) as caught:
        report_submit(report=report, by=experimenter)

    assert fields_of(caught.value) == {
        "work_done": [_("Describe what was done before you submit the report.")]
    }
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_report_save_of_submitted_report_refused(experiment, experimenter):
    report = ProgressReportFactory(experiment=experiment, status=ReportStatus.SUBMITTED)

    with pytest.raises(ReportLocked):
        report_save(
            report=report,
            by=experimenter,
            work_done="Réécrit",
            difficulties="",
            next_steps="",
            period_start=report.period_start,
            period_end=report.period_end,
        )

    report.refresh_from_db()
    assert report.work_done != "Réécrit"


def test_report_save_with_indicator_of_another_experiment_refused(experiment, experimenter):
    report = ProgressReportFactory(experiment=experiment)
    foreign = IndicatorFactory()

    with pytest.raises(PermissionDenied):
        report_save(
            report=report,
            by=experimenter,
            work_done="",
            difficulties="",
            next_steps="",
            period_start=report.period_start,
            period_end=report.period_end,
            measurements=[MeasurementInput(foreign, Decimal("1"), experiment.start_date)],
        )

    assert not Measurement.objects.exists()


# --- Photos ---------------------------------------------------------------------


def test_report_photo_add_sniffs_the_content(experiment, experimenter):
    report = ProgressReportFactory(experiment=experiment)
    upload = SimpleUploadedFile("photo.jpg", png_bytes(), content_type="image/jpeg")

    photo = report_photo_add(report=report, by=experimenter, upload=upload, caption="Le banc")

    assert photo.content_type == "image/png"
    assert photo.caption == "Le banc"
    assert "photo" not in photo.file.name
    assert photo.file.storage.exists(photo.file.name)


def test_report_photo_add_disguised_file_refused(experiment, experimenter):
    report = ProgressReportFactory(experiment=experiment)
    upload = SimpleUploadedFile("photo.png", b"MZ\x90\x00" + b"\x00" * 300)

    with pytest.raises(ValidationError) as caught:
        report_photo_add(report=report, by=experimenter, upload=upload)

    assert caught.value.code == "wrong_type"
    assert not ReportPhoto.objects.exists()


def test_report_photo_add_limit(experiment, experimenter):
    report = ProgressReportFactory(experiment=experiment)
    ReportPhotoFactory.create_batch(MAX_PHOTOS, report=report)

    with pytest.raises(ValidationError) as caught:
        report_photo_add(
            report=report,
            by=experimenter,
            upload=SimpleUploadedFile("p.png", png_bytes()),
        )

    assert caught.value.code == "too_many"


def test_report_photo_on_submitted_report_refused(experiment, experimenter):
    report = ProgressReportFactory(experiment=experiment, status=ReportStatus.SUBMITTED)
    photo = ReportPhotoFactory(report=report)

    with pytest.raises(ReportLocked):
        report_photo_add(
            report=report, by=experimenter, upload=SimpleUploadedFile("p.png", png_bytes())
        )
    with pytest.raises(ReportLocked):
        report_photo_delete(photo=photo, by=experimenter)

    assert ReportPhoto.objects.count() == 1


def test_report_photo_delete_removes_the_file(
    experiment, experimenter, django_capture_on_commit_callbacks
):
    photo = ReportPhotoFactory(report=ProgressReportFactory(experiment=experiment))
    name, storage = photo.file.name, photo.file.storage

    with django_capture_on_commit_callbacks(execute=True):
        report_photo_delete(photo=photo, by=experimenter)

    assert not ReportPhoto.objects.exists()
    assert not storage.exists(name)


# --- Comments ------------------------------------------------------------------


def test_report_comment_by_staff_and_the_town(experiment, staff):
    report = ProgressReportFactory(experiment=experiment, status=ReportStatus.SUBMITTED)
    town_user = MunicipalityMembershipFactory(municipality=experiment.district.municipality).user

    report_comment_add(report=report, author=staff, body="Bravo")
    report_comment_add(report=report, author=town_user, body="Merci")

    assert list(report.comments.values_list("body", flat=True)) == ["Bravo", "Merci"]


def test_report_comment_by_another_town_or_on_a_draft_refused(experiment, staff):
    draft = ProgressReportFactory(experiment=experiment)
    submitted = ProgressReportFactory(experiment=experiment, status=ReportStatus.SUBMITTED)
    other_town = MunicipalityMembershipFactory().user

    with pytest.raises(PermissionDenied):
        report_comment_add(report=draft, author=staff, body="Trop tôt")
    with pytest.raises(PermissionDenied):
        report_comment_add(report=submitted, author=other_town, body="Pas chez moi")
    with pytest.raises(PermissionDenied):
        report_comment_add(report=submitted, author=experiment.experimenter, body="Moi")


# --- Final evaluation and outcomes -------------------------------------------------


def test_evaluation_save_grid_and_history(staff):
    experiment = ExperimentFactory(status=S.EVALUATING)

    evaluation_save(experiment=experiment, by=staff, utility=4, conclusion="Utile.")
    evaluation = evaluation_save(
        experiment=experiment, by=staff, utility=5, outcome=Outcome.READY_TO_SCALE
    )

    assert evaluation.utility == 5
    assert evaluation.conclusion == "Utile."  # a field not given keeps its value
    assert evaluation.evaluated_by == staff
    assert [v.utility for v in evaluation.history.order_by("history_date")] == [4, 5]


@pytest.mark.parametrize("score", [-1, 6])
def test_evaluation_score_outside_the_grid_refused(staff, score):
    experiment = ExperimentFactory(status=S.EVALUATING)

    with pytest.raises(ValidationError) as caught:
        evaluation_save(experiment=experiment, by=staff, sobriety=score)

    assert set(fields_of(caught.value)) == {"sobriety"}
    assert not hasattr(Experiment.objects.get(pk=experiment.pk), "evaluation")


def test_evaluation_contracted_needs_a_buyer(staff):
    experiment = ExperimentFactory(status=S.ENDED)

    with pytest.raises(ValidationError) as caught:
        evaluation_save(experiment=experiment, by=staff, outcome=Outcome.CONTRACTED, buyer=" ")

    assert fields_of(caught.value) == {
        "buyer": [_("Name the town or other buyer that contracted the solution.")]
    }
    evaluation = evaluation_save(
        experiment=experiment, by=staff, outcome=Outcome.CONTRACTED, buyer="Ville de Sceaux"
    )
    assert evaluation.buyer == "Ville de Sceaux"


def test_evaluation_of_a_running_experiment_refused(experiment, staff):
    with pytest.raises(ValidationError) as caught:
        evaluation_save(experiment=experiment, by=staff, utility=3)

    assert "__all__" in fields_of(caught.value)


def test_evaluation_by_experimenter_refused():
    experiment = ExperimentFactory(status=S.EVALUATING)

    with pytest.raises(PermissionDenied):
        evaluation_save(experiment=experiment, by=experiment.experimenter, utility=5)


def test_outcome_update_after_the_programme(staff):
    start = TODAY() - relativedelta(months=24)
    experiment = ExperimentFactory(
        status=S.ENDED, start_date=start, end_date=start + relativedelta(months=18)
    )

    first = outcome_update_add(
        experiment=experiment, by=staff, outcome=Outcome.READY_TO_SCALE, recorded_on=TODAY()
    )
    second = outcome_update_add(
        experiment=experiment, by=staff, outcome=Outcome.CONTRACTED, buyer="Ville de Meudon"
    )

    assert list(experiment.outcome_updates.all()) == [second, first]
    with pytest.raises(ValidationError) as caught:
        outcome_update_add(experiment=experiment, by=staff, outcome=Outcome.CONTRACTED)
    assert set(fields_of(caught.value)) == {"buyer"}


def test_outcome_update_before_the_end_refused(experiment, staff):
    with pytest.raises(ValidationError) as caught:
        outcome_update_add(experiment=experiment, by=staff, outcome=Outcome.STOPPED)

    assert "__all__" in fields_of(caught.value)


# --- Sites --------------------------------------------------------------------------


def test_site_add_outside_ile_de_france_refused(experiment, staff):
    with pytest.raises(ValidationError) as caught:
        site_add(
            experiment=experiment,
            by=staff,
            name="Place du marché",
            latitude=Decimal("2.35"),
            longitude=Decimal("48.85"),
        )

    assert set(fields_of(caught.value)) == {"latitude", "longitude"}
    assert not experiment.sites.exists()


def test_site_add_by_experimenter(experiment, experimenter):
    site = site_add(
        experiment=experiment,
        by=experimenter,
        name="Cour de l'école Jules-Ferry",
        address="3 rue de l'École",
        latitude=Decimal("48.9143"),
        longitude=Decimal("2.3822"),
    )

    assert experiment.sites.get() == site


# --- Timeline -----------------------------------------------------------------------


def test_timeline_rows_positions_and_late_flags():
    today = dt.date(2026, 1, 1)
    first = ExperimentFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 7, 1))
    second = ExperimentFactory(start_date=dt.date(2025, 7, 1), end_date=dt.date(2027, 1, 1))
    late = MilestoneFactory(experiment=first, due_date=dt.date(2025, 6, 1))
    MilestoneFactory(experiment=second, due_date=dt.date(2026, 6, 1))

    timeline = experiment_timeline_rows(Experiment.objects.all(), today=today)

    assert (timeline.start, timeline.end) == (dt.date(2025, 1, 1), dt.date(2027, 1, 1))
    rows = {row.experiment: row for row in timeline.rows}
    assert rows[first].offset == 0
    assert rows[second].offset + rows[second].width == 100
    assert rows[first].late_count == 1 and rows[second].late_count == 0
    assert rows[first].milestones[0].milestone == late and rows[first].milestones[0].late
    assert rows[first].current == late
    assert timeline.today_offset == pytest.approx(365 / 730 * 100, abs=0.01)
    assert len(timeline.months) == 25


@pytest.mark.parametrize("rows", [1, 3])
def test_timeline_rows_two_queries(django_assert_num_queries, rows):
    for _index in range(rows):
        MilestoneFactory.create_batch(3, experiment=ExperimentFactory())

    with django_assert_num_queries(2):
        timeline = experiment_timeline_rows(Experiment.objects.all())

    assert len(timeline.rows) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_experiments_with_counts_one_query(django_assert_num_queries, rows):
    for _index in range(rows):
        experiment = ExperimentFactory()
        MilestoneFactory.create_batch(
            2, experiment=experiment, due_date=TODAY() - dt.timedelta(days=2)
        )
        MilestoneFactory(experiment=experiment, due_date=TODAY() + dt.timedelta(days=2))
        ProgressReportFactory(experiment=experiment, status=ReportStatus.SUBMITTED)

    with django_assert_num_queries(1):
        counted = list(experiments_with_counts(Experiment.objects.all(), TODAY()))

    assert [(e.late_milestone_count, e.submitted_report_count) for e in counted] == [(2, 1)] * rows


def test_milestones_generate_final_evaluation_at_month_18(experiment):
    milestones_generate(experiment=experiment)
    milestones_generate(experiment=experiment)  # the plan is not duplicated

    assert experiment.milestones.count() == len(MILESTONE_TEMPLATE)
    final = experiment.milestones.get(code="final-evaluation")
    assert final.due_date == experiment.start_date + relativedelta(months=18)
