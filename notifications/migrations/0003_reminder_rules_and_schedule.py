"""The default reminder rules and the periodic sweeps, as rows staff can see and change.

Beat (django_celery_beat.schedulers.DatabaseScheduler) reads the periodic
tasks from the database: staff change an interval or switch a sweep off in
the admin ("Periodic tasks"), the reminder offsets in "Reminder rules".
"""

from django.db import migrations

RULES = {
    "call_open": [(0, 0)],
    "application_draft_deadline": [(7, 0), (2, 0), (1, 0)],
    "review_deadline": [(7, 0), (1, 0)],
}

# name: (task, every minutes, description)
SWEEPS = {
    "Reminders of the calls": (
        "calls.tasks.send_call_reminders",
        5,
        "Writes the reminders that came due to the outbox (pre-registrations when a call "
        "opens, drafts before the deadline, reviewers before the review deadline), then "
        "sends them. Offsets: Emails › Reminder rules.",
    ),
    "Outbox: send queued emails": (
        "notifications.tasks.send_queued_mails",
        1,
        "Sends what is queued, retries failed mails after their backoff and finishes what a "
        "stopped worker had claimed.",
    ),
    "Reports: queue again the forgotten ones": (
        "reports.tasks.requeue_forgotten_reports",
        5,
        "A report still queued after a minute (the broker lost its message) is queued again.",
    ),
}


def create(apps, schema_editor):
    ReminderRule = apps.get_model("notifications", "ReminderRule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for kind, offsets in RULES.items():
        for days, hours in offsets:
            ReminderRule.objects.get_or_create(kind=kind, days=days, hours=hours)
    for name, (task, minutes, description) in SWEEPS.items():
        interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": task, "interval": interval, "description": description},
        )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=list(SWEEPS)
    ).delete()
    ReminderRule = apps.get_model("notifications", "ReminderRule")
    for kind, offsets in RULES.items():
        for days, hours in offsets:
            ReminderRule.objects.filter(kind=kind, days=days, hours=hours).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_reminders_and_attachments"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
