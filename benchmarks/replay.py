"""How fast is the what-if replay, against a naive reading with shapely alone?

    .venv/bin/python benchmarks/replay.py                    # the demo's size, then 100,000
    .venv/bin/python benchmarks/replay.py --points 20,10000,100000 --repeat 3

The replay (``proposals.replay.compare``) puts every incident through the rules engine
twice — the current version's engine and the draft's (the demo proposal's third version:
the Area of Separation widened and a cap lowered, read from the scenario's demo.toml) —
in bulk (``Engine.assess_many``: the grid index, every clause) and counts those in a
prohibited area per area. **The baseline** is the naive reading of the same question:
for each point and each area of each version, ``shapely`` ``contains`` on the WGS84
polygon (no index, no projection, no clause logic, no findings: it does *less* than the
replay, which also assesses every clause and measures the distance to every line).
Both are warmed on a first batch, then timed best of ``--repeat``; the script prints the
per-point cost of each, the ratio naive / replay, and both counts (they differ only for
points within the engine's metric rounding of an edge, which the synthetic points avoid
by construction: they are drawn at random over the region).

Synthetic points only; no database (Django is configured in memory, for the module's
imports).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import sys
import tempfile
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1] / "src"))
os.environ.setdefault("COORDCELL_SECRET_KEY", "benchmark")
os.environ.setdefault("COORDCELL_DATA_DIR", tempfile.mkdtemp())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coordcell.settings")

import django  # noqa: E402

django.setup()

from shapely.geometry import Point, shape  # noqa: E402

from coordcell.proposals.changes import apply_change  # noqa: E402
from coordcell.proposals.replay import compare, prohibited_areas  # noqa: E402
from coordcell.rules.arrangement import arrangement_from_content  # noqa: E402
from coordcell.rules.engine import Engine, Observation  # noqa: E402
from coordcell.rules.scenario import read_scenario  # noqa: E402

SCENARIOS = HERE.parents[1] / "src" / "coordcell" / "scenarios"


def _default_scenario() -> pathlib.Path:
    lines = (SCENARIOS / "default.txt").read_text(encoding="utf-8").splitlines()
    return SCENARIOS / next(
        x.strip() for x in lines if x.strip() and not x.lstrip().startswith("#")
    )


def engines() -> tuple[Engine, Engine]:
    arrangement = read_scenario(_default_scenario())
    assert arrangement.demo is not None
    changes = [
        s.proposals["change"]
        for s in arrangement.demo.story
        if s.proposals and s.proposals.get("change")
    ]
    if not changes:
        raise SystemExit("the scenario's demo has no proposal that changes the arrangement")
    current = Engine(arrangement, version="current")
    draft = Engine(
        arrangement_from_content(apply_change(arrangement.content, changes[-1])), version="draft"
    )
    return current, draft


def points(n: int, engine: Engine, seed: int = 16) -> list[Observation]:
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = engine.arrangement.region_bbox
    # Around the lines, where the areas are (a uniform draw over the whole region would
    # put most points far from every area and flatter the index).
    lon = rng.uniform(max(lon0, 35.55), min(lon1, 36.15), n)
    lat = rng.uniform(max(lat0, 32.6), min(lat1, 33.5), n)
    return [
        Observation(
            id=f"p{i:07d}",
            kind="military_presence",
            geometry={"type": "Point", "coordinates": [float(lon[i]), float(lat[i])]},
        )
        for i in range(n)
    ]


def naive(current: Engine, draft: Engine, observations: list[Observation]) -> dict[str, int]:
    """Each point's areas under each version (every area: the replay lists the incidents
    that change area), by shapely ``contains`` one polygon at a time; then the count of
    points in a prohibited area."""
    counts = {}
    for label, engine in (("current", current), ("draft", draft)):
        banned = prohibited_areas(engine)
        areas = [(z.id, shape(z.geometry)) for z in engine.arrangement.zones if z.kind == "area"]
        inside = 0
        for o in observations:
            point = Point(*o.geometry["coordinates"])
            zones = {zone for zone, s in areas if s.contains(point)}
            inside += bool(zones & banned)
        counts[label] = inside
    return counts


def index_only(current: Engine, draft: Engine, observations: list[Observation]) -> None:
    """The areas of every point through the engine's grid index alone (the part of the
    replay that answers "which areas"), both versions."""
    lon = np.array([o.geometry["coordinates"][0] for o in observations])
    lat = np.array([o.geometry["coordinates"][1] for o in observations])
    for engine in (current, draft):
        x, y = engine.projector.to_metric(lon, lat)
        engine.index.locate_uncertain(x, y, np.zeros(len(observations)))


def best(func, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", default="20,100000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    current, draft = engines()
    warm = points(2_000, current, seed=1)
    compare(current, draft, warm)
    naive(current, draft, warm)
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpus")
    index_only(current, draft, warm)
    print(
        f"{'points':>8} {'replay/pt':>11} {'naive/pt':>11} {'ratio':>7} "
        f"{'index/pt':>10} {'ratio':>7}  counts (replay | naive)"
    )
    for n in (int(x) for x in args.points.split(",")):
        obs = points(n, current)
        got = compare(current, draft, obs)
        plain = naive(current, draft, obs)
        t_replay = best(lambda obs=obs: compare(current, draft, obs), args.repeat)
        t_naive = best(lambda obs=obs: naive(current, draft, obs), args.repeat)
        t_index = best(lambda obs=obs: index_only(current, draft, obs), args.repeat)
        print(
            f"{n:>8} {t_replay / n * 1e6:>9.1f}µs {t_naive / n * 1e6:>9.1f}µs "
            f"{t_naive / t_replay:>7.2f} {t_index / n * 1e6:>8.1f}µs {t_naive / t_index:>7.2f}"
            f"  {got.in_prohibited} | {plain}"
        )


if __name__ == "__main__":
    main()
