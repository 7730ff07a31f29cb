"""What a reviewer fills in: scores per criterion, or a conflict of interest."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from ..validators import validate_no_nul

SCORE_CHOICES = [("", _("Not scored yet"))] + [(str(value), str(value)) for value in range(6)]
COMMENT_MAX = 3000


class ScoreForm(forms.Form):
    """One 0–5 score and a comment per criterion of the call, and an overall comment.

    Criteria may be left empty and come back later; the review is complete
    once all of them have a score.
    """

    comment = forms.CharField(
        label=_("Overall comment"),
        required=False,
        max_length=5000,
        validators=[validate_no_nul],
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, criteria, scores=None, assignment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        scores = scores or {}
        fieldsets = []
        for criterion in self.criteria:
            existing = scores.get(criterion.pk)
            value_name, comment_name = self.names(criterion)
            self.fields[value_name] = forms.TypedChoiceField(
                label=_("Score (0 to 5)"),
                choices=SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                initial=str(existing.value) if existing else "",
                help_text=criterion.description,
            )
            self.fields[comment_name] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=COMMENT_MAX,
                validators=[validate_no_nul],
                initial=existing.comment if existing else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            legend = _("%(criterion)s (weight %(weight)s)") % {
                "criterion": criterion.name,
                "weight": f"{criterion.weight.normalize():f}",
            }
            fieldsets.append(Fieldset(legend, value_name, comment_name, css_class="mb-3"))
        if assignment is not None:
            self.fields["comment"].initial = assignment.comment
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*fieldsets, Div("comment"))

    @staticmethod
    def names(criterion) -> tuple[str, str]:
        return f"score_{criterion.pk}", f"comment_{criterion.pk}"

    def scores(self) -> dict:
        """{criterion: (value or None, comment)} for the service."""
        result = {}
        for criterion in self.criteria:
            value_name, comment_name = self.names(criterion)
            result[criterion] = (self.cleaned_data[value_name], self.cleaned_data[comment_name])
        return result


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you cannot review this application"),
        help_text=_(
            "For example: you know the team, you work with a competitor, you advised them. "
            "Only Paris&Co staff read it."
        ),
        max_length=1000,
        validators=[validate_no_nul],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
