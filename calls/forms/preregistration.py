"""The pre-registration form of an upcoming call."""

from django import forms
from django.conf import settings
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

from calls.models import Call

CONSENT_TEXT = _(
    "I agree that Paris&Co keeps my email address to tell me when the call “%(call)s” "
    "opens, and for nothing else. Every email has a link to unsubscribe, which deletes "
    "my address."
)


class PreRegistrationForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    language = forms.ChoiceField(
        label=_("Language of the emails"),
        choices=[
            (code, get_language_info(code)["name_local"].capitalize())
            for code, _name in settings.LANGUAGES
        ],
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Please tick this box to pre-register.")},
    )

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
        if language in dict(settings.LANGUAGES):
            self.fields["language"].initial = language
        self.fields["consent"].label = self.consent_text

    @property
    def consent_text(self) -> str:
        """The consent exactly as shown, in the visitor's language: it is recorded."""
        return str(CONSENT_TEXT) % {"call": self.call.title}
