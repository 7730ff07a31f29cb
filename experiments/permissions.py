"""Who may see and do what with experiments: the one place to ask.

Querysets are scoped to the user first: Paris&Co staff see every experiment,
municipality staff the experiments of their own districts, an experimenter
their own. Anything else is a 404 in the views.
"""

from django.db.models import Q, QuerySet

from municipalities.permissions import is_programme_staff
from municipalities.selectors import municipalities_for

from .enums import ExperimentStatus, ReportStatus
from .models import Experiment, ProgressReport

# An experimenter reports while the experiment lives; not once it ended or was abandoned.
REPORTING_STATUSES = {
    ExperimentStatus.PREPARING,
    ExperimentStatus.RUNNING,
    ExperimentStatus.EVALUATING,
    ExperimentStatus.SUSPENDED,
}


def _active(user) -> bool:
    return user.is_authenticated and user.is_active


def experiments_visible_to(user) -> QuerySet[Experiment]:
    if not _active(user):
        return Experiment.objects.none()
    if is_programme_staff(user):
        return Experiment.objects.all()
    return Experiment.objects.filter(
        Q(experimenter=user) | Q(district__municipality__in=municipalities_for(user))
    ).distinct()


def experiments_of_municipality_staff(user) -> QuerySet[Experiment]:
    """Experiments of the user's own districts (all districts for Paris&Co staff)."""
    if not _active(user):
        return Experiment.objects.none()
    if is_programme_staff(user):
        return Experiment.objects.all()
    return Experiment.objects.filter(district__municipality__in=municipalities_for(user))


def experiments_of_experimenter(user) -> QuerySet[Experiment]:
    if not _active(user):
        return Experiment.objects.none()
    return Experiment.objects.filter(experimenter=user)


def reports_visible_to(user) -> QuerySet[ProgressReport]:
    """The experimenter sees their drafts; staff and towns only submitted reports."""
    if not _active(user):
        return ProgressReport.objects.none()
    own = Q(experiment__experimenter=user)
    if is_programme_staff(user):
        return ProgressReport.objects.filter(own | Q(status=ReportStatus.SUBMITTED))
    towns = Q(
        experiment__district__municipality__in=municipalities_for(user),
        status=ReportStatus.SUBMITTED,
    )
    return ProgressReport.objects.filter(own | towns).distinct()


def can_comment_report(user, report) -> bool:
    """Paris&Co staff and the district's town comment on submitted reports."""
    if report.status != ReportStatus.SUBMITTED or not _active(user):
        return False
    return experiments_of_municipality_staff(user).filter(pk=report.experiment_id).exists()


def can_report_on(user, experiment) -> bool:
    """The experimenter writes progress reports while the experiment lives."""
    return (
        _active(user)
        and experiment.experimenter_id == user.pk
        and experiment.status in REPORTING_STATUSES
    )
