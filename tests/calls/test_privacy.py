"""Privacy: retention, consent to publication, a copy of one's data, erasure."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from calls.enums import ApplicationStatus as S
from calls.models import (
    Application,
    ApplicationStatusChange,
    Attachment,
    ErasureRequest,
    PreRegistration,
    RetentionRun,
    SignInLink,
    TeamMember,
)
from calls.services.privacy import (
    ErasureRefused,
    applicant_erase,
    application_anonymise,
    applications_publishable,
    erasure_request_create,
    privacy_apply_retention,
)
from calls.services.workflow import application_set_status
from calls.tasks import privacy_apply_retention as retention_task
from notifications.enums import MailStatus
from notifications.models import OutgoingMail
from notifications.services import mail_draft
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    PreRegistrationFactory,
    ScoreFactory,
    SignInLinkFactory,
    StaffUserFactory,
    TeamMemberFactory,
    UserFactory,
    submitted_application,
)

pytestmark = pytest.mark.django_db

DAYS = 730


@pytest.fixture(autouse=True)
def retention_periods(settings):
    settings.RETENTION_UNSUCCESSFUL_DAYS = DAYS
    settings.RETENTION_PREREGISTRATION_DAYS = 30


@pytest.fixture
def private_media(settings):
    return Path(settings.PRIVATE_MEDIA_ROOT)


def _closed_call(days_ago):
    now = timezone.now()
    return CallFactory(
        opens_at=now - dt.timedelta(days=days_ago + 30),
        closes_at=now - dt.timedelta(days=days_ago),
    )


def _ended(application, status, days_ago, by=None):
    """Give an application a final status dated ``days_ago`` (as its history says)."""
    at = timezone.now() - dt.timedelta(days=days_ago)
    Application.objects.filter(pk=application.pk).update(status=status)
    ApplicationStatusChange.objects.create(
        application=application,
        from_status=S.SUBMITTED,
        to_status=status,
        by=by,
        at=at,
        reason="Ne répond pas aux critères d'Alex Durand.",
    )
    application.refresh_from_db()
    return application


def _file_path(attachment):
    return Path(attachment.file.path)


# Retention ------------------------------------------------------------------------------


def test_retention_anonymises_an_old_rejected_application_and_keeps_its_figures(
    private_media, django_capture_on_commit_callbacks
):
    call = _closed_call(DAYS + 100)
    application = ApplicationFactory(call=call, status=S.SUBMITTED)
    _ended(application, S.REJECTED, DAYS + 10)
    TeamMemberFactory(application=application, name="Zoé Secret")
    attachment = application.attachments.get()
    path = _file_path(attachment)
    score = ScoreFactory(assignment__application=application, comment="Alex est motivée")
    themes = set(application.themes.values_list("pk", flat=True))
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        run = privacy_apply_retention()

    application.refresh_from_db()
    assert application.anonymised_at is not None
    assert application.status == S.REJECTED
    assert application.reference  # figures and references stay
    assert set(application.themes.values_list("pk", flat=True)) == themes
    assert application.legal_form == "startup"
    for name in ("organisation_name", "contact_first_name", "contact_last_name"):
        assert getattr(application, name) == ""
    assert application.contact_email == "" and application.siret == ""
    assert application.solution_description == "" and application.expected_impacts == {}
    assert application.consents_publication is False
    assert not TeamMember.objects.filter(application=application).exists()
    assert not Attachment.objects.filter(application=application).exists()
    assert not path.exists()
    history = ApplicationStatusChange.objects.get(application=application)
    assert history.to_status == S.REJECTED and history.reason == ""
    score.refresh_from_db()
    assert score.value is not None and score.comment == ""
    assert run.applications_anonymised == 1
    assert run.files_deleted == 1
    assert run.finished_at is not None and run.error == ""
    assert run.unsuccessful_days == DAYS


def test_retention_keeps_applications_within_the_period_and_selected_ones():
    call = _closed_call(DAYS + 100)
    recent = _ended(ApplicationFactory(call=call, status=S.SUBMITTED), S.REJECTED, DAYS - 5)
    selected = ApplicationFactory(call=call, status=S.SUBMITTED)
    Application.objects.filter(pk=selected.pk).update(
        status=S.SELECTED, selected_district=selected.target_districts.get()
    )
    under_review = ApplicationFactory(call=call, status=S.UNDER_REVIEW)

    run = privacy_apply_retention()

    for application in (recent, selected, under_review):
        application.refresh_from_db()
        assert application.anonymised_at is None
        assert application.organisation_name
    assert run.applications_anonymised == 0


def test_retention_counts_from_the_last_status_change_not_only_the_closing():
    call = _closed_call(DAYS + 100)  # closed long ago, withdrawn recently
    application = _ended(ApplicationFactory(call=call, status=S.SUBMITTED), S.WITHDRAWN, 10)

    privacy_apply_retention()

    application.refresh_from_db()
    assert application.anonymised_at is None


def test_retention_deletes_drafts_of_closed_calls_with_their_files(
    private_media, django_capture_on_commit_callbacks
):
    old_draft = ApplicationFactory(call=_closed_call(DAYS + 1))
    path = _file_path(old_draft.attachments.get())
    open_draft = ApplicationFactory()  # its call is open

    with django_capture_on_commit_callbacks(execute=True):
        run = privacy_apply_retention()

    assert not Application.objects.filter(pk=old_draft.pk).exists()
    assert not path.exists()
    assert Application.objects.filter(pk=open_draft.pk).exists()
    assert run.drafts_deleted == 1
    assert run.files_deleted == 1


def test_retention_deletes_preregistrations_after_the_call_closes_and_the_grace_period():
    expired = PreRegistrationFactory(call=_closed_call(31))
    mail_draft(
        code="preregistration_confirm",
        recipient=expired.email,
        language="fr",
        context={"call_title": "x", "confirm_url": "x", "unsubscribe_url": "x"},
        occurrence_key=f"preregistration_confirm:{expired.pk}:1",
        related=expired,
    )
    in_grace = PreRegistrationFactory(call=_closed_call(29))
    upcoming = PreRegistrationFactory()

    run = privacy_apply_retention()

    assert not PreRegistration.objects.filter(pk=expired.pk).exists()
    assert not OutgoingMail.objects.filter(recipient=expired.email).exists()
    assert set(PreRegistration.objects.values_list("pk", flat=True)) == {in_grace.pk, upcoming.pk}
    assert run.preregistrations_deleted == 1
    assert run.preregistration_days == 30


def test_retention_deletes_old_signin_links_only():
    old = SignInLinkFactory(created_at=timezone.now() - dt.timedelta(days=2))
    fresh = SignInLinkFactory()

    run = privacy_apply_retention()

    assert list(SignInLink.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert run.signin_links_deleted == 1
    assert not SignInLink.objects.filter(pk=old.pk).exists()


def test_retention_anonymises_unused_applicant_accounts_with_nothing_left():
    long_ago = timezone.now() - dt.timedelta(days=DAYS + 1)
    gone = UserFactory(email="parti@example.org", last_login=long_ago)
    gone.set_unusable_password()
    gone.save()
    application = _ended(
        ApplicationFactory(call=_closed_call(DAYS + 100), applicant=gone, status=S.SUBMITTED),
        S.REJECTED,
        DAYS + 10,
    )
    active = UserFactory(last_login=long_ago)
    active.set_unusable_password()
    active.save()
    ApplicationFactory(applicant=active)  # a draft of an open call: still kept
    staff = StaffUserFactory(last_login=long_ago)
    never_applied = UserFactory(last_login=long_ago)
    never_applied.set_unusable_password()
    never_applied.save()
    recent = UserFactory(last_login=timezone.now() - dt.timedelta(days=3))
    recent.set_unusable_password()
    recent.save()

    run = privacy_apply_retention()

    gone.refresh_from_db()
    assert gone.email == "" and gone.username == f"erased-{gone.pk}"
    assert not gone.is_active
    application.refresh_from_db()
    assert application.anonymised_at is not None
    active.refresh_from_db()
    staff.refresh_from_db()
    assert active.is_active and active.email
    assert staff.is_active and staff.email
    never_applied.refresh_from_db()
    recent.refresh_from_db()
    assert not never_applied.is_active and never_applied.email == ""
    assert recent.is_active and recent.email
    assert run.accounts_anonymised == 2


def test_retention_twice_does_nothing_the_second_time():
    _ended(
        ApplicationFactory(call=_closed_call(DAYS + 100), status=S.SUBMITTED), S.REJECTED, DAYS + 1
    )
    first = privacy_apply_retention()
    second = privacy_apply_retention()
    assert first.applications_anonymised == 1
    assert second.applications_anonymised == 0
    assert RetentionRun.objects.count() == 2


def test_retention_task_logs_a_run(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    _ended(
        ApplicationFactory(call=_closed_call(DAYS + 100), status=S.SUBMITTED), S.REJECTED, DAYS + 1
    )
    run_id = retention_task.delay().get()
    run = RetentionRun.objects.get(pk=run_id)
    assert run.applications_anonymised == 1
    assert run.triggered_by is None


def test_retention_is_scheduled_every_night_by_a_periodic_task():
    task = PeriodicTask.objects.get(task="calls.tasks.privacy_apply_retention")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("3", "30")
    assert str(task.crontab.timezone) == "Europe/Paris"


def test_anonymised_application_mails_are_emptied_and_unsent_ones_cancelled():
    application = submitted_application()  # queues the confirmation mail
    mail = OutgoingMail.objects.get(occurrence_key=f"application_submitted:{application.pk}")
    assert mail.recipient

    application_anonymise(application=application)

    mail.refresh_from_db()
    assert (mail.recipient, mail.subject, mail.body) == ("", "", "")
    assert mail.status == MailStatus.CANCELLED


# Consent to publication -----------------------------------------------------------------


def test_publication_consent_is_recorded_with_its_time_from_the_review_step(client):
    application = ApplicationFactory(consents_publication=False)
    client.force_login(application.applicant)
    url = reverse("calls:application_review", kwargs={"uuid": application.uuid})

    client.post(url, {"consents_publication": "on"})
    application.refresh_from_db()
    given_at = application.consents_publication_at
    assert application.consents_publication is True
    assert given_at is not None
    assert abs((timezone.now() - given_at).total_seconds()) < 60

    client.post(url, {"consents_publication": "on", "declares_accuracy": "on"})
    application.refresh_from_db()
    assert application.consents_publication_at == given_at  # the first time stays

    client.post(url, {})
    application.refresh_from_db()
    assert application.consents_publication is False
    assert application.consents_publication_at is None


def test_only_selected_applications_with_recorded_consent_are_publishable():
    def selected(**kwargs):
        application = ApplicationFactory(status=S.SUBMITTED, **kwargs)
        Application.objects.filter(pk=application.pk).update(
            status=S.SELECTED, selected_district=application.target_districts.get()
        )
        return application

    with_consent = selected()
    Application.objects.filter(pk=with_consent.pk).update(consents_publication_at=timezone.now())
    without_time = selected()  # ticked, but no time recorded
    refused = selected(consents_publication=False)
    not_selected = ApplicationFactory(status=S.SUBMITTED)
    Application.objects.filter(pk=not_selected.pk).update(consents_publication_at=timezone.now())

    assert list(applications_publishable()) == [with_consent]
    assert without_time not in applications_publishable()
    assert refused not in applications_publishable()


# A copy of one's data -------------------------------------------------------------------


def test_my_data_needs_a_signed_in_applicant(client):
    response = client.get(reverse("calls:my_data_export"))
    assert response.status_code == 302
    assert reverse("calls:signin_request") in response["Location"]


def test_export_gives_the_applicant_their_data_as_a_json_attachment(client):
    applicant = UserFactory(email="alex@example.org")
    application = submitted_application(applicant=applicant)
    TeamMemberFactory(application=application, name="Zoé Équipe", email="zoe@example.org")
    staff = StaffUserFactory()
    application_set_status(application=application, status=S.ELIGIBLE, by=staff)
    PreRegistrationFactory(email="ALEX@example.org")
    other = ApplicationFactory(organisation_name="Someone Else SAS")
    client.force_login(applicant)

    response = client.get(reverse("calls:my_data_export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="qmi-my-data-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "alex@example.org"
    [exported] = data["applications"]
    assert exported["reference"] == application.reference
    assert exported["organisation_name"] == application.organisation_name
    assert exported["team"] == [
        {"name": "Zoé Équipe", "role": "Ingénieure", "email": "zoe@example.org"}
    ]
    [attachment] = exported["attachments"]
    assert attachment["name"] == "presentation.pdf" and attachment["size"] > 0
    assert [(h["to"], h["by"]) for h in exported["status_history"]] == [
        ("submitted", "you"),
        ("eligible", "programme staff"),
    ]
    assert len(data["preregistrations"]) == 1
    assert other.organisation_name not in response.content.decode()
    assert staff.username not in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_export_queries_do_not_grow_with_the_applications(client, count, django_assert_num_queries):
    applicant = UserFactory()
    for _ in range(count):
        application = ApplicationFactory(applicant=applicant)
        TeamMemberFactory(application=application)
    client.force_login(applicant)
    # Session and user, the applications and their 5 prefetches, pre-registrations,
    # erasure requests: ten, for 1 application as for 3.
    with django_assert_num_queries(9):
        response = client.get(reverse("calls:my_data_export"))
    assert len(json.loads(response.content)["applications"]) == count


# Erasure ---------------------------------------------------------------------------------


def test_erasure_request_needs_the_confirmation(client):
    applicant = UserFactory()
    client.force_login(applicant)

    response = client.post(reverse("calls:my_data"), {})

    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    assert not ErasureRequest.objects.exists()


def test_erasure_request_is_recorded_once(client):
    applicant = UserFactory()
    client.force_login(applicant)

    response = client.post(reverse("calls:my_data"), {"confirm": "on"}, follow=True)
    client.post(reverse("calls:my_data"), {"confirm": "on"})

    assert response.status_code == 200
    [erasure] = ErasureRequest.objects.all()
    assert erasure.requested_by == applicant and erasure.executed_at is None
    page = client.get(reverse("calls:my_data")).content.decode()
    assert 'name="confirm"' not in page


def test_staff_account_cannot_ask_erasure_from_the_page(client):
    client.force_login(StaffUserFactory())
    response = client.post(reverse("calls:my_data"), {"confirm": "on"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not ErasureRequest.objects.exists()


def test_erasure_by_staff_withdraws_anonymises_deletes_and_keeps_who_did_it(
    private_media, django_capture_on_commit_callbacks
):
    applicant = UserFactory(email="alex@example.org", first_name="Alex", last_name="Durand")
    in_review = submitted_application(applicant=applicant)
    path = _file_path(in_review.attachments.get())
    TeamMemberFactory(application=in_review)
    draft = ApplicationFactory(applicant=applicant)
    rejected = _ended(ApplicationFactory(applicant=applicant, status=S.SUBMITTED), S.REJECTED, 3)
    PreRegistrationFactory(email="alex@example.org")
    SignInLinkFactory(email="Alex@example.org")
    bystander = submitted_application()
    staff = StaffUserFactory()
    erasure = erasure_request_create(user=applicant)

    with django_capture_on_commit_callbacks(execute=True):
        applicant_erase(erasure_request=erasure, by=staff)

    in_review.refresh_from_db()
    assert in_review.status == S.WITHDRAWN
    assert in_review.anonymised_at is not None and in_review.contact_email == ""
    withdrawal = in_review.status_changes.get(to_status=S.WITHDRAWN)
    assert withdrawal.by == staff
    assert withdrawal.reason == ""  # anonymised after the withdrawal, like every reason
    assert not path.exists()
    assert not TeamMember.objects.filter(application=in_review).exists()
    assert not Application.objects.filter(pk=draft.pk).exists()
    rejected.refresh_from_db()
    assert rejected.anonymised_at is not None
    assert not PreRegistration.objects.filter(email__iexact="alex@example.org").exists()
    assert not SignInLink.objects.filter(email__iexact="alex@example.org").exists()
    assert not OutgoingMail.objects.filter(recipient__iexact="alex@example.org").exists()
    applicant.refresh_from_db()
    assert (applicant.email, applicant.first_name, applicant.last_name) == ("", "", "")
    assert not applicant.is_active and not applicant.has_usable_password()
    erasure.refresh_from_db()
    assert erasure.executed_by == staff and erasure.executed_at is not None
    assert erasure.summary == {
        "applications_withdrawn": 1,
        "applications_anonymised": 2,
        "drafts_deleted": 1,
        "files_deleted": 3,
        "preregistrations_deleted": 1,
        "signin_links_deleted": 1,
    }
    assert "alex" not in json.dumps(erasure.summary).lower()
    bystander.refresh_from_db()
    assert bystander.anonymised_at is None and bystander.contact_email


def test_erasure_is_refused_while_an_application_is_selected():
    applicant = UserFactory()
    application = ApplicationFactory(applicant=applicant, status=S.SUBMITTED)
    Application.objects.filter(pk=application.pk).update(
        status=S.SELECTED, selected_district=application.target_districts.get()
    )
    erasure = erasure_request_create(user=applicant)

    with pytest.raises(ErasureRefused) as refused:
        applicant_erase(erasure_request=erasure, by=StaffUserFactory())

    assert refused.value.code == "selected"
    applicant.refresh_from_db()
    assert applicant.is_active and applicant.email
    erasure.refresh_from_db()
    assert erasure.executed_at is None


def test_erasure_only_by_programme_staff():
    applicant = UserFactory()
    erasure = erasure_request_create(user=applicant)
    with pytest.raises(PermissionDenied):
        applicant_erase(erasure_request=erasure, by=applicant)
    with pytest.raises(PermissionDenied):
        applicant_erase(erasure_request=erasure, by=UserFactory())


def test_erased_applicant_is_signed_out(client):
    applicant = UserFactory()
    client.force_login(applicant)
    applicant_erase(erasure_request=erasure_request_create(user=applicant), by=StaffUserFactory())

    response = client.get(reverse("calls:my_data"))

    assert response.status_code == 302
    assert reverse("calls:signin_request") in response["Location"]


def test_admin_action_carries_out_the_erasure_and_reports_refusals(client):
    staff = StaffUserFactory()
    erasable = erasure_request_create(user=UserFactory())
    blocked_applicant = UserFactory()
    selected = ApplicationFactory(applicant=blocked_applicant, status=S.SUBMITTED)
    Application.objects.filter(pk=selected.pk).update(
        status=S.SELECTED, selected_district=selected.target_districts.get()
    )
    blocked = erasure_request_create(user=blocked_applicant)
    client.force_login(staff)

    response = client.post(
        reverse("admin:calls_erasurerequest_changelist"),
        {"action": "erase", "_selected_action": [erasable.pk, blocked.pk]},
        follow=True,
    )

    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert any("1" in message for message in messages)
    assert any(str(selected.reference) in message for message in messages)
    erasable.refresh_from_db()
    blocked.refresh_from_db()
    assert erasable.executed_by == staff
    assert blocked.executed_at is None
    assert get_user_model().objects.get(pk=erasable.requested_by_id).email == ""


def test_retention_runs_and_erasure_requests_are_in_the_admin_for_staff(client):
    client.force_login(StaffUserFactory())
    privacy_apply_retention()
    erasure_request_create(user=UserFactory())
    assert client.get(reverse("admin:calls_retentionrun_changelist")).status_code == 200
    assert client.get(reverse("admin:calls_erasurerequest_changelist")).status_code == 200


# Pages ---------------------------------------------------------------------------------


def test_privacy_notice_shows_the_retention_periods_in_force(client, settings, english):
    settings.RETENTION_UNSUCCESSFUL_DAYS = 365
    settings.RETENTION_PREREGISTRATION_DAYS = 45

    response = client.get(reverse("calls:privacy"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "365 days" in page
    assert "45 days after the call closes" in page


def test_legal_page_links_to_the_privacy_notice(client):
    response = client.get(reverse("municipalities:legal"))
    assert reverse("calls:privacy") in response.content.decode()


def test_my_applications_links_to_my_data(client):
    applicant = UserFactory()
    client.force_login(applicant)
    response = client.get(reverse("calls:my_applications"))
    assert reverse("calls:my_data") in response.content.decode()
