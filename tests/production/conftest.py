"""Helpers of the production tests: the project's files, subprocesses, throw-away databases.

These tests run the real programs (gunicorn, Celery, pg_dump, manage.py) in
subprocesses with production-like environments; databases they create are
named after the test database and dropped at the end.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
# A key as production has one: long, random-looking, not "django-insecure-…".
PRODUCTION_SECRET_KEY = "q7Hk2-Vr9xLm4Pz8Wc1Nf6Tb3Yd5Js0Ga8Ue2Ri7Ko4Qw1Xv9Zl3Mn6Bp5Ct0Dh"


def database_url(name: str | None = None) -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST'] or '127.0.0.1'}"
        f":{settings['PORT'] or 5432}/{name or settings['NAME']}"
    )


def _admin_connection():
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )


def create_database(name: str) -> None:
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch_database(db):
    """An empty PostgreSQL database beside the test database; dropped afterwards."""
    created = []

    def make(suffix: str) -> str:
        name = f"{connection.settings_dict['NAME']}_{suffix}"
        create_database(name)
        created.append(name)
        return name

    yield make
    for name in created:
        drop_database(name)


def production_environment(**overrides) -> dict:
    """The environment of a production process: DEBUG off, nothing from the test runner."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_", "CELERY_", "EMAIL_", "SECURE_", "SENTRY_"))
    }
    environment.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": PRODUCTION_SECRET_KEY,
            "DJANGO_SETTINGS_MODULE": "qmi_portal.settings",
            "MAP_TILES_URL": "",
            "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
        }
    )
    environment.update({key: str(value) for key, value in overrides.items()})
    return environment


def manage(*args, env: dict, timeout: int = 120, check: bool = False):
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
