"""Co-selection: the towns' opinions on the shortlisted applications for their district."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from municipalities.selectors import districts_for

from ..enums import Opinion
from ..models import Application, MunicipalityOpinion
from ..permissions import applications_for_coselection


def opinion_give(
    *, application: Application, district, by, opinion: str, comment: str = ""
) -> MunicipalityOpinion:
    """Record (or change) the opinion of ``district``'s town on a shortlisted application.

    Only for a shortlisted application that targets the district, by someone
    working for the district's town (or Paris&Co staff, on its behalf): one
    opinion per application and district, the last one wins. Anything else
    raises PermissionDenied (views answer 404 before, from the scoped querysets).
    """
    if not applications_for_coselection(by).filter(pk=application.pk).exists():
        raise PermissionDenied(_("You may not give an opinion on this application."))
    if not (
        districts_for(by).filter(pk=district.pk).exists()
        and application.target_districts.filter(pk=district.pk).exists()
    ):
        raise PermissionDenied(_("You may not give an opinion on this application."))
    if opinion not in Opinion.values:
        raise ValidationError({"opinion": _("Choose an opinion.")})
    with transaction.atomic():
        record, _created = MunicipalityOpinion.objects.update_or_create(
            application=application,
            district=district,
            defaults={"opinion": opinion, "comment": (comment or "").strip(), "author": by},
        )
    return record
