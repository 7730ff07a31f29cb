"""The header's "My space" menu: the spaces a person's roles open, cached, never stale."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from municipalities.roles import PROGRAMME_STAFF, REVIEWERS
from qmi_portal.context_processors import ROLES_KEY, user_roles
from tests.factories import ExperimentFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/fr/accessibility/"


def _menu(client) -> str:
    html = client.get(PAGE).content.decode()
    return html.split('class="dropdown-menu', 1)[1].split("</ul>", 1)[0]


def test_the_roles_are_asked_once_then_read_from_the_cache(client, django_assert_num_queries):
    user = UserFactory(groups=[REVIEWERS])
    client.force_login(user)
    client.get(PAGE)

    # Session and user only: the roles come from the cache.
    with django_assert_num_queries(2):
        menu = _menu(client)

    assert reverse("calls:review_list") in menu
    assert reverse("admin:index") not in menu


def test_a_group_given_or_taken_shows_at_once(client):
    user = UserFactory()
    client.force_login(user)
    assert reverse("admin:index") not in _menu(client)

    user.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    assert reverse("admin:index") in _menu(client)

    Group.objects.get(name=PROGRAMME_STAFF).user_set.remove(user)  # from the group's side
    assert reverse("admin:index") not in _menu(client)


def test_an_experiment_given_to_a_person_opens_my_experiments_at_once(client):
    user = UserFactory()
    client.force_login(user)
    assert reverse("experiments:my_experiments") not in _menu(client)

    experiment = ExperimentFactory(experimenter=user)
    assert reverse("experiments:my_experiments") in _menu(client)

    experiment.delete()
    assert reverse("experiments:my_experiments") not in _menu(client)


def test_an_entry_left_by_another_database_is_not_taken(settings):
    """Same id, another person (a restored database, another test run): asked again."""
    from django.core.cache import cache

    user = UserFactory()
    cache.set(
        ROLES_KEY.format(pk=user.pk),
        {
            "joined": "2001-01-01T00:00:00+00:00",
            "staff": True,
            "reviewer": True,
            "municipality": True,
            "experimenter": True,
        },
    )

    assert user_roles(user) == {
        "staff": False,
        "reviewer": False,
        "municipality": False,
        "experimenter": False,
    }
