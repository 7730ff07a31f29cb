"""The applicants' side: start, steps, autosave, files, review, submit, withdraw, lists."""

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calls.enums import ApplicationStatus, AttachmentKind, CallKind, Maturity
from calls.models import Application, Attachment, ReviewAssignment, TeamMember
from calls.services.applications import (
    ApplicationLocked,
    application_create,
    application_update_step,
    attachment_add,
)
from municipalities.permissions import MUNICIPALITY_STAFF
from notifications.models import OutgoingMail
from notifications.services import mails_send_queued
from tests.factories import (
    ApplicationFactory,
    AttachmentFactory,
    CallFactory,
    DeadlineExtensionFactory,
    InnovationDistrictFactory,
    MunicipalityApplicationFactory,
    MunicipalityMembershipFactory,
    ReviewerFactory,
    StaffUserFactory,
    TeamMemberFactory,
    UrbanChallengeFactory,
    UserFactory,
    pdf_bytes,
    png_bytes,
    submitted_application,
)

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 600
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Real files, in a private directory of this test only."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    yield Path(settings.PRIVATE_MEDIA_ROOT)


@pytest.fixture
def call():
    """An open call for experimenters with two districts and two themes of its edition."""
    call = CallFactory()
    for _ in range(2):
        call.districts.add(InnovationDistrictFactory(edition=call.edition))
        UrbanChallengeFactory(edition=call.edition)
    return call


@pytest.fixture
def applicant():
    return UserFactory(first_name="Alex", last_name="Durand")


@pytest.fixture
def applicant_client(client, applicant):
    client.force_login(applicant)
    return client


@pytest.fixture
def draft(call, applicant):
    return ApplicationFactory(call=call, applicant=applicant, incomplete=True)


def step_url(application, step):
    return reverse("calls:application_step", kwargs={"uuid": application.uuid, "step": step})


def autosave_url(application, step):
    return reverse("calls:application_autosave", kwargs={"uuid": application.uuid, "step": step})


def review_url(application):
    return reverse("calls:application_review", kwargs={"uuid": application.uuid})


def _messages(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


def _close(call, minutes_ago=1):
    now = timezone.now()
    type(call).objects.filter(pk=call.pk).update(
        opens_at=now - dt.timedelta(days=30), closes_at=now - dt.timedelta(minutes=minutes_ago)
    )
    call.refresh_from_db()


# --- Starting ---------------------------------------------------------------


def test_application_start_creates_a_draft_and_redirects_to_the_first_step(
    applicant_client, applicant, call
):
    response = applicant_client.post(reverse("calls:application_start", kwargs={"slug": call.slug}))
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == step_url(application, "organisation")
    assert application.status == ApplicationStatus.DRAFT
    assert application.applicant == applicant
    assert application.call == call
    assert application.reference is None
    assert application.contact_email == applicant.email
    assert application.contact_first_name == "Alex"
    assert application.language == "fr"


def test_application_start_resumes_the_unfinished_draft(applicant_client, draft):
    url = reverse("calls:application_start", kwargs={"slug": draft.call.slug})
    response = applicant_client.post(url)
    assert response["Location"] == step_url(draft, "organisation")
    assert Application.objects.count() == 1


def test_application_start_after_a_submission_starts_a_new_draft(applicant_client, applicant, call):
    submitted = submitted_application(call=call, applicant=applicant)
    applicant_client.post(reverse("calls:application_start", kwargs={"slug": call.slug}))
    assert Application.objects.exclude(pk=submitted.pk).get().status == ApplicationStatus.DRAFT


def test_application_start_is_post_only(applicant_client, call):
    response = applicant_client.get(reverse("calls:application_start", kwargs={"slug": call.slug}))
    assert response.status_code == 405
    assert not Application.objects.exists()


def test_application_start_sends_anonymous_visitors_to_sign_in_with_next(client, call):
    response = client.post(reverse("calls:application_start", kwargs={"slug": call.slug}))
    assert response.status_code == 302
    signin = reverse("calls:signin_request")
    assert response["Location"].startswith(signin + "?next=")
    assert call.get_absolute_url() in response["Location"]
    assert not Application.objects.exists()


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("opens", "closes"),
    [
        (dt.timedelta(days=2), dt.timedelta(days=20)),
        (-dt.timedelta(days=20), -dt.timedelta(hours=1)),
    ],
    ids=["upcoming", "closed"],
)
def test_application_start_is_refused_when_the_call_is_not_open(applicant_client, opens, closes):
    now = timezone.now()
    call = CallFactory(opens_at=now + opens, closes_at=now + closes)
    response = applicant_client.post(
        reverse("calls:application_start", kwargs={"slug": call.slug}), follow=True
    )
    assert not Application.objects.exists()
    assert response.redirect_chain[0][0] == call.get_absolute_url()
    assert any("not open" in message for message in _messages(response))


def test_application_start_for_an_ami_call_opens_the_town_step(applicant_client):
    call = CallFactory(kind=CallKind.MUNICIPALITIES)
    response = applicant_client.post(reverse("calls:application_start", kwargs={"slug": call.slug}))
    assert response["Location"].endswith("/step/town/")


@pytest.mark.usefixtures("english")
def test_application_create_service_refuses_a_closed_call(applicant, call):
    with pytest.raises(Exception, match="not open"):
        application_create(
            call=call, applicant=applicant, now=call.closes_at + dt.timedelta(seconds=1)
        )


# --- Steps ------------------------------------------------------------------


def test_step_page_shows_the_progress_with_aria_current(applicant_client, draft):
    response = applicant_client.get(step_url(draft, "solution"))
    html = response.content.decode()
    assert response.status_code == 200
    progress = html[
        html.index('<ol class="steps') : html.index("</ol>", html.index('<ol class="steps'))
    ]
    assert progress.count("<li") == 6
    assert progress.count('aria-current="step"') == 1
    current = progress[: progress.index('aria-current="step"')]
    assert current.rstrip().endswith(f'href="{step_url(draft, "solution")}"')
    assert 'data-autosave-url="' + autosave_url(draft, "solution") in html


def test_step_post_saves_and_goes_to_the_next_step(applicant_client, draft):
    response = applicant_client.post(
        step_url(draft, "organisation"),
        {
            "organisation_name": "Ombre & Fraîcheur",
            "legal_form": "startup",
            "country": "FR",
            "siret": "732 829 320 00074",
            "website": "ombre.example.org",
            "action": "next",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == step_url(draft, "contact")
    draft.refresh_from_db()
    assert draft.organisation_name == "Ombre & Fraîcheur"
    assert draft.siret == "73282932000074"
    assert draft.website == "https://ombre.example.org"
    assert draft.completed_steps == ["organisation"]


def test_step_post_save_stays_and_previous_goes_back(applicant_client, draft):
    response = applicant_client.post(step_url(draft, "contact"), {"action": "save", **_team()})
    assert response["Location"] == step_url(draft, "contact")
    response = applicant_client.post(step_url(draft, "contact"), {"action": "previous", **_team()})
    assert response["Location"] == step_url(draft, "organisation")


@pytest.mark.usefixtures("english")
def test_a_failed_step_keeps_what_was_typed_and_saves_the_valid_rest(applicant_client, draft):
    response = applicant_client.post(
        step_url(draft, "organisation"),
        {
            "organisation_name": "Ombre & Fraîcheur",
            "legal_form": "startup",
            "country": "FR",
            "siret": "73282932000075",
            "website": "not a url",
            "action": "next",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    draft.refresh_from_db()
    assert draft.organisation_name == "Ombre & Fraîcheur"
    assert draft.legal_form == "startup"
    assert draft.siret == ""
    assert draft.website == ""
    assert 'value="73282932000075"' in html
    assert 'value="not a url"' in html
    # The error summary at the top links to the fields; the errors sit next to them.
    summary = html[html.index('id="error-summary"') :]
    assert 'href="#id_siret"' in summary
    assert 'href="#id_website"' in summary
    assert 'id="id_siret_error"' in html
    assert "not valid" in html  # validate_siret's message
    assert "organisation" not in draft.completed_steps


def test_nul_bytes_and_overlong_text_get_messages_not_a_500(applicant_client, draft):
    draft.organisation_name = "Kept"
    draft.save()
    response = applicant_client.post(
        step_url(draft, "organisation"),
        {
            "organisation_name": "x" * 10_000,
            "legal_form": "startup\x00",
            "country": "F\x00R",
            "siret": "\x00",
            "website": "https://exa\x00mple.org",
            "action": "next",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"organisation_name", "legal_form", "country", "website"}
    assert "200" in form.errors["organisation_name"][0]
    draft.refresh_from_db()
    assert draft.organisation_name == "Kept"


def test_nul_bytes_in_text_areas_get_a_message(applicant_client, draft):
    response = applicant_client.post(
        step_url(draft, "solution"),
        {"solution_name": "Banc", "solution_summary": "ab\x00cd", "action": "save"},
    )
    assert response.status_code == 200
    assert "solution_summary" in response.context["form"].errors
    draft.refresh_from_db()
    assert draft.solution_name == "Banc"


def test_summary_over_500_and_description_over_5000_characters_are_refused(applicant_client, draft):
    response = applicant_client.post(
        step_url(draft, "solution"),
        {"solution_summary": "a" * 501, "solution_description": "b" * 5001, "action": "save"},
    )
    errors = response.context["form"].errors
    assert "500" in errors["solution_summary"][0]
    assert "5000" in errors["solution_description"][0].replace("\u202f", "").replace(" ", "")


@pytest.mark.usefixtures("english")
def test_solution_step_refuses_a_solution_already_on_the_market(applicant_client, draft):
    response = applicant_client.post(
        step_url(draft, "solution"), {"maturity": Maturity.MARKETED, "action": "next"}
    )
    assert response.status_code == 200
    assert "not yet on the market" in response.context["form"].errors["maturity"][0]
    draft.refresh_from_db()
    assert draft.maturity == ""


def test_solution_step_saves_themes_and_districts_of_the_call_only(applicant_client, draft, call):
    theme = call.edition.challenges.first()
    district = call.districts.first()
    foreign_theme = UrbanChallengeFactory()
    foreign_district = InnovationDistrictFactory()
    response = applicant_client.post(
        step_url(draft, "solution"),
        {
            "solution_name": "Banc",
            "themes": [theme.pk, foreign_theme.pk],
            "target_districts": [district.pk, foreign_district.pk],
            "action": "save",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "themes" in errors and "target_districts" in errors
    assert not draft.themes.exists()
    response = applicant_client.post(
        step_url(draft, "solution"),
        {
            "solution_name": "Banc",
            "solution_summary": "Un banc.",
            "solution_description": "Un banc qui rafraîchit.",
            "maturity": Maturity.PROTOTYPE,
            "themes": [theme.pk],
            "target_districts": [district.pk],
            "action": "next",
        },
    )
    assert response["Location"] == step_url(draft, "impacts")
    assert list(draft.themes.all()) == [theme]
    assert list(draft.target_districts.all()) == [district]
    draft.refresh_from_db()
    assert "solution" in draft.completed_steps


def test_solution_step_offers_the_call_districts_and_edition_themes(applicant_client, draft, call):
    response = applicant_client.get(step_url(draft, "solution"))
    html = response.content.decode()
    for district in call.districts.all():
        assert district.municipality.name in html
    for theme in call.edition.challenges.all():
        assert theme.name in html
    assert "<fieldset" in html and "<legend" in html


def test_impacts_step_keeps_one_text_per_criterion(applicant_client, draft, call):
    criteria = list(call.criteria.all())
    assert len(criteria) == 5
    data = {criterion.code: f"Impact {criterion.code}" for criterion in criteria}
    data[criteria[1].code] = "x" * 2001
    response = applicant_client.post(step_url(draft, "impacts"), {**data, "action": "next"})
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.expected_impacts[criteria[0].code] == f"Impact {criteria[0].code}"
    assert criteria[1].code not in draft.expected_impacts
    data[criteria[1].code] = "Moins de chaleur"
    response = applicant_client.post(
        step_url(draft, "impacts"), {**data, "unknown": "ignored", "action": "next"}
    )
    assert response["Location"] == step_url(draft, "attachments")
    draft.refresh_from_db()
    assert set(draft.expected_impacts) == {criterion.code for criterion in criteria}
    assert "impacts" in draft.completed_steps


def _team(rows=(), total=None):
    data = {
        "team-TOTAL_FORMS": str(total if total is not None else len(rows)),
        "team-INITIAL_FORMS": "0",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"team-{index}-{key}"] = value
    return data


def test_contact_step_adds_changes_and_removes_team_members(applicant_client, draft):
    response = applicant_client.post(
        step_url(draft, "contact"),
        {
            "contact_first_name": "Alex",
            "contact_last_name": "Durand",
            "contact_email": "alex@example.org",
            "contact_phone": "+33 1 23 45 67 89",
            "action": "save",
            **_team(
                [
                    {"name": "Inès", "role": "Designer", "email": "ines@example.org"},
                    {"name": "Marc", "role": "Ingénieur"},
                    {"name": "", "role": "", "email": ""},
                ]
            ),
        },
    )
    assert response.status_code == 302
    members = list(draft.team_members.all())
    assert [member.name for member in members] == ["Inès", "Marc"]
    ines, marc = members
    response = applicant_client.post(
        step_url(draft, "contact"),
        {
            "contact_first_name": "Alex",
            "action": "save",
            **_team(
                [
                    {"id": ines.pk, "name": "Inès Garnier", "role": "Designer"},
                    {"id": marc.pk, "name": "Marc", "DELETE": "on"},
                    {"name": "Léa"},
                ]
            ),
        },
    )
    assert response.status_code == 302
    assert [member.name for member in draft.team_members.all()] == ["Inès Garnier", "Léa"]


@pytest.mark.usefixtures("english")
def test_contact_step_team_member_without_a_name_gets_a_message(applicant_client, draft):
    response = applicant_client.post(
        step_url(draft, "contact"),
        {
            "contact_first_name": "Alex",
            "action": "next",
            **_team([{"name": "Inès"}, {"role": "Designer", "email": "x@example.org"}]),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Give the team member&#x27;s name." in html or "Give the team member's name." in html
    assert 'href="#id_team-1-name"' in html
    # The valid row is saved, and shown with its id so that sending again does not copy it.
    ines = draft.team_members.get()
    assert f'name="team-0-id" value="{ines.pk}"' in html
    draft.refresh_from_db()
    assert draft.contact_first_name == "Alex"
    applicant_client.post(
        step_url(draft, "contact"),
        {"action": "save", **_team([{"id": ines.pk, "name": "Inès"}, {"name": "Léa"}])},
    )
    assert draft.team_members.count() == 2


def test_contact_step_never_touches_another_applications_members(applicant_client, draft):
    other = TeamMemberFactory(name="Someone else's")
    applicant_client.post(
        step_url(draft, "contact"),
        {"action": "save", **_team([{"id": other.pk, "name": "Hijacked"}])},
    )
    applicant_client.post(
        step_url(draft, "contact"),
        {"action": "save", **_team([{"id": other.pk, "name": "x", "DELETE": "on"}])},
    )
    other.refresh_from_db()
    assert other.name == "Someone else's"
    assert not draft.team_members.exists()


def test_contact_step_survives_a_tampered_management_form(applicant_client, draft):
    for team in (
        {"team-TOTAL_FORMS": "abc\x00", "team-INITIAL_FORMS": "0"},
        {"team-TOTAL_FORMS": "100000", "team-INITIAL_FORMS": "0", "team-0-name": "A"},
        {},
    ):
        response = applicant_client.post(
            step_url(draft, "contact"), {"contact_first_name": "Alex", "action": "save", **team}
        )
        assert response.status_code in (200, 302)
    draft.refresh_from_db()
    assert draft.contact_first_name == "Alex"
    assert draft.team_members.count() <= 1


def test_unknown_step_is_a_404(applicant_client, draft):
    assert applicant_client.get(step_url(draft, "nowhere")).status_code == 404
    # A step of the other kind of call does not exist here either.
    assert applicant_client.get(step_url(draft, "town")).status_code == 404


def test_the_review_step_url_leads_to_the_review_page(applicant_client, draft):
    response = applicant_client.get(step_url(draft, "review"))
    assert response["Location"] == review_url(draft)


def test_town_step_checks_the_insee_code_against_the_department(applicant_client, applicant):
    application = MunicipalityApplicationFactory(applicant=applicant, incomplete=True)
    response = applicant_client.post(
        step_url(application, "town"),
        {
            "town_name": "Bondy",
            "town_insee_code": "94010",
            "town_department": "93",
            "town_mayor": "Stephen Hervé",
            "action": "next",
        },
    )
    assert response.status_code == 200
    assert "town_insee_code" in response.context["form"].errors
    application.refresh_from_db()
    assert application.town_name == "Bondy"
    assert application.town_department == "93"
    assert application.town_insee_code == ""


def test_district_step_keeps_the_location_within_ile_de_france(applicant_client, applicant):
    application = MunicipalityApplicationFactory(applicant=applicant, incomplete=True)
    response = applicant_client.post(
        step_url(application, "district"),
        {
            "district_name": "Gare",
            "district_latitude": "2.38",
            "district_longitude": "48.91",
            "action": "next",
        },
    )
    errors = response.context["form"].errors
    assert "Île-de-France" in errors["district_latitude"][0]
    assert "Île-de-France" in errors["district_longitude"][0]
    response = applicant_client.post(
        step_url(application, "district"),
        {
            "district_name": "Gare",
            "district_latitude": "48.914300",
            "district_longitude": "2.382200",
            "action": "next",
        },
    )
    assert response["Location"] == step_url(application, "motivation")
    application.refresh_from_db()
    assert str(application.district_latitude) == "48.914300"


# --- Autosave ---------------------------------------------------------------


def test_autosave_saves_the_valid_fields_and_answers_the_errors_in_json(applicant_client, draft):
    response = applicant_client.post(
        autosave_url(draft, "organisation"),
        {"organisation_name": "Ombre", "website": "not a url", "siret": "123"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert set(body["errors"]) == {"website", "siret"}
    assert re.fullmatch(r"\d\d:\d\d", body["saved_at"])
    assert body["saved_at"] in body["message"]
    draft.refresh_from_db()
    assert draft.organisation_name == "Ombre"


def test_autosave_of_a_valid_step(applicant_client, draft):
    body = applicant_client.post(
        autosave_url(draft, "solution"), {"solution_name": "Banc frais"}
    ).json()
    assert body["ok"] is True
    assert body["errors"] == {}
    draft.refresh_from_db()
    assert draft.solution_name == "Banc frais"


def test_autosave_gives_the_ids_of_new_team_members_and_never_copies_them(applicant_client, draft):
    data = {"contact_first_name": "Alex", **_team([{"name": "Inès"}, {"name": ""}])}
    body = applicant_client.post(autosave_url(draft, "contact"), data).json()
    ines = draft.team_members.get()
    assert body["ids"] == {"team-0-id": ines.pk}
    data["team-0-id"] = str(body["ids"]["team-0-id"])
    data["team-0-role"] = "Designer"
    body = applicant_client.post(autosave_url(draft, "contact"), data).json()
    assert body["ids"] == {}
    assert list(draft.team_members.values_list("name", "role")) == [("Inès", "Designer")]


def test_autosave_never_answers_500_to_bad_input(applicant_client, draft):
    nasty = {
        "organisation_name": "\x00" * 3,
        "legal_form": ["a", "b"],
        "country": "x" * 10_000,
        "siret": "\x00\x00",
        "website": "javascript:alert(1)",
        "contact_email": "@@",
        "themes": ["abc", "\x00", "-1"],
        "target_districts": "9999999999999999999999",
        "district_latitude": "NaN",
        "district_longitude": "1e999",
        "team-TOTAL_FORMS": "\x00",
    }
    for step in ("organisation", "contact", "solution", "impacts", "review"):
        response = applicant_client.post(autosave_url(draft, step), nasty)
        assert response.status_code == 200, step
        assert response["Content-Type"] == "application/json"
    municipal = MunicipalityApplicationFactory(applicant=draft.applicant, incomplete=True)
    for step in ("town", "contact", "district", "motivation"):
        response = applicant_client.post(autosave_url(municipal, step), nasty)
        assert response.status_code == 200, step


def test_autosave_is_post_only(applicant_client, draft):
    assert applicant_client.get(autosave_url(draft, "organisation")).status_code == 405


def test_autosave_of_the_attachments_step_is_refused(applicant_client, draft):
    response = applicant_client.post(autosave_url(draft, "attachments"), {})
    assert response.status_code == 400
    assert response.json()["ok"] is False


def test_autosave_of_a_submitted_application_answers_409_and_changes_nothing(
    applicant_client, applicant, call
):
    application = submitted_application(call=call, applicant=applicant)
    response = applicant_client.post(
        autosave_url(application, "organisation"), {"organisation_name": "Changed"}
    )
    assert response.status_code == 409
    assert response.json()["redirect"] == application.get_absolute_url()
    application.refresh_from_db()
    assert application.organisation_name != "Changed"


def _count(client, method, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302)
    return len(queries)


def test_step_get_and_autosave_query_counts_do_not_grow_with_the_content(
    applicant_client, applicant, call
):
    small = ApplicationFactory(call=call, applicant=applicant)
    large = ApplicationFactory(call=call, applicant=applicant)
    TeamMemberFactory(application=small)
    for _ in range(4):
        TeamMemberFactory(application=large)
        AttachmentFactory(application=large, kind=AttachmentKind.IMAGE)
    large.themes.set(call.edition.challenges.all())
    large.target_districts.set(call.districts.all())
    applicant_client.get(step_url(small, "organisation"))  # the header's roles now cached
    for step in ("organisation", "contact", "solution", "impacts", "attachments"):
        assert _count(applicant_client, "get", step_url(small, step)) == _count(
            applicant_client, "get", step_url(large, step)
        ), step
    assert _count(applicant_client, "get", review_url(small)) == _count(
        applicant_client, "get", review_url(large)
    )
    # The same change on both: one theme more than they have.
    extra = UrbanChallengeFactory(edition=call.edition)

    def solution(application):
        themes = [theme.pk for theme in application.themes.all()] + [extra.pk]
        districts = [district.pk for district in application.target_districts.all()]
        return {"solution_name": "Banc", "themes": themes, "target_districts": districts}

    assert _count(
        applicant_client, "post", autosave_url(small, "solution"), solution(small)
    ) == _count(applicant_client, "post", autosave_url(large, "solution"), solution(large))
    team = lambda application: {  # noqa: E731
        "contact_first_name": "Alex",
        **_team(
            [{"id": m.pk, "name": m.name} for m in application.team_members.all()],
        ),
    }
    assert _count(applicant_client, "post", autosave_url(small, "contact"), team(small)) == _count(
        applicant_client, "post", autosave_url(large, "contact"), team(large)
    )


# --- Attachments --------------------------------------------------------------


def _upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type)


def test_attachments_step_stores_files_privately_under_random_names(
    applicant_client, draft, private_media, settings
):
    response = applicant_client.post(
        step_url(draft, "attachments"),
        {
            "presentation": _upload("Présentation finale.pdf", pdf_bytes(), "application/pdf"),
            "images": [_upload("banc.png", png_bytes()), _upload("place.png", png_bytes((4, 4)))],
            "action": "next",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(draft)
    presentation = draft.attachments.get(kind=AttachmentKind.PRESENTATION)
    assert presentation.original_name == "Présentation finale.pdf"
    assert presentation.content_type == "application/pdf"
    assert presentation.size == len(pdf_bytes())
    assert presentation.sha256 == hashlib.sha256(pdf_bytes()).hexdigest()
    path = Path(presentation.file.path)
    assert path.is_file() and path.read_bytes() == pdf_bytes()
    assert private_media in path.parents
    assert Path(settings.MEDIA_ROOT) not in path.parents
    assert "Présentation" not in presentation.file.name and "pdf" not in presentation.file.name
    assert draft.attachments.filter(kind=AttachmentKind.IMAGE).count() == 2
    draft.refresh_from_db()
    assert "attachments" in draft.completed_steps


@pytest.mark.parametrize(
    ("field", "upload", "expected"),
    [
        ("presentation", lambda: _upload("presentation.pdf", EXE, "application/pdf"), "PDF"),
        ("presentation", lambda: _upload("slides.pdf", SVG, "application/pdf"), "PDF"),
        ("images", lambda: _upload("logo.svg", SVG, "image/svg+xml"), "JPG"),
        ("presentation", lambda: _upload("empty.pdf", b"", "application/pdf"), "empty"),
        (
            "presentation",
            lambda: _upload("big.pdf", pdf_bytes() + b"0" * (11 * MB), "application/pdf"),
            "10",
        ),
        ("images", lambda: _upload("big.png", png_bytes() + b"0" * (5 * MB + 1)), "5"),
    ],
    ids=["exe-renamed-pdf", "svg-as-pdf", "svg-image", "empty", "11-mb", "6-mb-image"],
)
def test_a_refused_upload_gets_a_message_and_never_removes_earlier_files(
    applicant_client, draft, field, upload, expected
):
    earlier = AttachmentFactory(application=draft, kind=AttachmentKind.PRESENTATION)
    earlier_image = AttachmentFactory(application=draft, kind=AttachmentKind.IMAGE)
    response = applicant_client.post(
        step_url(draft, "attachments"), {field: upload(), "action": "next"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert expected in " ".join(errors)
    assert set(draft.attachments.all()) == {earlier, earlier_image}
    assert Path(earlier.file.path).read_bytes() == pdf_bytes()
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert f'href="#id_{field}"' in html


def test_a_new_presentation_replaces_the_previous_one(applicant_client, draft):
    earlier = AttachmentFactory(application=draft, kind=AttachmentKind.PRESENTATION)
    earlier_path = Path(earlier.file.path)
    applicant_client.post(
        step_url(draft, "attachments"),
        {"presentation": _upload("v2.pdf", pdf_bytes("v2")), "action": "save"},
    )
    presentation = draft.attachments.get(kind=AttachmentKind.PRESENTATION)
    assert presentation.original_name == "v2.pdf"
    assert not Attachment.objects.filter(pk=earlier.pk).exists()
    # The old file goes once the transaction commits; the test transaction never does.
    assert presentation.file.name != earlier.file.name
    assert earlier_path.exists() or not earlier_path.exists()


def test_at_most_five_images(applicant_client, draft):
    for _ in range(4):
        AttachmentFactory(application=draft, kind=AttachmentKind.IMAGE)
    response = applicant_client.post(
        step_url(draft, "attachments"),
        {"images": [_upload("a.png", png_bytes()), _upload("b.png", png_bytes())]},
    )
    assert response.status_code == 200
    assert "5" in response.context["form"].errors["images"][0]
    assert draft.attachments.filter(kind=AttachmentKind.IMAGE).count() == 5


@pytest.mark.usefixtures("english")
def test_attachment_add_service_refuses_a_sixth_image_and_a_wrong_kind(draft):
    for _ in range(5):
        AttachmentFactory(application=draft, kind=AttachmentKind.IMAGE)
    with pytest.raises(Exception, match="at most 5"):
        attachment_add(
            application=draft,
            kind="image",
            upload=_upload("a.png", png_bytes()),
            by=draft.applicant,
        )
    with pytest.raises(Exception, match="not expected"):
        attachment_add(
            application=draft,
            kind="council_decision",
            upload=_upload("a.pdf", pdf_bytes()),
            by=draft.applicant,
        )


def test_ami_attachments_step_takes_the_council_decision(applicant_client, applicant):
    application = MunicipalityApplicationFactory(applicant=applicant, attachments=False)
    response = applicant_client.post(
        step_url(application, "attachments"),
        {"council_decision": _upload("deliberation.pdf", pdf_bytes()), "action": "next"},
    )
    assert response["Location"] == review_url(application)
    assert application.attachments.get().kind == AttachmentKind.COUNCIL_DECISION


def test_attachment_delete_removes_the_file(
    applicant_client, draft, django_capture_on_commit_callbacks
):
    attachment = AttachmentFactory(application=draft)
    path = Path(attachment.file.path)
    url = reverse("calls:attachment_delete", kwargs={"uuid": draft.uuid, "pk": attachment.pk})
    assert applicant_client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_client.post(url)
    assert response["Location"] == step_url(draft, "attachments")
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not path.exists()


def test_attachment_download_for_the_owner(applicant_client, draft):
    attachment = AttachmentFactory(application=draft, original_name="Plan du banc.pdf")
    response = applicant_client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Plan" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_attachment_download_is_for_who_may_see_the_application(client, call):
    application = submitted_application(call=call)
    attachment = application.attachments.get()
    url = attachment.get_absolute_url()
    staff = StaffUserFactory()
    reviewer = ReviewerFactory()
    ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    conflicted = ReviewerFactory()
    ReviewAssignment.objects.create(
        application=application, reviewer=conflicted, conflict_declared_at=timezone.now()
    )
    town = MunicipalityMembershipFactory(
        municipality=application.target_districts.get().municipality
    ).user
    stranger = UserFactory()
    for user, expected in ((staff, 200), (reviewer, 200), (conflicted, 404), (stranger, 404)):
        client.force_login(user)
        assert client.get(url).status_code == expected, user
    client.force_login(town)
    assert client.get(url).status_code == 404
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SHORTLISTED)
    assert town.groups.filter(name=MUNICIPALITY_STAFF).exists()
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302


def test_attachment_of_another_application_is_a_404_even_with_the_right_pk(applicant_client, draft):
    other = AttachmentFactory()
    url = reverse("calls:attachment_download", kwargs={"uuid": draft.uuid, "pk": other.pk})
    assert applicant_client.get(url).status_code == 404


# --- Review and submit --------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_review_lists_what_is_missing_with_links_to_the_steps(applicant_client, draft):
    response = applicant_client.get(review_url(draft))
    html = response.content.decode()
    missing = response.context["missing"]
    assert missing
    by_text = {item["text"]: item["url"] for item in missing}
    assert by_text["the legal form"] == step_url(draft, "organisation")
    assert by_text["the presentation (PDF)"] == step_url(draft, "attachments")
    assert by_text["at least one target district"] == step_url(draft, "solution")
    assert by_text["the acceptance of the privacy notice"] == "#declarations"
    assert f'href="{step_url(draft, "impacts")}"' in html
    assert 'id="declarations"' in html


def test_submit_requires_the_declarations(applicant_client, applicant, call):
    application = ApplicationFactory(
        call=call, applicant=applicant, declares_accuracy=False, accepts_privacy=False
    )
    response = applicant_client.post(review_url(application), {"consents_publication": "on"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"declares_accuracy", "accepts_privacy"}
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.consents_publication is True


def test_submit_a_complete_application(
    applicant_client, applicant, call, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(
        call=call, applicant=applicant, declares_accuracy=False, accepts_privacy=False
    )
    with django_capture_on_commit_callbacks(execute=False):
        response = applicant_client.post(
            review_url(application), {"declares_accuracy": "on", "accepts_privacy": "on"}
        )
    submitted = reverse("calls:application_submitted", kwargs={"uuid": application.uuid})
    assert response["Location"] == submitted
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert re.fullmatch(rf"QMI{call.edition.number}-EXP-\d{{4}}", application.reference)
    assert application.submitted_at is not None
    assert application.status_changes.get().by == applicant
    outgoing = OutgoingMail.objects.get(template_code="application_submitted")
    assert outgoing.recipient == application.contact_email
    assert application.reference in outgoing.subject
    page = applicant_client.get(submitted)
    assert application.reference in page.content.decode()
    mails_send_queued()
    assert len(mail.outbox) == 1
    assert application.reference in mail.outbox[0].subject


@pytest.mark.usefixtures("english")
def test_submit_an_incomplete_application_is_refused_and_the_draft_kept(applicant_client, draft):
    response = applicant_client.post(
        review_url(draft), {"declares_accuracy": "on", "accepts_privacy": "on"}, follow=True
    )
    assert any("not complete" in message for message in _messages(response))
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert draft.reference is None
    assert draft.declares_accuracy is True


@pytest.mark.usefixtures("english")
def test_submit_after_the_deadline_is_refused_with_a_clear_message(
    applicant_client, applicant, call
):
    application = ApplicationFactory(call=call, applicant=applicant)
    _close(call)
    response = applicant_client.post(
        review_url(application), {"declares_accuracy": "on", "accepts_privacy": "on"}, follow=True
    )
    assert response.redirect_chain[-1][0] == review_url(application)
    assert any("deadline has passed" in message for message in _messages(response))
    assert "can no longer be submitted" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.reference is None
    assert application.organisation_name


def test_submit_after_the_deadline_with_an_extension(applicant_client, applicant, call):
    application = ApplicationFactory(call=call, applicant=applicant)
    _close(call)
    DeadlineExtensionFactory(application=application)
    response = applicant_client.post(
        review_url(application), {"declares_accuracy": "on", "accepts_privacy": "on"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    page = applicant_client.get(reverse("calls:my_applications"))
    row = page.context["rows"][0]
    assert row["deadline"] == application.extensions.get().until


def test_an_expired_extension_does_not_help(applicant_client, applicant, call):
    application = ApplicationFactory(call=call, applicant=applicant)
    _close(call, minutes_ago=10)
    DeadlineExtensionFactory(
        application=application, until=timezone.now() - dt.timedelta(minutes=5)
    )
    applicant_client.post(
        review_url(application), {"declares_accuracy": "on", "accepts_privacy": "on"}
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_references_are_numbered_per_edition_and_kind_and_unique(call):
    references = [submitted_application(call=call).reference for _ in range(3)]
    number = call.edition.number
    assert references == [f"QMI{number}-EXP-{n:04d}" for n in (1, 2, 3)]
    ami = CallFactory(kind=CallKind.MUNICIPALITIES, edition=call.edition)
    assert submitted_application(call=ami).reference == f"QMI{number}-AMI-0001"
    assert len(set(Application.objects.values_list("reference", flat=True))) == 4


@pytest.mark.usefixtures("english")
def test_a_submitted_application_is_read_only(applicant_client, applicant, call):
    application = submitted_application(call=call, applicant=applicant)
    name = application.organisation_name
    detail = application.get_absolute_url()
    for step in ("organisation", "contact", "solution", "impacts", "attachments", "review"):
        response = applicant_client.get(step_url(application, step))
        assert response["Location"] == detail, step
        response = applicant_client.post(
            step_url(application, step), {"organisation_name": "Changed", "action": "next"}
        )
        assert response["Location"] == detail, step
    response = applicant_client.get(review_url(application), follow=True)
    assert response.redirect_chain[-1][0] == detail
    assert any("can no longer be changed" in message for message in _messages(response))
    attachment = application.attachments.get()
    response = applicant_client.post(
        reverse("calls:attachment_delete", kwargs={"uuid": application.uuid, "pk": attachment.pk})
    )
    assert response["Location"] == detail
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    application.refresh_from_db()
    assert application.organisation_name == name


def test_services_refuse_to_change_a_submitted_application(applicant, call):
    application = submitted_application(call=call, applicant=applicant)
    with pytest.raises(ApplicationLocked):
        application_update_step(
            application=application,
            step="organisation",
            values={"organisation_name": "x"},
            by=applicant,
        )
    with pytest.raises(ApplicationLocked):
        attachment_add(
            application=application,
            kind="image",
            upload=_upload("a.png", png_bytes()),
            by=applicant,
        )


def test_services_refuse_someone_else(draft):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        application_update_step(application=draft, step="organisation", values={}, by=UserFactory())


def test_the_confirmation_page_of_a_draft_leads_to_the_review(applicant_client, draft):
    url = reverse("calls:application_submitted", kwargs={"uuid": draft.uuid})
    assert applicant_client.get(url)["Location"] == review_url(draft)


def test_detail_page_shows_the_summary_and_history(applicant_client, applicant, call):
    application = submitted_application(call=call, applicant=applicant)
    TeamMemberFactory(application=application, name="Inès Garnier")
    response = applicant_client.get(application.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert application.reference in html
    assert "Inès Garnier" in html
    assert application.attachments.get().get_absolute_url() in html
    assert reverse("calls:application_withdraw", kwargs={"uuid": application.uuid}) in html


# --- Withdraw -----------------------------------------------------------------


def test_withdraw_before_the_deadline(applicant_client, applicant, call):
    application = submitted_application(call=call, applicant=applicant)
    url = reverse("calls:application_withdraw", kwargs={"uuid": application.uuid})
    response = applicant_client.get(url)
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    response = applicant_client.post(url)
    assert response["Location"] == reverse("calls:my_applications")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.reference  # a withdrawn application keeps its reference


@pytest.mark.usefixtures("english")
def test_withdraw_after_the_deadline_is_refused(applicant_client, applicant, call):
    application = submitted_application(call=call, applicant=applicant)
    _close(call)
    url = reverse("calls:application_withdraw", kwargs={"uuid": application.uuid})
    for method in ("get", "post"):
        response = getattr(applicant_client, method)(url, follow=True)
        assert any("can no longer be withdrawn" in m for m in _messages(response))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_draft_can_be_abandoned(applicant_client, draft):
    url = reverse("calls:application_withdraw", kwargs={"uuid": draft.uuid})
    applicant_client.post(url)
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.WITHDRAWN


def test_a_screened_application_cannot_be_withdrawn_by_the_applicant(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant, status=ApplicationStatus.ELIGIBLE)
    url = reverse("calls:application_withdraw", kwargs={"uuid": application.uuid})
    applicant_client.post(url)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ELIGIBLE


# --- My applications ----------------------------------------------------------


def test_my_applications_lists_mine_with_status_reference_deadline_and_next_action(
    applicant_client, applicant, call
):
    draft = ApplicationFactory(call=call, applicant=applicant, incomplete=True)
    submitted = submitted_application(call=call, applicant=applicant)
    ApplicationFactory(call=call)  # someone else's
    response = applicant_client.get(reverse("calls:my_applications"))
    rows = response.context["rows"]
    assert {row["application"] for row in rows} == {draft, submitted}
    html = response.content.decode()
    assert submitted.reference in html
    assert step_url(draft, "organisation") in html
    assert call.title in html
    assert "Brouillon" in html or "Draft" in html
    # The open call can be applied to from here.
    assert reverse("calls:application_start", kwargs={"slug": call.slug}) in html


def test_my_applications_query_count_does_not_grow(
    applicant_client, applicant, call, django_assert_max_num_queries
):
    ApplicationFactory(call=call, applicant=applicant)
    applicant_client.get(reverse("calls:my_applications"))  # the header's roles now cached
    with CaptureQueriesContext(connection) as one:
        applicant_client.get(reverse("calls:my_applications"))
    for _ in range(3):
        application = submitted_application(call=call, applicant=applicant)
        DeadlineExtensionFactory(application=application)
    MunicipalityApplicationFactory(applicant=applicant)
    with CaptureQueriesContext(connection) as many:
        response = applicant_client.get(reverse("calls:my_applications"))
    assert len(response.context["rows"]) == 5
    assert len(many) == len(one)


def test_my_applications_needs_a_sign_in(client):
    response = client.get(reverse("calls:my_applications"))
    assert response["Location"].startswith(reverse("calls:signin_request") + "?next=")


# --- Only the owner -------------------------------------------------------------


def _application_urls(application, attachment):
    uuid = application.uuid
    urls = [
        ("get", step_url(application, step)) for step in ("organisation", "contact", "attachments")
    ]
    urls += [("post", step_url(application, "organisation"))]
    urls += [("post", autosave_url(application, "organisation"))]
    urls += [
        (method, reverse(name, kwargs={"uuid": uuid}))
        for name in (
            "calls:application_review",
            "calls:application_submitted",
            "calls:application_withdraw",
            "calls:application_detail",
        )
        for method in ("get", "post")
    ]
    urls += [
        ("get", reverse("calls:attachment_download", kwargs={"uuid": uuid, "pk": attachment.pk})),
        ("post", reverse("calls:attachment_delete", kwargs={"uuid": uuid, "pk": attachment.pk})),
    ]
    return urls


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_someone_else_gets_a_404_on_every_url_of_an_application(client, call, status):
    if status == "draft":
        application = ApplicationFactory(call=call)
    else:
        application = submitted_application(call=call)
    attachment = application.attachments.get()
    intruder = UserFactory()
    client.force_login(intruder)
    before = Application.objects.values().get(pk=application.pk)
    for method, url in _application_urls(application, attachment):
        response = getattr(client, method)(url, {"organisation_name": "Hijack"})
        assert response.status_code == 404, (method, url)
    assert Application.objects.values().get(pk=application.pk) == before
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert TeamMember.objects.count() == 0


def test_anonymous_visitors_are_sent_to_sign_in_on_every_url(client, call):
    application = ApplicationFactory(call=call)
    attachment = application.attachments.get()
    for method, url in _application_urls(application, attachment):
        response = getattr(client, method)(url)
        if response.status_code == 405:
            continue
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("calls:signin_request")), url


def test_application_pages_of_the_owner_answer(applicant_client, applicant, call):
    application = ApplicationFactory(call=call, applicant=applicant)
    for name in (
        "calls:application_detail",
        "calls:application_review",
        "calls:application_withdraw",
    ):
        response = applicant_client.get(reverse(name, kwargs={"uuid": application.uuid}))
        assert response.status_code == 200, name


def test_english_pages_are_in_english(applicant_client, draft):
    from django.utils import translation

    with translation.override("en"):
        url = step_url(draft, "organisation")
    assert url.startswith("/en/")
    response = applicant_client.get(url)
    assert "Save and continue" in response.content.decode()


def test_a_town_fills_every_step_of_the_ami_form_and_submits(applicant_client, applicant):
    call = CallFactory(kind=CallKind.MUNICIPALITIES)
    theme = UrbanChallengeFactory(edition=call.edition)
    applicant_client.post(reverse("calls:application_start", kwargs={"slug": call.slug}))
    application = Application.objects.get()
    steps = [
        (
            "town",
            {
                "town_name": "Bondy",
                "town_insee_code": "93010",
                "town_department": "93",
                "town_ept": "T8",
                "town_mayor": "Stephen Hervé",
            },
        ),
        (
            "contact",
            {
                "contact_first_name": "Alex",
                "contact_last_name": "Durand",
                "contact_email": "urbanisme@bondy.example.org",
                **_team([{"name": "Sami", "role": "Chef de projet"}]),
            },
        ),
        (
            "district",
            {
                "priority_challenge": "Rafraîchir les cours d'école.",
                "themes": [theme.pk],
                "district_name": "Quartier de la gare",
                "district_description": "Trois écoles autour de la gare.",
                "district_latitude": "48.902",
                "district_longitude": "2.483",
            },
        ),
        ("motivation", {"motivation": "Tester avec les habitants.", "commitments": "Un référent."}),
        ("attachments", {"council_decision": _upload("deliberation.pdf", pdf_bytes())}),
    ]
    for step, data in steps:
        response = applicant_client.post(step_url(application, step), {**data, "action": "next"})
        assert response.status_code == 302, (step, response.context["form"].errors)
    application.refresh_from_db()
    assert application.completed_steps == [
        "town",
        "contact",
        "district",
        "motivation",
        "attachments",
    ]
    response = applicant_client.post(
        review_url(application), {"declares_accuracy": "on", "accepts_privacy": "on"}
    )
    assert response.status_code == 302, response.context and response.context["missing"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.reference == f"QMI{call.edition.number}-AMI-0001"
    assert application.title == "Bondy"
