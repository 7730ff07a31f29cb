"""The public showcase: experiments whose organisation consented, by edition, town and theme.

An experiment without a recorded consent is a 404 here, whatever its URL.
Both pages are cached for anonymous visitors (the filters are a GET form).
"""

from django import forms
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qmi_portal.cache import public_page

from ..selectors_public import (
    showcase_experiment,
    showcase_experiments,
    showcase_filter_choices,
)


class ThemeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.edition.name})"


class ShowcaseFilterForm(forms.Form):
    edition = forms.ModelChoiceField(
        label=gettext_lazy("Edition"),
        queryset=None,
        to_field_name="number",
        required=False,
        empty_label=gettext_lazy("All editions"),
    )
    town = forms.ModelChoiceField(
        label=gettext_lazy("Town"),
        queryset=None,
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("All towns"),
    )
    theme = ThemeChoiceField(
        label=gettext_lazy("Theme"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("All themes"),
    )

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = choices["editions"]
        self.fields["town"].queryset = choices["municipalities"]
        self.fields["theme"].queryset = choices["themes"]

    def filters(self) -> dict:
        """The valid filters; a wrong value is reported and left out, the rest still apply."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "edition": data.get("edition"),
            "municipality": data.get("town"),
            "theme": data.get("theme"),
        }


def _map_data(experiments) -> dict:
    """What static/js/showcase-map.js draws: one point per site, linked to its experiment."""
    return {
        "tiles": settings.MAP_TILES_URL,
        "attribution": settings.MAP_TILES_ATTRIBUTION,
        "zoom_in": _("Zoom in"),
        "zoom_out": _("Zoom out"),
        "sites": [
            {
                "lat": float(site.latitude),
                "lng": float(site.longitude),
                "name": site.name,
                "experiment": experiment.solution_name,
                "town": experiment.district.municipality.name,
                "url": experiment.public_url,
            }
            for experiment in experiments
            for site in experiment.sites.all()
        ],
    }


def _with_public_url(experiments):
    for experiment in experiments:
        experiment.public_url = reverse(
            "experiments:showcase_experiment", kwargs={"uuid": experiment.uuid}
        )
    return experiments


@public_page
def showcase(request):
    form = ShowcaseFilterForm(request.GET or None, choices=showcase_filter_choices())
    filters = form.filters() if request.GET else {}
    experiments = _with_public_url(showcase_experiments(**filters))
    return render(
        request,
        "experiments/showcase/showcase.html",
        {
            "form": form,
            "filtered": any(filters.values()),
            "experiments": experiments,
            "map_data": _map_data(experiments),
            "has_sites": any(experiment.sites.all() for experiment in experiments),
        },
    )


@public_page
def showcase_experiment_detail(request, uuid):
    experiment = showcase_experiment(uuid)
    if experiment is None:
        raise Http404
    _with_public_url([experiment])
    return render(
        request,
        "experiments/showcase/experiment_detail.html",
        {
            "experiment": experiment,
            "map_data": _map_data([experiment]),
            "has_sites": bool(experiment.sites.all()),
        },
    )
