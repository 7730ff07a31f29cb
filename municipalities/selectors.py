"""Reads of programme data, scoped to the user first where it matters."""

from django.db.models import Count, Prefetch, QuerySet

from .models import Edition, InnovationDistrict, Municipality, Partner, UrbanChallenge
from .permissions import is_programme_staff


def municipalities_for(user) -> QuerySet[Municipality]:
    """The municipalities a user works for; all of them for Paris&Co staff."""
    if not user.is_authenticated or not user.is_active:
        return Municipality.objects.none()
    if is_programme_staff(user):
        return Municipality.objects.all()
    return Municipality.objects.filter(memberships__user=user).distinct()


def districts_for(user) -> QuerySet[InnovationDistrict]:
    return InnovationDistrict.objects.filter(
        municipality__in=municipalities_for(user)
    ).select_related("municipality", "edition")


def programme_figures() -> dict:
    """Key figures of the home page, computed from the data."""
    return {
        "editions": Edition.objects.count(),
        "municipalities": Municipality.objects.filter(districts__isnull=False).distinct().count(),
        "districts": InnovationDistrict.objects.count(),
        "challenges": UrbanChallenge.objects.count(),
        "partners": Partner.objects.count(),
    }


def editions_with_figures() -> QuerySet[Edition]:
    return Edition.objects.annotate(
        district_count=Count("districts", distinct=True),
        challenge_count=Count("challenges", distinct=True),
    ).order_by("number")


def districts_of_edition(edition) -> QuerySet[InnovationDistrict]:
    return (
        edition.districts.select_related("municipality", "edition")
        .prefetch_related("themes")
        .order_by("municipality__name")
    )


def municipalities_with_districts() -> QuerySet[Municipality]:
    """Every municipality hosting a district, with its districts, newest first."""
    return (
        Municipality.objects.filter(districts__isnull=False)
        .distinct()
        .prefetch_related(
            Prefetch(
                "districts",
                queryset=InnovationDistrict.objects.select_related("edition").order_by(
                    "-edition__number"
                ),
            )
        )
        .order_by("name")
    )


def municipality_districts(municipality) -> QuerySet[InnovationDistrict]:
    return (
        municipality.districts.select_related("edition")
        .prefetch_related("themes")
        .order_by("-edition__number")
    )
