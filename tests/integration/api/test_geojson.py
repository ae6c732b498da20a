"""Zones and places as RFC 7946 GeoJSON: ids, media type, valid geometry in lon/lat,
counter-clockwise exterior rings, and the clause terms carried in the properties."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

import pytest
from shapely.geometry import LinearRing, shape

from tests.conftest import SCENARIO
from tests.integration.api.conftest import NOT_FOUND

pytestmark = pytest.mark.django_db

ZONE_IDS = [
    "alpha_line_approx",
    "bravo_line_approx",
    "area_of_separation_approx",
    "aol_A_0_10km",
    "aol_A_10_20km",
    "aol_A_20_25km",
    "aol_B_0_10km",
    "aol_B_10_20km",
    "aol_B_20_25km",
    "economic_zone",
    "hermon_part_approx",
]
AOL_10_LIMITS = {
    "max_personnel": 6000,
    "max_brigades": 2,
    "max_tanks": 75,
    "max_artillery_pieces": 36,
}
REGION = (34.5, 31.5, 37.5, 34.5)  # the scenario's lon/lat box
INVALID_VERSION = {
    "error": {
        "code": "invalid",
        "message": "Enter a whole number.",
        "fields": {"version": ["Enter a whole number."]},
    }
}


def _positions(coordinates: Any) -> Iterator[list[float]]:
    if isinstance(coordinates[0], int | float):
        yield coordinates
        return
    for item in coordinates:
        yield from _positions(item)


def _collection(api: Any, path: str) -> dict[str, Any]:
    response = api("il.liaison").get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body: dict[str, Any] = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    assert all(f["type"] == "Feature" for f in body["features"])
    return body


def _assert_in_region_lon_lat(geometry: dict[str, Any]) -> None:
    for position in _positions(geometry["coordinates"]):
        assert len(position) == 2
        lon, lat = position
        assert REGION[0] <= lon <= REGION[2], position
        assert REGION[1] <= lat <= REGION[3], position


def test_it_serves_exactly_the_eleven_zones(api: Any) -> None:
    features = _collection(api, "/api/v1/zones/")["features"]
    assert [f["id"] for f in features] == ZONE_IDS


def test_it_serves_valid_lon_lat_geometry_for_every_zone(api: Any) -> None:
    for feature in _collection(api, "/api/v1/zones/")["features"]:
        geometry = shape(feature["geometry"])
        assert geometry.is_valid, feature["id"]
        _assert_in_region_lon_lat(feature["geometry"])
        assert feature["bbox"] == list(geometry.bounds), feature["id"]


def test_it_winds_polygon_exteriors_counter_clockwise_and_holes_clockwise(api: Any) -> None:
    polygons = 0
    for feature in _collection(api, "/api/v1/zones/")["features"]:
        geometry = feature["geometry"]
        if geometry["type"] == "MultiPolygon":
            rings_of_polygons = geometry["coordinates"]
        elif geometry["type"] == "Polygon":
            rings_of_polygons = [geometry["coordinates"]]
        else:
            continue
        for exterior, *holes in rings_of_polygons:
            polygons += 1
            assert LinearRing(exterior).is_ccw, feature["id"]
            assert [LinearRing(h).is_ccw for h in holes] == [False] * len(holes), feature["id"]
    assert polygons == 9


def test_it_gives_both_sides_the_same_aol_10_limits(api: Any) -> None:
    features = {f["id"]: f for f in _collection(api, "/api/v1/zones/")["features"]}

    def aol_10(zone: str) -> dict[str, Any]:
        (clause,) = [c for c in features[zone]["properties"]["clauses"] if c["id"] == "AOL-10"]
        return clause

    side_a, side_b = aol_10("aol_A_0_10km"), aol_10("aol_B_0_10km")
    assert side_a == side_b
    assert side_a["limits"] == AOL_10_LIMITS
    assert (side_a["kind"], side_a["prohibited"]) == ("limit", [])


def test_it_serves_every_place_with_al_rafid_unlocated(api: Any) -> None:
    with (SCENARIO / "places.csv").open(encoding="utf-8") as f:
        expected = {row["key"] for row in csv.DictReader(f)}
    features = _collection(api, "/api/v1/places/")["features"]
    assert sorted(f["id"] for f in features) == sorted(expected)
    assert len(features) == 22
    for feature in features:
        if feature["id"] == "al_rafid":
            assert feature["geometry"] is None
            assert feature["properties"]["name"] == "Al-Rafid"  # the lexicon's name
            assert feature["properties"]["source_name"] == "al-Rafid"  # places.csv's
            continue
        assert feature["geometry"]["type"] == "Point"
        assert shape(feature["geometry"]).is_valid, feature["id"]
        _assert_in_region_lon_lat(feature["geometry"])


def test_it_places_quneitra_at_its_lon_lat(api: Any) -> None:
    features = {f["id"]: f for f in _collection(api, "/api/v1/places/")["features"]}
    assert features["quneitra"]["geometry"] == {
        "type": "Point",
        "coordinates": [35.82461, 33.12595],
    }


@pytest.mark.parametrize("path", ["/api/v1/zones/", "/api/v1/places/"])
def test_it_rejects_a_version_that_is_not_a_number_with_400(api: Any, path: str) -> None:
    response = api("il.liaison").get(path, {"version": "abc"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == INVALID_VERSION


@pytest.mark.parametrize("path", ["/api/v1/zones/", "/api/v1/places/"])
@pytest.mark.parametrize("version", ["99", "0", "-1", "99999999999999999999"])
def test_it_answers_an_unknown_version_with_404(api: Any, path: str, version: str) -> None:
    response = api("il.liaison").get(path, {"version": version})
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize("path", ["/api/v1/zones/", "/api/v1/places/"])
def test_it_serves_version_1_by_number_as_the_current_one(api: Any, path: str) -> None:
    client = api("il.liaison")
    assert client.get(path, {"version": "1"}).content == client.get(path).content
