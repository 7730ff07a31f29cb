"""A town's opinion on a shortlisted application (co-selection)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..enums import Opinion
from ..validators import validate_no_nul


class OpinionForm(forms.Form):
    opinion = forms.ChoiceField(
        label=_("Your opinion"), choices=Opinion.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        help_text=_("What Paris&Co should know: fit with the district, sites, conditions."),
        required=False,
        max_length=3000,
        validators=[validate_no_nul],
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
