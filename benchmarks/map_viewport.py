"""The situation map with a million incidents: one viewport's clustered answer against the
naive full GeoJSON of the same incidents, in the same run.

    .venv/bin/python benchmarks/map_viewport.py                     # 10^6, throw-away SQLite
    .venv/bin/python benchmarks/map_viewport.py --n 100000
    .venv/bin/python benchmarks/map_viewport.py --pg postgres://postgres@127.0.0.1:5432/bench

Sets up a throw-away database (a temporary SQLite data directory, or the PostgreSQL
database named, whose tables are dropped first: never point it at a real one), loads the
default scenario and its demo personas, and imports N synthetic, fictional incidents
(``fictional=True``; "Fictional benchmark incident" titles): around six towns of the
region and scattered over it, over three years, under five audiences, each with its grid
cell (``rules.grid.cell_key``, as the incidents service stores it). Then, for a party
reader (``il.liaison``, whose audience filter is part of every query), each viewport is
asked through the map's own view (``situation.views.incidents``, a request built by
Django's RequestFactory: the view, the query, the headlines and the JSON, without the
middleware and the network):

- **clustered**: the map's answer (``situation.maplayers.clustered_incidents``);
- **naive**: the same incidents as one GeoJSON feature each, with only an id, a reference,
  a kind and a time (``situation.maplayers.full_incidents``, leaner than the clustered
  answer's single incidents: the baseline is as cheap as a full answer can be).

Each is warmed twice, then timed best of ``--repeat``: the wall time of the best call and
the CPU time the process spent in it (on a busy machine the wall time includes waiting
for a core); the size is the response body's. The ratios are naive over clustered, of
the CPU times and of the sizes. Both answers are checked to hold the same number of
incidents. ``--keep DIR`` keeps the database and measures it again without importing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1] / "src"))

#: Towns of the region (lon, lat) the synthetic incidents gather around.
TOWNS = [
    (35.8246, 33.1259),
    (35.8916, 33.1838),
    (36.1021, 32.6189),
    (35.6500, 33.2600),
    (36.0500, 32.9500),
    (35.9300, 33.3400),
]
AUDIENCES = ["|*|", "|il|us|", "|sy|us|", "|il|sy|undof|us|", "|us|"]
KINDS = ["armed_clash", "overflight", "troop_movement", "military_presence", "fortification"]


def setup(pg: str | None, keep: str | None = None) -> str:
    """A throw-away data directory (removed by :func:`main` at the end unless ``keep``
    names it) and database."""
    data = keep or tempfile.mkdtemp(prefix="coordcell-map-bench-")
    Path(data).mkdir(parents=True, exist_ok=True)
    os.environ["COORDCELL_DATA_DIR"] = data
    os.environ["COORDCELL_SECRET_KEY"] = "benchmark-only-" + "x" * 40
    os.environ["COORDCELL_DEMO"] = "1"  # the demo personas, without a second factor
    os.environ.pop("DATABASE_URL", None)
    if pg:
        os.environ["DATABASE_URL"] = pg
    os.environ["DJANGO_SETTINGS_MODULE"] = "coordcell.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if pg and not keep:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    return data


def load(n: int, seed: int) -> float:
    from coordcell.agreements.models import ArrangementVersion
    from coordcell.agreements.services import load_arrangement
    from coordcell.core.actor import Actor
    from coordcell.demo.loader import load_demo_data
    from coordcell.incidents.models import Incident
    from coordcell.parties.models import Party
    from coordcell.rules import grid
    from coordcell.rules.scenario import read_scenario

    scenarios = HERE.parents[1] / "src" / "coordcell" / "scenarios"
    path = scenarios / "southern_syria_2026"
    console = Actor.console("benchmark")
    load_arrangement(actor=console, path=path)
    demo = read_scenario(path).demo
    assert demo is not None
    load_demo_data(actor=console, demo=demo, known={})
    version = ArrangementVersion.objects.get(is_current=True)
    west, south, east, north = version.region_bbox
    parties = list(Party.objects.filter(code__in=["il", "sy"]))
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    chunk: list[Any] = []
    for i in range(n):
        if rng.random() < 0.8:
            tlon, tlat = rng.choice(TOWNS)
            lon, lat = rng.gauss(tlon, 0.05), rng.gauss(tlat, 0.05)
        else:
            lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        chunk.append(
            Incident(
                reference=f"INC-BENCH-{i:08d}",
                kind=rng.choice(KINDS),
                title=f"Fictional benchmark incident {i}",
                occurred_from=now - dt.timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60)),
                geometry={"type": "Point", "coordinates": [lon, lat]},
                lon=lon,
                lat=lat,
                cell=grid.cell_key(lon, lat),
                source="party",
                source_party=rng.choice(parties),
                version=version,
                audience=rng.choice(AUDIENCES),
                reported_at=now,
                fictional=True,
            )
        )
        if len(chunk) == 20_000:
            Incident.objects.bulk_create(chunk, batch_size=2_000)
            chunk = []
    if chunk:
        Incident.objects.bulk_create(chunk, batch_size=2_000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def measure(view: Any, request: Any, repeat: int) -> tuple[float, float, int, dict[str, Any]]:
    """Best wall time of ``repeat`` calls after two warm-ups, the CPU time this process
    spent in that call (on a busy machine the wall time includes waiting for a core),
    the body's size and the body."""
    for _ in range(2):
        view(request)
    best, cpu = float("inf"), float("inf")
    body = b""
    for _ in range(repeat):
        started, ticks = time.perf_counter(), time.process_time()
        response = view(request)
        wall = time.perf_counter() - started
        if wall < best:
            best, cpu = wall, time.process_time() - ticks
        body = response.content
    assert response.status_code == 200, body[:300]
    return best, cpu, len(body), json.loads(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--pg", help="a throw-away PostgreSQL database's URL")
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="keep the data directory DIR (and the PostgreSQL tables); measure again, "
        "without importing, when it holds the incidents already",
    )
    parser.add_argument(
        "--naive-all",
        action="store_true",
        help="also build the naive answer of every incident (slow: hundreds of MB)",
    )
    args = parser.parse_args()
    data = setup(args.pg, args.keep)
    try:
        run(args)
    finally:
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)


def run(args: argparse.Namespace) -> None:
    from coordcell.incidents.models import Incident

    seconds = 0.0
    if not (args.keep and Incident.objects.exists()):
        seconds = load(args.n, args.seed)
    args.n = Incident.objects.count()

    from django.http import JsonResponse
    from django.test import RequestFactory

    from coordcell.accounts.models import User
    from coordcell.core.actor import Actor
    from coordcell.situation import maplayers as layers
    from coordcell.situation import views

    user = User.objects.get(username="il.liaison")
    actor = Actor.from_user(user)
    factory = RequestFactory()

    def naive_view(request: Any) -> JsonResponse:
        from coordcell.agreements import selectors

        version = selectors.get_version(actor, None, None)
        filters = layers.read_filters(request.GET, actor, version)
        return JsonResponse(layers.full_incidents(actor, filters))

    today = dt.date.today()
    window = f"start={today - dt.timedelta(days=89)}&end={today}"
    cases = [
        ("region, 90 days", window, True),
        ("a town (10 km), 90 days", f"bbox=35.78,33.08,35.87,33.17&{window}", True),
        ("region, 90 days, one kind", f"{window}&kind=armed_clash", True),
        ("region, every incident (3 years)", "", args.naive_all),
    ]
    from django.db import connection

    print(f"coordcell map viewport benchmark: {args.n:,} incidents, {connection.vendor}")
    print(f"python {platform.python_version()}, {platform.machine()}, import {seconds:.0f} s")
    head = f"{'viewport':40} {'in view':>9} {'clustered (wall/cpu)':>28} {'naive (wall/cpu)':>30}"
    print(f"{head} {'ratio t':>8} {'ratio B':>8}")
    for label, query, naive in cases:
        request = factory.get("/map/incidents.json?" + query)
        request.user = user
        request.session = {}  # type: ignore[attr-defined]
        t_c, u_c, b_c, body_c = measure(views.incidents, request, args.repeat)
        line = f"{label:40} {body_c['total']:>9,} {t_c * 1000:>7.0f} /{u_c * 1000:>5.0f} ms"
        line += f" {b_c / 1024:>7.1f} kB"
        if naive:
            t_n, u_n, b_n, body_n = measure(naive_view, request, max(1, args.repeat // 2))
            assert body_n["total"] == body_c["total"], (body_n["total"], body_c["total"])
            line += f" {t_n * 1000:>8.0f} /{u_n * 1000:>6.0f} ms {b_n / 1024 / 1024:>7.1f} MB"
            line += f" {u_n / u_c:>8.1f} {b_n / b_c:>8.1f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
