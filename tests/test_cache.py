"""Whole-page cache of anonymous public pages: per language, invalidated, never personal.

The decorator is proven on small test views mounted under the language prefix,
then the language switcher is checked on the real pages: plain links, no form,
so that an anonymous page carries no CSRF token and can be cached.
"""

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotFound
from django.template import engines
from django.urls import path

from municipalities.models import Edition
from qmi_portal.cache import MAX_TIMEOUT, STATUS_HEADER, content_version_bump, public_page
from tests.factories import CallFactory, EditionFactory, InnovationDistrictFactory, UserFactory

pytestmark = pytest.mark.django_db

RENDERS = []
PAGE = engines["django"].from_string(
    "{% load i18n %}{% get_current_language as LANGUAGE_CODE %}"
    "<p>{{ LANGUAGE_CODE }}: {% for edition in editions %}{{ edition.name }};{% endfor %}</p>"
    "{% if user.is_authenticated %}<p>Hello {{ user.username }}</p>{% endif %}"
)
FORM = engines["django"].from_string('<form method="post">{% csrf_token %}</form>')


@public_page
def page_view(request):
    RENDERS.append(request.path)
    return HttpResponse(PAGE.render({"editions": Edition.objects.order_by("number")}, request))


@public_page
def form_view(request):
    RENDERS.append(request.path)
    return HttpResponse(FORM.render({}, request))


@public_page
def missing_view(request):
    RENDERS.append(request.path)
    return HttpResponseNotFound("missing")


@public_page
def cookie_view(request):
    RENDERS.append(request.path)
    response = HttpResponse("with a cookie")
    response.set_cookie("seen", "1")
    return response


@public_page(timeout=3600)
def long_view(request):
    RENDERS.append(request.path)
    return HttpResponse(PAGE.render({"editions": []}, request))


urlpatterns = i18n_patterns(
    path("page/", page_view),
    path("form/", form_view),
    path("missing/", missing_view),
    path("cookie/", cookie_view),
    path("long/", long_view),
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with no page stored: a new content version."""
    RENDERS.clear()
    content_version_bump()
    yield
    content_version_bump()


def _renders(url):
    return RENDERS.count(url)


@pytest.mark.urls("tests.test_cache")
def test_public_page_second_anonymous_request_served_from_cache(client):
    EditionFactory(name_fr="Édition pilote")

    first = client.get("/fr/page/")
    second = client.get("/fr/page/")

    assert (first[STATUS_HEADER], second[STATUS_HEADER]) == ("miss", "hit")
    assert second.content == first.content
    assert "Édition pilote" in second.content.decode()
    assert _renders("/fr/page/") == 1
    assert "Cookie" in second["Vary"]
    assert not second.cookies


@pytest.mark.urls("tests.test_cache")
def test_public_page_cached_per_language(client):
    EditionFactory(name_fr="Édition pilote", name_en="Pilot edition")

    french = [client.get("/fr/page/") for _ in range(2)]
    english = [client.get("/en/page/") for _ in range(2)]

    assert "fr: Édition pilote;" in french[1].content.decode()
    assert "en: Pilot edition;" in english[1].content.decode()
    assert (_renders("/fr/page/"), _renders("/en/page/")) == (1, 1)
    assert [response[STATUS_HEADER] for response in english] == ["miss", "hit"]


@pytest.mark.urls("tests.test_cache")
def test_public_page_query_string_is_another_page(client):
    client.get("/fr/page/?edition=1")
    client.get("/fr/page/?edition=2")
    client.get("/fr/page/?edition=1")

    assert _renders("/fr/page/") == 2


@pytest.mark.urls("tests.test_cache")
def test_public_page_never_cached_for_signed_in_user(client):
    client.get("/fr/page/")  # An anonymous visitor fills the cache first.
    client.force_login(UserFactory(username="camille"))

    responses = [client.get("/fr/page/") for _ in range(2)]

    assert [response[STATUS_HEADER] for response in responses] == ["bypass", "bypass"]
    assert all("Hello camille" in response.content.decode() for response in responses)
    assert _renders("/fr/page/") == 3


@pytest.mark.urls("tests.test_cache")
def test_public_page_signed_in_page_never_served_to_anonymous(client):
    client.force_login(UserFactory(username="camille"))
    client.get("/fr/page/")
    client.logout()

    anonymous = client.get("/fr/page/")

    assert "camille" not in anonymous.content.decode()
    assert anonymous[STATUS_HEADER] == "miss"


@pytest.mark.urls("tests.test_cache")
def test_public_page_invalidated_when_public_model_changes(client):
    edition = EditionFactory(name_fr="Édition pilote")
    client.get("/fr/page/")
    assert client.get("/fr/page/")[STATUS_HEADER] == "hit"

    edition.name_fr = "Édition renommée"
    edition.save()
    after_change = client.get("/fr/page/")

    assert after_change[STATUS_HEADER] == "miss"
    assert "Édition renommée" in after_change.content.decode()


@pytest.mark.urls("tests.test_cache")
def test_public_page_invalidated_by_m2m_and_delete(client):
    call = CallFactory()
    district = InnovationDistrictFactory(edition=call.edition)
    district_edition = call.edition
    client.get("/fr/page/")

    call.districts.add(district)
    assert client.get("/fr/page/")[STATUS_HEADER] == "miss"

    call.delete()
    district.delete()
    district_edition.delete()
    response = client.get("/fr/page/")

    assert response[STATUS_HEADER] == "miss"
    assert district_edition.name not in response.content.decode()


@pytest.mark.urls("tests.test_cache")
def test_public_page_not_invalidated_by_private_rows(client):
    client.get("/fr/page/")

    UserFactory()

    assert client.get("/fr/page/")[STATUS_HEADER] == "hit"


@pytest.mark.urls("tests.test_cache")
def test_public_page_not_cached_when_csrf_token_used(client):
    first = client.get("/fr/form/")
    second = client.get("/fr/form/")

    assert _renders("/fr/form/") == 2
    assert second[STATUS_HEADER] == "bypass"
    assert "csrfmiddlewaretoken" in second.content.decode()
    assert "csrftoken" in first.cookies


@pytest.mark.urls("tests.test_cache")
@pytest.mark.parametrize("url", ["/fr/missing/", "/fr/cookie/"])
def test_public_page_not_cached_for_error_or_cookie(client, url):
    client.get(url)
    response = client.get(url)

    assert _renders(url) == 2
    assert response[STATUS_HEADER] == "bypass"


@pytest.mark.urls("tests.test_cache")
def test_public_page_post_never_cached(client):
    client.get("/fr/page/")
    response = client.post("/fr/page/")

    assert response[STATUS_HEADER] == "bypass"
    assert _renders("/fr/page/") == 2


@pytest.mark.urls("tests.test_cache")
def test_public_page_head_served_from_get_cache(client):
    client.get("/fr/page/")

    response = client.head("/fr/page/")

    assert response[STATUS_HEADER] == "hit"
    assert _renders("/fr/page/") == 1


@pytest.mark.urls("tests.test_cache")
def test_public_page_kept_at_most_a_minute(client):
    client.get("/fr/long/")

    keys = [key for key in _redis().scan_iter("*public-page:*") if b"version" not in key]
    assert keys
    assert all(0 < _redis().ttl(key) <= MAX_TIMEOUT for key in keys)


def _redis():
    return cache._cache.get_client(write=False)


# The real pages: plain language links, no CSRF token for an anonymous visitor.


def test_language_switcher_links_to_same_page_in_other_language(client):
    html = client.get("/fr/calls/?page=2").content.decode()

    assert 'href="/en/calls/?page=2" hreflang="en" lang="en"' in html
    assert 'href="/fr/calls/?page=2" hreflang="fr" lang="fr"' in html
    switcher = html[html.index('class="language-switcher') :]
    switcher = switcher[: switcher.index("</ul>")]
    assert switcher.count('aria-current="true"') == 1
    assert 'hreflang="fr" lang="fr" class="btn btn-sm btn-primary" aria-current="true"' in switcher
    assert "<form" not in switcher


def test_language_switcher_on_missing_page_swaps_prefix(client):
    html = client.get("/en/no-such-page/").content.decode()

    assert 'href="/fr/no-such-page/" hreflang="fr"' in html


@pytest.mark.parametrize("url", ["/fr/", "/en/calls/", "/fr/editions/", "/fr/partners/"])
def test_anonymous_public_page_sets_no_cookie(client, url):
    EditionFactory()

    response = client.get(url)

    assert response.status_code == 200
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()
