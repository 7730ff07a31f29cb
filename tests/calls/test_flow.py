"""The steps of the two application forms."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from calls.enums import CallKind, LegalForm, Maturity
from calls.flow import EXPERIMENTER_FLOW, MUNICIPALITY_FLOW, flow_for
from calls.services.completeness import application_missing
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MunicipalityApplicationFactory,
    TeamMemberFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    yield settings.PRIVATE_MEDIA_ROOT


def _ids(flow, application):
    return [step.identifier for step in flow.applicable(application)]


def test_flow_for_experimenters_has_its_steps_in_order():
    application = ApplicationFactory()
    assert flow_for(application) is EXPERIMENTER_FLOW
    assert _ids(EXPERIMENTER_FLOW, application) == [
        "organisation",
        "contact",
        "solution",
        "impacts",
        "attachments",
        "review",
    ]


def test_flow_for_municipalities_has_its_steps_in_order():
    application = MunicipalityApplicationFactory()
    assert flow_for(application) is MUNICIPALITY_FLOW
    assert _ids(MUNICIPALITY_FLOW, application) == [
        "town",
        "contact",
        "district",
        "motivation",
        "attachments",
        "review",
    ]


def test_flow_navigation_first_next_previous():
    application = ApplicationFactory()
    flow = flow_for(application)
    first = flow.first(application)
    assert first.identifier == "organisation"
    assert flow.previous(application, first) is None
    assert flow.next(application, first).identifier == "contact"
    review = flow.get(application, "review")
    assert flow.next(application, review) is None
    assert flow.get(application, "town") is None


def test_complete_applications_have_every_step_completed():
    for application in (ApplicationFactory(), MunicipalityApplicationFactory()):
        flow = flow_for(application)
        assert flow.completed_identifiers(application) == _ids(flow, application)


def test_incomplete_application_has_no_step_completed():
    application = ApplicationFactory(incomplete=True)
    assert EXPERIMENTER_FLOW.completed_identifiers(application) == []


@pytest.mark.parametrize(
    ("country", "legal_form", "siret", "completed"),
    [
        ("FR", LegalForm.STARTUP, "", False),
        ("FR", LegalForm.STARTUP, "73282932000074", True),
        ("FR", LegalForm.CITIZEN, "", True),
        ("FR", LegalForm.DESIGNER, "", True),
        ("BE", LegalForm.STARTUP, "", True),
    ],
)
def test_organisation_step_needs_a_siret_in_france_when_the_legal_form_has_one(
    country, legal_form, siret, completed
):
    application = ApplicationFactory(country=country, legal_form=legal_form, siret=siret)
    step = EXPERIMENTER_FLOW.get(application, "organisation")
    assert step.is_completed(application) is completed


def test_solution_step_is_not_completed_for_a_marketed_solution_or_without_themes():
    application = ApplicationFactory(maturity=Maturity.MARKETED)
    step = EXPERIMENTER_FLOW.get(application, "solution")
    assert not step.is_completed(application)
    application = ApplicationFactory(themes=[])
    assert not step.is_completed(application)
    application = ApplicationFactory(target_districts=[])
    assert not step.is_completed(application)


def test_impacts_step_needs_a_text_for_each_criterion():
    application = ApplicationFactory()
    step = EXPERIMENTER_FLOW.get(application, "impacts")
    assert step.is_completed(application)
    code = application.call.criteria.first().code
    application.expected_impacts[code] = "   "
    assert not step.is_completed(application)


def test_attachment_steps_need_their_pdf():
    application = ApplicationFactory(attachments=False)
    assert not EXPERIMENTER_FLOW.get(application, "attachments").is_completed(application)
    municipal = MunicipalityApplicationFactory(attachments=False)
    assert not MUNICIPALITY_FLOW.get(municipal, "attachments").is_completed(municipal)


def test_review_step_needs_the_two_declarations():
    application = ApplicationFactory(accepts_privacy=False)
    assert not EXPERIMENTER_FLOW.get(application, "review").is_completed(application)


def test_progress_reads_completed_steps_without_query(django_assert_num_queries):
    application = ApplicationFactory(incomplete=True)
    application.completed_steps = ["organisation", "solution"]
    current = EXPERIMENTER_FLOW.get(application, "contact")
    with django_assert_num_queries(0):
        progress = EXPERIMENTER_FLOW.progress(application, current)
    assert [item["completed"] for item in progress] == [True, False, True, False, False, False]
    assert [item["current"] for item in progress] == [False, True, False, False, False, False]
    assert [item["number"] for item in progress] == [1, 2, 3, 4, 5, 6]
    assert progress[-1]["url"].endswith(f"/applications/{application.uuid}/review/")


@pytest.mark.parametrize("factory", [ApplicationFactory, MunicipalityApplicationFactory])
def test_every_missing_item_is_mapped_to_a_step(factory):
    """The review page links each missing item to its step."""
    application = (
        factory(incomplete=True, maturity=Maturity.MARKETED)
        if (factory is ApplicationFactory)
        else factory(incomplete=True)
    )
    if factory is ApplicationFactory:
        application.country, application.legal_form = "FR", LegalForm.SME
        application.save()
    flow = flow_for(application)
    texts = {
        text for step in flow.applicable(application) for text in step.missing_texts(application)
    }
    missing = application_missing(application)
    assert missing
    assert [text for text in missing if text not in texts] == []


def test_summary_has_every_step_with_team_impacts_and_files():
    call = CallFactory()
    application = ApplicationFactory(call=call, organisation_name="Ombre & Fraîcheur")
    TeamMemberFactory(application=application, name="Inès Garnier", role="Designer")
    sections = EXPERIMENTER_FLOW.summary(application)
    assert [section["step"].identifier for section in sections] == _ids(
        EXPERIMENTER_FLOW, application
    )
    html = render_to_string(
        "calls/applications/_summary.html",
        {"application": application},
        request=RequestFactory().get("/"),
    )
    assert "Ombre &amp; Fraîcheur" in html
    assert "Inès Garnier" in html
    assert application.themes.get().name in html
    assert application.target_districts.get().municipality.name in html
    for criterion in call.criteria.all():
        assert criterion.name in html
        assert application.expected_impacts[criterion.code] in html
    attachment = application.attachments.get()
    assert attachment.get_absolute_url() in html
    assert "<h2" in html


def test_summary_of_a_municipality_application():
    application = MunicipalityApplicationFactory(town_name="Bondy")
    html = render_to_string(
        "calls/applications/_summary.html",
        {"application": application, "summary_heading_level": 3},
    )
    assert "Bondy" in html
    assert application.district_name in html
    assert "<h3" in html and "<h2" not in html
    assert application.attachments.get().get_absolute_url() in html


def test_municipality_call_kind_is_what_picks_the_flow():
    call = CallFactory(kind=CallKind.MUNICIPALITIES)
    application = MunicipalityApplicationFactory(call=call)
    assert flow_for(application).first(application).identifier == "town"
