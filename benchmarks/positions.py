"""Does the engine keep its per-point speed with many declared positions?

    .venv/bin/python benchmarks/positions.py                  # 10,000 against 200 positions
    .venv/bin/python benchmarks/positions.py --positions 200,10000,50000 --points 50000

The freeze and withdrawal clauses compare every reported presence with the declared
positions of the parties they bind (the freeze: is it away from every position standing
at the baseline date? the withdrawal: is it at a position established after the clause's
date?). This script builds the engine of the shipped default scenario with a synthetic
baseline of N positions spread over its region (both parties; four in five established
before the freeze's baseline date, the rest after the withdrawal's date), then assesses
the same synthetic presence reports (a third naming each party, a third naming none)
with each engine, through ``Engine.assess_many``, the path the importer and the check
command take. The baseline of the ratio is the same run's engine with the smallest N
(200 by default): the ratio is the cost per point with N positions over the cost per point
with 200, measured after both engines have assessed a warm-up batch (the compiled
kernels loaded, the caches filled), best of ``--repeat`` runs each. Every engine's
findings are also counted, so a faster engine that finds less would show.

Synthetic data only; no database, no Django.
"""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib
import platform
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1] / "src"))

from coordcell.rules.engine import Engine, Observation, Position  # noqa: E402
from coordcell.rules.scenario import read_scenario  # noqa: E402

SCENARIOS = HERE.parents[1] / "src" / "coordcell" / "scenarios"


def _default_scenario() -> pathlib.Path:
    lines = (SCENARIOS / "default.txt").read_text(encoding="utf-8").splitlines()
    return SCENARIOS / next(
        x.strip() for x in lines if x.strip() and not x.lstrip().startswith("#")
    )


def _dates(arrangement):  # type: ignore[no-untyped-def]
    """(freeze baseline date, withdrawal after-date), from the scenario's own clauses."""
    freeze = after = None
    for clause in arrangement.clauses:
        if clause.kind == "freeze" and freeze is None:
            freeze = dt.date.fromisoformat(str(clause.parameters["baseline_date"]))
        if clause.kind == "withdrawal" and after is None:
            after = dt.date.fromisoformat(str(clause.parameters["after_date"]))
    if freeze is None or after is None:
        raise SystemExit("the scenario has no freeze and withdrawal clause to measure")
    return freeze, after


def make_baseline(n: int, arrangement, seed: int = 7) -> list[Position]:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = arrangement.region_bbox
    parties = [p.code for p in arrangement.parties if p.kind == "party"]
    freeze, after = _dates(arrangement)
    lon = rng.uniform(lon0, lon1, n)
    lat = rng.uniform(lat0, lat1, n)
    late = rng.random(n) < 0.2
    return [
        Position(
            id=f"P{i}",
            party=parties[i % len(parties)],
            lon=float(lon[i]),
            lat=float(lat[i]),
            established=(after + dt.timedelta(days=30))
            if late[i]
            else freeze - dt.timedelta(days=400),
        )
        for i in range(n)
    ]


def make_points(m: int, arrangement, seed: int) -> list[Observation]:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = arrangement.region_bbox
    parties = [p.code for p in arrangement.parties if p.kind == "party"] + [None]
    freeze, _ = _dates(arrangement)
    when = dt.datetime.combine(freeze + dt.timedelta(days=200), dt.time(10), tzinfo=dt.UTC)
    lon = rng.uniform(lon0, lon1, m)
    lat = rng.uniform(lat0, lat1, m)
    return [
        Observation(
            id=str(i),
            kind="military_presence",
            geometry={"type": "Point", "coordinates": [float(lon[i]), float(lat[i])]},
            time=when,
            uncertainty_m=float(rng.choice([0.0, 250.0, 1000.0])),
            party=parties[i % len(parties)],
        )
        for i in range(m)
    ]


def per_point(engine: Engine, points: list[Observation], repeat: int) -> tuple[float, int]:
    best = float("inf")
    found = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        found = sum(
            len(a.findings) + len(a.findings_not_agreed) for a in engine.assess_many(points)
        )
        best = min(best, time.perf_counter() - t0)
    return best / len(points), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--positions", default="200,10000", help="comma-separated N; the first is the baseline"
    )
    parser.add_argument("--points", type=int, default=20_000, help="presence reports per run")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.positions.split(",")]
    arrangement = read_scenario(_default_scenario())
    points = make_points(args.points, arrangement, seed=1)
    warm = make_points(2_000, arrangement, seed=2)
    engines = {}
    for n in sizes:
        t0 = time.perf_counter()
        engines[n] = Engine(arrangement, version="bench", baseline=make_baseline(n, arrangement))
        build = time.perf_counter() - t0
        list(engines[n].assess_many(warm))  # kernels compiled and loaded, caches filled
        print(f"built the engine with {n:>6} positions in {build * 1000:7.1f} ms")
    print(f"\n{platform.python_implementation()} {platform.python_version()}, "
          f"{args.points} presence reports, best of {args.repeat}")  # fmt: skip
    base = None
    for n in sizes:
        cost, found = per_point(engines[n], points, args.repeat)
        base = base or cost
        print(f"{n:>6} positions: {cost * 1e6:8.1f} µs per point, {found:>6} findings, "
              f"ratio to {sizes[0]} positions {cost / base:5.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
