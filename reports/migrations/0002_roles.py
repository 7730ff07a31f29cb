"""Paris&Co staff ask for reports and see them all in the admin."""

from django.db import migrations

from municipalities.roles import PROGRAMME_STAFF, grant

GRANTS = {PROGRAMME_STAFF: {"reports": {"report": ("add", "view")}}}


def grant_permissions(apps, schema_editor):
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("municipalities", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
