"""A clause may cite part of a zone (``properties.part_of``): the shipped HERMON clause
concerns the Mount Hermon part of the Area of Separation, not all of it."""

from __future__ import annotations

import datetime as dt
import json
import pathlib

import pytest

from coordcell.rules.engine import Engine, Observation
from coordcell.rules.scenario import check_scenario, read_scenario

from .conftest import SHIPPED

DAY = dt.date(2026, 3, 1)
#: In the Area of Separation, about 19 km south of the Mount Hermon part.
FAR_FROM_HERMON = [35.82461, 33.12595]
#: In the south of the Area of Separation, about 60 km from Mount Hermon.
SOUTH = [35.86, 32.9]
#: On the massif's southern slopes, inside the Area of Separation.
ON_HERMON = [35.85, 33.40]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(read_scenario(SHIPPED), version="t v1")


def _clauses(engine: Engine, lon_lat: list[float]) -> set[str]:
    a = engine.assess(
        Observation("o", "military_observation", {"type": "Point", "coordinates": lon_lat}, DAY)
    )
    assert "area_of_separation_approx" in a.zones
    return {f.clause for f in (*a.findings, *a.findings_not_agreed)}


@pytest.mark.parametrize("far", [FAR_FROM_HERMON, SOUTH])
def test_a_point_far_from_hermon_in_the_area_of_separation_has_no_hermon_finding(
    engine: Engine, far: list[float]
) -> None:
    assert "HERMON" not in _clauses(engine, far)


def test_a_point_on_the_massif_has_the_hermon_finding(engine: Engine) -> None:
    assert "HERMON" in _clauses(engine, ON_HERMON)


def test_the_part_names_its_zone_and_only_a_part_carries_the_key() -> None:
    arrangement = read_scenario(SHIPPED)
    parts = {z.id: z.part_of for z in arrangement.zones if z.part_of}
    assert parts == {"hermon_part_approx": "area_of_separation_approx"}
    stored = {z["id"]: z for z in arrangement.content["zones"]}
    assert stored["hermon_part_approx"]["part_of"] == "area_of_separation_approx"
    # Zones that are no part keep the content (and the hash) they had.
    assert "part_of" not in stored["area_of_separation_approx"]


def _with_part(shipped_copy: pathlib.Path, **change: object) -> list[str]:
    path = shipped_copy / "zones.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    [feature] = [f for f in data["features"] if f["id"] == "hermon_part_approx"]
    index = data["features"].index(feature)
    feature["properties"].update(change.pop("properties", {}))
    feature.update(change)
    path.write_text(json.dumps(data), encoding="utf-8")
    _arrangement, errors = check_scenario(shipped_copy)
    prefix = f"features[{index}].properties.part_of"
    return [e.message for e in errors if e.file == "zones.geojson" and e.field == prefix]


def test_scenario_check_refuses_a_part_of_an_unknown_zone(shipped_copy: pathlib.Path) -> None:
    [message] = _with_part(shipped_copy, properties={"part_of": "no_such_zone"})
    assert message.startswith("unknown zone 'no_such_zone' (known: ")


def test_scenario_check_refuses_a_part_of_a_line(shipped_copy: pathlib.Path) -> None:
    [message] = _with_part(shipped_copy, properties={"part_of": "alpha_line_approx"})
    assert message == "only an area can be a part, and only of an area"


def test_scenario_check_refuses_a_part_outside_its_zone(shipped_copy: pathlib.Path) -> None:
    outside = {"type": "Polygon", "coordinates": [[[35.6, 33.3], [35.9, 33.3], [35.9, 33.42],
                                                  [35.6, 33.42], [35.6, 33.3]]]}  # fmt: skip
    [message] = _with_part(shipped_copy, geometry=outside)
    assert "reaches outside 'area_of_separation_approx'" in message
