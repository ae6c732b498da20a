"""Benchmark ``coordcell import ucdp FILE`` on SQLite against reading and assessing alone.

    .venv/bin/python benchmarks/imports.py [--n 100000] [--chunk 2000] [--keep DIR]

Writes a synthetic UCDP GED CSV of N rows in the southern-Syria region (the 49 columns of
the real sample ``tests/data/ucdp_ged231_sample_levant.csv``; each row copies the text
columns of a real row and gets a new id, a random point, dates and counts), sets up a
fresh SQLite data directory with ``coordcell demo --no-serve``, and runs, each as its own
process:

1. the baseline: ``coordcell check --scenario southern_syria_2026 FILE`` (reads, parses
   and assesses every row with the same readers and engine; writes nothing);
2. ``coordcell import ucdp FILE`` (the same, plus the incidents and the record events);
3. the same import again (every row already present: nothing is written);
4. ``coordcell record check`` (the record still verifies).

Rates are rows per second over each process's wall time (start-up included, about 2 s
of Django and the engine build in each) and, for the imports, over the time the import
reports itself. The ratio is the import's rate over the baseline's.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "ucdp_ged231_sample_levant.csv"
COORDCELL = str(Path(sys.executable).with_name("coordcell"))
#: Quneitra and Daraa, both sides of Lines A and B (lon, lat).
REGION = (35.65, 32.55, 36.35, 33.45)


def generate(path: Path, n: int, seed: int = 1) -> None:
    """N UCDP GED rows in the region, built on the real sample's rows."""
    rng = random.Random(seed)
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        real = list(reader)
    col = {name: i for i, name in enumerate(header)}
    start = dt.date(2025, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for i in range(n):
            row = list(real[i % len(real)])
            lon = rng.uniform(REGION[0], REGION[2])
            lat = rng.uniform(REGION[1], REGION[3])
            day = start + dt.timedelta(days=rng.randrange(540))
            deaths = rng.randrange(0, 6)
            row[col["id"]] = str(900_000_000 + i)
            row[col["type_of_violence"]] = str(rng.choice((1, 1, 2, 3)))
            row[col["latitude"]] = f"{lat:.6f}"
            row[col["longitude"]] = f"{lon:.6f}"
            row[col["geom_wkt"]] = f"POINT ({lon:.6f} {lat:.6f})"
            row[col["where_prec"]] = str(rng.choice((1, 1, 1, 2, 2, 3)))
            row[col["date_prec"]] = str(rng.choice((1, 1, 1, 2, 3)))
            row[col["date_start"]] = day.isoformat()
            row[col["date_end"]] = (day + dt.timedelta(days=rng.choice((0, 0, 1, 3)))).isoformat()
            row[col["year"]] = str(day.year)
            row[col["low"]], row[col["best"]], row[col["high"]] = (
                str(deaths),
                str(deaths),
                str(deaths + rng.randrange(0, 3)),
            )
            writer.writerow(row)


def run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own console script
        [COORDCELL, *args], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"coordcell {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return seconds, done.stdout


def reported_seconds(stdout: str) -> float:
    match = re.search(r"([0-9.]+) s +[0-9,]+ rows/s", stdout)
    return float(match.group(1)) if match else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=2_000)
    parser.add_argument("--keep", type=Path, default=None, help="Work in DIR and keep it.")
    args = parser.parse_args()
    if not SAMPLE.exists():
        sys.exit(f"{SAMPLE}: the real UCDP sample is needed beside the repository")
    work = args.keep or Path(tempfile.mkdtemp(prefix="coordcell-bench-imports-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        data = work / "data"
        source = work / "ucdp-synthetic.csv"
        started = time.perf_counter()
        generate(source, args.n)
        size = source.stat().st_size / 1e6
        print(f"generated {args.n:,} rows ({size:.1f} MB) in {time.perf_counter() - started:.1f} s")
        env = {k: v for k, v in os.environ.items() if not k.startswith("COORDCELL_")}
        env.pop("DATABASE_URL", None)
        env["COORDCELL_DATA_DIR"] = str(data)
        shutil.rmtree(data, ignore_errors=True)
        # The demo creates the data directory and its secret key; the rest reads the key.
        setup, _ = run(["demo", "--no-serve", "--data-dir", str(data)], env)
        env["COORDCELL_SECRET_KEY_FILE"] = str(data / "secret-key")
        print(f"fresh SQLite data directory (coordcell demo --no-serve): {setup:.1f} s")

        base, _ = run(["check", "--scenario", "southern_syria_2026", str(source)], env)
        chunk = ["--chunk", str(args.chunk)]
        first, out1 = run(["import", "ucdp", str(source), *chunk], env)
        again, out2 = run(["import", "ucdp", str(source), *chunk], env)
        verify, out3 = run(["record", "check"], env)
        db_mb = (data / "coordcell.sqlite3").stat().st_size / 1e6

        n = args.n
        own1, own2 = reported_seconds(out1), reported_seconds(out2)
        print()
        print("| run | wall s | rows/s (wall) | import's own s | rows/s (own) | vs baseline |")
        print("|---|---|---|---|---|---|")
        print(
            f"| baseline: `coordcell check --scenario` | {base:.1f} | {n / base:,.0f} | | | 1.00× |"
        )
        for label, wall, own in (
            ("`coordcell import ucdp` (all new)", first, own1),
            ("`coordcell import ucdp` again (all present)", again, own2),
        ):
            print(
                f"| {label} | {wall:.1f} | {n / wall:,.0f} | {own:.1f} | {n / own:,.0f} "
                f"| {base / wall:.2f}× |"
            )
        print()
        print(out1.strip().splitlines()[-1])
        print(out2.strip().splitlines()[-1])
        print(f"record check: {verify:.1f} s: {out3.strip().splitlines()[-1]}")
        print(f"database after the import: {db_mb:.0f} MB")
        target = "met" if first < 60 else "NOT met"
        print(f"target (10^5 rows in under a minute on SQLite): {first:.1f} s wall: {target}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
