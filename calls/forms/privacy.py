"""The applicant asks for the erasure of their data."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureRequestForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand that my applications, their files and my account will be erased "
            "or anonymised, and that this cannot be undone."
        ),
        error_messages={"required": _("Tick this box to confirm that you want your data erased.")},
    )
