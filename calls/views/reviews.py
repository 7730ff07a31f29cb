"""Reviewers' pages: their assignments, the score form, conflicts of interest.

A reviewer sees only their own assignments without a conflict, and only their
own scores; anything else is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .. import selectors
from ..forms.reviews import ConflictForm, ScoreForm
from ..models import ReviewAssignment, TeamMember
from ..permissions import assignments_of_reviewer, is_reviewer
from ..services.reviews import SCORABLE, assignment_declare_conflict, assignment_score


def _require_reviewer(request):
    if not is_reviewer(request.user):
        raise Http404


def _assignment(request, pk) -> ReviewAssignment:
    _require_reviewer(request)
    return get_object_or_404(
        assignments_of_reviewer(request.user).select_related(
            "application__call__edition", "application__selected_district"
        ),
        pk=pk,
    )


@login_required
def review_list(request):
    _require_reviewer(request)
    assignments = list(selectors.reviewer_assignments(request.user))
    return render(
        request,
        "calls/reviews/review_list.html",
        {
            "to_do": [item for item in assignments if item.completed_at is None],
            "done": [item for item in assignments if item.completed_at is not None],
        },
    )


@login_required
def review_detail(request, pk):
    assignment = _assignment(request, pk)
    application = assignment.application
    criteria = list(application.call.criteria.order_by("order", "pk"))
    scores = selectors.assignment_scores(assignment)
    can_score = application.status in SCORABLE
    form = ScoreForm(
        request.POST if request.method == "POST" else None,
        criteria=criteria,
        scores=scores,
        assignment=assignment,
    )
    if request.method == "POST":
        if not can_score:
            messages.error(
                request, _("This application is no longer in review: its scores cannot change.")
            )
            return redirect("calls:review_detail", pk=assignment.pk)
        if form.is_valid():
            try:
                assignment = assignment_score(
                    assignment=assignment,
                    by=request.user,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            except PermissionDenied as error:
                raise Http404 from error
            else:
                if assignment.completed_at:
                    messages.success(request, _("Your review is complete. Thank you."))
                    return redirect("calls:review_list")
                messages.info(
                    request,
                    _("Saved. The review is complete once every criterion has a score."),
                )
                return redirect("calls:review_detail", pk=assignment.pk)
    summary_application = (
        type(application)
        .objects.filter(pk=application.pk)
        .select_related("call__edition", "selected_district")
        .prefetch_related(
            "themes",
            "target_districts__municipality",
            "attachments",
            Prefetch("team_members", queryset=TeamMember.objects.order_by("pk")),
        )
        .get()
    )
    return render(
        request,
        "calls/reviews/review_detail.html",
        {
            "assignment": assignment,
            "application": summary_application,
            "criteria": criteria,
            "form": form,
            "can_score": can_score,
        },
    )


@login_required
def review_conflict(request, pk):
    assignment = _assignment(request, pk)
    form = ConflictForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            assignment_declare_conflict(
                assignment=assignment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error.messages[0])
        else:
            messages.success(
                request,
                _(
                    "Your conflict of interest is recorded: this application is no longer "
                    "in your reviews, and Paris&Co staff are informed."
                ),
            )
            return redirect("calls:review_list")
    return render(
        request,
        "calls/reviews/review_conflict.html",
        {"assignment": assignment, "application": assignment.application, "form": form},
    )
