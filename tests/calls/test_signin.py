"""Password-less sign-in: short-lived, single-use links, the same answer for everyone."""

import datetime as dt
import re
import threading

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from calls.models import SignInLink
from calls.services.signin import (
    LINKS_PER_EMAIL,
    LINKS_PER_IP,
    SignInLinkInvalid,
    signin_link_is_usable,
    signin_link_request,
    signin_link_use,
    token_hash,
)
from notifications.models import OutgoingMail
from notifications.services import REDACTED, mails_send_queued
from tests.factories import SignInLinkFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
LINK = re.compile(r"https?://[^/\s]+(/(fr|en)/signin/link/([^/\s]+)/)")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _sent_link():
    """The path and token of the link in the last mail sent."""
    mails_send_queued()
    match = LINK.search(mail.outbox[-1].body)
    return match.group(1), match.group(3)


def _ask(client, email="ada@example.org", language="en", **extra):
    return client.post(f"/{language}/signin/", {"email": email, **extra.pop("data", {})}, **extra)


# Service.


def test_signin_link_request_stores_only_a_hash_and_queues_redacted_mail():
    link = signin_link_request(email="Ada@Example.org", language="en", ip="198.51.100.1")

    path, token = _sent_link()
    assert path == f"/en/signin/link/{token}/"
    assert len(token) >= 43  # secrets.token_urlsafe(32)
    link.refresh_from_db()
    assert link.token_hash == token_hash(token)
    stored = [str(value) for value in SignInLink.objects.values_list().get()]
    assert not any(token in value for value in stored)
    assert link.email == "Ada@Example.org"
    assert link.requested_ip == "198.51.100.1"
    assert dt.timedelta(minutes=14) < link.expires_at - timezone.now() <= dt.timedelta(minutes=15)
    outgoing = OutgoingMail.objects.get(occurrence_key=f"signin_link:{link.pk}")
    assert outgoing.redact_after_sending
    assert outgoing.body == REDACTED  # wiped once sent
    assert mail.outbox[-1].subject == "Your sign-in link to the QMI portal"
    assert mail.outbox[-1].to == ["Ada@Example.org"]


def test_signin_link_request_limited_per_email():
    for _ in range(LINKS_PER_EMAIL):
        assert signin_link_request(email="ada@example.org", language="fr", ip=None)

    assert signin_link_request(email="ADA@example.org", language="fr", ip=None) is None
    assert SignInLink.objects.count() == LINKS_PER_EMAIL
    # An hour later, a new link.
    later = timezone.now() + dt.timedelta(hours=1, minutes=1)
    assert signin_link_request(email="ada@example.org", language="fr", now=later)


def test_signin_link_request_limited_per_ip():
    for number in range(LINKS_PER_IP):
        assert signin_link_request(
            email=f"person{number}@example.org", language="fr", ip="203.0.113.5"
        )

    assert signin_link_request(email="new@example.org", language="fr", ip="203.0.113.5") is None
    assert signin_link_request(email="new@example.org", language="fr", ip="203.0.113.6")


@pytest.mark.parametrize(
    ("next_url", "kept"),
    [
        ("/fr/calls/qmi3/apply/", "/fr/calls/qmi3/apply/"),
        ("https://evil.example/", ""),
        ("//evil.example/", ""),
        ("/\\evil.example/", ""),
        ("javascript:alert(1)", ""),
        ("/fr/\x00", ""),
        ("/fr/" + "a" * 400, ""),
    ],
)
def test_signin_link_request_keeps_only_safe_next(next_url, kept):
    link = signin_link_request(email="ada@example.org", language="fr", next_url=next_url)

    assert link.next_url == kept


def test_signin_link_use_creates_applicant_with_unusable_password():
    link = SignInLinkFactory(email="Ada.Lovelace@Example.org", token="secret-1")

    signin = signin_link_use(token="secret-1")

    user = signin.user
    assert user.username == "ada.lovelace@example.org"
    assert user.email == "Ada.Lovelace@Example.org"
    assert not user.has_usable_password()
    link.refresh_from_db()
    assert link.used_at is not None


def test_signin_link_use_finds_the_existing_user():
    existing = UserFactory(username="ada@example.org", email="ada@example.org")
    SignInLinkFactory(email="ADA@example.org", token="secret-2")

    assert signin_link_use(token="secret-2").user == existing
    assert User.objects.filter(username="ada@example.org").count() == 1


def test_signin_link_use_finds_an_account_made_by_staff_by_its_email():
    experimenter = UserFactory(username="ines-garnier", email="ines@ombre.example.org")
    SignInLinkFactory(email="Ines@Ombre.example.org", token="secret-staff-made")

    assert signin_link_use(token="secret-staff-made").user == experimenter
    assert not User.objects.filter(username="ines@ombre.example.org").exists()


def test_signin_link_use_twice_fails():
    SignInLinkFactory(token="secret-3")
    signin_link_use(token="secret-3")

    with pytest.raises(SignInLinkInvalid):
        signin_link_use(token="secret-3")


def test_signin_link_use_expired_fails():
    SignInLinkFactory(token="secret-4", expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert not signin_link_is_usable(token="secret-4")
    with pytest.raises(SignInLinkInvalid):
        signin_link_use(token="secret-4")
    assert SignInLink.objects.get().used_at is None


def test_signin_link_use_unknown_fails():
    with pytest.raises(SignInLinkInvalid):
        signin_link_use(token="never-issued")
    assert not User.objects.exists()


@pytest.mark.parametrize("attributes", [{"is_active": False}, {"is_superuser": True}])
def test_signin_link_use_refused_for_disabled_or_super_accounts(attributes):
    UserFactory(username="boss@example.org", **attributes)
    SignInLinkFactory(email="boss@example.org", token="secret-5")

    with pytest.raises(SignInLinkInvalid):
        signin_link_use(token="secret-5")


def test_signin_link_use_refused_for_staff():
    StaffUserFactory(username="staff@example.org")
    SignInLinkFactory(email="staff@example.org", token="secret-6")

    with pytest.raises(SignInLinkInvalid):
        signin_link_use(token="secret-6")


@pytest.mark.django_db(transaction=True)
def test_signin_link_use_concurrent_only_one_wins():
    SignInLinkFactory(token="secret-race")
    barrier = threading.Barrier(2)
    results = []

    def use():
        try:
            barrier.wait(timeout=5)
            signin_link_use(token="secret-race")
            results.append("signed in")
        except SignInLinkInvalid:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["refused", "signed in"]


# Views: asking for a link.


def test_signin_request_page_in_language(client):
    response = client.get("/en/signin/?next=/en/calls/x/apply/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Sign in by email" in html
    assert 'name="next" value="/en/calls/x/apply/"' in html
    assert 'autocomplete="email"' in html


def test_signin_request_page_drops_unsafe_next(client):
    response = client.get("/en/signin/?next=https://evil.example/")

    assert 'name="next" value="https://evil' not in response.content.decode()
    assert 'name="next" id="id_next"' in response.content.decode()


def test_login_page_links_to_signin_by_email(client):
    html = client.get("/en/account/login/?next=/en/my-applications/").content.decode()

    assert "Applicants and experimenters: sign in by email" in html
    assert 'href="/en/signin/?next=/en/my-applications/"' in html


def test_signin_request_same_answer_known_unknown_limited(client):
    UserFactory(username="known@example.org", email="known@example.org")
    for _ in range(LINKS_PER_EMAIL):
        signin_link_request(email="limited@example.org", language="en")

    responses = {
        email: _ask(client, email=email)
        for email in ("known@example.org", "unknown@example.org", "limited@example.org")
    }

    assert {response.status_code for response in responses.values()} == {302}
    assert {response["Location"] for response in responses.values()} == {"/en/signin/sent/"}
    assert {response.content for response in responses.values()} == {b""}
    pages = {CSRF.sub("", client.get(r["Location"]).content.decode()) for r in responses.values()}
    assert len(pages) == 1
    assert "If this address can receive mail, a sign-in link is on its way." in pages.pop()
    # Known and unknown got a link; the limited one did not.
    assert SignInLink.objects.filter(email="limited@example.org").count() == LINKS_PER_EMAIL
    assert SignInLink.objects.filter(email__in=["known@example.org", "unknown@example.org"]).count()


def test_signin_request_limited_per_ip_same_answer(client):
    for number in range(LINKS_PER_IP):
        _ask(client, email=f"p{number}@example.org", REMOTE_ADDR="192.0.2.8")

    response = _ask(client, email="one-more@example.org", REMOTE_ADDR="192.0.2.8")

    assert response.status_code == 302
    assert response["Location"] == "/en/signin/sent/"
    assert not SignInLink.objects.filter(email="one-more@example.org").exists()
    assert SignInLink.objects.filter(requested_ip="192.0.2.8").count() == LINKS_PER_IP


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-email", "Saisissez une adresse de courriel valide."),
        ("a" * 10_000 + "@example.org", "au plus 150 caractères"),
        ("ada\x00@example.org", "Le caractère nul n’est pas autorisé."),
        ("", "Ce champ est obligatoire."),
    ],
)
def test_signin_request_bad_email_message_next_to_field(client, email, message):
    response = _ask(client, email=email, language="fr")

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'aria-describedby="id_email_error"' in html
    assert 'href="#id_email"' in html
    assert not SignInLink.objects.exists()


@pytest.mark.parametrize("next_url", ["\x00", "/fr/" + "x" * 10_000, "https://evil.example/"])
def test_signin_request_bad_next_ignored(client, next_url):
    response = _ask(client, data={"next": next_url})

    assert response.status_code == 302
    assert SignInLink.objects.get().next_url == ""


def test_signin_sent_page(client):
    html = client.get("/fr/signin/sent/").content.decode()

    assert 'href="/fr/signin/"' in html


# Views: using the link.


def test_signin_link_get_shows_button_and_uses_nothing(client):
    _ask(client)
    path, _token = _sent_link()

    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "strict-origin"
    assert "no-cache" in response["Cache-Control"]
    assert ">Sign me in</button>" in html
    assert SignInLink.objects.get().used_at is None
    assert SESSION_KEY not in client.session


def test_signin_link_post_signs_in_rotates_session_redirects_without_token(client):
    client.get("/en/signin/")  # an anonymous session to start with
    session = client.session
    session["before"] = "kept?"
    session.save()
    anonymous_key = client.session.session_key
    _ask(client, email="Ada@Example.org")
    path, token = _sent_link()

    response = client.post(path)

    assert response.status_code == 302
    assert response["Location"] == "/en/my-applications/"
    assert token not in response["Location"]
    assert response["Referrer-Policy"] == "strict-origin"
    user = User.objects.get(username="ada@example.org")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session.session_key != anonymous_key


def test_signin_link_second_post_fails_with_form(client):
    _ask(client)
    path, _token = _sent_link()
    assert client.post(path).status_code == 302
    other = Client()

    response = other.post(path)

    html = response.content.decode()
    assert response.status_code == 410
    assert "This sign-in link has expired or has already been used" in html
    assert 'action="/en/signin/"' in html
    assert SESSION_KEY not in other.session


def test_signin_link_expired_fails(client):
    SignInLinkFactory(token="old-token", expires_at=timezone.now() - dt.timedelta(minutes=1))

    get = client.get("/en/signin/link/old-token/")
    post = client.post("/en/signin/link/old-token/")

    assert get.status_code == post.status_code == 410
    assert "This sign-in link has expired or has already been used" in get.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("token", ["unknown", "x" * 10_000, "%00%00"])
def test_signin_link_unknown_fails(client, token):
    assert client.get(f"/en/signin/link/{token}/").status_code == 410
    assert client.post(f"/en/signin/link/{token}/").status_code == 410


def test_signin_link_keeps_next_through_the_mail(client):
    _ask(client, data={"next": "/en/calls/qmi3/apply/"})
    path, _token = _sent_link()

    response = client.post(path)

    assert response["Location"] == "/en/calls/qmi3/apply/"


def test_signin_link_unsafe_stored_next_falls_back(client):
    SignInLinkFactory(token="tok-next", next_url="https://evil.example/")

    response = client.post("/en/signin/link/tok-next/")

    assert response["Location"] == "/en/my-applications/"


def test_signin_link_post_needs_csrf():
    SignInLinkFactory(token="tok-csrf")
    client = Client(enforce_csrf_checks=True)

    assert client.post("/en/signin/link/tok-csrf/").status_code == 403
    assert SignInLink.objects.get().used_at is None


def test_signin_then_header_shows_sign_out(client):
    SignInLinkFactory(token="tok-header", email="ada@example.org")
    client.post("/en/signin/link/tok-header/")

    html = client.get("/en/calls/").content.decode()

    assert ">Sign out</button>" in html


# The link page is sent with Referrer-Policy: strict-origin: the token never
# leaves in a Referer, and the browser still sends our Origin with the form.


def _csrf_client_on_link_page(token):
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/en/signin/link/{token}/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return client, csrf


def test_signin_link_post_from_our_origin_with_token_signs_in():
    SignInLinkFactory(token="tok-origin")
    client, csrf = _csrf_client_on_link_page("tok-origin")

    response = client.post(
        "/en/signin/link/tok-origin/",
        {"csrfmiddlewaretoken": csrf},
        HTTP_ORIGIN="http://testserver",
    )

    assert response.status_code == 302
    assert SESSION_KEY in client.session


@pytest.mark.parametrize(
    ("origin", "with_token"),
    [("null", True), ("https://evil.example", True), ("https://evil.example", False)],
)
def test_signin_link_post_refused_without_token_or_from_elsewhere(origin, with_token):
    SignInLinkFactory(token="tok-evil")
    client, csrf = _csrf_client_on_link_page("tok-evil")
    data = {"csrfmiddlewaretoken": csrf} if with_token else {}

    response = client.post("/en/signin/link/tok-evil/", data, HTTP_ORIGIN=origin)

    assert response.status_code == 403
    assert SignInLink.objects.get().used_at is None
