"""What an application still lacks before it can be submitted."""

from django.utils.translation import gettext as _

from ..enums import AttachmentKind, LegalForm, Maturity

EXPERIMENTER_REQUIRED = [
    ("organisation_name", lambda: _("the organisation's name")),
    ("legal_form", lambda: _("the legal form")),
    ("country", lambda: _("the country")),
    ("contact_first_name", lambda: _("the contact's first name")),
    ("contact_last_name", lambda: _("the contact's last name")),
    ("contact_email", lambda: _("the contact's email")),
    ("solution_name", lambda: _("the name of the solution")),
    ("solution_summary", lambda: _("the summary of the solution")),
    ("solution_description", lambda: _("the description of the solution")),
    ("maturity", lambda: _("the maturity of the solution")),
]
MUNICIPALITY_REQUIRED = [
    ("town_name", lambda: _("the town")),
    ("town_insee_code", lambda: _("the town's INSEE code")),
    ("town_department", lambda: _("the department")),
    ("town_mayor", lambda: _("the mayor")),
    ("contact_first_name", lambda: _("the contact's first name")),
    ("contact_last_name", lambda: _("the contact's last name")),
    ("contact_email", lambda: _("the contact's email")),
    ("priority_challenge", lambda: _("the priority challenge")),
    ("district_name", lambda: _("the name of the proposed district")),
    ("district_description", lambda: _("the description of the proposed district")),
    ("district_latitude", lambda: _("the district's latitude")),
    ("district_longitude", lambda: _("the district's longitude")),
    ("motivation", lambda: _("the motivation")),
    ("commitments", lambda: _("the town's commitments")),
]
# Organisations that have no SIRET even in France.
NO_SIRET = {LegalForm.CITIZEN, LegalForm.DESIGNER, LegalForm.OTHER}


def application_missing(application) -> list[str]:
    """Human-readable list of what is missing; empty when the application is complete."""
    missing = []
    call = application.call
    required = MUNICIPALITY_REQUIRED if call.is_for_municipalities else EXPERIMENTER_REQUIRED
    for field, label in required:
        if getattr(application, field) in (None, ""):
            missing.append(label())
    attachment_kinds = set(application.attachments.values_list("kind", flat=True))
    if call.is_for_municipalities:
        if AttachmentKind.COUNCIL_DECISION not in attachment_kinds:
            missing.append(_("the council decision (PDF)"))
    else:
        if (
            application.country == "FR"
            and application.legal_form not in NO_SIRET
            and not application.siret
        ):
            missing.append(_("the SIRET number"))
        if application.maturity == Maturity.MARKETED:
            missing.append(_("a solution not yet on the market (the programme tests prototypes)"))
        if not application.themes.exists():
            missing.append(_("at least one challenge theme"))
        if not application.target_districts.exists():
            missing.append(_("at least one target district"))
        impacts = application.expected_impacts or {}
        for criterion in call.criteria.all():
            if not str(impacts.get(criterion.code, "")).strip():
                missing.append(
                    _("the expected impact on “%(criterion)s”") % {"criterion": criterion.name}
                )
        if AttachmentKind.PRESENTATION not in attachment_kinds:
            missing.append(_("the presentation (PDF)"))
    if not application.declares_accuracy:
        missing.append(_("the declaration that the information is accurate"))
    if not application.accepts_privacy:
        missing.append(_("the acceptance of the privacy notice"))
    return missing
