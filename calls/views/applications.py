"""The applicants' side: start, fill the steps, review, submit, withdraw, files.

Every URL of an application looks it up in ``applications_of_applicant``: an
application of someone else is a 404. Files are served to whoever may see the
application (``applications_visible_to``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..enums import ApplicationStatus, CallState
from ..flow import flow_for, step_reads
from ..forms.applications import DeclarationsForm
from ..models import Attachment, Call
from ..permissions import applications_of_applicant, applications_visible_to
from ..selectors import calls_open_or_upcoming
from ..services.applications import (
    ApplicationLocked,
    application_create,
    application_submit,
    application_update_step,
)
from ..services.applications import attachment_delete as attachment_delete_service
from ..services.completeness import application_missing
from ..services.workflow import (
    TransitionError,
    allowed_transitions,
    application_set_status,
    application_submit_deadline,
)

SIGNIN = "calls:signin_request"
applicant_required = login_required(login_url=SIGNIN)


def _own(request, uuid, related=("call", "call__edition")):
    return get_object_or_404(
        applications_of_applicant(request.user).select_related(*related), uuid=uuid
    )


def _locked(request, application):
    messages.info(
        request,
        _("This application has been submitted: it can no longer be changed. Here it is."),
    )
    return redirect(application)


@require_POST
def application_start(request, slug):
    call = get_object_or_404(Call, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(call.get_absolute_url(), login_url=SIGNIN)
    try:
        application = application_create(call=call, applicant=request.user, language=get_language())
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(call)
    step = flow_for(application).first(application)
    return redirect(step.get_url(application))


@applicant_required
def my_applications(request):
    now = timezone.now()
    applications = list(
        applications_of_applicant(request.user)
        .select_related("call", "call__edition")
        .annotate(latest_extension=Max("extensions__until"))
        .order_by("-created_at")
    )
    rows = [_row(application, now) for application in applications]
    open_calls = [
        call for call in calls_open_or_upcoming(now) if call.state_at(now) == CallState.OPEN
    ]
    return render(
        request,
        "calls/applications/my_applications.html",
        {"rows": rows, "open_calls": open_calls},
    )


def _row(application, now):
    """What the list shows of one application: no query, the deadline is annotated."""
    deadline = application.call.closes_at
    if application.latest_extension and application.latest_extension > deadline:
        deadline = application.latest_extension
    before_deadline = now < deadline
    flow = flow_for(application)
    action = None
    if application.status == ApplicationStatus.DRAFT:
        if before_deadline:
            pending = [item for item in flow.progress(application) if not item["completed"]]
            target = pending[0]["url"] if pending else flow.progress(application)[-1]["url"]
            action = {"label": _("Continue the application"), "url": target}
        else:
            action = {"label": _("See the draft (the deadline has passed)"), "url": None}
    else:
        action = {"label": _("See the application"), "url": None}
    return {
        "application": application,
        "deadline": deadline,
        "before_deadline": before_deadline,
        "action": action,
        "can_withdraw": _can_withdraw(application, before_deadline),
    }


def _can_withdraw(application, before_deadline) -> bool:
    if ApplicationStatus.WITHDRAWN not in allowed_transitions(application.status):
        return False
    return application.status == ApplicationStatus.DRAFT or before_deadline


@applicant_required
def application_detail(request, uuid):
    application = _own(request, uuid)
    deadline = application_submit_deadline(application)
    now = timezone.now()
    flow = flow_for(application)
    history = application.status_changes.all()
    return render(
        request,
        "calls/applications/detail.html",
        {
            "application": application,
            "deadline": deadline,
            "before_deadline": now < deadline,
            "can_withdraw": _can_withdraw(application, now < deadline),
            "steps": flow.progress(application) if application.is_editable else None,
            "history": history,
        },
    )


def _step_context(application, flow, step, form, formset=None):
    steps = flow.progress(application, step)
    return {
        "application": application,
        "call": application.call,
        "step": step,
        "steps": steps,
        "steps_done": sum(1 for item in steps if item["completed"]),
        "previous": flow.previous(application, step),
        "next": flow.next(application, step),
        "form": form,
        "formset": formset,
        "autosave_url": step.get_autosave_url(application) if step.autosave else None,
    }


def _own_for_step(request, uuid, step, *, lock=False):
    """The application with only what the step ``step`` reads (``step_reads``);
    ``lock``: its row locked until the end of the transaction."""
    reads = step_reads(step)
    if reads is None:
        raise Http404
    applications = applications_of_applicant(request.user).select_related("call").only(*reads)
    if lock:
        applications = applications.select_for_update(of=("self",))
    return get_object_or_404(applications, uuid=uuid)


@applicant_required
def application_step(request, uuid, step):
    application = _own_for_step(request, uuid, step)
    if not application.is_editable:
        return _locked(request, application)
    flow = flow_for(application)
    current = flow.get(application, step)
    if current is None:
        raise Http404
    if current.identifier == "review":
        return redirect(current.get_url(application))

    if request.method != "POST":
        form = current.get_form(application)
        formset = current.get_formset(application)
        return render(
            request,
            current.template_name,
            _step_context(application, flow, current, form, formset),
        )

    form = current.get_form(application, data=request.POST, files=request.FILES)
    formset = current.get_formset(application, data=request.POST)
    try:
        application = current.save(
            application=application, form=form, formset=formset, by=request.user
        )
    except ApplicationLocked:
        return _locked(request, application)
    except ValidationError as error:
        form.add_error(None, error)
    if form.errors or (formset is not None and not formset.is_valid()):
        # The error summary at the top of the form says what was not saved.
        return render(
            request,
            current.template_name,
            _step_context(application, flow, current, form, formset),
            status=200,
        )
    action = request.POST.get("action")
    target = current
    if action == "previous":
        target = flow.previous(application, current) or current
    elif action == "next":
        target = flow.next(application, current) or current
    messages.success(request, _("Saved."))
    return redirect(target.get_url(application))


@applicant_required
@require_POST
@transaction.atomic
def application_autosave(request, uuid, step):
    """Save the valid fields of a step; answer JSON with the field errors, never HTML.

    One transaction: the application is read with its row locked, so what is
    saved is merged into the row as it is (another tab, another autosave wait).
    """
    application = _own_for_step(request, uuid, step, lock=True)
    if not application.is_editable:
        return JsonResponse(
            {
                "ok": False,
                "message": _("This application has been submitted: it can no longer be changed."),
                "redirect": application.get_absolute_url(),
            },
            status=409,
        )
    flow = flow_for(application)
    current = flow.get(application, step)
    if current is None or not current.autosave:
        return JsonResponse(
            {"ok": False, "message": _("This step is not saved automatically.")}, status=400
        )
    form = current.get_form(application, data=request.POST)
    formset = current.get_formset(application, data=request.POST)
    try:
        application = current.save(
            application=application, form=form, formset=formset, by=request.user, locked=True
        )
    except ApplicationLocked as error:
        return JsonResponse({"ok": False, "message": error.messages[0]}, status=409)
    except ValidationError as error:
        form.add_error(None, error)
    errors = {
        (form.add_prefix(name) if name != "__all__" else name): [str(m) for m in messages_]
        for name, messages_ in form.errors.items()
    }
    if formset is not None:
        formset.is_valid()
        for member_form in formset.forms:
            for name, messages_ in member_form.errors.items():
                errors[member_form.add_prefix(name)] = [str(m) for m in messages_]
        if formset.non_form_errors():
            errors["team-__all__"] = [str(m) for m in formset.non_form_errors()]
    saved_at = time_format(timezone.localtime(), "H:i")
    return JsonResponse(
        {
            "ok": not errors,
            "saved_at": saved_at,
            "message": _("Saved at %(time)s") % {"time": saved_at},
            "errors": errors,
            "ids": formset.saved_ids if formset is not None else {},
            "completed": application.completed_steps,
        }
    )


def _missing_with_links(application, flow):
    """What is missing, each with a link to the step where it is filled in."""
    where = {}
    for step in flow.applicable(application):
        for text in step.missing_texts(application):
            where.setdefault(text, step)
    items = []
    for text in application_missing(application):
        step = where.get(text)
        if step is None or step.identifier == "review":
            url = "#declarations"
        else:
            url = step.get_url(application)
        items.append({"text": text, "url": url, "step": step})
    return items


@applicant_required
def application_review(request, uuid):
    application = _own(request, uuid)
    if not application.is_editable:
        return _locked(request, application)
    flow = flow_for(application)
    step = flow.get(application, "review")
    if request.method == "POST":
        form = DeclarationsForm(application=application, data=request.POST, require=True)
        if form.is_valid():
            try:
                application = application_submit(
                    application=application, by=request.user, declarations=form.valid_data()
                )
            except ApplicationLocked:
                return _locked(request, application)
            except (TransitionError, PermissionDenied) as error:
                message = error.messages[0] if isinstance(error, ValidationError) else str(error)
                messages.error(request, message)
                return redirect("calls:application_review", uuid=application.uuid)
            return redirect("calls:application_submitted", uuid=application.uuid)
        try:
            application = application_update_step(
                application=application, step="review", values=form.valid_data(), by=request.user
            )
        except ApplicationLocked:
            return _locked(request, application)
        messages.error(request, _("The application was not submitted: see the messages below."))
    else:
        form = DeclarationsForm(application=application)
    deadline = application_submit_deadline(application)
    return render(
        request,
        step.template_name,
        {
            **_step_context(application, flow, step, form),
            "missing": _missing_with_links(application, flow),
            "deadline": deadline,
            "deadline_passed": timezone.now() >= deadline,
        },
    )


@applicant_required
def application_submitted(request, uuid):
    application = _own(request, uuid)
    if application.status == ApplicationStatus.DRAFT:
        return redirect("calls:application_review", uuid=application.uuid)
    return render(
        request,
        "calls/applications/submitted.html",
        {"application": application, "deadline": application_submit_deadline(application)},
    )


@applicant_required
def application_withdraw(request, uuid):
    application = _own(request, uuid)
    deadline = application_submit_deadline(application)
    if not _can_withdraw(application, timezone.now() < deadline):
        messages.error(request, _("This application can no longer be withdrawn."))
        return redirect(application)
    if request.method != "POST":
        return render(
            request,
            "calls/applications/withdraw.html",
            {"application": application, "deadline": deadline},
        )
    try:
        application_set_status(
            application=application, status=ApplicationStatus.WITHDRAWN, by=request.user
        )
    except TransitionError as error:
        messages.error(request, error.messages[0])
        return redirect(application)
    messages.success(request, _("Your application has been withdrawn."))
    return redirect("calls:my_applications")


@applicant_required
def attachment_download(request, uuid, pk):
    attachment = get_object_or_404(
        Attachment.objects.select_related("application"),
        pk=pk,
        application__uuid=uuid,
        application__in=applications_visible_to(request.user),
    )
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@applicant_required
@require_POST
def attachment_delete(request, uuid, pk):
    application = _own(request, uuid)
    attachment = get_object_or_404(application.attachments, pk=pk)
    if not application.is_editable:
        return _locked(request, application)
    try:
        attachment_delete_service(attachment=attachment, by=request.user)
    except ApplicationLocked:
        return _locked(request, application)
    messages.success(
        request, _("The file “%(name)s” was removed.") % {"name": attachment.original_name}
    )
    step = flow_for(application).get(application, "attachments")
    return redirect(step.get_url(application))
