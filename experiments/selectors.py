"""Reads of experiments that take more than a filter: late milestones, report schedule,
indicator values and progress, the timeline.

Dashboard-agnostic: the experimenter's pages, the municipality dashboard and
the admin all read from here. Every function takes an already scoped queryset
(``experiments.permissions``) and never widens it. "Late", "due" and progress
are computed from the clock and the rows, never stored.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from .enums import ReportStatus
from .models import (
    UNTRACKED_STATUSES,
    Experiment,
    Indicator,
    Measurement,
    Milestone,
    ProgressReport,
    ReportComment,
)
from .permissions import REPORTING_STATUSES

# --- Late milestones -------------------------------------------------------------


def late_milestone_q(today: dt.date) -> Q:
    """Milestones past due and not done, in experiments that go on (``Milestone.is_late``)."""
    return Q(done_date__isnull=True, due_date__lt=today) & ~Q(
        experiment__status__in=UNTRACKED_STATUSES
    )


def late_milestones(experiments: QuerySet[Experiment], today: dt.date) -> QuerySet[Milestone]:
    """The late milestones of these experiments, the oldest due first."""
    return (
        Milestone.objects.filter(late_milestone_q(today), experiment__in=experiments)
        .select_related("experiment__district__municipality", "experiment__district__edition")
        .order_by("due_date", "experiment_id", "order")
    )


def _count_of(queryset: QuerySet) -> Subquery:
    """A correlated COUNT(*) (no join that would multiply the experiment's other rows)."""
    return Coalesce(
        Subquery(
            queryset.order_by().values("experiment").annotate(count=Count("pk")).values("count"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def experiments_with_counts(
    experiments: QuerySet[Experiment], today: dt.date
) -> QuerySet[Experiment]:
    """Annotate ``late_milestone_count`` and ``submitted_report_count``, one query in all."""
    return experiments.annotate(
        late_milestone_count=_count_of(
            Milestone.objects.filter(late_milestone_q(today), experiment=OuterRef("pk"))
        ),
        submitted_report_count=_count_of(
            ProgressReport.objects.filter(experiment=OuterRef("pk"), status=ReportStatus.SUBMITTED)
        ),
    )


def next_milestone(milestones, *, today: dt.date | None = None) -> Milestone | None:
    """The first milestone not done yet (by due date): the experiment's current phase."""
    pending = [milestone for milestone in milestones if milestone.done_date is None]
    return min(pending, key=lambda m: (m.due_date, m.order), default=None)


# --- Progress report schedule ---------------------------------------------------


def report_due_dates(experiment: Experiment) -> list[dt.date]:
    """When reports are due: every ``report_interval_months`` from the start, the last
    one at the end date."""
    interval = max(experiment.report_interval_months or 1, 1)
    dates = []
    step = 1
    while True:
        due = experiment.start_date + relativedelta(months=interval * step)
        if due >= experiment.end_date:
            dates.append(experiment.end_date)
            return dates
        dates.append(due)
        step += 1


def next_report_due(experiment: Experiment, *, submitted_count: int) -> dt.date | None:
    """The due date of the next report once ``submitted_count`` were submitted; None when
    all are in."""
    dates = report_due_dates(experiment)
    return dates[submitted_count] if submitted_count < len(dates) else None


def report_period(experiment: Experiment, *, submitted_count: int) -> tuple[dt.date, dt.date]:
    """The period the next report covers: from the previous due date to the day before its
    own (the last one up to the end date)."""
    dates = report_due_dates(experiment)
    index = min(submitted_count, len(dates) - 1)
    start = experiment.start_date if index == 0 else dates[index - 1]
    end = dates[index] if index == len(dates) - 1 else dates[index] - dt.timedelta(days=1)
    return start, max(start, end)


@dataclass(frozen=True)
class ReportSchedule:
    next_due: dt.date | None
    overdue: bool
    due_count: int
    submitted_count: int


def report_schedule(
    experiment: Experiment, *, submitted_count: int, today: dt.date | None = None
) -> ReportSchedule:
    """Next due date and whether it is overdue; nothing is due once the experiment stops
    living."""
    today = today or timezone.localdate()
    dates = report_due_dates(experiment)
    living = experiment.status in REPORTING_STATUSES
    next_due = next_report_due(experiment, submitted_count=submitted_count) if living else None
    return ReportSchedule(
        next_due=next_due,
        overdue=bool(next_due and next_due < today),
        due_count=len(dates),
        submitted_count=submitted_count,
    )


# --- Indicators -------------------------------------------------------------------


def indicators_with_measurements(experiments) -> QuerySet[Indicator]:
    """Indicators of these experiments with all their measurements, oldest first: two
    queries whatever the number of rows (for charts and tables)."""
    return (
        Indicator.objects.filter(experiment__in=experiments)
        .select_related("experiment")
        .prefetch_related(
            Prefetch("measurements", queryset=Measurement.objects.order_by("measured_on", "pk"))
        )
        .order_by("experiment_id", "order", "name")
    )


def indicators_with_latest(indicators: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """Annotate ``latest_value`` and ``latest_measured_on`` without loading the series."""
    latest = Measurement.objects.filter(indicator=OuterRef("pk")).order_by("-measured_on", "-pk")
    return indicators.annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_measured_on=Subquery(latest.values("measured_on")[:1]),
    )


@dataclass(frozen=True)
class IndicatorSummary:
    indicator: Indicator
    latest_value: Decimal | None
    latest_measured_on: dt.date | None
    progress: float | None  # 0 at the baseline, 1 at the target; may go beyond either.
    measurements: list = field(default_factory=list)

    @property
    def percent(self) -> int | None:
        """Progress for a bar: 0–100."""
        if self.progress is None:
            return None
        return round(max(0.0, min(1.0, self.progress)) * 100)

    @property
    def reached(self) -> bool:
        return self.progress is not None and self.progress >= 1


def indicator_summary(indicator: Indicator) -> IndicatorSummary:
    """Latest value and progress, from ``indicators_with_latest`` or from prefetched
    measurements (``indicators_with_measurements``)."""
    measurements = []
    if hasattr(indicator, "latest_value"):
        value, measured_on = indicator.latest_value, indicator.latest_measured_on
    else:
        measurements = sorted(indicator.measurements.all(), key=lambda m: (m.measured_on, m.pk))
        last = measurements[-1] if measurements else None
        value, measured_on = (last.value, last.measured_on) if last else (None, None)
    return IndicatorSummary(
        indicator=indicator,
        latest_value=value,
        latest_measured_on=measured_on,
        progress=indicator.progress(value),
        measurements=measurements,
    )


# --- Timeline ---------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineMilestone:
    milestone: Milestone
    offset: float  # percent of the timeline's width
    late: bool


@dataclass(frozen=True)
class TimelineRow:
    experiment: Experiment
    offset: float
    width: float
    late_count: int
    milestones: list[TimelineMilestone]
    current: Milestone | None


@dataclass(frozen=True)
class Timeline:
    start: dt.date
    end: dt.date
    today: dt.date
    today_offset: float | None  # None when today is outside the timeline
    months: list[tuple[dt.date, float]]  # first day of each month and its offset
    rows: list[TimelineRow]


def experiment_timeline_rows(experiments, *, today: dt.date | None = None) -> Timeline:
    """One row per experiment on a common time axis (the earliest start to the latest end),
    with its milestones, late ones flagged, and where today falls. Two queries."""
    today = today or timezone.localdate()
    experiments = list(
        experiments.select_related("district__municipality").prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "order"))
        )
    )
    if not experiments:
        return Timeline(today, today, today, None, [], [])
    start = min(experiment.start_date for experiment in experiments).replace(day=1)
    end = max(experiment.end_date for experiment in experiments)
    span = max((end - start).days, 1)

    def offset(day: dt.date) -> float:
        return round(max(0.0, min(1.0, (day - start).days / span)) * 100, 2)

    rows = []
    for experiment in experiments:
        milestones = list(experiment.milestones.all())
        flagged = [
            TimelineMilestone(milestone, offset(milestone.due_date), milestone.is_late(today))
            for milestone in milestones
        ]
        begin = offset(experiment.start_date)
        rows.append(
            TimelineRow(
                experiment=experiment,
                offset=begin,
                width=round(offset(experiment.end_date) - begin, 2),
                late_count=sum(1 for item in flagged if item.late),
                milestones=flagged,
                current=next_milestone(milestones),
            )
        )
    months = []
    month = start
    while month <= end:
        months.append((month, offset(month)))
        month += relativedelta(months=1)
    return Timeline(
        start=start,
        end=end,
        today=today,
        today_offset=offset(today) if start <= today <= end else None,
        months=months,
        rows=rows,
    )


# --- The experimenter's pages -----------------------------------------------------


@dataclass(frozen=True)
class ExperimentRow:
    experiment: Experiment
    late_count: int
    schedule: ReportSchedule


def experimenter_rows(experiments: QuerySet[Experiment], *, today: dt.date) -> list[ExperimentRow]:
    """ "My experiments": each with its late milestones and next report due. One query."""
    rows = experiments_with_counts(
        experiments.select_related("district__municipality", "district__edition"), today
    ).order_by("-start_date", "pk")
    return [
        ExperimentRow(
            experiment=experiment,
            late_count=experiment.late_milestone_count,
            schedule=report_schedule(
                experiment, submitted_count=experiment.submitted_report_count, today=today
            ),
        )
        for experiment in rows
    ]


def experiment_reports(experiment: Experiment) -> QuerySet[ProgressReport]:
    """The experiment's reports, newest period first, with their comment and photo counts."""
    return (
        experiment.progress_reports.annotate(
            comment_count=Count("comments", distinct=True),
            photo_count=Count("photos", distinct=True),
        )
        .select_related("author")
        .order_by("-period_end", "-pk")
    )


def report_with_details(reports: QuerySet[ProgressReport]) -> QuerySet[ProgressReport]:
    """A report page: experiment, measurements with their indicator, photos, comments."""
    return reports.select_related(
        "experiment__district__municipality", "experiment__district__edition", "author"
    ).prefetch_related(
        Prefetch(
            "measurements",
            queryset=Measurement.objects.select_related("indicator").order_by(
                "indicator__order", "indicator__name", "measured_on"
            ),
        ),
        "photos",
        Prefetch(
            "comments",
            queryset=ReportComment.objects.select_related("author").order_by("created_at", "pk"),
        ),
    )
