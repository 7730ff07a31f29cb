"""Progress reports, their measurements and photos, comments, the final evaluation and
the outcome after the programme."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.enums import AttachmentKind
from calls.uploads import upload_check

from ..enums import EVALUATION_CRITERIA, ExperimentStatus, Outcome, ReportStatus
from ..models import (
    Evaluation,
    Experiment,
    Indicator,
    Measurement,
    OutcomeUpdate,
    ProgressReport,
    ReportComment,
    ReportPhoto,
)
from ..permissions import REPORTING_STATUSES, can_comment_report
from ..selectors import report_period
from .lifecycle import _history_user, _require_staff, _short, measurement_validate

MAX_PHOTOS = 10
# The final evaluation is written once the experiment is evaluated (or stopped early).
EVALUATION_STATUSES = {
    ExperimentStatus.EVALUATING,
    ExperimentStatus.ENDED,
    ExperimentStatus.ABANDONED,
}


class ReportLocked(ValidationError):
    """A submitted report no longer changes."""


# --- Who may report ---------------------------------------------------------------


def _guard_reporting(experiment: Experiment, by, today: dt.date) -> None:
    """The experimenter reports while the experiment lives, until its end date.

    The same rule as ``permissions.can_report_on``, with a message for each case.
    """
    if by is None or not by.is_authenticated or experiment.experimenter_id != by.pk:
        raise PermissionDenied(_("Only the experimenter writes the progress reports."))
    if experiment.status not in REPORTING_STATUSES:
        raise ValidationError(
            _("This experiment is “%(status)s”: progress reports are closed.")
            % {"status": ExperimentStatus(experiment.status).label},
            code="not_reporting",
        )
    if today > experiment.end_date:
        raise ValidationError(
            _(
                "The experiment ended on %(date)s: progress reports are no longer accepted. "
                "Write to your Paris&Co project manager for the final evaluation."
            )
            % {"date": _short(experiment.end_date)},
            code="ended",
        )


def _guard_draft(report: ProgressReport) -> None:
    if report.status != ReportStatus.DRAFT:
        raise ReportLocked(
            _("This report was submitted on %(date)s: it can no longer be changed.")
            % {"date": _short(timezone.localdate(report.submitted_at))},
            code="submitted",
        )


def _period_errors(experiment: Experiment, start, end, today: dt.date) -> dict:
    errors = {}
    if start is None:
        errors["period_start"] = _("Give the first day of the period.")
    elif start < experiment.start_date:
        errors["period_start"] = _(
            "The period starts before the experiment, which started on %(date)s."
        ) % {"date": _short(experiment.start_date)}
    elif start > today:
        errors["period_start"] = _(
            "The period starts on %(date)s, in the future: report on what has happened."
        ) % {"date": _short(start)}
    if end is None:
        errors["period_end"] = _("Give the last day of the period.")
    elif end > experiment.end_date:
        errors["period_end"] = _(
            "The period ends after the experiment, which ends on %(date)s."
        ) % {"date": _short(experiment.end_date)}
    elif start is not None and end < start:
        errors["period_end"] = _("The period must end after it starts.")
    return errors


# --- Progress reports -------------------------------------------------------------


@transaction.atomic
def report_create(*, experiment: Experiment, by, today: dt.date | None = None) -> ProgressReport:
    """The experimenter's draft report for the next period; the open draft if there is one.

    The period follows the schedule (``selectors.report_period``): from the
    last due date to the next one. Refused once the experiment stopped living
    or passed its end date, and when every report due so far is in.
    """
    today = today or timezone.localdate()
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    _guard_reporting(experiment, by, today)
    draft = experiment.progress_reports.filter(status=ReportStatus.DRAFT).first()
    if draft:
        return draft
    submitted = experiment.progress_reports.filter(status=ReportStatus.SUBMITTED).count()
    start, end = report_period(experiment, submitted_count=submitted)
    if start > today:
        raise ValidationError(
            _(
                "Every report due so far is in. The next one covers the period from %(date)s: "
                "come back then."
            )
            % {"date": _short(start)},
            code="nothing_due",
        )
    return ProgressReport.objects.create(
        experiment=experiment, period_start=start, period_end=end, author=by
    )


@dataclass(frozen=True)
class MeasurementInput:
    """What the report form gives for one indicator; an empty value means none."""

    indicator: Indicator
    value: Decimal | None
    measured_on: dt.date | None
    source: str = ""
    unit: str | None = None


@dataclass
class ReportSaved:
    """What was saved; ``errors`` by report field, ``measurement_errors`` by indicator id
    then field. What is listed there was not saved; the rest was."""

    report: ProgressReport
    errors: dict = field(default_factory=dict)
    measurement_errors: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.measurement_errors


@transaction.atomic
def report_save(
    *,
    report: ProgressReport,
    by,
    work_done: str,
    difficulties: str,
    next_steps: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
    measurements: list[MeasurementInput] = (),
    today: dt.date | None = None,
) -> ReportSaved:
    """Save a draft report: what is valid is kept, what is not is returned with its message.

    Nothing typed is lost: the texts are always saved; a period that does not
    fit the experiment keeps the previous one; a measurement with a wrong
    unit or date is not saved and comes back with its message. A
    measurement already on the report is updated in place (its history is
    kept by simple-history); an emptied value removes it from the draft.
    Raises when the report is submitted or reporting is closed.
    """
    today = today or timezone.localdate()
    report = (
        ProgressReport.objects.select_for_update().select_related("experiment").get(pk=report.pk)
    )
    experiment = report.experiment
    _guard_reporting(experiment, by, today)
    _guard_draft(report)
    result = ReportSaved(report=report)
    report.work_done = (work_done or "").strip()
    report.difficulties = (difficulties or "").strip()
    report.next_steps = (next_steps or "").strip()
    period = _period_errors(experiment, period_start, period_end, today)
    if period:
        result.errors.update({key: [message] for key, message in period.items()})
    else:
        report.period_start, report.period_end = period_start, period_end
    report.save()

    existing = {measurement.indicator_id: measurement for measurement in report.measurements.all()}
    for item in measurements:
        if item.indicator.experiment_id != experiment.pk:
            raise PermissionDenied(_("This indicator belongs to another experiment."))
        current = existing.get(item.indicator.pk)
        if item.value is None:
            if current is not None:
                _history_user(current, by)
                current.delete()
            continue
        try:
            measurement_validate(
                indicator=item.indicator,
                measured_on=item.measured_on,
                value=item.value,
                unit=item.unit,
                today=today,
            )
        except ValidationError as error:
            result.measurement_errors[item.indicator.pk] = error.message_dict
            continue
        measurement = current or Measurement(indicator=item.indicator, report=report)
        unchanged = current is not None and (
            current.value,
            current.measured_on,
            current.source,
        ) == (item.value, item.measured_on, (item.source or "").strip())
        if unchanged:
            continue
        measurement.value = item.value
        measurement.measured_on = item.measured_on
        measurement.source = (item.source or "").strip()
        measurement.recorded_by = by
        measurement.recorded_at = timezone.now()
        _history_user(measurement, by)
        measurement.save()
    return result


@transaction.atomic
def report_submit(*, report: ProgressReport, by, today: dt.date | None = None) -> ProgressReport:
    """Submit a draft report, once: staff and the town can then read and comment on it."""
    today = today or timezone.localdate()
    report = (
        ProgressReport.objects.select_for_update().select_related("experiment").get(pk=report.pk)
    )
    _guard_reporting(report.experiment, by, today)
    _guard_draft(report)
    errors = _period_errors(report.experiment, report.period_start, report.period_end, today)
    if not report.work_done.strip():
        errors["work_done"] = _("Describe what was done before you submit the report.")
    if errors:
        raise ValidationError(errors)
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.author = by
    report.save(update_fields=["status", "submitted_at", "author"])
    return report


# --- Photos -----------------------------------------------------------------------


@transaction.atomic
def report_photo_add(
    *, report: ProgressReport, by, upload, caption: str = "", today: dt.date | None = None
) -> ReportPhoto:
    """A photo on a draft report; the type is read from the content (``calls.uploads``)."""
    today = today or timezone.localdate()
    report = (
        ProgressReport.objects.select_for_update().select_related("experiment").get(pk=report.pk)
    )
    _guard_reporting(report.experiment, by, today)
    _guard_draft(report)
    if report.photos.count() >= MAX_PHOTOS:
        raise ValidationError(
            _("A report holds %(count)d photos at most: remove one first.") % {"count": MAX_PHOTOS},
            code="too_many",
        )
    checked = upload_check(upload, kind=AttachmentKind.IMAGE)
    return ReportPhoto.objects.create(
        report=report,
        file=checked.upload,
        caption=(caption or "").strip()[:200],
        content_type=checked.content_type,
        size=upload.size,
    )


@transaction.atomic
def report_photo_delete(*, photo: ReportPhoto, by, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    report = photo.report
    _guard_reporting(report.experiment, by, today)
    _guard_draft(report)
    stored = photo.file.name
    photo.delete()
    transaction.on_commit(lambda: photo.file.storage.delete(stored))


# --- Comments ---------------------------------------------------------------------


def report_comment_add(*, report: ProgressReport, author, body: str) -> ReportComment:
    """Paris&Co staff or the district's town comment on a submitted report."""
    if not can_comment_report(author, report):
        raise PermissionDenied(_("You may not comment on this report."))
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write a comment first."), code="empty")
    return ReportComment.objects.create(report=report, author=author, body=body)


# --- Final evaluation and outcome -----------------------------------------------


def _outcome_errors(outcome: str, buyer: str) -> dict:
    errors = {}
    if outcome and outcome not in Outcome.values:
        errors["outcome"] = _("Choose an outcome from the list.")
    if outcome == Outcome.CONTRACTED and not buyer.strip():
        errors["buyer"] = _("Name the town or other buyer that contracted the solution.")
    return errors


def evaluation_validate(*, experiment: Experiment, values: dict, today: dt.date) -> None:
    """Raise a ValidationError keyed by field: grid from 0 to 5, a buyer when contracted."""
    errors = {}
    if experiment.status not in EVALUATION_STATUSES:
        errors["__all__"] = _(
            "The final evaluation is written once the experiment is being evaluated; it is "
            "“%(status)s”."
        ) % {"status": ExperimentStatus(experiment.status).label}
    for code, label in EVALUATION_CRITERIA:
        score = values.get(code)
        if score is not None and not (isinstance(score, int) and 0 <= score <= 5):
            errors[code] = _("%(criterion)s: a score goes from 0 to 5.") % {"criterion": label}
    errors.update(_outcome_errors(values.get("outcome") or "", values.get("buyer") or ""))
    evaluated_on = values.get("evaluated_on")
    if evaluated_on and evaluated_on > today:
        errors["evaluated_on"] = _("The evaluation date %(date)s is in the future.") % {
            "date": _short(evaluated_on)
        }
    if errors:
        raise ValidationError(errors)


EVALUATION_FIELDS = (
    *(code for code, _label in EVALUATION_CRITERIA),
    "conclusion",
    "outcome",
    "buyer",
    "evaluated_on",
)


@transaction.atomic
def evaluation_save(
    *, experiment: Experiment, by, today: dt.date | None = None, **values
) -> Evaluation:
    """Write the final evaluation (Paris&Co staff): the grid, the conclusion, the outcome.

    ``values`` are the fields of ``EVALUATION_FIELDS``; one omitted keeps its
    value. Each save is a version in the evaluation's history.
    """
    unknown = set(values) - set(EVALUATION_FIELDS)
    if unknown:
        raise TypeError(f"evaluation_save() got unexpected fields {sorted(unknown)}")
    _require_staff(by)
    today = today or timezone.localdate()
    evaluation = Evaluation.objects.select_for_update().filter(
        experiment=experiment
    ).first() or Evaluation(experiment=experiment)
    merged = {name: getattr(evaluation, name) for name in EVALUATION_FIELDS} | values
    merged["buyer"] = (merged.get("buyer") or "").strip()
    merged["conclusion"] = (merged.get("conclusion") or "").strip()
    merged["outcome"] = merged.get("outcome") or ""
    evaluation_validate(experiment=experiment, values=merged, today=today)
    for name, value in merged.items():
        setattr(evaluation, name, value)
    evaluation.evaluated_by = by
    evaluation.evaluated_on = merged.get("evaluated_on") or today
    _history_user(evaluation, by)
    evaluation.save()
    return evaluation


def outcome_update_validate(
    *, experiment: Experiment, outcome: str, buyer: str, recorded_on: dt.date, today: dt.date
) -> None:
    errors = {}
    if experiment.status != ExperimentStatus.ENDED:
        errors["__all__"] = _(
            "What became of a solution is recorded once its experiment has ended; this one is "
            "“%(status)s”."
        ) % {"status": ExperimentStatus(experiment.status).label}
    if not outcome:
        errors["outcome"] = _("Choose an outcome.")
    errors.update(_outcome_errors(outcome, buyer))
    if recorded_on and recorded_on > today:
        errors["recorded_on"] = _("The date %(date)s is in the future.") % {
            "date": _short(recorded_on)
        }
    elif recorded_on and recorded_on < experiment.end_date:
        errors["recorded_on"] = _(
            "The date %(date)s is before the end of the experiment (%(end)s)."
        ) % {"date": _short(recorded_on), "end": _short(experiment.end_date)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def outcome_update_add(
    *,
    experiment: Experiment,
    by,
    outcome: str,
    buyer: str = "",
    note: str = "",
    recorded_on: dt.date | None = None,
    today: dt.date | None = None,
) -> OutcomeUpdate:
    """Alumni follow-up (Paris&Co staff): what became of the solution, dated. Rows are
    added, never overwritten, so the story stays readable."""
    _require_staff(by)
    today = today or timezone.localdate()
    recorded_on = recorded_on or today
    buyer = (buyer or "").strip()
    outcome_update_validate(
        experiment=experiment, outcome=outcome, buyer=buyer, recorded_on=recorded_on, today=today
    )
    return OutcomeUpdate.objects.create(
        experiment=experiment,
        outcome=outcome,
        buyer=buyer,
        note=(note or "").strip(),
        recorded_on=recorded_on,
        recorded_by=by,
    )
