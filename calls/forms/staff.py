"""Forms of Paris&Co staff: the admin's intermediate pages of the application actions."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import ApplicationStatus as S
from ..models import DeadlineExtension
from ..selectors import open_review_count_expression, reviewers_available
from ..validators import validate_no_nul

REASON_MAX = 2000


def _reason_field(required: bool, label=None):
    return forms.CharField(
        label=label or _("Reason"),
        required=required,
        max_length=REASON_MAX,
        validators=[validate_no_nul],
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Kept in the application's history."),
    )


class ScreenForm(forms.Form):
    """Screening: eligible, or ineligible with a reason."""

    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[(S.ELIGIBLE, S.ELIGIBLE.label), (S.INELIGIBLE, S.INELIGIBLE.label)],
        widget=forms.RadioSelect,
    )
    reason = _reason_field(required=False)

    def clean(self):
        data = super().clean()
        if data.get("status") == S.INELIGIBLE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Please give the reason why these are ineligible."))
        return data


class ReasonForm(forms.Form):
    """A decision that needs a reason (rejection)."""

    reason = _reason_field(required=True)


class SelectForm(forms.Form):
    """For each application to select, the district it is selected for."""

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.applications = list(applications)
        self.rows = []
        for application in self.applications:
            name = f"district_{application.pk}"
            if application.call.is_for_municipalities:
                self.rows.append((application, None))
                continue
            targets = list(application.target_districts.all())
            initial = application.selected_district_id or (
                targets[0].pk if len(targets) == 1 else None
            )
            self.fields[name] = forms.TypedChoiceField(
                label=_("District for %(application)s") % {"application": application},
                choices=[("", _("Choose a district"))]
                + [(district.pk, district.municipality.name) for district in targets],
                coerce=int,
                initial=initial,
                error_messages={"required": _("Choose the district it is selected for.")},
            )
            self.rows.append((application, self[name]))

    def districts(self) -> dict:
        """{application pk: district} of the chosen districts."""
        chosen = {}
        for application in self.applications:
            pk = self.cleaned_data.get(f"district_{application.pk}")
            if pk:
                chosen[application.pk] = next(
                    district for district in application.target_districts.all() if district.pk == pk
                )
        return chosen


class AssignReviewersForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers to draw from"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each application gets reviewers from this list, least-loaded first."),
    )
    per_application = forms.IntegerField(
        label=_("Reviewers per application"), min_value=1, max_value=10, initial=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = reviewers_available().annotate(
            open_reviews=open_review_count_expression()
        )
        self.fields["reviewers"].label_from_instance = _reviewer_label


def _reviewer_label(user):
    name = user.get_full_name() or user.username
    if user.email:
        name = f"{name} <{user.email}>"
    return _("%(name)s – %(count)s reviews to do") % {
        "name": name,
        "count": getattr(user, "open_reviews", 0),
    }


class DeadlineExtensionForm(forms.ModelForm):
    class Meta:
        model = DeadlineExtension
        fields = ["until", "reason"]

    def clean_until(self):
        until = self.cleaned_data["until"]
        if "until" in self.changed_data and until <= timezone.now():
            raise ValidationError(_("An extension must end in the future."))
        return until
