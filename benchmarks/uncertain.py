"""Benchmark "possibly inside" for located-with-uncertainty observations, and the engine.

    .venv/bin/python benchmarks/uncertain.py [--n 100000]

The real scenario's eight area zones (southern Syria, UTM 36N) and uniform random points
in the region. For each uncertainty radius, ``ZoneIndex.locate_uncertain`` is timed against
the obvious shapely baseline measured in the same run: ``contains_xy`` for inside, and
``shapely.distance`` to each zone's boundary (prepared geometries, bounding-box prefilter)
for "within the radius of the boundary". Both must give the same (point, zone, certain)
triples. Then the whole engine (``Engine.assess_many``: zones, distances to the lines,
findings) against calling ``Engine.assess`` one observation at a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib
import time

import numpy as np
import shapely
from shapely.geometry import shape

import coordcell
from coordcell.rules.engine import Engine, Observation
from coordcell.rules.scenario import read_scenario

SCENARIO = pathlib.Path(coordcell.__file__).resolve().parent / "scenarios" / "southern_syria_2026"


def shapely_uncertain(zones, x, y, r):
    """The baseline: (point, zone, certain) with shapely, vectorised per zone."""
    out = []
    for k, geom in enumerate(zones):
        shapely.prepare(geom)
        boundary = geom.boundary
        shapely.prepare(boundary)
        xmin, ymin, xmax, ymax = geom.bounds
        cand = np.flatnonzero((x >= xmin - r) & (x <= xmax + r) & (y >= ymin - r) & (y <= ymax + r))
        inside = shapely.contains_xy(geom, x[cand], y[cand])
        near = np.zeros(cand.size, bool)
        if r > 0:
            near = shapely.distance(boundary, shapely.points(x[cand], y[cand])) <= r
        for i, ins, nr in zip(cand.tolist(), inside.tolist(), near.tolist(), strict=True):
            if ins or nr:
                out.append((i, k, bool(ins and not nr)))
    return sorted(out)


def timed(func, *args):
    started = time.perf_counter()
    result = func(*args)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    arrangement = read_scenario(SCENARIO)
    engine = Engine(arrangement, version="bench")
    index = engine.index
    zones = [engine.projector.geometry_to_metric(shape(z.geometry))
             for z in arrangement.zones if z.kind == "area"]  # fmt: skip
    rng = np.random.default_rng(7)
    lon = rng.uniform(35.5, 36.5, args.n)
    lat = rng.uniform(32.5, 33.6, args.n)
    x, y = engine.projector.to_metric(lon, lat)
    index.locate_uncertain(x[:100], y[:100], np.full(100, 1000.0))  # compile, build
    print(f"locate_uncertain, {args.n:,} points, 8 zones of the scenario")
    print(f"{'radius':>8} {'coordcell pts/s':>16} {'shapely pts/s':>14} {'ratio':>7} identical")
    for radius in (0.0, 1_000.0, 5_000.0, 25_000.0, 50_000.0):
        (p, z, c), t_engine = timed(index.locate_uncertain, x, y, np.full(args.n, radius))
        base, t_base = timed(shapely_uncertain, zones, x, y, radius)
        same = sorted(zip(p.tolist(), z.tolist(), c.tolist(), strict=True)) == base
        print(f"{radius:>8,.0f} {args.n / t_engine:>16,.0f} {args.n / t_base:>14,.0f} "
              f"{t_base / t_engine:>6.1f}x {same}")  # fmt: skip

    # UCDP-like uncertainty: mostly 1 km and 25 km, some 50 km.
    radii = rng.choice([1_000.0, 1_000.0, 25_000.0, 50_000.0], args.n)
    kinds = rng.choice(["armed_clash", "air_or_drone_strike", "military_presence"], args.n)
    observations = [
        Observation(str(i), str(kinds[i]), {"type": "Point", "coordinates": [lon[i], lat[i]]},
                    dt.date(2020, 1, 1), float(radii[i]))
        for i in range(args.n)
    ]  # fmt: skip
    many, t_many = timed(lambda: list(engine.assess_many(observations)))
    sample = observations[: max(args.n // 20, 1)]
    one, t_one = timed(lambda: [engine.assess(o) for o in sample])
    rate_one = len(sample) / t_one
    print(f"\nEngine, {args.n:,} observations with UCDP-like uncertainty (1-50 km):")
    print(f"  assess_many      {args.n / t_many:>10,.0f} obs/s")
    print(f"  assess, one by one {rate_one:>8,.0f} obs/s (on {len(sample):,})")
    print(f"  ratio            {args.n / t_many / rate_one:>10.1f}x   identical: "
          f"{many[: len(sample)] == one}")  # fmt: skip


if __name__ == "__main__":
    main()
