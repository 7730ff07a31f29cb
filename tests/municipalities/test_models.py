"""The programme's rules hold in the database itself, and read well when broken."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext

from municipalities.enums import Department
from municipalities.models import (
    Edition,
    InnovationDistrict,
    Municipality,
    MunicipalityMembership,
    UrbanChallenge,
)
from tests.factories import (
    EditionFactory,
    InnovationDistrictFactory,
    MunicipalityFactory,
    MunicipalityMembershipFactory,
    UrbanChallengeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _errors(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


# Database constraints: bypass every Python check and let PostgreSQL refuse.


def test_edition_years_in_order_enforced_by_database():
    with pytest.raises(IntegrityError, match="edition_years_in_order"), transaction.atomic():
        EditionFactory(start_year=2026, end_year=2024)


def test_edition_same_start_and_end_year_accepted():
    edition = EditionFactory(start_year=2025, end_year=2025)

    assert edition.years == "2025"


def test_edition_number_zero_refused_by_database():
    with pytest.raises(IntegrityError, match="edition_number_positive"), transaction.atomic():
        EditionFactory(number=0)


def test_edition_number_unique_in_database():
    EditionFactory(number=4)

    with pytest.raises(IntegrityError, match="number"), transaction.atomic():
        EditionFactory(number=4)


def test_municipality_insee_code_format_enforced_by_database():
    with (
        pytest.raises(IntegrityError, match="municipality_insee_code_format"),
        transaction.atomic(),
    ):
        MunicipalityFactory(insee_code="9300A", department=Department.SEINE_SAINT_DENIS)


def test_municipality_corsican_insee_code_accepted_by_database():
    municipality = MunicipalityFactory(insee_code="2A004", department="2A")

    assert Municipality.objects.get(pk=municipality.pk).insee_code == "2A004"


def test_municipality_insee_code_outside_its_department_refused_by_database():
    with (
        pytest.raises(IntegrityError, match="municipality_insee_code_in_department"),
        transaction.atomic(),
    ):
        MunicipalityFactory(insee_code="92048", department=Department.SEINE_SAINT_DENIS)


def test_municipality_insee_code_unique_in_database():
    MunicipalityFactory(insee_code="93001")

    with pytest.raises(IntegrityError, match="insee_code"), transaction.atomic():
        MunicipalityFactory(insee_code="93001")


def test_district_second_one_for_same_municipality_and_edition_refused_by_database():
    district = InnovationDistrictFactory()

    with (
        pytest.raises(IntegrityError, match="district_unique_per_municipality_and_edition"),
        transaction.atomic(),
    ):
        InnovationDistrictFactory(municipality=district.municipality, edition=district.edition)


def test_district_same_municipality_in_another_edition_accepted():
    district = InnovationDistrictFactory()

    InnovationDistrictFactory(municipality=district.municipality)

    assert district.municipality.districts.count() == 2


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        # Lyon.
        (Decimal("45.764000"), Decimal("4.835700")),
        # Aubervilliers with latitude and longitude swapped.
        (Decimal("2.382200"), Decimal("48.914300")),
        # Right latitude, longitude of Brittany.
        (Decimal("48.114700"), Decimal("-1.679400")),
    ],
)
def test_district_location_outside_ile_de_france_refused_by_database(latitude, longitude):
    with (
        pytest.raises(IntegrityError, match="district_location_in_ile_de_france"),
        transaction.atomic(),
    ):
        InnovationDistrictFactory(latitude=latitude, longitude=longitude)


@pytest.mark.parametrize("surface", [Decimal("0"), Decimal("-3.50")])
def test_district_surface_not_positive_refused_by_database(surface):
    with pytest.raises(IntegrityError, match="district_surface_positive"), transaction.atomic():
        InnovationDistrictFactory(surface_hectares=surface)


def test_district_without_surface_accepted():
    district = InnovationDistrictFactory(surface_hectares=None)

    assert InnovationDistrict.objects.get(pk=district.pk).surface_hectares is None


def test_challenge_code_unique_per_edition_in_database():
    challenge = UrbanChallengeFactory(code="mobility")

    with (
        pytest.raises(IntegrityError, match="challenge_code_unique_per_edition"),
        transaction.atomic(),
    ):
        UrbanChallengeFactory(edition=challenge.edition, code="mobility")


def test_challenge_same_code_in_another_edition_accepted():
    UrbanChallengeFactory(code="mobility")
    UrbanChallengeFactory(code="mobility")

    assert UrbanChallenge.objects.filter(code="mobility").count() == 2


def test_membership_unique_per_user_and_municipality_in_database():
    membership = MunicipalityMembershipFactory()

    with (
        pytest.raises(IntegrityError, match="membership_unique_per_user_and_municipality"),
        transaction.atomic(),
    ):
        MunicipalityMembership.objects.create(
            user=membership.user, municipality=membership.municipality
        )


# full_clean: what the admin shows, in the active language (French by default).


def test_edition_full_clean_years_out_of_order_message():
    edition = EditionFactory.build(start_year=2026, end_year=2024)

    errors = _errors(edition)

    assert errors == {"__all__": [gettext("The last year cannot come before the first year.")]}


def test_edition_full_clean_years_out_of_order_message_in_english():
    edition = EditionFactory.build(start_year=2026, end_year=2024)

    with translation.override("en"):
        errors = _errors(edition)

    assert errors == {"__all__": ["The last year cannot come before the first year."]}


def test_edition_full_clean_number_zero_message_in_french():
    edition = EditionFactory.build(number=0)

    errors = _errors(edition)

    assert errors == {"number": ["Assurez-vous que cette valeur est supérieure ou égale à 1."]}


def test_edition_full_clean_duplicate_number_message_in_french():
    EditionFactory(number=7)

    errors = _errors(EditionFactory.build(number=7))

    assert list(errors) == ["number"]
    assert errors["number"][0].startswith("Un objet ")
    assert errors["number"][0].endswith(" existe déjà.")


def test_municipality_full_clean_malformed_insee_code_message():
    municipality = MunicipalityFactory.build(insee_code="9300")

    errors = _errors(municipality)

    assert errors["insee_code"] == [
        gettext("An INSEE code has five characters, for example 93005 for Aulnay-sous-Bois.")
    ]


def test_municipality_full_clean_insee_code_outside_department_message():
    municipality = MunicipalityFactory.build(
        insee_code="92048", department=Department.SEINE_SAINT_DENIS
    )

    errors = _errors(municipality)

    assert errors == {"__all__": [gettext("The INSEE code must start with the department number.")]}


def test_municipality_full_clean_duplicate_insee_code_message_in_french():
    MunicipalityFactory(insee_code="93001")

    errors = _errors(MunicipalityFactory.build(insee_code="93001"))

    assert list(errors) == ["insee_code"]
    assert errors["insee_code"][0].startswith("Un objet ")
    assert errors["insee_code"][0].endswith(" existe déjà.")


def test_municipality_full_clean_valid_passes():
    MunicipalityFactory.build(insee_code="92048", department=Department.HAUTS_DE_SEINE).full_clean()


def test_district_full_clean_duplicate_for_municipality_and_edition_message():
    existing = InnovationDistrictFactory()
    district = InnovationDistrictFactory.build(
        municipality=existing.municipality, edition=existing.edition
    )

    errors = _errors(district)

    assert errors == {
        "__all__": [
            gettext("This municipality already has an innovation district in this edition.")
        ]
    }


def test_district_full_clean_location_outside_ile_de_france_message_in_french():
    district = InnovationDistrictFactory.build(
        municipality=MunicipalityFactory(),
        edition=EditionFactory(),
        latitude=Decimal("45.764000"),
        longitude=Decimal("4.835700"),
    )

    errors = _errors(district)

    assert errors == {
        "latitude": ["Assurez-vous que cette valeur est supérieure ou égale à 48.0."],
        "longitude": ["Assurez-vous que cette valeur est inférieure ou égale à 3.6."],
    }


def test_district_full_clean_zero_surface_message_in_french():
    district = InnovationDistrictFactory.build(
        municipality=MunicipalityFactory(),
        edition=EditionFactory(),
        surface_hectares=Decimal("0"),
    )

    errors = _errors(district)

    assert errors == {
        "surface_hectares": ["Assurez-vous que cette valeur est supérieure ou égale à 0.01."]
    }


def test_district_full_clean_without_priority_challenge_message_in_french():
    district = InnovationDistrictFactory.build(
        municipality=MunicipalityFactory(),
        edition=EditionFactory(),
        priority_challenge_fr="",
        priority_challenge_en="",
    )

    errors = _errors(district)

    assert errors == {"priority_challenge": ["Ce champ ne peut pas être vide."]}


def test_challenge_full_clean_duplicate_code_in_edition_message():
    existing = UrbanChallengeFactory(code="mobility")

    errors = _errors(UrbanChallengeFactory.build(edition=existing.edition, code="mobility"))

    assert errors == {"__all__": [gettext("This edition already has a theme with this code.")]}


def test_membership_full_clean_duplicate_message():
    existing = MunicipalityMembershipFactory()
    membership = MunicipalityMembership(user=existing.user, municipality=existing.municipality)

    errors = _errors(membership)

    assert errors == {"__all__": [gettext("This person is already a member of this municipality.")]}


def test_membership_same_user_in_two_municipalities_accepted():
    user = UserFactory()

    MunicipalityMembershipFactory(user=user)
    MunicipalityMembershipFactory(user=user)

    assert user.municipality_memberships.count() == 2


# Reading the objects.


def test_edition_years_spans_first_and_last_year():
    assert EditionFactory.build(start_year=2023, end_year=2026).years == "2023–2026"


def test_district_str_names_municipality_and_edition():
    district = InnovationDistrictFactory(
        name_fr="Centre-ville",
        municipality__name="Aubervilliers",
        edition__name_fr="Édition 2",
    )

    assert str(district) == "Centre-ville (Aubervilliers, Édition 2)"


def test_district_absolute_url_points_at_its_municipality_page():
    district = InnovationDistrictFactory(municipality__slug="aubervilliers")

    assert (
        district.get_absolute_url() == f"/fr/municipalities/aubervilliers/#district-{district.pk}"
    )


def test_edition_absolute_url_uses_number():
    assert Edition(number=2).get_absolute_url() == "/fr/editions/2/"


def test_district_name_follows_active_language():
    district = InnovationDistrictFactory(name_fr="Centre-ville", name_en="Town centre")

    with translation.override("en"):
        english = InnovationDistrict.objects.get(pk=district.pk).name
    french = InnovationDistrict.objects.get(pk=district.pk).name

    assert (french, english) == ("Centre-ville", "Town centre")
