"""The one workflow of an application: every status change goes through here."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from municipalities.permissions import is_programme_staff
from notifications.services import mail_draft
from qmi_portal.links import absolute_url

from ..enums import ApplicationStatus as S
from ..models import Application, ApplicationStatusChange, Call, ReferenceCounter
from .completeness import application_missing

APPLICANT = "applicant"
STAFF = "staff"

# Who may move an application from one status to another. Nothing else exists.
TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED: {APPLICANT}, S.WITHDRAWN: {APPLICANT, STAFF}},
    S.SUBMITTED: {S.ELIGIBLE: {STAFF}, S.INELIGIBLE: {STAFF}, S.WITHDRAWN: {APPLICANT, STAFF}},
    S.ELIGIBLE: {S.UNDER_REVIEW: {STAFF}, S.INELIGIBLE: {STAFF}, S.WITHDRAWN: {STAFF}},
    S.INELIGIBLE: {S.ELIGIBLE: {STAFF}},
    S.UNDER_REVIEW: {S.SHORTLISTED: {STAFF}, S.REJECTED: {STAFF}, S.WITHDRAWN: {STAFF}},
    S.SHORTLISTED: {
        S.SELECTED: {STAFF},
        S.WAITING_LIST: {STAFF},
        S.REJECTED: {STAFF},
        S.WITHDRAWN: {STAFF},
    },
    S.WAITING_LIST: {S.SELECTED: {STAFF}, S.REJECTED: {STAFF}, S.WITHDRAWN: {STAFF}},
    S.SELECTED: {S.WITHDRAWN: {STAFF}},
    S.REJECTED: {},
    S.WITHDRAWN: {},
}
REASON_REQUIRED = {S.INELIGIBLE, S.REJECTED}
DECISIONS = {
    S.SELECTED: "decision_selected",
    S.WAITING_LIST: "decision_waiting_list",
    S.REJECTED: "decision_rejected",
}


class TransitionError(ValidationError):
    """A change the workflow refuses, with a message for the user."""


def allowed_transitions(status) -> dict:
    return TRANSITIONS.get(status, {})


def application_submit_deadline(application):
    """The call's closing time, or later if staff granted this applicant an extension."""
    latest = application.extensions.order_by("-until").values_list("until", flat=True).first()
    closes_at = application.call.closes_at
    return max(closes_at, latest) if latest else closes_at


def application_set_status(
    *,
    application: Application,
    status: str,
    by,
    reason: str = "",
    selected_district=None,
    now=None,
) -> Application:
    """Move an application to ``status``: the only function that assigns a status.

    Checks the transition table and who is acting (the applicant or Paris&Co
    staff), then the guards: to submit, the application is complete, the call
    is open (or the applicant has an extension) and it gets its reference; to
    withdraw, the applicant acts before the deadline; ineligible and rejected
    need a reason; to select, the district is one the application targets and
    its cap is not reached. Side effects, in the same transaction: the history
    row (from, to, who, when, why); on submit the confirmation email is queued
    (sent after commit); on selected / waiting list / rejected the decision
    email is drafted in the outbox, sent only when staff confirm it; a selected
    municipality application creates its innovation district
    (``calls.services.decisions.district_create_from_application``).
    Raises TransitionError (a ValidationError) or PermissionDenied.
    """
    now = now or timezone.now()
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("call", "call__edition")
            .get(pk=application.pk)
        )
        current = application.status
        actors = allowed_transitions(current).get(status)
        if actors is None:
            raise TransitionError(
                _("An application cannot go from “%(from)s” to “%(to)s”.")
                % {"from": S(current).label, "to": S(status).label},
                code="illegal_transition",
            )
        actor = _actor(application, by)
        if actor not in actors:
            raise PermissionDenied(_("You may not make this change."))
        reason = (reason or "").strip()
        if status in REASON_REQUIRED and not reason:
            raise TransitionError(_("Please give a reason."), code="reason_required")

        if status == S.SUBMITTED:
            _guard_submit(application, now)
            application.reference = _next_reference(application.call)
            application.submitted_at = now
        withdrawing_late = (
            status == S.WITHDRAWN
            and actor == APPLICANT
            and current != S.DRAFT
            and now >= application_submit_deadline(application)
        )
        if withdrawing_late:
            raise TransitionError(
                _("The deadline has passed: the application can no longer be withdrawn."),
                code="deadline_passed",
            )
        if status == S.SELECTED:
            _guard_select(application, selected_district)
        if status == S.SELECTED and application.call.is_for_municipalities:
            # Before the status is saved: a selected application needs its district.
            from .decisions import district_create_from_application

            application.selected_district = district_create_from_application(
                application=application
            )

        application.status = status
        application.save()
        if status == S.SELECTED and not application.call.is_for_municipalities:
            from experiments.services.lifecycle import experiment_create_from_application

            experiment_create_from_application(application=application)
        ApplicationStatusChange.objects.create(
            application=application,
            from_status=current,
            to_status=status,
            by=by,
            at=now,
            reason=reason,
        )
        if status == S.SUBMITTED:
            _mail(application, "application_submitted", f"application_submitted:{application.pk}")
        if status in DECISIONS:
            _mail(
                application,
                DECISIONS[status],
                f"decision:{application.pk}:{status}",
                queue=False,
            )
    return application


def _actor(application, by):
    if by is not None and is_programme_staff(by):
        return STAFF
    if by is not None and by.pk == application.applicant_id:
        return APPLICANT
    raise PermissionDenied(_("You may not make this change."))


def _guard_submit(application, now):
    if now < application.call.opens_at:
        raise TransitionError(_("This call is not open yet."), code="not_open")
    if now >= application_submit_deadline(application):
        raise TransitionError(
            _(
                "The deadline has passed: applications to this call closed on %(date)s. "
                "Your draft is kept."
            )
            % {"date": _format(application.call.closes_at)},
            code="deadline_passed",
        )
    missing = application_missing(application)
    if missing:
        raise TransitionError(
            _("The application is not complete: %(missing)s.") % {"missing": "; ".join(missing)},
            code="incomplete",
        )


def _guard_select(application, district):
    call = application.call
    if call.is_for_municipalities:
        return
    district = district or application.selected_district
    if district is None:
        targets = list(application.target_districts.all())
        if len(targets) != 1:
            raise TransitionError(
                _("Choose the district this application is selected for."),
                code="district_required",
            )
        district = targets[0]
    if not application.target_districts.filter(pk=district.pk).exists():
        raise TransitionError(
            _("This application does not target %(district)s.") % {"district": district.name},
            code="district_not_targeted",
        )
    # Lock the call so that two decisions at once cannot both take the last place.
    Call.objects.select_for_update().filter(pk=call.pk).first()
    taken = (
        Application.objects.filter(call=call, status=S.SELECTED, selected_district=district)
        .exclude(pk=application.pk)
        .count()
    )
    if taken >= call.max_selected_per_district:
        raise TransitionError(
            _("%(district)s already has %(count)d selected solutions, the most this call allows.")
            % {"district": district.name, "count": taken},
            code="cap_reached",
        )
    application.selected_district = district


def _next_reference(call) -> str:
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
        edition=call.edition, kind=call.kind
    )
    ReferenceCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    counter.refresh_from_db()
    code = "AMI" if call.is_for_municipalities else "EXP"
    return f"QMI{call.edition.number}-{code}-{counter.last_number:04d}"


def _format(instant, language=None):
    if instant is None:
        return ""
    with translation.override(language or translation.get_language()):
        return date_format(timezone.localtime(instant), "DATETIME_FORMAT")


def _mail(application, code, occurrence_key, queue=True):
    call = application.call
    name = f"{application.contact_first_name} {application.contact_last_name}".strip()
    mail_draft(
        code=code,
        recipient=application.contact_email or application.applicant.email,
        language=application.language,
        occurrence_key=occurrence_key,
        related=application,
        queue=queue,
        context={
            "applicant_name": name,
            "reference": application.reference or "",
            "title": application.title,
            "call_title": _in_language(call, "title", application.language),
            "submitted_at": _format(application.submitted_at, application.language),
            "district_name": application.selected_district.name
            if application.selected_district
            else "",
            "application_url": absolute_url(
                "calls:application_detail", language=application.language, uuid=application.uuid
            ),
        },
    )


def _in_language(obj, field, language):
    return getattr(obj, f"{field}_{language}", None) or getattr(obj, field)
