"""Exactly once, with a real Celery worker on Redis and PostgreSQL.

Two sweeps at once, a worker killed with kill -9 in the middle of a batch
and started again, Redis restarted (our own redis-server, nothing on disk):
every reminder reaches the mail backend once, none twice, none skipped.
"""

import collections
import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.db import transaction
from django.utils import timezone

from calls.models import Application
from calls.services.reminders import CALL_REMINDERS
from calls.tasks import send_call_reminders
from notifications.enums import MailStatus
from notifications.models import OutgoingMail, ReminderRule
from notifications.services import mail_draft, reminders_sweep
from notifications.tasks import send_queued_mails
from qmi_portal.celery import app
from tests.factories import CallFactory, UserFactory

from .worker import sent_occurrences, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

DAY = timezone.timedelta(days=1)


def _drafts(count: int, *, days_left: float = 1.5) -> list[int]:
    """``count`` drafts of one call whose deadline is near: each due its 2-day reminder."""
    call = CallFactory(closes_at=timezone.now() + days_left * DAY)
    applicant = UserFactory()
    drafts = Application.objects.bulk_create(
        Application(
            call=call,
            applicant=applicant,
            contact_email=f"applicant{number}@example.org",
            contact_first_name=f"Prénom{number}",
            language="fr" if number % 3 else "en",
        )
        for number in range(count)
    )
    return [draft.pk for draft in drafts]


@pytest.fixture
def rules():
    ReminderRule.objects.all().delete()
    return [
        ReminderRule.objects.create(kind="application_draft_deadline", days=days)
        for days in (7, 2, 1)
    ]


def _all_sent(count):
    return lambda: OutgoingMail.objects.filter(status=MailStatus.SENT).count() == count


def _assert_each_once(mail_dir, count):
    sent = collections.Counter(sent_occurrences(mail_dir))
    assert len(sent) == count
    assert set(sent.values()) == {1}, [key for key, n in sent.items() if n > 1][:5]
    assert set(OutgoingMail.objects.values_list("occurrence_key", flat=True)) == set(sent)


def test_reminders_exactly_once_across_a_double_concurrent_sweep(workers, mail_dir, rules):
    _drafts(600)
    workers.start(concurrency=2, MAIL_BATCH_SIZE=50)

    # Two beats (or a beat and a redelivery) at the same moment.
    send_call_reminders.delay()
    send_call_reminders.delay()
    wait_for(_all_sent(600), timeout=240, message="600 reminders sent")
    time.sleep(2)  # a late duplicate would show now
    _assert_each_once(mail_dir, 600)

    # A third sweep finds nothing new to write or send.
    assert reminders_sweep(kinds=CALL_REMINDERS) == 0
    assert OutgoingMail.objects.count() == 600
    _assert_each_once(mail_dir, 600)


def test_worker_killed_mid_batch_sends_the_rest_once(workers, mail_dir, rules, tmp_path):
    _drafts(300)
    flags = tmp_path / "flags"
    flags.mkdir()
    # Each of the two processes stops dead before its 60th message.
    first = workers.start(
        concurrency=2,
        MAIL_BATCH_SIZE=40,
        MAIL_STALE_CLAIM_SECONDS=3,
        EMAIL_BACKEND="tests.notifications.backends.BlockingFileBackend",
        MAIL_TEST_BLOCK_AT=60,
        MAIL_TEST_FLAG_DIR=flags,
    )
    send_call_reminders.delay()
    wait_for(lambda: list(flags.iterdir()), timeout=180, message="a batch half sent")
    first.kill()

    statuses = collections.Counter(OutgoingMail.objects.values_list("status", flat=True))
    assert statuses[MailStatus.SENDING] > 0  # claimed, not all sent: the kill cut a batch
    assert statuses[MailStatus.SENT] == len(sent_occurrences(mail_dir)) > 0

    workers.start(
        concurrency=2,
        MAIL_STALE_CLAIM_SECONDS=3,
        EMAIL_BACKEND="tests.notifications.backends.PerProcessFileBackend",
    )
    time.sleep(3.5)  # the dead worker's claims are now stale
    send_queued_mails.delay()
    wait_for(_all_sent(300), timeout=180, message="the rest sent by the new worker")
    time.sleep(1)
    _assert_each_once(mail_dir, 300)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_server(port, tmp_path):
    process = subprocess.Popen(  # noqa: S603 — the machine's redis-server
        [
            shutil.which("redis-server"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_timeout=1)
    wait_for(lambda: _pings(client), timeout=20, message="redis-server up")
    return process


def _pings(client):
    try:
        return client.ping()
    except redis.exceptions.ConnectionError:
        return False


def _publish(task, broker_url):
    with app.connection_for_write(broker_url) as connection:
        task.apply_async(connection=connection)


def test_redis_restart_loses_nothing_and_repeats_nothing(workers, mail_dir, rules, tmp_path):
    port = _free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    server = _redis_server(port, tmp_path)
    try:
        _drafts(200)
        workers.start(broker_url=broker_url, concurrency=2, MAIL_BATCH_SIZE=50)
        _publish(send_call_reminders, broker_url)
        wait_for(_all_sent(200), timeout=180, message="the first 200 sent")

        # Redis dies (it keeps nothing on disk); meanwhile more drafts come due.
        server.kill()
        server.wait()
        _drafts(150)
        server = _redis_server(port, tmp_path)

        # Beat's next runs, through the new, empty Redis, every few seconds as beat
        # would every few minutes: the worker reconnects when it can (its backoff).
        all_sent, last_run = _all_sent(350), [0.0]

        def beat_until_all_sent():
            if time.monotonic() - last_run[0] > 10:
                _publish(send_call_reminders, broker_url)
                last_run[0] = time.monotonic()
            return all_sent()

        wait_for(beat_until_all_sent, timeout=180, message="all 350 sent after the restart")
        time.sleep(1)
        _assert_each_once(mail_dir, 350)
    finally:
        server.kill()
        server.wait()


def test_rolled_back_transaction_sends_nothing(workers, mail_dir):
    workers.start(concurrency=1)

    def draft(key):
        return mail_draft(
            code="signin_link",
            recipient="ada@example.org",
            language="fr",
            context={"signin_url": "https://example.org/x", "minutes": 15},
            occurrence_key=key,
            queue=True,
        )

    with pytest.raises(RuntimeError), transaction.atomic():
        draft("test:rolled-back")
        raise RuntimeError("the request failed after drafting its mail")
    draft("test:committed")

    wait_for(_all_sent(1), timeout=60, message="the committed mail sent")
    send_queued_mails.delay()
    time.sleep(2)
    assert sent_occurrences(mail_dir) == ["test:committed"]
    assert list(OutgoingMail.objects.values_list("occurrence_key", flat=True)) == ["test:committed"]
