"""INSEE codes and GeoJSON outlines typed by staff into the admin."""

import pytest
from django.core.exceptions import ValidationError

from municipalities.validators import validate_geojson_outline, validate_insee_code
from tests.factories import EditionFactory, InnovationDistrictFactory, MunicipalityFactory

# A small square around Aubervilliers town hall, longitude first.
RING = [[2.380, 48.913], [2.385, 48.913], [2.385, 48.916], [2.380, 48.916], [2.380, 48.913]]
# The same square near Meudon.
OTHER_RING = [[2.236, 48.812], [2.240, 48.812], [2.240, 48.815], [2.236, 48.812]]
POLYGON = {"type": "Polygon", "coordinates": [RING]}


def _error(value) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_geojson_outline(value)
    return caught.value


@pytest.mark.parametrize("code", ["93005", "92048", "75056", "2A004", "2B033"])
def test_insee_code_valid_accepted(code):
    validate_insee_code(code)


@pytest.mark.parametrize("code", ["9300", "930055", "9300A", "2C004", "AB123", " 93005", ""])
def test_insee_code_malformed_refused(code):
    with pytest.raises(ValidationError):
        validate_insee_code(code)


@pytest.mark.parametrize(
    "outline",
    [
        None,
        "",
        POLYGON,
        # A polygon with a hole.
        {
            "type": "Polygon",
            "coordinates": [
                RING,
                [[2.381, 48.914], [2.382, 48.914], [2.382, 48.915], [2.381, 48.914]],
            ],
        },
        {"type": "MultiPolygon", "coordinates": [[RING], [OTHER_RING]]},
        {"type": "Feature", "properties": {"name": "Centre-ville"}, "geometry": POLYGON},
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "MultiPolygon", "coordinates": [[RING]]},
        },
        # Positions may carry an altitude.
        {"type": "Polygon", "coordinates": [[[*position, 35.0] for position in RING]]},
        # Integers are numbers too.
        {"type": "Polygon", "coordinates": [[[2, 49], [3, 49], [3, 48], [2, 49]]]},
    ],
    ids=[
        "none",
        "empty",
        "polygon",
        "polygon-with-hole",
        "multipolygon",
        "feature-polygon",
        "feature-multipolygon",
        "altitude",
        "integers",
    ],
)
def test_geojson_outline_valid_accepted(outline):
    validate_geojson_outline(outline)


@pytest.mark.parametrize(
    "outline",
    [
        [RING],
        "POLYGON((2.38 48.913, 2.385 48.913, 2.385 48.916, 2.38 48.913))",
        42,
    ],
    ids=["list", "wkt-string", "number"],
)
def test_geojson_outline_not_an_object_refused(outline):
    assert _error(outline).code == "geojson_type"


@pytest.mark.parametrize(
    "outline",
    [
        {"type": "Point", "coordinates": [2.38, 48.913]},
        {"type": "LineString", "coordinates": RING},
        {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": POLYGON}]},
        {"type": "Feature", "geometry": None},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.38, 48.913]}},
        {"coordinates": [RING]},
    ],
    ids=["point", "linestring", "feature-collection", "feature-null", "feature-point", "no-type"],
)
def test_geojson_outline_wrong_type_refused(outline):
    assert _error(outline).code == "geojson_type"


def test_geojson_outline_open_ring_refused():
    error = _error({"type": "Polygon", "coordinates": [[*RING[:-1], [2.381, 48.913]]]})

    assert error.code == "geojson_ring_open"
    assert error.params == {"path": "coordinates[0]"}
    assert "coordinates[0]" in error.messages[0]


def test_geojson_outline_too_few_positions_refused():
    error = _error({"type": "Polygon", "coordinates": [[RING[0], RING[1], RING[0]]]})

    assert error.code == "geojson_ring_short"
    assert "coordinates[0]" in error.messages[0]


def test_geojson_outline_latitude_longitude_swapped_refused():
    swapped = [[latitude, longitude] for longitude, latitude in RING]

    error = _error({"type": "Polygon", "coordinates": [swapped]})

    assert error.code == "geojson_outside"
    assert error.params == {"path": "coordinates[0][0]"}
    assert "coordinates[0][0]" in error.messages[0]


def test_geojson_outline_one_position_outside_ile_de_france_refused():
    ring = [*RING[:2], [4.835, 45.764], *RING[2:]]

    error = _error({"type": "Polygon", "coordinates": [ring]})

    assert error.code == "geojson_outside"
    assert error.params == {"path": "coordinates[0][2]"}


@pytest.mark.parametrize(
    "position",
    [["2.38", "48.913"], [2.38], [2.38, None], "2.38,48.913", {"lng": 2.38, "lat": 48.913}],
    ids=["strings", "single-number", "null", "string", "object"],
)
def test_geojson_outline_non_number_position_refused(position):
    ring = [RING[0], position, *RING[2:]]

    error = _error({"type": "Polygon", "coordinates": [ring]})

    assert error.code == "geojson_position"
    assert error.params == {"path": "coordinates[0][1]"}


def test_geojson_outline_position_path_in_multipolygon_names_the_polygon():
    swapped = [[latitude, longitude] for longitude, latitude in OTHER_RING]

    error = _error({"type": "MultiPolygon", "coordinates": [[RING], [swapped]]})

    assert error.params == {"path": "coordinates[1][0][0]"}


@pytest.mark.parametrize(
    "outline",
    [
        {"type": "Polygon", "coordinates": []},
        {"type": "Polygon"},
        {"type": "Polygon", "coordinates": RING[0]},
        {"type": "MultiPolygon", "coordinates": []},
        {"type": "MultiPolygon", "coordinates": [[]]},
    ],
    ids=["polygon-empty", "polygon-missing", "polygon-flat", "multi-empty", "multi-empty-polygon"],
)
def test_geojson_outline_without_rings_refused(outline):
    assert _error(outline).code in ("geojson_rings", "geojson_ring_short")


@pytest.mark.django_db
def test_district_full_clean_invalid_outline_reported_on_outline_field():
    swapped = [[latitude, longitude] for longitude, latitude in RING]
    district = InnovationDistrictFactory.build(
        municipality=MunicipalityFactory(),
        edition=EditionFactory(),
        outline={"type": "Polygon", "coordinates": [swapped]},
    )

    with pytest.raises(ValidationError) as caught:
        district.full_clean()

    assert list(caught.value.message_dict) == ["outline"]
    assert "coordinates[0][0]" in caught.value.message_dict["outline"][0]


@pytest.mark.django_db
def test_district_full_clean_valid_outline_passes():
    district = InnovationDistrictFactory.build(
        municipality=MunicipalityFactory(), edition=EditionFactory(), outline=POLYGON
    )

    district.full_clean()
