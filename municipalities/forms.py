from django import forms
from django.utils.translation import gettext_lazy as _

from .models import InnovationDistrict, UrbanChallenge


class InnovationDistrictForm(forms.ModelForm):
    """The admin's district form: themes must belong to the district's edition."""

    class Meta:
        model = InnovationDistrict
        fields = [
            "municipality",
            "edition",
            "name",
            "priority_challenge",
            "themes",
            "description",
            "latitude",
            "longitude",
            "outline",
            "surface_hectares",
        ]

    def clean(self):
        cleaned = super().clean()
        edition = cleaned.get("edition")
        themes = cleaned.get("themes")
        if edition and themes:
            foreign = [theme.name for theme in themes if theme.edition_id != edition.pk]
            if foreign:
                self.add_error(
                    "themes",
                    _("These themes belong to another edition: %(themes)s.")
                    % {"themes": ", ".join(foreign)},
                )
        return cleaned


class UrbanChallengeForm(forms.ModelForm):
    """A theme in use by districts stays in their edition."""

    class Meta:
        model = UrbanChallenge
        fields = ["edition", "code", "name", "description", "order"]

    def clean_edition(self):
        edition = self.cleaned_data["edition"]
        if self.instance.pk and self.instance.districts.exclude(edition=edition).exists():
            raise forms.ValidationError(
                _("Districts of another edition use this theme: it cannot change edition.")
            )
        return edition
