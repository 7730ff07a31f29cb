"""What the header shows a signed-in person: the spaces their roles open."""

from django.utils.functional import SimpleLazyObject


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def roles():
        from django.contrib.auth import get_user_model
        from django.db.models import Exists, OuterRef

        from experiments.models import Experiment
        from municipalities.roles import MUNICIPALITY_STAFF, PROGRAMME_STAFF, REVIEWERS

        # One query: the group names, and whether the user runs an experiment.
        rows = (
            get_user_model()
            .objects.filter(pk=user.pk)
            .annotate(
                runs_experiments=Exists(Experiment.objects.filter(experimenter=OuterRef("pk")))
            )
            .values_list("groups__name", "runs_experiments")
        )
        rows = list(rows)
        groups = {name for name, _runs in rows if name}
        staff = user.is_superuser or PROGRAMME_STAFF in groups
        return {
            "staff": staff,
            "reviewer": staff or REVIEWERS in groups,
            "municipality": MUNICIPALITY_STAFF in groups,
            "experimenter": any(runs for _name, runs in rows),
        }

    return {"nav_roles": SimpleLazyObject(roles)}
