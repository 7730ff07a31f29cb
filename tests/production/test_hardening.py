"""Hardening: check --deploy, security headers on real responses, login and form rate
limits, the request size cap, downloads as attachments."""

import datetime as dt
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from calls.models import PreRegistration, SignInLink
from calls.services.preregistration import REQUESTS_PER_IP
from calls.services.signin import LINKS_PER_EMAIL
from tests.factories import (
    ApplicationFactory,
    MunicipalityMembershipFactory,
    SignInLinkFactory,
    StaffUserFactory,
    UpcomingCallFactory,
    UserFactory,
)

from .conftest import ROOT, VENV_BIN, database_url, manage, production_environment

pytestmark = pytest.mark.django_db

PRODUCTION = {
    "SITE_URL": "https://qmi.example.org",
    "ALLOWED_HOSTS": "qmi.example.org",
    "DATABASE_URL": "postgres://qmi:secret@db.example.org:5432/qmi",
    "REDIS_URL": "redis://cache.example.org:6379/0",
    "STATICFILES_STORAGE": "qmi_portal.staticfiles.StaticFilesStorage",
}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


# check --deploy --------------------------------------------------------------------------


def test_check_deploy_passes_with_production_settings():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_environment(**PRODUCTION)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_https_is_turned_off():
    environment = production_environment(
        **PRODUCTION, SECURE_SSL_REDIRECT="false", SESSION_COOKIE_SECURE="false"
    )
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=environment)
    assert result.returncode != 0
    assert "security.W008" in result.stderr and "security.W012" in result.stderr


def test_production_settings_follow_the_site_address():
    script = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.CSRF_TRUSTED_ORIGINS, s.DEBUG)"
    )
    https = manage("shell", "-c", script, env=production_environment(**PRODUCTION))
    assert https.stdout.strip().splitlines()[-1] == (
        "True True True 31536000 ['https://qmi.example.org'] False"
    )
    plain = manage(
        "shell",
        "-c",
        script,
        env=production_environment(**{**PRODUCTION, "SITE_URL": "http://127.0.0.1:8000"}),
    )
    assert plain.stdout.strip().splitlines()[-1] == "False False False 0 [] False"


# Headers on real responses ---------------------------------------------------------------


def test_pages_send_a_content_security_policy_without_inline_script(client):
    response = client.get(reverse("municipalities:home"))
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_pages_send_frame_referrer_and_type_headers(client):
    response = client.get(reverse("calls:call_list"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_signin_link_page_keeps_its_strict_referrer_policy(client):
    link = SignInLinkFactory(token="abc-token")
    response = client.get(reverse("calls:signin_link", kwargs={"token": "abc-token"}))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "strict-origin"
    assert link.used_at is None


def test_https_settings_give_hsts_secure_cookies_and_redirects(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True

    plain = client.get(reverse("calls:signin_request"))
    secure = client.get(reverse("calls:signin_request"), secure=True)

    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert secure.cookies["csrftoken"]["secure"]
    # The container healthcheck asks /health over plain HTTP: never redirected.
    assert client.get("/health").status_code in (200, 503)


def test_attachment_downloads_are_attachments_never_shown_inline(client):
    application = ApplicationFactory()
    attachment = application.attachments.get()
    client.force_login(application.applicant)

    response = client.get(attachment.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# Request size ----------------------------------------------------------------------------


def test_request_larger_than_the_cap_is_refused_before_its_body_is_read(client, settings):
    settings.MAX_REQUEST_BODY_SIZE = 1024 * 1024

    # The declared length is 50 MB, the body ten bytes: reading it would fail.
    response = client.post(
        reverse("calls:signin_request"),
        data=b"x" * 10,
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert response["Connection"] == "close"
    assert "1 Mo" in response.content.decode()
    assert response["Content-Security-Policy"]


def test_request_cap_leaves_room_for_the_largest_upload(settings):
    from calls.uploads import MAX_IMAGES, RULES

    largest = max(rule.max_size for rule in RULES.values())
    images = MAX_IMAGES * min(rule.max_size for rule in RULES.values())
    assert largest + images <= settings.MAX_REQUEST_BODY_SIZE
    assert settings.MAX_REQUEST_BODY_SIZE <= 64 * 1024 * 1024


# Login brute force (django-axes) ---------------------------------------------------------


def _login(client, url, username, password, address="203.0.113.5"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize(
    "url_name", ["admin:login", "login"], ids=["admin login", "municipality login"]
)
def test_login_is_locked_after_repeated_wrong_passwords(client, settings, url_name):
    user = MunicipalityMembershipFactory().user if url_name == "login" else StaffUserFactory()
    url = reverse(url_name)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, url, user.username, "wrong")
        assert response.status_code == 200  # the form again, with its error
    locked = _login(client, url, user.username, "wrong")
    even_right = _login(client, url, user.username, "correct horse battery")

    assert locked.status_code == 429
    assert even_right.status_code == 429
    assert "_auth_user_id" not in client.session
    # Someone else, or the same account from elsewhere, is not locked out.
    assert (
        _login(client, url, user.username, "correct horse battery", "198.51.100.7").status_code
        == 302
    )


def test_login_lock_ends_after_the_cooloff(client, settings):
    user = StaffUserFactory()
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, url, user.username, "wrong")
    assert _login(client, url, user.username, "correct horse battery").status_code == 429

    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(hours=1))

    assert _login(client, url, user.username, "correct horse battery").status_code == 302


# Rate limits of the public forms ---------------------------------------------------------


def test_signin_link_requests_are_limited_per_address_with_the_same_answer(client):
    url = reverse("calls:signin_request")
    answers = [
        client.post(url, {"email": "alex@example.org"}, REMOTE_ADDR="203.0.113.9")
        for _ in range(LINKS_PER_EMAIL + 2)
    ]
    assert {answer.status_code for answer in answers} == {302}
    assert {answer["Location"] for answer in answers} == {reverse("calls:signin_sent")}
    assert SignInLink.objects.filter(email="alex@example.org").count() == LINKS_PER_EMAIL


def test_preregistration_requests_are_limited_per_connection(client):
    call = UpcomingCallFactory()
    url = reverse("calls:preregister", kwargs={"slug": call.slug})

    def ask(number, address="203.0.113.10"):
        return client.post(
            url,
            {"email": f"visitor{number}@example.org", "language": "fr", "consent": "on"},
            REMOTE_ADDR=address,
        )

    answers = [ask(number) for number in range(REQUESTS_PER_IP)]
    refused = ask(99)
    elsewhere = ask(100, address="198.51.100.20")

    assert {answer.status_code for answer in answers} == {200}
    assert refused.status_code == 429
    assert elsewhere.status_code == 200
    assert PreRegistration.objects.filter(call=call).count() == REQUESTS_PER_IP + 1


def test_forwarded_addresses_count_only_behind_the_configured_proxies(client, settings):
    url = reverse("calls:signin_request")

    def ask(forwarded, email):
        return client.post(
            url, {"email": email}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded
        )

    settings.PROXY_COUNT = 0  # no proxy: a forged header changes nothing
    ask("198.51.100.1", "a@example.org")
    settings.PROXY_COUNT = 1
    ask("6.6.6.6, 198.51.100.2", "b@example.org")  # the left part is the client's forgery

    addresses = dict(SignInLink.objects.values_list("email", "requested_ip"))
    assert addresses == {"a@example.org": "10.0.0.2", "b@example.org": "198.51.100.2"}


def test_applicant_password_logins_do_not_exist_for_link_accounts(client):
    # A sign-in-link account has no usable password: axes or not, it cannot log in.
    applicant = UserFactory()
    applicant.set_unusable_password()
    applicant.save()
    response = _login(client, reverse("login"), applicant.username, "")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# The secret key: required to serve or to work, not to check the migrations.


def _without_secret_key(**overrides) -> dict:
    environment = production_environment(**{**PRODUCTION, **overrides})
    del environment["SECRET_KEY"]
    return environment


def test_the_migrations_check_runs_with_no_environment_at_all():
    environment = {"PATH": production_environment()["PATH"]}
    result = manage("makemigrations", "--check", "--dry-run", env=environment)

    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_the_web_application_refuses_to_load_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "-c", "import qmi_portal.wsgi"],
        cwd=ROOT,
        env=_without_secret_key(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "The SECRET_KEY setting must not be empty" in result.stderr


def test_a_worker_refuses_to_start_without_a_secret_key(settings):
    result = subprocess.run(  # noqa: S603 - our own worker
        [str(VENV_BIN / "celery"), "-A", "qmi_portal", "worker", "--loglevel=warning"],
        cwd=ROOT,
        env=_without_secret_key(
            DATABASE_URL=database_url(), REDIS_URL=settings.CACHES["default"]["LOCATION"]
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "The SECRET_KEY setting must not be empty" in result.stdout + result.stderr
