"""Who may see and do what with calls and applications: the one place to ask.

Querysets are scoped to the user first; another person's application is a 404.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from municipalities.permissions import REVIEWERS, is_programme_staff
from municipalities.selectors import municipalities_for

from .enums import ApplicationStatus
from .models import Application, ReviewAssignment


def is_reviewer(user) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and (is_programme_staff(user) or user.groups.filter(name=REVIEWERS).exists())
    )


def applications_of_applicant(user) -> QuerySet[Application]:
    """An applicant's own applications, and nothing else."""
    if not user.is_authenticated or not user.is_active:
        return Application.objects.none()
    return Application.objects.filter(applicant=user)


def applications_visible_to(user) -> QuerySet[Application]:
    """What a user may read: own, assigned without conflict, their town's shortlist; staff all."""
    if not user.is_authenticated or not user.is_active:
        return Application.objects.none()
    if is_programme_staff(user):
        return Application.objects.all()
    assigned = assignments_of_reviewer(user).filter(application=OuterRef("pk"))
    coselection = applications_for_coselection(user).filter(pk=OuterRef("pk"))
    return Application.objects.filter(Q(applicant=user) | Exists(assigned) | Exists(coselection))


def assignments_of_reviewer(user) -> QuerySet[ReviewAssignment]:
    """A reviewer's assignments where no conflict of interest was declared."""
    if not is_reviewer(user):
        return ReviewAssignment.objects.none()
    return ReviewAssignment.objects.filter(reviewer=user, conflict_declared_at__isnull=True)


def applications_for_coselection(user) -> QuerySet[Application]:
    """Shortlisted applications targeting one of the user's districts (co-selection)."""
    return Application.objects.filter(
        status=ApplicationStatus.SHORTLISTED,
        target_districts__municipality__in=municipalities_for(user),
    ).distinct()


def can_view_application(user, application) -> bool:
    return applications_visible_to(user).filter(pk=application.pk).exists()


def can_edit_application(user, application) -> bool:
    return application.applicant_id == user.pk and application.is_editable
