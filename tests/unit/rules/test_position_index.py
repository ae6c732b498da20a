"""The freeze and withdrawal clauses read the baseline through per-clause indexes.

The engine indexes, once per clause and reported party, the positions each clause
compares a presence with (benchmarks/positions.py measures why). These tests hold the
indexed answers to the plain reading of the clauses — every position, one by one — on
random baselines with positions of both parties, before and after the clauses' dates,
and reports that name a party or none, with and without uncertainty.
"""

from __future__ import annotations

import datetime as dt
import math
import pathlib

import numpy as np
import pytest

import coordcell
from coordcell.rules.engine import DEFAULT_FREEZE_TOLERANCE_M, Engine, Observation, Position
from coordcell.rules.scenario import read_scenario

SCENARIO = pathlib.Path(coordcell.__file__).resolve().parent / "scenarios" / "southern_syria_2026"


@pytest.fixture(scope="module")
def arrangement():
    return read_scenario(SCENARIO)


def _clause(arrangement, kind):
    return next(c for c in arrangement.clauses if c.kind == kind)


def _metric(engine: Engine) -> list[tuple[float, float]]:
    """Each baseline position in the engine's metric plane, projected one by one."""
    return [
        tuple(float(v[0]) for v in engine.projector.to_metric(np.array([p.lon]), np.array([p.lat])))
        for p in engine.baseline
    ]


def _plain(
    engine: Engine, arrangement, o: Observation, xy: list[tuple[float, float]]
) -> tuple[set, set]:
    """(freeze distance buckets, withdrawal positions) read position by position (``xy``:
    the positions' ``_metric``, the same for every report)."""
    freeze = _clause(arrangement, "freeze")
    withdrawal = _clause(arrangement, "withdrawal")
    base = dt.date.fromisoformat(str(freeze.parameters["baseline_date"]))
    after = dt.date.fromisoformat(str(withdrawal.parameters["after_date"]))
    lon, lat = o.geometry["coordinates"]
    px, py = (float(v[0]) for v in engine.projector.to_metric(np.array([lon]), np.array([lat])))

    def binds(clause, party):
        return not clause.parties or party is None or party in clause.parties

    near = [
        math.hypot(px - x, py - y)
        for p, (x, y) in zip(engine.baseline, xy, strict=True)
        if (p.established is None or p.established <= base)
        and (o.party is None or p.party == o.party)
        and binds(freeze, p.party)
    ]
    nearest = min(near, default=math.inf)
    frozen = set()
    if binds(freeze, o.party) and nearest > DEFAULT_FREEZE_TOLERANCE_M:
        frozen.add(round(nearest))
    later = set()
    if binds(withdrawal, o.party):
        later = {
            p.id
            for p, (x, y) in zip(engine.baseline, xy, strict=True)
            if p.established is not None and p.established > after
            and (o.party is None or p.party == o.party)
            and binds(withdrawal, p.party)
            and math.hypot(px - x, py - y) <= DEFAULT_FREEZE_TOLERANCE_M + o.uncertainty_m
        }  # fmt: skip
    return frozen, later


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_indexed_findings_are_the_plain_reading_of_the_clauses(arrangement, seed) -> None:
    rng = np.random.default_rng(seed)
    freeze = _clause(arrangement, "freeze")
    withdrawal = _clause(arrangement, "withdrawal")
    base = dt.date.fromisoformat(str(freeze.parameters["baseline_date"]))
    after = dt.date.fromisoformat(str(withdrawal.parameters["after_date"]))
    parties = [p.code for p in arrangement.parties if p.kind == "party"]
    # A small patch of the region, so that reports often fall near positions.
    lon0, lat0 = 35.80, 33.05
    n = 300
    dates = [None, base - dt.timedelta(days=10), base, after + dt.timedelta(days=5)]
    baseline = [
        Position(
            f"P{i}", parties[int(rng.integers(len(parties)))],
            float(lon0 + rng.uniform(0, 0.08)), float(lat0 + rng.uniform(0, 0.08)),
            dates[int(rng.integers(len(dates)))],
        )
        for i in range(n)
    ]  # fmt: skip
    engine = Engine(arrangement, version="t", baseline=baseline)
    when = dt.datetime.combine(base + dt.timedelta(days=60), dt.time(9), tzinfo=dt.UTC)
    reports = [
        Observation(
            str(k), "military_presence",
            {"type": "Point", "coordinates": [float(lon0 + rng.uniform(-0.02, 0.1)),
                                              float(lat0 + rng.uniform(-0.02, 0.1))]},
            when, float(rng.choice([0.0, 300.0, 1500.0])),
            [*parties, None][int(rng.integers(len(parties) + 1))],
        )
        for k in range(400)
    ]  # fmt: skip
    xy = _metric(engine)
    seen_freeze = seen_later = 0
    for o, a in zip(reports, engine.assess_many(reports), strict=True):
        found = (*a.findings, *a.findings_not_agreed)
        frozen = {f.params["distance_m"] for f in found if f.rule == "freeze:new_position"}
        later = {f.params["position"] for f in found if f.rule == "withdrawal:position"}
        want_frozen, want_later = _plain(engine, arrangement, o, xy)
        assert frozen == want_frozen, o
        assert later == want_later, o
        assert engine.assess(o) == a
        seen_freeze += bool(frozen)
        seen_later += bool(later)
    # The draw exercises both clauses, both ways.
    assert 0 < seen_freeze < len(reports)
    assert 0 < seen_later < len(reports)
