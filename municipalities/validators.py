"""Validators of programme data, with messages in the user's language."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# Île-de-France, with a margin: a district point outside it is a typing mistake.
LATITUDE_RANGE = (48.0, 49.3)
LONGITUDE_RANGE = (1.4, 3.6)

validate_insee_code = RegexValidator(
    r"^(2[AB]|[0-9]{2})[0-9]{3}$",
    _("An INSEE code has five characters, for example 93005 for Aulnay-sous-Bois."),
)


def _check_position(position, path):
    if (
        not isinstance(position, list | tuple)
        or len(position) < 2
        or not all(isinstance(value, int | float) for value in position[:2])
    ):
        raise ValidationError(
            _("%(path)s must be a [longitude, latitude] pair of numbers."),
            params={"path": path},
            code="geojson_position",
        )
    longitude, latitude = position[0], position[1]
    if not (
        LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]
        and LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]
    ):
        raise ValidationError(
            _(
                "%(path)s is outside Île-de-France; GeoJSON puts the longitude first, "
                "then the latitude."
            ),
            params={"path": path},
            code="geojson_outside",
        )


def _check_polygon(rings, path):
    if not isinstance(rings, list) or not rings:
        raise ValidationError(
            _("%(path)s must be a list of linear rings."),
            params={"path": path},
            code="geojson_rings",
        )
    for ring_index, ring in enumerate(rings):
        ring_path = f"{path}[{ring_index}]"
        if not isinstance(ring, list) or len(ring) < 4:
            raise ValidationError(
                _("%(path)s must have at least four positions."),
                params={"path": ring_path},
                code="geojson_ring_short",
            )
        for position_index, position in enumerate(ring):
            _check_position(position, f"{ring_path}[{position_index}]")
        if list(ring[0]) != list(ring[-1]):
            raise ValidationError(
                _("%(path)s must end where it starts (a closed ring)."),
                params={"path": ring_path},
                code="geojson_ring_open",
            )


def validate_geojson_outline(value):
    """Accept a GeoJSON Polygon or MultiPolygon, bare or inside a Feature."""
    if value in (None, ""):
        return
    if not isinstance(value, dict):
        raise ValidationError(_("The outline must be a GeoJSON object."), code="geojson_type")
    geometry = value.get("geometry") if value.get("type") == "Feature" else value
    if not isinstance(geometry, dict) or geometry.get("type") not in (
        "Polygon",
        "MultiPolygon",
    ):
        raise ValidationError(
            _("The outline must be a GeoJSON Polygon or MultiPolygon."),
            code="geojson_type",
        )
    coordinates = geometry.get("coordinates")
    if geometry["type"] == "Polygon":
        _check_polygon(coordinates, "coordinates")
        return
    if not isinstance(coordinates, list) or not coordinates:
        raise ValidationError(
            _("A MultiPolygon must hold at least one polygon."), code="geojson_rings"
        )
    for index, polygon in enumerate(coordinates):
        _check_polygon(polygon, f"coordinates[{index}]")
