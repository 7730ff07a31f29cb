"""A visitor registers for a programme event and takes its .ics, then browses the showcase."""

import datetime as dt
import re

import icalendar
import pytest
from django.utils import timezone
from django.utils.translation import gettext
from playwright.sync_api import expect

from experiments.models import EventRegistration
from tests.factories import (
    EditionFactory,
    ExperimentFactory,
    ExperimentSiteFactory,
    InnovationDistrictFactory,
    MunicipalityFactory,
    OutcomeUpdateFactory,
    ProgrammeEventFactory,
    UrbanChallengeFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_visitor_registers_for_an_event_and_downloads_its_calendar(
    page, screenshot, axe_violations, tmp_path
):
    event = ProgrammeEventFactory(
        kind="site_walk",
        title_fr="Marche sensible à Montreuil",
        title_en="Site walk in Montreuil",
        place="Parvis de la mairie, Montreuil",
        online_url="",
        capacity=12,
    )

    page.goto("/fr/events/")
    screenshot("events-list-fr")
    assert axe_violations() == []
    page.get_by_role("link", name="Marche sensible à Montreuil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Marche sensible à Montreuil")
    expect(page.get_by_text("Parvis de la mairie, Montreuil")).to_be_visible()
    screenshot("event-detail-fr")
    assert axe_violations() == []

    page.get_by_role("link", name=gettext("Register"), exact=True).click()
    assert axe_violations() == []
    page.get_by_label(gettext("Your name")).fill("Ada Lovelace")
    page.get_by_label(gettext("Your email address")).fill("ada@example.org")
    screenshot("event-register-fr")
    page.get_by_role("button", name=gettext("Register")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(gettext("Check your inbox"))
    screenshot("event-registered-fr")
    assert axe_violations() == []
    registration = EventRegistration.objects.get()
    assert (registration.email, registration.status) == ("ada@example.org", "registered")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=gettext("Add to my calendar (.ics file)")).click()
    download = download_info.value
    assert download.suggested_filename == f"qmi-event-{event.uuid}.ics"
    path = tmp_path / "event.ics"
    download.save_as(path)
    [entry] = icalendar.Calendar.from_ical(path.read_bytes()).events
    assert str(entry["summary"]) == "Marche sensible à Montreuil"
    assert entry.start == timezone.localtime(event.starts_at)


def test_visitor_filters_the_showcase_and_sees_the_map(page, screenshot, axe_violations):
    first = EditionFactory(number=1, name_fr="Édition 1", name_en="Edition 1")
    second = EditionFactory(number=2, name_fr="Édition 2", name_en="Edition 2")
    montreuil = MunicipalityFactory(name="Montreuil", slug="montreuil")
    theme = UrbanChallengeFactory(edition=first, name_fr="Îlots de chaleur")
    now = timezone.now()
    shade = ExperimentFactory(
        district=InnovationDistrictFactory(edition=first, municipality=montreuil),
        solution_name="Ombrières solaires",
        consents_publication=True,
        consent_recorded_at=now,
        themes=[theme],
        start_date=timezone.localdate() - dt.timedelta(days=700),
        end_date=timezone.localdate() - dt.timedelta(days=160),
        status="ended",
    )
    ExperimentSiteFactory(experiment=shade, name="Place Jean-Jaurès")
    ExperimentSiteFactory(experiment=shade, name="Cour de l'école Voltaire")
    OutcomeUpdateFactory(experiment=shade, outcome="contracted", buyer="Ville de Montreuil")
    for number in range(2):
        other = ExperimentFactory(
            district=InnovationDistrictFactory(edition=second),
            solution_name=f"Compost collectif {number}",
            consents_publication=True,
            consent_recorded_at=now,
            country="BE",
        )
        ExperimentSiteFactory(experiment=other)

    page.goto("/fr/showcase/")
    expect(page.locator("#showcase-map.map-ready")).to_be_visible()
    expect(page.locator("#showcase-map path.leaflet-interactive")).to_have_count(4)
    screenshot("showcase-fr")
    assert axe_violations() == []

    page.get_by_label(gettext("Edition")).select_option(label="Édition 1")
    page.get_by_role("button", name=gettext("Filter")).click()
    expect(page).to_have_url(re.compile(r"/fr/showcase/\?edition=1"))
    expect(page.get_by_role("link", name="Ombrières solaires")).to_be_visible()
    expect(page.get_by_text("Compost collectif 0")).to_have_count(0)
    expect(page.locator("#showcase-map path.leaflet-interactive")).to_have_count(2)
    screenshot("showcase-filtered-fr")
    assert axe_violations() == []

    page.get_by_role("link", name="Ombrières solaires").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ombrières solaires")
    expect(page.get_by_text("Ville de Montreuil")).to_be_visible()
    expect(page.locator("#showcase-map.map-ready")).to_be_visible()
    screenshot("showcase-experiment-fr")
    assert axe_violations() == []

    page.goto("/fr/editions/1/")
    screenshot("edition-figures-fr")
    assert axe_violations() == []
    page.get_by_role("link", name=re.compile("Édition 1")).last.click()
    expect(page).to_have_url(re.compile(r"/fr/showcase/\?edition=1$"))
