"""Paris&Co staff run the experiments and the programme events in the admin."""

from django.db import migrations

from municipalities.roles import ALL_ACTIONS, PROGRAMME_STAFF, grant

GRANTS = {
    PROGRAMME_STAFF: {
        "experiments": dict.fromkeys(
            [
                "experiment",
                "experimentsite",
                "milestone",
                "indicator",
                "measurement",
                "progressreport",
                "reportphoto",
                "reportcomment",
                "evaluation",
                "outcomeupdate",
                "programmeevent",
                "eventregistration",
            ],
            ALL_ACTIONS,
        )
        | {"experimentstatuschange": ("view",)},
    },
}


def grant_permissions(apps, schema_editor):
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("experiments", "0001_initial"),
        ("municipalities", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
