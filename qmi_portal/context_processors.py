"""What the header shows a signed-in person: the spaces their roles open.

Every signed-in page needs the roles, so they are kept in the cache (Redis)
for a few minutes rather than asked of the database on each page, and
forgotten at once when they change: the user's groups, or an experiment
given to them or taken away (``connect_role_invalidation``).
"""

import functools

from django.conf import settings
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

# By id (what the signals know). The cache may outlive a database (a restore, a
# test run): an entry is taken only if it is this very user's (``joined``).
ROLES_KEY = "nav-roles:{pk}"
ROLES_TIMEOUT = 300


# The menu's entries: the page a visitor is on is marked (aria-current).
MENU = {
    "calls": "calls:call_list",
    "editions": "municipalities:edition_list",
    "municipalities": "municipalities:municipality_list",
    "events": "experiments:event_list",
    "partners": "municipalities:partner_list",
}


@functools.lru_cache(maxsize=16)
def _menu_paths(language, urlconf) -> dict:
    """{path: menu entry} in the active language (the URLs carry its prefix)."""
    paths = {}
    for entry, name in MENU.items():
        try:
            paths[reverse(name, urlconf=urlconf)] = entry
        except NoReverseMatch:  # a URL map without the portal's pages (the benchmarks')
            continue
    return paths


def _menu_entry(path) -> str:
    return _menu_paths(get_language(), settings.ROOT_URLCONF).get(path, "")


def navigation(request):
    """``nav_current``: the menu entry of this page ("" if none); ``nav_roles`` when signed in.

    The header is cached per language, menu entry and roles (templates/base.html).
    """
    context = {"nav_current": SimpleLazyObject(lambda: _menu_entry(request.path))}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["nav_roles"] = SimpleLazyObject(lambda: user_roles(user))
    return context


def user_roles(user) -> dict:
    """{"staff", "reviewer", "municipality", "experimenter"}: booleans, from the cache if there."""
    key = ROLES_KEY.format(pk=user.pk)
    joined = user.date_joined.isoformat()
    found = cache.get(key)
    if found is None or found.get("joined") != joined:
        found = {**_roles_from_database(user), "joined": joined}
        cache.set(key, found, ROLES_TIMEOUT)
    staff = user.is_superuser or found["staff"]
    return {
        "staff": staff,
        "reviewer": staff or found["reviewer"],
        "municipality": found["municipality"],
        "experimenter": found["experimenter"],
    }


def _roles_from_database(user) -> dict:
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef

    from experiments.models import Experiment
    from municipalities.roles import MUNICIPALITY_STAFF, PROGRAMME_STAFF, REVIEWERS

    # One query: the group names, and whether the user runs an experiment.
    rows = list(
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(runs_experiments=Exists(Experiment.objects.filter(experimenter=OuterRef("pk"))))
        .values_list("groups__name", "runs_experiments")
    )
    groups = {name for name, _runs in rows if name}
    return {
        "staff": PROGRAMME_STAFF in groups,
        "reviewer": REVIEWERS in groups,
        "municipality": MUNICIPALITY_STAFF in groups,
        "experimenter": any(runs for _name, runs in rows),
    }


def forget_user_roles(*user_ids) -> None:
    cache.delete_many([ROLES_KEY.format(pk=pk) for pk in user_ids if pk is not None])


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # group.user_set.add(…): the users are in pk_set (all of them on clear)
        users = pk_set if pk_set is not None else instance.user_set.values_list("pk", flat=True)
        forget_user_roles(*users)
    else:
        forget_user_roles(instance.pk)


def _experiment_changed(sender, instance, **kwargs):
    forget_user_roles(instance.experimenter_id)


def connect_role_invalidation():
    """Call from an AppConfig.ready: the roles' cache follows groups and experiments."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from experiments.models import Experiment

    m2m_changed.connect(
        _groups_changed,
        sender=get_user_model().groups.through,
        dispatch_uid="nav-roles-groups",
    )
    post_save.connect(_experiment_changed, sender=Experiment, dispatch_uid="nav-roles-save")
    post_delete.connect(_experiment_changed, sender=Experiment, dispatch_uid="nav-roles-delete")
