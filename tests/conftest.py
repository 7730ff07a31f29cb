import importlib

import pytest
from django.utils import translation

# The migrations that create the roles (groups and their permissions).
ROLE_MIGRATIONS = [
    ("municipalities.migrations.0002_roles", "create_roles"),
    ("calls.migrations.0003_roles", "grant_permissions"),
    # Privacy: staff's rights on erasure requests, and the nightly retention task.
    ("calls.migrations.0004_privacy", "grant_permissions"),
    ("calls.migrations.0004_privacy", "schedule_retention"),
    # Paris&Co staff run experiments and events in the admin.
    ("experiments.migrations.0002_roles", "grant_permissions"),
    # Staff see the outbox and the reports.
    ("notifications.migrations.0004_roles", "grant_permissions"),
    ("reports.migrations.0002_roles", "grant_permissions"),
]
DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_serialized_rollback"}


def pytest_collection_modifyitems(items):
    """Every transactional test reloads the migrations' rows and leaves the tables empty.

    A transactional test empties the tables when it ends. Without serialized
    rollback, Django then creates the content types again, under new ids; a
    later serialized test, reloading the rows saved after the migrations,
    would meet the same content types under their old ids and fail. So every
    transactional test is a serialized one: no test depends on the order.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker is not None else {}
        transactional = kwargs.get("transaction") or {"transactional_db", "live_server"} & set(
            getattr(item, "fixturenames", ())
        )
        if transactional and not kwargs.get("serialized_rollback"):
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(autouse=True)
def _roles_exist(request):
    """Transactional tests flush the tables, groups included: put the roles back."""
    if not (
        request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("_django_db_helper")
    from django.apps import apps
    from django.contrib.auth.models import Group

    from municipalities.roles import PROGRAMME_STAFF

    if not Group.objects.filter(name=PROGRAMME_STAFF).exists():
        for module, function in ROLE_MIGRATIONS:
            getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _french_by_default():
    """Each test starts in the portal's default language, French."""
    with translation.override("fr"):
        yield


@pytest.fixture
def english():
    """For tests that read the English texts: URLs under /en/, messages in English."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The real hasher costs ~0.7 s per user; tests check access, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    """Applicants' files of a test go to its own folder, never to var/private."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def staff_user(db):
    from tests.factories import StaffUserFactory

    return StaffUserFactory(username="staff")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
