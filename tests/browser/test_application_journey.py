"""A new applicant fills every step, leaves, comes back, submits and sees the reference.

Signing in by link is tested elsewhere: here the applicant's session cookie is
put straight into the browser.
"""

import re
from urllib.parse import urlparse

import pytest
from django.test import Client
from playwright.sync_api import expect

from calls.enums import ApplicationStatus
from calls.models import Application
from calls.services.calls import call_ensure_default_criteria
from tests.factories import (
    CallFactory,
    InnovationDistrictFactory,
    MunicipalityFactory,
    UrbanChallengeFactory,
    UserFactory,
    pdf_bytes,
    png_bytes,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    yield


def _sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": cookie.value,
                "domain": urlparse(live_server.url).hostname,
                "path": "/",
                "httpOnly": True,
            }
        ]
    )


def _check(page, axe_violations, screenshot, name):
    screenshot(name)
    assert axe_violations() == [], name


def test_new_applicant_fills_leaves_comes_back_and_submits(
    page, live_server, screenshot, axe_violations, private_media, tmp_path
):
    call = CallFactory(title_fr="Appel à expérimentations – phase 1", title_en="Call – phase 1")
    call_ensure_default_criteria(call=call)
    for town in ("Aubervilliers", "Fontenay-sous-Bois"):
        municipality = MunicipalityFactory(name=town)
        call.districts.add(
            InnovationDistrictFactory(edition=call.edition, municipality=municipality)
        )
    for name in ("Îlots de fraîcheur", "Mobilités douces"):
        UrbanChallengeFactory(edition=call.edition, name_fr=name, name_en=name)
    user = UserFactory(first_name="Inès", last_name="Garnier", email="ines@ombre.example.org")
    _sign_in(page, live_server, user)
    presentation = tmp_path / "Présentation Ombre.pdf"
    presentation.write_bytes(pdf_bytes("Ombre et fraicheur"))
    photo = tmp_path / "banc.png"
    photo.write_bytes(png_bytes((40, 30)))

    # The call page's Apply button starts the draft.
    page.goto(call.get_absolute_url())
    page.locator(f"form[action$='/calls/{call.slug}/apply/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/step/organisation/$"))
    expect(page.locator("ol.steps [aria-current=step]")).to_contain_text("Organisation")
    _check(page, axe_violations, screenshot, "application-1-organisation")

    page.fill("[name=organisation_name]", "Ombre & Fraîcheur")
    page.select_option("[name=legal_form]", "startup")
    page.select_option("[name=country]", "FR")
    page.fill("[name=siret]", "732 829 320 00074")
    page.fill("[name=website]", "https://ombre.example.org")
    page.get_by_role(
        "button", name=re.compile("Save and continue|Enregistrer et continuer")
    ).click()

    # Contact and team: two members, the second added with the button.
    expect(page).to_have_url(re.compile(r"/step/contact/$"))
    expect(page.locator("[name=contact_first_name]")).to_have_value("Inès")
    page.fill("[name=contact_phone]", "+33 1 23 45 67 89")
    page.fill("[name=contact_role]", "Fondatrice")
    page.fill("[name=team-0-name]", "Marc Petit")
    page.fill("[name=team-0-role]", "Ingénieur")
    page.locator(".add-team-member").click()
    page.fill("[name=team-1-name]", "Léa Roux")
    page.fill("[name=team-1-email]", "lea@ombre.example.org")
    _check(page, axe_violations, screenshot, "application-2-contact")
    page.get_by_role(
        "button", name=re.compile("Save and continue|Enregistrer et continuer")
    ).click()

    # Solution: a wrong value first, to see the error summary.
    expect(page).to_have_url(re.compile(r"/step/solution/$"))
    page.fill("[name=solution_name]", "Banc frais")
    page.check("[name=maturity][value=marketed]")
    page.get_by_role(
        "button", name=re.compile("Save and continue|Enregistrer et continuer")
    ).click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary a[href='#id_maturity_0']")).to_be_visible()
    expect(page.locator("[name=solution_name]")).to_have_value("Banc frais")
    _check(page, axe_violations, screenshot, "application-3-solution-error")

    page.check("[name=maturity][value=prototype]")
    page.fill(
        "[name=solution_summary]", "Un banc public qui offre de l'ombre et mesure la chaleur."
    )
    page.fill(
        "[name=solution_description]",
        "Un prototype en bois et toile, testé en atelier, avec un capteur de température.",
    )
    page.get_by_label("Îlots de fraîcheur").check()
    page.get_by_label(re.compile("Aubervilliers")).check()
    page.fill("[name=site_needs]", "Deux mètres carrés et une prise électrique.")
    # Autosave: the status says when it saved, then the applicant leaves without "next".
    expect(page.locator("#autosave-status")).to_contain_text(
        re.compile(r"\d\d:\d\d"), timeout=15_000
    )
    # The error the page came with is gone once the field saved fine.
    expect(page.locator("#error-summary")).to_be_hidden()
    expect(page.locator("[name=maturity].is-invalid")).to_have_count(0)
    _check(page, axe_violations, screenshot, "application-3-solution-autosaved")
    page.goto("/fr/my-applications/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot("application-my-applications-draft")
    assert axe_violations() == []

    # Coming back: everything is there.
    page.get_by_role("link", name=re.compile("Continue the application|Continuer")).first.click()
    page.goto(page.url.rsplit("/step/", 1)[0] + "/step/solution/")
    expect(page.locator("[name=site_needs]")).to_have_value(
        "Deux mètres carrés et une prise électrique."
    )
    expect(page.get_by_label("Îlots de fraîcheur")).to_be_checked()
    expect(page.locator("[name=maturity][value=prototype]")).to_be_checked()
    page.get_by_role(
        "button", name=re.compile("Save and continue|Enregistrer et continuer")
    ).click()

    # Impacts, one per criterion.
    expect(page).to_have_url(re.compile(r"/step/impacts/$"))
    textareas = page.locator("form#step-form textarea")
    expect(textareas).to_have_count(5)
    for index in range(5):
        textareas.nth(index).fill(f"Effet attendu numéro {index + 1}.")
    _check(page, axe_violations, screenshot, "application-4-impacts")
    page.get_by_role(
        "button", name=re.compile("Save and continue|Enregistrer et continuer")
    ).click()

    # Attachments: the presentation and a photo.
    expect(page).to_have_url(re.compile(r"/step/attachments/$"))
    _check(page, axe_violations, screenshot, "application-5-attachments-empty")
    page.set_input_files("[name=presentation]", str(presentation))
    page.set_input_files("[name=images]", str(photo))
    page.get_by_role("button", name=re.compile("^(Save|Enregistrer)$")).click()
    expect(page.get_by_role("link", name="Présentation Ombre.pdf")).to_be_visible()
    expect(page.get_by_role("link", name="banc.png")).to_be_visible()
    _check(page, axe_violations, screenshot, "application-5-attachments")

    # Leave again, come back through the list: all steps kept their answers.
    page.goto("/fr/calls/")
    application = Application.objects.get()
    page.goto(f"/fr/applications/{application.uuid}/step/organisation/")
    expect(page.locator("[name=organisation_name]")).to_have_value("Ombre & Fraîcheur")
    expect(page.locator("[name=siret]")).to_have_value("73282932000074")
    page.goto(f"/fr/applications/{application.uuid}/step/contact/")
    expect(page.locator("[name=team-0-name]")).to_have_value("Marc Petit")
    expect(page.locator("[name=team-1-name]")).to_have_value("Léa Roux")
    page.goto(f"/fr/applications/{application.uuid}/step/attachments/")
    expect(page.get_by_role("link", name="Présentation Ombre.pdf")).to_be_visible()

    # Review: nothing missing but the declarations.
    page.goto(f"/fr/applications/{application.uuid}/review/")
    expect(page.locator("ol.steps [aria-current=step]")).to_be_visible()
    missing = page.locator("#missing-title + ul li")
    expect(missing).to_have_count(2)
    _check(page, axe_violations, screenshot, "application-6-review")
    page.check("[name=declares_accuracy]")
    page.check("[name=accepts_privacy]")
    page.get_by_role(
        "button", name=re.compile("Submit the application|Déposer la candidature")
    ).click()

    # Confirmation with the reference.
    expect(page).to_have_url(re.compile(r"/submitted/$"))
    reference = page.locator("#reference")
    expect(reference).to_have_text(re.compile(rf"^QMI{call.edition.number}-EXP-\d{{4}}$"))
    _check(page, axe_violations, screenshot, "application-7-submitted")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert reference.inner_text() == application.reference
    assert application.team_members.count() == 2
    assert application.attachments.count() == 2

    # Read-only from now on: a step leads to the application's page.
    page.goto(f"/fr/applications/{application.uuid}/step/solution/")
    expect(page).to_have_url(re.compile(rf"/applications/{application.uuid}/$"))
    expect(page.get_by_text(application.reference).first).to_be_visible()
    _check(page, axe_violations, screenshot, "application-8-detail")


def test_an_autosave_error_on_a_group_of_options_closes_the_group(
    page, live_server, screenshot, axe_violations
):
    """The message under the whole group, every option marked; gone once a right one saves."""
    call = CallFactory()
    user = UserFactory()
    _sign_in(page, live_server, user)
    page.goto(call.get_absolute_url())
    page.locator(f"form[action$='/calls/{call.slug}/apply/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/step/organisation/$"))
    page.goto(page.url.replace("/step/organisation/", "/step/solution/"))
    options = page.locator("[name=maturity]")

    page.check("[name=maturity][value=marketed]")

    error = page.locator("#div_id_maturity fieldset > .autosave-error")
    expect(error).to_contain_text(re.compile("déjà commercialisée|already on the market"))
    # After the options (and their help), not inside the first one.
    expect(page.locator("#div_id_maturity .form-check .autosave-error")).to_have_count(0)
    expect(page.locator("[name=maturity].is-invalid")).to_have_count(options.count())
    _check(page, axe_violations, screenshot, "application-autosave-group-error")

    page.check("[name=maturity][value=prototype]")

    expect(page.locator("#div_id_maturity .autosave-error")).to_have_count(0)
    expect(page.locator("[name=maturity].is-invalid")).to_have_count(0)
