"""Public pages of the programme in French and English, and the municipality staff's page.

Query counts are asserted with 1 and 3 rows: a page whose count grows with the
data has an N+1 somewhere.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from municipalities.enums import Department, Ept
from tests.factories import (
    CallFactory,
    EditionFactory,
    InnovationDistrictFactory,
    MunicipalityFactory,
    MunicipalityMembershipFactory,
    PartnerFactory,
    StaffUserFactory,
    UrbanChallengeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["fr", "en"]
ROWS = [1, 3]

# Queries per page, whatever the number of rows.
HOME_QUERIES = 10  # 5 figures, calls, editions, municipalities + their districts, events
EDITION_LIST_QUERIES = 1
EDITION_DETAIL_QUERIES = 6  # edition, districts + themes, challenges, calls, figures
MUNICIPALITY_LIST_QUERIES = 2  # municipalities + their districts
MUNICIPALITY_DETAIL_QUERIES = 3  # municipality, districts + themes
PARTNER_LIST_QUERIES = 1
LEGAL_QUERIES = 0
# User (the session is cached), the header's role checks (staff, reviewer, membership), the page's
# staff checks (view and selector) and its districts.
MY_MUNICIPALITY_QUERIES = 5


def _programme(rows):
    """An edition with `rows` themes, host towns (each also in another edition), calls, partners."""
    now = timezone.now()
    edition = EditionFactory(number=1, name_fr="Édition 1", name_en="Edition 1")
    themes = UrbanChallengeFactory.create_batch(rows, edition=edition)
    for _ in range(rows):
        municipality = MunicipalityFactory()
        district = InnovationDistrictFactory(
            municipality=municipality, edition=edition, themes=themes
        )
        InnovationDistrictFactory(municipality=municipality, themes=themes)
        CallFactory(edition=edition, districts=[district])
        CallFactory(
            edition=edition,
            opens_at=now + dt.timedelta(days=3),
            closes_at=now + dt.timedelta(days=30),
        )
        CallFactory(
            edition=edition,
            opens_at=now - dt.timedelta(days=60),
            closes_at=now - dt.timedelta(days=30),
        )
        PartnerFactory()
    return edition


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def fontenay():
    """Fontenay-sous-Bois and its edition-2 district, with French and English texts."""
    edition = EditionFactory(number=2, name_fr="Édition 2", name_en="Edition 2")
    district = InnovationDistrictFactory(
        edition=edition,
        municipality__name="Fontenay-sous-Bois",
        municipality__slug="fontenay-sous-bois",
        municipality__insee_code="94033",
        municipality__department=Department.VAL_DE_MARNE,
        municipality__ept=Ept.PARIS_EST_MARNE_ET_BOIS,
        municipality__mayor="Jean-Philippe Gautrais",
        name_fr="Quartier Val-de-Fontenay",
        name_en="Val-de-Fontenay district",
        priority_challenge_fr="Renforcer la mixité du quartier.",
        priority_challenge_en="Strengthen the mix of the district.",
        description_fr="Un pôle tertiaire traversé par le RER A.",
        description_en="A business district crossed by the RER A.",
        surface_hectares=Decimal("12.5"),
        themes=[
            UrbanChallengeFactory(
                edition=edition,
                name_fr="Habitat et transformation des usages",
                name_en="Housing and changing uses",
            )
        ],
    )
    return district.municipality


# Home.


@pytest.mark.parametrize(
    ("language", "edition_name", "call_title"),
    [("fr", "Édition 2", "Appel aux expérimentateurs"), ("en", "Edition 2", "Call for testers")],
)
def test_home_shows_municipalities_editions_and_open_calls(
    client, fontenay, language, edition_name, call_title
):
    edition = fontenay.districts.get().edition
    CallFactory(edition=edition, title_fr="Appel aux expérimentateurs", title_en="Call for testers")
    now = timezone.now()
    CallFactory(
        edition=edition,
        title_fr="Appel clos",
        title_en="Closed call",
        opens_at=now - dt.timedelta(days=60),
        closes_at=now - dt.timedelta(days=30),
    )
    MunicipalityFactory(name="Bobigny")

    html = _html(client.get(f"/{language}/"))

    assert f'<html lang="{language}">' in html
    assert "Fontenay-sous-Bois" in html
    assert "Bobigny" not in html
    assert edition_name in html
    assert call_title in html
    assert "Appel clos" not in html
    assert "Closed call" not in html


def test_home_figures_counted_from_data(client, fontenay):
    PartnerFactory.create_batch(2)

    response = client.get("/fr/")

    assert response.context["figures"] == {
        "editions": 1,
        "municipalities": 1,
        "districts": 1,
        "challenges": 1,
        "partners": 2,
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("rows", ROWS)
def test_home_query_count_constant(client, django_assert_num_queries, language, rows):
    _programme(rows)

    with django_assert_num_queries(HOME_QUERIES):
        _html(client.get(f"/{language}/"))


def test_home_without_data_answers(client):
    assert client.get("/fr/").status_code == 200


# Editions.


@pytest.mark.parametrize(
    ("language", "name", "summary"),
    [
        ("fr", "Édition 1", "Première promotion."),
        ("en", "Edition 1", "First promotion."),
    ],
)
def test_edition_list_shows_editions_in_language(client, language, name, summary):
    EditionFactory(
        number=1,
        name_fr="Édition 1",
        name_en="Edition 1",
        summary_fr="Première promotion.",
        summary_en="First promotion.",
        start_year=2022,
        end_year=2024,
    )

    html = _html(client.get(f"/{language}/editions/"))

    assert name in html
    assert summary in html
    assert "2022–2024" in html
    assert f'href="/{language}/editions/1/"' in html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("rows", ROWS)
def test_edition_list_query_count_constant(client, django_assert_num_queries, language, rows):
    for edition in EditionFactory.create_batch(rows):
        InnovationDistrictFactory(edition=edition)
        UrbanChallengeFactory(edition=edition)

    with django_assert_num_queries(EDITION_LIST_QUERIES):
        _html(client.get(f"/{language}/editions/"))


@pytest.mark.parametrize(
    ("language", "district", "challenge", "theme"),
    [
        (
            "fr",
            "Quartier Val-de-Fontenay",
            "Renforcer la mixité du quartier.",
            "Habitat et transformation des usages",
        ),
        (
            "en",
            "Val-de-Fontenay district",
            "Strengthen the mix of the district.",
            "Housing and changing uses",
        ),
    ],
)
def test_edition_detail_shows_districts_themes_and_calls(
    client, fontenay, language, district, challenge, theme
):
    edition = fontenay.districts.get().edition
    CallFactory(edition=edition, title_fr="Appel phase 1", title_en="Call phase 1")
    InnovationDistrictFactory(name_fr="Quartier d'une autre édition", municipality__name="Bondy")

    html = _html(client.get(f"/{language}/editions/2/"))

    assert "Fontenay-sous-Bois" in html
    assert district in html
    assert challenge in html
    assert theme in html
    assert {"fr": "Appel phase 1", "en": "Call phase 1"}[language] in html
    assert "Bondy" not in html
    assert f'href="/{language}/municipalities/fontenay-sous-bois/#district-' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_edition_detail_unknown_number_not_found(client, language):
    EditionFactory(number=1)

    assert client.get(f"/{language}/editions/99/").status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("rows", ROWS)
def test_edition_detail_query_count_constant(client, django_assert_num_queries, language, rows):
    _programme(rows)

    with django_assert_num_queries(EDITION_DETAIL_QUERIES):
        _html(client.get(f"/{language}/editions/1/"))


# Municipalities.


@pytest.mark.parametrize(
    ("language", "district"),
    [("fr", "Quartier Val-de-Fontenay"), ("en", "Val-de-Fontenay district")],
)
def test_municipality_list_shows_host_towns_only(client, fontenay, language, district):
    MunicipalityFactory(name="Bobigny")

    html = _html(client.get(f"/{language}/municipalities/"))

    assert "Fontenay-sous-Bois" in html
    assert district in html
    assert "Bobigny" not in html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("rows", ROWS)
def test_municipality_list_query_count_constant(client, django_assert_num_queries, language, rows):
    _programme(rows)

    with django_assert_num_queries(MUNICIPALITY_LIST_QUERIES):
        _html(client.get(f"/{language}/municipalities/"))


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        (
            "fr",
            [
                "Renforcer la mixité du quartier.",
                "Un pôle tertiaire traversé par le RER A.",
                "Édition 2",
            ],
            ["Strengthen the mix of the district.", "A business district crossed by the RER A."],
        ),
        (
            "en",
            [
                "Strengthen the mix of the district.",
                "A business district crossed by the RER A.",
                "Edition 2",
                "Housing and changing uses",
            ],
            ["Renforcer la mixité du quartier.", "Un pôle tertiaire traversé par le RER A."],
        ),
    ],
)
def test_municipality_detail_shows_district_in_language(client, fontenay, language, shown, hidden):
    html = _html(client.get(f"/{language}/municipalities/fontenay-sous-bois/"))

    assert "<h1>Fontenay-sous-Bois</h1>" in html
    assert "Jean-Philippe Gautrais" in html
    assert "94033" in html
    for text in shown:
        assert text in html
    for text in hidden:
        assert text not in html


def test_municipality_detail_map_data_has_district_point(client, fontenay):
    district = fontenay.districts.get()

    response = client.get("/fr/municipalities/fontenay-sous-bois/")

    assert response.context["map_data"]["districts"] == [
        {
            "id": district.pk,
            "name": "Quartier Val-de-Fontenay",
            "edition": "Édition 2",
            "lat": 48.9143,
            "lng": 2.3822,
            "outline": None,
        }
    ]
    assert 'id="district-map-data"' in response.content.decode()


def test_municipality_detail_english_falls_back_to_french(client):
    InnovationDistrictFactory(
        municipality__slug="bondy",
        priority_challenge_fr="Relier le quartier au centre.",
        priority_challenge_en="",
    )

    html = _html(client.get("/en/municipalities/bondy/"))

    assert "Relier le quartier au centre." in html


def test_municipality_detail_without_district_answers(client):
    MunicipalityFactory(slug="bobigny", name="Bobigny")

    html = _html(client.get("/fr/municipalities/bobigny/"))

    assert "Bobigny" in html
    assert 'id="district-map"' not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_municipality_detail_unknown_slug_not_found(client, language):
    MunicipalityFactory(slug="bobigny")

    assert client.get(f"/{language}/municipalities/nowhere/").status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("rows", ROWS)
def test_municipality_detail_query_count_constant(
    client, django_assert_num_queries, language, rows
):
    municipality = MunicipalityFactory(slug="fontenay-sous-bois")
    for number in range(1, rows + 1):
        edition = EditionFactory(number=number)
        InnovationDistrictFactory(
            municipality=municipality,
            edition=edition,
            themes=UrbanChallengeFactory.create_batch(rows, edition=edition),
        )

    with django_assert_num_queries(MUNICIPALITY_DETAIL_QUERIES):
        _html(client.get(f"/{language}/municipalities/fontenay-sous-bois/"))


# Partners and legal notice.


@pytest.mark.parametrize(
    ("language", "description"),
    [("fr", "Opère le programme."), ("en", "Runs the programme.")],
)
def test_partner_list_shows_partners_in_language(client, language, description):
    PartnerFactory(
        name="Paris&Co",
        website="https://www.parisandco.paris/",
        description_fr="Opère le programme.",
        description_en="Runs the programme.",
    )
    PartnerFactory(name="Enedis")

    html = _html(client.get(f"/{language}/partners/"))

    assert "Paris&amp;Co" in html
    assert 'href="https://www.parisandco.paris/"' in html
    assert "Enedis" in html
    assert description in html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("rows", ROWS)
def test_partner_list_query_count_constant(client, django_assert_num_queries, language, rows):
    _programme(rows)

    with django_assert_num_queries(PARTNER_LIST_QUERIES):
        _html(client.get(f"/{language}/partners/"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_legal_page_answers(client, language):
    html = _html(client.get(f"/{language}/legal/"))

    assert f'<html lang="{language}">' in html
    assert "inno-num@metropolegrandparis.fr" in html


def test_legal_page_in_english(client):
    html = _html(client.get("/en/legal/"))

    assert "Legal notice and privacy" in html
    assert "Personal data" in html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("rows", ROWS)
def test_legal_page_query_count_constant(client, django_assert_num_queries, language, rows):
    _programme(rows)

    with django_assert_num_queries(LEGAL_QUERIES):
        _html(client.get(f"/{language}/legal/"))


def test_unknown_page_not_found_in_site_layout(client):
    response = client.get("/fr/nowhere/")

    assert response.status_code == 404
    assert 'href="/fr/"' in response.content.decode()


def test_root_redirects_to_a_language(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] in ("/fr/", "/en/")


# Language switcher: plain links to the same page in the other language.


@pytest.mark.parametrize(
    ("origin", "target"),
    [
        ("/fr/municipalities/fontenay-sous-bois/", "/en/municipalities/fontenay-sous-bois/"),
        ("/fr/editions/2/", "/en/editions/2/"),
        ("/fr/", "/en/"),
    ],
)
def test_language_switcher_to_english_keeps_the_page(client, fontenay, origin, target):
    html = _html(client.get(origin))

    assert f'href="{target}" hreflang="en" lang="en"' in html
    assert '<html lang="en">' in _html(client.get(target))


def test_language_switcher_back_to_french_keeps_the_page(client, fontenay):
    html = _html(client.get("/en/municipalities/fontenay-sous-bois/"))

    assert 'href="/fr/municipalities/fontenay-sous-bois/" hreflang="fr" lang="fr"' in html


def test_language_switcher_marks_the_current_language(client, fontenay):
    html = _html(client.get("/fr/municipalities/fontenay-sous-bois/"))

    assert 'href="/fr/municipalities/fontenay-sous-bois/" hreflang="fr" lang="fr"' in html
    assert 'aria-current="true"' in html
    assert "csrfmiddlewaretoken" not in html


# The municipality staff's page.


def test_my_municipality_anonymous_redirected_to_login(client):
    response = client.get("/fr/my-municipality/")

    assert response.status_code == 302
    assert response["Location"] == "/fr/account/login/?next=/fr/my-municipality/"


def test_my_municipality_member_sees_only_own_districts(client, fontenay):
    membership = MunicipalityMembershipFactory(municipality=fontenay)
    InnovationDistrictFactory(name_fr="Quartier de la Gare de Bondy", municipality__name="Bondy")
    client.force_login(membership.user)

    response = client.get("/fr/my-municipality/")

    html = _html(response)
    assert "Quartier Val-de-Fontenay" in html
    assert "Quartier de la Gare de Bondy" not in html
    assert "Bondy" not in html
    assert [d.municipality for d in response.context["districts"]] == [fontenay]
    assert response.context["is_programme_staff"] is False


def test_my_municipality_staff_sees_every_district(client, fontenay):
    InnovationDistrictFactory(name_fr="Quartier de la Gare de Bondy", municipality__name="Bondy")
    client.force_login(StaffUserFactory())

    response = client.get("/fr/my-municipality/")

    html = _html(response)
    assert "Quartier Val-de-Fontenay" in html
    assert "Quartier de la Gare de Bondy" in html
    assert response.context["is_programme_staff"] is True
    assert 'href="/fr/admin/"' in html


def test_my_municipality_user_without_membership_told_not_linked(client, fontenay):
    client.force_login(UserFactory())

    html = _html(client.get("/fr/my-municipality/"))

    message = gettext(
        "Your account is not linked to any municipality yet. "
        "Ask the Paris&Co programme team to add you."
    )
    # {% translate %} does not escape its text.
    assert message in html
    assert "Fontenay-sous-Bois" not in html


def test_my_municipality_user_without_membership_told_not_linked_in_english(client, fontenay):
    client.force_login(UserFactory())

    html = _html(client.get("/en/my-municipality/"))

    assert "Your account is not linked to any municipality yet." in html


@pytest.mark.parametrize("rows", ROWS)
def test_my_municipality_query_count_constant(client, django_assert_num_queries, rows):
    membership = MunicipalityMembershipFactory()
    for _ in range(rows):
        InnovationDistrictFactory(municipality=membership.municipality)
        InnovationDistrictFactory()
    client.force_login(membership.user)

    with django_assert_num_queries(MY_MUNICIPALITY_QUERIES):
        html = _html(client.get("/fr/my-municipality/"))

    assert html.count("/#district-") == rows


# Signing in.


def test_login_wrong_password_shows_french_error(client):
    UserFactory(username="camille")

    response = client.post(
        "/fr/account/login/", {"username": "camille", "password": "wrong password"}
    )

    html = _html(response)
    assert response.context["form"].errors
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in html
    assert not response.wsgi_request.user.is_authenticated


def test_login_wrong_password_shows_english_error_on_english_page(client):
    UserFactory(username="camille")

    response = client.post(
        "/en/account/login/", {"username": "camille", "password": "wrong password"}
    )

    assert "Please enter a correct username and password" in _html(response)


def test_login_right_password_leads_to_my_municipality(client):
    UserFactory(username="camille")

    response = client.post(
        "/fr/account/login/", {"username": "camille", "password": "correct horse battery"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/fr/my-municipality/"


# Accessibility statement (RGAA).


@pytest.mark.django_db
def test_accessibility_statement_gives_status_and_remedies(client):
    html = _html(client.get("/fr/accessibility/"))

    assert "partiellement conforme" in html
    assert "23 novembre 2026" in html
    assert "RGAA 4.1" in html
    assert "Défenseur des droits" in html
    assert "mailto:inno-num@metropolegrandparis.fr" in html


@pytest.mark.django_db
def test_accessibility_statement_in_english(client):
    html = _html(client.get("/en/accessibility/"))

    assert "partially compliant" in html
    assert "Nov. 23, 2026" in html


@pytest.mark.django_db
def test_footer_links_to_accessibility_statement(client):
    html = _html(client.get("/fr/"))

    assert 'href="/fr/accessibility/"' in html
    assert "Accessibilité : partiellement conforme" in html
