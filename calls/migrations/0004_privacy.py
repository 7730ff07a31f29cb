"""Privacy: consent time, anonymisation, erasure requests, retention runs and their schedule.

Consents to publication recorded before this migration get the time the
application was submitted (when the applicant confirmed their declarations),
or its last change for a draft. The retention task is scheduled every night
at 03:30 (Paris time) as a django-celery-beat periodic task staff can see and
change in the admin.
"""

import json

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

RETENTION_TASK_NAME = "Privacy: apply the retention periods"
RETENTION_TASK = "calls.tasks.privacy_apply_retention"


def backfill_consent_time(apps, schema_editor):
    Application = apps.get_model("calls", "Application")
    given = Application.objects.filter(consents_publication=True, consents_publication_at=None)
    given.filter(submitted_at__isnull=False).update(
        consents_publication_at=models.F("submitted_at")
    )
    given.filter(submitted_at__isnull=True).update(consents_publication_at=models.F("updated_at"))


def schedule_retention(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Paris",
    )
    PeriodicTask.objects.update_or_create(
        name=RETENTION_TASK_NAME,
        defaults={
            "task": RETENTION_TASK,
            "crontab": schedule,
            "queue": "celery",
            "args": json.dumps([]),
            "kwargs": json.dumps({}),
            "enabled": True,
            "description": "Anonymises unsuccessful applications and deletes old "
            "pre-registrations (RETENTION_* settings); each run is logged as a retention run.",
        },
    )


def unschedule_retention(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=RETENTION_TASK_NAME).delete()


def grant_permissions(apps, schema_editor):
    from municipalities.roles import PROGRAMME_STAFF, grant

    grant(
        apps,
        {
            PROGRAMME_STAFF: {
                "calls": {
                    "erasurerequest": ("add", "change", "view"),
                    "retentionrun": ("view",),
                }
            }
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0003_roles"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="anonymised_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="anonymised at"
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="consents_publication_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="publication consent given at"
            ),
        ),
        migrations.CreateModel(
            name="RetentionRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "started_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="started at"
                    ),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                ),
                (
                    "unsuccessful_days",
                    models.PositiveIntegerField(
                        verbose_name="unsuccessful applications kept (days)"
                    ),
                ),
                (
                    "preregistration_days",
                    models.PositiveIntegerField(
                        verbose_name="pre-registrations kept after the call closes (days)"
                    ),
                ),
                (
                    "applications_anonymised",
                    models.PositiveIntegerField(default=0, verbose_name="applications anonymised"),
                ),
                (
                    "drafts_deleted",
                    models.PositiveIntegerField(
                        default=0, verbose_name="unsubmitted drafts deleted"
                    ),
                ),
                (
                    "files_deleted",
                    models.PositiveIntegerField(default=0, verbose_name="files deleted"),
                ),
                (
                    "preregistrations_deleted",
                    models.PositiveIntegerField(
                        default=0, verbose_name="pre-registrations deleted"
                    ),
                ),
                (
                    "signin_links_deleted",
                    models.PositiveIntegerField(default=0, verbose_name="sign-in links deleted"),
                ),
                (
                    "accounts_anonymised",
                    models.PositiveIntegerField(
                        default=0, verbose_name="applicant accounts anonymised"
                    ),
                ),
                ("error", models.TextField(blank=True, verbose_name="error")),
                (
                    "triggered_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty when the schedule started it.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="started by",
                    ),
                ),
            ],
            options={
                "verbose_name": "retention run",
                "verbose_name_plural": "retention runs",
                "ordering": ["-started_at"],
            },
        ),
        migrations.CreateModel(
            name="ErasureRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "requested_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="requested at"
                    ),
                ),
                (
                    "executed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="erased at"),
                ),
                (
                    "summary",
                    models.JSONField(blank=True, default=dict, verbose_name="what was erased"),
                ),
                (
                    "executed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="erased by",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="erasure_requests",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
            ],
            options={
                "verbose_name": "erasure request",
                "verbose_name_plural": "erasure requests",
                "ordering": ["-requested_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("executed_at__isnull", True)),
                        fields=("requested_by",),
                        name="erasure_one_open_request_per_user",
                        violation_error_message="This person already has an erasure request pending.",
                    )
                ],
            },
        ),
        migrations.RunPython(backfill_consent_time, migrations.RunPython.noop),
        migrations.RunPython(schedule_retention, unschedule_retention),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
