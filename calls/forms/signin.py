"""Asking for a sign-in link by email."""

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.services.signin import NEXT_URL_MAX_LENGTH, is_safe_next_url


class NextURLField(forms.Field):
    """Where to go after signing in; anything unsafe is quietly dropped, never an error."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.allowed_hosts = set()
        self.require_https = False

    def clean(self, value):
        value = value if isinstance(value, str) else ""
        if len(value) > NEXT_URL_MAX_LENGTH or not is_safe_next_url(
            value, allowed_hosts=self.allowed_hosts, require_https=self.require_https
        ):
            return ""
        return value


class SignInRequestForm(forms.Form):
    # A username holds 150 characters, and the username is the lower-cased email.
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=150,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    next = NextURLField()

    def __init__(self, *args, allowed_hosts=None, require_https=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next"].allowed_hosts = set(allowed_hosts or ())
        self.fields["next"].require_https = require_https
