"""GeoJSON FeatureCollections: kinds, times, geometry checks and file-level errors."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
from collections.abc import Callable
from typing import Any

import pytest

from coordcell.interop import (
    UCDP_ATTRIBUTION,
    ImportReport,
    InputError,
    ObservationRow,
    RowError,
    read_geojson,
)

from .conftest import FIXTURES, reference

Write = Callable[[str, str | bytes], pathlib.Path]
POINT = {"type": "Point", "coordinates": [35.824, 33.125]}


def _collection(*features: dict[str, Any]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def _feature(geometry: object = POINT, **properties: object) -> dict[str, Any]:
    props: dict[str, object] = {"kind": "military_presence", "time": "2026-03-01"}
    props.update(properties)
    return {"type": "Feature", "geometry": geometry, "properties": props}


def _one(write: Write, feature: object) -> ObservationRow | RowError:
    (item,) = list(read_geojson(write("one.geojson", _collection(feature))))  # type: ignore[arg-type]
    return item


def _reason(write: Write, feature: object) -> str:
    item = _one(write, feature)
    assert isinstance(item, RowError), item
    return item.reason


def test_it_reads_the_observations_fixture() -> None:
    report = ImportReport()
    rows = list(report.track(read_geojson(FIXTURES / "observations.geojson")))
    assert report.summary() == "4 read, 4 accepted, 0 rejected"
    flight, area, clash, posts = rows
    assert flight.source == "geojson"
    assert flight.source_id == "flight-1"
    assert flight.line == 0
    assert flight.kind == "overflight"
    assert flight.geometry["type"] == "LineString"
    assert flight.time_start == dt.datetime.fromisoformat("2026-03-01T10:15:00+03:00")
    assert flight.time_end == dt.datetime.fromisoformat("2026-03-01T10:40:00+03:00")
    assert flight.attribution == "Invented features for coordcell tests"
    assert flight.attributes == {
        "kind": "overflight",
        "time": "2026-03-01T10:15:00+03:00/2026-03-01T10:40:00+03:00",
        "altitude_band": "low",
    }
    assert (area.kind, area.uncertainty_m, area.time_start) == (
        "shelling_artillery",
        500.0,
        dt.date(2026, 3, 2),
    )
    assert clash.source_id == "3"
    assert clash.kind == "armed_clash"
    assert (clash.time_start, clash.time_end) == (dt.date(2026, 3, 3), dt.date(2026, 3, 4))
    assert clash.attribution == "Liaison report L-3 (invented)"
    assert posts.source_id == ""
    assert posts.geometry["type"] == "MultiPolygon"
    assert posts.time_start == posts.time_end == dt.datetime(2026, 3, 5, 6, tzinfo=dt.UTC)
    assert posts.attributes["notes"] == '{"posts":2}'
    assert posts.attributes["confirmed"] == "true"
    assert posts.attributes["source_note"] == ""
    assert all(r.uncertainty_m >= 0 and r.location_precision is None for r in rows)


def test_it_reports_an_unclosed_polygon_and_keeps_the_other_feature() -> None:
    report = ImportReport()
    rows = list(report.track(read_geojson(FIXTURES / "unclosed_polygon.geojson")))
    assert [r.source_id for r in rows] == ["ok-point"]
    assert (report.read, report.accepted, report.rejected) == (2, 1, 1)
    assert report.errors == [
        RowError(
            1,
            "open-ring",
            "The ring at coordinates[0] is not closed: its first position [35.8, 33.05] differs "
            "from its last [35.8, 33.1].",
            "bad_geometry",
        )
    ]


def test_it_reads_the_real_ucdp_sample_as_geojson() -> None:
    report = ImportReport()
    rows = list(report.track(read_geojson(reference("ucdp_ged231_sample_levant.geojson"))))
    assert (report.read, report.accepted, report.rejected) == (106, 106, 0)
    assert all(r.attribution == UCDP_ATTRIBUTION for r in rows)
    assert {r.kind for r in rows} == {"armed_clash", "attack_on_civilians"}
    assert all(r.location_precision is not None and r.uncertainty_m > 0 for r in rows)
    assert rows[0].source_id == "178557"
    assert rows[0].time_start == dt.date(1994, 3, 17)
    assert len(rows[0].attributes) == 49


@pytest.mark.parametrize(
    ("geometry", "reason"),
    [
        (None, "feature has no geometry"),
        (
            {"type": "GeometryCollection", "geometries": []},
            'Geometry type "GeometryCollection" is not supported',
        ),
        ({"type": "Point", "coordinates": [35.8]}, "coordinates is not a position"),
        (
            {"type": "Point", "coordinates": [35.8, 911]},
            "Latitude 911 at coordinates is outside [-90, 90]",
        ),
        (
            {"type": "Point", "coordinates": [181, 33]},
            "Longitude 181 at coordinates is outside [-180, 180]",
        ),
        (
            {"type": "Point", "coordinates": ["35.8", "33.1"]},
            'coordinates[0] must be a number, not "35.8"',
        ),
        (
            {"type": "LineString", "coordinates": [[35.8, 33.1]]},
            "line at coordinates has 1 position(s)",
        ),
        (
            {"type": "Polygon", "coordinates": [[[35.8, 33.1], [35.9, 33.1], [35.8, 33.1]]]},
            "ring at coordinates[0] has 3 positions; a ring needs at least 4",
        ),
        (
            {
                "type": "MultiPolygon",
                "coordinates": [
                    [[[35.8, 33.1], [35.9, 33.1], [35.9, 33.2], [35.8, 33.1]]],
                    [[[35.8, 33.1], [35.9, 33.1], [35.9, 33.2], [35.7, 33.1]]],
                ],
            },
            "The ring at coordinates[1][0] is not closed: its first position [35.8, 33.1] "
            "differs from its last [35.7, 33.1].",
        ),
        (
            {"type": "LineString", "coordinates": [[35.8, 33.1], [35.9, 95.5]]},
            "Latitude 95.5 at coordinates[1] is outside [-90, 90].",
        ),
    ],
)
def test_it_rejects_bad_geometry(write: Write, geometry: object, reason: str) -> None:
    assert reason in _reason(write, _feature(geometry))


@pytest.mark.parametrize(
    ("properties", "reason"),
    [
        ({"kind": "shooting"}, "unknown kind 'shooting' (known kinds: armed_clash,"),
        (
            {"kind": None, "acled_event_type": "X", "acled_sub_event_type": "Y"},
            "unknown ACLED event type 'X' / sub-event 'Y'",
        ),
        ({"kind": None}, "no incident kind: give property 'kind'"),
        ({"time": None}, "no time: give property 'time' or 'time_start'"),
        ({"time": "yesterday"}, "time 'yesterday' is not an ISO 8601 date or date-time"),
        ({"time": "2026-03-01T10:00:00"}, "has no UTC offset"),
        (
            {"time": None, "time_start": "2026-03-02", "time_end": "2026-03-01"},
            "time_end 2026-03-01 is before time_start 2026-03-02",
        ),
        ({"uncertainty_m": -5}, "uncertainty_m -5 must be a finite number of metres >= 0"),
        ({"uncertainty_m": "far"}, "uncertainty_m 'far' is not a number"),
    ],
)
def test_it_rejects_bad_properties(
    write: Write, properties: dict[str, object], reason: str
) -> None:
    assert reason in _reason(write, _feature(**properties))


def test_it_rejects_a_feature_that_is_not_a_feature(write: Write) -> None:
    assert _reason(write, [1, 2]) == "feature is an array, not an object"
    assert _reason(write, {"type": "Point", "coordinates": [1, 2]}) == (
        "object has type 'Point', expected 'Feature'"
    )


def test_it_compares_a_day_with_an_instant_by_day(write: Write) -> None:
    row = _one(
        write, _feature(time=None, time_start="2026-03-01T22:00:00+03:00", time_end="2026-03-01")
    )
    assert isinstance(row, ObservationRow)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"the file is empty"),
        (b"   \n", r"the file is empty"),
        (b'{"type": "FeatureCollection",\n "features": [}', r"line 2, column 15: invalid JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", r"line 1, column 1: not UTF-8 text \(byte 0x89\)"),
        (b"[1, 2]", r"the JSON value is an array, expected a GeoJSON FeatureCollection"),
        (b'{"type": "Feature"}', r"type 'Feature', expected 'FeatureCollection'"),
        (b'{"type": "FeatureCollection"}', r"no 'features' array"),
        (
            b'{"type": "FeatureCollection", "features": [], '
            b'"crs": {"type": "name", "properties": {"name": "EPSG:32636"}}}',
            r"declares crs 'EPSG:32636': coordinates must be WGS84",
        ),
        (b"\xff\xfe{\x00", r"UTF-16"),
    ],
)
def test_it_rejects_a_file_that_is_not_a_feature_collection(
    write: Write, content: bytes, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        list(read_geojson(write("bad.geojson", content)))


def test_it_accepts_a_wgs84_crs_member(write: Write) -> None:
    data = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": [_feature()],
    }
    (row,) = list(read_geojson(write("crs.geojson", json.dumps(data))))
    assert isinstance(row, ObservationRow)


@pytest.mark.parametrize(
    ("properties", "reason"),
    [
        ({"name": "a\x00b"}, "property 'name' has a NUL character"),
        ({"note": {"deep": ["x\udc00"]}}, "property 'note' has a lone surrogate (U+DC00)"),
        ({"a\x00": "x"}, "a property name has a NUL character"),
    ],
)
def test_it_rejects_a_feature_whose_text_cannot_be_stored(
    write: Write, properties: dict[str, object], reason: str
) -> None:
    item = _one(write, _feature(**properties))
    assert isinstance(item, RowError), item
    assert (item.reason, item.category) == (reason, "not_utf8")


def test_an_id_with_a_lone_surrogate_is_rejected(write: Write) -> None:
    item = _one(write, {**_feature(), "id": "x\ud800"})
    assert isinstance(item, RowError), item
    assert (item.reason, item.category) == (
        "the feature's id has a lone surrogate (U+D800)",
        "not_utf8",
    )
