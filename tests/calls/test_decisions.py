"""Decisions in batch: the cap per district, drafts in the outbox, sent once when confirmed."""

import pytest
from django.core import mail
from django.urls import reverse

from calls.enums import ApplicationStatus as S
from calls.enums import CallKind
from calls.models import ApplicationStatusChange
from calls.services.decisions import applications_decide
from municipalities.models import InnovationDistrict
from notifications.enums import MailStatus
from notifications.models import OutgoingMail
from notifications.services import mails_send_queued
from tests.calls.selection_world import make_world
from tests.factories import ApplicationFactory, CallFactory, MunicipalityApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = make_world()
    world.call.min_selected_per_district = 1
    world.call.max_selected_per_district = 2
    world.call.save()
    return world


def _shortlisted(world, count, **kwargs):
    return [
        ApplicationFactory(
            call=world.call, status=S.SHORTLISTED, target_districts=[world.district_a], **kwargs
        )
        for _ in range(count)
    ]


def test_batch_select_cap_reached_names_the_district(world):
    first, second, third = _shortlisted(world, 3)

    result = applications_decide(
        applications=[first, second, third], status=S.SELECTED, by=world.staff
    )

    assert [application.pk for application in result.done] == [first.pk, second.pk]
    [(refused, message)] = result.errors
    assert refused.pk == third.pk
    assert world.district_a.name in message
    third.refresh_from_db()
    assert third.status == S.SHORTLISTED
    assert third.selected_district is None
    assert not ApplicationStatusChange.objects.filter(application=third).exists()
    assert not OutgoingMail.objects.filter(related_id=third.pk).exists()
    for application in (first, second):
        application.refresh_from_db()
        assert application.status == S.SELECTED
        assert application.selected_district == world.district_a


def test_batch_with_an_illegal_transition_changes_nothing_for_it(world):
    submitted = ApplicationFactory(call=world.call, status=S.SUBMITTED)
    [shortlisted] = _shortlisted(world, 1)

    result = applications_decide(
        applications=[submitted, shortlisted], status=S.WAITING_LIST, by=world.staff
    )

    assert [application.pk for application in result.done] == [shortlisted.pk]
    [(refused, message)] = result.errors
    assert refused.pk == submitted.pk
    assert str(S.SUBMITTED.label) in message
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    assert not ApplicationStatusChange.objects.filter(application=submitted).exists()


def test_batch_by_someone_not_staff_refused(world):
    [shortlisted] = _shortlisted(world, 1)

    result = applications_decide(applications=[shortlisted], status=S.SELECTED, by=world.reviewer)

    assert result.done == []
    assert len(result.errors) == 1
    shortlisted.refresh_from_db()
    assert shortlisted.status == S.SHORTLISTED


def test_reject_needs_a_reason(world):
    [shortlisted] = _shortlisted(world, 1)

    without = applications_decide(applications=[shortlisted], status=S.REJECTED, by=world.staff)
    with_reason = applications_decide(
        applications=[shortlisted], status=S.REJECTED, by=world.staff, reason="Hors périmètre."
    )

    assert without.done == [] and len(without.errors) == 1
    assert len(with_reason.done) == 1
    change = ApplicationStatusChange.objects.get(application=shortlisted)
    assert (change.to_status, change.reason, change.by) == (
        S.REJECTED,
        "Hors périmètre.",
        world.staff,
    )


def test_select_needs_a_district_when_several_are_targeted(world):
    application = ApplicationFactory(
        call=world.call,
        status=S.SHORTLISTED,
        target_districts=[world.district_a, world.district_b],
    )

    refused = applications_decide(applications=[application], status=S.SELECTED, by=world.staff)
    chosen = applications_decide(
        applications=[application],
        status=S.SELECTED,
        by=world.staff,
        districts={application.pk: world.district_b},
    )

    assert len(refused.errors) == 1
    assert len(chosen.done) == 1
    application.refresh_from_db()
    assert application.selected_district == world.district_b


def test_decision_mails_drafted_then_sent_once_when_staff_confirm(
    client, world, django_capture_on_commit_callbacks
):
    selected = _shortlisted(world, 2)
    [english] = _shortlisted(world, 1, language="en")
    applications_decide(applications=selected, status=S.SELECTED, by=world.staff)
    applications_decide(applications=[english], status=S.WAITING_LIST, by=world.staff)

    drafts = OutgoingMail.objects.order_by("pk")
    assert [(m.template_code, m.status) for m in drafts] == [
        ("decision_selected", MailStatus.DRAFT),
        ("decision_selected", MailStatus.DRAFT),
        ("decision_waiting_list", MailStatus.DRAFT),
    ]
    assert world.district_a.name in drafts[0].body
    assert "waiting list" in drafts[2].subject
    # Nothing goes out before staff confirm.
    assert mails_send_queued() == 0
    assert mail.outbox == []

    client.force_login(world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_outgoingmail_changelist"),
            {
                "action": "send_mails",
                "_selected_action": [str(m.pk) for m in drafts],
            },
        )
    assert response.status_code == 302
    mails_send_queued()
    mails_send_queued()

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        application.contact_email for application in [*selected, english]
    )
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {MailStatus.SENT}


def test_selected_municipality_application_creates_its_district(world):
    call = CallFactory(edition=world.call.edition, kind=CallKind.MUNICIPALITIES)
    application = MunicipalityApplicationFactory(
        call=call, status=S.SHORTLISTED, town_name="Sevran", town_insee_code="93071"
    )

    result = applications_decide(applications=[application], status=S.SELECTED, by=world.staff)

    assert len(result.done) == 1
    district = InnovationDistrict.objects.get(
        municipality__insee_code="93071", edition=call.edition
    )
    application.refresh_from_db()
    assert application.created_municipality == district.municipality
    assert OutgoingMail.objects.filter(template_code="decision_selected").count() == 1
