"""An engine given another baseline (``Engine.with_baseline``), and a freeze with no
baseline position to measure from (issue 13, findings from declared positions)."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest

import coordcell
from coordcell.rules.engine import Engine, Observation, Position
from coordcell.rules.scenario import read_scenario

SCENARIO = pathlib.Path(coordcell.__file__).resolve().parent / "scenarios" / "southern_syria_2026"
DAY = dt.date(2026, 2, 1)
OLD = dt.date(2020, 1, 1)


def presence(lon: float, lat: float, party: str | None = None) -> Observation:
    geometry = {"type": "Point", "coordinates": [lon, lat]}
    return Observation("o", "military_presence", geometry, DAY, party=party)


def freeze(engine: Engine, observation: Observation) -> list[float]:
    a = engine.assess(observation)
    return [
        f.params["distance_m"]
        for f in (*a.findings, *a.findings_not_agreed)
        if f.rule == "freeze:new_position"
    ]


@pytest.fixture(scope="module")
def plain() -> Engine:
    return Engine(read_scenario(SCENARIO), version="test v1")


def test_with_baseline_shares_the_zones_and_leaves_the_original_alone(plain: Engine) -> None:
    baseline = [Position("sy_post", "sy", 36.00, 33.00, OLD)]
    other = plain.with_baseline(baseline)
    assert other.baseline == tuple(baseline)
    assert plain.baseline == ()
    assert other.index is plain.index
    assert "FREEZE-2026" in other.clauses_machine_assessed
    assert "FREEZE-2026" not in plain.clauses_machine_assessed
    assert freeze(plain, presence(36.05, 33.0, "sy")) == []
    [distance] = freeze(other, presence(36.05, 33.0, "sy"))
    # The same answer as an engine built from scratch with that baseline.
    fresh = Engine(read_scenario(SCENARIO), version="test v1", baseline=baseline)
    assert freeze(fresh, presence(36.05, 33.0, "sy")) == [distance]
    assert 4000 < distance < 5000


def test_a_party_with_no_position_at_the_baseline_date_gets_no_freeze_finding(
    plain: Engine,
) -> None:
    engine = plain.with_baseline(
        [
            Position("il_post", "il", 35.70, 33.00, OLD),
            Position("sy_late", "sy", 36.00, 33.00, dt.date(2026, 1, 20)),
        ]
    )
    # Syria's only post was established after the freeze's baseline date: nothing to
    # measure from, so the engine says nothing (it used to fail on an infinite distance).
    assert freeze(engine, presence(36.05, 33.0, "sy")) == []
    assert len(freeze(engine, presence(36.05, 33.0, "il"))) == 1


def test_only_kinds_that_imply_a_presence_are_compared_with_positions(plain: Engine) -> None:
    assert plain.compares_with_positions("military_presence")
    assert plain.compares_with_positions("fortification")
    assert not plain.compares_with_positions("overflight")
    assert not plain.compares_with_positions("no_such_kind")
    # Whatever the baseline: it says nothing of the positions.
    other = plain.with_baseline([Position("p", "sy", 36.0, 33.0, OLD)])
    assert other.compares_with_positions("overflight") is False
    assert other.compares_with_positions("military_presence") is True
