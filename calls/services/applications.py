"""What applicants change in their applications: drafts, steps, team, files.

Status changes (submit, withdraw) go through ``workflow.application_set_status``;
nothing here assigns a status. Every service checks that the person acting is
the applicant and that the application is still a draft.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..enums import ApplicationStatus, AttachmentKind, CallState
from ..models import Application, Attachment, Call, TeamMember
from ..uploads import MAX_IMAGES, upload_check, upload_sha256
from .workflow import application_set_status

logger = logging.getLogger(__name__)

MAX_TEAM_MEMBERS = 20
# One file of these kinds: a new one replaces the previous one.
SINGLE_KINDS = {AttachmentKind.PRESENTATION, AttachmentKind.COUNCIL_DECISION}
KINDS_FOR_EXPERIMENTERS = {AttachmentKind.PRESENTATION, AttachmentKind.IMAGE}
KINDS_FOR_MUNICIPALITIES = {AttachmentKind.COUNCIL_DECISION}


class ApplicationLocked(ValidationError):
    """The application is no longer a draft: nothing in it may change."""


def application_create(*, call: Call, applicant, language: str = "fr", now=None) -> Application:
    """Start a draft for this call, or return the applicant's unfinished draft for it.

    The call must be open (from the clock). The contact is prefilled from the
    account.
    """
    now = now or timezone.now()
    if call.state_at(now) != CallState.OPEN:
        raise ValidationError(
            _(
                "Applications to this call are not open: it opens on %(opens)s "
                "and closes on %(closes)s."
            )
            % {
                "opens": date_format(timezone.localtime(call.opens_at), "DATETIME_FORMAT"),
                "closes": date_format(timezone.localtime(call.closes_at), "DATETIME_FORMAT"),
            },
            code="call_not_open",
        )
    with transaction.atomic():
        # One starter at a time per person: a double click makes one draft.
        get_user_model().objects.select_for_update().filter(pk=applicant.pk).first()
        draft = (
            Application.objects.filter(
                call=call, applicant=applicant, status=ApplicationStatus.DRAFT
            )
            .order_by("-updated_at")
            .first()
        )
        if draft is not None:
            return draft
        return Application.objects.create(
            call=call,
            applicant=applicant,
            language=language if language in ("fr", "en") else "fr",
            contact_first_name=(applicant.first_name or "")[:100],
            contact_last_name=(applicant.last_name or "")[:100],
            contact_email=applicant.email or "",
        )


def application_update_step(
    *,
    application: Application,
    step: str,
    values: dict,
    by,
    locked: bool = False,
) -> Application:
    """Save the valid values of one step of a draft and note whether the step is complete.

    ``values`` holds already validated values of Application fields (many-to-many
    ones as lists; ``expected_impacts`` merged criterion by criterion, codes of
    the call only). ``locked``: the caller read ``application`` in the current
    transaction with its row locked (``select_for_update``), so it is not read again.
    """
    from ..flow import flow_for

    # Locked: part of the caller's transaction, no savepoint of its own (two round trips).
    with transaction.atomic(savepoint=not locked):
        if locked:
            _check_draft(application, by)
        else:
            application = _lock_draft_row(application, by)
        flow = flow_for(application)
        current = flow.get(application, step)
        if current is None:
            raise ValidationError(_("This step does not exist."), code="unknown_step")
        many = {}
        update_fields = {"updated_at", "completed_steps"}
        for name, value in values.items():
            field = application._meta.get_field(name)
            if field.many_to_many:
                many[name] = value
            elif name == "expected_impacts":
                codes = set(application.call.criteria.values_list("code", flat=True))
                impacts = dict(application.expected_impacts or {})
                impacts.update({code: text for code, text in value.items() if code in codes})
                application.expected_impacts = impacts
                update_fields.add(name)
            else:
                setattr(application, name, value)
                update_fields.add(name)
        for name, value in many.items():
            getattr(application, name).set(value)
        if "consents_publication" in update_fields:
            # Nothing is published without a consent recorded with its time.
            from .privacy import publication_consent_note

            publication_consent_note(application=application)
            update_fields.add("consents_publication_at")
        _note_completion(application, [current.identifier])
        application.save(update_fields=sorted(update_fields))
    return application


def team_members_update(*, application: Application, rows: list[dict], by) -> list:
    """Add, change and remove team members; return the member saved for each row.

    A row is ``{"id": pk or None, "name", "role", "email", "delete": bool}``.
    An id that is not one of this application's members is ignored (a stale
    page, or someone else's member: never touched). A few queries whatever the
    number of rows.
    """
    fields = ("name", "role", "email")
    with transaction.atomic():
        application = _lock_draft(application, by)
        existing = {member.pk: member for member in application.team_members.all()}
        room = MAX_TEAM_MEMBERS - len(existing)
        saved, changed, created, deleted = [], [], [], []
        for row in rows:
            pk = row.get("id")
            member = existing.get(pk) if pk else None
            if (pk and member is None) or (row.get("delete") and member is None):
                saved.append(None)
                continue
            if row.get("delete"):
                deleted.append(member.pk)
                room += 1
                saved.append(None)
                continue
            data = {key: (row.get(key) or "").strip() for key in fields}
            if member is None:
                if not data["name"]:
                    saved.append(None)
                    continue
                member = TeamMember(application=application, **data)
                created.append(member)
            elif any(getattr(member, key) != value for key, value in data.items()):
                for key, value in data.items():
                    setattr(member, key, value)
                changed.append(member)
            saved.append(member)
        if deleted:
            TeamMember.objects.filter(application=application, pk__in=deleted).delete()
        if changed:
            TeamMember.objects.bulk_update(changed, fields)
        # Beyond the most members allowed, new rows are dropped.
        kept = created[: max(room, 0)]
        if kept:
            TeamMember.objects.bulk_create(kept)
        dropped = {id(member) for member in created[len(kept) :]}
        saved = [None if id(member) in dropped else member for member in saved]
    return saved


def attachment_add(*, application: Application, kind: str, upload, by) -> Attachment:
    """Check and store a file under a random name in the private storage.

    Refused (ValidationError) when empty, oversize or not of the expected type,
    or beyond five images. A new presentation or council decision replaces the
    previous one only once the new file is safely stored.
    """
    checked = upload_check(upload, kind=kind)
    digest = upload_sha256(upload)
    with transaction.atomic():
        application = _lock_draft(application, by)
        allowed = (
            KINDS_FOR_MUNICIPALITIES
            if application.call.is_for_municipalities
            else KINDS_FOR_EXPERIMENTERS
        )
        if kind not in allowed:
            raise ValidationError(_("This kind of file is not expected here."), code="kind")
        previous = list(application.attachments.filter(kind=kind))
        if kind == AttachmentKind.IMAGE and len(previous) >= MAX_IMAGES:
            raise ValidationError(
                _("You can send at most %(count)d images: remove one first.")
                % {"count": MAX_IMAGES},
                code="too_many_images",
            )
        attachment = Attachment(
            application=application,
            kind=kind,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=upload.size,
            sha256=digest,
        )
        attachment.file.save("upload", upload, save=False)
        stored = (attachment.file.storage, attachment.file.name)
        try:
            attachment.save()
            if kind in SINGLE_KINDS:
                for old in previous:
                    _delete_attachment(old)
            _note_completion(application, ["attachments"])
            application.save(update_fields=["completed_steps", "updated_at"])
        except Exception:
            # The row is rolled back: do not leave its file behind.
            _delete_quietly(*stored)
            raise
    return attachment


def attachment_delete(*, attachment: Attachment, by) -> Application:
    with transaction.atomic():
        application = _lock_draft(attachment.application, by)
        attachment = application.attachments.get(pk=attachment.pk)
        _delete_attachment(attachment)
        _note_completion(application, ["attachments"])
        application.save(update_fields=["completed_steps", "updated_at"])
    return application


def application_submit(*, application: Application, by, declarations: dict, now=None):
    """Record the declarations, then submit through the workflow.

    The declarations are saved first, on their own: a refused submission (the
    deadline passed, something missing) keeps them with the rest of the draft.
    """
    application = application_update_step(
        application=application, step="review", values=declarations, by=by
    )
    return application_set_status(
        application=application, status=ApplicationStatus.SUBMITTED, by=by, now=now
    )


def _lock_draft_row(application, by) -> Application:
    """Lock the draft's row and read again what another request may have changed since
    ``application`` was read: its status, owner, completed steps and impacts (merged).

    A step's save writes only its own fields and these: the rest of the row is not read
    again (a full read with the call is the most expensive part of an autosave).
    """
    try:
        row = (
            Application.objects.select_for_update(of=("self",))
            .values("status", "applicant_id", "completed_steps", "expected_impacts")
            .get(pk=application.pk)
        )
    except Application.DoesNotExist as error:
        raise PermissionDenied(_("You may not change this application.")) from error
    for name, value in row.items():
        setattr(application, name, value)
    _check_draft(application, by)
    return application


def _lock_draft(application, by) -> Application:
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "call__edition")
        .get(pk=application.pk)
    )
    _check_draft(application, by)
    return application


def _check_draft(application, by) -> None:
    if by is None or application.applicant_id != by.pk:
        raise PermissionDenied(_("You may not change this application."))
    if application.status != ApplicationStatus.DRAFT:
        raise ApplicationLocked(
            _("This application has been submitted: it can no longer be changed."),
            code="locked",
        )


def _note_completion(application, identifiers: list[str]) -> None:
    """Update ``completed_steps`` for the given steps, from what is saved."""
    from ..flow import flow_for

    flow = flow_for(application)
    done = [name for name in (application.completed_steps or []) if flow.get(application, name)]
    for identifier in identifiers:
        step = flow.get(application, identifier)
        if step is None:
            continue
        if step.is_completed(application):
            if identifier not in done:
                done.append(identifier)
        elif identifier in done:
            done.remove(identifier)
    application.completed_steps = done


def _delete_attachment(attachment) -> None:
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: _delete_quietly(storage, name))


def _delete_quietly(storage, name) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.warning("Could not delete the attachment file %s", name)
