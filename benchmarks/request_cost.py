"""The fixed CPU cost of a request: the product's requests through Django's test client,
with the per-request queries compiled once (``core.compiled``) against the same requests
with each of those queries built and compiled by the ORM anew, in the same run.

    .venv/bin/python benchmarks/request_cost.py                # about a minute
    .venv/bin/python benchmarks/request_cost.py --rounds 9 --n 200

Sets up a throw-away SQLite data directory with the product's own settings (the demo's:
no second factor; the API's throttles on, in the database cache, raised to 1000/s as CI's
fuzzing raises them, so that no request is refused), loads the default scenario and its
demo personas, and sends, as a liaison officer (``il.liaison``):

- **api token**: ``GET /api/v1/parties/`` with the persona's bearer token;
- **api session**: the same with a signed-in session;
- **api 400**: ``POST /api/v1/incidents/`` of an empty JSON object with the token (the
  validation error: what most of the fuzzer's requests get);
- **page**: the home page (``GET /``) with a signed-in session.

Every request goes through the whole middleware stack, DRF's authentication, permissions
and throttles, the view and the rendering; the test client adds its own small cost to
both sides alike. The baseline (**orm**) is the same requests with ``CompiledQuery.rows``
replaced by the ORM's ``list(query set)`` (what the code did before: build and compile
each query on each request). Both sides are warmed, then measured in alternating rounds
of ``--n`` requests each (CPU time of this process, ``time.process_time``); the medians
of the rounds are printed per request, with the ratio orm / compiled.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import platform
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1] / "src"))


def setup() -> str:
    data = tempfile.mkdtemp(prefix="coordcell-request-bench-")
    os.environ["COORDCELL_DATA_DIR"] = data
    os.environ["COORDCELL_SECRET_KEY"] = "benchmark-only-" + "x" * 40
    os.environ["COORDCELL_DEMO"] = "1"  # the demo personas, without a second factor
    os.environ["COORDCELL_API_RATE_USER"] = "1000/s"
    os.environ["COORDCELL_API_RATE_ANON"] = "1000/s"
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "coordcell.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from coordcell.agreements.services import load_arrangement
    from coordcell.core.actor import Actor
    from coordcell.demo.loader import load_demo_data
    from coordcell.rules.scenario import read_scenario

    path = HERE.parents[1] / "src" / "coordcell" / "scenarios" / "southern_syria_2026"
    console = Actor.console("benchmark")
    load_arrangement(actor=console, path=path)
    demo = read_scenario(path).demo
    assert demo is not None
    accounts = load_demo_data(actor=console, demo=demo, known={})
    os.environ["BENCH_TOKEN"] = next(a.token for a in accounts if a.username == "il.liaison")
    return data


def requests() -> dict[str, Callable[[], Any]]:
    from django.conf import settings
    from django.test import Client

    from coordcell.accounts.models import User

    token = os.environ["BENCH_TOKEN"]
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {token}", SERVER_NAME="localhost")
    signed_in = Client(SERVER_NAME="localhost")
    signed_in.force_login(
        User.objects.get(username="il.liaison"), backend=settings.AUTHENTICATION_BACKENDS[0]
    )

    def check(response: Any, status: int) -> Any:
        assert response.status_code == status, (response.status_code, response.content[:300])
        return response

    return {
        "api token": lambda: check(bearer.get("/api/v1/parties/"), 200),
        "api session": lambda: check(signed_in.get("/api/v1/parties/"), 200),
        "api 400": lambda: check(
            bearer.post("/api/v1/incidents/", {}, content_type="application/json"), 400
        ),
        "page": lambda: check(signed_in.get("/"), 200),
    }


def cpu_per_request(send: Callable[[], Any], n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        send()
    return (time.process_time() - started) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--profile", metavar="REQUEST", help="print a cProfile of REQUEST's compiled side"
    )
    args = parser.parse_args()
    data = setup()
    try:
        run(args)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def run(args: argparse.Namespace) -> None:
    from coordcell.core.compiled import CompiledQuery

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 400s' warnings

    compiled_rows = CompiledQuery.rows

    def orm_rows(self: CompiledQuery, *values: Any, using: str = "default") -> list[Any]:
        return list(self._build(*values).using(using))

    sides = {"orm": orm_rows, "compiled": compiled_rows}
    print(f"python {platform.python_version()}, {platform.machine()}, SQLite")
    print(f"{args.rounds} rounds of {args.n} requests per side, CPU ms per request (median)")
    print(f"{'request':<14}{'orm':>10}{'compiled':>10}{'ratio':>8}")
    for name, send in requests().items():
        for rows in sides.values():  # warm both sides
            CompiledQuery.rows = rows  # type: ignore[method-assign]
            cpu_per_request(send, max(10, args.n // 5))
        times: dict[str, list[float]] = {side: [] for side in sides}
        for _ in range(args.rounds):
            for side, rows in sides.items():
                CompiledQuery.rows = rows  # type: ignore[method-assign]
                times[side].append(cpu_per_request(send, args.n))
        CompiledQuery.rows = compiled_rows  # type: ignore[method-assign]
        orm = statistics.median(times["orm"]) * 1e3
        ours = statistics.median(times["compiled"]) * 1e3
        print(f"{name:<14}{orm:>10.2f}{ours:>10.2f}{orm / ours:>8.2f}")
        if name == args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(cpu_per_request, send, args.n)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
