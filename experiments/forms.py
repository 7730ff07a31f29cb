"""Forms of the experimenter's pages and of the experiments admin.

The forms check the shape of what is typed; the rules (dates inside the
experiment, units, the evaluation grid…) live in the services, which the admin
forms call in ``clean`` so an error shows next to its field.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.validators import validate_no_nul

from .enums import ExperimentStatus as S
from .enums import Outcome
from .models import (
    Evaluation,
    ExperimentSite,
    Indicator,
    Measurement,
    Milestone,
    OutcomeUpdate,
    ReportComment,
)
from .services.lifecycle import (
    REASON_REQUIRED,
    TRANSITIONS,
    indicator_validate,
    measurement_validate,
    milestone_validate,
    site_validate,
)
from .services.reports import evaluation_validate, outcome_update_validate

TEXT_MAX = 10000


def _date_field(label, *, required=False, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _text_field(label, *, help_text="", rows=5):
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_MAX,
        validators=[validate_no_nul],
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _helper(layout=None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


# --- The experimenter's pages ----------------------------------------------------


class ProgressReportForm(forms.Form):
    """A progress report: the period, three texts, a value per indicator, a photo.

    Nothing is required to save a draft; ``valid_data`` gives what can be
    saved. Measurement fields are named ``indicator_<pk>_<field>``.
    """

    period_start = _date_field(_("Period from"))
    period_end = _date_field(_("Period to"))
    work_done = _text_field(
        _("What was done"),
        help_text=_("Installations, users reached, meetings, events over the period."),
    )
    difficulties = _text_field(
        _("Difficulties"), help_text=_("What slowed you down; what you need from the town.")
    )
    next_steps = _text_field(_("Next steps"), rows=3)
    photo = forms.FileField(
        label=_("Add a photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, 5 MB at most. Only Paris&Co and the town see it."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    photo_caption = forms.CharField(label=_("Caption of the photo"), required=False, max_length=200)

    MEASUREMENT_FIELDS = ("value", "unit", "measured_on", "source")

    def __init__(self, *args, report, indicators, **kwargs):
        self.report = report
        self.indicators = list(indicators)
        existing = {m.indicator_id: m for m in report.measurements.all()}
        initial = {
            "period_start": report.period_start,
            "period_end": report.period_end,
            "work_done": report.work_done,
            "difficulties": report.difficulties,
            "next_steps": report.next_steps,
        }
        default_day = min(report.period_end, timezone.localdate())
        for indicator in self.indicators:
            measurement = existing.get(indicator.pk)
            initial |= {
                self.name(indicator, "value"): measurement.value if measurement else None,
                self.name(indicator, "unit"): indicator.unit,
                self.name(indicator, "measured_on"): (
                    measurement.measured_on if measurement else default_day
                ),
                self.name(indicator, "source"): measurement.source if measurement else "",
            }
        super().__init__(*args, initial=initial | kwargs.pop("initial", {}), **kwargs)
        fieldsets = []
        for indicator in self.indicators:
            names = [self.name(indicator, part) for part in self.MEASUREMENT_FIELDS]
            value, unit, measured_on, source = names
            label = indicator.name
            self.fields[value] = forms.DecimalField(
                label=_("Value of “%(indicator)s”") % {"indicator": label},
                required=False,
                max_digits=14,
                decimal_places=3,
                localize=True,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                help_text=_(
                    "Baseline %(baseline)s, target %(target)s. Leave empty if not measured."
                )
                % {
                    "baseline": _decimal(indicator.baseline),
                    "target": _decimal(indicator.target),
                },
            )
            self.fields[unit] = forms.CharField(
                label=_("Unit of “%(indicator)s”") % {"indicator": label},
                required=False,
                max_length=40,
            )
            self.fields[measured_on] = _date_field(
                _("Date of the measurement of “%(indicator)s”") % {"indicator": label}
            )
            self.fields[source] = forms.CharField(
                label=_("Source of “%(indicator)s”") % {"indicator": label},
                required=False,
                max_length=300,
                help_text=_("Meter, count, survey…"),
            )
            legend = _("%(indicator)s (%(unit)s)") % {"indicator": label, "unit": indicator.unit}
            fieldsets.append(
                Fieldset(
                    legend,
                    Div(
                        Div(value, css_class="col-sm-6 col-lg-3"),
                        Div(unit, css_class="col-sm-6 col-lg-2"),
                        Div(measured_on, css_class="col-sm-6 col-lg-3"),
                        Div(source, css_class="col-sm-6 col-lg-4"),
                        css_class="row",
                    ),
                    css_class="measurement mb-3",
                )
            )
        measurements = (
            [
                Fieldset(_("Measurements"), *fieldsets, css_class="measurements"),
            ]
            if fieldsets
            else [
                HTML(
                    '<p class="text-body-secondary">'
                    + str(_("No indicator yet: Paris&Co sets them with you."))
                    + "</p>"
                )
            ]
        )
        self.helper = _helper(
            Layout(
                Fieldset(
                    _("Period"),
                    Div(
                        Div("period_start", css_class="col-sm-6"),
                        Div("period_end", css_class="col-sm-6"),
                        css_class="row",
                    ),
                ),
                "work_done",
                "difficulties",
                "next_steps",
                *measurements,
                Fieldset(_("Photos"), "photo", "photo_caption"),
            )
        )

    @staticmethod
    def name(indicator, part: str) -> str:
        return f"indicator_{indicator.pk}_{part}"

    def valid_data(self) -> dict:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if key not in self.errors}

    def measurement_inputs(self):
        """One input per indicator whose fields are all well formed; the others are left
        alone (a typing error never removes a saved value)."""
        from .services.reports import MeasurementInput

        data = self.valid_data()
        inputs = []
        for indicator in self.indicators:
            names = {part: self.name(indicator, part) for part in self.MEASUREMENT_FIELDS}
            if any(name in self.errors for name in names.values()):
                continue
            inputs.append(
                MeasurementInput(
                    indicator=indicator,
                    value=data.get(names["value"]),
                    measured_on=data.get(names["measured_on"]),
                    source=data.get(names["source"]) or "",
                    unit=data.get(names["unit"]) or None,
                )
            )
        return inputs


def _decimal(value) -> str:
    from django.utils.formats import number_format

    return number_format(value.normalize() if value is not None else value)


class MilestoneDoneForm(forms.Form):
    """The experimenter marks one of their milestones done."""

    done_date = _date_field(_("Done on"), required=True)
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=2000,
        validators=[validate_no_nul],
        help_text=_("A link, a document name, a short note."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, milestone, **kwargs):
        self.milestone = milestone
        kwargs.setdefault("prefix", f"milestone-{milestone.pk}")
        kwargs.setdefault("initial", {"done_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.helper = _helper()


# --- Admin -----------------------------------------------------------------------


def _raise_on_fields(form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the form's fields (or on top)."""
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


class ExperimentStatusForm(forms.Form):
    """The admin's "change status" page: the statuses the table allows, a reason."""

    status = forms.ChoiceField(label=_("New status"), choices=S.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        validators=[validate_no_nul],
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Required to suspend or abandon; kept in the experiment's history."),
    )

    def __init__(self, *args, experiments=(), **kwargs):
        super().__init__(*args, **kwargs)
        current = {experiment.status for experiment in experiments}
        reachable = set().union(*(TRANSITIONS.get(status, set()) for status in current))
        choices = [(value, label) for value, label in S.choices if value in reachable]
        if choices:
            self.fields["status"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("status") in REASON_REQUIRED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Please give a reason."))
        return data


class MilestoneAdminForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["name", "code", "order", "due_date", "done_date", "owner", "evidence"]
        widgets = {"evidence": forms.Textarea(attrs={"rows": 2, "cols": 40})}

    def clean(self):
        data = super().clean()
        candidate = Milestone(**{key: data.get(key) for key in ("name", "due_date", "done_date")})
        try:
            milestone_validate(milestone=candidate)
        except ValidationError as error:
            _raise_on_fields(self, error)
        return data


class IndicatorAdminForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "unit", "baseline", "target", "direction", "order"]

    def clean(self):
        data = super().clean()
        candidate = Indicator(
            pk=self.instance.pk,
            **{key: data.get(key) for key in ("name", "unit", "baseline", "target", "direction")},
        )
        try:
            indicator_validate(indicator=candidate)
        except ValidationError as error:
            _raise_on_fields(self, error)
        return data


class MeasurementAdminForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["indicator", "measured_on", "value", "source", "report"]

    def clean(self):
        data = super().clean()
        if data.get("indicator") is not None:
            try:
                measurement_validate(
                    indicator=data["indicator"],
                    measured_on=data.get("measured_on"),
                    value=data.get("value"),
                )
            except ValidationError as error:
                _raise_on_fields(self, error)
        return data


class SiteAdminForm(forms.ModelForm):
    class Meta:
        model = ExperimentSite
        fields = ["name", "address", "latitude", "longitude"]

    def clean(self):
        data = super().clean()
        site = ExperimentSite(
            **{key: data.get(key) for key in ("name", "address", "latitude", "longitude")}
        )
        try:
            site_validate(site=site)
        except ValidationError as error:
            _raise_on_fields(self, error)
        return data

    def _post_clean(self):
        # The rules above say it better than the model's range validators.
        try:
            super()._post_clean()
        finally:
            for name in ("latitude", "longitude"):
                errors = self.errors.get(name)
                if errors and len(errors) > 1:
                    del errors[1:]


class EvaluationAdminForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = [
            "experiment",
            "utility",
            "sustainable_development",
            "sobriety",
            "resilience",
            "quality_of_life",
            "feasibility",
            "user_feedback",
            "conclusion",
            "outcome",
            "buyer",
            "evaluated_on",
        ]

    def clean(self):
        data = super().clean()
        experiment = data.get("experiment") or (
            self.instance.experiment if self.instance.experiment_id else None
        )
        if experiment is not None:
            try:
                evaluation_validate(
                    experiment=experiment,
                    values={**data, "buyer": data.get("buyer") or ""},
                    today=timezone.localdate(),
                )
            except ValidationError as error:
                _raise_on_fields(self, error)
        return data


class OutcomeUpdateAdminForm(forms.ModelForm):
    class Meta:
        model = OutcomeUpdate
        fields = ["experiment", "recorded_on", "outcome", "buyer", "note"]

    outcome = forms.ChoiceField(label=_("outcome"), choices=Outcome.choices)

    def clean(self):
        data = super().clean()
        if data.get("experiment") is not None:
            try:
                outcome_update_validate(
                    experiment=data["experiment"],
                    outcome=data.get("outcome") or "",
                    buyer=data.get("buyer") or "",
                    recorded_on=data.get("recorded_on"),
                    today=timezone.localdate(),
                )
            except ValidationError as error:
                _raise_on_fields(self, error)
        return data


class ReportCommentAdminForm(forms.ModelForm):
    class Meta:
        model = ReportComment
        fields = ["body"]
