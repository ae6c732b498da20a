"""The what-if replay's counts against shapely alone, without a database: the shipped
scenario's engine and the draft of its demo proposal's last change (and of a moved line),
on random points away from the areas' edges (``proposals.replay.compare``)."""

from __future__ import annotations

import random

import pytest
from shapely.geometry import Point, shape

from coordcell.proposals import replay
from coordcell.proposals.changes import apply_change, clean_change
from coordcell.rules.arrangement import arrangement_from_content
from coordcell.rules.engine import Engine, Observation
from coordcell.rules.scenario import read_scenario
from tests.conftest import SCENARIO


@pytest.fixture(scope="module")
def engines() -> tuple[Engine, Engine, list[dict]]:  # type: ignore[type-arg]
    arrangement = read_scenario(SCENARIO)
    assert arrangement.demo is not None
    change = [s.proposals["change"] for s in arrangement.demo.story
              if s.proposals and s.proposals.get("change")][-1]  # fmt: skip
    clean = clean_change(change, arrangement.content)
    draft = Engine(arrangement_from_content(apply_change(arrangement.content, clean)), version="d")
    return Engine(arrangement, version="c"), draft, clean


def _points(engines: tuple[Engine, Engine, list[dict]], n: int) -> list[tuple[float, float]]:  # type: ignore[type-arg]
    current, draft, _ = engines
    edges = [
        shape(z.geometry)
        for e in (current, draft)
        for z in e.arrangement.zones
        if z.id in replay.prohibited_areas(e)
    ]
    rng = random.Random(7)
    out: list[tuple[float, float]] = []
    while len(out) < n:
        x, y = rng.uniform(35.6, 36.1), rng.uniform(32.9, 33.5)
        if all(s.boundary.distance(Point(x, y)) > 0.002 for s in edges):
            out.append((x, y))
    return out


def test_per_area_counts_match_shapely(engines: tuple[Engine, Engine, list[dict]]) -> None:  # type: ignore[type-arg]
    current, draft, _ = engines
    points = _points(engines, 300)
    observations = [
        Observation(id=f"p{i}", kind="military_presence",
                    geometry={"type": "Point", "coordinates": [x, y]})
        for i, (x, y) in enumerate(points)
    ]  # fmt: skip
    result = replay.compare(current, draft, observations)
    assert result.by_area
    for label, engine in (("current", current), ("draft", draft)):
        zones = [{"id": z.id, "geometry": z.geometry} for z in engine.arrangement.zones]
        for area, counts in result.by_area.items():
            assert counts[label] == replay.independent_count(zones, [area], points), area
    assert result.in_prohibited["draft"] > result.in_prohibited["current"]


def test_a_moved_line_puts_the_places_beside_it_on_its_other_side(
    engines: tuple[Engine, Engine, list[dict]],  # type: ignore[type-arg]
) -> None:
    current, _draft, _ = engines
    line = next(z for z in current.arrangement.zones if z.kind == "line")
    coords = line.geometry["coordinates"]
    xs = [c[0] for c in coords]
    lat = sum(c[1] for c in coords) / len(coords)
    # A place just east of the line, and the line moved 0.05° east of it.
    place = replay.PlaceInput("here", "Here", max(xs) + 0.02, lat)
    moved = [[x + (max(xs) - min(xs)) + 0.05, y] for x, y in coords]
    change = clean_change(
        [{"op": "zone_geometry", "zone": line.id,
          "geometry": {"type": "LineString", "coordinates": moved}}],
        current.arrangement.content,
    )  # fmt: skip
    draft = Engine(
        arrangement_from_content(apply_change(current.arrangement.content, change)), version="d"
    )
    result = replay.compare(current, draft, [], [place])
    assert [p["sides_changed"] for p in result.places_changed] == [[line.id]]
    unmoved = replay.compare(current, current, [], [place])
    assert unmoved.places_changed == []
