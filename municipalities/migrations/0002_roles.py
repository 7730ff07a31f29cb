"""Create the three roles of the portal as groups with their permissions."""

from django.db import migrations

from municipalities.roles import (
    ALL_ACTIONS,
    MUNICIPALITY_STAFF,
    PROGRAMME_STAFF,
    REVIEWERS,
    grant,
)

GRANTS = {
    PROGRAMME_STAFF: {
        "municipalities": dict.fromkeys(
            [
                "edition",
                "urbanchallenge",
                "municipality",
                "innovationdistrict",
                "partner",
                "municipalitymembership",
            ],
            ALL_ACTIONS,
        ),
        "calls": {"call": ALL_ACTIONS},
        "django_celery_beat": dict.fromkeys(
            [
                "periodictask",
                "crontabschedule",
                "intervalschedule",
                "clockedschedule",
                "solarschedule",
            ],
            ALL_ACTIONS,
        ),
        "auth": {"user": ("add", "change", "view"), "group": ("view",)},
    },
    REVIEWERS: {
        "municipalities": dict.fromkeys(
            ["edition", "urbanchallenge", "municipality", "innovationdistrict"], ("view",)
        ),
        "calls": {"call": ("view",)},
    },
    MUNICIPALITY_STAFF: {},
}


def create_roles(apps, schema_editor):
    grant(apps, GRANTS)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[PROGRAMME_STAFF, REVIEWERS, MUNICIPALITY_STAFF]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("municipalities", "0001_initial"),
        ("calls", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
