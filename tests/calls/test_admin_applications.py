"""The applications' admin: fast list, read-only status, actions through the workflow."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.enums import ApplicationStatus as S
from calls.models import (
    Application,
    ApplicationStatusChange,
    DeadlineExtension,
    ReviewAssignment,
    SelectionCriterion,
)
from notifications.models import OutgoingMail
from tests.calls.selection_world import make_world
from tests.factories import (
    ApplicationFactory,
    AttachmentFactory,
    PreRegistrationFactory,
    ReviewerFactory,
    SignInLinkFactory,
    completed_review,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:calls_application_changelist")


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.staff)
    return client


def _change(application):
    return reverse("admin:calls_application_change", args=[application.pk])


def _results(response):
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def _action(client, action, applications, **data):
    return client.post(
        CHANGELIST,
        {
            "action": action,
            "_selected_action": [str(application.pk) for application in applications],
            **data,
        },
    )


def _messages(response):
    return [str(message) for message in response.context["messages"]]


# The list ---------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 4])
def test_changelist_query_count_constant(staff_client, django_assert_num_queries, world, rows):
    for index in range(rows - 1):
        application = ApplicationFactory(
            call=world.call, status="under_review", country="BE" if index else "FR"
        )
        completed_review(application=application)
    AttachmentFactory(application=world.application)

    # User (the session is cached), permissions, the calls and the countries of the filters, the
    # count, the page of applications with their scores and duplicate flags.
    with django_assert_num_queries(7):
        response = staff_client.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == rows
    assert response.context["cl"].show_full_result_count is False


def test_changelist_shows_weighted_score(staff_client, world):
    completed_review(application=world.application, values=[5, 5, 5, 5, 5])
    completed_review(application=world.application, values=[4, 4, 4, 4, 4])

    response = staff_client.get(CHANGELIST)

    assert "4.50" in response.content.decode()


def test_duplicate_flag_by_siret_or_name(staff_client, world):
    same_siret = ApplicationFactory(call=world.call, organisation_name="Autre nom")
    same_name = ApplicationFactory(
        call=world.call, organisation_name="OMBRE FRAÎCHE", siret="", status="submitted"
    )
    unique = ApplicationFactory(
        call=world.call, organisation_name="Unique", siret="", status="submitted"
    )
    other_call = ApplicationFactory(organisation_name="Ombre Fraîche")
    Application.objects.filter(pk=world.application.pk).update(siret="")
    Application.objects.filter(pk=same_siret.pk).update(siret="73282932000074")
    ApplicationFactory(call=world.call, organisation_name="Tiers", siret="73282932000074")

    flagged = _results(staff_client.get(f"{CHANGELIST}?duplicate=yes"))
    not_flagged = _results(staff_client.get(f"{CHANGELIST}?duplicate=no"))

    assert world.application in flagged and same_name in flagged
    assert same_siret in flagged
    assert unique in not_flagged and other_call in not_flagged


@pytest.mark.parametrize(
    ("query", "expected"),
    [("QMI", "world"), ("ombre", "world"), ("Solution-X", "x"), ("Montreuil", "town")],
)
def test_changelist_search(staff_client, world, query, expected):
    x = ApplicationFactory(call=world.call, solution_name="Solution-X", organisation_name="Zeta")
    town = ApplicationFactory(call=world.call, town_name="Montreuil", organisation_name="Eta")
    by_name = {"world": {world.application}, "x": {x}, "town": {town}}

    found = _results(staff_client.get(f"{CHANGELIST}?q={query}"))

    assert found == by_name[expected]


def test_changelist_filters_status_legal_form_country(staff_client, world):
    belgian = ApplicationFactory(
        call=world.call, status="submitted", country="BE", legal_form="association"
    )

    assert _results(staff_client.get(f"{CHANGELIST}?status__exact=submitted")) == {belgian}
    assert _results(staff_client.get(f"{CHANGELIST}?legal_form__exact=association")) == {belgian}
    assert _results(staff_client.get(f"{CHANGELIST}?country=international")) == {belgian}
    assert _results(staff_client.get(f"{CHANGELIST}?country=FR")) == {world.application}
    assert _results(staff_client.get(f"{CHANGELIST}?call__id__exact={world.call.pk}")) == {
        world.application,
        belgian,
    }


# The change page -----------------------------------------------------------------


def test_status_cannot_be_changed_in_the_form(staff_client, world):
    response = staff_client.get(_change(world.application))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "status" not in form.fields
    assert "reference" not in form.fields


def test_change_page_shows_history_reviews_opinions_and_attachments(staff_client, world):
    from tests.factories import MunicipalityOpinionFactory

    attachment = AttachmentFactory(application=world.application, original_name="deck.pdf")
    ApplicationStatusChange.objects.create(
        application=world.application,
        from_status=S.UNDER_REVIEW,
        to_status=S.SHORTLISTED,
        by=world.staff,
        reason="Jury du 12.",
    )
    review = completed_review(application=world.application, values=[5, 4, 3, 2, 1])
    review.comment = "Équipe solide"
    review.save()
    MunicipalityOpinionFactory(
        application=world.application, district=world.district_a, comment="Oui pour la place."
    )

    html = staff_client.get(_change(world.application)).content.decode()

    assert "Jury du 12." in html
    assert "Équipe solide" in html
    assert "3.00" in html
    assert "Oui pour la place." in html
    assert attachment.get_absolute_url() in html


def test_extension_inline_records_who_granted_it(staff_client, world):
    response = staff_client.get(_change(world.application))
    data = _form_data(response)
    until = timezone.localtime() + dt.timedelta(days=3)
    prefix = "extensions"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-until_0": until.strftime("%d/%m/%Y"),
            f"{prefix}-0-until_1": until.strftime("%H:%M:%S"),
            f"{prefix}-0-reason": "Panne du serveur.",
            "_continue": "1",
        }
    )

    response = staff_client.post(_change(world.application), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    extension = DeadlineExtension.objects.get()
    assert extension.granted_by == world.staff
    assert extension.reason == "Panne du serveur."


def test_extension_in_the_past_refused(staff_client, world):
    data = _form_data(staff_client.get(_change(world.application)))
    data.update(
        {
            "extensions-TOTAL_FORMS": "1",
            "extensions-0-until_0": "01/01/2020",
            "extensions-0-until_1": "10:00:00",
            "extensions-0-reason": "Trop tard.",
        }
    )

    response = staff_client.post(_change(world.application), data)

    assert response.status_code == 200
    assert not DeadlineExtension.objects.exists()


def _form_value(value):
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


def _form_data(response):
    """The change form as the admin serves it, inlines' management forms included."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value)
            data[f"{name}_0"] = value.strftime("%d/%m/%Y")
            data[f"{name}_1"] = value.strftime("%H:%M:%S")
        elif isinstance(value, dict):
            data[name] = json.dumps(value)
        else:
            data[name] = _form_value(value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update(
            {management.add_prefix(name): management[name].value() for name in management.fields}
        )
        for index, member in enumerate(formset.forms):
            for name in member.fields:
                value = member[name].value()
                if value is not None and value is not False:
                    data[f"{formset.prefix}-{index}-{name}"] = _form_value(value)
    return data


# Actions ------------------------------------------------------------------------


def test_screen_action_shows_an_intermediate_page_then_marks_eligible(staff_client, world):
    submitted = ApplicationFactory(call=world.call, status="submitted")

    page = _action(staff_client, "screen", [submitted])
    assert page.status_code == 200
    assert submitted.reference in page.content.decode()
    assert "admin/calls/application/action_form.html" in [t.name for t in page.templates]

    done = _action(staff_client, "screen", [submitted], apply="1", status="eligible", reason="")
    assert done.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.ELIGIBLE
    assert submitted.status_changes.get().by == world.staff


def test_screen_ineligible_needs_a_reason(staff_client, world):
    submitted = ApplicationFactory(call=world.call, status="submitted")

    response = _action(
        staff_client, "screen", [submitted], apply="1", status="ineligible", reason=""
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED

    _action(staff_client, "screen", [submitted], apply="1", status="ineligible", reason="Hors MGP.")
    submitted.refresh_from_db()
    assert submitted.status == S.INELIGIBLE
    assert submitted.status_changes.get().reason == "Hors MGP."


def test_illegal_transition_from_an_action_is_a_clear_error(staff_client, world):
    draft = ApplicationFactory(call=world.call, status="draft")
    eligible = ApplicationFactory(call=world.call, status="eligible")

    response = _action(staff_client, "shortlist", [draft, eligible, world.application])

    assert response.status_code == 302
    follow = staff_client.get(response.url)
    messages = _messages(follow)
    assert any(str(S.DRAFT.label) in message for message in messages)
    assert any(str(S.ELIGIBLE.label) in message for message in messages)
    for application, status in ((draft, S.DRAFT), (eligible, S.ELIGIBLE)):
        application.refresh_from_db()
        assert application.status == status
        assert not application.status_changes.exists()


def test_start_review_and_shortlist_actions(staff_client, world):
    eligible = ApplicationFactory(call=world.call, status="eligible")

    _action(staff_client, "start_review", [eligible])
    eligible.refresh_from_db()
    assert eligible.status == S.UNDER_REVIEW
    _action(staff_client, "shortlist", [eligible])
    eligible.refresh_from_db()
    assert eligible.status == S.SHORTLISTED


def test_select_action_intermediate_page_lists_districts(staff_client, world):
    two = ApplicationFactory(
        call=world.call, status="shortlisted", target_districts=[world.district_a, world.district_b]
    )

    page = _action(staff_client, "select", [world.application, two])

    assert page.status_code == 200
    form = page.context["form"]
    assert form.fields[f"district_{world.application.pk}"].initial == world.district_a.pk
    assert form.fields[f"district_{two.pk}"].initial is None
    html = page.content.decode()
    assert "Aubervilliers" in html and "Bondy" in html

    missing = _action(staff_client, "select", [world.application, two], apply="1")
    assert missing.status_code == 200
    assert f"district_{two.pk}" in missing.context["form"].errors

    done = _action(
        staff_client,
        "select",
        [world.application, two],
        apply="1",
        **{
            f"district_{world.application.pk}": str(world.district_a.pk),
            f"district_{two.pk}": str(world.district_b.pk),
        },
    )
    assert done.status_code == 302
    two.refresh_from_db()
    assert (two.status, two.selected_district) == (S.SELECTED, world.district_b)
    assert (
        OutgoingMail.objects.filter(template_code="decision_selected", status="draft").count() == 2
    )


def test_select_action_cap_reached_names_the_district(staff_client, world):
    world.call.min_selected_per_district = 1
    world.call.max_selected_per_district = 1
    world.call.save()
    second = ApplicationFactory(
        call=world.call, status="shortlisted", target_districts=[world.district_a]
    )
    data = {
        f"district_{world.application.pk}": str(world.district_a.pk),
        f"district_{second.pk}": str(world.district_a.pk),
    }

    response = _action(staff_client, "select", [world.application, second], apply="1", **data)

    messages = _messages(staff_client.get(response.url))
    errors = [message for message in messages if second.reference in message]
    assert len(errors) == 1
    assert world.district_a.name in errors[0]
    second.refresh_from_db()
    assert second.status == S.SHORTLISTED


def test_reject_action_needs_a_reason(staff_client, world):
    page = _action(staff_client, "reject", [world.application], apply="1", reason="")
    assert page.status_code == 200
    world.application.refresh_from_db()
    assert world.application.status == S.SHORTLISTED

    _action(staff_client, "reject", [world.application], apply="1", reason="Trop cher.")
    world.application.refresh_from_db()
    assert world.application.status == S.REJECTED


def test_waiting_list_action(staff_client, world):
    _action(staff_client, "put_on_waiting_list", [world.application])

    world.application.refresh_from_db()
    assert world.application.status == S.WAITING_LIST


def test_assign_reviewers_action_in_bulk(staff_client, world):
    applications = ApplicationFactory.create_batch(3, call=world.call, status="eligible")
    extra = ReviewerFactory()

    page = _action(staff_client, "assign_reviewers", applications)
    assert page.status_code == 200
    reviewer_choices = {user.pk for user in page.context["form"].fields["reviewers"].queryset}
    assert {world.reviewer.pk, world.other_reviewer.pk, extra.pk} <= reviewer_choices
    assert world.town_a_user.pk not in reviewer_choices

    done = _action(
        staff_client,
        "assign_reviewers",
        applications,
        apply="1",
        reviewers=[str(world.reviewer.pk), str(world.other_reviewer.pk), str(extra.pk)],
        per_application="2",
    )

    assert done.status_code == 302
    assert ReviewAssignment.objects.filter(application__in=applications).count() == 6
    loads = [
        ReviewAssignment.objects.filter(application__in=applications, reviewer=reviewer).count()
        for reviewer in (world.reviewer, world.other_reviewer, extra)
    ]
    assert sorted(loads) == [1, 2, 3] or sorted(loads) == [2, 2, 2]
    assert all(
        a.assigned_by == world.staff
        for a in ReviewAssignment.objects.filter(application__in=applications)
    )


def test_no_delete_action_and_no_add(staff_client, world):
    response = staff_client.get(CHANGELIST)

    choices = dict(response.context["action_form"].fields["action"].choices)
    assert "delete_selected" not in choices
    assert staff_client.get(reverse("admin:calls_application_add")).status_code == 403


# Other records ----------------------------------------------------------------------


def test_call_admin_links_and_default_criteria(staff_client, world):
    world.call.criteria.all().delete()
    response = staff_client.get(reverse("admin:calls_call_change", args=[world.call.pk]))
    html = response.content.decode()
    assert reverse("calls:call_ranking", kwargs={"slug": world.call.slug}) in html
    assert reverse("calls:call_statistics", kwargs={"slug": world.call.slug}) in html
    assert reverse("calls:call_export_csv", kwargs={"slug": world.call.slug}) in html

    data = _form_data(response)
    data["_continue"] = "1"
    saved = staff_client.post(reverse("admin:calls_call_change", args=[world.call.pk]), data)

    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert SelectionCriterion.objects.filter(call=world.call).count() == 5


def test_preregistration_admin_filters(staff_client, world):
    confirmed = PreRegistrationFactory(call=world.call, confirmed_at=timezone.now())
    pending = PreRegistrationFactory(call=world.call, confirmed_at=None)
    url = reverse("admin:calls_preregistration_changelist")

    assert _results(staff_client.get(f"{url}?confirmed=yes")) == {confirmed}
    assert _results(staff_client.get(f"{url}?confirmed=no")) == {pending}
    assert _results(staff_client.get(f"{url}?call__id__exact={world.call.pk}")) == {
        confirmed,
        pending,
    }


def test_signin_link_admin_never_shows_the_token(client, world):
    from django.contrib.auth import get_user_model

    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(superuser)
    link = SignInLinkFactory()

    listing = client.get(reverse("admin:calls_signinlink_changelist"))
    page = client.get(reverse("admin:calls_signinlink_change", args=[link.pk]))

    assert listing.status_code == page.status_code == 200
    for response in (listing, page):
        assert link.token_hash not in response.content.decode()
    assert "token_hash" not in page.context["adminform"].form.fields
    assert client.get(reverse("admin:calls_referencecounter_changelist")).status_code == 200
