"""The portal's roles, as groups; used by the migrations that grant permissions.

Permissions are normally created after all migrations ran; ``grant`` creates
them first, so a fresh database gets its roles in one ``migrate``.
"""

from django.contrib.auth.management import create_permissions

PROGRAMME_STAFF = "Paris&Co staff"
REVIEWERS = "Reviewers"
MUNICIPALITY_STAFF = "Municipality staff"
ALL_ACTIONS = ("add", "change", "delete", "view")


def grant(apps, grants):
    """grants: {group name: {app_label: {model: actions}}}, with historical models."""
    for app_config in apps.get_app_configs():
        # Historical apps have no models module; create_permissions skips those.
        stub = getattr(app_config, "models_module", None) is None
        if stub:
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        if stub:
            app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, apps_models in grants.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, models in apps_models.items():
            for model, actions in models.items():
                group.permissions.add(
                    *Permission.objects.filter(
                        content_type__app_label=app_label,
                        codename__in=[f"{action}_{model}" for action in actions],
                    )
                )
