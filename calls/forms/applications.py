"""Forms of the application steps.

A draft may be incomplete: no field is required in a step. What is invalid
gets a message next to its field; the valid rest is saved (``valid_data``).
What a submission needs is checked at submit (``application_missing``).
"""

import copy

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.db import connection
from django.forms.models import construct_instance
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.widgets import LazySelect

from municipalities.models import InnovationDistrict, Municipality, UrbanChallenge
from municipalities.validators import LATITUDE_RANGE, LONGITUDE_RANGE

from ..enums import AttachmentKind, Maturity
from ..models import Application, Call
from ..services.completeness import NO_SIRET
from ..uploads import MAX_IMAGES, upload_check
from ..validators import validate_no_nul, validate_siret
from .rendering import BootstrapFieldsMixin

validate_phone = RegexValidator(
    r"^\+?[0-9 ().-]{6,30}$",
    _("Enter a phone number with digits, spaces and an optional leading +."),
)


class _PythonOptionsMixin:
    """A select whose options are written in Python, with the markup of Django's templates.

    Django renders one template per option: for the 250 countries that was most
    of the time of a step page.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '\n  <option value="{}"{}>{}</option>',
                    str(option["value"]),
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


class Select(_PythonOptionsMixin, forms.Select):
    pass


class CountrySelect(_PythonOptionsMixin, LazySelect):
    pass


class SelectionField(forms.MultipleChoiceField):
    """A many-to-many selection of the application: choice ids in, a list of ids out.

    Its choices come from ``load`` (one light query that also says which are
    selected), and it validates against them in Python. A
    ModelMultipleChoiceField on a ModelForm reads the application's rows, then
    the choices at each rendering, then the chosen rows at validation, each
    through the ORM and modeltranslation: most of a step's time. The messages
    are ModelMultipleChoiceField's.
    """

    widget = forms.CheckboxSelectMultiple
    default_error_messages = {
        "invalid_pk_value": forms.ModelMultipleChoiceField.default_error_messages[
            "invalid_pk_value"
        ],
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def load(self, rows) -> list[int]:
        """Take the (id, label, selected) rows; return the ids selected."""
        self.choices = [(pk, label) for pk, label, _selected in rows]
        return [pk for pk, _label, selected in rows if selected]

    def validate(self, value):
        # ModelMultipleChoiceField's order: every value a valid id, then a choice.
        for pk in value:
            ProhibitNullCharactersValidator()(pk)
            try:
                int(pk)
            except ValueError as error:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                ) from error
        super().validate(value)

    def clean(self, value) -> list[int]:
        return sorted({int(pk) for pk in super().clean(value)})


def _translated_sql(column: str) -> str:
    """A modeltranslation column in the current language, French when empty."""
    language = get_language()
    if language == "fr" or language not in dict(settings.LANGUAGES):
        return f"{column}_fr"
    return f"COALESCE(NULLIF({column}_{language}, ''), {column}_fr)"


def _themes_sql(application) -> tuple[str, list]:
    """The challenges of the application's edition, in their order."""
    challenge = UrbanChallenge._meta.db_table
    themes = Application.themes.through._meta.db_table
    return (
        f'SELECT ROW_NUMBER() OVER (ORDER BY uc."order", uc.code, uc.id) AS position,'  # noqa: S608 - names only
        f" uc.id, {_translated_sql('uc.name')} AS label,"
        f" EXISTS (SELECT 1 FROM {themes} t"
        f"  WHERE t.application_id = %s AND t.urbanchallenge_id = uc.id) AS selected"
        f" FROM {challenge} uc WHERE uc.edition_id = %s",
        [application.pk, application.call.edition_id],
    )


def _target_districts_sql(application) -> tuple[str, list]:
    """The districts of the application's call, as "town – district", by town."""
    district = InnovationDistrict._meta.db_table
    municipality = Municipality._meta.db_table
    call_districts = Call.districts.through._meta.db_table
    targets = Application.target_districts.through._meta.db_table
    return (
        f"SELECT ROW_NUMBER() OVER (ORDER BY m.name, d.id) AS position, d.id,"  # noqa: S608 - names only
        f" m.name || ' – ' || {_translated_sql('d.name')} AS label,"
        f" EXISTS (SELECT 1 FROM {targets} t"
        f"  WHERE t.application_id = %s AND t.innovationdistrict_id = d.id) AS selected"
        f" FROM {district} d JOIN {call_districts} cd ON cd.innovationdistrict_id = d.id"
        f" JOIN {municipality} m ON m.id = d.municipality_id WHERE cd.call_id = %s",
        [application.pk, application.call_id],
    )


SELECTIONS = {"themes": _themes_sql, "target_districts": _target_districts_sql}


def selection_rows(application, names) -> dict[str, list[tuple]]:
    """{name: [(id, label, selected), …]} of the application's selections, in one query."""
    parts, params = [], []
    for index, name in enumerate(names):
        sql, part_params = SELECTIONS[name](application)
        parts.append(f"SELECT {index} AS part, s.* FROM ({sql}) s")  # noqa: S608 - our SQL
        params += part_params
    rows = {name: [] for name in names}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY part, position", params)
        for part, _position, pk, label, selected in cursor.fetchall():
            rows[names[part]].append((pk, label, bool(selected)))
    return rows


class StepForm(BootstrapFieldsMixin, forms.ModelForm):
    """A ModelForm on a copy of the application, every field optional."""

    def __init__(self, *args, application, **kwargs):
        self.application = application
        super().__init__(*args, instance=copy.copy(application), **kwargs)
        for field in self.fields.values():
            field.required = False

    def load_selections(self, *names):
        """Fill the ``SelectionField``s ``names`` (one query for them all)."""
        for name, rows in selection_rows(self.application, names).items():
            self.initial[name] = self.fields[name].load(rows)

    def unchanged_selections(self) -> list[str]:
        """The selections sent as they were: saving them would cost queries for nothing."""
        return [
            name
            for name, field in self.fields.items()
            if isinstance(field, SelectionField)
            and name not in self.errors
            and not field.has_changed(self.initial.get(name), self[name].data)
        ]

    def _post_clean(self):
        # The model's field validators, not its constraints: those cost queries
        # at every autosave and the database keeps them anyway.
        exclude = self._get_validation_exclusions()
        try:
            self.instance = construct_instance(
                self, self.instance, self._meta.fields, self._meta.exclude
            )
            self.instance.clean_fields(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)

    def valid_data(self) -> dict:
        """The cleaned values of the fields that have no error."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}


class OrganisationForm(StepForm):
    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https"
    )
    # Longer than 14: people type the spaces of "732 829 320 00074".
    siret = forms.CharField(
        label=_("SIRET number"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_(
            "14 digits. Required for organisations registered in France, except "
            "citizens, designers and other organisations without one."
        ),
    )

    class Meta:
        model = Application
        fields = ["organisation_name", "legal_form", "country", "siret", "website"]
        widgets = {"legal_form": Select, "country": CountrySelect}

    def clean_siret(self):
        siret = "".join(self.cleaned_data.get("siret", "").split())
        validate_siret(siret)
        return siret

    def clean(self):
        cleaned = super().clean()
        # Only said here; the submission is what refuses a missing SIRET.
        self.siret_expected = (
            cleaned.get("country") == "FR"
            and cleaned.get("legal_form") not in NO_SIRET
            and not cleaned.get("siret")
        )
        return cleaned


class ContactForm(StepForm):
    class Meta:
        model = Application
        fields = [
            "contact_first_name",
            "contact_last_name",
            "contact_email",
            "contact_phone",
            "contact_role",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_phone"].validators.append(validate_phone)
        self.fields["contact_email"].widget.attrs["autocomplete"] = "email"
        self.fields["contact_first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["contact_last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["contact_phone"].widget.attrs["autocomplete"] = "tel"


class TeamMemberForm(BootstrapFieldsMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    name = forms.CharField(
        label=_("Name"), max_length=150, required=False, validators=[validate_no_nul]
    )
    role = forms.CharField(
        label=_("Role"), max_length=150, required=False, validators=[validate_no_nul]
    )
    email = forms.EmailField(label=_("Email"), required=False)

    def clean(self):
        cleaned = super().clean()
        described = cleaned.get("role") or cleaned.get("email")
        if not cleaned.get("DELETE") and not cleaned.get("name") and described:
            self.add_error("name", _("Give the team member's name."))
        return cleaned


class BaseTeamMemberFormSet(forms.BaseFormSet):
    def __init__(self, *args, application, **kwargs):
        self.application = application
        super().__init__(*args, **kwargs)
        self.saved_ids = {}

    def valid_rows(self) -> list[dict]:
        """Rows to save: valid, changed or known; deletions always."""
        rows = []
        if not self.management_form.is_valid():
            return rows
        self.is_valid()
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if data.get("DELETE"):
                if "id" not in form.errors and data.get("id"):
                    rows.append({"id": data["id"], "delete": True, "prefix": form.prefix})
                continue
            if form.errors or not data or not (data.get("id") or data.get("name")):
                continue
            rows.append(
                {
                    "id": data.get("id"),
                    "name": data.get("name", ""),
                    "role": data.get("role", ""),
                    "email": data.get("email", ""),
                    "delete": False,
                    "prefix": form.prefix,
                }
            )
        return rows

    def note_saved(self, rows, members):
        """Remember the ids of new members: autosave writes them into the page, and a
        page shown again with errors carries them, so that sending again copies nobody."""
        self.saved_ids = {
            f"{row['prefix']}-id": member.pk
            for row, member in zip(rows, members, strict=True)
            if member is not None and not row.get("id")
        }
        if self.is_bound:
            for key, pk in self.saved_ids.items():
                self.data[key] = str(pk)


TeamMemberFormSet = forms.formset_factory(
    TeamMemberForm,
    formset=BaseTeamMemberFormSet,
    extra=1,
    can_delete=True,
    max_num=20,
    absolute_max=40,
    validate_max=True,
)


def team_member_formset(*, application, data=None):
    initial = [
        {"id": member.pk, "name": member.name, "role": member.role, "email": member.email}
        for member in application.team_members.all()
    ]
    # A copy of the data: the ids of the rows saved are written into it (``note_saved``).
    data = data.copy() if data is not None else None
    return TeamMemberFormSet(data=data, initial=initial, prefix="team", application=application)


class SolutionForm(StepForm):
    themes = SelectionField(
        label=_("Challenge themes"),
        help_text=_("The urban challenges of the edition your solution answers."),
    )
    target_districts = SelectionField(
        label=_("Target districts"),
        help_text=_("The districts of this call where you would test it."),
    )
    field_order = [
        "solution_name",
        "solution_summary",
        "solution_description",
        "maturity",
        "themes",
        "target_districts",
        "site_needs",
    ]

    class Meta:
        model = Application
        # The selections (themes, target districts) are SelectionFields.
        fields = [
            "solution_name",
            "solution_summary",
            "solution_description",
            "maturity",
            "site_needs",
        ]
        widgets = {
            "solution_summary": forms.Textarea(attrs={"rows": 3}),
            "solution_description": forms.Textarea(attrs={"rows": 8}),
            "site_needs": forms.Textarea(attrs={"rows": 4}),
            "maturity": forms.RadioSelect,
        }
        help_texts = {
            "solution_summary": _("In a few sentences, at most 500 characters."),
            "solution_description": _("At most 5,000 characters."),
            "maturity": _(
                "The programme tests solutions that are not yet on the market: a prototype "
                "or a first pilot."
            ),
            "site_needs": _("Space, power, network, permissions, help from the town…"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["maturity"].choices = Maturity.choices
        self.load_selections("themes", "target_districts")
        for name in ("solution_summary", "solution_description"):
            self.fields[name].widget.attrs["maxlength"] = self.fields[name].max_length

    def clean_maturity(self):
        maturity = self.cleaned_data.get("maturity")
        if maturity == Maturity.MARKETED:
            raise ValidationError(
                _(
                    "A solution already on the market cannot apply: the programme tests "
                    "prototypes and solutions in a first pilot, not yet on the market."
                ),
                code="marketed",
            )
        return maturity


class ImpactsForm(BootstrapFieldsMixin, forms.Form):
    """One text per selection criterion of the call, kept in ``expected_impacts``."""

    def __init__(self, *args, application, **kwargs):
        self.application = application
        impacts = application.expected_impacts or {}
        self.criteria = list(application.call.criteria.all())
        initial = {criterion.code: impacts.get(criterion.code, "") for criterion in self.criteria}
        super().__init__(*args, initial=initial, **kwargs)
        for criterion in self.criteria:
            self.fields[criterion.code] = forms.CharField(
                label=criterion.name,
                help_text=criterion.description,
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                validators=[validate_no_nul],
            )

    def valid_data(self) -> dict:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        impacts = {
            code: text.strip()
            for code, text in self.cleaned_data.items()
            if code not in self.errors and isinstance(text, str)
        }
        return {"expected_impacts": impacts}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class _UploadForm(BootstrapFieldsMixin, forms.Form):
    """Each file is checked on its content; valid files are kept even beside a refused one."""

    uploads: tuple = ()  # (field name, attachment kind)

    def __init__(self, *args, application, **kwargs):
        self.application = application
        super().__init__(*args, **kwargs)
        self._valid = []

    def clean(self):
        cleaned = super().clean()
        self._valid = []
        for name, kind in self.uploads:
            files = cleaned.get(name)
            files = files if isinstance(files, list) else [files] if files else []
            errors = []
            if kind == AttachmentKind.IMAGE:
                room = MAX_IMAGES - self.existing_images
                if len(files) > room:
                    errors.append(
                        ValidationError(
                            _(
                                "You can send at most %(max)d images; you have %(count)d "
                                "already. Only the first %(room)d of these were kept."
                            )
                            % {"max": MAX_IMAGES, "count": self.existing_images, "room": room}
                        )
                    )
                    files = files[: max(room, 0)]
            for upload in files:
                try:
                    upload_check(upload, kind=kind)
                except ValidationError as error:
                    errors.append(error)
                else:
                    self._valid.append((name, kind, upload))
            if errors:
                self.add_error(name, errors)
        return cleaned

    @property
    def existing_images(self) -> int:
        return sum(
            1
            for attachment in self.application.attachments.all()
            if attachment.kind == AttachmentKind.IMAGE
        )

    def valid_uploads(self):
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return list(self._valid)


class AttachmentsForm(_UploadForm):
    uploads = (("presentation", AttachmentKind.PRESENTATION), ("images", AttachmentKind.IMAGE))

    presentation = forms.FileField(
        label=_("Presentation (PDF)"),
        required=False,
        allow_empty_file=True,
        help_text=_("A PDF of at most 10 MB. A new file replaces the previous one."),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    images = MultipleFileField(
        label=_("Images"),
        required=False,
        allow_empty_file=True,
        help_text=_("Up to 5 images, JPEG, PNG or WebP, at most 5 MB each."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class CouncilDecisionForm(_UploadForm):
    uploads = (("council_decision", AttachmentKind.COUNCIL_DECISION),)

    council_decision = forms.FileField(
        label=_("Council decision (PDF)"),
        required=False,
        allow_empty_file=True,
        help_text=_(
            "The decision of the municipal council to apply, as a PDF of at most 10 MB. "
            "A new file replaces the previous one."
        ),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class TownForm(StepForm):
    class Meta:
        model = Application
        fields = ["town_name", "town_insee_code", "town_department", "town_ept", "town_mayor"]
        widgets = {"town_department": Select, "town_ept": Select}
        help_texts = {"town_insee_code": _("Five characters, for example 93005.")}

    def clean(self):
        cleaned = super().clean()
        code, department = cleaned.get("town_insee_code"), cleaned.get("town_department")
        if code and department and not code.startswith(department):
            self.add_error(
                "town_insee_code", _("The INSEE code must start with the department number.")
            )
        return cleaned


def _range_message(label, bounds):
    return _("The %(label)s must be between %(low)s and %(high)s (Île-de-France).") % {
        "label": label,
        "low": bounds[0],
        "high": bounds[1],
    }


class DistrictForm(StepForm):
    themes = SelectionField(label=_("Challenge themes"))
    field_order = [
        "priority_challenge",
        "themes",
        "district_name",
        "district_description",
        "district_latitude",
        "district_longitude",
    ]

    class Meta:
        model = Application
        # The themes are a SelectionField.
        fields = [
            "priority_challenge",
            "district_name",
            "district_description",
            "district_latitude",
            "district_longitude",
        ]
        widgets = {
            "priority_challenge": forms.Textarea(attrs={"rows": 4}),
            "district_description": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "priority_challenge": _("The one challenge the town wants solutions for."),
            "district_latitude": _("Of the district's centre, in degrees, e.g. 48.938600."),
            "district_longitude": _("Of the district's centre, in degrees, e.g. 2.497500."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.load_selections("themes")

    def _clean_coordinate(self, name, bounds, label):
        value = self.cleaned_data.get(name)
        if value is not None and not bounds[0] <= value <= bounds[1]:
            raise ValidationError(_range_message(label, bounds), code="outside")
        return value

    def clean_district_latitude(self):
        return self._clean_coordinate("district_latitude", LATITUDE_RANGE, _("latitude"))

    def clean_district_longitude(self):
        return self._clean_coordinate("district_longitude", LONGITUDE_RANGE, _("longitude"))


class MotivationForm(StepForm):
    class Meta:
        model = Application
        fields = ["motivation", "commitments"]
        widgets = {
            "motivation": forms.Textarea(attrs={"rows": 6}),
            "commitments": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "commitments": _(
                "A referent, places to test, help with permits, communication to residents…"
            ),
        }


def _privacy_label():
    return format_html(
        '{} <a href="{}">{}</a>',
        _("I accept that my data is processed to review this application, as described in the"),
        reverse("municipalities:legal"),
        _("privacy notice"),
    )


class DeclarationsForm(StepForm):
    """The declarations; ``require=True`` when submitting."""

    class Meta:
        model = Application
        fields = ["declares_accuracy", "accepts_privacy", "consents_publication"]
        labels = {
            "declares_accuracy": _(
                "I declare that the information in this application is accurate."
            ),
            "consents_publication": _(
                "I agree that the portal shows this application publicly if it is selected "
                "(optional)."
            ),
        }

    def __init__(self, *args, require=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accepts_privacy"].label = _privacy_label()
        if require:
            self.fields["declares_accuracy"].required = True
            self.fields["declares_accuracy"].error_messages["required"] = _(
                "Tick this box to submit: the information must be accurate."
            )
            self.fields["accepts_privacy"].required = True
            self.fields["accepts_privacy"].error_messages["required"] = _(
                "Tick this box to submit: we need your consent to process the application."
            )
