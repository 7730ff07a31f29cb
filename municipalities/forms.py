from django import forms
from django.utils.translation import gettext_lazy as _

from .models import InnovationDistrict


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
