"""A visitor's first journey: home, a municipality and its map, then English."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from municipalities.demo import MUNICIPALITIES

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_visitor_goes_from_home_to_a_municipality_then_to_english(page, screenshot, axe_violations):
    call_command("seed_demo", force=True, verbosity=0)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/fr/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    for name, *_ in MUNICIPALITIES:
        expect(page.get_by_role("link", name=name, exact=True).first).to_be_visible()
    screenshot("home-fr")
    assert axe_violations() == []

    # The skip link is the first thing the keyboard reaches.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()

    page.get_by_role("link", name="Aubervilliers", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/fr/municipalities/aubervilliers/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Aubervilliers")
    expect(page.get_by_text("Réaménager et redynamiser le centre-ville.")).to_be_visible()
    # The map draws the district without any tile server.
    expect(page.locator("#district-map.map-ready")).to_be_visible()
    expect(page.locator("#district-map path.leaflet-interactive")).to_have_count(1)
    screenshot("municipality-fr")
    assert axe_violations() == []

    page.locator(".language-switcher a[hreflang=en]").click()
    expect(page).to_have_url(re.compile(r"/en/municipalities/aubervilliers/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("Redevelopment and revitalisation of the town centre.")).to_be_visible()
    screenshot("municipality-en")


PUBLIC_PAGES = [
    "/fr/",
    "/en/",
    "/fr/calls/",
    "/fr/calls/qmi2-experimenters-phase-1/",
    "/fr/editions/",
    "/fr/editions/2/",
    "/fr/municipalities/",
    "/fr/municipalities/sucy-en-brie/",
    "/fr/partners/",
    "/fr/legal/",
    "/fr/privacy/",
    "/en/privacy/",
    "/fr/accessibility/",
    "/en/accessibility/",
    "/fr/account/login/",
]


def test_public_pages_have_no_serious_accessibility_violation(page, axe_violations):
    call_command("seed_demo", force=True, verbosity=0)
    found = {}
    for path in PUBLIC_PAGES:
        page.goto(path)
        violations = axe_violations()
        if violations:
            found[path] = violations
    assert found == {}
