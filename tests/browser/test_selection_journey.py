"""Staff screen, assign, shortlist and select; a reviewer scores; a town gives its opinion.

Each person signs in through a session cookie (force_login with the test
client, the cookie copied into their own browser context).
"""

import re

import pytest
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from calls.enums import ApplicationStatus as S
from calls.models import MunicipalityOpinion, ReviewAssignment
from notifications.enums import MailStatus
from notifications.models import OutgoingMail
from notifications.services import mails_send_queued
from tests.browser.conftest import AXE_SCRIPT, SCREENSHOTS
from tests.calls.selection_world import make_world
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHANGELIST = "/fr/admin/calls/application/"


def _signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def _shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _axe(page):
    page.evaluate(AXE_SCRIPT.read_text())  # not an inline <script>: the CSP forbids those
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [
        f"{violation['id']}: {violation['help']}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def _run_action(page, action, applications):
    page.goto(CHANGELIST + "?o=1")
    for application in applications:
        page.check(f'input[name="_selected_action"][value="{application.pk}"]')
    page.select_option('select[name="action"]', action)
    with page.expect_navigation():
        page.click('button[name="index"]')


def test_staff_review_cosel_and_decision_journey(browser, live_server):
    world = make_world(status=S.SUBMITTED)
    world.assignment.delete()
    application = world.application
    other = ApplicationFactory(call=world.call, status=S.SUBMITTED, organisation_name="Autre")
    staff = _signed_in(browser, live_server, world.staff)

    # Screening, through the intermediate page.
    _run_action(staff, "screen", [application])
    expect(staff.get_by_role("heading", level=1)).to_be_visible()
    expect(staff.locator("#content-main")).to_contain_text(application.reference)
    staff.check('input[name="status"][value="eligible"]')
    _shot(staff, "selection-01-screen")
    with staff.expect_navigation():
        staff.click('input[type="submit"].default')
    expect(staff).to_have_url(re.compile(r"/fr/admin/calls/application/"))
    application.refresh_from_db()
    assert application.status == S.ELIGIBLE

    # An illegal change is a clear message, never a 500: "other" is not eligible yet.
    _run_action(staff, "shortlist", [other])
    expect(staff.locator("ul.messagelist .error")).to_contain_text(other.reference)
    other.refresh_from_db()
    assert other.status == S.SUBMITTED

    _run_action(staff, "start_review", [application])
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW

    # Assign a reviewer in bulk.
    _run_action(staff, "assign_reviewers", [application])
    staff.check(f'input[name="reviewers"][value="{world.reviewer.pk}"]')
    staff.fill('input[name="per_application"]', "1")
    _shot(staff, "selection-02-assign")
    with staff.expect_navigation():
        staff.click('input[type="submit"].default')
    assignment = ReviewAssignment.objects.get(application=application)
    assert assignment.reviewer == world.reviewer

    # The reviewer scores every criterion.
    reviewer = _signed_in(browser, live_server, world.reviewer)
    reviewer.goto("/fr/reviews/")
    reviewer.click(f'a[href="/fr/reviews/{assignment.pk}/"]')
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text(application.reference)
    for index, criterion in enumerate(world.call.criteria.order_by("order")):
        reviewer.select_option(f'select[name="score_{criterion.pk}"]', str(3 + index % 3))
        reviewer.fill(f'textarea[name="comment_{criterion.pk}"]', f"Avis sur {criterion.name}.")
    reviewer.fill('textarea[name="comment"]', "Une solution prometteuse.")
    _shot(reviewer, "selection-03-score")
    assert _axe(reviewer) == []
    reviewer.click('main button[type="submit"]')
    expect(reviewer).to_have_url(re.compile(r"/fr/reviews/$"))
    assignment.refresh_from_db()
    assert assignment.completed_at is not None

    _run_action(staff, "shortlist", [application])
    application.refresh_from_db()
    assert application.status == S.SHORTLISTED

    # The town of the district gives its opinion on its own page.
    town = _signed_in(browser, live_server, world.town_a_user)
    town.goto("/fr/coselection/")
    expect(town.locator("main")).to_contain_text(application.reference)
    town.click(f'a[href="/fr/coselection/{application.uuid}/"]')
    prefix = f"d{world.district_a.pk}"
    town.check(f'input[name="{prefix}-opinion"][value="favourable"]')
    town.fill(f'textarea[name="{prefix}-comment"]', "Le square Lénine est disponible.")
    _shot(town, "selection-04-opinion")
    assert _axe(town) == []
    town.click('main button[type="submit"]')
    expect(town.locator(".alert-success")).to_be_visible()
    assert MunicipalityOpinion.objects.get().opinion == "favourable"

    # Staff see the scores and the opinion side by side.
    staff.goto(f"/fr/calls/{world.call.slug}/ranking/")
    expect(staff.locator("main")).to_contain_text("Le square Lénine est disponible.")
    _shot(staff, "selection-05-ranking")
    assert _axe(staff) == []
    staff.goto(f"/fr/calls/{world.call.slug}/statistics/")
    _shot(staff, "selection-06-statistics")
    assert _axe(staff) == []

    # Selection, through the page that asks for the district.
    _run_action(staff, "select", [application])
    district = staff.locator(f'select[name="district_{application.pk}"]')
    expect(district).to_have_value(str(world.district_a.pk))
    _shot(staff, "selection-07-select")
    with staff.expect_navigation():
        staff.click('input[type="submit"].default')
    application.refresh_from_db()
    assert (application.status, application.selected_district) == (S.SELECTED, world.district_a)
    staff.goto(CHANGELIST)
    expect(staff.locator("#result_list")).to_contain_text(application.reference)
    _shot(staff, "selection-09-changelist")
    staff.goto(f"{CHANGELIST}{application.pk}/change/")
    expect(staff.locator("body")).to_contain_text("Le square Lénine est disponible.")
    _shot(staff, "selection-10-change")

    # The decision email waits in the outbox as a draft...
    staff.goto("/fr/admin/notifications/outgoingmail/?status__exact=draft")
    expect(staff.locator("#result_list")).to_contain_text(application.contact_email)
    _shot(staff, "selection-08-outbox")
    mail_row = OutgoingMail.objects.get(template_code="decision_selected")
    assert mail_row.status == MailStatus.DRAFT
    assert mails_send_queued() == 0
    assert mail.outbox == []

    # ... until staff send it; it goes out once.
    staff.check(f'input[name="_selected_action"][value="{mail_row.pk}"]')
    staff.select_option('select[name="action"]', "send_mails")
    staff.click('button[name="index"]')
    expect(staff.locator("ul.messagelist")).to_be_visible()
    mails_send_queued()
    mails_send_queued()
    assert [message.to for message in mail.outbox] == [[application.contact_email]]
    assert world.district_a.name in mail.outbox[0].body
    mail_row.refresh_from_db()
    assert mail_row.status == MailStatus.SENT
