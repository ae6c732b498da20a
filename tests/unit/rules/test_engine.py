"""The compliance engine: findings for reported facts, and the same answers in bulk."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pathlib

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import shape

import coordcell
from coordcell.rules.engine import Engine, Holding, Observation, Position
from coordcell.rules.scenario import read_scenario

SCENARIO = pathlib.Path(coordcell.__file__).resolve().parent / "scenarios" / "southern_syria_2026"
AOL = {"aol_A_0_10km", "aol_A_10_20km", "aol_A_20_25km",
       "aol_B_0_10km", "aol_B_10_20km", "aol_B_20_25km"}  # fmt: skip
DAY = dt.date(2026, 2, 1)


@pytest.fixture(scope="module")
def arrangement():
    return read_scenario(SCENARIO)


@pytest.fixture(scope="module")
def engine(arrangement) -> Engine:
    return Engine(arrangement, version="test v1")


def every(a):
    """Every finding, under agreed clauses or not (the 1974 clauses are disputed)."""
    return (*a.findings, *a.findings_not_agreed)


def point(lon: float, lat: float) -> dict[str, object]:
    return {"type": "Point", "coordinates": [lon, lat]}


def _aos_interior_points(arrangement, n: int, seed: int = 1) -> list[tuple[float, float]]:
    zone = next(z for z in arrangement.zones if z.id == "area_of_separation_approx")
    poly = shape(zone.geometry)
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = poly.bounds
    found: list[tuple[float, float]] = []
    while len(found) < n:
        x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        if poly.contains(shapely.Point(x, y)):
            found.append((float(x), float(y)))
    return found


def test_a_clash_in_the_area_of_separation_yields_its_findings(engine) -> None:
    quneitra = point(35.82461, 33.12595)  # inside the Area of Separation (gazetteer)
    a = engine.assess(Observation("q", "armed_clash", quneitra, DAY))
    assert a.zones == ("area_of_separation_approx",)
    assert a.findings == ()
    # B.3 and the ceasefire (A) are disputed: no severity is computed from them.
    assert [(f.clause, f.rule, f.severity, f.certainty) for f in every(a)] == [
        ("B.3", "prohibited:military_presence", None, "inside"),
        ("B.3", "prohibited:fire", None, "inside"),
        ("A", "prohibited:fire", None, "inside"),
    ]
    assert every(a)[0].version == "test v1"
    assert every(a)[0].message == (
        "military_presence reported inside area_of_separation_approx, where clause B.3 "
        "prohibits it. Clause B.3 exempts undof; the report does not say whether they acted."
    )
    assert set(a.distances_m) == {"alpha_line_approx", "bravo_line_approx"}
    assert 0 < a.distances_m["alpha_line_approx"] < 10_000


def test_a_finding_never_names_a_party_to_blame(engine) -> None:
    a = engine.assess(Observation("q", "armed_clash", point(35.82461, 33.12595), DAY))
    for finding in every(a):
        assert "il" not in finding.params.values()
        assert "sy" not in finding.params.values()


def test_an_uncertain_location_makes_a_possible_finding(engine) -> None:
    a = engine.assess(Observation("q", "armed_clash", point(35.82461, 33.12595), DAY, 5_000))
    assert a.zones == ()
    assert "area_of_separation_approx" in a.possible_zones
    zoned = {(f.clause, f.certainty) for f in every(a) if f.zone is not None}
    assert zoned == {("B.3", "possibly")}


def test_an_uncertain_location_under_an_agreed_clause_is_of_medium_severity(
    arrangement,
) -> None:
    agreed = dataclasses.replace(arrangement, clauses=tuple(
        dataclasses.replace(c, status="agreed", disputed_by=()) if c.id == "B.3" else c
        for c in arrangement.clauses
    ))  # fmt: skip
    a = Engine(agreed, version="v").assess(
        Observation("q", "military_presence", point(35.82461, 33.12595), DAY, 5_000)
    )
    assert [(f.clause, f.certainty, f.severity) for f in a.findings] == [
        ("B.3", "possibly", "medium")
    ]


def test_an_activity_the_clause_does_not_prohibit_yields_nothing(engine) -> None:
    a = engine.assess(Observation("q", "protest", point(35.82461, 33.12595), DAY))
    assert a.zones == ("area_of_separation_approx",)
    assert every(a) == ()


def test_a_movement_across_both_lines_cites_the_clause_it_crosses_toward(engine) -> None:
    # Eastward: toward the side of Line A that B.1 forbids; away from the side of Line B
    # that B.4 forbids (a crossing counts only in the direction the clause forbids).
    path = {"type": "LineString", "coordinates": [[35.70, 33.12], [36.00, 33.12]]}
    a = engine.assess(Observation("m", "troop_movement", path, DAY))
    crossings = [(f.clause, f.zone) for f in every(a) if f.rule == "line_crossing"]
    assert crossings == [("B.1", "alpha_line_approx")]
    assert "area_of_separation_approx" in a.zones
    assert a.distances_m == {"alpha_line_approx": 0.0, "bravo_line_approx": 0.0}


def test_surface_to_air_missiles_in_a_limitation_band(engine) -> None:
    a = engine.assess(Observation("s", "sam_deployment", point(36.08, 33.05), DAY))
    assert AOL & set(a.zones)
    assert {f.clause for f in every(a)} == {"AOL-25"}


@pytest.mark.parametrize(
    ("coords", "code"),
    [((33.12595, 35.82461), "swapped_coordinates"), ((40.0, 20.0), "outside_region")],
)
def test_a_place_outside_the_region_is_a_specific_problem(engine, coords, code) -> None:
    a = engine.assess(Observation("x", "armed_clash", point(*coords), DAY))
    assert [p.code for p in a.problems] == [code]
    assert (a.zones, a.findings) == ((), ())


def test_a_time_before_the_arrangement_keeps_the_zones_but_assesses_no_clause(engine) -> None:
    a = engine.assess(Observation("t", "armed_clash", point(35.82461, 33.12595),
                                  dt.date(1970, 1, 1)))  # fmt: skip
    assert [p.code for p in a.problems] == ["time_outside_validity"]
    assert a.zones == ("area_of_separation_approx",)
    assert a.findings == ()
    assert "1974-05-31" in a.problems[0].message


def test_clauses_apply_only_from_their_effective_date(engine) -> None:
    inside_ez = point(35.80, 33.29)
    before = engine.assess(Observation("e", "military_presence", inside_ez, dt.date(2025, 1, 1)))
    after = engine.assess(Observation("e", "military_presence", inside_ez, DAY))
    assert "economic_zone" in before.zones
    assert "EZ-2026" not in {f.clause for f in every(before)}
    assert "EZ-2026" in {f.clause for f in every(after)}


@pytest.mark.parametrize(
    ("geometry", "reason"),
    [
        ({"type": "Polygon", "coordinates": [[[35.8, 33.1], [35.9, 33.2], [35.9, 33.1],
                                              [35.8, 33.2], [35.8, 33.1]]]}, "Self-intersection"),
        ({"type": "Point", "coordinates": []}, ""),
        ({"type": "Circle", "coordinates": [35.8, 33.1]}, ""),
    ],
)  # fmt: skip
def test_invalid_geometry_is_a_specific_problem(engine, geometry, reason) -> None:
    a = engine.assess(Observation("g", "armed_clash", geometry, DAY))
    assert [p.code for p in a.problems] == ["invalid_geometry"]
    assert reason in a.problems[0].message


def test_invalid_geometry_is_explained_where_nothing_else_loaded_shapely_validation(
    engine, monkeypatch
) -> None:
    # ``coordcell serve`` never imports shapely.validation (the scenario reader does, in tests).
    import sys

    monkeypatch.delitem(sys.modules, "shapely.validation", raising=False)
    monkeypatch.delattr(shapely, "validation", raising=False)
    bowtie = {"type": "Polygon", "coordinates": [[[35.8, 33.1], [35.9, 33.2], [35.9, 33.1],
                                                  [35.8, 33.2], [35.8, 33.1]]]}  # fmt: skip
    a = engine.assess(Observation("g", "armed_clash", bowtie, DAY))
    assert [(p.code, p.params) for p in a.problems] == [
        ("invalid_geometry", {"reason": "Self-intersection[35.85 33.15]"})
    ]


def test_an_unknown_kind_is_a_specific_problem(engine) -> None:
    a = engine.assess(Observation("k", "dragon_attack", point(35.82, 33.12), DAY))
    assert [p.code for p in a.problems] == ["unknown_kind"]
    assert a.findings == ()


def test_the_freeze_flags_a_presence_away_from_the_baseline(arrangement) -> None:
    baseline = [Position("p1", "il", 35.70, 33.00, dt.date(2020, 1, 1))]
    engine = Engine(arrangement, version="v", baseline=baseline)
    near = engine.assess(Observation("n", "military_presence", point(35.7001, 33.0001), DAY,
                                     party="il"))  # fmt: skip
    far = engine.assess(Observation("f", "military_presence", point(35.75, 33.05), DAY,
                                    party="il"))  # fmt: skip
    assert [f.rule for f in every(near)] == []
    freeze = [f for f in every(far) if f.clause == "FREEZE-2026"]
    assert len(freeze) == 1
    assert freeze[0].params["baseline_date"] == "2026-01-07"
    assert freeze[0].params["distance_m"] > 5_000


def test_the_withdrawal_clause_covers_positions_established_after_its_date(arrangement) -> None:
    baseline = [Position("late", "sy", 36.00, 33.00, dt.date(2025, 3, 1))]
    engine = Engine(arrangement, version="v", baseline=baseline)
    a = engine.assess(Observation("w", "military_presence", point(36.0, 33.0), DAY, party="sy"))
    assert [(f.clause, f.params["position"]) for f in every(a) if f.rule.startswith("withd")] == [
        ("WITHDRAWAL-2026", "late")
    ]


def test_declared_holdings_above_the_limits_are_findings_on_both_sides(engine) -> None:
    holdings = [
        Holding("aol_A_0_10km", "il", "tanks", 80, DAY),
        Holding("aol_B_0_10km", "sy", "tanks", 80, DAY),
        Holding("aol_B_0_10km", "sy", "personnel", 6000, DAY),  # at the limit: fine
        Holding("aol_A_10_20km", "il", "artillery_range_km", 27, DAY),
    ]
    found = engine.check_holdings(holdings)
    assert [(f.clause, f.zone, f.rule) for f in found] == [
        ("AOL-10", "aol_A_0_10km", "limit:max_tanks"),
        ("AOL-10", "aol_B_0_10km", "limit:max_tanks"),
        ("AOL-20", "aol_A_10_20km", "limit:max_artillery_range_km"),
    ]


def test_any_point_of_the_area_of_separation_yields_its_finding(engine, arrangement) -> None:
    for lon, lat in _aos_interior_points(arrangement, 200):
        a = engine.assess(Observation("p", "military_presence", point(lon, lat), DAY))
        assert ("B.3", "prohibited:military_presence") in {(f.clause, f.rule) for f in every(a)}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.floats(0.0, 1.0))
def test_a_point_30_km_east_of_line_b_has_no_limitation_finding(engine, arrangement, t) -> None:
    line_b = engine._metric["bravo_line_approx"]
    aos = engine._metric["area_of_separation_approx"]
    q = line_b.interpolate(t, normalized=True)
    p = shapely.Point(q.x + 30_000, q.y)
    assume(aos.distance(p) > 25_000)  # the ends of the Area of Separation bulge east
    # Where Line B bends (near its southern end), a point 30 km east of one of its points
    # can lie within 25 km of another: the limitation zones are measured from the line
    # itself, so only points beyond them (with a kilometre for the approximate polygons)
    # are the property's concern.
    assume(line_b.distance(p) > 26_000)
    lon, lat = engine.projector.to_wgs84([p.x], [p.y])
    a = engine.assess(Observation("e", "sam_deployment", point(float(lon[0]), float(lat[0])), DAY))
    assert not AOL & set(a.zones)
    assert not [f for f in every(a) if f.clause.startswith("AOL")]


kinds = st.sampled_from(["armed_clash", "military_presence", "sam_deployment", "protest",
                         "fortification", "air_or_drone_strike", "not_a_kind"])  # fmt: skip
observations = st.builds(
    Observation,
    id=st.text(min_size=1, max_size=4),
    kind=kinds,
    geometry=st.tuples(st.floats(35.3, 36.6), st.floats(32.5, 33.7)).map(lambda c: point(*c)),
    time=st.dates(dt.date(1970, 1, 1), dt.date(2027, 1, 1)),
    uncertainty_m=st.sampled_from([0.0, 0.0, 500.0, 5_000.0, 25_000.0]),
)


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(observations, max_size=60))
def test_the_bulk_path_agrees_with_the_single_incident_path(engine, batch) -> None:
    assert list(engine.assess_many(batch, chunk=17)) == [engine.assess(o) for o in batch]
