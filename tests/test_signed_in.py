"""The signed-in user comes from the cache: every change to them shows at the next request."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

from qmi_portal.signed_in import USER_KEY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/en/accessibility/"


def _signed_in(client) -> bool:
    html = client.get(PAGE).content.decode()
    return ">Sign out<" in html


@pytest.fixture
def person(client):
    user = UserFactory(username="camille")
    client.force_login(user)
    assert _signed_in(client)
    assert cache.get(USER_KEY.format(pk=user.pk)) is not None  # read from the cache from now on
    return user


def test_a_signed_in_request_asks_the_database_nothing_about_the_user(
    client, person, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert _signed_in(client)


def test_a_deactivated_user_is_out_at_the_next_request(client, person):
    person.is_active = False
    person.save()

    assert not _signed_in(client)


def test_a_deleted_user_is_out_at_the_next_request(client, person):
    person.delete()

    assert not _signed_in(client)


def test_a_new_password_signs_the_other_sessions_out(client, person):
    person.set_password("a new and long passphrase")
    person.save()

    assert not _signed_in(client)


def test_a_change_to_the_name_shows_at_once(client, person):
    person.first_name = "Camille"
    person.save()
    client.get(PAGE)

    assert cache.get(USER_KEY.format(pk=person.pk))["user"].first_name == "Camille"


def test_a_request_reading_the_old_row_before_the_commit_does_not_keep_it(
    client, person, django_capture_on_commit_callbacks
):
    """A request that cached the user between the change and its commit: forgotten at commit."""
    key = USER_KEY.format(pk=person.pk)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        stale = get_user_model().objects.get(pk=person.pk)  # what the other request read
        person.is_active = False
        person.save()
        cache.set(key, {"user": stale, "roles": {}}, 300)  # …and cached after the signal

    assert cache.get(key) is None
    assert not _signed_in(client)


def test_an_entry_of_another_person_with_the_same_id_signs_the_session_out(client, person):
    """Same id, another person (a restored database): the session does not match, signed out."""
    other = get_user_model()(pk=person.pk, username="someone-else", is_active=True)
    other.set_password("another person's passphrase")
    roles = {"staff": True, "reviewer": True, "municipality": True, "experimenter": True}
    cache.set(USER_KEY.format(pk=person.pk), {"user": other, "roles": roles}, 300)

    assert not _signed_in(client)
