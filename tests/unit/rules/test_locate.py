"""``Engine.locate``: the zones a drawn place falls in, the same as ``assess`` finds them."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest

import coordcell
from coordcell.rules.engine import Engine, Observation
from coordcell.rules.scenario import read_scenario

SCENARIO = pathlib.Path(coordcell.__file__).resolve().parent / "scenarios" / "southern_syria_2026"
QUNEITRA = {"type": "Point", "coordinates": [35.82461, 33.12595]}  # in the Area of Separation
ACROSS = {"type": "LineString", "coordinates": [[35.70, 33.10], [35.95, 33.15]]}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(read_scenario(SCENARIO), version="test v1")


@pytest.mark.parametrize(
    ("geometry", "radius"), [(QUNEITRA, 0.0), (QUNEITRA, 3000.0), (ACROSS, 0.0), (ACROSS, 500.0)]
)
def test_it_finds_the_zones_assess_finds(engine: Engine, geometry, radius) -> None:
    located = engine.locate(geometry, radius)
    assessed = engine.assess(
        Observation("x", "armed_clash", geometry, dt.date(2026, 2, 1), uncertainty_m=radius)
    )
    assert located.problems == ()
    assert (located.zones, located.possible_zones) == (assessed.zones, assessed.possible_zones)
    assert located.zones or located.possible_zones


def test_an_uncertain_point_near_a_boundary_is_only_possibly_in_each_zone(engine: Engine) -> None:
    exact = engine.locate(QUNEITRA)
    wide = engine.locate(QUNEITRA, 5000.0)
    assert (len(exact.zones), exact.possible_zones) == (1, ())
    # Within five kilometres of the boundary, neither its zone nor the next is certain.
    assert wide.zones == ()
    assert set(exact.zones) < set(wide.possible_zones)


def test_a_path_across_the_lines_names_the_lines_it_crosses(engine: Engine) -> None:
    located = engine.locate(ACROSS)
    assert set(located.crossed_lines) <= set(engine.line_ids)
    assert located.crossed_lines
    assert engine.locate(QUNEITRA).crossed_lines == ()


def test_a_place_outside_the_region_is_a_problem_not_a_zone(engine: Engine) -> None:
    located = engine.locate({"type": "Point", "coordinates": [0.0, 0.0]})
    assert (located.zones, located.possible_zones, located.crossed_lines) == ((), (), ())
    assert [p.code for p in located.problems] == ["outside_region"]


def test_a_negative_uncertainty_is_a_problem(engine: Engine) -> None:
    assert [p.code for p in engine.locate(QUNEITRA, -1.0).problems] == ["invalid_uncertainty"]
