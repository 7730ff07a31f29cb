"""The reports page, a report's status, its download: each checked against the user."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .enums import ReportStatus
from .permissions import report_can_request, report_can_view, reports_visible_to
from .registry import report_kinds
from .services import report_request


def _visible_report(request, uuid):
    report = get_object_or_404(reports_visible_to(request.user), uuid=uuid)
    if not report_can_view(request.user, report):
        raise Http404
    return report


@login_required
def report_list(request):
    reports = reports_visible_to(request.user).order_by("-created_at")[:50]
    offers = [
        {"kind": code, "label": label, "parameters": json.dumps(parameters)}
        for code, kind in report_kinds().items()
        for label, parameters in kind.requestable(request.user)
    ]
    return render(request, "reports/report_list.html", {"reports": reports, "offers": offers})


@login_required
@require_POST
def report_ask(request):
    kind = request.POST.get("kind", "")
    try:
        parameters = json.loads(request.POST.get("parameters") or "{}")
    except ValueError:
        parameters = None
    if not isinstance(parameters, dict) or kind not in report_kinds():
        messages.error(request, _("This report cannot be made."))
        return redirect("reports:report_list")
    try:
        parameters = report_kinds()[kind].clean(parameters)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:report_list")
    if not report_can_request(request.user, kind=kind, parameters=parameters):
        raise Http404
    report = report_request(
        kind=kind, parameters=parameters, language=get_language(), requested_by=request.user
    )
    messages.success(request, _("Your report is being prepared. This page shows when it is ready."))
    return redirect(report)


@login_required
def report_detail(request, uuid):
    report = _visible_report(request, uuid)
    pending = report.status in {ReportStatus.QUEUED, ReportStatus.RUNNING}
    return render(request, "reports/report_detail.html", {"report": report, "pending": pending})


@login_required
def report_download(request, uuid):
    report = _visible_report(request, uuid)
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
