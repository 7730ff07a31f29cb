"""The public showcase and the edition figures: consent first, filters, map, outcome.

An experiment without a recorded consent never shows: not in the list, not in
the map, its page a 404.
"""

import datetime as dt
import json
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from experiments.enums import Outcome
from qmi_portal.cache import STATUS_HEADER
from tests.factories import (
    EditionFactory,
    EvaluationFactory,
    ExperimentFactory,
    ExperimentSiteFactory,
    InnovationDistrictFactory,
    MunicipalityFactory,
    OutcomeUpdateFactory,
    UrbanChallengeFactory,
)

pytestmark = pytest.mark.django_db

ROWS = [1, 3]
# Filter choices (editions, towns, themes), the experiments, their themes, their sites.
SHOWCASE_QUERIES = 6
# The experiment with its district and outcome, its themes, its sites.
EXPERIMENT_QUERIES = 3
EDITION_DETAIL_QUERIES = 6  # edition, districts + themes, challenges, calls, figures


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _published(**kwargs):
    kwargs.setdefault("consents_publication", True)
    kwargs.setdefault("consent_recorded_at", timezone.now())
    return ExperimentFactory(**kwargs)


def _html(response) -> str:
    """The page as a reader sees its text: entities decoded."""
    assert response.status_code == 200
    return unescape(response.content.decode())


def _map_data(html) -> dict:
    found = re.search(
        r'<script id="showcase-map-data" type="application/json">(.*?)</script>', html
    )
    return json.loads(found.group(1)) if found else {}


def _count(count) -> str:
    return ngettext("%(counter)s experiment", "%(counter)s experiments", count) % {"counter": count}


@pytest.fixture
def world():
    """Two editions, two towns, two themes; published experiments and one without consent."""
    first = EditionFactory(number=1, name_fr="Édition 1", name_en="Edition 1")
    second = EditionFactory(number=2, name_fr="Édition 2", name_en="Edition 2")
    montreuil = MunicipalityFactory(name="Montreuil", slug="montreuil")
    bobigny = MunicipalityFactory(name="Bobigny", slug="bobigny")
    heat = UrbanChallengeFactory(edition=first, name_fr="Îlots de chaleur", name_en="Heat islands")
    waste = UrbanChallengeFactory(edition=second, name_fr="Déchets", name_en="Waste")
    district_1 = InnovationDistrictFactory(edition=first, municipality=montreuil)
    district_2 = InnovationDistrictFactory(edition=second, municipality=bobigny)
    shade = _published(
        district=district_1,
        solution_name="Ombrières solaires",
        summary_fr="Des ombrières qui rafraîchissent la place.",
        summary_en="Shades that cool the square down.",
        themes=[heat],
    )
    ExperimentSiteFactory(experiment=shade, name="Place Jean-Jaurès")
    compost = _published(
        district=district_2, solution_name="Compost de quartier", themes=[waste], country="BE"
    )
    ExperimentSiteFactory(experiment=compost, name="Square Hector-Berlioz")
    secret = ExperimentFactory(district=district_1, solution_name="Solution discrète")
    ExperimentSiteFactory(experiment=secret, name="Site confidentiel")
    return {
        "editions": (first, second),
        "towns": (montreuil, bobigny),
        "themes": (heat, waste),
        "shade": shade,
        "compost": compost,
        "secret": secret,
    }


# Consent.


def test_showcase_shows_only_consented_experiments(client, world):
    html = _html(client.get("/fr/showcase/"))

    assert "Ombrières solaires" in html
    assert "Compost de quartier" in html
    assert "Solution discrète" not in html
    assert "Site confidentiel" not in html
    assert _count(2) in html


def test_showcase_experiment_without_consent_is_404(client, world):
    assert client.get(f"/fr/showcase/{world['secret'].uuid}/").status_code == 404
    assert client.get(f"/en/showcase/{world['secret'].uuid}/").status_code == 404


def test_showcase_experiment_consent_withdrawn_is_404_at_once(client, world):
    shade = world["shade"]
    assert client.get(f"/fr/showcase/{shade.uuid}/").status_code == 200

    shade.consents_publication = False
    shade.save()

    assert client.get(f"/fr/showcase/{shade.uuid}/").status_code == 404
    assert "Ombrières solaires" not in _html(client.get("/fr/showcase/"))


# Filters.


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("edition=1", "Ombrières solaires", "Compost de quartier"),
        ("edition=2", "Compost de quartier", "Ombrières solaires"),
        ("town=bobigny", "Compost de quartier", "Ombrières solaires"),
        ("town=montreuil", "Ombrières solaires", "Compost de quartier"),
    ],
)
def test_showcase_filters(client, world, query, shown, hidden):
    html = _html(client.get(f"/fr/showcase/?{query}"))

    assert shown in html
    assert hidden not in html
    assert _count(1) in html


def test_showcase_filter_by_theme(client, world):
    html = _html(client.get(f"/fr/showcase/?theme={world['themes'][0].pk}"))

    assert "Ombrières solaires" in html
    assert "Compost de quartier" not in html


def test_showcase_filters_combined_may_match_nothing(client, world):
    html = _html(client.get("/fr/showcase/?edition=1&town=bobigny"))

    assert _count(0) in html
    assert (gettext("No experiment matches these filters.")) in html


def test_showcase_filter_wrong_value_is_reported_and_the_rest_applies(client, world):
    html = _html(client.get("/fr/showcase/?edition=99&town=montreuil"))

    assert 'id="error-summary"' in html
    assert "Ombrières solaires" in html
    assert "Compost de quartier" not in html


def test_showcase_filter_form_offers_only_towns_and_themes_with_experiments(client, world):
    MunicipalityFactory(name="Pantin", slug="pantin")
    UrbanChallengeFactory(edition=world["editions"][0], name_fr="Thème sans expérimentation")

    html = _html(client.get("/fr/showcase/"))

    assert '<option value="montreuil">Montreuil</option>' in html
    assert "Pantin" not in html
    assert "Thème sans expérimentation" not in html
    for field in ("edition", "town", "theme"):
        assert re.search(rf'<label\s+for="id_{field}"', html)


# Map and outcome.


def test_showcase_map_data_has_the_sites_of_the_listed_experiments(client, world):
    html = _html(client.get("/fr/showcase/?edition=1"))

    data = _map_data(html)
    assert [site["name"] for site in data["sites"]] == ["Place Jean-Jaurès"]
    site = data["sites"][0]
    assert site["experiment"] == "Ombrières solaires"
    assert site["url"] == f"/fr/showcase/{world['shade'].uuid}/"
    assert site["town"] == "Montreuil"
    assert "js/showcase-map.js" in html
    assert "<script>" not in html  # no inline script: the data is JSON


def test_showcase_without_sites_has_no_map(client):
    _published(solution_name="Sans site")

    html = _html(client.get("/fr/showcase/"))

    assert "Sans site" in html
    assert "showcase-map-data" not in html


def test_outcome_from_the_evaluation_when_no_later_update(client, world):
    EvaluationFactory(experiment=world["shade"], outcome=Outcome.TO_IMPROVE)

    html = _html(client.get(f"/fr/showcase/{world['shade'].uuid}/"))

    assert (str(Outcome.TO_IMPROVE.label)) in html


def test_outcome_latest_update_wins_over_the_evaluation(client, world):
    shade = world["shade"]
    EvaluationFactory(experiment=shade, outcome=Outcome.READY_TO_SCALE)
    OutcomeUpdateFactory(
        experiment=shade,
        outcome=Outcome.TO_IMPROVE,
        buyer="",
        recorded_on=timezone.localdate() - dt.timedelta(days=90),
    )
    OutcomeUpdateFactory(
        experiment=shade,
        outcome=Outcome.CONTRACTED,
        buyer="Ville de Montreuil",
        recorded_on=timezone.localdate() - dt.timedelta(days=10),
    )

    page = _html(client.get(f"/fr/showcase/{shade.uuid}/"))
    listing = _html(client.get("/fr/showcase/"))

    for html in (page, listing):
        assert (str(Outcome.CONTRACTED.label)) in html
        assert (str(Outcome.READY_TO_SCALE.label)) not in html
    assert "Ville de Montreuil" in page


def test_outcome_unknown_says_so(client, world):
    html = _html(client.get(f"/fr/showcase/{world['shade'].uuid}/"))

    assert (gettext("Not known yet: the experiment is still running or being evaluated.")) in html


# Languages.


@pytest.mark.parametrize(
    ("language", "summary", "theme", "edition"),
    [
        ("fr", "Des ombrières qui rafraîchissent la place.", "Îlots de chaleur", "Édition 1"),
        ("en", "Shades that cool the square down.", "Heat islands", "Edition 1"),
    ],
)
def test_showcase_experiment_page_in_language(client, world, language, summary, theme, edition):
    with translation.override(language):
        html = _html(client.get(f"/{language}/showcase/{world['shade'].uuid}/"))
        listing = _html(client.get(f"/{language}/showcase/"))

    assert f'<html lang="{language}">' in html
    assert summary in html
    assert theme in html
    assert edition in html
    assert "Place Jean-Jaurès" in html
    assert _map_data(html)["sites"][0]["url"] == f"/{language}/showcase/{world['shade'].uuid}/"
    assert theme in listing


def test_showcase_international_experimenter_shows_country(client, world):
    with translation.override("en"):
        html = _html(client.get("/en/showcase/"))

    assert "Compost de quartier" in html
    assert "(Belgium)" in html


# Query counts and cache.


@pytest.mark.parametrize("rows", ROWS)
def test_showcase_query_count_constant(client, django_assert_num_queries, rows):
    edition = EditionFactory()
    for _ in range(rows):
        district = InnovationDistrictFactory(edition=edition)
        themes = UrbanChallengeFactory.create_batch(rows, edition=edition)
        experiment = _published(district=district, themes=themes)
        ExperimentSiteFactory.create_batch(rows, experiment=experiment)
        EvaluationFactory(experiment=experiment)
        OutcomeUpdateFactory(experiment=experiment)

    with django_assert_num_queries(SHOWCASE_QUERIES):
        html = _html(client.get("/fr/showcase/"))

    assert _count(rows) in html
    assert len(_map_data(html)["sites"]) == rows * rows


@pytest.mark.parametrize("rows", ROWS)
def test_showcase_experiment_query_count_constant(client, django_assert_num_queries, rows):
    edition = EditionFactory()
    experiment = _published(
        district=InnovationDistrictFactory(edition=edition),
        themes=UrbanChallengeFactory.create_batch(rows, edition=edition),
    )
    ExperimentSiteFactory.create_batch(rows, experiment=experiment)
    OutcomeUpdateFactory.create_batch(rows, experiment=experiment)

    with django_assert_num_queries(EXPERIMENT_QUERIES):
        _html(client.get(f"/fr/showcase/{experiment.uuid}/"))


def test_showcase_cached_and_refreshed_when_an_experiment_changes(client, world):
    assert client.get("/fr/showcase/")[STATUS_HEADER] == "miss"
    assert client.get("/fr/showcase/")[STATUS_HEADER] == "hit"

    world["secret"].consents_publication = True
    world["secret"].consent_recorded_at = timezone.now()
    world["secret"].save()
    response = client.get("/fr/showcase/")

    assert response[STATUS_HEADER] == "miss"
    assert "Solution discrète" in _html(response)


def test_showcase_refreshed_when_an_outcome_is_recorded(client, world):
    client.get(f"/fr/showcase/{world['shade'].uuid}/")

    OutcomeUpdateFactory(experiment=world["shade"], outcome=Outcome.STOPPED)

    html = _html(client.get(f"/fr/showcase/{world['shade'].uuid}/"))
    assert (str(Outcome.STOPPED.label)) in html


# Edition figures.


def test_edition_figures_computed_from_the_data(client):
    edition = EditionFactory(number=1)
    montreuil, bobigny = MunicipalityFactory(), MunicipalityFactory()
    district_1 = InnovationDistrictFactory(edition=edition, municipality=montreuil)
    district_2 = InnovationDistrictFactory(edition=edition, municipality=bobigny)
    ExperimentFactory(district=district_1, country="FR")
    ExperimentFactory(district=district_1, country="BE")
    ExperimentFactory(district=district_2, country="FR")
    ExperimentFactory(district=district_2, country="CA")
    # Another edition's experiment counts for that edition only.
    ExperimentFactory(country="DE")

    response = client.get("/fr/editions/1/")

    assert response.context["figures"] == {
        "solutions": 4,
        "towns": 2,
        "international": 2,
        "international_share": 50,
    }
    html = _html(response)
    assert 'href="/fr/showcase/?edition=1"' in html


def test_edition_figures_without_experiments(client):
    EditionFactory(number=1)

    response = client.get("/fr/editions/1/")

    assert response.context["figures"]["solutions"] == 0
    assert response.context["figures"]["international_share"] is None
    assert (gettext("No experiment has started in this edition yet.")) in _html(response)


def test_edition_figures_share_rounded(client):
    edition = EditionFactory(number=1)
    district = InnovationDistrictFactory(edition=edition)
    ExperimentFactory(district=district, country="IT")
    ExperimentFactory.create_batch(2, district=district, country="FR")

    response = client.get("/en/editions/1/")

    assert response.context["figures"]["international_share"] == 33
    with translation.override("en"):
        share = gettext("%(share)s %%") % {"share": 33}
    assert share in _html(response)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("rows", ROWS)
def test_edition_detail_with_figures_query_count_constant(
    client, django_assert_num_queries, language, rows
):
    edition = EditionFactory(number=1)
    for _ in range(rows):
        ExperimentFactory(district=InnovationDistrictFactory(edition=edition), country="BE")

    with django_assert_num_queries(EDITION_DETAIL_QUERIES):
        _html(client.get(f"/{language}/editions/1/"))


def test_edition_page_refreshed_when_an_experiment_is_added(client):
    edition = EditionFactory(number=1)
    district = InnovationDistrictFactory(edition=edition)
    ExperimentFactory(district=district)
    assert client.get("/fr/editions/1/").context["figures"]["solutions"] == 1

    ExperimentFactory(district=district)

    assert client.get("/fr/editions/1/").context["figures"]["solutions"] == 2
