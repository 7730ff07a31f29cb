"""The header's "My space" menu: the spaces a person's roles open, cached, never stale."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from municipalities.roles import PROGRAMME_STAFF, REVIEWERS
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

    # No query: the session, the user and the roles come from the cache.
    with django_assert_num_queries(0):
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


# The header and footer are cached per process (templates/base.html): what is personal
# or belongs to one page must still be fresh on every page.


def _header(html: str) -> str:
    return html.split("<header", 1)[1].split("</header>", 1)[0]


def test_the_cached_header_marks_the_page_the_visitor_is_on(client):
    calls = _header(client.get(reverse("calls:call_list")).content.decode())
    partners = _header(client.get(reverse("municipalities:partner_list")).content.decode())

    assert f'href="{reverse("calls:call_list")}" aria-current="page"' in calls
    assert calls.count('aria-current="page"') == 1
    assert f'href="{reverse("municipalities:partner_list")}" aria-current="page"' in partners
    assert f'href="{reverse("calls:call_list")}" aria-current' not in partners


def test_the_cached_header_links_each_page_to_its_own_translation(client):
    first = _header(client.get(reverse("calls:call_list")).content.decode())
    second = _header(client.get(reverse("municipalities:partner_list")).content.decode())

    assert 'href="/en/calls/"' in first
    assert 'href="/en/partners/"' in second and 'href="/en/calls/" hreflang' not in second


def test_the_cached_header_speaks_the_page_language(client):
    french = _header(client.get("/fr/accessibility/").content.decode())
    english = _header(client.get("/en/accessibility/").content.decode())

    assert "Appels" in french and ">Calls<" not in french
    assert ">Calls<" in english


def test_each_person_gets_their_own_csrf_token_in_the_cached_header(client):
    """The sign-out form is not cached: a token rendered for one is never shown to another."""
    tokens = []
    for name in ("first", "second"):
        client.logout()
        client.force_login(UserFactory(username=name))
        html = _header(client.get(PAGE).content.decode())
        form = html.split(f'action="{reverse("logout")}"', 1)[1]
        tokens.append(form.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0])
        assert client.cookies["csrftoken"].value  # the token goes with this visitor's cookie

    assert tokens[0] != tokens[1]


def test_signed_in_people_stay_signed_in_when_the_cache_is_emptied(client):
    """Sessions are read from Redis but kept in the database: a Redis restart signs no one out."""
    from django.core.cache import cache

    client.force_login(UserFactory())
    assert ">Sign out<" in client.get("/en/accessibility/").content.decode()

    cache.clear()

    assert ">Sign out<" in client.get("/en/accessibility/").content.decode()


def test_one_redis_client_serves_every_cache_call():
    from django.core.cache import cache

    cache.set("navigation-test", 1)
    assert cache.get("navigation-test") == 1
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
