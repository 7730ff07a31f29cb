"""The reminders of experiments: milestones due soon, then late; progress reports due;
programme events the day before.

Each kind lists the occurrences whose date falls in a rule's window and that
have no mail in the outbox yet; the sweep (``notifications.services.
reminders_sweep``) writes them in bulk, the unique occurrence key making each
one exactly once. ``still_due`` is asked again just before sending: a
milestone done, an experiment ended or abandoned, a report submitted or a
registration cancelled in between gets nothing.

Milestone and report dates are days: a milestone is "due" at the start of its
due date (Paris time) and becomes late at the start of the following day,
which is when the "late" rules start counting.
"""

import datetime as dt
import functools

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from notifications.models import OutgoingMail
from notifications.reminders import Reminder, ReminderKind, not_in_outbox, register, suffix_of
from qmi_portal.links import absolute_url, uuid_url

from .enums import ExperimentStatus, RegistrationStatus, ReportStatus
from .models import EventRegistration, Experiment, Milestone, ProgressReport
from .permissions import REPORTING_STATUSES
from .selectors import report_due_dates

CHUNK = 2000
# Ended or abandoned experiments get no reminder at all.
UNTRACKED = (ExperimentStatus.ENDED, ExperimentStatus.ABANDONED)
EXPERIMENTER, MANAGER = "experimenter", "manager"
STAFF_LANGUAGE = "fr"


@functools.lru_cache(maxsize=256)
def _date(day: dt.date, language: str) -> str:
    with translation.override(language):
        return date_format(day, "DATE_FORMAT")


def _url(viewname: str, language: str, uuid) -> str:
    return uuid_url(viewname, uuid, language=language, absolute=True)


def _day(instant: dt.datetime) -> dt.date:
    return timezone.localtime(instant).date()


def _translated(obj, field, language) -> str:
    return getattr(obj, f"{field}_{language}", None) or getattr(obj, field)


def _experimenter_address(experiment) -> str:
    if experiment.experimenter_id and experiment.experimenter.email:
        return experiment.experimenter.email
    return experiment.contact_email


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


# Milestones: due soon (before the due date), then late (after it) -----------------


def _open_milestones():
    return Milestone.objects.filter(done_date__isnull=True).exclude(
        experiment__status__in=UNTRACKED
    )


def _with_recipient(milestones, key_prefix: str, recipient: str):
    """The milestones whose reminder to ``recipient`` is not in the outbox yet."""
    if recipient == MANAGER:
        milestones = milestones.filter(experiment__project_manager__isnull=False)
    suffix = Concat(Cast("pk", output_field=CharField()), Value(f":{recipient}"))
    return not_in_outbox(milestones, key_prefix, suffix)


def _milestone_reminders(milestones, key_prefix):
    content_type = ContentType.objects.get_for_model(Milestone).pk
    for recipient in (EXPERIMENTER, MANAGER):
        rows = _with_recipient(milestones, key_prefix, recipient).select_related(
            "experiment__experimenter",
            "experiment__project_manager",
            "experiment__district__municipality",
        )
        for milestone in rows.order_by("pk").iterator(chunk_size=CHUNK):
            experiment = milestone.experiment
            if recipient == EXPERIMENTER:
                address, language = _experimenter_address(experiment), experiment.language
                name, view = _person(experiment.experimenter), "experiments:experiment_detail"
            else:
                manager = experiment.project_manager
                address, language = manager.email, STAFF_LANGUAGE
                name, view = _person(manager), "municipalities:dashboard_experiment"
            if not address:
                continue
            with translation.override(language):
                label = str(milestone.label)
            yield Reminder(
                key=milestone.reminder_key,
                recipient=address,
                language=language,
                context={
                    "name": name,
                    "milestone": label,
                    "due_date": _date(milestone.due_date, language),
                    "solution_name": experiment.solution_name,
                    "organisation_name": experiment.organisation_name,
                    "district": f"{experiment.district.name} – "
                    f"{experiment.district.municipality.name}",
                    "experiment_url": _url(view, language, experiment.uuid),
                },
                related_type_id=content_type,
                related_id=milestone.pk,
            )


def milestone_due_soon_due(*, anchor_after, anchor_until, key_prefix, now):
    # Due at the start of its due date: in the window when that day is.
    milestones = _open_milestones().filter(
        due_date__gte=_day(now), due_date__lte=_day(anchor_until)
    )
    if anchor_after is not None:
        milestones = milestones.filter(due_date__gt=_day(anchor_after))
    return _milestone_reminders(milestones, key_prefix)


def milestone_late_due(*, anchor_after, anchor_until, key_prefix, now):
    # Late from the start of the day after its due date.
    milestones = _open_milestones().filter(
        due_date__lt=_day(now), due_date__lte=_day(anchor_until) - dt.timedelta(days=1)
    )
    if anchor_after is not None:
        milestones = milestones.filter(due_date__gte=_day(anchor_after))
    return _milestone_reminders(milestones, key_prefix)


def _milestones_still(mails, **filters) -> set:
    ids = set(
        _open_milestones()
        .filter(pk__in=[mail.related_id for mail in mails], **filters)
        .values_list("pk", flat=True)
    )
    return {mail.pk for mail in mails if mail.related_id in ids}


def milestone_due_soon_still_due(mails, now) -> set:
    """Not done, its experiment neither ended nor abandoned, not late yet."""
    return _milestones_still(mails, due_date__gte=_day(now))


def milestone_late_still_due(mails, now) -> set:
    """Still not done, its experiment neither ended nor abandoned."""
    return _milestones_still(mails, due_date__lt=_day(now))


register(
    ReminderKind(
        code="milestone_due_soon",
        label=_("A milestone due soon (to the experimenter and the project manager)"),
        template_code="milestone_due_soon",
        due=milestone_due_soon_due,
        still_due=milestone_due_soon_still_due,
        defaults=((14, 0), (3, 0)),
        help_text=_(
            "Counted before the milestone's due date; never for a milestone done or an "
            "experiment ended or abandoned."
        ),
    )
)
register(
    ReminderKind(
        code="milestone_late",
        label=_("A milestone late (to the experimenter and the project manager)"),
        template_code="milestone_late",
        due=milestone_late_due,
        still_due=milestone_late_still_due,
        after=True,
        defaults=((0, 0), (14, 0)),
        help_text=_(
            "Counted from the day after the due date (0: the morning it becomes late); "
            "never once the milestone is done or the experiment ended or abandoned."
        ),
    )
)


# Progress reports due --------------------------------------------------------------


def _submitted_counts(experiment_ids) -> dict:
    from django.db.models import Count

    rows = (
        ProgressReport.objects.filter(
            experiment_id__in=experiment_ids, status=ReportStatus.SUBMITTED
        )
        .order_by()
        .values_list("experiment_id")
        .annotate(count=Count("pk"))
    )
    return dict(rows)


def _next_report(experiment, submitted: int) -> tuple[int, dt.date] | None:
    """(number of the report, its due date), the first not submitted; None when all are in."""
    dates = report_due_dates(experiment)
    if submitted >= len(dates):
        return None
    return submitted + 1, dates[submitted]


def report_due_due(*, anchor_after, anchor_until, key_prefix, now):
    """One mail per experiment and report number: "<experiment>:<number>".

    The report schedule is computed (``selectors.report_due_dates``), so this
    reads the living experiments and keeps those whose next report falls in
    the window; there are hundreds, not millions.
    """
    today, until = _day(now), _day(anchor_until)
    after = _day(anchor_after) if anchor_after is not None else None
    experiments = list(
        Experiment.objects.filter(
            status__in=REPORTING_STATUSES, start_date__lte=until, end_date__gte=today
        ).select_related("experimenter")
    )
    counts = _submitted_counts([experiment.pk for experiment in experiments])
    candidates = []
    for experiment in experiments:
        found = _next_report(experiment, counts.get(experiment.pk, 0))
        if found is None:
            continue
        number, due = found
        if due < today or due > until or (after is not None and due <= after):
            continue
        candidates.append((f"{key_prefix}{experiment.pk}:{number}", experiment, number, due))
    if not candidates:
        return
    existing = set(
        OutgoingMail.objects.filter(
            occurrence_key__in=[key for key, *_rest in candidates]
        ).values_list("occurrence_key", flat=True)
    )
    content_type = ContentType.objects.get_for_model(Experiment).pk
    for key, experiment, number, due in candidates:
        address = _experimenter_address(experiment)
        if key in existing or not address:
            continue
        language = experiment.language
        yield Reminder(
            key=key,
            recipient=address,
            language=language,
            context={
                "name": _person(experiment.experimenter),
                "number": number,
                "due_date": _date(due, language),
                "solution_name": experiment.solution_name,
                "report_url": _url("experiments:report_start", language, experiment.uuid),
            },
            related_type_id=content_type,
            related_id=experiment.pk,
        )


def report_due_still_due(mails, now) -> set:
    """The experiment still reports, and that report is still not submitted."""
    wanted = {}
    for mail in mails:
        experiment_id, number = suffix_of(mail.occurrence_key).split(":")
        wanted[mail.pk] = (int(experiment_id), int(number))
    living = set(
        Experiment.objects.filter(
            pk__in={experiment for experiment, _ in wanted.values()},
            status__in=REPORTING_STATUSES,
        ).values_list("pk", flat=True)
    )
    counts = _submitted_counts(living)
    return {
        pk
        for pk, (experiment, number) in wanted.items()
        if experiment in living and counts.get(experiment, 0) < number
    }


register(
    ReminderKind(
        code="progress_report_due",
        label=_("A progress report due (to the experimenter)"),
        template_code="progress_report_due",
        due=report_due_due,
        still_due=report_due_still_due,
        defaults=((7, 0),),
        help_text=_(
            "Counted before the report's due date (every few months from the start, the "
            "last at the end); never once it is submitted or the experiment stopped."
        ),
    )
)


# Programme events: the day before, to the registered people ------------------------


def _registered():
    return EventRegistration.objects.filter(status=RegistrationStatus.REGISTERED)


def event_day_before_due(*, anchor_after, anchor_until, key_prefix, now):
    registrations = _registered().filter(
        event__starts_at__gt=now, event__starts_at__lte=anchor_until
    )
    if anchor_after is not None:
        registrations = registrations.filter(event__starts_at__gt=anchor_after)
    registrations = not_in_outbox(registrations, key_prefix, Cast("pk", output_field=CharField()))
    content_type = ContentType.objects.get_for_model(EventRegistration).pk
    for registration in registrations.select_related("event").iterator(chunk_size=CHUNK):
        event, language = registration.event, registration.language
        with translation.override(language):
            starts_at = date_format(timezone.localtime(event.starts_at), "l j F Y, H:i")
        yield Reminder(
            key=registration.reminder_key,
            recipient=registration.email,
            language=language,
            context={
                "name": registration.name,
                "event_title": _translated(event, "title", language),
                "starts_at": starts_at,
                "place": event.place or event.online_url,
                "event_url": _url("experiments:event_detail", language, event.uuid),
                "calendar_url": _url("experiments:event_ics", language, event.uuid),
                "cancel_url": absolute_url(
                    "experiments:registration_cancel",
                    language=language,
                    token=registration.cancel_token,
                ),
            },
            related_type_id=content_type,
            related_id=registration.pk,
        )


def event_day_before_still_due(mails, now) -> set:
    """Still registered (not cancelled since), and the event not started."""
    ids = set(
        _registered()
        .filter(pk__in=[mail.related_id for mail in mails], event__starts_at__gt=now)
        .values_list("pk", flat=True)
    )
    return {mail.pk for mail in mails if mail.related_id in ids}


register(
    ReminderKind(
        code="event_day_before",
        label=_("A programme event, the day before (to the registered people)"),
        template_code="event_reminder",
        due=event_day_before_due,
        still_due=event_day_before_still_due,
        defaults=((1, 0),),
        help_text=_(
            "Counted before the event starts; only to people holding a seat (not the "
            "waiting list, not cancelled)."
        ),
    )
)

EXPERIMENT_REMINDERS = [
    "milestone_due_soon",
    "milestone_late",
    "progress_report_due",
    "event_day_before",
]
