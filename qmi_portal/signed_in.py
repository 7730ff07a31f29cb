"""Who is signed in: the user and their roles, read from the cache on each request.

Every request of a signed-in person loads their user (Django's ``get_user``), and
every page's header shows the spaces their roles open. Both are kept in one cache
entry (Redis) per user for a few minutes instead of being asked of the database
on each request, and forgotten at once when they change:

- the user row saved or deleted (deactivated, erased, a new password, a sign-in),
  or their groups changed: signals, in this module;
- an experiment given to them or taken away (the "My experiments" entry).

Each change forgets the entry when it happens and again when its transaction
commits, so a request that read the row in between cannot keep the old state.

Django's own checks still run on each request: an inactive user is refused
(``ModelBackend.user_can_authenticate``) and the session must match the user's
password hash; an entry left by another database (a restore, with the same id
for someone else) therefore signs the session out rather than letting it in.

A change that bypasses the models (``QuerySet.update``, raw SQL) must call
``forget_users``; otherwise the entry lives at most ``USER_TIMEOUT`` seconds.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

# What sessions name (settings.AUTHENTICATION_BACKENDS, the sign-in link's login()).
BACKEND = "qmi_portal.signed_in.UserBackend"
USER_KEY = "signed-in:{pk}"
USER_TIMEOUT = 300


class UserBackend(ModelBackend):
    """Django's ModelBackend whose ``get_user`` (each request of a session) reads the cache."""

    def get_user(self, user_id):
        key = USER_KEY.format(pk=user_id)
        entry = cache.get(key)
        if entry is None:
            user = super().get_user(user_id)  # None when unknown or inactive
            if user is None:
                return None
            entry = {"user": user, "roles": None}  # the roles when a page first asks
            cache.set(key, entry, USER_TIMEOUT)
        user = entry["user"]
        user.cached_roles = entry["roles"]
        return user if self.user_can_authenticate(user) else None


def stored_roles(user) -> dict:
    """The user's roles (``roles_from_database``), kept with the cached user once asked."""
    roles = getattr(user, "cached_roles", None)
    if roles is None:
        roles = roles_from_database(user)
        user.cached_roles = roles
        key = USER_KEY.format(pk=user.pk)
        # Only beside the entry this request read: never brings back a forgotten one.
        entry = cache.get(key)
        if entry is not None and entry["roles"] is None:
            cache.set(key, {**entry, "roles": roles}, USER_TIMEOUT)
    return roles


def roles_from_database(user) -> dict:
    """{"staff", "reviewer", "municipality", "experimenter"}: booleans, in one query."""
    from django.db.models import Exists, OuterRef

    from experiments.models import Experiment
    from municipalities.roles import MUNICIPALITY_STAFF, PROGRAMME_STAFF, REVIEWERS

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


def forget_users(*user_ids) -> None:
    """Drop the cached entries of these users now and when the transaction commits."""
    keys = [USER_KEY.format(pk=pk) for pk in user_ids if pk is not None]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def _user_changed(sender, instance, **kwargs):
    forget_users(instance.pk)


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # group.user_set.add(…): the users are in pk_set (all of them on clear)
        users = pk_set if pk_set is not None else instance.user_set.values_list("pk", flat=True)
        forget_users(*users)
    else:
        forget_users(instance.pk)


def _experiment_changed(sender, instance, **kwargs):
    forget_users(instance.experimenter_id)


def connect_invalidation():
    """Call from an AppConfig.ready: the cached users follow their rows, groups, experiments."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from experiments.models import Experiment

    user_model = get_user_model()
    post_save.connect(_user_changed, sender=user_model, dispatch_uid="signed-in-user-save")
    post_delete.connect(_user_changed, sender=user_model, dispatch_uid="signed-in-user-delete")
    m2m_changed.connect(
        _groups_changed, sender=user_model.groups.through, dispatch_uid="signed-in-groups"
    )
    post_save.connect(_experiment_changed, sender=Experiment, dispatch_uid="signed-in-exp-save")
    post_delete.connect(_experiment_changed, sender=Experiment, dispatch_uid="signed-in-exp-delete")
