"""Reads of programme data: scoped to the user, figures computed from the rows."""

import pytest
from django.contrib.auth.models import AnonymousUser

from municipalities import selectors
from municipalities.permissions import is_programme_staff
from tests.factories import (
    EditionFactory,
    InnovationDistrictFactory,
    MunicipalityFactory,
    MunicipalityMembershipFactory,
    PartnerFactory,
    ReviewerFactory,
    StaffUserFactory,
    UrbanChallengeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_municipalities_for_anonymous_is_empty():
    MunicipalityFactory()

    assert list(selectors.municipalities_for(AnonymousUser())) == []


def test_municipalities_for_member_only_their_own():
    membership = MunicipalityMembershipFactory()
    MunicipalityFactory()

    assert list(selectors.municipalities_for(membership.user)) == [membership.municipality]


def test_municipalities_for_member_of_two_lists_each_once():
    membership = MunicipalityMembershipFactory()
    other = MunicipalityMembershipFactory(user=membership.user)
    MunicipalityFactory()

    assert set(selectors.municipalities_for(membership.user)) == {
        membership.municipality,
        other.municipality,
    }
    assert selectors.municipalities_for(membership.user).count() == 2


def test_municipalities_for_inactive_member_is_empty():
    membership = MunicipalityMembershipFactory(user__is_active=False)

    assert list(selectors.municipalities_for(membership.user)) == []


def test_municipalities_for_programme_staff_all():
    municipalities = MunicipalityFactory.create_batch(3)

    assert set(selectors.municipalities_for(StaffUserFactory())) == set(municipalities)


def test_municipalities_for_superuser_all():
    municipalities = MunicipalityFactory.create_batch(2)
    superuser = UserFactory(is_superuser=True, is_staff=True)

    assert set(selectors.municipalities_for(superuser)) == set(municipalities)


def test_municipalities_for_reviewer_without_membership_is_empty():
    MunicipalityFactory()

    assert list(selectors.municipalities_for(ReviewerFactory(is_staff=True))) == []


def test_is_programme_staff_is_staff_flag_alone_not_enough():
    assert not is_programme_staff(UserFactory(is_staff=True))
    assert is_programme_staff(StaffUserFactory())


def test_districts_for_member_only_their_municipality_districts():
    membership = MunicipalityMembershipFactory()
    own = InnovationDistrictFactory.create_batch(2, municipality=membership.municipality)
    InnovationDistrictFactory()

    assert set(selectors.districts_for(membership.user)) == set(own)


def test_districts_for_programme_staff_all():
    districts = InnovationDistrictFactory.create_batch(3)

    assert set(selectors.districts_for(StaffUserFactory())) == set(districts)


def test_programme_figures_counted_from_rows():
    edition = EditionFactory()
    UrbanChallengeFactory.create_batch(3, edition=edition)
    InnovationDistrictFactory.create_batch(2, edition=edition)
    host = InnovationDistrictFactory().municipality
    InnovationDistrictFactory(municipality=host)
    MunicipalityFactory()
    PartnerFactory.create_batch(4)

    figures = selectors.programme_figures()

    # Three editions: the shared one, and one each for the host's two districts.
    assert figures == {
        "editions": 3,
        "municipalities": 3,
        "districts": 4,
        "challenges": 3,
        "partners": 4,
    }


def test_editions_with_figures_counts_districts_and_challenges():
    edition = EditionFactory(number=1)
    UrbanChallengeFactory.create_batch(3, edition=edition)
    InnovationDistrictFactory.create_batch(2, edition=edition)
    EditionFactory(number=2)

    rows = [
        (edition.number, edition.district_count, edition.challenge_count)
        for edition in selectors.editions_with_figures()
    ]

    assert rows == [(1, 2, 3), (2, 0, 0)]


def test_municipalities_with_districts_leaves_out_towns_without_district():
    host = InnovationDistrictFactory(municipality__name="Meudon").municipality
    InnovationDistrictFactory(municipality=host)
    MunicipalityFactory(name="Bobigny")

    assert [m.name for m in selectors.municipalities_with_districts()] == ["Meudon"]


def test_municipalities_with_districts_newest_edition_first():
    municipality = MunicipalityFactory()
    InnovationDistrictFactory(municipality=municipality, edition=EditionFactory(number=1))
    InnovationDistrictFactory(municipality=municipality, edition=EditionFactory(number=2))

    (row,) = selectors.municipalities_with_districts()

    assert [district.edition.number for district in row.districts.all()] == [2, 1]


def test_districts_of_edition_sorted_by_municipality_name():
    edition = EditionFactory()
    for name in ["Sceaux", "Aulnay-sous-Bois", "Meudon"]:
        InnovationDistrictFactory(edition=edition, municipality__name=name)
    InnovationDistrictFactory()

    names = [d.municipality.name for d in selectors.districts_of_edition(edition)]

    assert names == ["Aulnay-sous-Bois", "Meudon", "Sceaux"]


def test_municipality_districts_newest_edition_first():
    municipality = MunicipalityFactory()
    for number in [1, 3, 2]:
        InnovationDistrictFactory(municipality=municipality, edition=EditionFactory(number=number))

    numbers = [d.edition.number for d in selectors.municipality_districts(municipality)]

    assert numbers == [3, 2, 1]
