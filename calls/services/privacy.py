"""Personal data: how long it is kept, a copy for the person, erasure.

Retention (``privacy_apply_retention``, every night from beat):

- an unsuccessful application (ineligible, rejected, withdrawn) is
  anonymised ``RETENTION_UNSUCCESSFUL_DAYS`` after it ended (its last status
  change, or the call's closing, whichever is later): its files and team are
  deleted, every text that may identify someone is emptied, the numbers
  (status, dates, call, districts, themes, legal form, country, scores) stay
  for the programme's statistics;
- a draft never submitted is deleted, with its files, the same number of days
  after its call closed (or after the extension staff granted);
- a pre-registration is deleted ``RETENTION_PREREGISTRATION_DAYS`` after its
  call closed; sign-in links a day after they were asked for;
- an applicant account whose applications are all anonymised or gone and that
  has not signed in for ``RETENTION_UNSUCCESSFUL_DAYS`` is anonymised.

Each run is a ``RetentionRun`` row: when, with which periods, how many of
each. Erasure (``applicant_erase``) applies the same anonymisation at once to
everything of one person, on their ``ErasureRequest``, by Paris&Co staff; the
request then keeps who erased and when, never the data.
"""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest, Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from municipalities.permissions import is_programme_staff
from notifications.enums import MailStatus
from notifications.models import OutgoingMail

from ..enums import ApplicationStatus as S
from ..models import (
    Application,
    ApplicationStatusChange,
    Attachment,
    DeadlineExtension,
    ErasureRequest,
    MunicipalityOpinion,
    PreRegistration,
    RetentionRun,
    ReviewAssignment,
    Score,
    SignInLink,
)

logger = logging.getLogger(__name__)

UNSUCCESSFUL = (S.INELIGIBLE, S.REJECTED, S.WITHDRAWN)
# Still being decided: erasure withdraws them first, through the workflow.
IN_PROGRESS = (S.SUBMITTED, S.ELIGIBLE, S.UNDER_REVIEW, S.SHORTLISTED, S.WAITING_LIST)
SIGNIN_LINK_RETENTION = dt.timedelta(days=1)

# Every field of an application that may identify a person, and its empty value.
PERSONAL_FIELDS = {
    "organisation_name": "",
    "siret": "",
    "website": "",
    "contact_first_name": "",
    "contact_last_name": "",
    "contact_email": "",
    "contact_phone": "",
    "contact_role": "",
    "solution_name": "",
    "solution_summary": "",
    "solution_description": "",
    "expected_impacts": {},
    "site_needs": "",
    "town_mayor": "",
    "priority_challenge": "",
    "district_description": "",
    "motivation": "",
    "commitments": "",
    "consents_publication": False,
    "consents_publication_at": None,
}


class ErasureRefused(ValidationError):
    """Staff cannot erase this person's data now, for the reason given."""


# Consent to publication ---------------------------------------------------------------


def publication_consent_note(*, application: Application, now=None) -> Application:
    """Set when the consent to publication was given (kept while it stands), or clear it.

    Called wherever ``consents_publication`` is saved from the applicant's
    answer; does not save.
    """
    if application.consents_publication:
        if application.consents_publication_at is None:
            application.consents_publication_at = now or timezone.now()
    else:
        application.consents_publication_at = None
    return application


def applications_publishable() -> QuerySet[Application]:
    """What a public showcase may show: selected, with a recorded consent, not anonymised."""
    return Application.objects.filter(
        status=S.SELECTED,
        consents_publication=True,
        consents_publication_at__isnull=False,
        anonymised_at__isnull=True,
    )


# Anonymisation and deletion -------------------------------------------------------------


def application_anonymise(*, application: Application, now=None) -> dict:
    """Wipe what identifies a person in one application; keep what makes statistics.

    Side effects: files deleted from storage and their rows; team members
    deleted; personal fields emptied (PERSONAL_FIELDS), consent withdrawn;
    reasons in the status history, deadline extensions, reviews and town
    opinions emptied (scores and opinions themselves stay); the emails about
    it cancelled if unsent, and emptied. Idempotent. Returns counts.
    """
    now = now or timezone.now()
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.anonymised_at is not None:
            return {"applications_anonymised": 0, "files_deleted": 0}
        files = _attachments_delete(Attachment.objects.filter(application=application))
        application.team_members.all().delete()
        for name, empty in PERSONAL_FIELDS.items():
            setattr(application, name, empty)
        application.anonymised_at = now
        application.save(update_fields=[*PERSONAL_FIELDS, "anonymised_at", "updated_at"])
        ApplicationStatusChange.objects.filter(application=application).update(reason="")
        DeadlineExtension.objects.filter(application=application).update(reason="")
        assignments = ReviewAssignment.objects.filter(application=application)
        assignments.update(comment="", conflict_reason="")
        Score.objects.filter(assignment__in=assignments).update(comment="")
        MunicipalityOpinion.objects.filter(application=application).update(comment="")
        _mails_redact(_mails_about(Application, [application.pk]))
    return {"applications_anonymised": 1, "files_deleted": files}


def application_delete_draft(*, application: Application) -> dict:
    """Delete a draft that was never submitted, with its files (nothing to keep)."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .filter(pk=application.pk, status=S.DRAFT)
            .first()
        )
        if application is None:
            return {"drafts_deleted": 0, "files_deleted": 0}
        files = _attachments_delete(Attachment.objects.filter(application=application))
        _mails_about(Application, [application.pk]).delete()
        application.delete()
    return {"drafts_deleted": 1, "files_deleted": files}


def account_anonymise(*, user) -> None:
    """An applicant's account without name or address: it cannot sign in again.

    Signing in by email later makes a new account. The row stays because
    history (status changes, erasure requests) points to it.
    """
    user.username = f"erased-{user.pk}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(
        update_fields=["username", "email", "first_name", "last_name", "is_active", "password"]
    )


# Retention ------------------------------------------------------------------------------


def applications_past_retention(*, now=None, days: int | None = None) -> QuerySet[Application]:
    """Unsuccessful applications and never-submitted drafts whose time is up."""
    now = now or timezone.now()
    days = settings.RETENTION_UNSUCCESSFUL_DAYS if days is None else days
    last_change = (
        ApplicationStatusChange.objects.filter(application=OuterRef("pk"))
        .order_by("-at")
        .values("at")[:1]
    )
    last_extension = (
        DeadlineExtension.objects.filter(application=OuterRef("pk"))
        .order_by("-until")
        .values("until")[:1]
    )
    closes = F("call__closes_at")
    return (
        Application.objects.filter(anonymised_at__isnull=True)
        .filter(Q(status__in=UNSUCCESSFUL) | Q(status=S.DRAFT))
        .annotate(
            ended_at=Greatest(
                closes,
                Coalesce(Subquery(last_change), closes),
                Coalesce(Subquery(last_extension), closes),
            )
        )
        .filter(ended_at__lt=now - dt.timedelta(days=days))
        .order_by("pk")
    )


def preregistrations_past_retention(*, now=None, days: int | None = None):
    now = now or timezone.now()
    days = settings.RETENTION_PREREGISTRATION_DAYS if days is None else days
    return PreRegistration.objects.filter(call__closes_at__lt=now - dt.timedelta(days=days))


def accounts_past_retention(*, now=None, days: int | None = None):
    """Applicants' accounts with nothing left to keep and unused for the period.

    Only accounts that sign in by email link: no password, not staff, no role
    (group), no town, no review to do; none of their applications is still
    identifiable.
    """
    now = now or timezone.now()
    days = settings.RETENTION_UNSUCCESSFUL_DAYS if days is None else days
    cutoff = now - dt.timedelta(days=days)
    return (
        get_user_model()
        .objects.filter(
            is_staff=False,
            is_superuser=False,
            is_active=True,
            groups__isnull=True,
            # An unusable password: the account signs in only by email link.
            password__startswith=UNUSABLE_PASSWORD_PREFIX,
            municipality_memberships__isnull=True,
            review_assignments__isnull=True,
        )
        .exclude(
            Exists(Application.objects.filter(applicant=OuterRef("pk"), anonymised_at__isnull=True))
        )
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .distinct()
        .order_by("pk")
    )


def privacy_apply_retention(*, now=None, by=None) -> RetentionRun:
    """Apply every retention period once and log the run (see the module docstring).

    Each application is handled in its own transaction, so a failure half-way
    keeps what was done; the run row then holds the error, and the next run
    picks up the rest.
    """
    now = now or timezone.now()
    run = RetentionRun.objects.create(
        started_at=now,
        triggered_by=by,
        unsuccessful_days=settings.RETENTION_UNSUCCESSFUL_DAYS,
        preregistration_days=settings.RETENTION_PREREGISTRATION_DAYS,
    )
    counts = dict.fromkeys(
        [
            "applications_anonymised",
            "drafts_deleted",
            "files_deleted",
            "preregistrations_deleted",
            "signin_links_deleted",
            "accounts_anonymised",
        ],
        0,
    )
    try:
        for application in applications_past_retention(now=now).only("pk", "status").iterator():
            if application.status == S.DRAFT:
                done = application_delete_draft(application=application)
            else:
                done = application_anonymise(application=application, now=now)
            for key, value in done.items():
                counts[key] += value
        with transaction.atomic():
            expired = list(preregistrations_past_retention(now=now).values_list("pk", flat=True))
            _mails_about(PreRegistration, expired).delete()
            counts["preregistrations_deleted"] = PreRegistration.objects.filter(
                pk__in=expired
            ).delete()[0]
        with transaction.atomic():
            old_links = list(
                SignInLink.objects.filter(created_at__lt=now - SIGNIN_LINK_RETENTION).values_list(
                    "pk", flat=True
                )
            )
            _mails_about(SignInLink, old_links).delete()
            counts["signin_links_deleted"] = SignInLink.objects.filter(pk__in=old_links).delete()[0]
        for user in accounts_past_retention(now=now).iterator():
            with transaction.atomic():
                _mails_redact(OutgoingMail.objects.filter(recipient__iexact=user.email))
                account_anonymise(user=user)
            counts["accounts_anonymised"] += 1
    except Exception as error:
        _run_save(run, counts, error=f"{type(error).__name__}: {error}")
        logger.exception("Retention run %s failed.", run.pk)
        raise
    _run_save(run, counts)
    logger.info("Retention run %s: %s", run.pk, counts)
    return run


def _run_save(run, counts, error=""):
    for key, value in counts.items():
        setattr(run, key, value)
    run.error = error[:2000]
    run.finished_at = timezone.now()
    run.save()


# A copy of one's data ---------------------------------------------------------------


def applicant_data_export(*, user) -> dict:
    """Everything the portal keeps about an applicant, as JSON-ready data.

    Their account, their applications (every field they filled in, team,
    the list of their files, status history with who acted as "you" or
    "programme staff"), their pre-registrations and erasure requests.
    """
    applications = (
        Application.objects.filter(applicant=user)
        .select_related("call", "selected_district")
        .prefetch_related(
            "themes", "target_districts", "team_members", "attachments", "status_changes"
        )
        .order_by("created_at")
    )
    email = (user.email or "").strip()
    preregistrations = (
        PreRegistration.objects.alias(email_lower=Lower("email"))
        .filter(email_lower=email.lower())
        .select_related("call")
        .order_by("created_at")
        if email
        else PreRegistration.objects.none()
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "applications": [_application_data(application, user) for application in applications],
        "preregistrations": [
            {
                "call": preregistration.call.title,
                "email": preregistration.email,
                "language": preregistration.language,
                "consent_text": preregistration.consent_text,
                "consented_at": _iso(preregistration.consented_at),
                "confirmed_at": _iso(preregistration.confirmed_at),
            }
            for preregistration in preregistrations
        ],
        "erasure_requests": [
            {"requested_at": _iso(request.requested_at), "executed_at": _iso(request.executed_at)}
            for request in user.erasure_requests.order_by("requested_at")
        ],
    }


def _application_data(application, user) -> dict:
    skip = {"id", "applicant", "call", "selected_district", "created_municipality"}
    fields = {}
    for field in application._meta.concrete_fields:
        if field.name in skip:
            continue
        value = getattr(application, field.attname)
        fields[field.name] = _plain(value)
    return {
        "call": application.call.title,
        **fields,
        "status_label": application.get_status_display(),
        "selected_district": application.selected_district.name
        if application.selected_district
        else None,
        "themes": [theme.name for theme in application.themes.all()],
        "target_districts": [district.name for district in application.target_districts.all()],
        "team": [
            {"name": member.name, "role": member.role, "email": member.email}
            for member in application.team_members.all()
        ],
        "attachments": [
            {
                "kind": attachment.kind,
                "name": attachment.original_name,
                "type": attachment.content_type,
                "size": attachment.size,
                "sha256": attachment.sha256,
                "uploaded_at": _iso(attachment.uploaded_at),
            }
            for attachment in application.attachments.all()
        ],
        "status_history": [
            {
                "from": change.from_status,
                "to": change.to_status,
                "at": _iso(change.at),
                "by": "you" if change.by_id == user.pk else "programme staff",
                "reason": change.reason,
            }
            for change in application.status_changes.all()
        ],
    }


# Erasure ---------------------------------------------------------------------------------


def erasure_request_create(*, user, now=None) -> ErasureRequest:
    """The applicant asks for erasure; a second ask returns the pending request."""
    if user.is_staff or user.is_superuser:
        raise ErasureRefused(
            _("Staff accounts are closed by the programme team, not from this page."),
            code="staff",
        )
    pending = ErasureRequest.objects.filter(requested_by=user, executed_at__isnull=True).first()
    if pending is not None:
        return pending
    try:
        with transaction.atomic():
            return ErasureRequest.objects.create(
                requested_by=user, requested_at=now or timezone.now()
            )
    except IntegrityError:  # asked twice at once
        return ErasureRequest.objects.get(requested_by=user, executed_at__isnull=True)


def applicant_erase(*, erasure_request: ErasureRequest, by, now=None) -> ErasureRequest:
    """Erase everything of the person who asked, as Paris&Co staff.

    Refused (ErasureRefused) for a staff account or one with a role, and
    while an application is selected (the experiment agreement needs it:
    staff withdraw it first if the person leaves the programme). Side
    effects: applications still being decided are withdrawn through the
    workflow (history: by whom, "erasure requested"); drafts deleted; every
    other application anonymised (``application_anonymise``); their
    pre-registrations and sign-in links deleted, emails to them emptied; the
    account anonymised (``account_anonymise``). The request records who
    erased, when, and the counts.
    """
    from .workflow import application_set_status

    if not is_programme_staff(by):
        raise PermissionDenied(_("Only Paris&Co staff may erase personal data."))
    now = now or timezone.now()
    with transaction.atomic():
        erasure_request = (
            ErasureRequest.objects.select_for_update()
            .select_related("requested_by")
            .get(pk=erasure_request.pk)
        )
        if erasure_request.executed_at is not None:
            raise ErasureRefused(_("This request was already carried out."), code="done")
        user = erasure_request.requested_by
        if user.is_staff or user.is_superuser or user.groups.exists():
            raise ErasureRefused(
                _(
                    "This account has a role in the programme (staff, reviewer or town): "
                    "remove its roles first."
                ),
                code="has_role",
            )
        applications = list(Application.objects.filter(applicant=user).order_by("pk"))
        selected = [a for a in applications if a.status == S.SELECTED]
        if selected:
            raise ErasureRefused(
                _(
                    "%(reference)s is selected: its data is needed while the experiment "
                    "runs. Withdraw it first if this person leaves the programme."
                )
                % {"reference": selected[0].reference},
                code="selected",
            )
        counts = {
            "applications_withdrawn": 0,
            "applications_anonymised": 0,
            "drafts_deleted": 0,
            "files_deleted": 0,
            "preregistrations_deleted": 0,
            "signin_links_deleted": 0,
        }
        for application in applications:
            if application.status in IN_PROGRESS:
                application_set_status(
                    application=application,
                    status=S.WITHDRAWN,
                    by=by,
                    reason=_("Erasure of personal data requested by the applicant."),
                    now=now,
                )
                counts["applications_withdrawn"] += 1
            if application.status == S.DRAFT:
                done = application_delete_draft(application=application)
            else:
                done = application_anonymise(application=application, now=now)
            for key, value in done.items():
                counts[key] += value
        emails = {e for e in [(user.email or "").strip().lower(), user.username.lower()] if e}
        if emails:
            preregistrations = list(
                PreRegistration.objects.alias(email_lower=Lower("email"))
                .filter(email_lower__in=emails)
                .values_list("pk", flat=True)
            )
            _mails_about(PreRegistration, preregistrations).delete()
            counts["preregistrations_deleted"] = PreRegistration.objects.filter(
                pk__in=preregistrations
            ).delete()[0]
            links = list(
                SignInLink.objects.alias(email_lower=Lower("email"))
                .filter(email_lower__in=emails)
                .values_list("pk", flat=True)
            )
            _mails_about(SignInLink, links).delete()
            counts["signin_links_deleted"] = SignInLink.objects.filter(pk__in=links).delete()[0]
            _mails_redact(
                OutgoingMail.objects.alias(recipient_lower=Lower("recipient")).filter(
                    recipient_lower__in=emails
                )
            )
        account_anonymise(user=user)
        erasure_request.executed_at = now
        erasure_request.executed_by = by
        erasure_request.summary = counts
        erasure_request.save(update_fields=["executed_at", "executed_by", "summary"])
    logger.info("Erasure request %s carried out by user %s: %s", erasure_request.pk, by.pk, counts)
    return erasure_request


# Helpers ---------------------------------------------------------------------------------


def _attachments_delete(attachments) -> int:
    """Delete the files (after commit, so a rollback keeps them) and their rows."""
    names = [(a.file.storage, a.file.name) for a in attachments if a.file.name]
    attachments.delete()

    def remove():
        for storage, name in names:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("Could not delete a private file (%s).", name)

    transaction.on_commit(remove)
    return len(names)


def _mails_about(model, ids) -> QuerySet[OutgoingMail]:
    if not ids:
        return OutgoingMail.objects.none()
    return OutgoingMail.objects.filter(
        related_type=ContentType.objects.get_for_model(model), related_id__in=list(ids)
    )


def _mails_redact(mails) -> int:
    """Unsent mails are cancelled; every one loses its recipient, subject and body."""
    mails.filter(status__in=[MailStatus.DRAFT, MailStatus.QUEUED, MailStatus.FAILED]).update(
        status=MailStatus.CANCELLED
    )
    return mails.update(recipient="", subject="", body="", headers={}, last_error="")


def _iso(value):
    return value.isoformat() if value else None


def _plain(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "hex") and not isinstance(value, bytes | str | int | float):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)
