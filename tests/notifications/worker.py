"""A real Celery worker in a subprocess, on the test database and a real broker.

The worker reads the same settings module from the environment: the test
database's name (``connection.settings_dict["NAME"]``), the broker URL, a
folder for the file mail backend. Tests that use it are transactional, so
the worker sees what they commit.
"""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
OCCURRENCE = re.compile(r"^X-QMI-Occurrence: (.+)$", re.MULTILINE)


def database_url() -> str:
    """The URL of the database the tests run on (pytest-django's test_ database)."""
    conf = connection.settings_dict
    user = urllib.parse.quote(conf["USER"] or "")
    password = urllib.parse.quote(conf["PASSWORD"] or "")
    return (
        f"postgres://{user}:{password}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}"
        f"/{conf['NAME']}"
    )


class Worker:
    """``celery worker`` on every queue; ``kill()`` is a kill -9 of the whole process group."""

    def __init__(self, *, broker_url: str, mail_dir: Path, private_dir: Path, log: Path, **env):
        self.broker_url = broker_url
        self.mail_dir = mail_dir
        self.log = log
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "SECRET_KEY": "tests-only-secret-key",
            "DEBUG": "false",
            "MAP_TILES_URL": "",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "PRIVATE_MEDIA_ROOT": str(private_dir),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "LOG_LEVEL": "INFO",
            **{key: str(value) for key, value in env.items()},
        }
        self.process = None

    def start(self, *, concurrency: int = 2, wait: float = 60) -> "Worker":
        self.handle = open(self.log, "ab")  # noqa: SIM115 — closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 — our own worker
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "qmi_portal",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--queues=celery,mail,pdf",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                f"--hostname=test-{os.getpid()}-{time.monotonic_ns()}@localhost",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The worker stopped: {self.log.read_text()[-3000:]}")
            if b" ready." in self.log.read_bytes():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"The worker did not start: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """kill -9 of the main process and its pool: nothing gets to clean up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self._close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self._close()

    def _close(self):
        if getattr(self, "handle", None):
            self.handle.close()
            self.handle = None


def sent_occurrences(mail_dir: Path) -> list[str]:
    """Every occurrence key the file mail backend received, repeats included."""
    keys = []
    for path in sorted(mail_dir.glob("*.log")):
        keys.extend(OCCURRENCE.findall(path.read_text(errors="replace")))
    return keys


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.25, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s: {message}")


def broker_url_for_tests() -> str:
    return settings.CELERY_BROKER_URL
