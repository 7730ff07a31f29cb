"""Pages of the calls in French and English with constant query counts: the public
pages, and the applicant's step pages and autosave (the benchmark's form rows)."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from calls.enums import CallKind, CallState, Maturity
from municipalities.enums import Department
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    EditionFactory,
    InnovationDistrictFactory,
    MunicipalityApplicationFactory,
    MunicipalityFactory,
    UrbanChallengeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
LANGUAGES = ["fr", "en"]
ROWS = [1, 3]

CALL_LIST_QUERIES = 1  # calls with their editions
CALL_DETAIL_QUERIES = 6  # call, criteria, key dates, districts, their themes, challenges


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _calls_in_every_state(rows):
    now = timezone.now()
    edition = EditionFactory()
    for _ in range(rows):
        CallFactory(edition=edition, districts=[InnovationDistrictFactory(edition=edition)])
        CallFactory(
            edition=edition,
            opens_at=now + dt.timedelta(days=10),
            closes_at=now + dt.timedelta(days=40),
        )
        CallFactory(
            edition=edition,
            opens_at=now - dt.timedelta(days=60),
            closes_at=now - dt.timedelta(days=30),
        )


@pytest.fixture
def experimenters_call():
    """The edition-2 call for experimenters, phase 1, with two districts; still open."""
    edition = EditionFactory(number=2, name_fr="Édition 2", name_en="Edition 2")
    UrbanChallengeFactory(
        edition=edition, name_fr="Sport en ville", name_en="Sport in the city", order=1
    )
    UrbanChallengeFactory(
        edition=edition,
        name_fr="Économie circulaire",
        name_en="Circular economy",
        order=2,
    )
    districts = [
        InnovationDistrictFactory(
            edition=edition,
            municipality=MunicipalityFactory(
                name="Athis-Mons",
                slug="athis-mons",
                insee_code="91027",
                department=Department.ESSONNE,
            ),
            name_fr="Entrée de ville d'Athis-Mons",
            name_en="Athis-Mons town entrance",
            priority_challenge_fr="Développer un pôle sport et santé.",
            priority_challenge_en="Develop a sports and health hub.",
        ),
        InnovationDistrictFactory(
            edition=edition,
            municipality=MunicipalityFactory(
                name="Fontenay-sous-Bois",
                slug="fontenay-sous-bois",
                insee_code="94033",
                department=Department.VAL_DE_MARNE,
            ),
            priority_challenge_fr="Renforcer la mixité du quartier.",
            priority_challenge_en="Strengthen the mix of the district.",
        ),
    ]
    now = timezone.now()
    return CallFactory(
        edition=edition,
        kind=CallKind.EXPERIMENTERS,
        phase=1,
        slug="qmi2-experimenters-phase-1",
        title_fr="Appel à expérimentateurs – Édition 2, phase 1",
        title_en="Call for experimenters – Edition 2, phase 1",
        summary_fr="Proposez une solution au stade de prototype.",
        summary_en="Propose a prototype-stage solution.",
        opens_at=now - dt.timedelta(days=3),
        closes_at=now + dt.timedelta(days=20),
        districts=districts,
    )


# List.


@pytest.mark.parametrize(
    ("language", "titles"),
    [
        ("fr", ["Appel ouvert", "Appel à venir", "Appel clos"]),
        ("en", ["Open call", "Upcoming call", "Closed call"]),
    ],
)
def test_call_list_groups_calls_by_state_in_language(client, language, titles):
    now = timezone.now()
    edition = EditionFactory()
    CallFactory(edition=edition, title_fr="Appel ouvert", title_en="Open call")
    CallFactory(
        edition=edition,
        title_fr="Appel à venir",
        title_en="Upcoming call",
        opens_at=now + dt.timedelta(days=10),
        closes_at=now + dt.timedelta(days=40),
    )
    CallFactory(
        edition=edition,
        title_fr="Appel clos",
        title_en="Closed call",
        opens_at=now - dt.timedelta(days=60),
        closes_at=now - dt.timedelta(days=30),
    )

    response = client.get(f"/{language}/calls/")

    html = _html(response)
    groups = {state: [call.title for call in calls] for state, calls in response.context["groups"]}
    assert groups == {
        CallState.OPEN: [titles[0]],
        CallState.UPCOMING: [titles[1]],
        CallState.CLOSED: [titles[2]],
    }
    # Open calls come first on the page, closed ones last.
    assert html.index(titles[0]) < html.index(titles[1]) < html.index(titles[2])


def test_call_list_fictional_call_flagged(client):
    CallFactory(title_en="Demo call", is_fictional=True)

    html = _html(client.get("/en/calls/"))

    assert "Demo call" in html
    assert "Fictional (demo)" in html


def test_call_list_without_calls_answers(client):
    assert client.get("/fr/calls/").status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("rows", ROWS)
def test_call_list_query_count_constant(client, django_assert_num_queries, language, rows):
    _calls_in_every_state(rows)

    with django_assert_num_queries(CALL_LIST_QUERIES):
        _html(client.get(f"/{language}/calls/"))


# Detail.


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        (
            "fr",
            [
                "Appel à expérimentateurs – Édition 2, phase 1",
                "Proposez une solution au stade de prototype.",
                "Développer un pôle sport et santé.",
                "Renforcer la mixité du quartier.",
                "Sport en ville",
                "Économie circulaire",
                "Édition 2",
            ],
            ["Develop a sports and health hub.", "Propose a prototype-stage solution."],
        ),
        (
            "en",
            [
                "Call for experimenters – Edition 2, phase 1",
                "Propose a prototype-stage solution.",
                "Develop a sports and health hub.",
                "Strengthen the mix of the district.",
                "Athis-Mons town entrance",
                "Sport in the city",
                "Circular economy",
                "Edition 2",
            ],
            ["Développer un pôle sport et santé.", "Proposez une solution au stade de prototype."],
        ),
    ],
)
def test_call_detail_shows_call_districts_and_themes_in_language(
    client, experimenters_call, language, shown, hidden
):
    html = _html(client.get(f"/{language}/calls/qmi2-experimenters-phase-1/"))

    assert f'<html lang="{language}">' in html
    assert "Athis-Mons" in html
    assert "Fontenay-sous-Bois" in html
    assert f'href="/{language}/municipalities/athis-mons/#district-' in html
    assert f'href="/{language}/editions/2/"' in html
    for text in shown:
        assert text in html
    for text in hidden:
        assert text not in html


def test_call_detail_state_from_the_clock(client, experimenters_call):
    response = client.get("/en/calls/qmi2-experimenters-phase-1/")

    assert response.context["state"] == CallState.OPEN
    assert '<span class="badge state-open">Open</span>' in _html(response)


def test_call_detail_closed_call_shows_closed(client):
    CallFactory(
        slug="qmi1-experimenters",
        opens_at=dt.datetime(2023, 3, 9, tzinfo=PARIS),
        closes_at=dt.datetime(2023, 4, 9, 23, 59, tzinfo=PARIS),
    )

    response = client.get("/en/calls/qmi1-experimenters/")

    assert response.context["state"] == CallState.CLOSED
    assert "Closed" in _html(response)


@pytest.mark.parametrize(
    ("language", "opens", "closes"),
    [
        ("fr", "23 octobre 2023 00:00", "12 janvier 2024 23:59"),
        ("en", "Oct. 23, 2023, midnight", "Jan. 12, 2024, 11:59 p.m."),
    ],
)
def test_call_detail_dates_in_paris_time(client, language, opens, closes):
    CallFactory(
        slug="qmi2-municipalities",
        kind=CallKind.MUNICIPALITIES,
        opens_at=dt.datetime(2023, 10, 23, 0, 0, tzinfo=PARIS),
        closes_at=dt.datetime(2024, 1, 12, 23, 59, tzinfo=PARIS),
    )

    html = _html(client.get(f"/{language}/calls/qmi2-municipalities/"))

    assert opens in html
    assert closes in html


def test_call_detail_without_districts_answers(client):
    CallFactory(slug="qmi3-municipalities", kind=CallKind.MUNICIPALITIES)

    response = client.get("/fr/calls/qmi3-municipalities/")

    assert response.status_code == 200
    assert 'id="call-districts"' not in response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_call_detail_unknown_slug_not_found(client, language):
    CallFactory(slug="qmi2-municipalities")

    assert client.get(f"/{language}/calls/nowhere/").status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("rows", ROWS)
def test_call_detail_query_count_constant(client, django_assert_num_queries, language, rows):
    edition = EditionFactory()
    themes = UrbanChallengeFactory.create_batch(rows, edition=edition)
    districts = InnovationDistrictFactory.create_batch(rows, edition=edition, themes=themes)
    CallFactory(edition=edition, slug="qmi-call", districts=districts)

    with django_assert_num_queries(CALL_DETAIL_QUERIES):
        html = _html(client.get(f"/{language}/calls/qmi-call/"))

    assert html.count("/#district-") == rows


# --- The applicant's step pages ----------------------------------------------------

# User (the session is cached), application with its call, then the step's
# own reads, then the roles of the header (templates/base.html).
STEP_QUERIES = {
    "organisation": 3,
    "contact": 4,  # team members
    "solution": 4,  # challenges and districts, with whether each is selected: one query
    "impacts": 4,  # the call's criteria
    "town": 3,
    "district": 4,  # challenges
}
# User; then one transaction (savepoint): the application read with its row locked, the
# step's reads, the update, release.
AUTOSAVE_QUERIES = {"organisation": 5, "solution": 6}


@pytest.fixture
def applicant_client(client):
    user = UserFactory()
    client.force_login(user)
    client.applicant = user
    return client


def _draft_with(applicant, rows, factory=ApplicationFactory):
    """A draft whose call has ``rows`` districts and challenges, all of them selected."""
    edition = EditionFactory()
    themes = UrbanChallengeFactory.create_batch(rows, edition=edition)
    districts = InnovationDistrictFactory.create_batch(rows, edition=edition)
    kind = CallKind.MUNICIPALITIES if factory is MunicipalityApplicationFactory else None
    call = CallFactory(edition=edition, districts=districts, **({"kind": kind} if kind else {}))
    extra = {} if factory is MunicipalityApplicationFactory else {"target_districts": districts}
    return factory(call=call, applicant=applicant, themes=themes, **extra)


def _step(application, step, language="fr"):
    with translation.override(language):
        return reverse("calls:application_step", kwargs={"uuid": application.uuid, "step": step})


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize(
    ("step", "factory"),
    [
        ("organisation", ApplicationFactory),
        ("contact", ApplicationFactory),
        ("solution", ApplicationFactory),
        ("impacts", ApplicationFactory),
        ("town", MunicipalityApplicationFactory),
        ("district", MunicipalityApplicationFactory),
    ],
)
def test_step_page_query_count_constant(
    applicant_client, django_assert_num_queries, language, rows, step, factory
):
    application = _draft_with(applicant_client.applicant, rows, factory)

    with django_assert_num_queries(STEP_QUERIES[step]):
        html = _html(applicant_client.get(_step(application, step, language)))

    assert 'id="step-form"' in html
    if step in ("solution", "district"):
        assert len(_checked(html, "themes")) == rows
    if step == "solution":
        assert len(_checked(html, "target_districts")) == rows


def _checked(html, name):
    return [
        tag
        for tag in re.findall(r"<input [^>]*>", html)
        if f'name="{name}"' in tag and " checked" in tag
    ]


@pytest.mark.parametrize("rows", ROWS)
def test_solution_autosave_query_count_constant(applicant_client, django_assert_num_queries, rows):
    application = _draft_with(applicant_client.applicant, rows)
    data = {
        "solution_name": "Banc frais",
        "themes": [theme.pk for theme in application.themes.all()],
        "target_districts": [district.pk for district in application.target_districts.all()],
    }

    with django_assert_num_queries(AUTOSAVE_QUERIES["solution"]):
        response = applicant_client.post(_step(application, "solution") + "autosave/", data)

    assert response.json()["ok"] is True
    application.refresh_from_db()
    assert application.solution_name == "Banc frais"
    assert application.themes.count() == rows


def test_organisation_autosave_query_count(applicant_client, django_assert_num_queries):
    application = _draft_with(applicant_client.applicant, 1)

    with django_assert_num_queries(AUTOSAVE_QUERIES["organisation"]):
        response = applicant_client.post(
            _step(application, "organisation") + "autosave/", {"organisation_name": "Ombre"}
        )

    assert response.json() == {
        "ok": True,
        "saved_at": response.json()["saved_at"],
        "message": response.json()["message"],
        "errors": {},
        "ids": {},
        "completed": response.json()["completed"],
    }


def test_autosave_leaves_an_unchanged_selection_alone(applicant_client):
    application = _draft_with(applicant_client.applicant, 2)
    themes = [theme.pk for theme in application.themes.all()]
    districts = [district.pk for district in application.target_districts.all()]
    url = _step(application, "solution") + "autosave/"

    with CaptureQueriesContext(connection) as same:
        applicant_client.post(url, {"themes": themes, "target_districts": districts})
    with CaptureQueriesContext(connection) as fewer:
        applicant_client.post(url, {"themes": themes[:1], "target_districts": districts})

    writes = [
        q["sql"] for q in same.captured_queries if "INSERT" in q["sql"] or "DELETE" in q["sql"]
    ]
    assert writes == []
    assert any('DELETE FROM "calls_application_themes"' in q["sql"] for q in fewer.captured_queries)
    assert list(application.themes.values_list("pk", flat=True)) == themes[:1]
    assert application.target_districts.count() == 2


@pytest.mark.usefixtures("english")
def test_solution_step_refuses_other_choices_with_the_usual_messages(applicant_client):
    application = _draft_with(applicant_client.applicant, 1)
    foreign = UrbanChallengeFactory()

    body = applicant_client.post(
        _step(application, "solution", "en") + "autosave/",
        {"themes": [foreign.pk], "target_districts": ["abc"]},
    ).json()

    assert body["ok"] is False
    assert body["errors"]["themes"] == [
        f"Select a valid choice. {foreign.pk} is not one of the available choices."
    ]
    assert body["errors"]["target_districts"] == ["“abc” is not a valid value."]
    assert application.themes.count() == 1


def test_solution_step_choices_in_the_page_language(applicant_client):
    edition = EditionFactory()
    UrbanChallengeFactory(edition=edition, name_fr="Chaleur", name_en="Heat", order=2)
    UrbanChallengeFactory(edition=edition, name_fr="Sport en ville", name_en="", order=1)
    bondy = InnovationDistrictFactory(
        edition=edition,
        municipality=MunicipalityFactory(name="Bondy"),
        name_fr="Centre",
        name_en="Centre-town",
    )
    aubervilliers = InnovationDistrictFactory(
        edition=edition,
        municipality=MunicipalityFactory(name="Aubervilliers"),
        name_fr="Nord",
        name_en="",
    )
    call = CallFactory(edition=edition, districts=[bondy, aubervilliers])
    application = ApplicationFactory(
        call=call, applicant=applicant_client.applicant, incomplete=True
    )

    french = _html(applicant_client.get(_step(application, "solution", "fr")))
    english = _html(applicant_client.get(_step(application, "solution", "en")))

    def labels(html):
        return re.findall(r'class="form-check-label">([^<]*)</label>', html)

    maturities = len(Maturity.choices)
    assert labels(french)[maturities:] == [
        "Sport en ville",
        "Chaleur",
        "Aubervilliers – Nord",
        "Bondy – Centre",
    ]
    assert labels(english)[maturities:] == [
        "Sport en ville",
        "Heat",
        "Aubervilliers – Nord",
        "Bondy – Centre-town",
    ]


@pytest.mark.usefixtures("english")
def test_step_errors_are_announced_next_to_their_fields(applicant_client):
    application = _draft_with(applicant_client.applicant, 1)

    html = _html(
        applicant_client.post(
            _step(application, "solution", "en"),
            {"maturity": Maturity.MARKETED, "site_needs": "x" * 3001, "action": "save"},
        )
    )

    assert '<fieldset aria-describedby="id_maturity_helptext id_maturity_error">' in html
    assert (
        '<div id="id_maturity_error" class="invalid-feedback"><p id="error_1_id_maturity">' in html
    )
    site_needs = re.search(r"<textarea name=\"site_needs\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in site_needs
    assert 'aria-describedby="id_site_needs_helptext id_site_needs_error"' in site_needs
    assert 'class="textarea form-control is-invalid"' in site_needs
    assert '<label for="id_site_needs" class="form-label">' in html
    assert 'id="id_site_needs_helptext" class="form-text"' in html
    summary = html[
        html.index('id="error-summary"') : html.index("</ul>", html.index('id="error-summary"'))
    ]
    assert 'href="#id_maturity_0"' in summary and 'href="#id_site_needs"' in summary


# A step reads only its own fields (calls.flow.step_reads): one that it forgot would
# be loaded on its own, one query each, which the counts above catch for the pages
# and this catches for every step, page and autosave, in both languages.
STEP_AUTOSAVES = {
    "organisation": {"organisation_name": "Ombre", "country": "FR", "siret": "123"},
    "contact": {"contact_first_name": "Inès", "contact_phone": "01 23"},
    "solution": {"solution_name": "Banc frais", "maturity": "prototype"},
    "impacts": {"utility": "Plus de fraîcheur"},
    "town": {"town_name": "Bondy"},
    "district": {"district_name": "Centre", "district_latitude": "48.9"},
    "motivation": {"motivation": "Parce que."},
}


@pytest.mark.parametrize(
    ("step", "factory"),
    [
        ("organisation", ApplicationFactory),
        ("contact", ApplicationFactory),
        ("solution", ApplicationFactory),
        ("impacts", ApplicationFactory),
        ("attachments", ApplicationFactory),
        ("town", MunicipalityApplicationFactory),
        ("contact", MunicipalityApplicationFactory),
        ("district", MunicipalityApplicationFactory),
        ("motivation", MunicipalityApplicationFactory),
        ("attachments", MunicipalityApplicationFactory),
    ],
)
def test_a_step_never_loads_a_field_of_the_application_on_its_own(
    applicant_client, monkeypatch, step, factory
):
    from django.db.models import Model

    loads = []
    refresh = Model.refresh_from_db

    def recording(self, using=None, fields=None, **kwargs):
        if fields is not None:
            loads.append((type(self).__name__, tuple(fields)))
        return refresh(self, using=using, fields=fields, **kwargs)

    monkeypatch.setattr(Model, "refresh_from_db", recording)
    application = _draft_with(applicant_client.applicant, 2, factory)

    for language in LANGUAGES:
        response = applicant_client.get(_step(application, step, language))
        assert response.status_code == 200
        if step in STEP_AUTOSAVES:
            response = applicant_client.post(
                _step(application, step, language) + "autosave/", STEP_AUTOSAVES[step]
            )
            assert response.status_code == 200, response.content

    assert loads == []
