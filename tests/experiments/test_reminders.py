"""The experiments' reminders: milestones due soon and late, reports due, events the day
before; each exactly once, none for what is done, ended or cancelled."""

import datetime as dt
import importlib

import pytest
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.core import mail
from django.utils import timezone

from experiments.reminders import EXPERIMENT_REMINDERS
from notifications.enums import MailStatus
from notifications.models import OutgoingMail, ReminderRule
from notifications.services import mails_send_queued, reminders_sweep
from tests.factories import (
    EventRegistrationFactory,
    ExperimentFactory,
    MilestoneFactory,
    ProgrammeEventFactory,
    ProgressReportFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _default_rules():
    """The rules of the data migration (a transactional test elsewhere may have flushed them)."""
    ReminderRule.objects.filter(kind__in=EXPERIMENT_REMINDERS).delete()
    importlib.import_module("experiments.migrations.0003_reminder_rules").create(apps, None)


def _sweep(now, kinds=EXPERIMENT_REMINDERS):
    return reminders_sweep(kinds=list(kinds), now=now, send=False)


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _mails(code):
    return OutgoingMail.objects.filter(template_code=code).order_by("recipient")


@pytest.fixture
def milestone():
    today = timezone.localdate()
    experiment = ExperimentFactory(
        solution_name="Îlots de fraîcheur",
        project_manager=StaffUserFactory(email="ines@parisandco.example"),
    )
    return MilestoneFactory(
        experiment=experiment, name="Convention de site", due_date=today + 10 * DAY
    )


def test_default_rules_are_the_kinds_defaults():
    from notifications.reminders import reminder_kinds

    for code in EXPERIMENT_REMINDERS:
        offsets = ReminderRule.objects.filter(kind=code).values_list("days", "hours")
        assert sorted(offsets) == sorted(reminder_kinds()[code].defaults), code
    kinds = set(ReminderRule.objects.values_list("kind", flat=True))
    assert set(EXPERIMENT_REMINDERS) <= kinds
    offsets = ReminderRule.objects.filter(kind="milestone_due_soon").values_list("days", flat=True)
    assert sorted(offsets) == [3, 14]


def test_milestone_due_soon_goes_once_per_rule_to_experimenter_and_manager(milestone):
    today = timezone.localdate()
    experiment = milestone.experiment
    assert _sweep(_noon(today)) == 2  # 10 days before: the 14-day rule, two people
    assert _sweep(_noon(today)) == 0  # a second sweep: nothing new
    assert _sweep(_noon(today + 3 * DAY)) == 0  # 7 days before: same window
    assert _sweep(_noon(today + 8 * DAY)) == 2  # 2 days before: the 3-day rule
    assert _sweep(_noon(today + 9 * DAY)) == 0
    mails = _mails("milestone_due_soon")
    assert mails.count() == 4
    assert {m.recipient for m in mails} == {
        experiment.experimenter.email,
        "ines@parisandco.example",
    }
    assert len({m.occurrence_key for m in mails}) == 4
    first = mails.filter(recipient=experiment.experimenter.email).first()
    assert "Convention de site" in first.subject and "Îlots de fraîcheur" in first.body


def test_milestone_late_after_the_due_date_once_then_never_when_done(milestone):
    due = milestone.due_date
    assert _sweep(_noon(due), kinds=["milestone_late"]) == 0  # due today: not late yet
    assert _sweep(_noon(due + DAY), kinds=["milestone_late"]) == 2  # late since this morning
    assert _sweep(_noon(due + 2 * DAY), kinds=["milestone_late"]) == 0
    milestone.done_date = due + 3 * DAY
    milestone.save()
    assert _sweep(_noon(due + 20 * DAY), kinds=["milestone_late"]) == 0  # done: no 14-day one
    assert _mails("milestone_late").count() == 2


def test_no_milestone_reminder_for_done_milestones_or_ended_experiments(milestone):
    today = timezone.localdate()
    milestone.done_date = today
    milestone.save()
    ended = ExperimentFactory(status="ended")
    MilestoneFactory(experiment=ended, due_date=today + 2 * DAY)
    abandoned = ExperimentFactory(status="abandoned")
    MilestoneFactory(experiment=abandoned, due_date=today - 2 * DAY)
    assert _sweep(_noon(today)) == 0
    assert _sweep(_noon(today + 9 * DAY)) == 0
    assert not OutgoingMail.objects.exists()


def test_milestone_done_between_sweep_and_send_is_cancelled(milestone):
    today = timezone.localdate()
    assert _sweep(_noon(today)) == 2
    milestone.done_date = today
    milestone.save()
    assert mails_send_queued() == 0
    assert mail.outbox == []
    assert set(_mails("milestone_due_soon").values_list("status", flat=True)) == {
        MailStatus.CANCELLED
    }


def test_milestone_reminder_sent_once_through_the_outbox(milestone):
    assert _sweep(_noon(timezone.localdate())) == 2
    assert mails_send_queued() == 2
    assert _sweep(_noon(timezone.localdate())) == 0
    assert mails_send_queued() == 0
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [milestone.experiment.experimenter.email, "ines@parisandco.example"]
    )


def test_progress_report_due_once_and_not_after_it_is_submitted():
    today = timezone.localdate()
    # Started three months less five days ago: the first report is due in five days.
    experiment = ExperimentFactory(
        start_date=today - relativedelta(months=3) + 5 * DAY, report_interval_months=3
    )
    assert _sweep(_noon(today), kinds=["progress_report_due"]) == 1
    assert _sweep(_noon(today), kinds=["progress_report_due"]) == 0
    reminder = _mails("progress_report_due").get()
    assert reminder.recipient == experiment.experimenter.email
    assert reminder.occurrence_key.endswith(f":{experiment.pk}:1")
    assert "1" in reminder.subject

    ProgressReportFactory(experiment=experiment, status="submitted")
    assert mails_send_queued() == 0  # submitted in between: cancelled
    assert _sweep(_noon(today + 2 * DAY), kinds=["progress_report_due"]) == 0


def test_progress_report_due_not_for_ended_experiments():
    today = timezone.localdate()
    ExperimentFactory(status="ended", start_date=today - relativedelta(months=3) + 5 * DAY)
    ExperimentFactory(status="abandoned", start_date=today - relativedelta(months=3) + 5 * DAY)
    assert _sweep(_noon(today), kinds=["progress_report_due"]) == 0


def test_event_reminder_the_day_before_to_registered_people_only():
    now = timezone.now()
    event = ProgrammeEventFactory(starts_at=now + 30 * dt.timedelta(hours=1))
    registered = EventRegistrationFactory(event=event, email="ada@example.org", language="en")
    EventRegistrationFactory(event=event, status="waiting_list")
    EventRegistrationFactory(event=event, status="cancelled")
    past = ProgrammeEventFactory(
        starts_at=now - 2 * dt.timedelta(hours=1),
        ends_at=now - dt.timedelta(minutes=10),
    )
    EventRegistrationFactory(event=past)

    assert _sweep(now, kinds=["event_day_before"]) == 0  # 30 hours before: not yet
    assert _sweep(now + 8 * dt.timedelta(hours=1), kinds=["event_day_before"]) == 1
    assert _sweep(now + 9 * dt.timedelta(hours=1), kinds=["event_day_before"]) == 0
    reminder = _mails("event_reminder").get()
    assert reminder.recipient == registered.email
    assert reminder.language == "en" and reminder.subject.startswith("Reminder: ")
    assert str(registered.cancel_token) in reminder.body


def test_event_reminder_not_sent_after_the_registration_is_cancelled():
    event = ProgrammeEventFactory(starts_at=timezone.now() + 20 * dt.timedelta(hours=1))
    registration = EventRegistrationFactory(event=event)
    assert _sweep(timezone.now(), kinds=["event_day_before"]) == 1
    registration.status = "cancelled"
    registration.save()
    assert mails_send_queued() == 0
    assert _mails("event_reminder").get().status == MailStatus.CANCELLED
