"""Reviews: assigning reviewers in bulk, conflicts of interest, scores."""

import heapq
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..enums import ApplicationStatus as S
from ..models import Application, ReviewAssignment, Score
from ..permissions import is_reviewer

# Reviewers may be assigned, and may score, while the application is in review.
ASSIGNABLE = {S.ELIGIBLE, S.UNDER_REVIEW, S.SHORTLISTED}
SCORABLE = {S.ELIGIBLE, S.UNDER_REVIEW}


@dataclass
class AssignmentResult:
    created: list[ReviewAssignment] = field(default_factory=list)
    errors: list[tuple[Application, str]] = field(default_factory=list)


def assignments_create_balanced(
    *, applications, reviewers, per_application: int, by
) -> AssignmentResult:
    """Give each application ``per_application`` reviewers, least-loaded reviewers first.

    A reviewer's load is the number of their assignments without a conflict of
    interest, across all calls, plus what this batch gives them. Reviewers
    already on an application (even with a conflict) are never assigned to it
    again, nor is its own applicant. Applications already having enough
    reviewers are left as they are. Applications not in review, or for which
    too few reviewers are free, are reported in ``errors`` (they get as many
    reviewers as there are). One transaction; the applications are locked.
    """
    if per_application < 1:
        raise ValidationError(_("Ask for at least one reviewer per application."))
    reviewers = [reviewer for reviewer in reviewers if is_reviewer(reviewer)]
    if not reviewers:
        raise ValidationError(_("Choose at least one reviewer."))
    result = AssignmentResult()
    with transaction.atomic():
        locked = list(
            Application.objects.select_for_update()
            .filter(pk__in=[application.pk for application in applications])
            .order_by("reference", "pk")
        )
        taken: dict[int, set[int]] = {}
        active: dict[int, int] = {}
        for application_id, reviewer_id, conflict in ReviewAssignment.objects.filter(
            application__in=locked
        ).values_list("application_id", "reviewer_id", "conflict_declared_at"):
            taken.setdefault(application_id, set()).add(reviewer_id)
            if conflict is None:
                active[application_id] = active.get(application_id, 0) + 1
        loads = dict(
            ReviewAssignment.objects.filter(
                reviewer__in=reviewers, conflict_declared_at__isnull=True
            )
            .order_by()
            .values_list("reviewer_id")
            .annotate(n=Count("pk"))
        )
        by_id = {reviewer.pk: reviewer for reviewer in reviewers}
        # (load, id): the least-loaded first, ties by id so that it is repeatable.
        heap = [(loads.get(pk, 0), pk) for pk in by_id]
        heapq.heapify(heap)
        now = timezone.now()
        to_create = []
        for application in locked:
            if application.status not in ASSIGNABLE:
                result.errors.append(
                    (
                        application,
                        _("Only eligible applications or applications in review get reviewers."),
                    )
                )
                continue
            wanted = per_application - active.get(application.pk, 0)
            if wanted <= 0:
                continue
            excluded = taken.get(application.pk, set()) | {application.applicant_id}
            chosen, skipped = [], []
            while heap and len(chosen) < wanted:
                load, reviewer_id = heapq.heappop(heap)
                (skipped if reviewer_id in excluded else chosen).append((load, reviewer_id))
            for load, reviewer_id in chosen:
                to_create.append(
                    ReviewAssignment(
                        application=application,
                        reviewer=by_id[reviewer_id],
                        assigned_by=by,
                        assigned_at=now,
                    )
                )
                heapq.heappush(heap, (load + 1, reviewer_id))
            for item in skipped:
                heapq.heappush(heap, item)
            if len(chosen) < wanted:
                result.errors.append(
                    (
                        application,
                        ngettext(
                            "Only %(count)d more reviewer was free for it.",
                            "Only %(count)d more reviewers were free for it.",
                            len(chosen),
                        )
                        % {"count": len(chosen)},
                    )
                )
        result.created = ReviewAssignment.objects.bulk_create(to_create)
    return result


def assignment_declare_conflict(*, assignment: ReviewAssignment, by, reason: str):
    """The reviewer declares a conflict of interest: the assignment no longer counts.

    Scores already given are deleted, so they never weigh on the application;
    the reviewer loses access to it. Staff see the conflict and its reason.
    """
    if by is None or by.pk != assignment.reviewer_id:
        raise PermissionDenied(_("Only the reviewer can declare a conflict of interest."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please say briefly why.")})
    with transaction.atomic():
        assignment = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.conflict_declared_at is not None:
            return assignment
        assignment.scores.all().delete()
        assignment.conflict_declared_at = timezone.now()
        assignment.conflict_reason = reason
        assignment.completed_at = None
        assignment.save(update_fields=["conflict_declared_at", "conflict_reason", "completed_at"])
    return assignment


def assignment_score(
    *, assignment: ReviewAssignment, by, scores: dict, comment: str = ""
) -> ReviewAssignment:
    """Save a reviewer's scores; the review is complete once every criterion has one.

    ``scores`` maps each criterion (of the application's call) to
    ``(value or None, comment)``; a criterion left empty keeps the review
    open. Only the assigned reviewer, without a conflict, while the
    application is in review.
    """
    if by is None or by.pk != assignment.reviewer_id:
        raise PermissionDenied(_("Only the assigned reviewer can score."))
    with transaction.atomic():
        assignment = (
            ReviewAssignment.objects.select_for_update()
            .select_related("application__call")
            .get(pk=assignment.pk)
        )
        if assignment.conflict_declared_at is not None:
            raise PermissionDenied(_("You declared a conflict of interest for this application."))
        if assignment.application.status not in SCORABLE:
            raise ValidationError(
                _("This application is no longer in review: its scores cannot change.")
            )
        criteria = {
            criterion.pk: criterion for criterion in assignment.application.call.criteria.all()
        }
        for criterion, (value, text) in scores.items():
            if criterion.pk not in criteria:
                raise ValidationError(_("This criterion is not one of the call's."))
            if value is None:
                Score.objects.filter(assignment=assignment, criterion=criterion).delete()
                continue
            if not 0 <= int(value) <= 5:
                raise ValidationError(_("A score goes from 0 to 5."))
            Score.objects.update_or_create(
                assignment=assignment,
                criterion=criterion,
                defaults={"value": int(value), "comment": (text or "").strip()},
            )
        scored = assignment.scores.filter(criterion__in=criteria).count()
        complete = bool(criteria) and scored == len(criteria)
        assignment.comment = (comment or "").strip()
        if complete and assignment.completed_at is None:
            assignment.completed_at = timezone.now()
        elif not complete:
            assignment.completed_at = None
        assignment.save(update_fields=["comment", "completed_at"])
    return assignment
