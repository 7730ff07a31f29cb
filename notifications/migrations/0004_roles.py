"""Paris&Co staff edit the reminder rules (offsets) in the admin."""

from django.db import migrations

from municipalities.roles import ALL_ACTIONS, PROGRAMME_STAFF, grant

GRANTS = {PROGRAMME_STAFF: {"notifications": {"reminderrule": ALL_ACTIONS}}}


def grant_permissions(apps, schema_editor):
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_reminder_rules_and_schedule"),
        ("municipalities", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
