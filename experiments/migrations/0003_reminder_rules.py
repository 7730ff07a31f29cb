"""The default offsets of the experiments' reminders and their periodic sweep, as rows.

Like notifications/migrations/0003: staff change the offsets in "Reminder
rules" and the sweep's interval in "Periodic tasks". The offsets are those of
each kind's ``defaults`` (experiments/reminders.py), copied here so that the
migration does not depend on code that may change.
"""

from django.db import migrations

RULES = {
    "milestone_due_soon": [(14, 0), (3, 0)],
    "milestone_late": [(0, 0), (14, 0)],
    "progress_report_due": [(7, 0)],
    "event_day_before": [(1, 0)],
}

SWEEP = "Reminders of the experiments"
TASK = "experiments.tasks.send_experiment_reminders"
DESCRIPTION = (
    "Writes the reminders that came due to the outbox (milestones due soon and late, "
    "progress reports due, programme events the day before), then sends them. "
    "Offsets: Emails › Reminder rules."
)


def create(apps, schema_editor):
    ReminderRule = apps.get_model("notifications", "ReminderRule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for kind, offsets in RULES.items():
        for days, hours in offsets:
            ReminderRule.objects.get_or_create(kind=kind, days=days, hours=hours)
    interval, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=SWEEP, defaults={"task": TASK, "interval": interval, "description": DESCRIPTION}
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SWEEP).delete()
    ReminderRule = apps.get_model("notifications", "ReminderRule")
    for kind, offsets in RULES.items():
        for days, hours in offsets:
            ReminderRule.objects.filter(kind=kind, days=days, hours=hours).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("experiments", "0002_roles"),
        ("notifications", "0003_reminder_rules_and_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
