"""A visitor pre-registers to an upcoming call, confirms by mail, then signs in by link."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from calls.models import PreRegistration
from calls.services.calls import call_ensure_default_criteria
from notifications.services import mails_send_queued
from tests.factories import (
    EditionFactory,
    InnovationDistrictFactory,
    KeyDateFactory,
    UpcomingCallFactory,
    UrbanChallengeFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LINK_PATH = re.compile(r"https?://[^/\s]+(/\S+/)")


def _path_in_last_mail(fragment):
    mails_send_queued()
    for url in LINK_PATH.findall(mail.outbox[-1].body):
        if fragment in url:
            return url
    raise AssertionError(f"No {fragment} link in: {mail.outbox[-1].body}")


@pytest.fixture
def upcoming_call():
    cache.clear()
    edition = EditionFactory(number=3, name_fr="Édition 3", name_en="Edition 3")
    theme = UrbanChallengeFactory(edition=edition, name_fr="Sport en ville")
    district = InnovationDistrictFactory(
        edition=edition, name_fr="Quartier de la gare", themes=[theme]
    )
    call = UpcomingCallFactory(
        edition=edition,
        slug="qmi3-experimenters",
        title_fr="Appel à expérimentateurs – Édition 3",
        eligibility_fr="Toute organisation, française ou étrangère.",
        opens_at=timezone.now() + dt.timedelta(days=12, hours=3),
        districts=[district],
    )
    KeyDateFactory(
        call=call,
        title_fr="Réunion d'information en ligne",
        starts_at=timezone.now() + dt.timedelta(days=5),
        location="https://example.org/reunion",
    )
    call_ensure_default_criteria(call=call)
    return call


def test_visitor_preregisters_confirms_then_signs_in_by_link(
    page, screenshot, axe_violations, upcoming_call
):
    # The call page: countdown, key dates, criteria, pre-registration.
    page.goto(f"/fr/calls/{upcoming_call.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Appel à expérimentateurs – Édition 3"
    )
    # The script took over the countdown, in French, from the browser's clock.
    expect(page.locator("[data-countdown-remaining]")).to_have_text(
        re.compile(r"^12\sjours,\s(2|3)\sheures\set\s\d+\sminutes?$")
    )
    expect(page.locator("button[disabled][aria-describedby=apply-unavailable]")).to_be_visible()
    expect(page.get_by_text("Réunion d'information en ligne")).to_be_visible()
    screenshot("preregistration-call-upcoming-fr")
    assert axe_violations() == []

    form = page.locator("form[action$='/preregister/']")
    # A wrong address first: the message sits next to the field, the summary links to it.
    form.locator("#id_email").fill("pas-une-adresse")
    form.locator("#id_consent").check()
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/fr/calls/qmi3-experimenters/preregister/$"))
    expect(page.locator("#id_email_error")).to_contain_text("adresse de courriel valide")
    expect(page.locator("#error-summary a[href='#id_email']")).to_be_visible()
    screenshot("preregistration-form-error-fr")
    assert axe_violations() == []

    page.locator("#id_email").fill("camille@example.org")
    page.locator("#id_consent").check()
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot("preregistration-sent-fr")
    assert axe_violations() == []
    preregistration = PreRegistration.objects.get()
    assert preregistration.confirmed_at is None
    # The consent recorded is the text shown, with the call's title.
    assert "Paris&Co" in preregistration.consent_text
    assert "Appel à expérimentateurs – Édition 3" in preregistration.consent_text

    # The confirmation mail: opening the link confirms nothing, the button does.
    confirm_path = _path_in_last_mail("/confirm/")
    unsubscribe_path = _path_in_last_mail("/unsubscribe/")
    page.goto(confirm_path)
    screenshot("preregistration-confirm-fr")
    assert axe_violations() == []
    preregistration.refresh_from_db()
    assert preregistration.confirmed_at is None
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(confirm_path) + "$"))
    expect(page.locator("main form")).to_have_count(0)
    screenshot("preregistration-confirmed-fr")
    preregistration.refresh_from_db()
    assert preregistration.confirmed_at is not None

    # The unsubscribe page has one button (not pressed here).
    page.goto(unsubscribe_path)
    expect(page.locator("main button")).to_have_count(1)
    screenshot("preregistration-unsubscribe-fr")
    assert axe_violations() == []

    # Sign in by email, from the password page's link.
    page.goto("/fr/account/login/")
    page.locator("main a[href^='/fr/signin/']").click()
    expect(page).to_have_url(re.compile(r"/fr/signin/$"))
    screenshot("signin-request-fr")
    assert axe_violations() == []
    page.locator("#id_email").fill("Camille@Example.org")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/fr/signin/sent/$"))
    screenshot("signin-sent-fr")
    assert axe_violations() == []

    link_path = _path_in_last_mail("/signin/link/")
    page.goto(link_path)
    expect(page.locator("form[action$='/logout/'] button")).to_have_count(0)
    screenshot("signin-link-fr")
    assert axe_violations() == []
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/fr/my-applications/$"))
    assert "signin" not in page.url
    expect(page.locator("form[action$='/logout/'] button")).to_have_count(1)
    screenshot("signin-landed-fr")
    assert get_user_model().objects.filter(username="camille@example.org").exists()

    # The link works once: opening it again says so and offers a new one.
    page.goto(link_path)
    expect(page.locator("main form[action='/fr/signin/'] #id_email")).to_be_visible()
    screenshot("signin-link-used-fr")
    assert axe_violations() == []
