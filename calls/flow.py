"""The steps of an application, one flow per kind of call.

Each step knows its identifier, its place, its label, its form, whether it
applies and whether it is complete (as pretalx's ``cfp/flow/base.py``). The
draft is a row in the database saved at every step, never the session, so
uploads survive going back and forth.
"""

import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qmi_portal.links import uuid_url

from .enums import AttachmentKind, Maturity
from .forms import applications as forms
from .models import Application
from .services import applications as services
from .services.completeness import (
    EXPERIMENTER_REQUIRED,
    MUNICIPALITY_REQUIRED,
    NO_SIRET,
)


class Step:
    identifier = ""
    order = 0
    label = ""
    form_class = None
    # The Application fields this step edits, in the order they are shown.
    fields: tuple = ()
    required_fields: tuple = ()
    template_name = "calls/applications/step.html"
    autosave = True
    # Application fields the step reads besides ``fields`` (see ``step_reads``).
    reads: tuple = ()

    @property
    def summary_label(self):
        """The heading of this step's part in the read-only summary."""
        return self.label

    def is_applicable(self, application) -> bool:
        return True

    def is_completed(self, application) -> bool:
        return all(getattr(application, field) not in (None, "") for field in self.required_fields)

    def missing_texts(self, application) -> list[str]:
        """The texts of ``application_missing`` this step is where to act on.

        Built from the same messages as ``calls.services.completeness``, so the
        review page can link each missing item to its step.
        """
        municipal = application.call.is_for_municipalities
        labels = dict(MUNICIPALITY_REQUIRED if municipal else EXPERIMENTER_REQUIRED)
        return [labels[name]() for name in self.fields if name in labels] + self.extra_missing(
            application
        )

    def extra_missing(self, application) -> list[str]:
        return []

    def get_url(self, application) -> str:
        # A step page links to every step: uuid_url reverses each pattern once.
        return uuid_url("calls:application_step", application.uuid, step=self.identifier)

    def get_autosave_url(self, application) -> str:
        return uuid_url("calls:application_autosave", application.uuid, step=self.identifier)

    def get_form(self, application, data=None, files=None):
        return self.form_class(application=application, data=data, files=files)

    def get_formset(self, application, data=None):
        """A step with rows (team members) returns their formset."""
        return None

    def save(self, *, application, form, formset=None, by, locked=False):
        """Save what is valid in the form; return the application.

        ``locked``: ``application`` was read with its row locked in this transaction.
        """
        values = form.valid_data()
        # A selection sent as it was would cost its queries for nothing.
        for name in getattr(form, "unchanged_selections", list)():
            values.pop(name, None)
        return services.application_update_step(
            application=application,
            step=self.identifier,
            values=values,
            by=by,
            locked=locked,
        )

    def related(self, application, name):
        manager = getattr(application, name)
        if name == "target_districts":
            return manager.select_related("municipality")
        return manager.all()

    def describe(self, item) -> str:
        return _describe_district(item) if hasattr(item, "municipality_id") else str(item)

    def summary(self, application) -> list[dict]:
        """Rows of the read-only summary: label, value and how to show it."""
        rows = []
        for name in self.fields:
            field = application._meta.get_field(name)
            if field.many_to_many:
                value = [self.describe(item) for item in self.related(application, name)]
                rows.append({"label": field.verbose_name, "value": value, "kind": "list"})
                continue
            display = getattr(application, f"get_{name}_display", None)
            value = display() if field.choices and display else getattr(application, name)
            if name == "country" and application.country:
                value = application.country.name
            kind = "link" if name == "website" else "text"
            rows.append({"label": field.verbose_name, "value": value, "kind": kind})
        return rows


def _describe_district(district) -> str:
    return f"{district.municipality.name} – {district.name}"


def _required(required, fields):
    names = {name for name, _label in required}
    return tuple(name for name in fields if name in names)


class OrganisationStep(Step):
    identifier = "organisation"
    order = 10
    label = _("Organisation")
    form_class = forms.OrganisationForm
    fields = ("organisation_name", "legal_form", "country", "siret", "website")
    required_fields = _required(EXPERIMENTER_REQUIRED, fields)

    def is_completed(self, application) -> bool:
        needs_siret = application.country == "FR" and application.legal_form not in NO_SIRET
        return super().is_completed(application) and not (needs_siret and not application.siret)

    def extra_missing(self, application) -> list[str]:
        return [gettext("the SIRET number")]


class ContactStep(Step):
    identifier = "contact"
    order = 20
    label = _("Contact and team")
    form_class = forms.ContactForm
    fields = (
        "contact_first_name",
        "contact_last_name",
        "contact_email",
        "contact_phone",
        "contact_role",
    )
    required_fields = _required(EXPERIMENTER_REQUIRED, fields)
    template_name = "calls/applications/step_contact.html"

    def get_formset(self, application, data=None):
        return forms.team_member_formset(application=application, data=data)

    def save(self, *, application, form, formset=None, by, locked=False):
        application = super().save(application=application, form=form, by=by, locked=locked)
        if formset is not None:
            rows = formset.valid_rows()
            members = services.team_members_update(application=application, rows=rows, by=by)
            formset.note_saved(rows, members)
        return application

    def summary(self, application) -> list[dict]:
        rows = super().summary(application)
        members = [
            ", ".join(part for part in (member.name, member.role, member.email) if part)
            for member in application.team_members.all()
        ]
        rows.append({"label": _("Team members"), "value": members, "kind": "list"})
        return rows


class SolutionStep(Step):
    identifier = "solution"
    order = 30
    label = _("Solution")
    form_class = forms.SolutionForm
    fields = (
        "solution_name",
        "solution_summary",
        "solution_description",
        "maturity",
        "themes",
        "target_districts",
        "site_needs",
    )
    required_fields = _required(EXPERIMENTER_REQUIRED, fields)

    def is_completed(self, application) -> bool:
        return (
            super().is_completed(application)
            and application.maturity != Maturity.MARKETED
            and application.themes.exists()
            and application.target_districts.exists()
        )

    def extra_missing(self, application) -> list[str]:
        return [
            gettext("a solution not yet on the market (the programme tests prototypes)"),
            gettext("at least one challenge theme"),
            gettext("at least one target district"),
        ]


class ImpactsStep(Step):
    identifier = "impacts"
    order = 40
    label = _("Expected impacts")
    form_class = forms.ImpactsForm
    reads = ("expected_impacts",)

    def is_completed(self, application) -> bool:
        impacts = application.expected_impacts or {}
        return all(
            str(impacts.get(criterion.code, "")).strip()
            for criterion in application.call.criteria.all()
        )

    def extra_missing(self, application) -> list[str]:
        return [
            gettext("the expected impact on “%(criterion)s”") % {"criterion": criterion.name}
            for criterion in application.call.criteria.all()
        ]

    def summary(self, application) -> list[dict]:
        impacts = application.expected_impacts or {}
        return [
            {"label": criterion.name, "value": impacts.get(criterion.code, ""), "kind": "text"}
            for criterion in application.call.criteria.all()
        ]


class AttachmentsStep(Step):
    identifier = "attachments"
    order = 50
    label = _("Attachments")
    form_class = forms.AttachmentsForm
    template_name = "calls/applications/step_attachments.html"
    autosave = False
    required_kind = AttachmentKind.PRESENTATION

    def is_completed(self, application) -> bool:
        return application.attachments.filter(kind=self.required_kind).exists()

    def extra_missing(self, application) -> list[str]:
        return [gettext("the presentation (PDF)"), gettext("the council decision (PDF)")]

    def save(self, *, application, form, formset=None, by, locked=False):
        for name, kind, upload in form.valid_uploads():
            try:
                services.attachment_add(application=application, kind=kind, upload=upload, by=by)
            except ValidationError as error:
                form.add_error(name, error)
        application.refresh_from_db()
        return application

    def summary(self, application) -> list[dict]:
        return [
            {"label": _("Files"), "value": list(application.attachments.all()), "kind": "files"}
        ]


class ReviewStep(Step):
    """The last step: what is missing, the declarations, and the submit button."""

    identifier = "review"
    order = 100
    label = _("Review and submit")
    summary_label = _("Declarations")
    form_class = forms.DeclarationsForm
    fields = ("declares_accuracy", "accepts_privacy", "consents_publication")
    template_name = "calls/applications/review.html"

    def is_completed(self, application) -> bool:
        return application.declares_accuracy and application.accepts_privacy

    def extra_missing(self, application) -> list[str]:
        return [
            gettext("the declaration that the information is accurate"),
            gettext("the acceptance of the privacy notice"),
        ]

    def get_url(self, application) -> str:
        return reverse("calls:application_review", kwargs={"uuid": application.uuid})

    def summary(self, application) -> list[dict]:
        yes, no = gettext("Yes"), gettext("No")
        return [
            {
                "label": application._meta.get_field(name).verbose_name,
                "value": yes if getattr(application, name) else no,
                "kind": "text",
            }
            for name in self.fields
        ]


class TownStep(Step):
    identifier = "town"
    order = 10
    label = _("Town")
    form_class = forms.TownForm
    fields = ("town_name", "town_insee_code", "town_department", "town_ept", "town_mayor")
    required_fields = _required(MUNICIPALITY_REQUIRED, fields)


class MunicipalityContactStep(ContactStep):
    required_fields = _required(MUNICIPALITY_REQUIRED, ContactStep.fields)


class DistrictStep(Step):
    identifier = "district"
    order = 30
    label = _("Priority challenge and proposed district")
    form_class = forms.DistrictForm
    fields = (
        "priority_challenge",
        "themes",
        "district_name",
        "district_description",
        "district_latitude",
        "district_longitude",
    )
    required_fields = _required(MUNICIPALITY_REQUIRED, fields)


class MotivationStep(Step):
    identifier = "motivation"
    order = 40
    label = _("Motivation and commitments")
    form_class = forms.MotivationForm
    fields = ("motivation", "commitments")
    required_fields = _required(MUNICIPALITY_REQUIRED, fields)


class CouncilDecisionStep(AttachmentsStep):
    form_class = forms.CouncilDecisionForm
    required_kind = AttachmentKind.COUNCIL_DECISION


class Flow:
    def __init__(self, steps):
        self.steps = sorted(steps, key=lambda step: step.order)

    def applicable(self, application) -> list[Step]:
        return [step for step in self.steps if step.is_applicable(application)]

    def get(self, application, identifier) -> Step | None:
        for step in self.applicable(application):
            if step.identifier == identifier:
                return step
        return None

    def first(self, application) -> Step:
        return self.applicable(application)[0]

    def next(self, application, step) -> Step | None:
        steps = self.applicable(application)
        index = steps.index(step)
        return steps[index + 1] if index + 1 < len(steps) else None

    def previous(self, application, step) -> Step | None:
        steps = self.applicable(application)
        index = steps.index(step)
        return steps[index - 1] if index > 0 else None

    def progress(self, application, current=None) -> list[dict]:
        """For the progress indicator: no query, it reads ``completed_steps``."""
        done = set(application.completed_steps or [])
        return [
            {
                "step": step,
                "number": number,
                "url": step.get_url(application),
                "completed": step.identifier in done,
                "current": current is not None and step.identifier == current.identifier,
            }
            for number, step in enumerate(self.applicable(application), start=1)
        ]

    def completed_identifiers(self, application) -> list[str]:
        steps = self.applicable(application)
        return [step.identifier for step in steps if step.is_completed(application)]

    def summary(self, application) -> list[dict]:
        return [
            {"step": step, "rows": step.summary(application)}
            for step in self.applicable(application)
        ]


EXPERIMENTER_FLOW = Flow(
    [
        OrganisationStep(),
        ContactStep(),
        SolutionStep(),
        ImpactsStep(),
        AttachmentsStep(),
        ReviewStep(),
    ]
)
MUNICIPALITY_FLOW = Flow(
    [
        TownStep(),
        MunicipalityContactStep(),
        DistrictStep(),
        MotivationStep(),
        CouncilDecisionStep(),
        ReviewStep(),
    ]
)


# What every step page and its autosave read of the application and of its call,
# besides the step's own fields: the rest of the application's sixty columns is
# neither compiled into the query nor sent (a step is saved many times a minute).
STEP_READS = (
    "uuid",
    "status",
    "applicant",
    "call",
    "language",
    "reference",
    "completed_steps",
    "call__kind",
    "call__slug",
    "call__edition",
    "call__opens_at",
    "call__closes_at",
    *(f"call__title_{code}" for code, _name in settings.LANGUAGES),
    "call__title",
)


@functools.cache
def step_reads(identifier) -> tuple[str, ...] | None:
    """The fields to read for the step ``identifier`` (of either flow); None if no such step."""
    steps = [
        step
        for flow in (EXPERIMENTER_FLOW, MUNICIPALITY_FLOW)
        for step in flow.steps
        if step.identifier == identifier
    ]
    if not steps:
        return None
    own = {
        name
        for step in steps
        for name in (*step.fields, *step.reads)
        if not Application._meta.get_field(name).many_to_many
    }
    return (*STEP_READS, *sorted(own))


def flow_for(application) -> Flow:
    return MUNICIPALITY_FLOW if application.call.is_for_municipalities else EXPERIMENTER_FLOW
