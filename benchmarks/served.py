"""A served request's CPU with the SQLite connection kept between requests, against one
opened and closed for each request, in the same run.

    .venv/bin/python benchmarks/served.py                  # a throw-away demo data directory
    .venv/bin/python benchmarks/served.py --requests 600 --rounds 5
    .venv/bin/python benchmarks/served.py --keep DIR       # make (or reuse) the demo in DIR

Makes a demo data directory (``coordcell demo --no-serve`` in a temporary directory: the
fictional demo's accounts and story), then starts ``coordcell serve`` on it (one gunicorn
worker) twice per round, alternately:

- **per request** (the baseline): ``COORDCELL_DB_CONN_MAX_AGE=0``, Django's default for
  SQLite before: each request opens the database (Django registers its SQL functions and
  runs the data directory's pragmas) and closes it (the last connection to close
  checkpoints the write-ahead log);
- **kept**: ``COORDCELL_DB_CONN_MAX_AGE=60`` (the setting's default): the worker's thread
  keeps its connection for the next request, checked for health first.

Each server is warmed (every path twice), then sent ``--requests`` GETs, one after the
other, over five API lists with a liaison officer's token. What is measured is the CPU
time (user + system, from ``/proc``) that the server's processes spent in those requests,
not the wall time (the client shares the machine). The ratio is per-request over kept,
per round; the median is reported. Every answer must be 200.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PATHS = (
    "/api/v1/zones/",
    "/api/v1/cases/",
    "/api/v1/incidents/",
    "/api/v1/hotline/",
    "/api/v1/record/checkpoint",
)
TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_of_group(pgid: int) -> float:
    """User + system seconds of the live processes of process group ``pgid``."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:  # field 5 of stat: the process group
                total += int(fields[11]) + int(fields[12])  # fields 14 and 15: utime, stime
    return total / TICKS


def _get(url: str, token: str) -> int:
    request = urllib.request.Request(url)  # noqa: S310 (http://127.0.0.1)
    request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        response.read()
        return int(response.status)


def _serve(data: Path, max_age: int, requests: int, token: str) -> float:
    """CPU seconds per request of a server with ``max_age``."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COORDCELL_")}
    env.update(
        COORDCELL_DATA_DIR=str(data),
        COORDCELL_DB_CONN_MAX_AGE=str(max_age),
        COORDCELL_SECRET_KEY_FILE=str(data / "secret-key"),  # the demo's own
        COORDCELL_REQUIRE_MFA="0",  # as in the demo: its accounts have no second factor
        COORDCELL_API_RATE_USER="1000/s",  # as CI's fuzzing: the default allows 600 a minute
        XDG_RUNTIME_DIR=str(data.parent),
    )
    command = [sys.executable, "-m", "coordcell.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [*command, "--workers", "1"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(OSError):
                _get(base + PATHS[0], token)
                break
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"coordcell serve did not answer (exit {server.returncode})")
            time.sleep(0.2)
        for path in PATHS * 2:
            _get(base + path, token)
        before = _cpu_of_group(server.pid)
        for i in range(requests):
            status = _get(base + PATHS[i % len(PATHS)], token)
            if status != 200:
                raise SystemExit(f"{PATHS[i % len(PATHS)]}: {status}")
        return (_cpu_of_group(server.pid) - before) / requests
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="make or reuse the demo in this directory")
    args = parser.parse_args()
    if args.requests < 1 or args.rounds < 1:
        parser.error("--requests and --rounds must be at least 1")
    with tempfile.TemporaryDirectory(prefix="coordcell-bench-served-") as scratch:
        root = args.keep.resolve() if args.keep else Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        data = root / "coordcell-data"
        if not (data / "demo-accounts.json").is_file():
            env = {k: v for k, v in os.environ.items() if not k.startswith("COORDCELL_")}
            print("making the demo data directory (coordcell demo --no-serve) …", flush=True)
            subprocess.run(
                [sys.executable, "-m", "coordcell.cli", "demo", "--no-serve"],
                cwd=root,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        accounts = json.loads((data / "demo-accounts.json").read_text())["accounts"]
        token = next(a["token"] for a in accounts if "liaison_officer" in a["roles"])
        print(f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}")
        print(f"{args.requests} GETs per server, {len(PATHS)} API lists, one gunicorn worker")
        ratios = []
        for round_ in range(1, args.rounds + 1):
            baseline = _serve(data, 0, args.requests, token)
            kept = _serve(data, 60, args.requests, token)
            ratios.append(baseline / kept)
            print(
                f"round {round_}: per request {baseline * 1000:.2f} ms of CPU, "
                f"kept {kept * 1000:.2f} ms, ratio {baseline / kept:.2f}",
                flush=True,
            )
        print(f"median ratio (connection per request / kept): {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
