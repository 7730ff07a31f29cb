"""The statistics and ranking pages of a call: figures from the data, in constant queries."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from calls import selectors
from calls.enums import ApplicationStatus as S
from calls.enums import Opinion
from calls.models import ApplicationStatusChange
from tests.calls.selection_world import make_world
from tests.factories import (
    ApplicationFactory,
    MunicipalityOpinionFactory,
    PreRegistrationFactory,
    UrbanChallengeFactory,
    completed_review,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def world():
    return make_world()


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.staff)
    return client


def _history(application, *statuses):
    for status in statuses:
        ApplicationStatusChange.objects.create(
            application=application, from_status="", to_status=status
        )


def _at(day, hour=12):
    return dt.datetime(2026, 3, day, hour, tzinfo=PARIS)


def test_statistics_figures(world):
    call = world.call
    other_theme = UrbanChallengeFactory(edition=call.edition, name_en="Water", name_fr="Eau")
    PreRegistrationFactory(call=call, confirmed_at=timezone.now())
    PreRegistrationFactory(call=call, confirmed_at=timezone.now())
    PreRegistrationFactory(call=call, confirmed_at=None)
    # world.application: shortlisted, FR startup, district A, theme Chaleur.
    world.application.submitted_at = _at(2)
    world.application.save()
    ApplicationFactory(call=call, status="draft", legal_form="sme")
    ApplicationFactory(
        call=call, status="submitted", country="BE", legal_form="association", submitted_at=_at(2)
    )
    ApplicationFactory(call=call, status="ineligible", submitted_at=_at(3, 23))
    selected = ApplicationFactory(
        call=call,
        status="selected",
        selected_district=world.district_b,
        target_districts=[world.district_b],
        themes=[other_theme],
        country="DE",
        submitted_at=_at(4),
    )
    _history(selected, S.ELIGIBLE, S.UNDER_REVIEW, S.SHORTLISTED, S.SELECTED)
    withdrawn = ApplicationFactory(call=call, status="withdrawn", submitted_at=_at(4))
    _history(withdrawn, S.ELIGIBLE, S.WITHDRAWN)
    rejected_at_review = ApplicationFactory(call=call, status="rejected", submitted_at=_at(4))
    _history(rejected_at_review, S.ELIGIBLE, S.UNDER_REVIEW, S.REJECTED)

    stats = selectors.call_statistics(call)

    assert [(row["label"], row["count"]) for row in stats["funnel"]] == [
        ("preregistrations", 2),
        ("started", 7),
        ("submitted", 6),
        ("eligible", 4),
        ("selected", 1),
    ]
    assert stats["funnel"][1]["width"] == 100
    assert {str(row["label"]): row["count"] for row in stats["legal_forms"]} == {
        "Startup": 5,
        "Association": 1,
    }
    assert (stats["international"], stats["with_country"]) == (2, 6)
    assert stats["international_share"] == Decimal("33.3")
    assert [
        (row["district"], row["submitted"], row["selected"]) for row in stats["per_district"]
    ] == [(world.district_a, 5, 0), (world.district_b, 1, 1)]
    assert [(row["label"].name, row["count"]) for row in stats["per_theme"]] == [
        ("Chaleur", 5),
        ("Eau", 1),
    ]
    # 23:00 in Paris on 3 March is still 3 March.
    assert [(row["label"], row["count"]) for row in stats["per_day"]] == [
        (dt.date(2026, 3, 2), 2),
        (dt.date(2026, 3, 3), 1),
        (dt.date(2026, 3, 4), 3),
    ]


def test_statistics_page_renders_tables_with_captions(staff_client, world):
    response = staff_client.get(reverse("calls:call_statistics", kwargs={"slug": world.call.slug}))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<caption>") == 5
    assert 'class="stat-bar"' in html
    assert "<script" not in html.split("</main>")[0].split("<main")[1]


@pytest.mark.parametrize("rows", [1, 4])
def test_statistics_query_count_constant(staff_client, django_assert_num_queries, world, rows):
    for index in range(rows - 1):
        application = ApplicationFactory(
            call=world.call,
            status="selected" if index == 0 else "submitted",
            selected_district=world.district_a if index == 0 else None,
            legal_form=["sme", "association", "startup"][index % 3],
        )
        _history(application, S.ELIGIBLE)
        PreRegistrationFactory(call=world.call, confirmed_at=timezone.now())

    # User (the session is cached), role, call; pre-registrations, funnel with legal forms,
    # districts and their counts, themes and their counts, days; the menu's role checks.
    with django_assert_num_queries(11):
        response = staff_client.get(
            reverse("calls:call_statistics", kwargs={"slug": world.call.slug}) + "?fresh=1"
        )

    assert response.context["stats"]["funnel"][1]["count"] == rows


def test_statistics_kept_a_minute_unless_asked_fresh(
    staff_client, django_assert_max_num_queries, world
):
    url = reverse("calls:call_statistics", kwargs={"slug": world.call.slug})
    staff_client.get(url)
    ApplicationFactory(call=world.call, status="submitted")

    with django_assert_max_num_queries(6):
        kept = staff_client.get(url)
    fresh = staff_client.get(url + "?fresh=1")

    assert kept.context["stats"]["funnel"][1]["count"] == 1
    assert fresh.context["stats"]["funnel"][1]["count"] == 2
    assert "?fresh=1" in kept.content.decode()


def test_ranking_per_district_by_weighted_score(world):
    call = world.call
    best = ApplicationFactory(
        call=call, status="shortlisted", target_districts=[world.district_a, world.district_b]
    )
    completed_review(application=best, values=[5, 5, 5, 5, 5])
    completed_review(application=world.application, values=[2, 2, 2, 2, 2])
    unscored = ApplicationFactory(
        call=call, status="under_review", target_districts=[world.district_a]
    )
    ApplicationFactory(call=call, status="submitted", target_districts=[world.district_a])
    MunicipalityOpinionFactory(
        application=best, district=world.district_b, opinion="reserved", comment="Site à trouver."
    )

    groups = selectors.call_ranking(call)

    assert [group["district"] for group in groups] == [world.district_a, world.district_b]
    district_a = groups[0]["rows"]
    assert [(row["application"], row["rank"]) for row in district_a] == [
        (best, 1),
        (world.application, 2),
        (unscored, 3),
    ]
    assert district_a[0]["weighted_score"] == Decimal("5")
    assert district_a[0]["review_count"] == 1
    assert district_a[0]["opinion"] is None
    [in_b] = groups[1]["rows"]
    assert (in_b["application"], in_b["opinion"], in_b["opinion_comment"]) == (
        best,
        Opinion.RESERVED,
        "Site à trouver.",
    )


@pytest.mark.parametrize("rows", [1, 4])
def test_ranking_query_count_constant(staff_client, django_assert_num_queries, world, rows):
    for _ in range(rows - 1):
        application = ApplicationFactory(
            call=world.call,
            status="shortlisted",
            target_districts=[world.district_a, world.district_b],
        )
        completed_review(application=application)
        MunicipalityOpinionFactory(application=application, district=world.district_a)

    # User (the session is cached), role, call; the ranking, its applications, districts and
    # opinions; the menu's role checks.
    with django_assert_num_queries(8):
        response = staff_client.get(reverse("calls:call_ranking", kwargs={"slug": world.call.slug}))

    assert response.status_code == 200
    assert len(response.context["groups"][0]["rows"]) == rows


def test_ranking_shows_the_first_ranks_unless_all_asked(world):
    for _index in range(3):
        ApplicationFactory(
            call=world.call, status="under_review", target_districts=[world.district_a]
        )

    [first] = selectors.call_ranking(world.call, limit=2)
    [everything] = selectors.call_ranking(world.call, limit=None)

    assert (len(first["rows"]), first["total"]) == (2, 4)
    assert (len(everything["rows"]), everything["total"]) == (4, 4)


def test_ranking_of_a_call_to_municipalities_in_one_group(world):
    from calls.services.calls import call_ensure_default_criteria
    from tests.factories import CallFactory, MunicipalityApplicationFactory

    call = CallFactory(edition=world.call.edition, kind="municipalities")
    call_ensure_default_criteria(call=call)
    best = MunicipalityApplicationFactory(call=call, status="under_review")
    other = MunicipalityApplicationFactory(call=call, status="under_review")
    completed_review(application=best, values=[5, 5, 5, 5, 5])

    [group] = selectors.call_ranking(call)

    assert group["district"] is None
    assert [(row["application"], row["rank"]) for row in group["rows"]] == [(best, 1), (other, 2)]
