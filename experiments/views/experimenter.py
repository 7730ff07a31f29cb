"""The experimenter's pages: my experiments, an experiment, progress reports, photos.

Every experiment is looked up in ``experiments_of_experimenter``: another
experimenter's is a 404. A report and its photos are looked up in
``reports_visible_to`` (the experimenter's own, and for Paris&Co and the
town the submitted ones), so the same links work for the readers of the
municipality dashboard.
"""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..enums import MilestoneOwner, ReportStatus
from ..forms import MilestoneDoneForm, ProgressReportForm
from ..models import Milestone, ReportPhoto
from ..permissions import can_report_on, experiments_of_experimenter, reports_visible_to
from ..selectors import (
    experiment_reports,
    experimenter_rows,
    indicator_summary,
    indicators_with_latest,
    report_schedule,
    report_with_details,
)
from ..services.lifecycle import milestone_mark_done
from ..services.reports import (
    MAX_PHOTOS,
    ReportLocked,
    report_create,
    report_photo_add,
    report_photo_delete,
    report_save,
    report_submit,
)

SIGNIN = "calls:signin_request"
experimenter_required = login_required(login_url=SIGNIN)


def _own_experiment(request, uuid):
    return get_object_or_404(
        experiments_of_experimenter(request.user).select_related(
            "district__municipality", "district__edition", "project_manager"
        ),
        uuid=uuid,
    )


def _own_report(request, uuid):
    """A report of one of the user's experiments (drafts included)."""
    return get_object_or_404(
        report_with_details(
            reports_visible_to(request.user).filter(
                experiment__in=experiments_of_experimenter(request.user)
            )
        ),
        uuid=uuid,
    )


@experimenter_required
def my_experiments(request):
    today = timezone.localdate()
    rows = experimenter_rows(experiments_of_experimenter(request.user), today=today)
    return render(
        request, "experiments/experimenter/my_experiments.html", {"rows": rows, "today": today}
    )


def _experiment_context(request, experiment, *, milestone_forms=None):
    today = timezone.localdate()
    milestones = list(experiment.milestones.order_by("due_date", "order"))
    reports = list(experiment_reports(experiment))
    submitted = sum(1 for report in reports if report.status == ReportStatus.SUBMITTED)
    may_report = can_report_on(request.user, experiment) and today <= experiment.end_date
    milestone_forms = milestone_forms or {}
    rows = []
    for milestone in milestones:
        form = None
        if (
            may_report
            and milestone.done_date is None
            and milestone.owner == MilestoneOwner.EXPERIMENTER
        ):
            form = milestone_forms.get(milestone.pk) or MilestoneDoneForm(milestone=milestone)
        rows.append({"milestone": milestone, "late": milestone.is_late(today), "form": form})
    indicators = [
        indicator_summary(indicator)
        for indicator in indicators_with_latest(experiment.indicators.order_by("order", "name"))
    ]
    return {
        "experiment": experiment,
        "today": today,
        "milestones": rows,
        "late_count": sum(1 for row in rows if row["late"]),
        "indicators": indicators,
        "reports": reports,
        "draft": next((r for r in reports if r.status == ReportStatus.DRAFT), None),
        "schedule": report_schedule(experiment, submitted_count=submitted, today=today),
        "sites": list(experiment.sites.all()),
        "may_report": may_report,
    }


@experimenter_required
def experiment_detail(request, uuid):
    experiment = _own_experiment(request, uuid)
    return render(
        request,
        "experiments/experimenter/experiment_detail.html",
        _experiment_context(request, experiment),
    )


@experimenter_required
@require_POST
def milestone_done(request, uuid, pk):
    experiment = _own_experiment(request, uuid)
    milestone = get_object_or_404(
        Milestone.objects.select_related("experiment"), pk=pk, experiment=experiment
    )
    form = MilestoneDoneForm(request.POST, milestone=milestone)
    if form.is_valid():
        try:
            milestone_mark_done(
                milestone=milestone,
                by=request.user,
                done_date=form.cleaned_data["done_date"],
                evidence=form.cleaned_data["evidence"],
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request, _("“%(milestone)s” is marked as done.") % {"milestone": milestone.name}
            )
            return redirect(experiment)
    context = _experiment_context(request, experiment, milestone_forms={milestone.pk: form})
    context["failed_milestone"] = milestone.pk
    return render(request, "experiments/experimenter/experiment_detail.html", context, status=400)


@experimenter_required
@require_POST
def report_start(request, uuid):
    experiment = _own_experiment(request, uuid)
    try:
        report = report_create(experiment=experiment, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(experiment)
    return redirect("experiments:report_edit", uuid=report.uuid)


@experimenter_required
@require_http_methods(["GET", "POST"])
def report_edit(request, uuid):
    report = _own_report(request, uuid)
    experiment = report.experiment
    if report.status != ReportStatus.DRAFT:
        messages.info(request, _("This report was submitted: it can no longer be changed."))
        return redirect(report)
    indicators = list(experiment.indicators.order_by("order", "name"))
    if request.method == "GET":
        form = ProgressReportForm(report=report, indicators=indicators)
        return _report_form(request, report, form)

    form = ProgressReportForm(request.POST, request.FILES, report=report, indicators=indicators)
    form.is_valid()
    data = form.valid_data()
    submitting = request.POST.get("action") == "submit"
    try:
        saved = report_save(
            report=report,
            by=request.user,
            work_done=data.get("work_done", report.work_done),
            difficulties=data.get("difficulties", report.difficulties),
            next_steps=data.get("next_steps", report.next_steps),
            period_start=data.get("period_start", report.period_start),
            period_end=data.get("period_end", report.period_end),
            measurements=form.measurement_inputs(),
        )
    except ReportLocked as error:
        messages.info(request, error.messages[0])
        return redirect(report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(experiment)
    except PermissionDenied as error:
        raise Http404 from error
    for field, errors in saved.errors.items():
        for message in errors:
            form.add_error(field, message)
    for indicator_pk, fields in saved.measurement_errors.items():
        indicator = next(i for i in indicators if i.pk == indicator_pk)
        for field, errors in fields.items():
            for message in errors:
                form.add_error(form.name(indicator, field), message)

    upload = data.get("photo")
    if upload:
        try:
            report_photo_add(
                report=report, by=request.user, upload=upload, caption=data.get("photo_caption")
            )
        except ValidationError as error:
            form.add_error("photo", error.messages[0])

    if form.errors:
        return _report_form(request, report, form, status=400, submit_failed=submitting)
    if submitting:
        try:
            report_submit(report=report, by=request.user)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            return _report_form(request, report, form, status=400, submit_failed=True)
        messages.success(
            request,
            _("Your report is submitted. Paris&Co and the town can now read and comment on it."),
        )
        return redirect(report)
    messages.success(request, _("Your draft is saved."))
    return redirect("experiments:report_edit", uuid=report.uuid)


def _report_form(request, report, form, *, status=200, submit_failed=False):
    report = report_with_details(type(report).objects.filter(pk=report.pk)).get()
    if submit_failed:
        intro = _(
            "The report was not submitted. What is listed here was not saved; everything else "
            "was kept in the draft."
        )
    else:
        intro = _("What is listed here was not saved; everything else was.")
    return render(
        request,
        "experiments/experimenter/report_form.html",
        {
            "report": report,
            "experiment": report.experiment,
            "form": form,
            "photos": list(report.photos.all()),
            "max_photos": MAX_PHOTOS,
            "intro": intro,
        },
        status=status,
    )


@experimenter_required
def report_detail(request, uuid):
    report = get_object_or_404(report_with_details(reports_visible_to(request.user)), uuid=uuid)
    experiment = report.experiment
    is_experimenter = experiment.experimenter_id == request.user.pk
    return render(
        request,
        "experiments/experimenter/report_detail.html",
        {
            "report": report,
            "experiment": experiment,
            "is_experimenter": is_experimenter,
            "measurements": list(report.measurements.all()),
            "photos": list(report.photos.all()),
            "comments": list(report.comments.all()),
        },
    )


@experimenter_required
def photo_file(request, uuid, pk):
    photo = get_object_or_404(
        ReportPhoto.objects.select_related("report"),
        pk=pk,
        report__uuid=uuid,
        report__in=reports_visible_to(request.user),
    )
    try:
        handle = photo.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    extension = mimetypes.guess_extension(photo.content_type) or ""
    response = FileResponse(
        handle,
        as_attachment=request.GET.get("download") == "1",
        filename=f"photo-{photo.pk}{extension}",
        content_type=photo.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@experimenter_required
@require_POST
def photo_delete(request, uuid, pk):
    report = _own_report(request, uuid)
    photo = get_object_or_404(report.photos, pk=pk)
    try:
        report_photo_delete(photo=photo, by=request.user)
    except ReportLocked as error:
        messages.info(request, error.messages[0])
        return redirect(report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(report.experiment)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, _("The photo was removed."))
    return redirect("experiments:report_edit", uuid=report.uuid)
