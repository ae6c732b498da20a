"""The one normaliser of incoming geometries: numbers only, in range, valid, a clean copy."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordcell.rules.geojson_input import (
    GEOMETRY_TYPES,
    MESSAGES,
    GeometryError,
    normalise_geometry,
)

SQUARE = [[35.8, 33.1], [35.9, 33.1], [35.9, 33.2], [35.8, 33.2], [35.8, 33.1]]
BOWTIE = [[35.8, 33.1], [35.9, 33.2], [35.9, 33.1], [35.8, 33.2], [35.8, 33.1]]

VALID = {
    "Point": [35.8, 33.1],
    "LineString": [[35.8, 33.1], [35.9, 33.2]],
    "Polygon": [SQUARE],
    "MultiPoint": [[35.8, 33.1], [35.9, 33.2]],
    "MultiLineString": [[[35.8, 33.1], [35.9, 33.2]], [[35.7, 33.0], [35.6, 33.0]]],
    "MultiPolygon": [[SQUARE], [[[36.0, 33.0], [36.1, 33.0], [36.1, 33.1], [36.0, 33.0]]]],
}


def _refusal(value: Any, **options: Any) -> GeometryError:
    with pytest.raises(GeometryError) as caught:
        normalise_geometry(value, **options)
    return caught.value


def test_it_knows_every_type_it_promises() -> None:
    assert set(VALID) == set(GEOMETRY_TYPES)


@pytest.mark.parametrize("gtype", GEOMETRY_TYPES)
def test_it_returns_a_new_equal_geometry_of_every_supported_type(gtype: str) -> None:
    given_ = {"type": gtype, "coordinates": copy.deepcopy(VALID[gtype])}
    kept = copy.deepcopy(given_)
    clean = normalise_geometry(given_)
    assert clean == kept
    assert clean is not given_
    assert clean["coordinates"] is not given_["coordinates"]
    clean["coordinates"].clear()  # the caller's object is never shared or changed
    assert given_ == kept


def test_it_turns_integers_into_floats_and_keeps_an_altitude() -> None:
    clean = normalise_geometry({"type": "Point", "coordinates": [36, 33, 410]})
    assert clean == {"type": "Point", "coordinates": [36.0, 33.0, 410.0]}
    assert [type(v) for v in clean["coordinates"]] == [float, float, float]


def test_it_drops_the_bbox_and_refuses_other_members() -> None:
    point = {"type": "Point", "coordinates": [35.8, 33.1]}
    assert normalise_geometry({**point, "bbox": [35.8, 33.1, 35.8, 33.1]}) == point
    error = _refusal({**point, "crs": {"type": "name"}})
    assert (error.code, str(error)) == (
        "unknown_member",
        'Unknown member "crs" in the geometry: give only "type" and "coordinates".',
    )
    dropped = normalise_geometry({**point, "crs": {}, "id": 3}, foreign_members="drop")
    assert dropped == point


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        (None, "not_object", "The geometry must be a JSON object."),
        ([35.8, 33.1], "not_object", "The geometry must be a JSON object."),
        ({"coordinates": [35.8, 33.1]}, "unknown_type",
         "Geometry type null is not supported; use Point, LineString, Polygon, MultiPoint, "
         "MultiLineString or MultiPolygon."),
        ({"type": "point", "coordinates": [35.8, 33.1]}, "unknown_type",
         'Geometry type "point" is not supported; use Point, LineString, Polygon, MultiPoint, '
         "MultiLineString or MultiPolygon."),
        ({"type": "Point"}, "not_position",
         "coordinates is not a position [longitude, latitude]: null."),
        ({"type": "Point", "coordinates": [35.8]}, "not_position",
         "coordinates is not a position [longitude, latitude]: [35.8]."),
        ({"type": "Point", "coordinates": [35.8, 33.1, 0, 0]}, "not_position",
         "coordinates is not a position [longitude, latitude]: [35.8, 33.1, 0, 0]."),
        ({"type": "Point", "coordinates": ["35.8", "33.1"]}, "not_number",
         'coordinates[0] must be a number, not "35.8".'),
        ({"type": "Point", "coordinates": [35.8, False]}, "not_number",
         "coordinates[1] must be a number, not false."),
        ({"type": "Point", "coordinates": [35.8, {"lat": 33.1}]}, "not_number",
         'coordinates[1] must be a number, not {"lat": 33.1}.'),
        ({"type": "Point", "coordinates": [math.inf, 33.1]}, "not_finite",
         "coordinates[0] must be a finite number, not Infinity."),
        ({"type": "Point", "coordinates": [35.8, math.nan]}, "not_finite",
         "coordinates[1] must be a finite number, not NaN."),
        ({"type": "Point", "coordinates": [10**400, 33.1]}, "not_finite",
         "coordinates[0] must be a finite number, not 1" + "0" * 56 + "...."),
        ({"type": "Point", "coordinates": [-180.5, 33.1]}, "longitude_range",
         "Longitude -180.5 at coordinates is outside [-180, 180]."),
        ({"type": "MultiPoint", "coordinates": [[35.8, 33.1], [35.8, 90.25]]}, "latitude_range",
         "Latitude 90.25 at coordinates[1] is outside [-90, 90]."),
        ({"type": "LineString", "coordinates": [[35.8, 33.1]]}, "line_too_short",
         "The line at coordinates has 1 position(s); at least 2 are needed."),
        ({"type": "LineString", "coordinates": {"0": [35.8, 33.1]}}, "not_array",
         'coordinates must be an array, not {"0": [35.8, 33.1]}.'),
        ({"type": "Polygon", "coordinates": []}, "too_few_parts",
         "coordinates has no parts; at least 1 is needed."),
        ({"type": "MultiPolygon", "coordinates": []}, "too_few_parts",
         "coordinates has no parts; at least 1 is needed."),
        ({"type": "Polygon", "coordinates": [SQUARE[:2] + SQUARE[:1]]}, "ring_too_short",
         "The ring at coordinates[0] has 3 positions; a ring needs at least 4 (the first "
         "repeated as the last)."),
        ({"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE[:-1]]]}, "ring_not_closed",
         "The ring at coordinates[1][0] is not closed: its first position [35.8, 33.1] differs "
         "from its last [35.8, 33.2]."),
        ({"type": "Polygon", "coordinates": [BOWTIE]}, "invalid",
         "The geometry is not valid: Self-intersection[35.85 33.15]."),
        ({"type": "LineString", "coordinates": [[35.8, 33.1], [35.8, 33.1]]}, "invalid",
         "The geometry is not valid: Too few points in geometry component[35.8 33.1]."),
        ({"type": "MultiPoint", "coordinates": [[35.8, 33.1]] * 11}, "too_many_positions",
         "The geometry has more than 10 positions."),
    ],
)  # fmt: skip
def test_it_refuses_what_is_not_a_valid_geometry_saying_what_and_where(
    value: Any, code: str, message: str
) -> None:
    error = _refusal(value, max_positions=10)
    assert (error.code, str(error)) == (code, message)
    assert MESSAGES[code] % error.params == message


def test_a_long_array_is_shown_by_its_first_items() -> None:
    error = _refusal({"type": "Point", "coordinates": list(range(100))})
    assert str(error) == (
        "coordinates is not a position [longitude, latitude]: [0, 1, 2, 3, 4, 5, 6, 7, ...]."
    )


def test_validity_can_be_left_to_the_engine() -> None:
    bowtie = {"type": "Polygon", "coordinates": [BOWTIE]}
    assert normalise_geometry(bowtie, check_validity=False) == bowtie


def test_it_counts_positions_across_parts_and_rings() -> None:
    polygon = {"type": "MultiPolygon", "coordinates": [[SQUARE, SQUARE], [SQUARE]]}  # 15
    assert normalise_geometry(polygon, max_positions=15, check_validity=False)
    assert _refusal(polygon, max_positions=14, check_validity=False).code == "too_many_positions"


def test_nesting_deeper_than_the_type_is_refused_not_followed() -> None:
    deep: Any = [35.8, 33.1]
    for _ in range(10_000):  # far beyond the interpreter's recursion limit
        deep = [deep]
    error = _refusal({"type": "MultiPoint", "coordinates": deep})
    assert error.code == "not_position"


@given(
    st.floats(min_value=-180, max_value=180, allow_nan=False),
    st.floats(min_value=-90, max_value=90, allow_nan=False),
)
def test_any_position_in_range_comes_back_unchanged(lon: float, lat: float) -> None:
    clean = normalise_geometry({"type": "Point", "coordinates": [lon, lat]})
    assert clean == {"type": "Point", "coordinates": [lon, lat]}
