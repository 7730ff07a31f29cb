"""Who may ask for and download which report: the kind decides, from its parameters."""

from django.db.models import Q, QuerySet

from calls.models import Application
from municipalities.permissions import is_programme_staff

from .models import Report
from .registry import report_kinds


def report_can_view(user, report: Report) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    kind = report_kinds().get(report.kind)
    return kind is not None and kind.can_view(user, report.parameters)


def report_can_request(user, *, kind: str, parameters: dict) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    report_type = report_kinds().get(kind)
    return report_type is not None and report_type.can_view(user, parameters)


def reports_visible_to(user) -> QuerySet[Report]:
    """Staff see every report; others what they asked for and the dossiers of their applications.

    A first cut in SQL; the download view still asks the kind (``report_can_view``),
    since rights change after a report was made (a town leaves a district).
    """
    if not user.is_authenticated or not user.is_active:
        return Report.objects.none()
    if is_programme_staff(user):
        return Report.objects.all()
    own_applications = list(
        Application.objects.filter(applicant=user).values_list("pk", flat=True)[:1000]
    )
    return Report.objects.filter(
        Q(requested_by=user)
        | Q(
            kind="application_dossier",
            parameters__audience="applicant",
            parameters__application__in=own_applications,
        )
    )
