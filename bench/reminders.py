"""Reminder sweep and outbox throughput with a real Celery worker: ``python -m bench.reminders``.

Rows:
- the sweep of N drafts due a reminder (100,000 by default): every reminder
  rendered, written to the outbox and handed to the file mail backend, timed
  from the task's enqueueing to the last mail marked sent; each occurrence
  found once in the backend's files; a second sweep writes and sends 0;
- one Celery task per email (``send_mail``), with Celery's default of closing
  the database connection around every task, then with the connection kept
  (``CELERY_DB_REUSE_MAX``, what the portal configures).

Uses its own database, dropped and created again (``--database-url``), its own
Redis database, flushed (``--redis-url``), and ``var/bench/reminders/`` for the
mail files. ``measure(database_url, redis_url, drafts=…)`` returns the rows as
dicts (key, measure, figure, goal, met, note, values) for ``bench.run``.
"""

import argparse
import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres:postgres@127.0.0.1:5432/qmi_bench_background"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
MAIL_DIR = ROOT / "var" / "bench" / "reminders" / "mail"
OCCURRENCE = re.compile(rb"^X-QMI-Occurrence: (.+)$", re.MULTILINE)
SWEEP_GOAL = 120.0


class FileBackend(EmailBackend):
    """Django's file backend with one file per process and connection (forked workers)."""

    def _get_filename(self):
        if self._fname is None:
            self._fname = os.path.join(self.file_path, f"{os.getpid()}-{time.time_ns()}.log")
        return self._fname


def environment(database_url: str, redis_url: str, **extra) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qmi_portal.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "SECRET_KEY": "bench-only-secret-key-not-for-production",
        "DEBUG": "false",
        "MAP_TILES_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "bench.reminders.FileBackend",
        "EMAIL_FILE_PATH": str(MAIL_DIR),
        "PRIVATE_MEDIA_ROOT": str(ROOT / "var" / "bench" / "private"),
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
        "PYTHONPATH": str(ROOT),
        **{key: str(value) for key, value in extra.items()},
    }


def _setup(database_url, redis_url):
    os.environ.update(environment(database_url, redis_url))
    import django

    django.setup()


class Worker:
    def __init__(self, env, log):
        self.env, self.log = env, log

    def __enter__(self):
        self.handle = open(self.log, "wb")
        self.process = subprocess.Popen(  # noqa: S603 — our own worker
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "qmi_portal",
                "worker",
                "--concurrency=2",
                "--queues=celery,mail,pdf",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                f"--hostname=bench-{time.monotonic_ns()}@localhost",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while b" ready." not in self.log.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The worker did not start: {self.log.read_text()[-2000:]}")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.handle.close()


def _wait(predicate, timeout, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def _sent_keys() -> collections.Counter:
    keys = collections.Counter()
    for path in MAIL_DIR.glob("*.log"):
        keys.update(OCCURRENCE.findall(path.read_bytes()))
    return keys


def _seed_drafts(count: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from calls.enums import CallKind
    from calls.models import Application, Call
    from municipalities.models import Edition
    from notifications.models import ReminderRule

    edition = Edition.objects.create(
        number=90, name_fr="Banc d'essai", name_en="Bench", start_year=2025, end_year=2027
    )
    now = timezone.now()
    call = Call.objects.create(
        edition=edition,
        kind=CallKind.EXPERIMENTERS,
        slug="bench-reminders",
        title_fr="Appel du banc d'essai",
        title_en="Bench call",
        title="Appel du banc d'essai",
        opens_at=now - timezone.timedelta(days=20),
        closes_at=now + timezone.timedelta(days=1, hours=12),
    )
    applicant = get_user_model().objects.create(username="bench-applicant")
    Application.objects.bulk_create(
        (
            Application(
                call=call,
                applicant=applicant,
                contact_email=f"applicant{number}@example.org",
                contact_first_name=f"Prénom{number}",
                contact_last_name="Banc",
                solution_name=f"Solution {number}" if number % 2 else "",
                language="fr" if number % 4 else "en",
            )
            for number in range(count)
        ),
        batch_size=5000,
    )
    ReminderRule.objects.all().delete()
    for days in (7, 2, 1):
        ReminderRule.objects.create(kind="application_draft_deadline", days=days)


def _sweep_rows(database_url, redis_url, drafts) -> list[dict]:
    from django.db import connection

    from calls.services.reminders import CALL_REMINDERS
    from calls.tasks import send_call_reminders
    from notifications.enums import MailStatus
    from notifications.models import OutgoingMail
    from notifications.services import reminders_sweep

    _seed_drafts(drafts)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    log = MAIL_DIR.parent / "worker-sweep.log"
    sent = OutgoingMail.objects.filter(status=MailStatus.SENT)
    with Worker(environment(database_url, redis_url), log):
        started = time.perf_counter()
        send_call_reminders.delay()
        _wait(lambda: OutgoingMail.objects.count() >= drafts, SWEEP_GOAL * 3)
        written = time.perf_counter() - started
        finished = _wait(lambda: sent.count() >= drafts, SWEEP_GOAL * 5, interval=0.5)
        elapsed = time.perf_counter() - started
        time.sleep(2)
        keys = _sent_keys()
        second_started = time.perf_counter()
        second = reminders_sweep(kinds=CALL_REMINDERS)
        second_seconds = time.perf_counter() - second_started
        time.sleep(3)
        keys_after = _sent_keys()
    once = len(keys) == drafts and set(keys.values()) == {1}
    return [
        {
            "key": "reminder_sweep",
            "measure": f"Reminder sweep, {drafts:,} drafts (rendered, sent to file backend)",
            "figure": f"{elapsed:.1f} s ({drafts / elapsed:.0f} mails/s)",
            "goal": f"< {SWEEP_GOAL:.0f} s, each once",
            "met": finished and once and elapsed < SWEEP_GOAL,
            "note": f"outbox rows written after {written:.1f} s; {len(keys):,} distinct "
            f"occurrences, {sum(keys.values()) - len(keys)} repeats",
            "values": {
                "seconds": elapsed,
                "written_seconds": written,
                "distinct": len(keys),
                "repeats": sum(keys.values()) - len(keys),
            },
        },
        {
            "key": "reminder_second_sweep",
            "measure": "Second sweep of the same drafts",
            "figure": f"{second} written, {sum(keys_after.values()) - sum(keys.values())} sent"
            f" ({second_seconds:.2f} s)",
            "goal": "0 written, 0 sent",
            "met": second == 0 and keys_after == keys,
            "values": {"written": second, "seconds": second_seconds},
        },
    ]


def _task_per_mail_rows(database_url, redis_url, count) -> list[dict]:
    from django.utils import timezone

    from notifications.enums import MailStatus
    from notifications.models import OutgoingMail
    from notifications.tasks import send_mail

    rows = []
    for label, reuse in (("closed around each task", 0), ("kept (CELERY_DB_REUSE_MAX)", 1000)):
        OutgoingMail.objects.all().delete()
        now = timezone.now()
        mails = OutgoingMail.objects.bulk_create(
            OutgoingMail(
                template_code="signin_link",
                occurrence_key=f"bench:task:{reuse}:{number}",
                recipient=f"person{number}@example.org",
                language="fr",
                subject="Bench",
                body="Bench",
                status=MailStatus.DRAFT,
                created_at=now,
            )
            for number in range(count)
        )
        # Queued only once the tasks are in Redis: the worker starts on a full queue.
        log = MAIL_DIR.parent / f"worker-tasks-{reuse}.log"
        env = environment(database_url, redis_url, CELERY_DB_REUSE_MAX=reuse)
        with Worker(env, log):
            OutgoingMail.objects.update(status=MailStatus.QUEUED, queued_at=now)
            started = time.perf_counter()
            for mail in mails:
                send_mail.delay(mail.pk)
            sent = OutgoingMail.objects.filter(status=MailStatus.SENT)
            _wait(lambda sent=sent: sent.count() >= count, 600, interval=0.2)
            elapsed = time.perf_counter() - started
        rows.append(
            {
                "key": f"task_per_mail_reuse_{reuse}",
                "measure": f"One task per email, {count:,} mails, connection {label}",
                "figure": f"{count / elapsed:.0f} mails/s",
                "goal": "",
                "met": None,
                "note": "enqueueing included",
                "values": {"seconds": elapsed, "per_second": count / elapsed},
            }
        )
    return rows


def measure(database_url: str, redis_url: str, *, drafts: int = 100_000, tasks: int = 2000):
    from bench.run import flush_redis, manage, recreate_database

    recreate_database(database_url)
    flush_redis(redis_url)
    shutil.rmtree(MAIL_DIR, ignore_errors=True)
    MAIL_DIR.mkdir(parents=True)
    manage(environment(database_url, redis_url), "migrate", "--noinput")
    _setup(database_url, redis_url)
    rows = _sweep_rows(database_url, redis_url, drafts)
    if tasks:
        rows += _task_per_mail_rows(database_url, redis_url, tasks)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drafts", type=int, default=100_000)
    parser.add_argument("--tasks", type=int, default=2000, help="mails for the per-task rows")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_BACKGROUND_DATABASE_URL", DEFAULT_DATABASE)
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_BACKGROUND_REDIS_URL", DEFAULT_REDIS)
    )
    parser.add_argument(
        "--json", action="store_true", help="print the rows as one JSON list (for bench.run)"
    )
    args = parser.parse_args(argv)
    rows = measure(args.database_url, args.redis_url, drafts=args.drafts, tasks=args.tasks)
    if args.json:
        print(json.dumps(rows, default=str))
        return 0
    for row in rows:
        verdict = "-" if row["met"] is None else ("ok" if row["met"] else "MISSED")
        print(f"{row['measure']:<72} {row['figure']:<34} {row['goal']:<22} {verdict}")
        if row.get("note"):
            print(f"    {row['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
