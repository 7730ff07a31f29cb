"""What a decision creates: districts from municipality applications."""

from django.db import transaction
from django.utils.text import slugify

from municipalities.models import InnovationDistrict, Municipality


@transaction.atomic
def district_create_from_application(*, application) -> InnovationDistrict:
    """A selected AMI application gives its town an innovation district in the edition.

    Idempotent: the town is found by its INSEE code, the district by (town, edition).
    """
    municipality, _ = Municipality.objects.get_or_create(
        insee_code=application.town_insee_code,
        defaults={
            "name": application.town_name,
            "slug": _free_slug(application.town_name),
            "department": application.town_department,
            "ept": application.town_ept,
            "mayor": application.town_mayor,
            "contact_name": f"{application.contact_first_name} {application.contact_last_name}",
            "contact_email": application.contact_email,
            "contact_phone": application.contact_phone,
        },
    )
    district, _ = InnovationDistrict.objects.get_or_create(
        municipality=municipality,
        edition=application.call.edition,
        defaults={
            "name_fr": application.district_name,
            "name_en": application.district_name,
            "description_fr": application.district_description,
            "priority_challenge_fr": application.priority_challenge,
            "latitude": application.district_latitude,
            "longitude": application.district_longitude,
        },
    )
    district.themes.add(*application.themes.filter(edition=application.call.edition))
    if application.created_municipality_id != municipality.pk:
        application.created_municipality = municipality
        application.save(update_fields=["created_municipality"])
    return district


def _free_slug(name):
    base = slugify(name)[:90] or "commune"
    slug, index = base, 2
    while Municipality.objects.filter(slug=slug).exists():
        slug, index = f"{base}-{index}", index + 1
    return slug
