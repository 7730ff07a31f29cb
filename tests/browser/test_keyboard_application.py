"""A whole application filled in and submitted with the keyboard alone (RGAA 12.x).

The browser is driven only with Tab, Shift+Tab, arrows, Space, Enter and
typing: no click, no `fill`. Each field is reached by tabbing, so a field
that cannot take the focus, or a focus trap, makes the test fail. Choosing a
file in the system dialog is the one thing a test cannot type: the dialog is
opened with the keyboard, then the file is handed to it.
"""

import re

import pytest
from playwright.sync_api import expect

from calls.enums import ApplicationStatus
from calls.models import Application
from calls.services.calls import call_ensure_default_criteria
from tests.browser.test_application_journey import _sign_in
from tests.factories import (
    CallFactory,
    InnovationDistrictFactory,
    MunicipalityFactory,
    UrbanChallengeFactory,
    UserFactory,
    pdf_bytes,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FOCUSED = """() => {
  const el = document.activeElement;
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return {
    tag: el.tagName.toLowerCase(), name: el.name || "", type: el.type || "",
    value: el.value || "", checked: !!el.checked,
    text: ((el.innerText || "") + " " + label + " " + (el.getAttribute("aria-label") || "")).trim(),
  };
}"""


def _focused(page) -> dict:
    return page.evaluate(FOCUSED)


def _tab_to(page, matches, limit=150):
    """Press Tab until the focused element matches; fail if it is never reached."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if matches(focused):
            return focused
        seen.append(focused["name"] or focused["text"][:30])
    raise AssertionError(f"Never reached by Tab; focus went through {seen}")


def _named(name):
    return lambda focused: focused["name"] == name


def _button(text):
    pattern = re.compile(text)
    return lambda focused: focused["tag"] == "button" and pattern.search(focused["text"])


def _type_into(page, name, text):
    _tab_to(page, _named(name))
    page.keyboard.type(text)


def _choose_option(page, name, value, limit=300):
    """A closed select changes option with the arrow keys."""
    _tab_to(page, _named(name))
    page.keyboard.press("Home")
    for _ in range(limit):
        if _focused(page)["value"] == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} not reachable in {name}")


def _next_step(page):
    _tab_to(page, _button("Enregistrer et continuer"))
    page.keyboard.press("Enter")


def test_applicant_fills_and_submits_a_whole_application_with_the_keyboard(
    page, live_server, screenshot, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call = CallFactory(title_fr="Appel au clavier", title_en="Keyboard call")
    call_ensure_default_criteria(call=call)
    district = InnovationDistrictFactory(
        edition=call.edition, municipality=MunicipalityFactory(name="Aubervilliers")
    )
    call.districts.add(district)
    UrbanChallengeFactory(edition=call.edition, name_fr="Îlots de fraîcheur")
    user = UserFactory(first_name="Inès", last_name="Garnier", email="ines@clavier.example.org")
    _sign_in(page, live_server, user)
    presentation = tmp_path / "presentation.pdf"
    presentation.write_bytes(pdf_bytes("Au clavier"))

    page.goto(call.get_absolute_url())
    _tab_to(page, _button("Candidater|Déposer une candidature|Apply"))
    page.keyboard.press("Enter")

    # Organisation.
    expect(page).to_have_url(re.compile(r"/step/organisation/$"))
    _type_into(page, "organisation_name", "Clavier & Cie")
    _choose_option(page, "legal_form", "startup")
    _choose_option(page, "country", "FR")
    _type_into(page, "siret", "73282932000074")
    _next_step(page)

    # Contact: the name comes from the account; the phone and role are typed.
    expect(page).to_have_url(re.compile(r"/step/contact/$"))
    _type_into(page, "contact_phone", "+33 1 23 45 67 89")
    _type_into(page, "contact_role", "Fondatrice")
    _next_step(page)

    # Solution: radio buttons with the arrows, check boxes with Space.
    expect(page).to_have_url(re.compile(r"/step/solution/$"))
    _type_into(page, "solution_name", "Banc au clavier")
    _type_into(page, "solution_summary", "Un banc qui rafraîchit.")
    _type_into(page, "solution_description", "Un prototype en bois, testé en atelier.")
    _tab_to(page, _named("maturity"))
    for _ in range(10):
        if _focused(page)["value"] == "prototype":
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert _focused(page)["checked"]
    _tab_to(page, lambda focused: focused["name"] == "themes" and "fraîcheur" in focused["text"])
    page.keyboard.press("Space")
    _tab_to(
        page,
        lambda focused: (
            focused["name"] == "target_districts" and "Aubervilliers" in focused["text"]
        ),
    )
    page.keyboard.press("Space")
    _type_into(page, "site_needs", "Une prise électrique.")
    _next_step(page)

    # Impacts: one text per criterion.
    expect(page).to_have_url(re.compile(r"/step/impacts/$"))
    for index in range(5):
        _tab_to(page, lambda focused: focused["tag"] == "textarea")
        page.keyboard.type(f"Effet numéro {index + 1}.")
    _next_step(page)

    # Attachments: the file dialog opens from the keyboard.
    expect(page).to_have_url(re.compile(r"/step/attachments/$"))
    _tab_to(page, _named("presentation"))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(presentation))
    _next_step(page)

    # Review: declarations with Space, then submit with Enter.
    expect(page).to_have_url(re.compile(r"/review/$"))
    for name in ("declares_accuracy", "accepts_privacy"):
        _tab_to(page, _named(name))
        page.keyboard.press("Space")
    _tab_to(page, _button("Déposer la candidature"))
    screenshot("keyboard-review")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/submitted/$"))
    application = Application.objects.get(applicant=user)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.organisation_name == "Clavier & Cie"
    assert application.country == "FR"
    assert application.maturity == "prototype"
    assert list(application.target_districts.all()) == [district]
    assert application.attachments.count() == 1
    expect(page.locator("#reference")).to_have_text(application.reference)
