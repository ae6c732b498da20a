"""Compiled (numba) kernels behind ``coordcell.rules.spatial``.

Nothing here is public: ``spatial`` validates the inputs and owns the data layout. Every
function is compiled with ``cache=True`` (the machine code is kept in ``__pycache__``, see
``_jit``) and ``nogil=True``; the bulk kernels are ``parallel=True`` and use every numba thread
(``numba.set_num_threads`` or ``NUMBA_NUM_THREADS`` choose how many).

Exactness: the orientation predicate is Shewchuk's error-bounded filter with an exact
expansion-arithmetic fallback, so "is this point on that segment" and "does this path
cross that segment" are decided exactly, as GEOS (which shapely wraps) decides them.
Distances use GEOS's own point-to-segment formula, so they agree with ``shapely.distance``
to the last bits.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

_F = TypeVar("_F", bound=Callable[..., Any])
Array = npt.NDArray[Any]

prange = numba.prange


def _jit(*, parallel: bool = False) -> Callable[[_F], _F]:
    """``numba.njit`` with our defaults, typed so that mypy keeps the signature.

    The machine code is cached beside this file, or, where that folder is read-only, in
    the user's cache folder (``NUMBA_CACHE_DIR`` chooses another), so each process after
    the first loads it instead of compiling it again. Where no cache folder is writable
    at all, numba refuses ``cache=True``; the kernels are then compiled in memory, once
    per process, rather than failing to import.
    """

    def wrap(func: _F) -> _F:
        try:
            return cast(_F, numba.njit(cache=True, nogil=True, parallel=parallel)(func))
        except RuntimeError as exc:
            if "no locator available" not in str(exc):
                raise
            return cast(_F, numba.njit(cache=False, nogil=True, parallel=parallel)(func))

    return wrap


_SPLITTER = 134217729.0  # 2**27 + 1, Dekker's split
_CCW_ERRBOUND = 3.3306690738754716e-16  # (3 + 16 eps) eps, Shewchuk's orient2d filter

# Status codes of a point against one zone.
OUTSIDE = 0
INSIDE = 1
ON_BOUNDARY = -1
#: Header of a boundary record: ref x, ref y, ref inside, zone, number of segments.
RECORD_HEAD = 5


# --------------------------------------------------------------------------- predicates


@_jit()
def _two_sum(a: float, b: float) -> tuple[float, float]:
    x = a + b
    bv = x - a
    av = x - bv
    return x, (a - av) + (b - bv)


@_jit()
def _split(a: float) -> tuple[float, float]:
    c = _SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


@_jit()
def _two_product(a: float, b: float) -> tuple[float, float]:
    x = a * b
    ahi, alo = _split(a)
    bhi, blo = _split(b)
    err = ((x - ahi * bhi) - alo * bhi) - ahi * blo
    return x, alo * blo - err


@_jit()
def _orient_exact(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> int:
    """Exact sign of (a - c) x (b - c), by expansion arithmetic (slow path, rarely taken)."""
    acx, acxt = _two_sum(ax, -cx)
    bcy, bcyt = _two_sum(by, -cy)
    acy, acyt = _two_sum(ay, -cy)
    bcx, bcxt = _two_sum(bx, -cx)
    terms = np.empty(16)
    left = ((acx, bcy), (acx, bcyt), (acxt, bcy), (acxt, bcyt))
    right = ((acy, bcx), (acy, bcxt), (acyt, bcx), (acyt, bcxt))
    k = 0
    for u, v in left:
        hi, lo = _two_product(u, v)
        terms[k] = hi
        terms[k + 1] = lo
        k += 2
    for u, v in right:
        hi, lo = _two_product(u, v)
        terms[k] = -hi
        terms[k + 1] = -lo
        k += 2
    # Grow a non-overlapping expansion term by term; its sign is that of its largest part.
    expansion = np.zeros(16)
    m = 0
    for t in range(16):
        q = terms[t]
        for i in range(m):
            q, h = _two_sum(q, expansion[i])
            expansion[i] = h
        expansion[m] = q
        m += 1
    for i in range(m - 1, -1, -1):
        if expansion[i] > 0.0:
            return 1
        if expansion[i] < 0.0:
            return -1
    return 0


@_jit()
def orient(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> int:
    """Exact orientation of (a, b, c): 1 counter-clockwise, -1 clockwise, 0 collinear."""
    detleft = (ax - cx) * (by - cy)
    detright = (ay - cy) * (bx - cx)
    det = detleft - detright
    bound = _CCW_ERRBOUND * (abs(detleft) + abs(detright))
    if det > bound:
        return 1
    if -det > bound:
        return -1
    return _orient_exact(ax, ay, bx, by, cx, cy)


@_jit()
def segment_distance(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    """Distance from p to segment ab: GEOS ``Distance::pointToSegment``, term for term."""
    if ax == bx and ay == by:
        return math.sqrt((px - ax) * (px - ax) + (py - ay) * (py - ay))
    len2 = (bx - ax) * (bx - ax) + (by - ay) * (by - ay)
    r = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2
    if r <= 0.0:
        return math.sqrt((px - ax) * (px - ax) + (py - ay) * (py - ay))
    if r >= 1.0:
        return math.sqrt((px - bx) * (px - bx) + (py - by) * (py - by))
    s = ((ay - py) * (bx - ax) - (ax - px) * (by - ay)) / len2
    return abs(s) * math.sqrt(len2)


# --------------------------------------------------------------------------- zone grid


@_jit()
def point_cell(px: float, py: float, grid: Array) -> int:
    """Cell of a point in ``grid`` = [x0, y0, cell, nx, ny]; -1 outside (or NaN)."""
    fx = (px - grid[0]) / grid[2]
    fy = (py - grid[1]) / grid[2]
    if not (fx >= 0.0 and fx < grid[3] and fy >= 0.0 and fy < grid[4]):
        return -1
    return int(fy) * int(grid[3]) + int(fx)


@_jit()
def parity_status(
    px: float, py: float, rx: float, ry: float, inside: bool, f: Array, base: int, nseg: int
) -> int:
    """Status of p against a zone, from a reference point r of known status: 1 inside,
    0 outside, -1 on the boundary.

    ``f[base + 4 k : base + 4 k + 4]`` (k < nseg) are the zone's segments near r and p: all
    that may cross the path r -> p. Counts the exact crossings of that path; a vertex on the
    path counts as lying on its right-hand side (symbolic perturbation), so the parity is
    exact even when the path runs through vertices. r must be on no segment.
    """
    lox = min(rx, px)
    hix = max(rx, px)
    loy = min(ry, py)
    hiy = max(ry, py)
    for k in range(nseg):
        o = base + 4 * k
        ax = f[o]
        ay = f[o + 1]
        bx = f[o + 2]
        by = f[o + 3]
        if (ax < lox and bx < lox) or (ax > hix and bx > hix):
            continue
        if (ay < loy and by < loy) or (ay > hiy and by > hiy):
            continue
        op = orient(ax, ay, bx, by, px, py)
        if op == 0:
            if min(ax, bx) <= px <= max(ax, bx) and min(ay, by) <= py <= max(ay, by):
                return ON_BOUNDARY
            continue
        oref = orient(ax, ay, bx, by, rx, ry)
        if oref == 0 or oref == op:
            continue
        sa = orient(rx, ry, px, py, ax, ay) > 0
        sb = orient(rx, ry, px, py, bx, by) > 0
        if sa != sb:
            inside = not inside
    return INSIDE if inside else OUTSIDE


@_jit()
def record_status(px: float, py: float, rec: Array, o: int) -> int:
    """``parity_status`` for the boundary record at ``rec[o]``: rx, ry, inside, zone, n, segs."""
    return parity_status(
        px, py, rec[o], rec[o + 1], rec[o + 2] != 0.0, rec, o + RECORD_HEAD, int(rec[o + 4])
    )


@_jit()
def on_segments(px: float, py: float, start: int, stop: int, segs: Array) -> bool:
    """Whether p lies exactly on one of ``segs[start:stop]``."""
    for s in range(start, stop):
        ax = segs[s, 0]
        ay = segs[s, 1]
        bx = segs[s, 2]
        by = segs[s, 3]
        inbox = min(ax, bx) <= px <= max(ax, bx) and min(ay, by) <= py <= max(ay, by)
        if inbox and orient(ax, ay, bx, by, px, py) == 0:
            return True
    return False


@_jit()
def rasterize(
    segs: Array,
    grid: Array,
    margin: float,
    fill: bool,
    out_cell: Array,
    out_seg: Array,
) -> int:
    """(cell, segment) for every cell each segment may touch (cells grown by ``margin``)."""
    x0 = grid[0]
    y0 = grid[1]
    cs = grid[2]
    nx = int(grid[3])
    ny = int(grid[4])
    n = 0
    for s in range(segs.shape[0]):
        ax = segs[s, 0]
        ay = segs[s, 1]
        bx = segs[s, 2]
        by = segs[s, 3]
        ymin = min(ay, by)
        ymax = max(ay, by)
        j0 = max(math.floor((ymin - margin - y0) / cs), 0)
        j1 = min(math.floor((ymax + margin - y0) / cs), ny - 1)
        for j in range(j0, j1 + 1):
            blo = max(y0 + j * cs - margin, ymin)
            bhi = min(y0 + (j + 1) * cs + margin, ymax)
            if by == ay:
                xlo = min(ax, bx)
                xhi = max(ax, bx)
            else:
                t1 = min(max((blo - ay) / (by - ay), 0.0), 1.0)
                t2 = min(max((bhi - ay) / (by - ay), 0.0), 1.0)
                xa = ax + t1 * (bx - ax)
                xb = ax + t2 * (bx - ax)
                xlo = min(xa, xb)
                xhi = max(xa, xb)
            i0 = max(math.floor((xlo - margin - x0) / cs), 0)
            i1 = min(math.floor((xhi + margin - x0) / cs), nx - 1)
            for i in range(i0, i1 + 1):
                if fill:
                    out_cell[n] = j * nx + i
                    out_seg[n] = s
                n += 1
    return n


@_jit()
def choose_refs(bcell: Array, bseg: Array, segs: Array, grid: Array) -> Array:
    """A reference point per boundary entry: inside its cell, exactly on none of its segments."""
    nb = bcell.size
    out = np.empty((nb, 2))
    nx = int(grid[3])
    cs = grid[2]
    for b in range(nb):
        i = bcell[b] % nx
        j = bcell[b] // nx
        found = False
        for attempt in range(256):
            # The centre first, then a low-discrepancy walk through the cell's interior.
            fx = 0.5 if attempt == 0 else 0.05 + 0.9 * ((attempt * 0.6180339887498949) % 1.0)
            fy = 0.5 if attempt == 0 else 0.05 + 0.9 * ((attempt * 0.7548776662466927) % 1.0)
            rx = grid[0] + (i + fx) * cs
            ry = grid[1] + (j + fy) * cs
            if not on_segments(rx, ry, bseg[b], bseg[b + 1], segs):
                out[b, 0] = rx
                out[b, 1] = ry
                found = True
                break
        if not found:
            out[b, 0] = np.nan
            out[b, 1] = np.nan
    return out


@_jit()
def scan_inside_cells(
    zone_entries: Array,
    zone_cells: Array,
    bcell: Array,
    bref: Array,
    binside: Array,
    bseg: Array,
    segs: Array,
    grid: Array,
    fill: bool,
    out_cell: Array,
    out_zone: Array,
) -> int:
    """(cell, zone) for every cell that is wholly inside a zone (no segment of it in the cell).

    Row by row over each zone's cell range: a run of segment-free cells shares one status,
    which the boundary cell to its left decides (crossings from its reference point to the
    first free cell's centre can only be with that boundary cell's segments); a run that
    starts the row is outside.
    """
    nx = int(grid[3])
    cs = grid[2]
    flat = segs.ravel()
    n = 0
    for z in range(zone_cells.shape[0]):
        i0 = zone_cells[z, 0]
        i1 = zone_cells[z, 1]
        j0 = zone_cells[z, 2]
        j1 = zone_cells[z, 3]
        k = zone_entries[z]
        stop = zone_entries[z + 1]
        for j in range(j0, j1 + 1):
            status = OUTSIDE
            last = -1
            for i in range(i0, i1 + 1):
                cell = j * nx + i
                while k < stop and bcell[k] < cell:
                    k += 1
                if k < stop and bcell[k] == cell:
                    last = k
                    k += 1
                    continue
                if last >= 0:
                    cx = grid[0] + (i + 0.5) * cs
                    cy = grid[1] + (j + 0.5) * cs
                    status = parity_status(
                        cx, cy, bref[last, 0], bref[last, 1], binside[last], flat,
                        4 * bseg[last], bseg[last + 1] - bseg[last],
                    )  # fmt: skip
                    last = -1
                if status == INSIDE:
                    if fill:
                        out_cell[n] = cell
                        out_zone[n] = z
                    n += 1
    return n


@_jit(parallel=True)
def locate_chunk(
    x: Array,
    y: Array,
    grid: Array,
    cell_start: Array,
    ent: Array,
    rec: Array,
    width: int,
) -> tuple[Array, Array]:
    """(point, zone) for every point strictly inside a zone, sorted by point then zone.

    ``width`` is the most entries any cell has: each point gets that many result slots,
    so one pass over the points does all the work and a sequential pass compacts it.
    """
    n = x.size
    buf = np.empty(n * width, np.int32)
    count = np.zeros(n + 1, np.int64)
    for i in prange(n):
        px = x[i]
        py = y[i]
        c = point_cell(px, py, grid)
        if c < 0:
            continue
        k = i * width
        for e in range(cell_start[c], cell_start[c + 1]):
            v = ent[e]
            if v >= 0:
                buf[k] = v
                k += 1
            else:
                o = -v - 1
                if record_status(px, py, rec, o) == INSIDE:
                    buf[k] = int(rec[o + 3])
                    k += 1
        count[i + 1] = k - i * width
    offsets = np.cumsum(count)
    total = offsets[n]
    out_point = np.empty(total, np.int64)
    out_zone = np.empty(total, np.int32)
    for i in prange(n):
        o = offsets[i]
        s = i * width
        for t in range(count[i + 1]):
            out_point[o + t] = i
            out_zone[o + t] = buf[s + t]
    return out_point, out_zone


@_jit()
def _uncertain_point(
    px: float,
    py: float,
    r: float,
    grid: Array,
    cell_start: Array,
    ent: Array,
    rec: Array,
    inside: Array,
    mind: Array,
    touched: Array,
) -> int:
    """Zones near p: fills ``inside``/``mind`` for ``touched[:m]`` (sorted), returns m.

    ``mind[z]`` is the distance from p to zone z's boundary when that is within about r
    (otherwise inf): every segment within r of p lies in a cell that the disk's box covers.
    """
    m = 0
    if not (math.isfinite(px) and math.isfinite(py)):
        return 0
    c = point_cell(px, py, grid)
    if c >= 0:
        for e in range(cell_start[c], cell_start[c + 1]):
            v = ent[e]
            if v >= 0:
                z = v
            else:
                o = -v - 1
                if record_status(px, py, rec, o) != INSIDE:
                    continue
                z = int(rec[o + 3])
            inside[z] = True
            touched[m] = z
            m += 1
    if r > 0.0:
        x0 = grid[0]
        y0 = grid[1]
        cs = grid[2]
        nx = int(grid[3])
        ny = int(grid[4])
        pad = r + 1e-6 * cs
        i0 = max(math.floor((px - pad - x0) / cs), 0)
        i1 = min(math.floor((px + pad - x0) / cs), nx - 1)
        j0 = max(math.floor((py - pad - y0) / cs), 0)
        j1 = min(math.floor((py + pad - y0) / cs), ny - 1)
        for j in range(j0, j1 + 1):
            for i in range(i0, i1 + 1):
                cell = j * nx + i
                for e in range(cell_start[cell], cell_start[cell + 1]):
                    v = ent[e]
                    if v >= 0:
                        continue
                    o = -v - 1
                    z = int(rec[o + 3])
                    best = mind[z]
                    base = o + RECORD_HEAD
                    for k in range(int(rec[o + 4])):
                        q = base + 4 * k
                        d = segment_distance(px, py, rec[q], rec[q + 1], rec[q + 2], rec[q + 3])
                        best = min(best, d)
                    if best <= pad:
                        if not inside[z] and mind[z] == np.inf:
                            touched[m] = z
                            m += 1
                        mind[z] = best
    # Insertion sort: a handful of zones per point.
    for a in range(1, m):
        v = touched[a]
        k = a - 1
        while k >= 0 and touched[k] > v:
            touched[k + 1] = touched[k]
            k -= 1
        touched[k + 1] = v
    return m


@_jit()
def uncertain_one(
    px: float,
    py: float,
    r: float,
    grid: Array,
    nzones: int,
    cell_start: Array,
    ent: Array,
    rec: Array,
    width: int,
) -> tuple[Array, Array]:
    """(zones, certain) for one point, sorted by zone."""
    inside = np.zeros(nzones, np.bool_)
    mind = np.full(nzones, np.inf)
    touched = np.empty(nzones, np.int32)
    m = _uncertain_point(px, py, r, grid, cell_start, ent, rec, inside, mind, touched)
    zones = np.empty(m, np.int32)
    certain = np.empty(m, np.bool_)
    k = 0
    for t in range(m):
        z = touched[t]
        sure = inside[z] and mind[z] > r
        if sure or (inside[z] and mind[z] <= r) or (not inside[z] and mind[z] < r):
            zones[k] = z
            certain[k] = sure
            k += 1
    return zones[:k], certain[:k]


# --------------------------------------------------------------------------- distances


@_jit()
def _rect_segment_lower(
    x0: float, y0: float, x1: float, y1: float, ax: float, ay: float, bx: float, by: float
) -> float:
    """Distance from the rectangle [x0, x1] x [y0, y1] to segment ab (0 when they meet)."""
    # Liang-Barsky: does the segment meet the rectangle?
    t0 = 0.0
    t1 = 1.0
    dx = bx - ax
    dy = by - ay
    meets = True
    for p, q in ((-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)):
        if p == 0.0:
            if q < 0.0:
                meets = False
                break
        else:
            t = q / p
            if p < 0.0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                meets = False
                break
    if meets:
        return 0.0
    best = np.inf
    for px, py in ((ax, ay), (bx, by)):
        ddx = max(x0 - px, 0.0, px - x1)
        ddy = max(y0 - py, 0.0, py - y1)
        best = min(best, math.sqrt(ddx * ddx + ddy * ddy))
    for cx, cy in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
        best = min(best, segment_distance(cx, cy, ax, ay, bx, by))
    return best


@_jit(parallel=True)
def segment_grid(segs: Array, grid: Array, fill: bool, starts: Array, out: Array) -> Array:
    """Candidate segments per cell: every segment that can be the nearest for a point in it.

    The cell's bound is the smallest, over the segments, of the largest distance from the
    cell's corners (distance to a segment is convex, so its maximum over a rectangle is at a
    corner); a segment is a candidate when its distance to the rectangle is within it.
    """
    x0 = grid[0]
    y0 = grid[1]
    cs = grid[2]
    nx = int(grid[3])
    ny = int(grid[4])
    counts = np.zeros(nx * ny, np.int64)
    for cell in prange(nx * ny):
        i = cell % nx
        j = cell // nx
        rx0 = x0 + i * cs
        ry0 = y0 + j * cs
        rx1 = rx0 + cs
        ry1 = ry0 + cs
        upper = np.inf
        for s in range(segs.shape[0]):
            ax = segs[s, 0]
            ay = segs[s, 1]
            bx = segs[s, 2]
            by = segs[s, 3]
            worst = max(
                segment_distance(rx0, ry0, ax, ay, bx, by),
                segment_distance(rx1, ry0, ax, ay, bx, by),
                segment_distance(rx0, ry1, ax, ay, bx, by),
                segment_distance(rx1, ry1, ax, ay, bx, by),
            )
            upper = min(upper, worst)
        upper = upper * (1.0 + 1e-9) + 1e-6 * cs
        k = starts[cell] if fill else 0
        grow = 1e-6 * cs
        for s in range(segs.shape[0]):
            low = _rect_segment_lower(
                rx0 - grow, ry0 - grow, rx1 + grow, ry1 + grow,
                segs[s, 0], segs[s, 1], segs[s, 2], segs[s, 3],
            )  # fmt: skip
            if low <= upper:
                if fill:
                    out[k] = s
                k += 1
        counts[cell] = k - (starts[cell] if fill else 0)
    return counts


@_jit()
def segment_one(
    px: float, py: float, grid: Array, starts: Array, cand: Array, segs: Array
) -> float:
    """Distance from one point to the nearest segment (NaN for a NaN point)."""
    c = point_cell(px, py, grid)
    best = np.inf
    if c < 0:
        if not (math.isfinite(px) and math.isfinite(py)):
            return np.nan
        for s in range(segs.shape[0]):
            d = segment_distance(px, py, segs[s, 0], segs[s, 1], segs[s, 2], segs[s, 3])
            best = min(best, d)
        return best
    for k in range(starts[c], starts[c + 1]):
        s = cand[k]
        d = segment_distance(px, py, segs[s, 0], segs[s, 1], segs[s, 2], segs[s, 3])
        best = min(best, d)
    return best


@_jit(parallel=True)
def segment_query(
    x: Array,
    y: Array,
    grid: Array,
    starts: Array,
    cand: Array,
    segs: Array,
) -> Array:
    """Distance from each point to the nearest segment (NaN for NaN points)."""
    n = x.size
    out = np.empty(n)
    for i in prange(n):
        out[i] = segment_one(x[i], y[i], grid, starts, cand, segs)
    return out


@_jit(parallel=True)
def nearest_query(
    x: Array,
    y: Array,
    grid: Array,
    starts: Array,
    order: Array,
    px: Array,
    py: Array,
) -> tuple[Array, Array]:
    """Nearest frozen point by ring search in a bucket grid; ties go to the lowest index."""
    n = x.size
    dist = np.empty(n)
    index = np.empty(n, np.int64)
    x0 = grid[0]
    y0 = grid[1]
    cs = grid[2]
    nx = int(grid[3])
    ny = int(grid[4])
    for q in prange(n):
        qx = x[q]
        qy = y[q]
        if not (math.isfinite(qx) and math.isfinite(qy)):
            dist[q] = np.nan
            index[q] = -1
            continue
        cx = int(min(max(math.floor((qx - x0) / cs), 0.0), nx - 1.0))
        cy = int(min(max(math.floor((qy - y0) / cs), 0.0), ny - 1.0))
        best = np.inf
        bi = -1
        k = 0
        while True:
            for j in range(cy - k, cy + k + 1):
                if j < 0 or j >= ny:
                    continue
                edge_row = j == cy - k or j == cy + k
                step = 1 if edge_row else max(2 * k, 1)
                for i in range(cx - k, cx + k + 1, step):
                    if i < 0 or i >= nx:
                        continue
                    cell = j * nx + i
                    for t in range(starts[cell], starts[cell + 1]):
                        p = order[t]
                        dx = qx - px[p]
                        dy = qy - py[p]
                        d2 = dx * dx + dy * dy
                        if d2 < best or (d2 == best and p < bi):
                            best = d2
                            bi = p
            # Every cell of ring k + 1 and beyond is at least k cells away.
            reach = k * cs * (1.0 - 1e-9) - 1e-9 * cs
            if bi >= 0 and reach > 0.0 and best < reach * reach:
                break
            if cx - k <= 0 and cy - k <= 0 and cx + k >= nx - 1 and cy + k >= ny - 1:
                break
            k += 1
        dist[q] = math.sqrt(best)
        index[q] = bi
    return dist, index
