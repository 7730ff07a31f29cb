"""Reads of the municipality dashboard, scoped to the user first.

Every queryset starts from ``districts_for(user)`` or
``experiments_of_municipality_staff(user)``: another town's district,
experiment, report or photo is simply not in it (a 404 in the views). Each
page reads a fixed number of queries whatever the number of experiments,
indicators or measurements: related rows are prefetched, and what follows from
dates (late, phase, progress) is computed in Python in one pass.
"""

import dataclasses
import datetime as dt
import statistics
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from experiments.enums import EventAudience, ReportStatus
from experiments.models import (
    UNTRACKED_STATUSES,
    Experiment,
    Indicator,
    Measurement,
    Milestone,
    ProgrammeEvent,
    ProgressReport,
    ReportComment,
    ReportPhoto,
)
from experiments.permissions import experiments_of_municipality_staff, reports_visible_to
from experiments.selectors import late_milestone_q

from .models import Edition, InnovationDistrict
from .selectors import districts_for

LATEST_REPORTS = 10
UPCOMING_EVENTS = 6
LATE_MILESTONES = 30


# Districts.


def dashboard_districts(user, today: dt.date | None = None) -> QuerySet[InnovationDistrict]:
    """The user's own districts with how many experiments, and how many are late."""
    today = today or timezone.localdate()
    late = Milestone.objects.filter(late_milestone_q(today), experiment=OuterRef("pk"))
    late_experiments = (
        Experiment.objects.filter(district=OuterRef("pk"))
        .exclude(status__in=UNTRACKED_STATUSES)
        .filter(Exists(late))
        .order_by()
        .values("district")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return districts_for(user).annotate(
        experiment_count=Count("experiments", distinct=True),
        late_count=Subquery(late_experiments),
    )


def district_of_user(user, pk: int) -> InnovationDistrict:
    return get_object_or_404(districts_for(user), pk=pk)


def editions_with_experiments() -> QuerySet[Edition]:
    return Edition.objects.annotate(
        experiment_count=Count("districts__experiments", distinct=True)
    ).order_by("number")


# Experiments, their phase and lateness.


@dataclasses.dataclass
class ExperimentRow:
    """An experiment with what its milestones say today."""

    experiment: Experiment
    milestones: list
    last_done: Milestone | None
    next_due: Milestone | None
    late: list
    progress: "IndicatorSummary | None" = None

    @property
    def is_late(self) -> bool:
        return bool(self.late)


def experiment_row(experiment: Experiment, today: dt.date) -> ExperimentRow:
    """Phase and lateness from the prefetched milestones (sorted by due date)."""
    milestones = list(experiment.milestones.all())
    last_done = None
    next_due = None
    late = []
    tracked = experiment.status not in UNTRACKED_STATUSES
    for milestone in milestones:
        if milestone.done_date is not None:
            if last_done is None or milestone.done_date >= last_done.done_date:
                last_done = milestone
            continue
        if next_due is None:
            next_due = milestone
        if tracked and milestone.due_date < today:
            late.append(milestone)
    return ExperimentRow(
        experiment=experiment,
        milestones=milestones,
        last_done=last_done,
        next_due=next_due,
        late=late,
    )


# What the dashboard shows of an experiment and its milestones: a page of 50
# experiments builds 400 objects, each field costs.
ROW_FIELDS = ("uuid", "district_id", "organisation_name", "solution_name", "status")
ROW_DATES = ("start_date", "end_date")
MILESTONE_FIELDS = ("experiment_id", "code", "name", "order", "due_date", "done_date", "owner")


def experiments_of_scope(experiments, *, districts) -> QuerySet[Experiment]:
    """The experiments (scoped to the user already) of these districts, milestones, sites.

    The districts (with their town and edition) are the caller's: they are
    attached to the experiments rather than read again for each one.
    """
    return (
        experiments.filter(district__in=districts)
        .only(*ROW_FIELDS, *ROW_DATES)
        .prefetch_related(
            Prefetch(
                "milestones",
                queryset=Milestone.objects.only(*MILESTONE_FIELDS).order_by(
                    "due_date", "order", "pk"
                ),
            ),
            "sites",
        )
        .order_by("district__municipality__name", "solution_name", "pk")
    )


def experiment_rows(experiments, *, districts, today: dt.date | None = None) -> list[ExperimentRow]:
    """``experiments``: the user's scope (``experiments_of_municipality_staff``)."""
    today = today or timezone.localdate()
    by_id = {district.pk: district for district in districts}
    rows = []
    for experiment in experiments_of_scope(experiments, districts=districts):
        experiment.district = by_id[experiment.district_id]
        rows.append(experiment_row(experiment, today))
    summaries = indicator_summaries([row.experiment.pk for row in rows])
    for row in rows:
        row.progress = summaries.get(row.experiment.pk)
    return rows


# Indicators: progress toward target.


@dataclasses.dataclass
class IndicatorSummary:
    """How an experiment's indicators stand at their latest measurement."""

    indicators: int = 0
    measured: int = 0
    reached: int = 0
    progresses: list = dataclasses.field(default_factory=list)

    @property
    def median(self) -> float | None:
        return statistics.median(self.progresses) if self.progresses else None


def _progress(baseline, target, value) -> float | None:
    if value is None or target == baseline:
        return None
    return float((value - baseline) / (target - baseline))


def indicator_summaries(experiment_ids) -> dict[int, IndicatorSummary]:
    """One query: each indicator with its latest value, summed up per experiment."""
    latest = (
        Measurement.objects.filter(indicator=OuterRef("pk"))
        .order_by("-measured_on", "-pk")
        .values("value")[:1]
    )
    rows = (
        Indicator.objects.filter(experiment_id__in=experiment_ids)
        .order_by()
        .values_list("experiment_id", "baseline", "target")
        .annotate(latest=Subquery(latest))
    )
    summaries = defaultdict(IndicatorSummary)
    for experiment_id, baseline, target, value in rows:
        summary = summaries[experiment_id]
        summary.indicators += 1
        progress = _progress(baseline, target, value)
        if progress is None:
            continue
        summary.measured += 1
        summary.progresses.append(progress)
        if progress >= 1:
            summary.reached += 1
    return dict(summaries)


def experiment_of_user(user, uuid) -> Experiment:
    """One experiment of the user's districts, with what its page shows."""
    return get_object_or_404(
        experiments_of_municipality_staff(user)
        .select_related("district__municipality", "district__edition", "project_manager")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "order", "pk")),
            "sites",
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("order", "name", "pk").prefetch_related(
                    Prefetch(
                        "measurements",
                        queryset=Measurement.objects.only(
                            "indicator_id", "measured_on", "value", "source"
                        ).order_by("measured_on", "pk"),
                    )
                ),
            ),
        ),
        uuid=uuid,
    )


def late_milestones(
    experiments, *, edition=None, today: dt.date | None = None, limit=LATE_MILESTONES
):
    """Late milestones of these (scoped) experiments, oldest due first, and how many in all."""
    today = today or timezone.localdate()
    milestones = Milestone.objects.filter(late_milestone_q(today)).filter(
        experiment__in=experiments
    )
    if edition is not None:
        milestones = milestones.filter(experiment__district__edition=edition)
    milestones = milestones.select_related(
        "experiment__district__municipality", "experiment__district__edition"
    ).order_by("due_date", "experiment__solution_name", "pk")
    listed = list(milestones[: limit + 1])
    if len(listed) <= limit:
        return listed, len(listed)
    return listed[:limit], milestones.count()


# Progress reports, photos, comments.


def submitted_reports_of_user(user) -> QuerySet[ProgressReport]:
    """Submitted reports of the user's districts: what a town reads and comments."""
    return reports_visible_to(user).filter(
        status=ReportStatus.SUBMITTED,
        experiment__in=experiments_of_municipality_staff(user),
    )


def latest_reports(experiment_ids, *, limit=LATEST_REPORTS) -> list[ProgressReport]:
    """Submitted reports of these experiments, ids read from the user's scope.

    Submitted reports of a town's (or staff's) experiments are exactly what
    ``reports_visible_to`` lets them read, drafts excepted.
    """
    return list(
        ProgressReport.objects.filter(
            status=ReportStatus.SUBMITTED, experiment_id__in=experiment_ids
        )
        .select_related("experiment")
        .annotate(
            comment_count=Count("comments", distinct=True),
            photo_count=Count("photos", distinct=True),
        )
        .order_by("-submitted_at", "-pk")[:limit]
    )


def report_of_user(user, uuid) -> ProgressReport:
    return get_object_or_404(
        submitted_reports_of_user(user)
        .select_related("experiment__district__municipality", "experiment__district__edition")
        .prefetch_related(
            "photos",
            Prefetch("comments", queryset=ReportComment.objects.select_related("author")),
            Prefetch(
                "measurements",
                queryset=Measurement.objects.select_related("indicator").order_by(
                    "indicator__order", "indicator__name", "measured_on"
                ),
            ),
        ),
        uuid=uuid,
    )


def photo_of_user(user, *, report_uuid, pk) -> ReportPhoto:
    return get_object_or_404(
        ReportPhoto.objects.filter(report__in=submitted_reports_of_user(user)),
        report__uuid=report_uuid,
        pk=pk,
    )


# Programme events.


def upcoming_events(*, municipalities, edition=None, now=None, limit=UPCOMING_EVENTS):
    """Events for these towns: those naming them, and those for every town."""
    now = now or timezone.now()
    concerned = Q(municipalities__in=municipalities) | Q(
        audience=EventAudience.MUNICIPALITIES, municipalities__isnull=True
    )
    events = ProgrammeEvent.objects.filter(concerned, ends_at__gte=now)
    if edition is not None:
        events = events.filter(Q(edition=edition) | Q(edition__isnull=True))
    return list(events.distinct().order_by("starts_at", "pk")[:limit])


# Export.


def district_measurements(user, *, district):
    """Every measurement of the district's experiments, for the CSV export."""
    return (
        Measurement.objects.filter(
            indicator__experiment__in=experiments_of_municipality_staff(user).filter(
                district=district
            )
        )
        .order_by(
            "indicator__experiment__solution_name",
            "indicator__experiment_id",
            "indicator__order",
            "indicator__name",
            "indicator_id",
            "measured_on",
            "pk",
        )
        .values_list(
            "indicator__experiment__solution_name",
            "indicator__experiment__organisation_name",
            "indicator__name",
            "indicator__unit",
            "indicator__baseline",
            "indicator__target",
            "measured_on",
            "value",
            "source",
        )
    )
