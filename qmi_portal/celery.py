"""The Celery app: settings come from Django's, under the CELERY_ prefix.

Connections: Celery's Django fixup would close the database connection
before and after every task (a new PostgreSQL connection costs a few
milliseconds, as much as a small task). With CELERY_DB_REUSE_MAX set it keeps
it, and the handlers below apply Django's own rule instead, as a request
does: close when CONN_MAX_AGE is reached or the connection is unusable.
"""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qmi_portal.settings")

app = Celery("qmi_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _require_secret_key(**kwargs):
    """Django checks the key only when it is used: a worker or beat without one refuses to start."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.SECRET_KEY  # noqa: B018
    except ImproperlyConfigured as error:
        # Not an Exception: Celery's signals would log one and go on.
        raise SystemExit(f"{error} Set it in the environment (see .env.example).") from error


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(task=None, **kwargs):
    if task is not None and getattr(task.request, "is_eager", False):
        return  # run inline by the caller: its connection, maybe inside its transaction
    from django.db import close_old_connections

    close_old_connections()
