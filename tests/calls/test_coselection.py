"""Co-selection: a town sees the shortlisted applications for its district, and nothing else."""

import pytest
from django.urls import reverse

from calls.models import MunicipalityOpinion
from tests.calls.selection_world import make_world
from tests.factories import ApplicationFactory, MunicipalityOpinionFactory

pytestmark = pytest.mark.django_db

LIST = reverse("calls:coselection_list")


@pytest.fixture
def world():
    return make_world()


def _detail(application):
    return reverse("calls:coselection_detail", kwargs={"uuid": application.uuid})


def test_list_shows_only_shortlisted_applications_for_the_district(client, world):
    for_b = ApplicationFactory(
        call=world.call, status="shortlisted", target_districts=[world.district_b]
    )
    in_review = ApplicationFactory(
        call=world.call, status="under_review", target_districts=[world.district_a]
    )
    selected = ApplicationFactory(
        call=world.call,
        status="selected",
        target_districts=[world.district_a],
        selected_district=world.district_a,
    )
    client.force_login(world.town_a_user)

    response = client.get(LIST)

    assert response.status_code == 200
    assert list(response.context["applications"]) == [world.application]
    html = response.content.decode()
    for other in (for_b, in_review, selected):
        assert other.reference not in html


@pytest.mark.parametrize("status", ["submitted", "eligible", "under_review", "selected"])
def test_detail_of_a_non_shortlisted_application_is_404(client, world, status):
    application = ApplicationFactory(
        call=world.call,
        status=status,
        target_districts=[world.district_a],
        selected_district=world.district_a if status == "selected" else None,
    )
    client.force_login(world.town_a_user)

    assert client.get(_detail(application)).status_code == 404


def test_detail_of_another_towns_application_is_404(client, world):
    client.force_login(world.town_b_user)

    assert client.get(_detail(world.application)).status_code == 404
    response = client.post(
        _detail(world.application),
        {"district": world.district_a.pk, f"d{world.district_a.pk}-opinion": "unfavourable"},
    )
    assert response.status_code == 404
    assert not MunicipalityOpinion.objects.exists()


def test_opinion_given_then_changed_one_row(client, world):
    client.force_login(world.town_a_user)
    prefix = f"d{world.district_a.pk}"

    first = client.post(
        _detail(world.application),
        {
            "district": world.district_a.pk,
            f"{prefix}-opinion": "reserved",
            f"{prefix}-comment": "À voir avec les bailleurs.",
        },
    )
    second = client.post(
        _detail(world.application),
        {
            "district": world.district_a.pk,
            f"{prefix}-opinion": "favourable",
            f"{prefix}-comment": "Accord des bailleurs obtenu.",
        },
    )

    assert first.status_code == second.status_code == 302
    opinion = MunicipalityOpinion.objects.get()
    assert opinion.district == world.district_a
    assert opinion.opinion == "favourable"
    assert opinion.comment == "Accord des bailleurs obtenu."
    assert opinion.author == world.town_a_user
    page = client.get(_detail(world.application)).content.decode()
    assert "Accord des bailleurs obtenu." in page


def test_opinion_for_a_district_not_targeted_is_404(client, world):
    """A town may only speak for its own district that the application targets."""
    client.force_login(world.town_a_user)

    response = client.post(
        _detail(world.application),
        {"district": world.district_b.pk, f"d{world.district_b.pk}-opinion": "favourable"},
    )

    assert response.status_code == 404
    assert not MunicipalityOpinion.objects.exists()


@pytest.mark.parametrize(
    ("opinion", "comment", "field"),
    [
        ("", "ok", "opinion"),
        ("enthusiastic", "ok", "opinion"),
        ("favourable", "a\x00b", "comment"),
        ("favourable", "x" * 10_000, "comment"),
    ],
)
def test_opinion_bad_input_shows_the_error(client, world, opinion, comment, field):
    client.force_login(world.town_a_user)
    prefix = f"d{world.district_a.pk}"

    response = client.post(
        _detail(world.application),
        {
            "district": world.district_a.pk,
            f"{prefix}-opinion": opinion,
            f"{prefix}-comment": comment,
        },
    )

    assert response.status_code == 200
    [(_district, _existing, form)] = response.context["forms"]
    assert list(form.errors) == [field]
    anchor = f"id_{prefix}-{field}" + ("_0" if field == "opinion" else "")
    assert f'href="#{anchor}"' in response.content.decode()
    assert not MunicipalityOpinion.objects.exists()


def test_district_garbage_is_404(client, world):
    client.force_login(world.town_a_user)

    response = client.post(_detail(world.application), {"district": "abc"})

    assert response.status_code == 404


def test_opinion_seen_by_staff_beside_the_scores(client, world):
    MunicipalityOpinionFactory(
        application=world.application,
        district=world.district_a,
        opinion="unfavourable",
        comment="Pas de site disponible.",
        author=world.town_a_user,
    )
    client.force_login(world.staff)

    ranking = client.get(reverse("calls:call_ranking", kwargs={"slug": world.call.slug}))
    admin = client.get(reverse("admin:calls_application_change", args=[world.application.pk]))

    for response in (ranking, admin):
        assert response.status_code == 200
        assert "Pas de site disponible." in response.content.decode()


@pytest.mark.parametrize("rows", [1, 3])
def test_list_query_count_constant(client, django_assert_num_queries, world, rows):
    for _ in range(rows - 1):
        application = ApplicationFactory(
            call=world.call, status="shortlisted", target_districts=[world.district_a]
        )
        MunicipalityOpinionFactory(
            application=application, district=world.district_a, author=world.town_a_user
        )
    client.force_login(world.town_a_user)

    # User (the session is cached), role checks, the applications, their districts, their
    # opinions, the menu.
    with django_assert_num_queries(9):
        response = client.get(LIST)

    assert len(response.context["applications"]) == rows
