"""The documents about experiments: the experiment report and the edition impact report.

Registered in ``reports.registry`` (SOURCES) and rendered by ``reports.services``
on the "pdf" queue. The charts are the dashboard's server-side SVG
(``municipalities.charts``) and the reports' bar charts, every text escaped.
Who may see: Paris&Co staff every experiment report and the edition reports;
a town the reports of its own districts' experiments.

The edition report reads a fixed number of queries whatever its size (the
experiments with their milestones, indicators and measurements prefetched);
what follows from dates (late, progress) is computed in one pass.
"""

from collections import Counter

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from municipalities import charts
from municipalities.dashboard_selectors import experiment_row
from municipalities.models import Edition
from municipalities.permissions import is_programme_staff
from reports.charts import bar_chart
from reports.registry import Document, ObjectGone, ReportKind, register

from .enums import EVALUATION_CRITERIA, ExperimentStatus, Outcome, ReportStatus
from .models import Experiment, Measurement, Milestone, ProgressReport, ReportComment
from .permissions import experiments_of_municipality_staff

# The edition report draws the line chart of an experiment's first indicators only;
# the others are in its table (a big edition would otherwise draw a thousand charts).
EDITION_CHARTS_PER_EXPERIMENT = 2
REQUESTABLE_LIMIT = 30


def _integer(parameters: dict, name: str) -> int:
    try:
        return int(parameters.get(name))
    except (TypeError, ValueError) as error:
        raise ValidationError(
            _("The parameter “%(name)s” must be a number.") % {"name": name}, code="invalid"
        ) from error


def _indicator_items(indicators, *, experiment, today, formats, charts_limit=None) -> list:
    """Per indicator: figures formatted once, its measurements as a table, its chart."""
    items = []
    for index, indicator in enumerate(indicators):
        measurements = list(indicator.measurements.all())
        latest = measurements[-1] if measurements else None
        progress = indicator.progress(latest.value) if latest else None
        drawn = charts_limit is None or index < charts_limit
        items.append(
            {
                "indicator": indicator,
                "baseline": formats.number(indicator.baseline),
                "target": formats.number(indicator.target),
                "latest_value": formats.number(latest.value) if latest else "–",
                "latest_date": formats.date(latest.measured_on) if latest else "",
                "progress": formats.percent(progress),
                "reached": progress is not None and progress >= 1,
                "table": [
                    (formats.date(m.measured_on), formats.number(m.value), m.source)
                    for m in measurements
                ],
                "svg": charts.indicator_svg(
                    indicator,
                    measurements,
                    start=experiment.start_date,
                    end=experiment.end_date,
                    today=today,
                    formats=formats,
                )
                if drawn
                else None,
            }
        )
    return items


def _evaluation_of(experiment):
    try:
        evaluation = experiment.evaluation
    except Experiment.evaluation.RelatedObjectDoesNotExist:
        return None
    return {
        "evaluation": evaluation,
        "scores": [
            {"label": label, "value": getattr(evaluation, name)}
            for name, label in EVALUATION_CRITERIA
        ],
    }


def _milestone_rows(row, formats) -> list:
    late = {milestone.pk for milestone in row.late}
    return [
        {
            "milestone": milestone,
            "due": formats.date(milestone.due_date),
            "done": formats.date(milestone.done_date) if milestone.done_date else "",
            "late": milestone.pk in late,
        }
        for milestone in row.milestones
    ]


# The experiment report -------------------------------------------------------------


def experiment_report_clean(parameters: dict) -> dict:
    experiment = _integer(parameters, "experiment")
    if not Experiment.objects.filter(pk=experiment).exists():
        raise ValidationError(_("This experiment does not exist."), code="not_found")
    return {"experiment": experiment}


def experiment_report_can_view(user, parameters: dict) -> bool:
    """Paris&Co staff, and the town of the experiment's district."""
    return experiments_of_municipality_staff(user).filter(pk=parameters.get("experiment")).exists()


def experiment_report_requestable(user) -> list:
    if is_programme_staff(user):
        return []  # Staff ask from the admin or an experiment's page: every experiment.
    experiments = experiments_of_municipality_staff(user).order_by("-start_date", "pk")
    return [
        (
            _("Report of the experiment “%(name)s”") % {"name": experiment.solution_name},
            {"experiment": experiment.pk},
        )
        for experiment in experiments[:REQUESTABLE_LIMIT]
    ]


def _experiment_queryset():
    return Experiment.objects.select_related(
        "district__municipality", "district__edition", "project_manager", "evaluation"
    ).prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "order", "pk")),
        "sites",
        Prefetch(
            "indicators__measurements",
            queryset=Measurement.objects.order_by("measured_on", "pk"),
        ),
        "outcome_updates",
    )


def experiment_report_build(parameters: dict, language: str) -> Document:
    experiment = _experiment_queryset().filter(pk=parameters["experiment"]).first()
    if experiment is None:
        raise ObjectGone(_("The experiment no longer exists."))
    today = timezone.localdate()
    formats = charts.Formats()
    row = experiment_row(experiment, today)
    reports = list(
        ProgressReport.objects.filter(experiment=experiment, status=ReportStatus.SUBMITTED)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "comments",
                queryset=ReportComment.objects.select_related("author").order_by(
                    "created_at", "pk"
                ),
            ),
            Prefetch(
                "measurements",
                queryset=Measurement.objects.select_related("indicator").order_by(
                    "indicator__order", "indicator__name", "measured_on"
                ),
            ),
        )
        .order_by("period_start", "pk")
    )
    return Document(
        template="reports/experiment.html",
        context={
            "experiment": experiment,
            "district": experiment.district,
            "row": row,
            "milestones": _milestone_rows(row, formats),
            "timeline_svg": charts.timeline_svg([row], today, formats=formats),
            "indicators": _indicator_items(
                experiment.indicators.all(), experiment=experiment, today=today, formats=formats
            ),
            "reports": reports,
            "evaluation": _evaluation_of(experiment),
            "outcome_updates": list(experiment.outcome_updates.all()),
            "status_changes": list(experiment.status_changes.select_related("by")),
            "today": today,
            "generated_at": timezone.now(),
        },
        title=_("Experiment report: %(name)s") % {"name": experiment.solution_name},
        filename=f"experiment-{slugify(experiment.solution_name)[:60] or experiment.pk}.pdf",
    )


register(
    ReportKind(
        code="experiment_report",
        label=gettext_lazy("Experiment report"),
        clean=experiment_report_clean,
        build=experiment_report_build,
        can_view=experiment_report_can_view,
        requestable=experiment_report_requestable,
        parameters_from=lambda experiment: {"experiment": experiment.pk},
    )
)


# The edition impact report ---------------------------------------------------------


def edition_report_clean(parameters: dict) -> dict:
    edition = _integer(parameters, "edition")
    if not Edition.objects.filter(pk=edition).exists():
        raise ValidationError(_("This edition does not exist."), code="not_found")
    return {"edition": edition}


def edition_report_can_view(user, parameters: dict) -> bool:
    """Paris&Co staff only: it covers every town of the edition."""
    return is_programme_staff(user)


def _counted(labels: dict, counter: Counter) -> list:
    return [{"label": str(label), "count": counter.get(value, 0)} for value, label in labels]


def edition_report_build(parameters: dict, language: str) -> Document:
    edition = Edition.objects.filter(pk=parameters["edition"]).first()
    if edition is None:
        raise ObjectGone(_("The edition no longer exists."))
    today = timezone.localdate()
    formats = charts.Formats()
    experiments = list(
        _experiment_queryset()
        .filter(district__edition=edition)
        .annotate(
            report_count=Count(
                "progress_reports", filter=Q(progress_reports__status=ReportStatus.SUBMITTED)
            )
        )
        .order_by("district__municipality__name", "district__name", "solution_name", "pk")
    )
    districts, by_district = [], {}
    for experiment in experiments:
        district = experiment.district
        if district.pk not in by_district:
            by_district[district.pk] = {"district": district, "rows": [], "items": []}
            districts.append(by_district[district.pk])
        row = experiment_row(experiment, today)
        by_district[district.pk]["rows"].append(row)
        by_district[district.pk]["items"].append(
            {
                "experiment": experiment,
                "row": row,
                "milestones": _milestone_rows(row, formats),
                "indicators": _indicator_items(
                    experiment.indicators.all(),
                    experiment=experiment,
                    today=today,
                    formats=formats,
                    charts_limit=EDITION_CHARTS_PER_EXPERIMENT,
                ),
                "evaluation": _evaluation_of(experiment),
                "latest_outcome": next(iter(experiment.outcome_updates.all()), None),
            }
        )
    for index, group in enumerate(districts):
        group["timeline_svg"] = charts.timeline_svg(
            group["rows"], today, formats=formats, chart_id=f"timeline-{index}"
        )
    statuses = Counter(experiment.status for experiment in experiments)
    evaluations = [_evaluation_of(experiment) for experiment in experiments]
    outcomes = Counter(
        found["evaluation"].outcome
        for found in evaluations
        if found and found["evaluation"].outcome
    )
    milestones = [m for item in experiments for m in item.milestones.all()]
    late = sum(len(row["row"].late) for group in districts for row in group["items"])
    indicators = [
        item for group in districts for entry in group["items"] for item in entry["indicators"]
    ]
    international = sum(1 for experiment in experiments if experiment.is_international)
    figures = [
        (len(experiments), _("experiments")),
        (len(districts), _("innovation districts")),
        (len({group["district"].municipality_id for group in districts}), _("towns")),
        (
            formats.percent(international / len(experiments)) if experiments else "–",
            _("international experimenters"),
        ),
        (sum(1 for m in milestones if m.done_date), _("milestones done")),
        (late, _("milestones late")),
        (sum(1 for item in indicators if item["reached"]), _("indicators at target")),
        (sum(experiment.report_count for experiment in experiments), _("progress reports")),
    ]
    return Document(
        template="reports/edition.html",
        context={
            "edition": edition,
            "figures": figures,
            "districts": districts,
            "charts": {
                "statuses": bar_chart(
                    _counted(ExperimentStatus.choices, statuses), title=_("Experiments by status")
                ),
                "outcomes": bar_chart(
                    _counted(Outcome.choices, outcomes), title=_("Outcomes of the evaluations")
                ),
                "districts": bar_chart(
                    [
                        {
                            "label": f"{group['district'].municipality.name} – "
                            f"{group['district'].name}",
                            "count": len(group["items"]),
                        }
                        for group in districts
                    ],
                    title=_("Experiments per district"),
                ),
            },
            "today": today,
            "generated_at": timezone.now(),
        },
        title=_("Impact report: %(edition)s") % {"edition": edition.name},
        filename=f"edition-{edition.number}-impact-report.pdf",
    )


def edition_report_requestable(user) -> list:
    if not is_programme_staff(user):
        return []
    return [
        (_("Impact report of %(edition)s") % {"edition": edition.name}, {"edition": edition.pk})
        for edition in Edition.objects.order_by("-number")[:10]
    ]


register(
    ReportKind(
        code="edition_report",
        label=gettext_lazy("Edition impact report"),
        clean=edition_report_clean,
        build=edition_report_build,
        can_view=edition_report_can_view,
        requestable=edition_report_requestable,
    )
)
