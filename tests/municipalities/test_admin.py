"""The admin, as Paris&Co staff use it: a staff user with the group's permissions only.

A staff member who is not a superuser reaching every changelist also checks that
the roles migration gave the group the right permissions.
"""

import json

import pytest
from django.contrib.auth.models import Permission
from django.forms import MultiWidget
from django.utils.html import escape
from django.utils.translation import gettext

from municipalities.enums import Department, EditionStatus, Ept, MembershipRole, PartnerKind
from municipalities.models import InnovationDistrict, Municipality
from tests.factories import (
    EditionFactory,
    InnovationDistrictFactory,
    MunicipalityFactory,
    MunicipalityMembershipFactory,
    PartnerFactory,
    ReviewerFactory,
    UrbanChallengeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ADMIN = "/fr/admin/municipalities"
ROWS = [1, 3]

# User (the session is cached), user permissions, group permissions, then
# the page's own queries.
CHANGELIST_QUERIES = {
    "edition": 6,
    "urbanchallenge": 7,
    "municipality": 7,
    "innovationdistrict": 9,
    "partner": 6,
    "municipalitymembership": 7,
}

AUBERVILLIERS_RING = [
    [2.380, 48.913],
    [2.385, 48.913],
    [2.385, 48.916],
    [2.380, 48.916],
    [2.380, 48.913],
]


def _rows(rows):
    """`rows` of every programme model, each tied to the others as in real data."""
    for _ in range(rows):
        edition = EditionFactory()
        themes = UrbanChallengeFactory.create_batch(2, edition=edition)
        district = InnovationDistrictFactory(edition=edition, themes=themes)
        InnovationDistrictFactory(municipality=district.municipality, themes=themes[:1])
        MunicipalityMembershipFactory(municipality=district.municipality)
        PartnerFactory()


def _result_list(response):
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def _form_value(value):
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


def _change_form_data(client, url, **overrides):
    """What the admin's change form posts back when the user changes only `overrides`."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(field.widget, MultiWidget):
            # Split date and time, formatted as the French admin shows them.
            for index, part in enumerate(field.widget.decompress(value)):
                widget = field.widget.widgets[index]
                data[f"{name}_{index}"] = widget.format_value(part) or ""
        else:
            data[name] = _form_value(value)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    data.update(overrides)
    data["_save"] = "Enregistrer"
    return data


def _form_errors(response) -> dict:
    assert response.status_code == 200
    return response.context["adminform"].form.errors


# Changelists.


@pytest.mark.parametrize("model", list(CHANGELIST_QUERIES))
@pytest.mark.parametrize("rows", ROWS)
def test_changelist_query_count_constant(staff_client, django_assert_num_queries, model, rows):
    _rows(rows)

    with django_assert_num_queries(CHANGELIST_QUERIES[model]):
        response = staff_client.get(f"{ADMIN}/{model}/")

    assert response.status_code == 200
    assert response.context["cl"].result_count >= rows


def test_admin_index_lists_programme_models_for_staff(staff_client):
    response = staff_client.get("/fr/admin/")

    assert response.status_code == 200
    models = {
        model["object_name"]
        for app in response.context["app_list"]
        if app["app_label"] == "municipalities"
        for model in app["models"]
    }
    assert models == {
        "Edition",
        "UrbanChallenge",
        "Municipality",
        "InnovationDistrict",
        "Partner",
        "MunicipalityMembership",
    }


def test_edition_changelist_search_and_status_filter(staff_client):
    pilot = EditionFactory(name_fr="Édition pilote", name_en="Pilot edition")
    closed = EditionFactory(status=EditionStatus.CLOSED)
    InnovationDistrictFactory.create_batch(2, edition=pilot)

    assert _result_list(staff_client.get(f"{ADMIN}/edition/?q=pilote")) == {pilot}
    assert _result_list(staff_client.get(f"{ADMIN}/edition/?q=Pilot")) == {pilot}
    assert _result_list(staff_client.get(f"{ADMIN}/edition/?status__exact=closed")) == {closed}


def test_edition_changelist_shows_district_and_theme_counts(staff_client):
    edition = EditionFactory(name_fr="Édition pilote")
    InnovationDistrictFactory.create_batch(2, edition=edition)
    UrbanChallengeFactory.create_batch(3, edition=edition)

    response = staff_client.get(f"{ADMIN}/edition/")

    (row,) = response.context["cl"].result_list
    assert (row.district_count, row.challenge_count) == (2, 3)


def test_urbanchallenge_changelist_search_and_edition_filter(staff_client):
    mobility = UrbanChallengeFactory(code="mobility", name_fr="Flux, mobilités et logistique")
    other = UrbanChallengeFactory(code="sport")

    assert _result_list(staff_client.get(f"{ADMIN}/urbanchallenge/?q=mobility")) == {mobility}
    assert _result_list(staff_client.get(f"{ADMIN}/urbanchallenge/?q=logistique")) == {mobility}
    filtered = staff_client.get(f"{ADMIN}/urbanchallenge/?edition__id__exact={other.edition_id}")
    assert _result_list(filtered) == {other}


def test_municipality_changelist_search_and_filters(staff_client):
    fontenay = MunicipalityFactory(
        name="Fontenay-sous-Bois",
        insee_code="94033",
        department=Department.VAL_DE_MARNE,
        ept=Ept.PARIS_EST_MARNE_ET_BOIS,
    )
    district = InnovationDistrictFactory()
    other = district.municipality
    # Django shows (and applies) a related filter only when it offers two choices or more.
    InnovationDistrictFactory()
    url = f"{ADMIN}/municipality/"

    assert _result_list(staff_client.get(f"{ADMIN}/municipality/?q=94033")) == {fontenay}
    assert _result_list(staff_client.get(f"{ADMIN}/municipality/?q=fontenay")) == {fontenay}
    assert _result_list(staff_client.get(f"{ADMIN}/municipality/?department__exact=94")) == {
        fontenay
    }
    assert _result_list(staff_client.get(f"{ADMIN}/municipality/?ept__exact=T10")) == {fontenay}
    assert _result_list(
        staff_client.get(f"{url}?districts__edition__id__exact={district.edition_id}")
    ) == {other}


def test_innovationdistrict_changelist_search_and_filters(staff_client):
    theme = UrbanChallengeFactory()
    district = InnovationDistrictFactory(
        edition=theme.edition,
        themes=[theme],
        municipality__name="Fontenay-sous-Bois",
        municipality__insee_code="94033",
        municipality__department=Department.VAL_DE_MARNE,
        priority_challenge_fr="Renforcer la mixité du quartier.",
    )
    other = InnovationDistrictFactory()
    url = f"{ADMIN}/innovationdistrict/"

    assert _result_list(staff_client.get(f"{url}?q=Fontenay")) == {district}
    assert _result_list(staff_client.get(f"{url}?q=mixité")) == {district}
    assert _result_list(staff_client.get(f"{url}?q={other.name_fr}")) == {other}
    assert _result_list(staff_client.get(f"{url}?edition__id__exact={other.edition_id}")) == {other}
    assert _result_list(staff_client.get(f"{url}?municipality__department__exact=94")) == {district}
    assert _result_list(staff_client.get(f"{url}?themes__id__exact={theme.pk}")) == {district}


def test_partner_changelist_search_and_kind_filter(staff_client):
    enedis = PartnerFactory(name="Enedis")
    historic = PartnerFactory(name="Banque des Territoires", kind=PartnerKind.HISTORIC)

    assert _result_list(staff_client.get(f"{ADMIN}/partner/?q=enedis")) == {enedis}
    assert _result_list(staff_client.get(f"{ADMIN}/partner/?kind__exact=historic")) == {historic}


def test_membership_changelist_search_and_filters(staff_client):
    referent = MunicipalityMembershipFactory(user__username="camille", role=MembershipRole.REFERENT)
    officer = MunicipalityMembershipFactory()
    url = f"{ADMIN}/municipalitymembership/"

    assert _result_list(staff_client.get(f"{url}?q=camille@example.org")) == {referent}
    assert _result_list(staff_client.get(f"{url}?q={officer.municipality.name}")) == {officer}
    assert _result_list(staff_client.get(f"{url}?role__exact=referent")) == {referent}
    assert _result_list(
        staff_client.get(f"{url}?municipality__id__exact={officer.municipality_id}")
    ) == {officer}


@pytest.mark.parametrize(
    ("model", "field", "term", "expected"),
    [
        ("municipalitymembership", "user", "camille", "camille"),
        ("municipalitymembership", "municipality", "Auber", "Aubervilliers"),
        ("innovationdistrict", "municipality", "Auber", "Aubervilliers"),
        ("innovationdistrict", "themes", "Sport", "Sport en ville"),
        ("innovationdistrict", "edition", "pilote", "Édition pilote"),
    ],
)
def test_autocomplete_answers_staff(staff_client, model, field, term, expected):
    UserFactory(username="camille")
    MunicipalityFactory(name="Aubervilliers")
    UrbanChallengeFactory(name_fr="Sport en ville", edition__name_fr="Édition pilote")

    response = staff_client.get(
        "/fr/admin/autocomplete/",
        {"app_label": "municipalities", "model_name": model, "field_name": field, "term": term},
    )

    assert response.status_code == 200
    assert expected in [result["text"] for result in response.json()["results"]]


# Add and change forms.


@pytest.mark.parametrize("model", ["municipality", "innovationdistrict"])
def test_add_form_answers(staff_client, model):
    assert staff_client.get(f"{ADMIN}/{model}/add/").status_code == 200


def test_municipality_change_form_answers_with_its_districts(staff_client):
    district = InnovationDistrictFactory(name_fr="Quartier de la Gare")
    MunicipalityMembershipFactory(municipality=district.municipality)

    response = staff_client.get(f"{ADMIN}/municipality/{district.municipality_id}/change/")

    assert response.status_code == 200
    assert "Quartier de la Gare" in response.content.decode()


def test_district_change_form_answers(staff_client):
    district = InnovationDistrictFactory(themes=[UrbanChallengeFactory()])

    response = staff_client.get(f"{ADMIN}/innovationdistrict/{district.pk}/change/")

    assert response.status_code == 200


def _municipality_data(**overrides):
    data = {
        "name": "Bobigny",
        "slug": "bobigny",
        "insee_code": "93008",
        "department": Department.SEINE_SAINT_DENIS,
        "ept": Ept.EST_ENSEMBLE,
        "mayor": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "website": "",
        "districts-TOTAL_FORMS": "0",
        "districts-INITIAL_FORMS": "0",
        "districts-MIN_NUM_FORMS": "0",
        "districts-MAX_NUM_FORMS": "1000",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "_save": "Enregistrer",
    }
    data.update(overrides)
    return data


def _inline_district_data(edition, themes=(), **overrides):
    data = {
        "districts-TOTAL_FORMS": "1",
        "districts-0-edition": str(edition.pk),
        "districts-0-name_fr": "Quartier de la Gare",
        "districts-0-name_en": "Station district",
        "districts-0-priority_challenge_fr": "Relier le quartier au centre-ville.",
        "districts-0-priority_challenge_en": "Link the district to the town centre.",
        "districts-0-description_fr": "",
        "districts-0-description_en": "",
        "districts-0-themes": [str(theme.pk) for theme in themes],
        "districts-0-latitude": "48.906000",
        "districts-0-longitude": "2.440000",
        "districts-0-outline": "",
        "districts-0-surface_hectares": "",
    }
    data.update(overrides)
    return data


def test_municipality_add_valid_creates_it(staff_client):
    response = staff_client.post(f"{ADMIN}/municipality/add/", _municipality_data())

    assert response.status_code == 302
    assert Municipality.objects.get().insee_code == "93008"


def test_municipality_add_with_district_inline_creates_both(staff_client):
    theme = UrbanChallengeFactory()

    response = staff_client.post(
        f"{ADMIN}/municipality/add/",
        _municipality_data(**_inline_district_data(theme.edition, themes=[theme])),
    )

    assert response.status_code == 302
    district = InnovationDistrict.objects.get()
    assert district.municipality.name == "Bobigny"
    assert list(district.themes.all()) == [theme]


def test_municipality_add_malformed_insee_code_refused(staff_client):
    response = staff_client.post(
        f"{ADMIN}/municipality/add/", _municipality_data(insee_code="9300")
    )

    errors = _form_errors(response)
    message = gettext("An INSEE code has five characters, for example 93005 for Aulnay-sous-Bois.")
    assert errors["insee_code"] == [message]
    assert escape(message) in response.content.decode()
    assert not Municipality.objects.exists()


def test_municipality_add_insee_code_outside_department_refused(staff_client):
    response = staff_client.post(
        f"{ADMIN}/municipality/add/",
        _municipality_data(insee_code="92048", department=Department.SEINE_SAINT_DENIS),
    )

    errors = _form_errors(response)
    message = gettext("The INSEE code must start with the department number.")
    assert errors["__all__"] == [message]
    assert escape(message) in response.content.decode()
    assert not Municipality.objects.exists()


def test_municipality_add_duplicate_insee_code_refused(staff_client):
    MunicipalityFactory(insee_code="93008", slug="bobigny-1")

    response = staff_client.post(f"{ADMIN}/municipality/add/", _municipality_data())

    errors = _form_errors(response)
    assert list(errors) == ["insee_code"]
    assert "existe déjà" in errors["insee_code"][0]
    assert escape(errors["insee_code"][0]) in response.content.decode()
    assert Municipality.objects.count() == 1


def test_municipality_add_inline_district_theme_of_other_edition_refused(staff_client):
    edition = EditionFactory()
    foreign = UrbanChallengeFactory(name_fr="Sport en ville")

    response = staff_client.post(
        f"{ADMIN}/municipality/add/",
        _municipality_data(**_inline_district_data(edition, themes=[foreign])),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sport en ville" in html
    assert 'class="errorlist' in html
    assert not Municipality.objects.exists()
    assert not InnovationDistrict.objects.exists()


def _district_data(municipality, edition, themes=(), **overrides):
    data = {
        "municipality": str(municipality.pk),
        "edition": str(edition.pk),
        "name_fr": "Centre-ville",
        "name_en": "Town centre",
        "priority_challenge_fr": "Réaménager et redynamiser le centre-ville.",
        "priority_challenge_en": "Redevelopment and revitalisation of the town centre.",
        "themes": [str(theme.pk) for theme in themes],
        "description_fr": "",
        "description_en": "",
        "latitude": "48.914300",
        "longitude": "2.382200",
        "outline": "",
        "surface_hectares": "4.4",
        "_save": "Enregistrer",
    }
    data.update(overrides)
    return data


@pytest.fixture
def district_parts():
    theme = UrbanChallengeFactory(name_fr="Animation locale et commerces")
    return MunicipalityFactory(name="Aubervilliers"), theme.edition, theme


def test_district_add_valid_creates_it(staff_client, district_parts):
    municipality, edition, theme = district_parts
    outline = json.dumps({"type": "Polygon", "coordinates": [AUBERVILLIERS_RING]})

    response = staff_client.post(
        f"{ADMIN}/innovationdistrict/add/",
        _district_data(municipality, edition, [theme], outline=outline),
    )

    assert response.status_code == 302
    district = InnovationDistrict.objects.get()
    assert district.name_en == "Town centre"
    assert district.outline["type"] == "Polygon"
    assert list(district.themes.all()) == [theme]


def test_district_add_location_outside_ile_de_france_refused(staff_client, district_parts):
    municipality, edition, theme = district_parts

    response = staff_client.post(
        f"{ADMIN}/innovationdistrict/add/",
        _district_data(municipality, edition, [theme], latitude="45.764000", longitude="4.835700"),
    )

    errors = _form_errors(response)
    assert errors["latitude"] == ["Assurez-vous que cette valeur est supérieure ou égale à 48.0."]
    assert errors["longitude"] == ["Assurez-vous que cette valeur est inférieure ou égale à 3.6."]
    assert "Assurez-vous que cette valeur est supérieure ou égale à 48.0." in (
        response.content.decode()
    )
    assert not InnovationDistrict.objects.exists()


def test_district_add_theme_of_other_edition_refused(staff_client, district_parts):
    municipality, edition, theme = district_parts
    foreign = UrbanChallengeFactory(name_fr="Sport en ville")

    response = staff_client.post(
        f"{ADMIN}/innovationdistrict/add/",
        _district_data(municipality, edition, [theme, foreign]),
    )

    errors = _form_errors(response)
    message = gettext("These themes belong to another edition: %(themes)s.") % {
        "themes": "Sport en ville"
    }
    assert errors["themes"] == [message]
    assert escape(message) in response.content.decode()
    assert not InnovationDistrict.objects.exists()


@pytest.mark.parametrize(
    ("outline", "path"),
    [
        (
            {"type": "Polygon", "coordinates": [[[lat, lng] for lng, lat in AUBERVILLIERS_RING]]},
            "coordinates[0][0]",
        ),
        ({"type": "Polygon", "coordinates": [AUBERVILLIERS_RING[:-1]]}, "coordinates[0]"),
        ({"type": "Point", "coordinates": [2.38, 48.91]}, None),
    ],
    ids=["swapped", "open-ring", "point"],
)
def test_district_add_invalid_geojson_refused(staff_client, district_parts, outline, path):
    municipality, edition, theme = district_parts

    response = staff_client.post(
        f"{ADMIN}/innovationdistrict/add/",
        _district_data(municipality, edition, [theme], outline=json.dumps(outline)),
    )

    errors = _form_errors(response)
    assert list(errors) == ["outline"]
    if path:
        assert path in errors["outline"][0]
    assert escape(errors["outline"][0]) in response.content.decode()
    assert not InnovationDistrict.objects.exists()


def test_district_add_outline_not_json_refused_in_french(staff_client, district_parts):
    municipality, edition, theme = district_parts

    response = staff_client.post(
        f"{ADMIN}/innovationdistrict/add/",
        _district_data(municipality, edition, [theme], outline="POLYGON((2.38 48.91))"),
    )

    assert _form_errors(response)["outline"] == ["Saisissez du contenu JSON valide."]
    assert not InnovationDistrict.objects.exists()


def test_district_add_second_in_same_edition_refused(staff_client, district_parts):
    municipality, edition, theme = district_parts
    InnovationDistrictFactory(municipality=municipality, edition=edition)

    response = staff_client.post(
        f"{ADMIN}/innovationdistrict/add/", _district_data(municipality, edition, [theme])
    )

    errors = _form_errors(response)
    assert errors["__all__"] == [
        gettext("This municipality already has an innovation district in this edition.")
    ]
    assert InnovationDistrict.objects.count() == 1


def test_theme_change_keeps_its_edition_valid(staff_client):
    theme = UrbanChallengeFactory(code="sport", name_fr="Sport en ville")
    InnovationDistrictFactory(edition=theme.edition, themes=[theme])
    url = f"{ADMIN}/urbanchallenge/{theme.pk}/change/"

    response = staff_client.post(url, _change_form_data(staff_client, url, name_fr="Sport"))

    assert response.status_code == 302
    theme.refresh_from_db()
    assert theme.name_fr == "Sport"


def test_theme_used_by_district_cannot_move_to_another_edition(staff_client):
    theme = UrbanChallengeFactory(code="sport")
    district = InnovationDistrictFactory(edition=theme.edition, themes=[theme])
    other_edition = EditionFactory()
    url = f"{ADMIN}/urbanchallenge/{theme.pk}/change/"

    staff_client.post(url, _change_form_data(staff_client, url, edition=str(other_edition.pk)))

    assert all(t.edition_id == district.edition_id for t in district.themes.all())


# Roles.


def test_staff_can_add_a_municipality_colleague_account(staff_client):
    response = staff_client.get("/fr/admin/auth/user/add/")

    assert response.status_code == 200


def test_staff_cannot_make_themselves_superuser(staff_client, staff_user):
    url = f"/fr/admin/auth/user/{staff_user.pk}/change/"

    staff_client.post(url, _change_form_data(staff_client, url, is_superuser="on"))

    staff_user.refresh_from_db()
    assert not staff_user.is_superuser


def test_staff_cannot_grant_permissions_the_role_lacks(staff_client, staff_user):
    delete_group = Permission.objects.get(codename="delete_group")
    colleague = UserFactory(is_staff=True)
    url = f"/fr/admin/auth/user/{colleague.pk}/change/"

    staff_client.post(url, _change_form_data(staff_client, url, user_permissions=[delete_group.pk]))

    assert not colleague.has_perm("auth.delete_group")


@pytest.fixture
def reviewer_client(client):
    client.force_login(ReviewerFactory(is_staff=True))
    return client


def test_reviewer_can_view_municipality(reviewer_client):
    municipality = MunicipalityFactory(name="Aubervilliers")

    assert reviewer_client.get(f"{ADMIN}/municipality/").status_code == 200
    response = reviewer_client.get(f"{ADMIN}/municipality/{municipality.pk}/change/")
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


def test_reviewer_cannot_change_municipality(reviewer_client):
    municipality = MunicipalityFactory(name="Aubervilliers", insee_code="93001")

    response = reviewer_client.post(
        f"{ADMIN}/municipality/{municipality.pk}/change/",
        _municipality_data(name="Renamed", slug=municipality.slug, insee_code="93001"),
    )

    assert response.status_code == 403
    municipality.refresh_from_db()
    assert municipality.name == "Aubervilliers"


def test_reviewer_cannot_add_municipality(reviewer_client):
    assert reviewer_client.get(f"{ADMIN}/municipality/add/").status_code == 403
    response = reviewer_client.post(f"{ADMIN}/municipality/add/", _municipality_data())

    assert response.status_code == 403
    assert not Municipality.objects.exists()


@pytest.mark.parametrize("model", ["partner", "municipalitymembership"])
def test_reviewer_cannot_see_partners_or_memberships(reviewer_client, model):
    assert reviewer_client.get(f"{ADMIN}/{model}/").status_code == 403


def test_municipality_staff_without_is_staff_cannot_reach_admin(client):
    client.force_login(MunicipalityMembershipFactory().user)

    for url in ["/fr/admin/", f"{ADMIN}/municipality/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/fr/admin/login/")


def test_user_with_is_staff_but_no_group_sees_no_programme_model(client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get("/fr/admin/").context["app_list"] == []
    assert client.get(f"{ADMIN}/municipality/").status_code == 403
