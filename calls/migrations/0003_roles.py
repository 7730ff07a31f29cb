"""Paris&Co staff manage applications, reviews and emails; reviewers read the calls."""

from django.db import migrations

from municipalities.roles import ALL_ACTIONS, PROGRAMME_STAFF, REVIEWERS, grant

GRANTS = {
    PROGRAMME_STAFF: {
        "calls": dict.fromkeys(
            [
                "keydate",
                "selectioncriterion",
                "preregistration",
                "application",
                "teammember",
                "attachment",
                "applicationstatuschange",
                "deadlineextension",
                "reviewassignment",
                "score",
                "municipalityopinion",
            ],
            ALL_ACTIONS,
        )
        | {"signinlink": ("view",), "referencecounter": ("view",)},
        "notifications": {
            "mailtemplate": ("change", "view"),
            "outgoingmail": ("change", "view"),
        },
    },
    REVIEWERS: {"calls": {"selectioncriterion": ("view",), "keydate": ("view",)}},
}


def grant_permissions(apps, schema_editor):
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0002_applications"),
        ("municipalities", "0002_roles"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
