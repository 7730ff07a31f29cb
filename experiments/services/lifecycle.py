"""What changes an experiment: creation from a selection, its status, milestones, measures."""

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from municipalities.permissions import is_programme_staff
from municipalities.validators import LATITUDE_RANGE, LONGITUDE_RANGE

from ..enums import Direction, ExperimentStatus, MilestoneOwner
from ..models import (
    DEFAULT_DURATION_MONTHS,
    Experiment,
    ExperimentSite,
    ExperimentStatusChange,
    Indicator,
    Measurement,
    Milestone,
)
from ..permissions import can_report_on

S = ExperimentStatus

# Allowed transitions. Suspended experiments resume where they were running or
# preparing; abandoned and ended are final.
TRANSITIONS = {
    S.PLANNED: {S.PREPARING, S.ABANDONED},
    S.PREPARING: {S.RUNNING, S.SUSPENDED, S.ABANDONED},
    S.RUNNING: {S.EVALUATING, S.SUSPENDED, S.ABANDONED},
    S.EVALUATING: {S.ENDED, S.RUNNING},
    S.SUSPENDED: {S.PREPARING, S.RUNNING, S.ABANDONED},
    S.ENDED: set(),
    S.ABANDONED: set(),
}
REASON_REQUIRED = {S.SUSPENDED, S.ABANDONED}

# The standard plan: (code, name, month after the start, owner). Staff edit it per experiment.
MILESTONE_TEMPLATE = (
    ("kick-off", gettext_lazy("Kick-off meeting"), 0, MilestoneOwner.PROGRAMME),
    (
        "site-agreement",
        gettext_lazy("Site agreement with the town"),
        1,
        MilestoneOwner.MUNICIPALITY,
    ),
    ("installation", gettext_lazy("Installation on site"), 3, MilestoneOwner.EXPERIMENTER),
    ("first-users", gettext_lazy("First users on site"), 4, MilestoneOwner.EXPERIMENTER),
    ("mid-term-review", gettext_lazy("Mid-term review"), 9, MilestoneOwner.PROGRAMME),
    (
        "residents-feedback",
        gettext_lazy("Residents' feedback collected"),
        14,
        MilestoneOwner.EXPERIMENTER,
    ),
    ("final-evaluation", gettext_lazy("Final evaluation"), 18, MilestoneOwner.PROGRAMME),
)


class TransitionError(ValidationError):
    pass


def experiment_end_date(start_date: dt.date, months: int = DEFAULT_DURATION_MONTHS) -> dt.date:
    return start_date + relativedelta(months=months)


@transaction.atomic
def experiment_create_from_application(
    *, application, start_date: dt.date | None = None, project_manager=None
) -> Experiment:
    """The experiment of a selected experimenter application; idempotent.

    Called by the decision (``application_set_status`` → selected). A second
    call returns the experiment that exists. Creates the standard milestones.
    """
    existing = Experiment.objects.filter(application=application).first()
    if existing:
        return existing
    start_date = start_date or _next_month_start(timezone.localdate())
    experiment = Experiment.objects.create(
        application=application,
        district=application.selected_district,
        organisation_name=application.organisation_name,
        country=application.country or "FR",
        solution_name=application.solution_name or application.organisation_name,
        summary=application.solution_summary,
        summary_fr=application.solution_summary,
        summary_en=application.solution_summary,
        experimenter=application.applicant,
        contact_email=application.contact_email or application.applicant.email,
        language=application.language,
        project_manager=project_manager,
        start_date=start_date,
        end_date=experiment_end_date(start_date),
        consents_publication=application.consents_publication,
        consent_recorded_at=application.submitted_at if application.consents_publication else None,
    )
    experiment.themes.set(application.themes.all())
    ExperimentStatusChange.objects.create(
        experiment=experiment, from_status="", to_status=S.PLANNED, reason=str(application)
    )
    milestones_generate(experiment=experiment)
    return experiment


def _next_month_start(day: dt.date) -> dt.date:
    return (day.replace(day=1) + relativedelta(months=1)) if day.day > 1 else day


def milestone_names(name) -> dict:
    """A template milestone's stored name: in the programme's language (French).

    ``Milestone.label`` shows a standard milestone that nobody renamed in the
    reader's language.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return {"name": str(name)}


def milestones_generate(*, experiment: Experiment) -> list[Milestone]:
    """The standard plan from the start date; milestones that exist are kept as edited."""
    existing = set(experiment.milestones.values_list("code", flat=True))
    created = [
        Milestone(
            experiment=experiment,
            code=code,
            **milestone_names(name),
            order=index,
            due_date=experiment.start_date + relativedelta(months=months),
            owner=owner,
        )
        for index, (code, name, months, owner) in enumerate(MILESTONE_TEMPLATE)
        if code not in existing
    ]
    Milestone.objects.bulk_create(created)
    return created


@transaction.atomic
def experiment_set_status(
    *, experiment: Experiment, status: str, by, reason: str = "", today: dt.date | None = None
) -> Experiment:
    """The only way an experiment's status changes.

    Side effects: checks the transition is allowed (``TRANSITIONS``) and that
    ``by`` is Paris&Co staff (or None for the system), asks a reason to suspend
    or abandon, refuses to evaluate before the experiment has started, saves,
    and records an ``ExperimentStatusChange`` with who, when and why.
    """
    if by is not None and not is_programme_staff(by):
        raise PermissionDenied(_("Only Paris&Co staff change an experiment's status."))
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    current = experiment.status
    if status not in TRANSITIONS.get(current, set()):
        raise TransitionError(
            _("An experiment cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(current).label, "to": S(status).label},
            code="invalid_transition",
        )
    reason = (reason or "").strip()
    if status in REASON_REQUIRED and not reason:
        raise TransitionError(_("Please give a reason."), code="reason_required")
    today = today or timezone.localdate()
    if status in {S.RUNNING, S.EVALUATING} and today < experiment.start_date:
        raise TransitionError(
            _("The experiment starts on %(date)s: it cannot run before.")
            % {"date": date_format(experiment.start_date, "SHORT_DATE_FORMAT")},
            code="not_started",
        )
    experiment.status = status
    experiment.save(update_fields=["status"])
    ExperimentStatusChange.objects.create(
        experiment=experiment, from_status=current, to_status=status, by=by, reason=reason
    )
    return experiment


# --- Who may change the plan ----------------------------------------------------


def _is_staff(user) -> bool:
    return user is not None and is_programme_staff(user)


def _require_staff(user) -> None:
    if not _is_staff(user):
        raise PermissionDenied(_("Only Paris&Co staff may do this."))


def _require_staff_or_experimenter(user, experiment: Experiment) -> None:
    """Paris&Co staff, or the experimenter while the experiment lives (``can_report_on``)."""
    if _is_staff(user) or (user is not None and can_report_on(user, experiment)):
        return
    raise PermissionDenied(_("You may not change this experiment."))


def _short(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _history_user(instance, by) -> None:
    """simple-history records who made the change (the request's user is not always there)."""
    if by is not None and getattr(by, "pk", None):
        instance._history_user = by


# --- Milestones -----------------------------------------------------------------


def milestone_validate(*, milestone: Milestone, today: dt.date | None = None) -> None:
    """Raise a ValidationError keyed by field when the milestone's dates do not hold.

    A milestone cannot be done in the future; admin forms call this in ``clean``.
    """
    today = today or timezone.localdate()
    errors = {}
    if milestone.done_date and milestone.done_date > today:
        errors["done_date"] = _(
            "The done date %(date)s is in the future: a milestone is marked done once it is "
            "done. Leave the date empty until then."
        ) % {"date": _short(milestone.done_date)}
    if not (milestone.name or "").strip():
        errors["name"] = _("Give the milestone a name.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def milestone_save(*, milestone: Milestone, by, today: dt.date | None = None) -> Milestone:
    """Create or update a milestone (Paris&Co staff); its earlier versions stay in its history."""
    _require_staff(by)
    milestone_validate(milestone=milestone, today=today)
    _history_user(milestone, by)
    milestone.save()
    return milestone


@transaction.atomic
def milestone_mark_done(
    *,
    milestone: Milestone,
    by,
    done_date: dt.date,
    evidence: str = "",
    today: dt.date | None = None,
) -> Milestone:
    """Record that a milestone is done, with its evidence.

    Paris&Co staff mark any milestone; the experimenter marks the milestones
    they own while the experiment lives. The previous state stays in the
    milestone's history.
    """
    experiment = milestone.experiment
    if not _is_staff(by):
        _require_staff_or_experimenter(by, experiment)
        if milestone.owner != MilestoneOwner.EXPERIMENTER:
            raise PermissionDenied(_("This milestone is not yours to mark as done."))
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if done_date is None:
        raise ValidationError({"done_date": _("Give the date the milestone was done.")})
    milestone.done_date = done_date
    evidence = (evidence or "").strip()
    if evidence:
        milestone.evidence = evidence
    milestone_validate(milestone=milestone, today=today)
    _history_user(milestone, by)
    milestone.save(update_fields=["done_date", "evidence"])
    return milestone


# --- Indicators and measurements -----------------------------------------------


def indicator_validate(*, indicator: Indicator) -> None:
    """The target lies in the direction that is better; the unit is named."""
    errors = {}
    if not (indicator.name or "").strip():
        errors["name"] = _("Give the indicator a name.")
    if not (indicator.unit or "").strip():
        errors["unit"] = _("Give the unit of the indicator, for example “kWh” or “visitors”.")
    baseline, target = indicator.baseline, indicator.target
    if baseline is not None and target is not None:
        if indicator.direction == Direction.UP and not target > baseline:
            errors["target"] = _(
                "Higher is better for this indicator: the target must be above the baseline "
                "(%(baseline)s)."
            ) % {"baseline": _number(baseline)}
        elif indicator.direction == Direction.DOWN and not target < baseline:
            errors["target"] = _(
                "Lower is better for this indicator: the target must be below the baseline "
                "(%(baseline)s)."
            ) % {"baseline": _number(baseline)}
    if indicator.pk and "unit" not in errors:
        saved = Indicator.objects.filter(pk=indicator.pk).values_list("unit", flat=True)
        saved_unit = saved.first()
        if (
            saved_unit is not None
            and not _same_unit(saved_unit, indicator.unit)
            and Measurement.objects.filter(indicator=indicator).exists()
        ):
            errors["unit"] = _(
                "This indicator already has measurements in “%(unit)s”: its unit cannot change. "
                "Create another indicator for the new unit."
            ) % {"unit": saved_unit}
    if errors:
        raise ValidationError(errors)


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)


def _same_unit(first: str, second: str) -> bool:
    return " ".join((first or "").split()).casefold() == " ".join((second or "").split()).casefold()


@transaction.atomic
def indicator_create(
    *,
    experiment: Experiment,
    by,
    name: str,
    unit: str,
    baseline: Decimal,
    target: Decimal,
    direction: str = Direction.UP,
    order: int | None = None,
) -> Indicator:
    """A new indicator of the experiment (Paris&Co staff, or the experimenter while it lives)."""
    _require_staff_or_experimenter(by, experiment)
    if order is None:
        order = experiment.indicators.count()
    indicator = Indicator(
        experiment=experiment,
        name=(name or "").strip(),
        unit=(unit or "").strip(),
        baseline=baseline,
        target=target,
        direction=direction,
        order=order,
    )
    indicator_validate(indicator=indicator)
    _history_user(indicator, by)
    indicator.save()
    return indicator


INDICATOR_FIELDS = ("name", "unit", "baseline", "target", "direction", "order")


@transaction.atomic
def indicator_update(*, indicator: Indicator, by, **changes) -> Indicator:
    """Change an indicator; its earlier versions stay in its history.

    The unit of an indicator that has measurements does not change: the
    values would no longer mean the same thing.
    """
    unknown = set(changes) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"indicator_update() got unexpected fields {sorted(unknown)}")
    _require_staff_or_experimenter(by, indicator.experiment)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    for field, value in changes.items():
        setattr(indicator, field, value.strip() if isinstance(value, str) else value)
    indicator_validate(indicator=indicator)
    _history_user(indicator, by)
    indicator.save()
    return indicator


def measurement_validate(
    *,
    indicator: Indicator,
    measured_on: dt.date | None,
    value,
    unit: str | None = None,
    today: dt.date | None = None,
) -> None:
    """Raise a ValidationError keyed by field (measured_on, value, unit).

    The date lies between the experiment's start and end and not in the
    future; a unit, when the form asks one, is the indicator's.
    """
    today = today or timezone.localdate()
    experiment = indicator.experiment
    errors = {}
    if value is None or value == "":
        errors["value"] = _("Give the measured value.")
    if measured_on is None:
        errors["measured_on"] = _("Give the date of the measurement.")
    elif not experiment.start_date <= measured_on <= experiment.end_date:
        errors["measured_on"] = _(
            "The date %(date)s is outside the experiment, which runs from %(start)s to %(end)s."
        ) % {
            "date": _short(measured_on),
            "start": _short(experiment.start_date),
            "end": _short(experiment.end_date),
        }
    elif measured_on > today:
        errors["measured_on"] = _(
            "The date %(date)s is in the future: record a value once it is measured."
        ) % {"date": _short(measured_on)}
    if unit is not None and unit.strip() and not _same_unit(unit, indicator.unit):
        errors["unit"] = _(
            "“%(indicator)s” is measured in “%(expected)s”, not in “%(unit)s”: convert the value "
            "to %(expected)s."
        ) % {"indicator": indicator.name, "expected": indicator.unit, "unit": unit.strip()}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def measurement_add(
    *,
    indicator: Indicator,
    by,
    measured_on: dt.date,
    value: Decimal,
    source: str = "",
    unit: str | None = None,
    report=None,
    today: dt.date | None = None,
) -> Measurement:
    """A dated value of an indicator (staff, or the experimenter while the experiment lives)."""
    _require_staff_or_experimenter(by, indicator.experiment)
    measurement_validate(
        indicator=indicator, measured_on=measured_on, value=value, unit=unit, today=today
    )
    measurement = Measurement(
        indicator=indicator,
        measured_on=measured_on,
        value=value,
        source=(source or "").strip(),
        report=report,
        recorded_by=by,
    )
    _history_user(measurement, by)
    measurement.save()
    return measurement


@transaction.atomic
def measurement_update(
    *,
    measurement: Measurement,
    by,
    measured_on: dt.date,
    value: Decimal,
    source: str = "",
    unit: str | None = None,
    today: dt.date | None = None,
) -> Measurement:
    """Correct a measurement in place: the value it had stays in its history."""
    indicator = measurement.indicator
    _require_staff_or_experimenter(by, indicator.experiment)
    measurement_validate(
        indicator=indicator, measured_on=measured_on, value=value, unit=unit, today=today
    )
    measurement = Measurement.objects.select_for_update().get(pk=measurement.pk)
    measurement.measured_on = measured_on
    measurement.value = value
    measurement.source = (source or "").strip()
    measurement.recorded_by = by
    measurement.recorded_at = timezone.now()
    _history_user(measurement, by)
    measurement.save()
    return measurement


# --- Sites ----------------------------------------------------------------------


def site_validate(*, site: ExperimentSite) -> None:
    errors = {}
    if not (site.name or "").strip():
        errors["name"] = _("Give the site a name.")
    latitude, longitude = site.latitude, site.longitude
    if latitude is None:
        errors["latitude"] = _("Give the latitude of the site.")
    elif not LATITUDE_RANGE[0] <= float(latitude) <= LATITUDE_RANGE[1]:
        errors["latitude"] = _(
            "The latitude %(value)s is outside Île-de-France (between %(min)s and %(max)s): "
            "check it is not the longitude."
        ) % {"value": latitude, "min": LATITUDE_RANGE[0], "max": LATITUDE_RANGE[1]}
    if longitude is None:
        errors["longitude"] = _("Give the longitude of the site.")
    elif not LONGITUDE_RANGE[0] <= float(longitude) <= LONGITUDE_RANGE[1]:
        errors["longitude"] = _(
            "The longitude %(value)s is outside Île-de-France (between %(min)s and %(max)s): "
            "check it is not the latitude."
        ) % {"value": longitude, "min": LONGITUDE_RANGE[0], "max": LONGITUDE_RANGE[1]}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def site_add(
    *,
    experiment: Experiment,
    by,
    name: str,
    latitude: Decimal,
    longitude: Decimal,
    address: str = "",
) -> ExperimentSite:
    """A place of the experiment on the district's map (staff, or the experimenter)."""
    _require_staff_or_experimenter(by, experiment)
    site = ExperimentSite(
        experiment=experiment,
        name=(name or "").strip(),
        address=(address or "").strip(),
        latitude=latitude,
        longitude=longitude,
    )
    site_validate(site=site)
    site.save()
    return site


@transaction.atomic
def experiment_register(*, experiment: Experiment, by) -> Experiment:
    """An experiment Paris&Co staff enter by hand (one selected before the portal existed).

    Saved as planned, with its first history row and the standard milestones,
    like one created from a selection.
    """
    _require_staff(by)
    experiment.status = S.PLANNED
    experiment.save()
    ExperimentStatusChange.objects.create(
        experiment=experiment, from_status="", to_status=S.PLANNED, by=by
    )
    milestones_generate(experiment=experiment)
    return experiment
