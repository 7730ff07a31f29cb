"""Decisions: batches of status changes, and what a selection creates."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

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


@dataclass
class BatchResult:
    """What a batch of status changes did: the applications changed, and why others were not."""

    done: list = field(default_factory=list)
    errors: list[tuple[object, str]] = field(default_factory=list)


def applications_decide(
    *, applications, status: str, by, districts=None, reason: str = ""
) -> BatchResult:
    """Move several applications to ``status`` through the workflow, in one transaction.

    Each application is changed by ``application_set_status`` in its own
    savepoint: one refused change (an illegal transition, a reached cap per
    district, a missing reason) leaves that application exactly as it was and
    is reported with its message, while the others go on. ``districts`` maps
    an application's pk to the district it is selected for. The workflow does
    everything else: history, decision mail drafts, districts created.
    """
    from .workflow import application_set_status

    districts = districts or {}
    result = BatchResult()
    with transaction.atomic():
        for application in sorted(applications, key=lambda item: (item.reference or "", item.pk)):
            try:
                with transaction.atomic():
                    changed = application_set_status(
                        application=application,
                        status=status,
                        by=by,
                        reason=reason,
                        selected_district=districts.get(application.pk),
                    )
            except ValidationError as error:
                result.errors.append((application, " ".join(error.messages)))
            except PermissionDenied as error:
                result.errors.append(
                    (application, str(error) or _("You may not make this change."))
                )
            else:
                result.done.append(changed)
    return result
