"""One factory per model; defaults are plain and valid, nothing surprising."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from calls.enums import CallKind
from calls.models import Call
from municipalities.enums import Department, EditionStatus, Ept, MembershipRole, PartnerKind
from municipalities.models import (
    Edition,
    InnovationDistrict,
    Municipality,
    MunicipalityMembership,
    Partner,
    UrbanChallenge,
)
from municipalities.permissions import MUNICIPALITY_STAFF, PROGRAMME_STAFF, REVIEWERS


def _add_groups(user, names):
    user.groups.add(*Group.objects.filter(name__in=names))


class UserFactory(factory.django.DjangoModelFactory):
    """A person with no role; pass groups=[...] to give some."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = "Camille"
    last_name = "Martin"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            _add_groups(self, extracted or [])
            self.save()


class StaffUserFactory(UserFactory):
    """Paris&Co staff: admin access through the group's permissions."""

    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            _add_groups(self, extracted or [PROGRAMME_STAFF])
            self.save()


class ReviewerFactory(UserFactory):
    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            _add_groups(self, extracted or [REVIEWERS])
            self.save()


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition

    number = factory.Sequence(lambda n: n + 10)
    name_fr = factory.LazyAttribute(lambda edition: f"Édition {edition.number}")
    name_en = factory.LazyAttribute(lambda edition: f"Edition {edition.number}")
    start_year = 2024
    end_year = 2026
    status = EditionStatus.EXPERIMENTATION


class UrbanChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UrbanChallenge

    edition = factory.SubFactory(EditionFactory)
    code = factory.Sequence(lambda n: f"theme-{n}")
    name_fr = factory.Sequence(lambda n: f"Thème {n}")
    name_en = factory.Sequence(lambda n: f"Theme {n}")
    order = factory.Sequence(lambda n: n)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    name = factory.Sequence(lambda n: f"Ville-{n}")
    slug = factory.Sequence(lambda n: f"ville-{n}")
    insee_code = factory.Sequence(lambda n: f"93{n % 1000:03d}")
    department = Department.SEINE_SAINT_DENIS
    ept = Ept.PLAINE_COMMUNE
    mayor = "Dominique Exemple"


class InnovationDistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InnovationDistrict
        skip_postgeneration_save = True

    municipality = factory.SubFactory(MunicipalityFactory)
    edition = factory.SubFactory(EditionFactory)
    name_fr = factory.Sequence(lambda n: f"Quartier {n}")
    name_en = factory.Sequence(lambda n: f"District {n}")
    priority_challenge_fr = "Redynamiser le centre-ville."
    priority_challenge_en = "Revitalise the town centre."
    description_fr = "Un quartier dense et jeune."
    description_en = "A dense, young district."
    latitude = Decimal("48.914300")
    longitude = Decimal("2.382200")

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partenaire {n}")
    slug = factory.Sequence(lambda n: f"partenaire-{n}")
    kind = PartnerKind.URBAN_PLAYER
    description_fr = "Apporte son expertise."
    description_en = "Lends its expertise."


class MunicipalityMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MunicipalityMembership

    user = factory.SubFactory(
        UserFactory,
        groups=[MUNICIPALITY_STAFF],
    )
    municipality = factory.SubFactory(MunicipalityFactory)
    role = MembershipRole.OFFICER


class CallFactory(factory.django.DjangoModelFactory):
    """An open call for experimenters, opened a week ago, closing in three weeks."""

    class Meta:
        model = Call
        skip_postgeneration_save = True

    edition = factory.SubFactory(EditionFactory)
    kind = CallKind.EXPERIMENTERS
    phase = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"call-{n}")
    title_fr = factory.Sequence(lambda n: f"Appel {n}")
    title_en = factory.Sequence(lambda n: f"Call {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=21))

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if create and extracted:
            self.districts.set(extracted)
