"""The reminders of calls: the call opens, a draft is not submitted, reviews are not done.

Each kind lists, in one query, the occurrences whose date falls in a rule's
window and that have no mail in the outbox yet (``not_in_outbox``); the
sweep (``notifications.services.reminders_sweep``) renders and inserts them
in bulk. ``still_due`` is asked again just before sending, so a draft
submitted in between gets nothing.
"""

import functools

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from notifications.reminders import Reminder, ReminderKind, not_in_outbox, register, suffix_of
from qmi_portal.links import absolute_url, uuid_url

from ..enums import ApplicationStatus
from ..models import Application, DeadlineExtension, PreRegistration, ReviewAssignment
from .preregistration import preregistration_unsubscribe_headers, preregistration_unsubscribe_url

CHUNK = 2000


@functools.lru_cache(maxsize=1024)
def _format(instant, language) -> str:
    """Many drafts share their call's deadline: formatted once per language."""
    with translation.override(language):
        return date_format(timezone.localtime(instant), "DATETIME_FORMAT")


@functools.lru_cache(maxsize=64)
def _url_pattern(viewname, language, **kwargs) -> str:
    return absolute_url(viewname, language=language, **kwargs)


def _translated(obj, field, language) -> str:
    return getattr(obj, f"{field}_{language}", None) or getattr(obj, field)


def _window(queryset, field, anchor_after, anchor_until):
    queryset = queryset.filter(**{f"{field}__lte": anchor_until})
    if anchor_after is not None:
        queryset = queryset.filter(**{f"{field}__gt": anchor_after})
    return queryset


# The call opens: to confirmed pre-registrations --------------------------------------


def call_open_due(*, anchor_after, anchor_until, key_prefix, now):
    preregistrations = PreRegistration.objects.filter(
        confirmed_at__isnull=False, call__closes_at__gt=now
    )
    preregistrations = _window(preregistrations, "call__opens_at", anchor_after, anchor_until)
    preregistrations = not_in_outbox(
        preregistrations, key_prefix, Cast("pk", output_field=CharField())
    )
    content_type = ContentType.objects.get_for_model(PreRegistration).pk
    for preregistration in preregistrations.select_related("call").iterator(chunk_size=CHUNK):
        call, language = preregistration.call, preregistration.language
        yield Reminder(
            key=preregistration.reminder_key,
            recipient=preregistration.email,
            language=language,
            context={
                "call_title": _translated(call, "title", language),
                "call_url": _url_pattern("calls:call_detail", language, slug=call.slug),
                "closes_at": _format(call.closes_at, language),
                "unsubscribe_url": preregistration_unsubscribe_url(preregistration=preregistration),
            },
            related_type_id=content_type,
            related_id=preregistration.pk,
            headers=preregistration_unsubscribe_headers(preregistration=preregistration),
        )


def call_open_still_due(mails, now) -> set:
    """Still confirmed (not unsubscribed since) and the call still open."""
    ids = PreRegistration.objects.filter(
        pk__in=[mail.related_id for mail in mails],
        confirmed_at__isnull=False,
        call__closes_at__gt=now,
    ).values_list("pk", flat=True)
    ids = set(ids)
    return {mail.pk for mail in mails if mail.related_id in ids}


register(
    ReminderKind(
        code="call_open",
        label=_("The call is open (to pre-registered people)"),
        template_code="call_open",
        due=call_open_due,
        still_due=call_open_still_due,
        defaults=((0, 0),),
        help_text=_("Counted after the call opens; 0 sends it at the opening."),
        after=True,
    )
)


# A draft not submitted before the deadline ----------------------------------------


def drafts_with_deadline():
    """Drafts with their deadline: the call's closing, or later with an extension.

    The extension counts only when it ends after the call closes; its id goes
    into the reminder's key, so an extension gives the applicant reminders
    for the new deadline, while a call merely moved keeps its reminders.
    """
    latest = DeadlineExtension.objects.filter(application=OuterRef("pk")).order_by("-until", "-pk")
    return (
        Application.objects.filter(status=ApplicationStatus.DRAFT)
        .annotate(
            extension_until=Subquery(latest.values("until")[:1], output_field=DateTimeField()),
            extension_id=Subquery(latest.values("pk")[:1], output_field=IntegerField()),
        )
        .annotate(
            deadline=Greatest(
                "call__closes_at",
                Coalesce("extension_until", "call__closes_at"),
                output_field=DateTimeField(),
            )
        )
    )


def draft_deadline_due(*, anchor_after, anchor_until, key_prefix, now):
    drafts = drafts_with_deadline().filter(deadline__gt=now, call__opens_at__lte=now)
    drafts = _window(drafts, "deadline", anchor_after, anchor_until)
    # "<application>:call", or "<application>:<extension>" when an extension sets the deadline.
    extension = Case(
        When(extension_until__gt=F("call__closes_at"), then="extension_id"),
        default=None,
        output_field=IntegerField(),
    )
    suffix = Concat(
        Cast("pk", output_field=CharField()),
        Value(":"),
        Coalesce(Cast(extension, output_field=CharField()), Value("call")),
        output_field=CharField(),
    )
    drafts = not_in_outbox(drafts, key_prefix, suffix)
    content_type = ContentType.objects.get_for_model(Application).pk
    drafts = drafts.select_related("call", "applicant").only(
        "pk",
        "uuid",
        "language",
        "contact_first_name",
        "contact_last_name",
        "contact_email",
        "solution_name",
        "organisation_name",
        "town_name",
        "district_name",
        "applicant__email",
        "applicant__first_name",
        "applicant__last_name",
        "call__kind",
        "call__title",
        "call__title_fr",
        "call__title_en",
    )
    for application in drafts.iterator(chunk_size=CHUNK):
        language = application.language
        name = f"{application.contact_first_name} {application.contact_last_name}".strip()
        yield Reminder(
            key=application.reminder_key,
            recipient=application.contact_email or application.applicant.email,
            language=language,
            context={
                "applicant_name": name or application.applicant.get_full_name(),
                "title": application.title,
                "call_title": _translated(application.call, "title", language),
                "deadline": _format(application.deadline, language),
                "application_url": uuid_url(
                    "calls:application_detail",
                    application.uuid,
                    language=language,
                    absolute=True,
                ),
            },
            related_type_id=content_type,
            related_id=application.pk,
        )


def draft_deadline_still_due(mails, now) -> set:
    """Still a draft (not submitted, not withdrawn) and its deadline not passed."""
    ids = set(
        drafts_with_deadline()
        .filter(pk__in=[mail.related_id for mail in mails], deadline__gt=now)
        .values_list("pk", flat=True)
    )
    return {mail.pk for mail in mails if mail.related_id in ids}


register(
    ReminderKind(
        code="application_draft_deadline",
        label=_("An application not submitted, before the deadline"),
        template_code="application_draft_reminder",
        due=draft_deadline_due,
        still_due=draft_deadline_still_due,
        defaults=((7, 0), (2, 0), (1, 0)),
        help_text=_(
            "Counted before the deadline (the call's closing, or an extension); "
            "never after the application is submitted or withdrawn."
        ),
    )
)


# Reviews not finished before the review deadline ----------------------------------


def _pending_assignments():
    return ReviewAssignment.objects.filter(
        completed_at__isnull=True,
        conflict_declared_at__isnull=True,
        application__status=ApplicationStatus.UNDER_REVIEW,
        application__call__review_deadline__isnull=False,
        reviewer__is_active=True,
    )


def review_deadline_due(*, anchor_after, anchor_until, key_prefix, now):
    """One mail per reviewer and call, however many reviews are left."""
    from django.contrib.auth import get_user_model

    pending = _window(
        _pending_assignments().filter(application__call__review_deadline__gt=now),
        "application__call__review_deadline",
        anchor_after,
        anchor_until,
    )
    groups = (
        pending.order_by()
        .values("reviewer_id", "application__call_id")
        .annotate(count=Count("pk"))
        .annotate(
            reminder_key=Concat(
                Value(key_prefix),
                Cast("application__call_id", output_field=CharField()),
                Value(":"),
                Cast("reviewer_id", output_field=CharField()),
                output_field=CharField(),
            )
        )
    )
    groups = list(groups)
    if not groups:
        return
    from notifications.models import OutgoingMail

    existing = set(
        OutgoingMail.objects.filter(
            occurrence_key__in=[group["reminder_key"] for group in groups]
        ).values_list("occurrence_key", flat=True)
    )
    groups = [group for group in groups if group["reminder_key"] not in existing]
    users = get_user_model().objects.in_bulk({group["reviewer_id"] for group in groups})
    from ..models import Call

    calls = Call.objects.in_bulk({group["application__call_id"] for group in groups})
    content_type = ContentType.objects.get_for_model(Call).pk
    for group in groups:
        reviewer, call = users[group["reviewer_id"]], calls[group["application__call_id"]]
        language = "fr"
        yield Reminder(
            key=group["reminder_key"],
            recipient=reviewer.email,
            language=language,
            context={
                "reviewer_name": reviewer.get_full_name() or reviewer.username,
                "count": group["count"],
                "call_title": _translated(call, "title", language),
                "deadline": _format(call.review_deadline, language),
                "reviews_url": _url_pattern("calls:review_list", language),
            },
            related_type_id=content_type,
            related_id=call.pk,
        )


def review_deadline_still_due(mails, now) -> set:
    """The reviewer still has reviews to finish in that call, before its deadline."""
    wanted = {}
    for mail in mails:
        call_id, reviewer_id = suffix_of(mail.occurrence_key).split(":")
        wanted[(int(call_id), int(reviewer_id))] = mail.pk
    pending = set(
        _pending_assignments()
        .filter(
            application__call_id__in={call for call, _ in wanted},
            reviewer_id__in={reviewer for _, reviewer in wanted},
            application__call__review_deadline__gt=now,
        )
        .values_list("application__call_id", "reviewer_id")
        .distinct()
    )
    return {pk for pair, pk in wanted.items() if pair in pending}


register(
    ReminderKind(
        code="review_deadline",
        label=_("Reviews not finished, before the review deadline"),
        template_code="review_reminder",
        due=review_deadline_due,
        still_due=review_deadline_still_due,
        defaults=((7, 0), (1, 0)),
        help_text=_("Counted before the call's review deadline; one mail per reviewer and call."),
    )
)

CALL_REMINDERS = ["call_open", "application_draft_deadline", "review_deadline"]
