"""A small programme to test review, co-selection and decisions against.

Two towns with a district each in one edition, a call for experimenters on
both districts with the five default criteria, and one person per role.
"""

from dataclasses import dataclass

from calls.services.calls import call_ensure_default_criteria
from municipalities.permissions import MUNICIPALITY_STAFF
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    EditionFactory,
    InnovationDistrictFactory,
    MunicipalityFactory,
    MunicipalityMembershipFactory,
    ReviewAssignmentFactory,
    ReviewerFactory,
    StaffUserFactory,
    UrbanChallengeFactory,
    UserFactory,
)


@dataclass
class World:
    call: object
    district_a: object
    district_b: object
    theme: object
    staff: object
    applicant: object
    reviewer: object
    other_reviewer: object
    town_a_user: object
    town_b_user: object
    application: object
    assignment: object


def make_world(status="shortlisted") -> World:
    edition = EditionFactory()
    theme = UrbanChallengeFactory(edition=edition, name_en="Heat", name_fr="Chaleur")
    town_a = MunicipalityFactory(name="Aubervilliers")
    town_b = MunicipalityFactory(name="Bondy")
    district_a = InnovationDistrictFactory(municipality=town_a, edition=edition)
    district_b = InnovationDistrictFactory(municipality=town_b, edition=edition)
    call = CallFactory(edition=edition, districts=[district_a, district_b], slug="qmi-exp")
    call_ensure_default_criteria(call=call)
    applicant = UserFactory(username="applicant")
    application = ApplicationFactory(
        call=call,
        applicant=applicant,
        status=status,
        target_districts=[district_a],
        themes=[theme],
        organisation_name="Ombre Fraîche",
    )
    reviewer = ReviewerFactory(username="reviewer")
    return World(
        call=call,
        district_a=district_a,
        district_b=district_b,
        theme=theme,
        staff=StaffUserFactory(username="staff"),
        applicant=applicant,
        reviewer=reviewer,
        other_reviewer=ReviewerFactory(username="other-reviewer"),
        town_a_user=MunicipalityMembershipFactory(
            municipality=town_a, user=UserFactory(username="town-a", groups=[MUNICIPALITY_STAFF])
        ).user,
        town_b_user=MunicipalityMembershipFactory(
            municipality=town_b, user=UserFactory(username="town-b", groups=[MUNICIPALITY_STAFF])
        ).user,
        application=application,
        assignment=ReviewAssignmentFactory(application=application, reviewer=reviewer),
    )
