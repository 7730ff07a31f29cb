"""What the header shows a signed-in person: the spaces their roles open."""

from django.utils.functional import SimpleLazyObject


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def roles():
        from municipalities.roles import MUNICIPALITY_STAFF, PROGRAMME_STAFF, REVIEWERS

        groups = set(user.groups.values_list("name", flat=True))
        staff = user.is_superuser or PROGRAMME_STAFF in groups
        return {
            "staff": staff,
            "reviewer": staff or REVIEWERS in groups,
            "municipality": MUNICIPALITY_STAFF in groups,
        }

    return {"nav_roles": SimpleLazyObject(roles)}
