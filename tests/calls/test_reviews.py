"""Reviewers: balanced assignment in bulk, conflicts of interest, scores, weighted score."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from calls import selectors
from calls.models import ReviewAssignment, Score
from calls.services.reviews import (
    assignment_declare_conflict,
    assignment_score,
    assignments_create_balanced,
)
from tests.calls.selection_world import make_world
from tests.factories import (
    ApplicationFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    UserFactory,
    completed_review,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def reviewing():
    return make_world(status="under_review")


def _loads(reviewers):
    return {
        reviewer.username: ReviewAssignment.objects.filter(
            reviewer=reviewer, conflict_declared_at__isnull=True
        ).count()
        for reviewer in reviewers
    }


# Assignment -------------------------------------------------------------------


def test_assignments_balanced_least_loaded_first(reviewing):
    busy, free_1, free_2 = (ReviewerFactory(username=name) for name in ("busy", "free1", "free2"))
    for _ in range(3):
        ReviewAssignmentFactory(reviewer=busy)
    applications = ApplicationFactory.create_batch(4, call=reviewing.call, status="eligible")

    result = assignments_create_balanced(
        applications=applications,
        reviewers=[busy, free_1, free_2],
        per_application=2,
        by=reviewing.staff,
    )

    assert result.errors == []
    assert len(result.created) == 8
    for application in applications:
        reviewers = list(application.assignments.values_list("reviewer_id", flat=True))
        assert len(reviewers) == 2
        assert len(set(reviewers)) == 2
    # Eight reviews over three reviewers who already had 3, 0, 0: 4, 4, 3 at the end.
    assert sorted(_loads([busy, free_1, free_2]).values()) == [3, 4, 4]


def test_assignments_never_twice_the_same_reviewer(reviewing):
    application = reviewing.application
    reviewing.assignment.conflict_declared_at = reviewing.assignment.assigned_at
    reviewing.assignment.conflict_reason = "Je connais l'équipe."
    reviewing.assignment.save()
    third = ReviewerFactory()

    result = assignments_create_balanced(
        applications=[application],
        reviewers=[reviewing.reviewer, reviewing.other_reviewer, third],
        per_application=2,
        by=reviewing.staff,
    )

    assert result.errors == []
    assert set(application.assignments.values_list("reviewer__username", flat=True)) == {
        "reviewer",
        "other-reviewer",
        third.username,
    }
    assert application.assignments.filter(reviewer=reviewing.reviewer).count() == 1


def test_assignments_again_only_complete_the_missing_ones(reviewing):
    result = assignments_create_balanced(
        applications=[reviewing.application],
        reviewers=[reviewing.reviewer, reviewing.other_reviewer],
        per_application=1,
        by=reviewing.staff,
    )

    assert result.created == []
    assert reviewing.application.assignments.count() == 1


def test_assignments_too_few_reviewers_reported(reviewing):
    result = assignments_create_balanced(
        applications=[reviewing.application],
        reviewers=[reviewing.reviewer, reviewing.other_reviewer],
        per_application=3,
        by=reviewing.staff,
    )

    assert len(result.created) == 1
    [(application, message)] = result.errors
    assert application == reviewing.application
    assert "1" in message


def test_assignments_refused_before_screening_and_for_non_reviewers(reviewing):
    submitted = ApplicationFactory(call=reviewing.call, status="submitted")
    plain = UserFactory()

    result = assignments_create_balanced(
        applications=[submitted],
        reviewers=[plain, reviewing.other_reviewer],
        per_application=1,
        by=reviewing.staff,
    )

    assert result.created == []
    assert [application for application, _ in result.errors] == [submitted]
    with pytest.raises(ValidationError):
        assignments_create_balanced(
            applications=[submitted], reviewers=[plain], per_application=1, by=reviewing.staff
        )


def test_assignments_never_to_the_applicant(reviewing):
    reviewer_applicant = ReviewerFactory()
    application = ApplicationFactory(
        call=reviewing.call, status="eligible", applicant=reviewer_applicant
    )

    result = assignments_create_balanced(
        applications=[application],
        reviewers=[reviewer_applicant],
        per_application=1,
        by=reviewing.staff,
    )

    assert result.created == []
    assert application.assignments.count() == 0


# Scoring ----------------------------------------------------------------------


def _all_scores(call, value=4):
    return dict.fromkeys(call.criteria.all(), (value, ""))


def test_score_every_criterion_completes_the_review(reviewing):
    criteria = list(reviewing.call.criteria.all())
    partial = {criteria[0]: (5, "Très utile."), criteria[1]: (None, "")}

    assignment = assignment_score(
        assignment=reviewing.assignment, by=reviewing.reviewer, scores=partial
    )
    assert assignment.completed_at is None
    assert assignment.scores.count() == 1

    assignment = assignment_score(
        assignment=assignment,
        by=reviewing.reviewer,
        scores=_all_scores(reviewing.call),
        comment="Solide.",
    )
    assert assignment.completed_at is not None
    assert assignment.scores.count() == 5
    assert assignment.comment == "Solide."


def test_score_by_someone_else_refused(reviewing):
    with pytest.raises(PermissionDenied):
        assignment_score(
            assignment=reviewing.assignment,
            by=reviewing.other_reviewer,
            scores=_all_scores(reviewing.call),
        )
    assert not Score.objects.exists()


def test_score_out_of_range_refused(reviewing):
    criterion = reviewing.call.criteria.first()
    with pytest.raises(ValidationError):
        assignment_score(
            assignment=reviewing.assignment, by=reviewing.reviewer, scores={criterion: (6, "")}
        )


def test_score_after_shortlisting_refused(world):
    with pytest.raises(ValidationError):
        assignment_score(
            assignment=world.assignment, by=world.reviewer, scores=_all_scores(world.call)
        )


def test_weighted_score_is_the_mean_of_weighted_reviews(reviewing):
    application = reviewing.application
    criteria = list(reviewing.call.criteria.order_by("order"))
    for criterion, weight in zip(criteria, ["1", "2", "1", "1", "5"], strict=True):
        criterion.weight = Decimal(weight)
        criterion.save()
    completed_review(application=application, values=[5, 5, 5, 5, 0])  # 25 / 10 = 2.5
    completed_review(application=application, values=[4, 2, 4, 4, 4])  # 36 / 10 = 3.6
    # Neither an unfinished review nor a conflicted one counts.
    ScoreFactory_unfinished = ReviewAssignmentFactory(application=application)
    Score.objects.create(assignment=ScoreFactory_unfinished, criterion=criteria[0], value=0)
    conflicted = completed_review(application=application, values=[0, 0, 0, 0, 0])
    assignment_declare_conflict(assignment=conflicted, by=conflicted.reviewer, reason="Ami.")

    annotated = selectors.applications_with_scores().get(pk=application.pk)

    assert annotated.weighted_score.quantize(Decimal("0.01")) == Decimal("3.05")
    assert annotated.review_count == 2
    assert annotated.conflict_count == 1


def test_weighted_score_none_without_completed_review(reviewing):
    annotated = selectors.applications_with_scores().get(pk=reviewing.application.pk)

    assert annotated.weighted_score is None
    assert annotated.review_count == 0


# Conflicts --------------------------------------------------------------------


def test_conflict_deletes_scores_and_hides_the_application(client, reviewing):
    assignment_score(
        assignment=reviewing.assignment,
        by=reviewing.reviewer,
        scores=_all_scores(reviewing.call),
    )
    client.force_login(reviewing.reviewer)

    response = client.post(
        reverse("calls:review_conflict", kwargs={"pk": reviewing.assignment.pk}),
        {"reason": "J'ai conseillé cette équipe l'an dernier."},
    )

    assert response.status_code == 302
    reviewing.assignment.refresh_from_db()
    assert reviewing.assignment.has_conflict
    assert reviewing.assignment.completed_at is None
    assert not reviewing.assignment.scores.exists()
    detail = reverse("calls:review_detail", kwargs={"pk": reviewing.assignment.pk})
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"comment": "x"}).status_code == 404
    assert (
        reviewing.application.reference
        not in client.get(reverse("calls:review_list")).content.decode()
    )


def test_conflict_needs_a_reason(client, reviewing):
    client.force_login(reviewing.reviewer)

    response = client.post(
        reverse("calls:review_conflict", kwargs={"pk": reviewing.assignment.pk}), {"reason": " "}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    reviewing.assignment.refresh_from_db()
    assert not reviewing.assignment.has_conflict


def test_conflict_seen_by_staff_in_the_admin(client, reviewing):
    assignment_declare_conflict(
        assignment=reviewing.assignment, by=reviewing.reviewer, reason="Associé du fondateur."
    )
    client.force_login(reviewing.staff)

    response = client.get(
        reverse("admin:calls_application_change", args=[reviewing.application.pk])
    )

    assert "Associé du fondateur." in response.content.decode()


def test_conflict_declared_by_someone_else_refused(reviewing):
    with pytest.raises(PermissionDenied):
        assignment_declare_conflict(
            assignment=reviewing.assignment, by=reviewing.other_reviewer, reason="Pas moi."
        )


# Pages --------------------------------------------------------------------------


def test_review_detail_saves_scores_and_completes(client, reviewing):
    client.force_login(reviewing.reviewer)
    url = reverse("calls:review_detail", kwargs={"pk": reviewing.assignment.pk})
    data = {"comment": "Bonne équipe."}
    for criterion in reviewing.call.criteria.all():
        data[f"score_{criterion.pk}"] = "4"
        data[f"comment_{criterion.pk}"] = f"Sur {criterion.code}."

    response = client.post(url, data)

    assert response.status_code == 302
    assert response.url == reverse("calls:review_list")
    reviewing.assignment.refresh_from_db()
    assert reviewing.assignment.completed_at is not None
    assert reviewing.assignment.scores.count() == 5


def test_review_detail_bad_input_shows_errors_and_keeps_scores(client, reviewing):
    criteria = list(reviewing.call.criteria.all())
    assignment_score(
        assignment=reviewing.assignment, by=reviewing.reviewer, scores={criteria[0]: (3, "Bien.")}
    )
    client.force_login(reviewing.reviewer)
    url = reverse("calls:review_detail", kwargs={"pk": reviewing.assignment.pk})

    response = client.post(
        url,
        {
            f"score_{criteria[0].pk}": "9",
            f"comment_{criteria[1].pk}": "a\x00b",
            f"comment_{criteria[2].pk}": "x" * 10_000,
            "comment": "ok",
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {
        f"score_{criteria[0].pk}",
        f"comment_{criteria[1].pk}",
        f"comment_{criteria[2].pk}",
    }
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert f'href="#id_comment_{criteria[1].pk}"' in html
    assert reviewing.assignment.scores.get().value == 3


def test_reviewer_never_sees_other_reviewers_scores(client, reviewing):
    completed_review(application=reviewing.application, reviewer=reviewing.other_reviewer)
    Score.objects.filter(assignment__reviewer=reviewing.other_reviewer).update(
        comment="Commentaire secret de l'autre"
    )
    client.force_login(reviewing.reviewer)

    response = client.get(reverse("calls:review_detail", kwargs={"pk": reviewing.assignment.pk}))

    assert response.status_code == 200
    assert "Commentaire secret de l'autre" not in response.content.decode()


@pytest.mark.parametrize("rows", [1, 3])
def test_review_list_query_count_constant(client, django_assert_num_queries, reviewing, rows):
    for _ in range(rows - 1):
        ReviewAssignmentFactory(
            application=ApplicationFactory(call=reviewing.call, status="under_review"),
            reviewer=reviewing.reviewer,
        )
    client.force_login(reviewing.reviewer)

    # User (the session is cached), the role checks (page, scoped queryset, menu), the assignments.
    with django_assert_num_queries(7):
        response = client.get(reverse("calls:review_list"))

    assert response.status_code == 200
    assert len(response.context["to_do"]) == rows


# Who may see what: every URL of review, co-selection and the staff pages ------------

ROLES = [
    "anonymous",
    "applicant",
    "reviewer",
    "other_reviewer",
    "town_a_user",
    "town_b_user",
    "staff",
]
# Expected status per URL and role: 302 is the sign-in page.
MATRIX = {
    "review_list": [302, 404, 200, 200, 404, 404, 200],
    "review_detail": [302, 404, 200, 404, 404, 404, 404],
    "review_conflict": [302, 404, 200, 404, 404, 404, 404],
    "coselection_list": [302, 404, 404, 404, 200, 200, 200],
    "coselection_detail": [302, 404, 404, 404, 200, 404, 200],
    "call_ranking": [302, 404, 404, 404, 404, 404, 200],
    "call_statistics": [302, 404, 404, 404, 404, 404, 200],
    "call_export_csv": [302, 404, 404, 404, 404, 404, 200],
    "call_export_xlsx": [302, 404, 404, 404, 404, 404, 200],
}


def _url(name, world):
    if name in ("review_detail", "review_conflict"):
        return reverse(f"calls:{name}", kwargs={"pk": world.assignment.pk})
    if name == "coselection_detail":
        return reverse(f"calls:{name}", kwargs={"uuid": world.application.uuid})
    if name.startswith("call_"):
        return reverse(f"calls:{name}", kwargs={"slug": world.call.slug})
    return reverse(f"calls:{name}")


@pytest.mark.parametrize("name", list(MATRIX))
def test_permission_matrix(client, world, name):
    url = _url(name, world)
    found = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(world, role))
        response = client.get(url)
        found.append(response.status_code)
        if response.status_code == 302:
            assert "/account/login/" in response.url
    assert found == MATRIX[name]


def test_permission_matrix_reviewer_of_another_application(client, world):
    """An assignment id of someone else is a 404 even for the posts."""
    client.force_login(world.other_reviewer)

    for name in ("review_detail", "review_conflict"):
        response = client.post(_url(name, world), {"reason": "x", "comment": "x"})
        assert response.status_code == 404
    world.assignment.refresh_from_db()
    assert not world.assignment.has_conflict


def test_coselection_page_shows_no_review_to_towns(client, world):
    completed_review(application=world.application, reviewer=world.other_reviewer)
    client.force_login(world.town_a_user)

    response = client.get(_url("coselection_detail", world))

    assert response.status_code == 200
    html = response.content.decode()
    assert "other-reviewer" not in html
    assert "Score" not in html
