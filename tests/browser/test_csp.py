"""The Content-Security-Policy in a real browser: our pages work under it, untouched.

Chromium reports every blocked script, style or image as a
``securitypolicyviolation`` event; each page here is opened with a listener
(installed by the browser, not by the page) and must report none, while its
scripts visibly run (map, countdown, formset, autosave, admin).
"""

from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import (
    ApplicationFactory,
    CallFactory,
    InnovationDistrictFactory,
    StaffUserFactory,
    submitted_application,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__csp.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline'));
});
"""


@pytest.fixture
def csp_page(page):
    page.context.add_init_script(LISTEN)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.csp_console = console
    return page


def _violations(tab):
    return tab.evaluate("window.__csp") + tab.csp_console


def _sign_in(tab, live_server, user):
    client = Client()
    client.force_login(user)
    tab.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "domain": urlparse(live_server.url).hostname,
                "path": "/",
                "httpOnly": True,
            }
        ]
    )


def test_public_pages_run_their_scripts_without_any_csp_violation(
    csp_page,
    live_server,
    screenshot,
):
    district = InnovationDistrictFactory()
    call = CallFactory()

    csp_page.goto("/fr/")
    assert csp_page.locator("h1").first.is_visible()
    assert _violations(csp_page) == []

    csp_page.goto(district.municipality.get_absolute_url())
    csp_page.wait_for_selector(".leaflet-container")  # district-map.js and Leaflet ran
    assert _violations(csp_page) == []

    csp_page.goto(call.get_absolute_url())
    assert csp_page.locator("[data-countdown]").count() == 1
    assert csp_page.evaluate(
        "performance.getEntriesByType('resource').some((e) => e.name.includes('countdown'))"
    )
    assert _violations(csp_page) == []

    csp_page.goto(reverse("calls:privacy"))
    screenshot("privacy-notice")
    assert _violations(csp_page) == []

    # The listener does see what the policy blocks: an injected inline style and image.
    csp_page.evaluate(
        """document.body.insertAdjacentHTML('beforeend',
            '<p style="color: red">x</p><img alt="" src="https://elsewhere.example/x.png">')"""
    )
    csp_page.wait_for_function("window.__csp.length >= 2")
    assert {entry.split()[0] for entry in _violations(csp_page)} >= {"style-src-attr", "img-src"}


def test_applicant_pages_with_formset_autosave_and_my_data_have_no_csp_violation(
    csp_page,
    live_server,
    screenshot,
    axe_violations,
):
    application = ApplicationFactory(incomplete=True)
    _sign_in(csp_page, live_server, application.applicant)

    csp_page.goto(
        reverse("calls:application_step", kwargs={"uuid": application.uuid, "step": "contact"})
    )
    members = csp_page.locator("[data-formset-prefix] input[name$='-name']")
    before = members.count()
    csp_page.locator(".add-team-member").click()  # shown and wired by formset.js
    assert members.count() == before + 1
    assert _violations(csp_page) == []

    csp_page.goto(reverse("calls:my_data"))
    screenshot("my-data")
    assert axe_violations() == []
    with csp_page.expect_download() as download:
        csp_page.locator("a[href$='export.json']").click()
    assert download.value.suggested_filename.startswith("qmi-my-data-")
    assert _violations(csp_page) == []


def test_staff_pages_and_the_admin_have_no_csp_violation(
    csp_page,
    live_server,
    screenshot,
):
    application = submitted_application()
    _sign_in(csp_page, live_server, StaffUserFactory())

    csp_page.goto(reverse("admin:calls_application_changelist"))
    csp_page.locator("#action-toggle").check()  # the admin's own scripts run
    assert csp_page.locator("tr.selected").count() == 1
    assert _violations(csp_page) == []

    csp_page.goto(reverse("admin:calls_application_change", args=[application.pk]))
    assert _violations(csp_page) == []

    csp_page.goto(reverse("calls:call_statistics", kwargs={"slug": application.call.slug}))
    bars = csp_page.locator("progress.stat-bar")
    assert bars.count() > 0
    assert bars.first.bounding_box()["width"] > 50  # styled by static/css/statistics.css
    screenshot("call-statistics")
    assert _violations(csp_page) == []
