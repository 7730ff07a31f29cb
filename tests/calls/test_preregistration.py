"""Pre-registration to an upcoming call: double opt-in, consent, unsubscribe, no leaks."""

import datetime as dt
import re
import threading

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from calls.models import PreRegistration
from calls.services.preregistration import (
    CONFIRM,
    REQUESTS_PER_IP,
    UNSUBSCRIBE,
    PreRegistrationError,
    RateLimited,
    TokenExpired,
    TokenInvalid,
    preregistration_confirm,
    preregistration_from_token,
    preregistration_request,
    preregistration_token,
    preregistration_unsubscribe_url,
    preregistrations_to_notify,
)
from notifications.enums import MailStatus
from notifications.models import OutgoingMail
from notifications.services import mails_send_queued
from tests.factories import (
    CallFactory,
    EditionFactory,
    InnovationDistrictFactory,
    KeyDateFactory,
    PreRegistrationFactory,
    SelectionCriterionFactory,
    UpcomingCallFactory,
    UrbanChallengeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CONSENT = "I agree to be told when the call opens."
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits live in the cache (Redis): each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def call():
    return UpcomingCallFactory(slug="qmi3-experimenters", title_fr="Appel 3", title_en="Call 3")


def _request(call, email="ada@example.org", ip="198.51.100.7", **kwargs):
    kwargs.setdefault("language", "fr")
    kwargs.setdefault("consent_text", CONSENT)
    return preregistration_request(call=call, email=email, ip=ip, **kwargs)


def _confirm_mails(preregistration):
    return OutgoingMail.objects.filter(
        occurrence_key__startswith=f"preregistration_confirm:{preregistration.pk}:"
    ).order_by("pk")


def _path(url):
    return re.sub(r"^https?://[^/]+", "", url)


def _links_in_last_mail():
    body = mail.outbox[-1].body
    return {
        "confirm": _path(re.search(r"\S+/preregistration/\S+/confirm/", body).group(0)),
        "unsubscribe": _path(re.search(r"\S+/preregistration/\S+/unsubscribe/", body).group(0)),
    }


def _page(response) -> str:
    """The page without its CSRF tokens, which differ on every response."""
    return CSRF.sub("", response.content.decode())


# Service.


def test_preregistration_request_records_pending_row_with_consent(call):
    before = timezone.now()

    _request(call, email=" Ada@Example.org ", language="en")

    preregistration = PreRegistration.objects.get()
    assert preregistration.email == "Ada@Example.org"
    assert preregistration.language == "en"
    assert preregistration.consent_text == CONSENT
    assert before <= preregistration.consented_at <= timezone.now()
    assert preregistration.confirmed_at is None
    assert list(preregistrations_to_notify(call)) == []


def test_preregistration_request_queues_confirmation_mail_with_links(call):
    _request(call, language="en")

    preregistration = PreRegistration.objects.get()
    queued = _confirm_mails(preregistration).get()
    assert queued.occurrence_key == f"preregistration_confirm:{preregistration.pk}:1"
    assert queued.status == MailStatus.QUEUED
    assert mails_send_queued() == 1
    message = mail.outbox[-1]
    assert message.to == ["ada@example.org"]
    assert message.subject == "Confirm your pre-registration: Call 3"
    links = _links_in_last_mail()
    assert links["confirm"].startswith("/en/preregistration/")
    assert links["unsubscribe"].startswith("/en/preregistration/")
    # The links carry no address in clear.
    assert "ada" not in links["confirm"] + links["unsubscribe"]
    # Mail clients can offer their own one-click unsubscribe (RFC 8058): the same link as
    # the body's (a link made now could differ by its signed timestamp).
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and header.endswith(f"{links['unsubscribe']}>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_preregistration_request_twice_keeps_one_row(call):
    _request(call, email="ada@example.org")
    _request(call, email="ADA@example.ORG")

    assert PreRegistration.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_preregistration_request_concurrent_duplicates_keep_one_row():
    call = UpcomingCallFactory()
    barrier = threading.Barrier(2)
    errors = []

    def pre_register(email):
        try:
            barrier.wait(timeout=5)
            _request(call, email=email)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=pre_register, args=(email,))
        for email in ("race@example.org", "RACE@example.org")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert PreRegistration.objects.filter(call=call).count() == 1


def test_preregistration_request_pending_resends_at_most_every_ten_minutes(call):
    _request(call)
    preregistration = PreRegistration.objects.get()

    _request(call)
    _request(call, now=timezone.now() + dt.timedelta(minutes=9))
    assert _confirm_mails(preregistration).count() == 1

    _request(call, now=timezone.now() + dt.timedelta(minutes=11))
    assert [mail.occurrence_key for mail in _confirm_mails(preregistration)] == [
        f"preregistration_confirm:{preregistration.pk}:1",
        f"preregistration_confirm:{preregistration.pk}:2",
    ]


def test_preregistration_request_confirmed_gets_nothing(call):
    preregistration = PreRegistrationFactory(
        call=call, email="ada@example.org", confirmed_at=timezone.now()
    )

    _request(call, email="Ada@example.org", now=timezone.now() + dt.timedelta(hours=1))

    assert not _confirm_mails(preregistration).exists()
    assert PreRegistration.objects.count() == 1


@pytest.mark.parametrize("days", [-7, -60])
def test_preregistration_request_refused_once_call_opened(days):
    now = timezone.now()
    call = CallFactory(
        opens_at=now + dt.timedelta(days=days), closes_at=now + dt.timedelta(days=days + 30)
    )

    with pytest.raises(PreRegistrationError):
        _request(call)

    assert not PreRegistration.objects.exists()


def test_preregistration_request_rate_limited_per_ip(call):
    for number in range(REQUESTS_PER_IP):
        _request(call, email=f"visitor{number}@example.org", ip="203.0.113.9")

    with pytest.raises(RateLimited):
        _request(call, email="one-more@example.org", ip="203.0.113.9")

    _request(call, email="elsewhere@example.org", ip="203.0.113.10")
    assert PreRegistration.objects.count() == REQUESTS_PER_IP + 1


def test_preregistration_confirm_keeps_first_time(call):
    preregistration = PreRegistrationFactory(call=call)
    first = timezone.now() - dt.timedelta(days=1)

    preregistration_confirm(preregistration=preregistration, now=first)
    preregistration_confirm(preregistration=preregistration)

    preregistration.refresh_from_db()
    assert preregistration.confirmed_at == first


def test_preregistrations_to_notify_only_confirmed_of_the_call(call):
    confirmed = PreRegistrationFactory(call=call, language="en", confirmed_at=timezone.now())
    PreRegistrationFactory(call=call)
    PreRegistrationFactory(confirmed_at=timezone.now())  # another call

    assert list(preregistrations_to_notify(call)) == [confirmed]
    assert confirmed.language == "en"
    assert preregistration_unsubscribe_url(preregistration=confirmed).startswith(
        "http://127.0.0.1:8000/en/preregistration/"
    )


# Tokens.


def test_preregistration_token_round_trip(call):
    preregistration = PreRegistrationFactory(call=call)

    for purpose in (CONFIRM, UNSUBSCRIBE):
        token = preregistration_token(preregistration=preregistration, purpose=purpose)
        assert preregistration_from_token(token=token, purpose=purpose) == preregistration


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "x" + token,
        lambda token: token.replace(":", "", 1),
        lambda token: "not-a-token",
        lambda token: "\x00" * 3,
        lambda token: "a" * 10_000,
    ],
)
def test_preregistration_token_tampered_invalid(call, tamper):
    preregistration = PreRegistrationFactory(call=call)
    token = preregistration_token(preregistration=preregistration, purpose=CONFIRM)

    with pytest.raises(TokenInvalid):
        preregistration_from_token(token=tamper(token), purpose=CONFIRM)


def test_preregistration_token_of_another_purpose_invalid(call):
    preregistration = PreRegistrationFactory(call=call)
    token = preregistration_token(preregistration=preregistration, purpose=CONFIRM)

    with pytest.raises(TokenInvalid):
        preregistration_from_token(token=token, purpose=UNSUBSCRIBE)


def test_preregistration_confirm_token_expires_after_a_week(call):
    preregistration = PreRegistrationFactory(call=call)
    old = timezone.now() - dt.timedelta(days=8)
    token = preregistration_token(preregistration=preregistration, purpose=CONFIRM, now=old)

    with pytest.raises(TokenExpired):
        preregistration_from_token(token=token, purpose=CONFIRM)


def test_preregistration_unsubscribe_token_never_expires(call):
    preregistration = PreRegistrationFactory(call=call)
    old = timezone.now() - dt.timedelta(days=400)
    token = preregistration_token(preregistration=preregistration, purpose=UNSUBSCRIBE, now=old)

    assert preregistration_from_token(token=token, purpose=UNSUBSCRIBE) == preregistration


def test_preregistration_token_of_a_deleted_row_finds_nothing(call):
    preregistration = PreRegistrationFactory(call=call, email="gone@example.org")
    token = preregistration_token(preregistration=preregistration, purpose=UNSUBSCRIBE)
    preregistration.delete()
    # Another address now holds... nothing with this id; and an id reused by
    # another address would not match the email hash either.
    assert preregistration_from_token(token=token, purpose=UNSUBSCRIBE) is None


def test_preregistration_token_with_another_email_finds_nothing(call):
    preregistration = PreRegistrationFactory(call=call, email="first@example.org")
    token = preregistration_token(preregistration=preregistration, purpose=CONFIRM)
    PreRegistration.objects.filter(pk=preregistration.pk).update(email="second@example.org")

    assert preregistration_from_token(token=token, purpose=CONFIRM) is None


# Views: asking.


def _post(client, call, email="ada@example.org", language="fr", consent="on", **extra):
    data = {"email": email, "language": language}
    if consent:
        data["consent"] = consent
    return client.post(f"/{language}/calls/{call.slug}/preregister/", data, **extra)


def test_preregister_page_form_in_language(client, call):
    response = client.get(f"/en/calls/{call.slug}/preregister/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "I agree that Paris&amp;Co keeps my email address" in html
    assert "“Call 3”" in html
    assert 'value="en"  id="id_language_1" required checked' in html
    # Each language is named in itself.
    assert "Français" in html
    assert "English" in html


def test_preregister_post_records_consent_shown_in_language(client, call):
    response = _post(client, call, language="en")

    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    preregistration = PreRegistration.objects.get()
    assert preregistration.consent_text.startswith(
        "I agree that Paris&Co keeps my email address to tell me when the call “Call 3” opens"
    )
    assert preregistration.language == "en"


def test_preregister_same_response_new_pending_confirmed(client, call):
    new = _post(client, call, email="ada@example.org")
    pending = _post(client, call, email="ada@example.org")
    PreRegistration.objects.update(confirmed_at=timezone.now())
    confirmed = _post(client, call, email="ADA@example.org")
    other = _post(client, call, email="grace@example.org")

    assert new.status_code == pending.status_code == confirmed.status_code == other.status_code
    assert _page(new) == _page(pending) == _page(confirmed) == _page(other)
    assert PreRegistration.objects.count() == 2


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-email", "Saisissez une adresse de courriel valide."),
        ("a" * 10_000 + "@example.org", "au plus 254 caractères"),
        ("ada\x00@example.org", "Le caractère nul n’est pas autorisé."),
        ("", "Ce champ est obligatoire."),
    ],
)
def test_preregister_bad_email_message_next_to_field(client, call, email, message):
    response = _post(client, call, email=email)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'id="id_email_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'href="#id_email"' in html  # the error summary links to the field
    assert not PreRegistration.objects.exists()


def test_preregister_without_consent_refused(client, call):
    response = _post(client, call, consent="", language="en")

    assert response.status_code == 200
    assert "Please tick this box to pre-register." in response.content.decode()
    assert not PreRegistration.objects.exists()


def test_preregister_unknown_language_refused(client, call):
    response = client.post(
        f"/fr/calls/{call.slug}/preregister/",
        {"email": "ada@example.org", "language": "de", "consent": "on"},
    )

    assert response.status_code == 200
    assert 'id="id_language_error"' in response.content.decode()
    assert not PreRegistration.objects.exists()


def test_preregister_rate_limited_per_ip_with_message(client, call):
    for number in range(REQUESTS_PER_IP):
        assert _post(client, call, email=f"v{number}@example.org").status_code == 200

    response = _post(client, call, email="late@example.org", language="en")

    assert response.status_code == 429
    assert "Too many pre-registrations from your connection" in response.content.decode()
    assert PreRegistration.objects.count() == REQUESTS_PER_IP
    # Another connection is not affected.
    assert _post(client, call, email="else@example.org", REMOTE_ADDR="192.0.2.44").status_code == (
        200
    )


@pytest.mark.parametrize("days", [-7, -60])
def test_preregister_on_open_or_closed_call_redirects_to_call(client, days):
    now = timezone.now()
    call = CallFactory(
        opens_at=now + dt.timedelta(days=days), closes_at=now + dt.timedelta(days=days + 30)
    )

    response = _post(client, call)

    assert response.status_code == 302
    assert response["Location"] == f"/fr/calls/{call.slug}/"
    assert not PreRegistration.objects.exists()


def test_preregister_unknown_call_not_found(client):
    assert client.get("/fr/calls/nowhere/preregister/").status_code == 404


# Views: confirming.


def test_preregistration_confirm_get_shows_button_and_does_not_confirm(client, call):
    _post(client, call, language="en")
    mails_send_queued()
    links = _links_in_last_mail()

    response = client.get(links["confirm"])

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "strict-origin"
    assert ">Confirm</button>" in html
    assert PreRegistration.objects.get().confirmed_at is None


def test_preregistration_confirm_post_confirms_then_shows_confirmed(client, call):
    _post(client, call)
    mails_send_queued()
    links = _links_in_last_mail()

    response = client.post(links["confirm"])

    assert response.status_code == 302
    assert response["Location"] == links["confirm"]
    preregistration = PreRegistration.objects.get()
    assert preregistration.confirmed_at is not None
    assert list(preregistrations_to_notify(call)) == [preregistration]
    page = client.get(links["confirm"])
    assert 'method="post"' not in page.content.decode().split("<main", 1)[1]


def test_preregistration_confirm_needs_csrf(call):
    preregistration = PreRegistrationFactory(call=call)
    token = preregistration_token(preregistration=preregistration, purpose=CONFIRM)
    client = Client(enforce_csrf_checks=True)

    response = client.post(f"/fr/preregistration/{token}/confirm/")

    assert response.status_code == 403
    preregistration.refresh_from_db()
    assert preregistration.confirmed_at is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_preregistration_confirm_tampered_token_clear_message(client, call, method):
    preregistration = PreRegistrationFactory(call=call)
    token = preregistration_token(preregistration=preregistration, purpose=CONFIRM)

    response = getattr(client, method)(f"/en/preregistration/{token[:-2]}xx/confirm/")

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    preregistration.refresh_from_db()
    assert preregistration.confirmed_at is None


def test_preregistration_confirm_expired_token_clear_message(client, call):
    preregistration = PreRegistrationFactory(call=call)
    old = timezone.now() - dt.timedelta(days=8)
    token = preregistration_token(preregistration=preregistration, purpose=CONFIRM, now=old)

    response = client.post(f"/en/preregistration/{token}/confirm/")

    assert response.status_code == 410
    assert "This link has expired. Pre-register again" in response.content.decode()
    preregistration.refresh_from_db()
    assert preregistration.confirmed_at is None


def test_preregistration_confirm_after_unsubscribe_clear_message(client, call):
    preregistration = PreRegistrationFactory(call=call)
    token = preregistration_token(preregistration=preregistration, purpose=CONFIRM)
    preregistration.delete()

    response = client.post(f"/en/preregistration/{token}/confirm/")

    assert response.status_code == 400
    assert "no longer exists" in response.content.decode()


# Views: unsubscribing.


def test_preregistration_unsubscribe_get_shows_one_button_and_keeps_row(client, call):
    preregistration = PreRegistrationFactory(call=call, confirmed_at=timezone.now())
    token = preregistration_token(preregistration=preregistration, purpose=UNSUBSCRIBE)

    response = client.get(f"/en/preregistration/{token}/unsubscribe/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "strict-origin"
    main = html.split("<main", 1)[1]
    assert main.count("<button") == 1
    assert ">Unsubscribe</button>" in main
    assert PreRegistration.objects.filter(pk=preregistration.pk).exists()


def test_preregistration_unsubscribe_post_deletes_row(client, call):
    _post(client, call, language="en")
    mails_send_queued()
    links = _links_in_last_mail()

    response = client.post(links["unsubscribe"])

    assert response.status_code == 200
    assert "You will receive no more emails about this call" in response.content.decode()
    assert not PreRegistration.objects.exists()
    # Once more (a double click, a mail client retrying): still fine.
    assert client.post(links["unsubscribe"]).status_code == 200
    assert client.get(links["unsubscribe"]).status_code == 200


def test_preregistration_unsubscribe_one_click_post_without_page(call):
    """RFC 8058: a mail client POSTs List-Unsubscribe=One-Click, with no CSRF token."""
    preregistration = PreRegistrationFactory(call=call, confirmed_at=timezone.now())
    url = preregistration_unsubscribe_url(preregistration=preregistration)
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        _path(url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not PreRegistration.objects.exists()


def test_preregistration_unsubscribe_tampered_token_keeps_row(client, call):
    preregistration = PreRegistrationFactory(call=call)
    token = preregistration_token(preregistration=preregistration, purpose=UNSUBSCRIBE)

    response = client.post(f"/en/preregistration/{token}x/unsubscribe/")

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert PreRegistration.objects.exists()


def test_preregistration_unsubscribe_with_confirm_token_refused(client, call):
    preregistration = PreRegistrationFactory(call=call)
    token = preregistration_token(preregistration=preregistration, purpose=CONFIRM)

    assert client.post(f"/en/preregistration/{token}/unsubscribe/").status_code == 400
    assert PreRegistration.objects.exists()


# The call page.


def _call_with(rows, **kwargs):
    edition = EditionFactory()
    themes = UrbanChallengeFactory.create_batch(rows, edition=edition)
    districts = InnovationDistrictFactory.create_batch(rows, edition=edition, themes=themes)
    call = CallFactory(edition=edition, slug="qmi-call", districts=districts, **kwargs)
    KeyDateFactory.create_batch(rows, call=call)
    SelectionCriterionFactory.create_batch(rows, call=call)
    return call


@pytest.mark.parametrize("upcoming", [True, False])
@pytest.mark.parametrize("rows", [1, 3])
def test_call_detail_query_count_constant(client, django_assert_num_queries, upcoming, rows):
    now = timezone.now()
    dates = (
        {"opens_at": now + dt.timedelta(days=5), "closes_at": now + dt.timedelta(days=30)}
        if upcoming
        else {}
    )
    _call_with(rows, **dates)

    # Call and edition, criteria, key dates, districts and towns, their themes, challenges.
    with django_assert_num_queries(6):
        response = client.get("/en/calls/qmi-call/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Information meeting ") == rows
    assert html.count('<th scope="row"') == rows
    assert html.count("/#district-") == rows


def test_call_detail_upcoming_shows_preregistration_and_disabled_apply(client, call):
    response = client.get(f"/en/calls/{call.slug}/")

    html = response.content.decode()
    assert f'action="/en/calls/{call.slug}/preregister/"' in html
    assert f'action="/en/calls/{call.slug}/apply/"' not in html
    assert 'disabled aria-describedby="apply-unavailable">Apply</button>' in html
    assert "Applications are not open yet." in html
    assert "Applications open in" in html
    assert "9 days, 23 hours and 59 minutes" in html or "10 days" in html


def test_call_detail_open_shows_apply_post_form_to_signed_in_user(client):
    now = timezone.now()
    call = CallFactory(opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(hours=5))
    client.force_login(UserFactory())

    response = client.get(f"/en/calls/{call.slug}/")

    html = response.content.decode()
    form = html.split(f'action="/en/calls/{call.slug}/apply/"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'type="submit"' in form
    assert "preregister/" not in html
    assert "Time left to apply" in html
    assert re.search(r"4 hours and 59 minutes|5 hours", html)
    assert 'src="/static/js/countdown.js"' in html


def test_call_detail_open_gives_visitors_a_sign_in_link_and_no_csrf_token(client):
    now = timezone.now()
    call = CallFactory(opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(hours=5))

    response = client.get(f"/en/calls/{call.slug}/")

    html = response.content.decode()
    assert f'href="/en/signin/?next=/en/calls/{call.slug}/"' in html
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies


def test_call_detail_closed_explains_apply(client):
    call = CallFactory(
        opens_at=timezone.make_aware(dt.datetime(2023, 3, 9)),
        closes_at=timezone.make_aware(dt.datetime(2023, 4, 9, 23, 59)),
    )

    html = client.get(f"/en/calls/{call.slug}/").content.decode()

    assert 'disabled aria-describedby="apply-unavailable">Apply</button>' in html
    assert "This call is closed: applications are no longer accepted." in html
    assert "Applications closed on Sunday 9 April 2023 at 23:59 (Paris time)." in html
    assert "preregister/" not in html
    assert "countdown.js" not in html


def test_call_detail_countdown_in_french_paris_time(client):
    call = UpcomingCallFactory()
    call.opens_at = timezone.make_aware(dt.datetime(2031, 1, 15, 9, 30))
    call.closes_at = call.opens_at + dt.timedelta(days=30)
    call.save()

    html = client.get(f"/fr/calls/{call.slug}/").content.decode()

    assert re.search(r"\d+ (jours|days)", html)
    assert "09:30" in html
    assert 'datetime="2031-01-15T08:30:00+00:00"' in html


def test_call_detail_shows_key_dates_criteria_weights_eligibility(client):
    call = CallFactory(
        eligibility_en="Organisations of any size, French or foreign.",
    )
    KeyDateFactory(
        call=call,
        kind="webinar",
        title_en="Questions and answers",
        starts_at=timezone.make_aware(dt.datetime(2031, 2, 3, 18, 0)),
        location="https://example.org/webinar",
    )
    SelectionCriterionFactory(call=call, name_en="Utility", weight=3)
    SelectionCriterionFactory(call=call, name_en="Sobriety", weight=1)

    html = client.get(f"/en/calls/{call.slug}/").content.decode()

    assert "Organisations of any size, French or foreign." in html
    assert "Webinar: Questions and answers" in html
    assert "Monday 3 February 2031 at 18:00" in html
    assert '<a href="https://example.org/webinar"' in html
    assert "Utility" in html
    assert "3 (75 %)" in html
    assert "1 (25 %)" in html


def test_remaining_text_in_both_languages():
    from django.utils import translation

    from calls.views.public import remaining_text

    delta = dt.timedelta(days=2, hours=1, minutes=5, seconds=40)
    with translation.override("en"):
        assert remaining_text(delta) == "2 days, 1 hour and 5 minutes"
        assert remaining_text(dt.timedelta(seconds=30)) == "less than a minute"
        assert remaining_text(dt.timedelta(hours=3)) == "3 hours"
