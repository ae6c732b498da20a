"""Benchmark coordcell.rules.spatial against shapely, geopandas and PostGIS.

    .venv/bin/python benchmarks/classify.py --sizes 1e5,1e6,1e7 --zones 50,2000
    .venv/bin/python benchmarks/classify.py --quick          # about a minute, for CI

Synthetic data in the southern-Syria region (lon 35.5-36.5, lat 32.5-33.5) in UTM 36N:
star-shaped zones of 200-400 vertices (50 zones of 3-15 km radius, or 2,000 of 0.8-3 km),
uniform random points, 200 frozen positions and a 500-vertex line. Each method runs in its
own subprocess (peak memory is that process's VmHWM, its ``ru_maxrss``); PostGIS runs in the server
(its memory is not counted) and is timed on the join query only. Every method's (point,
zone) pairs are checked against the engine's; distances to 1e-6 m and nearest indexes
exactly. Slow baselines run on the first ``--cap`` points (marked ``sub``).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import resource
import struct
import subprocess
import sys
import tempfile
import time
from typing import Any

import numpy as np
import shapely

CRS = "EPSG:32636"
REGION = (35.5, 32.5, 36.5, 33.5)
HERE = pathlib.Path(__file__).resolve()


# --------------------------------------------------------------------------- data


def region_bounds() -> tuple[float, float, float, float]:
    import pyproj

    t = pyproj.Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    lon = np.linspace(REGION[0], REGION[2], 50)
    lat = np.linspace(REGION[1], REGION[3], 50)
    glon, glat = np.meshgrid(lon, lat)
    x, y = t.transform(glon.ravel(), glat.ravel())
    return float(np.min(x)), float(np.min(y)), float(np.max(x)), float(np.max(y))


def make_zones(count: int, seed: int = 11) -> list[shapely.Polygon]:
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = region_bounds()
    rmin, rmax = (3000.0, 15000.0) if count <= 100 else (800.0, 3000.0)
    zones = []
    for _ in range(count):
        n = int(rng.integers(200, 401))
        cx, cy = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        r = rng.uniform(rmin, rmax)
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        radii = r * (0.75 + 0.25 * np.sin(3 * angles + rng.uniform(0, 6)) * rng.uniform(0.5, 1, n))
        zones.append(shapely.Polygon(np.column_stack([cx + radii * np.cos(angles),
                                                      cy + radii * np.sin(angles)])))  # fmt: skip
    return zones


def make_points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = region_bounds()
    return rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)


def make_frozen_and_line() -> tuple[np.ndarray, np.ndarray, shapely.LineString]:
    rng = np.random.default_rng(5)
    xmin, ymin, xmax, ymax = region_bounds()
    fx, fy = rng.uniform(xmin, xmax, 200), rng.uniform(ymin, ymax, 200)
    t = np.linspace(0, 1, 500)
    lx = (xmin + xmax) / 2 + 8000 * np.sin(9 * t) + np.cumsum(rng.normal(0, 150, 500))
    ly = ymin + 5000 + t * (ymax - ymin - 10000)
    return fx, fy, shapely.LineString(np.column_stack([lx, ly]))


# --------------------------------------------------------------------------- workers


def _load(data: pathlib.Path, zones: int, n: int) -> dict[str, Any]:
    z = np.load(data / f"zones_{zones}.npy")
    pts = np.load(data / f"points_{n}.npz")
    return {"zones": list(shapely.from_wkb(z)), "x": pts["x"], "y": pts["y"]}


def _sorted_pairs(p: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(p, np.int64)
    z = np.asarray(z, np.int32)
    order = np.lexsort((z, p))
    return p[order], z[order]


def worker(args: argparse.Namespace) -> None:
    data = pathlib.Path(args.data)
    method = args.worker
    out: dict[str, Any] = {"method": method}
    if method.startswith(("engine", "contains_xy", "naive", "sjoin")):
        d = _load(data, args.zones, args.n)
        x, y = d["x"][: args.limit], d["y"][: args.limit]
        zones = d["zones"]
        if method == "engine":
            from coordcell.rules.spatial import ZoneIndex

            t0 = time.perf_counter()
            index = ZoneIndex([(str(i), g) for i, g in enumerate(zones)])
            out["build_s"] = time.perf_counter() - t0
            index.locate(x[:1000], y[:1000])  # load the compiled kernels
            t0 = time.perf_counter()
            p, z = index.locate(x, y)
            out["seconds"] = time.perf_counter() - t0
        elif method == "contains_xy":
            shapely.prepare(zones)
            bounds = shapely.bounds(zones)
            t0 = time.perf_counter()
            ps, zs = [], []
            for k, g in enumerate(zones):
                b = bounds[k]
                near = np.flatnonzero((x >= b[0]) & (x <= b[2]) & (y >= b[1]) & (y <= b[3]))
                hit = near[shapely.contains_xy(g, x[near], y[near])]
                ps.append(hit)
                zs.append(np.full(hit.size, k, np.int32))
            p, z = _sorted_pairs(np.concatenate(ps), np.concatenate(zs))
            out["seconds"] = time.perf_counter() - t0
        elif method == "naive":
            t0 = time.perf_counter()
            ps, zs = [], []
            for i in range(x.size):
                point = shapely.Point(x[i], y[i])
                for k, g in enumerate(zones):
                    if g.contains(point):
                        ps.append(i)
                        zs.append(k)
            out["seconds"] = time.perf_counter() - t0
            p, z = np.array(ps, np.int64), np.array(zs, np.int32)
        else:
            import geopandas as gpd

            points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=CRS)
            polys = gpd.GeoDataFrame({"zone": np.arange(len(zones))}, geometry=zones, crs=CRS)
            t0 = time.perf_counter()
            joined = gpd.sjoin(points, polys, predicate="within", how="inner")
            out["seconds"] = time.perf_counter() - t0
            p, z = _sorted_pairs(joined.index.to_numpy(), joined["zone"].to_numpy())
        np.savez(args.out, p=p, z=z)
    else:
        pts = np.load(data / f"points_{args.n}.npz")
        x, y = pts["x"][: args.limit], pts["y"][: args.limit]
        fz = np.load(data / "frozen.npz")
        line = shapely.from_wkb(str(fz["line"][()]))
        if method == "nearest_engine":
            from coordcell.rules.spatial import NearestPoints

            near = NearestPoints(fz["x"], fz["y"])
            near.query(x[:1000], y[:1000])
            t0 = time.perf_counter()
            dist, idx = near.query(x, y)
            out["seconds"] = time.perf_counter() - t0
        elif method == "nearest_ckdtree":
            from scipy.spatial import cKDTree

            tree = cKDTree(np.column_stack([fz["x"], fz["y"]]))
            t0 = time.perf_counter()
            dist, idx = tree.query(np.column_stack([x, y]), workers=args.threads)
            out["seconds"] = time.perf_counter() - t0
        elif method == "nearest_numpy":
            t0 = time.perf_counter()
            dist = np.empty(x.size)
            idx = np.empty(x.size, np.int64)
            for s in range(0, x.size, 20000):
                d2 = (x[s : s + 20000, None] - fz["x"]) ** 2 + (
                    y[s : s + 20000, None] - fz["y"]
                ) ** 2
                idx[s : s + 20000] = d2.argmin(axis=1)
                dist[s : s + 20000] = np.sqrt(d2.min(axis=1))
            out["seconds"] = time.perf_counter() - t0
        elif method == "line_engine":
            from coordcell.rules.spatial import SegmentDistance

            measure = SegmentDistance(line)
            measure.distance(x[:1000], y[:1000])
            t0 = time.perf_counter()
            dist = measure.distance(x, y)
            out["seconds"] = time.perf_counter() - t0
            idx = np.zeros(0, np.int64)
        else:  # line_shapely
            shapely.prepare(line)
            t0 = time.perf_counter()
            dist = shapely.distance(line, shapely.points(x, y))
            out["seconds"] = time.perf_counter() - t0
            idx = np.zeros(0, np.int64)
        np.savez(args.out, dist=dist, idx=np.asarray(idx, np.int64))
    out["n"] = int(x.size)
    out["rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    Linux VmHWM belongs to the address space exec created; ``ru_maxrss`` would also carry the
    parent's resident size at fork across the exec.
    """
    try:
        for line in pathlib.Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_worker(
    method: str, data: pathlib.Path, zones: int, n: int, limit: int, threads: int
) -> dict[str, Any]:
    out = data / f"res_{method}_{zones}_{n}_{threads}.npz"
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    env["OPENBLAS_NUM_THREADS"] = str(threads)
    cmd = [sys.executable, str(HERE), "--worker", method, "--data", str(data), "--zones",
           str(zones), "--n", str(n), "--limit", str(limit), "--threads", str(threads),
           "--out", str(out)]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        return {"method": method, "error": proc.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["file"] = str(out)
    result["threads"] = threads
    return result


# --------------------------------------------------------------------------- PostGIS


class PostGIS:
    """A scratch database with PostGIS, created here and dropped at the end."""

    def __init__(self, dsn: str) -> None:
        import psycopg

        self.psycopg = psycopg
        self.name = f"coordcell_bench_{os.getpid()}"
        self.admin = psycopg.connect(dsn, dbname="postgres", autocommit=True)
        self.admin.execute(f"CREATE DATABASE {self.name}")
        try:
            self.conn = psycopg.connect(dsn, dbname=self.name, autocommit=True)
            self.conn.execute("CREATE EXTENSION postgis")
        except Exception:
            self.admin.execute(f"DROP DATABASE {self.name}")
            raise
        self.version = self.conn.execute("SELECT postgis_full_version()").fetchone()[0]
        self.conn.execute("SET max_parallel_workers_per_gather = 2")
        self.conn.execute("SET work_mem = '256MB'")
        self.loaded: tuple[int, int] = (-1, -1)  # (N of the points file, points loaded)

    def close(self) -> None:
        self.conn.close()
        self.admin.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        self.admin.close()

    def load_zones(self, zones: list[shapely.Polygon]) -> None:
        c = self.conn
        c.execute("DROP TABLE IF EXISTS zones, zsub")
        c.execute("CREATE TABLE zones (zid int, geom geometry(Polygon, 32636))")
        with c.cursor() as cur:
            cur.executemany(
                "INSERT INTO zones VALUES (%s, ST_SetSRID(ST_GeomFromWKB(%s), 32636))",
                [(k, shapely.to_wkb(g)) for k, g in enumerate(zones)],
            )
        c.execute("CREATE TABLE zsub AS SELECT zid, ST_Subdivide(geom, 64) AS geom FROM zones")
        c.execute("CREATE INDEX ON zsub USING gist (geom)")
        c.execute("ANALYZE zsub")

    def load_points(self, x: np.ndarray, y: np.ndarray) -> float:
        """COPY the points in, GiST-index them, ANALYZE; returns the seconds it took."""
        c = self.conn
        t0 = time.perf_counter()
        c.execute("DROP TABLE IF EXISTS raw, pts")
        c.execute("CREATE UNLOGGED TABLE raw (id int8, x float8, y float8)")
        row = np.dtype([("n", ">i2"), ("l1", ">i4"), ("id", ">i8"), ("l2", ">i4"),
                        ("x", ">f8"), ("l3", ">i4"), ("y", ">f8")])  # fmt: skip
        rows = np.empty(x.size, row)
        rows["n"], rows["l1"], rows["l2"], rows["l3"] = 3, 8, 8, 8
        rows["id"], rows["x"], rows["y"] = np.arange(x.size), x, y
        payload = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0) + rows.tobytes() + b"\xff\xff"
        with c.cursor() as cur, cur.copy("COPY raw FROM STDIN (FORMAT binary)") as copy:
            for s in range(0, len(payload), 1 << 24):
                copy.write(payload[s : s + (1 << 24)])
        c.execute(
            "CREATE UNLOGGED TABLE pts AS SELECT id, ST_SetSRID(ST_MakePoint(x, y), 32636)"
            "::geometry(Point, 32636) AS geom FROM raw"
        )
        c.execute("DROP TABLE raw")
        c.execute("CREATE INDEX ON pts USING gist (geom)")
        c.execute("ANALYZE pts")
        return time.perf_counter() - t0

    def _fetch(self, query: str, dtype: np.dtype) -> np.ndarray:
        chunks = []
        with self.conn.cursor() as cur, cur.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as cp:
            for block in cp:
                chunks.append(bytes(block))
        raw = b"".join(chunks)
        return np.frombuffer(raw[19:-2], dtype=dtype)

    def timed(self, create: str) -> float:
        self.conn.execute("DROP TABLE IF EXISTS res")
        t0 = time.perf_counter()
        self.conn.execute(f"CREATE UNLOGGED TABLE res AS {create}")
        return time.perf_counter() - t0

    def join(self) -> tuple[float, np.ndarray, np.ndarray]:
        seconds = self.timed(
            "SELECT p.id, z.zid FROM pts p JOIN zsub z ON ST_Contains(z.geom, p.geom)"
        )
        dt = np.dtype([("n", ">i2"), ("l1", ">i4"), ("id", ">i8"), ("l2", ">i4"), ("zid", ">i4")])
        rows = self._fetch("SELECT id, zid FROM res ORDER BY id, zid", dt)
        return seconds, rows["id"].astype(np.int64), rows["zid"].astype(np.int32)

    def load_frozen(self, fx: np.ndarray, fy: np.ndarray, line: shapely.LineString) -> None:
        c = self.conn
        c.execute("DROP TABLE IF EXISTS frozen, line")
        c.execute("CREATE TABLE frozen (fid int, geom geometry(Point, 32636))")
        with c.cursor() as cur:
            cur.executemany(
                "INSERT INTO frozen VALUES (%s, ST_SetSRID(ST_MakePoint(%s, %s), 32636))",
                [(k, float(a), float(b)) for k, (a, b) in enumerate(zip(fx, fy, strict=True))],
            )
        c.execute("CREATE INDEX ON frozen USING gist (geom)")
        c.execute("CREATE TABLE line AS SELECT ST_SetSRID(ST_GeomFromWKB(%s), 32636) AS geom",
                  (shapely.to_wkb(line),))  # fmt: skip
        c.execute("ANALYZE frozen")
        c.execute("ANALYZE line")

    def knn(self) -> tuple[float, np.ndarray, np.ndarray]:
        seconds = self.timed(
            "SELECT p.id, f.fid, f.d FROM pts p CROSS JOIN LATERAL (SELECT fid, "
            "f.geom <-> p.geom AS d FROM frozen f ORDER BY f.geom <-> p.geom LIMIT 1) f"
        )
        dt = np.dtype([("n", ">i2"), ("l1", ">i4"), ("id", ">i8"), ("l2", ">i4"), ("fid", ">i4"),
                       ("l3", ">i4"), ("d", ">f8")])  # fmt: skip
        rows = self._fetch("SELECT id, fid, d FROM res ORDER BY id", dt)
        return seconds, rows["d"].astype(np.float64), rows["fid"].astype(np.int64)

    def line_distance(self) -> tuple[float, np.ndarray]:
        seconds = self.timed(
            "SELECT p.id, ST_Distance(l.geom, p.geom) AS d FROM pts p CROSS JOIN line l"
        )
        dt = np.dtype([("n", ">i2"), ("l1", ">i4"), ("id", ">i8"), ("l2", ">i4"), ("d", ">f8")])
        rows = self._fetch("SELECT id, d FROM res ORDER BY id", dt)
        return seconds, rows["d"].astype(np.float64)


# --------------------------------------------------------------------------- driver


def machine() -> dict[str, str]:
    info = {"python": platform.python_version(), "nproc": str(os.cpu_count())}
    try:
        cpu = pathlib.Path("/proc/cpuinfo").read_text()
        info["cpu"] = next(line.split(":", 1)[1].strip() for line in cpu.splitlines()
                           if line.startswith("model name"))  # fmt: skip
        mem = pathlib.Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        info["memory"] = f"{int(mem) / 1024**2:.1f} GiB"
    except (OSError, StopIteration):
        pass
    import importlib.metadata as md

    for name in ("numpy", "numba", "shapely", "geopandas", "scipy", "pyproj"):
        try:
            info[name] = md.version(name)
        except md.PackageNotFoundError:
            info[name] = "not installed"
    info["geos"] = shapely.geos_version_string
    return info


def fmt_rate(r: dict[str, Any]) -> str:
    if "error" in r:
        return "error"
    if "skipped" in r:
        return "skipped"
    return f"{r['n'] / r['seconds'] / 1e6:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", default="1e5,1e6,1e7")
    parser.add_argument("--zones", default="50,2000")
    parser.add_argument("--cap", type=float, default=1e6, help="most points for slow baselines")
    parser.add_argument("--naive", type=int, default=20000, help="points for the naive loop")
    parser.add_argument("--quick", action="store_true", help="a one-minute smoke run")
    parser.add_argument("--no-postgis", action="store_true")
    parser.add_argument("--dsn", default=os.environ.get("COORDCELL_BENCH_DSN",
                                                       "host=127.0.0.1 user=postgres"))  # fmt: skip
    parser.add_argument("--json", help="write all results to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    for hidden in ("--data", "--out"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    for hidden in ("--n", "--limit", "--threads"):
        parser.add_argument(hidden, type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--zones-count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        args.zones = int(args.zones)
        worker(args)
        return 0
    if args.quick:
        args.sizes, args.zones, args.cap, args.naive = "2e4", "50,200", 2e4, 1000
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    zone_counts = [int(z) for z in args.zones.split(",")]
    info = machine()
    print("machine:", json.dumps(info))
    ok = True
    results: dict[str, Any] = {"machine": info, "args": vars(args), "runs": []}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="coordcell-bench-") as tmp:
        data = pathlib.Path(tmp)
        for n in sizes:
            x, y = make_points(n, seed=n % 1000 + 1)
            np.savez(data / f"points_{n}.npz", x=x, y=y)
        fx, fy, line = make_frozen_and_line()
        np.savez(data / "frozen.npz", x=fx, y=fy, line=np.array(shapely.to_wkb(line, hex=True)))
        postgis = None
        if not args.no_postgis:
            try:
                postgis = PostGIS(args.dsn)
                info["postgis"] = postgis.version.split('"')[1] if '"' in postgis.version else "?"
            except Exception as exc:
                print(f"PostGIS SKIPPED: unavailable ({type(exc).__name__}: {exc})".strip())
        else:
            print("PostGIS SKIPPED: --no-postgis")
        try:
            for zc in zone_counts:
                zones = make_zones(zc)
                np.save(data / f"zones_{zc}.npy", shapely.to_wkb(zones, hex=True).astype(str))
                if postgis:
                    postgis.load_zones(zones)
                for n in sizes:
                    ok &= bench_zones(args, data, zc, n, postgis, results)
            for n in sizes:
                ok &= bench_distances(args, data, n, postgis, fx, fy, line, results)
        finally:
            if postgis:
                postgis.close()
    print(f"\ntotal {time.perf_counter() - started:.0f} s; all results identical: {ok}")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    return 0 if ok else 1


def _same_pairs(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], m: int) -> bool:
    keep = a[0] < m
    return np.array_equal(a[0][keep], b[0]) and np.array_equal(a[1][keep], b[1])


def bench_zones(args, data, zc, n, postgis, results) -> bool:  # type: ignore[no-untyped-def]
    cap = min(n, int(args.cap))
    slow_cap = cap if zc <= 100 else min(cap, n)
    plan = [("engine", n, 1), ("engine", n, 2), ("contains_xy", n if zc <= 100 else slow_cap, 1),
            ("naive", min(n, args.naive if zc <= 100 else max(args.naive // 10, 500)), 1),
            ("sjoin", cap, 1)]  # fmt: skip
    rows = []
    for method, limit, threads in plan:
        r = run_worker(method, data, zc, n, limit, threads)
        rows.append(r)
    ref = None
    if "error" not in rows[0]:
        with np.load(rows[0]["file"]) as f:
            ref = (f["p"], f["z"])
    same = True
    for r in rows:
        if "error" in r or ref is None:
            r["identical"] = False
            continue
        with np.load(r["file"]) as f:
            r["identical"] = _same_pairs(ref, (f["p"], f["z"]), r["n"])
            r["pairs"] = int(f["p"].size)
    if postgis:
        pts = np.load(data / f"points_{n}.npz")
        load = postgis.load_points(pts["x"][:cap], pts["y"][:cap])
        postgis.loaded = (n, cap)
        seconds, p, z = postgis.join()
        r = {"method": "postgis", "n": cap, "seconds": seconds, "threads": 2, "load_s": load,
             "pairs": int(p.size)}  # fmt: skip
        r["identical"] = ref is not None and _same_pairs(ref, (p, z), cap)
        rows.append(r)
    else:
        rows.append({"method": "postgis", "skipped": True, "n": 0})
    for r in rows:
        same &= bool(r.get("identical", True)) or "skipped" in r
    print(f"\n== zones={zc} N={n:,} ==")
    print(f"{'method':<14}{'thr':>4}{'points':>12}{'M pts/s':>10}{'peak MB':>9}  identical")
    for r in rows:
        sub = " sub" if r.get("n", n) < n and "skipped" not in r else ""
        mem = f"{r['rss_mb']:.0f}" if "rss_mb" in r else "server"
        note = r.get("error", "")
        print(f"{r['method']:<14}{r.get('threads', ''):>4}{r.get('n', 0):>12,}{fmt_rate(r):>10}"
              f"{mem:>9}  {r.get('identical', '-')}{sub} {note}")  # fmt: skip
    eng = {r["threads"]: r["n"] / r["seconds"] for r in rows[:2] if "seconds" in r}
    print("ratios (engine 1 core / 2 cores):")
    for r in rows[2:]:
        if "seconds" in r and eng:
            rate = r["n"] / r["seconds"]
            ratio = " / ".join(f"{eng[t] / rate:.1f}x" for t in sorted(eng))
            print(f"  vs {r['method']:<12} {ratio}")
    if "build_s" in rows[0]:
        print(f"  (engine index build: {rows[0]['build_s']:.2f} s, not in the rate)")
    results["runs"].append({"kind": "zones", "zones": zc, "n": n, "rows": rows})
    return same


def bench_distances(args, data, n, postgis, fx, fy, line, results) -> bool:  # type: ignore[no-untyped-def]
    cap = min(n, int(args.cap))
    same = True
    for kind, plan in (
        ("nearest of 200", [("nearest_engine", n, 1), ("nearest_engine", n, 2),
                            ("nearest_ckdtree", n, 1), ("nearest_ckdtree", n, 2),
                            ("nearest_numpy", cap, 1)]),
        ("distance to line", [("line_engine", n, 1), ("line_engine", n, 2),
                              ("line_shapely", cap, 1)]),
    ):  # fmt: skip
        rows = [run_worker(m, data, 0, n, limit, t) for m, limit, t in plan]
        with np.load(rows[0]["file"]) as f:
            ref_d, ref_i = f["dist"], f["idx"]
        for r in rows:
            if "error" in r:
                r["identical"] = False
                continue
            with np.load(r["file"]) as f:
                m = r["n"]
                r["identical"] = bool(np.abs(f["dist"] - ref_d[:m]).max(initial=0) <= 1e-6) and (
                    f["idx"].size == 0 or np.array_equal(f["idx"], ref_i[:m])
                )
        if postgis:
            if postgis.loaded != (n, cap):
                pts = np.load(data / f"points_{n}.npz")
                postgis.load_points(pts["x"][:cap], pts["y"][:cap])
                postgis.loaded = (n, cap)
            postgis.load_frozen(fx, fy, line)
            if kind.startswith("nearest"):
                seconds, d, i = postgis.knn()
                ok = np.abs(d - ref_d[:cap]).max(initial=0) <= 1e-6 and np.array_equal(
                    i, ref_i[:cap]
                )
            else:
                seconds, d = postgis.line_distance()
                ok = np.abs(d - ref_d[:cap]).max(initial=0) <= 1e-6
            rows.append({"method": "postgis", "n": cap, "seconds": seconds, "threads": 2,
                         "identical": bool(ok)})  # fmt: skip
        else:
            rows.append({"method": "postgis", "skipped": True, "n": 0})
        for r in rows:
            same &= bool(r.get("identical", True)) or "skipped" in r
        print(f"\n== {kind}, N={n:,} ==")
        print(f"{'method':<16}{'thr':>4}{'points':>12}{'M pts/s':>10}{'peak MB':>9}  identical")
        for r in rows:
            mem = f"{r['rss_mb']:.0f}" if "rss_mb" in r else "server"
            sub = " sub" if r.get("n", n) < n and "skipped" not in r else ""
            note = r.get("error", "")
            print(f"{r['method']:<16}{r.get('threads', ''):>4}{r.get('n', 0):>12,}"
                  f"{fmt_rate(r):>10}{mem:>9}  {r.get('identical', '-')}{sub} {note}")  # fmt: skip
        eng = {r["threads"]: r["n"] / r["seconds"] for r in rows[:2] if "seconds" in r}
        for r in rows[2:]:
            if "seconds" in r and eng:
                rate = r["n"] / r["seconds"]
                ratio = " / ".join(f"{eng[t] / rate:.1f}x" for t in sorted(eng))
                print(f"  engine 1 / 2 cores vs {r['method']} ({r.get('threads')}t): {ratio}")
        results["runs"].append({"kind": kind, "n": n, "rows": rows})
    return same


if __name__ == "__main__":
    sys.exit(main())
