"""Clause status, general clauses, one-party clauses and the sides of a line (issue 10).

The engine never takes sides: a clause's status is data of the scenario, findings under
clauses that are not agreed are kept apart without severity, and a line clause counts a
crossing only toward the side it forbids.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import pathlib

import pytest

import coordcell
from coordcell.rules.engine import Engine, Observation, Position
from coordcell.rules.scenario import read_scenario

SCENARIO = pathlib.Path(coordcell.__file__).resolve().parent / "scenarios" / "southern_syria_2026"
DAY = dt.date(2026, 2, 1)
AOS_POINT = (35.82461, 33.12595)  # Quneitra, inside the Area of Separation
DAMASCUS = (36.29, 33.51)  # about 40 km east of Line B, outside every zone
EAST_OF_BOTH_LINES = (36.0, 33.0)
WEST_OF_BOTH_LINES = (35.7, 33.0)


def point(lon: float, lat: float) -> dict[str, object]:
    return {"type": "Point", "coordinates": [lon, lat]}


def path(*coords: tuple[float, float]) -> dict[str, object]:
    return {"type": "LineString", "coordinates": [list(c) for c in coords]}


def every(a):
    return (*a.findings, *a.findings_not_agreed)


@pytest.fixture(scope="module")
def arrangement():
    return read_scenario(SCENARIO)


@pytest.fixture(scope="module")
def engine(arrangement) -> Engine:
    return Engine(arrangement, version="test v1")


def with_clause(arrangement, clause_id: str, **changes):
    clauses = tuple(
        dataclasses.replace(c, **changes) if c.id == clause_id else c for c in arrangement.clauses
    )
    return dataclasses.replace(arrangement, clauses=clauses)


# ----------------------------------------------------------------------- status


def test_the_shipped_clauses_carry_the_status_the_sources_report(arrangement) -> None:
    status = {c.id: (c.status, c.disputed_by) for c in arrangement.clauses}
    for clause_id in ("A", "B.1", "B.3", "B.4", "AOL-10", "AOL-20", "AOL-25", "HERMON"):
        assert status[clause_id] == ("disputed", ("il",))
    assert status["EZ-2026"] == ("illustrative", ())
    assert status["FREEZE-2026"] == ("agreed", ())


def test_findings_under_a_disputed_clause_are_labelled_kept_apart_without_severity(
    engine,
) -> None:
    a = engine.assess(Observation("q", "armed_clash", point(*AOS_POINT), DAY))
    assert a.findings == ()
    b3 = [f for f in a.findings_not_agreed if f.clause == "B.3"]
    assert [(f.rule, f.status, f.disputed_by, f.severity) for f in b3] == [
        ("prohibited:military_presence", "disputed", ("il",), None),
        ("prohibited:fire", "disputed", ("il",), None),
    ]
    record = a.as_dict()
    assert record["findings"] == []
    assert {f["status"] for f in record["findings_not_agreed"]} == {"disputed"}
    assert all(f["severity"] is None for f in record["findings_not_agreed"])


def test_an_agreed_clause_keeps_its_findings_and_severity(arrangement) -> None:
    agreed = with_clause(arrangement, "B.3", status="agreed", disputed_by=())
    a = Engine(agreed, version="v").assess(
        Observation("q", "military_presence", point(*AOS_POINT), DAY)
    )
    assert [(f.clause, f.severity, f.status) for f in a.findings] == [("B.3", "high", "agreed")]
    assert "B.3" not in {f.clause for f in a.findings_not_agreed}


def test_an_illustrative_clause_fires_only_apart_and_without_severity(engine) -> None:
    a = engine.assess(Observation("e", "military_presence", point(35.80, 33.29), DAY))
    ez = [f for f in every(a) if f.clause == "EZ-2026"]
    assert [(f.status, f.severity) for f in ez] == [("illustrative", None)]
    assert ez[0] in a.findings_not_agreed


# ----------------------------------------------------------------------- general clauses


def test_an_air_strike_far_from_the_zones_has_a_finding_under_the_general_clause(
    engine,
) -> None:
    a = engine.assess(Observation("s", "air_or_drone_strike", point(*DAMASCUS), DAY))
    assert a.zones == ()
    assert a.possible_zones == ()
    assert [(f.clause, f.zone, f.rule, f.certainty) for f in every(a)] == [
        ("A", None, "prohibited:fire", "inside")
    ]
    assert "throughout the arrangement's region" in every(a)[0].message


def test_a_presence_far_from_the_zones_is_not_a_use_of_force(engine) -> None:
    a = engine.assess(Observation("p", "protest", point(*DAMASCUS), DAY))
    assert every(a) == ()


def test_the_engine_says_which_clauses_it_assesses_and_which_it_does_not(
    engine, arrangement
) -> None:
    assessed, not_assessed = engine.clauses_machine_assessed, engine.clauses_not_machine_assessed
    assert {"A", "B.1", "B.3", "B.4", "EZ-2026"} <= set(assessed)
    assert {"INSPECT", "AOL-10", "FREEZE-2026", "WITHDRAWAL-2026"} <= set(not_assessed)
    assert set(assessed) | set(not_assessed) == {c.id for c in arrangement.clauses}
    with_positions = Engine(
        arrangement, version="v", baseline=[Position("p", "il", 35.7, 33.0, dt.date(2020, 1, 1))]
    )
    assert {"FREEZE-2026", "WITHDRAWAL-2026"} <= set(with_positions.clauses_machine_assessed)


# ----------------------------------------------------------------------- one-party clauses


def test_a_withdrawal_binding_one_party_never_flags_the_other_partys_position(
    arrangement,
) -> None:
    one_party = with_clause(arrangement, "WITHDRAWAL-2026", parties=("il",))
    baseline = [
        Position("late_sy", "sy", 36.00, 33.00, dt.date(2025, 3, 1)),
        Position("late_il", "il", 35.70, 33.00, dt.date(2025, 3, 1)),
    ]
    engine = Engine(one_party, version="v", baseline=baseline)
    at_sy = engine.assess(Observation("w", "military_presence", point(36.0, 33.0), DAY))
    at_il = engine.assess(Observation("w", "military_presence", point(35.7, 33.0), DAY))
    assert [f for f in every(at_sy) if f.rule == "withdrawal:position"] == []
    assert [f.params["position"] for f in every(at_il) if f.rule == "withdrawal:position"] == [
        "late_il"
    ]


def test_a_freeze_binding_one_party_takes_only_its_positions_as_baseline(arrangement) -> None:
    one_party = with_clause(arrangement, "FREEZE-2026", parties=("il",))
    baseline = [
        Position("sy_post", "sy", 36.00, 33.00, dt.date(2020, 1, 1)),
        Position("il_post", "il", 35.70, 33.00, dt.date(2020, 1, 1)),
    ]
    engine = Engine(one_party, version="v", baseline=baseline)
    a = engine.assess(Observation("f", "military_presence", point(36.0, 33.0), DAY))
    freeze = [f for f in every(a) if f.clause == "FREEZE-2026"]
    assert len(freeze) == 1
    assert freeze[0].params["distance_m"] > 20_000  # from il_post, not from sy_post


# ----------------------------------------------------------------------- sides of a line


def test_a_crossing_counts_only_toward_the_side_the_clause_forbids(engine) -> None:
    west, east = (35.70, 33.12), (36.00, 33.12)
    eastward = engine.assess(Observation("e", "troop_movement", path(west, east), DAY))
    westward = engine.assess(Observation("w", "troop_movement", path(east, west), DAY))
    crossings = lambda a: [f.clause for f in every(a) if f.rule == "line_crossing"]  # noqa: E731
    # B.1 keeps forces west of Line A; B.4 keeps forces east of Line B.
    assert crossings(eastward) == ["B.1"]
    assert crossings(westward) == ["B.4"]
    found = next(f for f in every(eastward) if f.rule == "line_crossing")
    assert (found.params["side"], found.params["allowed_side"]) == ("east", "west")


def test_a_withdrawal_back_across_the_line_is_not_a_crossing(engine) -> None:
    # From the Area of Separation back west across Line A only.
    back = engine.assess(Observation("b", "troop_movement", path(AOS_POINT, (35.70, 33.12)), DAY))
    assert "B.1" not in {f.clause for f in every(back) if f.rule == "line_crossing"}


def test_a_presence_on_the_wrong_side_of_a_line_is_a_finding_for_the_party_it_binds(
    engine,
) -> None:
    il_east = engine.assess(
        Observation("p", "military_presence", point(*EAST_OF_BOTH_LINES), DAY, party="il")
    )
    sy_east = engine.assess(
        Observation("p", "military_presence", point(*EAST_OF_BOTH_LINES), DAY, party="sy")
    )
    unknown = engine.assess(Observation("p", "military_presence", point(*EAST_OF_BOTH_LINES), DAY))
    il_west = engine.assess(
        Observation("p", "military_presence", point(*WEST_OF_BOTH_LINES), DAY, party="il")
    )
    side = lambda a: [(f.clause, f.certainty) for f in every(a) if f.rule.startswith("line_side")]  # noqa: E731
    assert side(il_east) == [("B.1", "inside")]
    assert side(sy_east) == []
    assert side(unknown) == []  # a presence alone does not say whose forces are there
    assert side(il_west) == []
    finding = next(f for f in every(il_east) if f.rule.startswith("line_side"))
    assert finding.params["distance_m"] > 10_000
    assert "il" not in finding.params.values()


def test_a_presence_near_a_line_within_the_uncertainty_is_only_possibly_on_its_wrong_side(
    engine,
) -> None:
    a = engine.assess(
        Observation("p", "military_presence", point(*EAST_OF_BOTH_LINES), DAY, 30_000, "il")
    )
    assert [f.certainty for f in every(a) if f.rule.startswith("line_side")] == ["possibly"]
