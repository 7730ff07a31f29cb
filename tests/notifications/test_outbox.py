"""The outbox in process: backoff, failure, identity of a message, the admin."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.enums import MailStatus
from notifications.models import OutgoingMail, ReminderRule
from notifications.services import mail_draft, mail_queue, mails_send_queued

pytestmark = pytest.mark.django_db


def _draft(key="test:1"):
    return mail_draft(
        code="signin_link",
        recipient="ada@example.org",
        language="en",
        context={"signin_url": "https://example.org/x", "minutes": 15},
        occurrence_key=key,
        queue=True,
    )


def test_failed_send_waits_with_backoff_then_shows_failed(settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingBackend"
    settings.MAIL_MAX_ATTEMPTS = 3
    outgoing = _draft()

    assert mails_send_queued() == 0
    outgoing.refresh_from_db()
    assert outgoing.status == MailStatus.QUEUED
    assert outgoing.attempts == 1
    assert "refused" in outgoing.last_error
    first_wait = outgoing.not_before - timezone.now()
    assert dt.timedelta(seconds=50) < first_wait <= dt.timedelta(seconds=60)
    assert mails_send_queued() == 0  # still waiting: not tried again
    assert OutgoingMail.objects.get().attempts == 1

    OutgoingMail.objects.update(not_before=timezone.now())
    mails_send_queued()
    outgoing.refresh_from_db()
    assert outgoing.attempts == 2
    assert (
        dt.timedelta(seconds=110)
        < outgoing.not_before - timezone.now()
        <= dt.timedelta(seconds=120)
    )
    OutgoingMail.objects.update(not_before=timezone.now())
    mails_send_queued()
    outgoing.refresh_from_db()
    assert outgoing.status == MailStatus.FAILED
    assert outgoing.not_before is None

    # Staff resend it once the server is back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail_queue(mails=[outgoing])
    assert mails_send_queued() == 1
    assert OutgoingMail.objects.get().status == MailStatus.SENT


def test_message_id_is_the_same_for_every_attempt_of_an_occurrence():
    _draft("test:a")
    _draft("test:b")
    mails_send_queued()
    first = {message.extra_headers["X-QMI-Occurrence"]: message for message in mail.outbox}
    OutgoingMail.objects.update(status=MailStatus.QUEUED)
    mails_send_queued()
    again = {message.extra_headers["X-QMI-Occurrence"]: message for message in mail.outbox[2:]}
    assert (
        first["test:a"].extra_headers["Message-ID"] == again["test:a"].extra_headers["Message-ID"]
    )
    assert (
        first["test:a"].extra_headers["Message-ID"] != first["test:b"].extra_headers["Message-ID"]
    )


def test_stale_claim_is_sent_by_the_next_sweep_and_a_fresh_one_is_not(settings):
    settings.MAIL_STALE_CLAIM_SECONDS = 600
    stale, fresh = _draft("test:stale"), _draft("test:fresh")
    OutgoingMail.objects.filter(pk=stale.pk).update(
        status=MailStatus.SENDING, claimed_at=timezone.now() - dt.timedelta(minutes=11)
    )
    OutgoingMail.objects.filter(pk=fresh.pk).update(
        status=MailStatus.SENDING, claimed_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert mails_send_queued() == 1
    assert [message.extra_headers["X-QMI-Occurrence"] for message in mail.outbox] == ["test:stale"]


def test_staff_edit_reminder_rules_in_the_admin(staff_client):
    page = staff_client.get(reverse("admin:notifications_reminderrule_add"))
    assert page.status_code == 200
    content = page.content.decode()
    for kind in ("call_open", "application_draft_deadline", "review_deadline"):
        assert f'value="{kind}"' in content
    response = staff_client.post(
        reverse("admin:notifications_reminderrule_add"),
        {"kind": "application_draft_deadline", "days": 14, "hours": 0, "is_active": "on"},
    )
    assert response.status_code == 302
    assert ReminderRule.objects.filter(kind="application_draft_deadline", days=14).exists()


def test_migration_creates_the_default_rules_and_the_periodic_sweeps():
    from django_celery_beat.models import PeriodicTask

    assert set(
        ReminderRule.objects.filter(kind="application_draft_deadline").values_list(
            "days", flat=True
        )
    ) == {7, 2, 1}
    tasks = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {
        "calls.tasks.send_call_reminders",
        "notifications.tasks.send_queued_mails",
        "reports.tasks.requeue_forgotten_reports",
    } <= tasks
