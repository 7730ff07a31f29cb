"""Public pages of the programme, and the municipality staff's own page."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext

from calls.selectors import calls_open_or_upcoming
from experiments.selectors_public import edition_figures, events_public_upcoming
from qmi_portal.cache import public_page

from . import dashboard, selectors
from .models import Edition, Municipality, Partner


@public_page
def home(request):
    return render(
        request,
        "municipalities/home.html",
        {
            "figures": selectors.programme_figures(),
            "calls": calls_open_or_upcoming(),
            "editions": selectors.editions_with_figures(),
            "municipalities": selectors.municipalities_with_districts(),
            "events": events_public_upcoming(),
        },
    )


@public_page
def edition_list(request):
    return render(
        request,
        "municipalities/edition_list.html",
        {"editions": selectors.editions_with_figures()},
    )


@public_page
def edition_detail(request, number):
    edition = get_object_or_404(Edition, number=number)
    return render(
        request,
        "municipalities/edition_detail.html",
        {
            "edition": edition,
            "districts": selectors.districts_of_edition(edition),
            "challenges": edition.challenges.all(),
            "calls": edition.calls.order_by("opens_at"),
            "figures": edition_figures(edition),
        },
    )


@public_page
def municipality_list(request):
    return render(
        request,
        "municipalities/municipality_list.html",
        {"municipalities": selectors.municipalities_with_districts()},
    )


@public_page
def municipality_detail(request, slug):
    municipality = get_object_or_404(Municipality, slug=slug)
    districts = list(selectors.municipality_districts(municipality))
    return render(
        request,
        "municipalities/municipality_detail.html",
        {
            "municipality": municipality,
            "districts": districts,
            "map_data": _map_data(districts),
        },
    )


@public_page
def partner_list(request):
    return render(request, "municipalities/partner_list.html", {"partners": Partner.objects.all()})


@public_page
def legal(request):
    return render(request, "municipalities/legal.html")


# The day the accessibility statement was drawn up; change it when the statement is reviewed.
ACCESSIBILITY_STATEMENT_DATE = dt.date(2026, 11, 23)


@public_page
def accessibility(request):
    return render(
        request,
        "municipalities/accessibility.html",
        {"statement_date": ACCESSIBILITY_STATEMENT_DATE},
    )


@login_required
def my_municipality(request):
    """Municipality staff's page: the dashboard of their own districts (dashboard.py)."""
    return dashboard.home(request)


def _map_data(districts):
    """What static/js/district-map.js draws: points, outlines, tiles if any."""
    return {
        "tiles": settings.MAP_TILES_URL,
        "attribution": settings.MAP_TILES_ATTRIBUTION,
        "zoom_in": gettext("Zoom in"),
        "zoom_out": gettext("Zoom out"),
        "districts": [
            {
                "id": district.pk,
                "name": district.name,
                "edition": district.edition.name,
                "lat": float(district.latitude),
                "lng": float(district.longitude),
                "outline": district.outline,
            }
            for district in districts
        ],
    }
