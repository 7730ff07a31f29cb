"""Create the three roles of the portal as groups with their permissions.

Permissions are normally created after all migrations ran; they are created
here first so that a fresh database gets its groups in one `migrate`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PROGRAMME_STAFF = "Paris&Co staff"
REVIEWERS = "Reviewers"
MUNICIPALITY_STAFF = "Municipality staff"

STAFF_MODELS = {
    "municipalities": [
        "edition",
        "urbanchallenge",
        "municipality",
        "innovationdistrict",
        "partner",
        "municipalitymembership",
    ],
    "calls": ["call"],
    "django_celery_beat": [
        "periodictask",
        "crontabschedule",
        "intervalschedule",
        "clockedschedule",
        "solarschedule",
    ],
}
STAFF_EXTRA = [("auth", "user", ["add", "change", "view"]), ("auth", "group", ["view"])]
REVIEWER_VIEWS = {
    "municipalities": ["edition", "urbanchallenge", "municipality", "innovationdistrict"],
    "calls": ["call"],
}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(app_label, model, actions):
        codenames = [f"{action}_{model}" for action in actions]
        return Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)

    staff, _ = Group.objects.get_or_create(name=PROGRAMME_STAFF)
    for app_label, models in STAFF_MODELS.items():
        for model in models:
            staff.permissions.add(
                *permissions(app_label, model, ["add", "change", "delete", "view"])
            )
    for app_label, model, actions in STAFF_EXTRA:
        staff.permissions.add(*permissions(app_label, model, actions))

    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    for app_label, models in REVIEWER_VIEWS.items():
        for model in models:
            reviewers.permissions.add(*permissions(app_label, model, ["view"]))

    Group.objects.get_or_create(name=MUNICIPALITY_STAFF)


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
