"""Reminders: their windows, who gets them, and never twice (in process; see test_worker)."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from calls.enums import ApplicationStatus
from notifications.enums import MailStatus
from notifications.models import OutgoingMail, ReminderRule
from notifications.services import mails_send_queued, reminders_sweep
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    DeadlineExtensionFactory,
    PreRegistrationFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    UpcomingCallFactory,
    completed_review,
)

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def rules(kind, *days):
    """The rules of a kind, replacing the defaults the migration created."""
    ReminderRule.objects.filter(kind=kind).delete()
    return [ReminderRule.objects.create(kind=kind, days=count) for count in days]


@pytest.fixture
def draft_rules():
    return rules("application_draft_deadline", 7, 2, 1)


def _sweep(now, kinds=("application_draft_deadline",)):
    return reminders_sweep(kinds=list(kinds), now=now, send=False)


def _keys():
    return sorted(OutgoingMail.objects.values_list("occurrence_key", flat=True))


def test_draft_reminders_go_once_per_rule_as_the_deadline_nears(draft_rules):
    start = timezone.now()
    call = CallFactory(closes_at=start + 10 * DAY)
    draft = ApplicationFactory(call=call, incomplete=True, contact_email="ada@example.org")
    seven, two, one = draft_rules

    assert _sweep(start) == 0  # 10 days left: no rule yet
    assert _sweep(start + 3.5 * DAY) == 1  # 6.5 days left: the 7-day reminder
    assert _sweep(start + 4 * DAY) == 0  # the same window again: nothing new
    assert _sweep(start + 8.5 * DAY) == 1  # 1.5 days left: the 2-day one
    assert _sweep(start + 9.5 * DAY) == 1  # the last day
    assert _sweep(start + 10.5 * DAY) == 0  # after the deadline: never
    assert _keys() == sorted(
        f"reminder:application_draft_deadline:{rule.pk}:{draft.pk}:call"
        for rule in (seven, two, one)
    )
    reminder = OutgoingMail.objects.get(occurrence_key__contains=f":{seven.pk}:")
    assert reminder.recipient == "ada@example.org"
    assert reminder.status == MailStatus.QUEUED
    assert call.title_fr in reminder.subject


def test_draft_reminder_after_an_outage_is_only_the_latest_due(draft_rules):
    start = timezone.now()
    draft = ApplicationFactory(call=CallFactory(closes_at=start + 10 * DAY), incomplete=True)
    _, two, _ = draft_rules
    # The sweep did not run for a week: 1.5 days left, only the 2-day reminder goes.
    assert _sweep(start + 8.5 * DAY) == 1
    assert _keys() == [f"reminder:application_draft_deadline:{two.pk}:{draft.pk}:call"]


def test_draft_reminder_never_for_submitted_or_withdrawn_applications(draft_rules):
    start = timezone.now()
    call = CallFactory(closes_at=start + 5 * DAY)
    ApplicationFactory(call=call, status=ApplicationStatus.SUBMITTED)
    withdrawn = ApplicationFactory(call=call, incomplete=True, attachments=False)
    withdrawn.status = ApplicationStatus.WITHDRAWN
    withdrawn.save(update_fields=["status"])
    draft = ApplicationFactory(call=call, incomplete=True)

    assert _sweep(start) == 1
    assert OutgoingMail.objects.get().related_id == draft.pk


def test_draft_reminder_is_cancelled_when_the_draft_is_submitted_before_it_goes(draft_rules):
    call = CallFactory(closes_at=timezone.now() + 5 * DAY)
    draft = ApplicationFactory(call=call, incomplete=True)
    assert _sweep(timezone.now()) == 1
    ApplicationFactory._meta.model.objects.filter(pk=draft.pk).update(
        status=ApplicationStatus.SUBMITTED, reference="X-1", submitted_at=timezone.now()
    )

    assert mails_send_queued() == 0
    assert mail.outbox == []
    assert OutgoingMail.objects.get().status == MailStatus.CANCELLED


def test_draft_reminder_follows_a_deadline_extension(draft_rules):
    now = timezone.now()
    call = CallFactory(opens_at=now - 30 * DAY, closes_at=now - DAY)
    draft = ApplicationFactory(call=call, incomplete=True, language="en")
    extension = DeadlineExtensionFactory(application=draft, until=now + 1.5 * DAY)
    ApplicationFactory(call=call, incomplete=True)  # closed, no extension: nothing

    assert _sweep(now) == 1
    reminder = OutgoingMail.objects.get()
    _, two, _ = draft_rules
    assert reminder.occurrence_key == (
        f"reminder:application_draft_deadline:{two.pk}:{draft.pk}:{extension.pk}"
    )
    assert "not submitted yet" in reminder.subject
    assert str((now + 1.5 * DAY).astimezone(timezone.get_default_timezone()).year) in reminder.body


def test_second_sweep_renders_and_writes_nothing(draft_rules, django_assert_num_queries):
    call = CallFactory(closes_at=timezone.now() + 5 * DAY)
    for _ in range(3):
        ApplicationFactory(call=call, incomplete=True, attachments=False)
    assert _sweep(timezone.now()) == 3
    # Rules, then one query per rule (its window, minus what the outbox holds).
    with django_assert_num_queries(4):
        assert _sweep(timezone.now()) == 0
    assert OutgoingMail.objects.count() == 3


def test_call_open_reminder_goes_to_confirmed_preregistrations_with_unsubscribe():
    (rule,) = rules("call_open", 0)
    call = UpcomingCallFactory()
    confirmed = PreRegistrationFactory(call=call, confirmed_at=timezone.now(), language="en")
    PreRegistrationFactory(call=call)  # pending: nothing

    assert reminders_sweep(kinds=["call_open"], send=False) == 0  # not open yet
    assert reminders_sweep(kinds=["call_open"], now=call.opens_at + dt.timedelta(minutes=5)) == 1
    reminder = OutgoingMail.objects.get()
    assert reminder.occurrence_key == f"reminder:call_open:{rule.pk}:{confirmed.pk}"
    assert reminder.recipient == confirmed.email
    assert reminder.subject == f"The call is open: {call.title_en}"
    assert reminder.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert reminders_sweep(kinds=["call_open"], now=call.closes_at + DAY) == 0


def test_review_reminder_one_per_reviewer_and_call_with_what_is_left():
    rules("review_deadline", 7)
    call = CallFactory(review_deadline=timezone.now() + 3 * DAY)
    reviewer, other = ReviewerFactory(), ReviewerFactory()
    for _ in range(3):
        ReviewAssignmentFactory(application__call=call, reviewer=reviewer)
    done = ApplicationFactory(call=call, status=ApplicationStatus.UNDER_REVIEW)
    completed_review(application=done, reviewer=other)

    assert reminders_sweep(kinds=["review_deadline"], send=False) == 1
    reminder = OutgoingMail.objects.get()
    assert reminder.recipient == reviewer.email
    assert "3 évaluation(s)" in reminder.body
    assert mails_send_queued() == 1
    assert mail.outbox[0].to == [reviewer.email]


def test_inactive_rule_sends_nothing(draft_rules):
    ReminderRule.objects.update(is_active=False)
    ApplicationFactory(call=CallFactory(closes_at=timezone.now() + DAY / 2), incomplete=True)
    assert _sweep(timezone.now()) == 0
