"""Bulk spatial queries for the rules engine: which zones hold a point, how far the lines are.

Pure Python on numpy, numba, shapely and pyproj; no Django. Everything here works in the
arrangement's metric CRS (``Projector`` takes WGS84 there).

``ZoneIndex`` answers "which zones strictly contain this point" for millions of points and
many overlapping (Multi)Polygons, holes included, with exactly the answers of shapely's
``contains_xy`` (a point on a boundary is not contained). It is a uniform grid: per cell
and zone, the cell is wholly inside the zone, wholly outside it, or a boundary cell that
keeps the zone's segments touching the cell and a reference point of known status. A point
in a boundary cell counts the exact crossings of the path from the reference point to
itself with those few segments. Orientation tests are exact (filtered, with an expansion
arithmetic fallback), so points on segments and vertices, and paths through vertices, are
decided as GEOS decides them.

``SegmentDistance`` (distance to a line) keeps, per grid cell, the segments that can be the
nearest for a point of the cell. ``NearestPoints`` is a bucket grid with ring search.

Exactness holds for coordinates that are 0 or of magnitude 1e-100 to 1e100 (so that no
product underflows); metric coordinates are of magnitude 1 to 1e7.

Invalid input: NaN (or infinite) coordinates are inside no zone, their distances are NaN
and their nearest index -1; arrays of different lengths raise ``ValueError``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt
import pyproj
import shapely


def _kernels() -> ModuleType:
    """The compiled kernels, imported on first use: importing numba takes a quarter of a
    second, which every process that merely loads the apps (``coordcell --help``, the
    worker, each management command) would otherwise pay."""
    from coordcell.rules import _kernels as kernels

    return kernels


__all__ = ["NearestPoints", "Projector", "SegmentDistance", "ZoneIndex"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ZoneArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]

#: Points per kernel call: bounds the temporary memory of one call to about 100 MB.
CHUNK = 1 << 20
#: Most cells a ZoneIndex grid may have (its cell-start table is 8 bytes a cell).
MAX_CELLS = 1 << 21
#: Share of the zones' extent that boundary cells should cover at the default cell size.
BOUNDARY_SHARE = 0.05


def _coords(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    ax = np.ascontiguousarray(x, dtype=np.float64)
    ay = np.ascontiguousarray(y, dtype=np.float64)
    if ax.ndim != 1 or ay.ndim != 1:
        raise ValueError("coordinates must be one-dimensional arrays")
    if ax.shape != ay.shape:
        raise ValueError(f"x and y differ in length ({ax.size} and {ay.size})")
    return ax, ay


def _segments(geoms: Sequence[shapely.Geometry]) -> tuple[FloatArray, IntArray]:
    """Every segment of every ring or line part, as (n, 4) [ax, ay, bx, by], and its owner."""
    parts, part_owner = shapely.get_parts(np.asarray(geoms, dtype=object), return_index=True)
    kinds = shapely.get_type_id(parts)
    polygonal = kinds == shapely.GeometryType.POLYGON
    lines = parts[~polygonal]
    line_owner = part_owner[~polygonal]
    rings, ring_part = shapely.get_rings(parts[polygonal], return_index=True)
    pieces = np.concatenate([rings, lines]) if lines.size else rings
    owners = np.concatenate([part_owner[polygonal][ring_part], line_owner])
    coords, piece = shapely.get_coordinates(pieces, return_index=True)
    if coords.shape[0] < 2:
        return np.empty((0, 4)), np.empty(0, np.int64)
    same = piece[:-1] == piece[1:]
    segs = np.column_stack([coords[:-1][same], coords[1:][same]]).astype(np.float64)
    owner = owners[piece[:-1][same]].astype(np.int64)
    return np.ascontiguousarray(segs), owner


def _grid(bounds: Sequence[float], cell: float) -> FloatArray:
    """[x0, y0, cell, nx, ny] covering ``bounds`` with half a cell to spare on each side."""
    xmin, ymin, xmax, ymax = bounds
    x0 = xmin - cell / 2
    y0 = ymin - cell / 2
    nx = math.floor((xmax - x0) / cell) + 2
    ny = math.floor((ymax - y0) / cell) + 2
    return np.array([x0, y0, cell, nx, ny], dtype=np.float64)


class Projector:
    """WGS84 (lon, lat) to and from the arrangement's metric CRS, e.g. ``"EPSG:32636"``."""

    def __init__(self, crs: str) -> None:
        self.crs = crs
        self._forward = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self._inverse = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def to_metric(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Project longitudes and latitudes (degrees) to metric x, y (metres)."""
        alon, alat = _coords(np.atleast_1d(lon), np.atleast_1d(lat))
        x, y = self._forward.transform(alon, alat)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def to_wgs84(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Metric x, y back to longitudes and latitudes."""
        ax, ay = _coords(np.atleast_1d(x), np.atleast_1d(y))
        lon, lat = self._inverse.transform(ax, ay)
        return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)

    def geometry_to_metric(self, geom: shapely.Geometry) -> shapely.Geometry:
        """A WGS84 geometry (lon, lat order) in the metric CRS."""

        def project(coords: FloatArray) -> FloatArray:
            x, y = self._forward.transform(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(geom, project)


class ZoneIndex:
    """Which of many, possibly overlapping, (Multi)Polygons strictly contain each point.

    ``zones`` are (id, geometry) in metric coordinates; holes and MultiPolygons are fine,
    and the answers are those of ``shapely.contains_xy`` for valid polygons (a ring's
    interior is decided by crossing parity over all its rings). ``cell_size`` (metres)
    defaults to a size at which boundary cells cover about 5 % of the zones' extent, with at
    most ``MAX_CELLS`` cells.
    """

    def __init__(
        self, zones: Sequence[tuple[str, shapely.Geometry]], *, cell_size: float | None = None
    ) -> None:
        self.zone_ids: tuple[str, ...] = tuple(zone_id for zone_id, _ in zones)
        geoms = [geom for _, geom in zones]
        for zone_id, geom in zones:
            if not isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
                raise TypeError(f"zone {zone_id!r} is a {geom.geom_type}, not a (Multi)Polygon")
        self._nzones = len(geoms)
        self._geoms = geoms
        self._bounds = [tuple(float(v) for v in g.bounds) for g in geoms]
        self._boundaries: list[SegmentDistance] | None = None
        segs, owner = _segments(geoms) if geoms else (np.empty((0, 4)), np.empty(0, np.int64))
        finite = np.isfinite(segs).all(axis=1)
        if not finite.all():
            raise ValueError("zone coordinates must be finite")
        self._empty = segs.shape[0] == 0
        if self._empty:
            self._grid = np.array([0.0, 0.0, 1.0, 1.0, 1.0])
            self._cell_start = np.zeros(2, np.int64)
            self._ent = np.empty(0, np.int32)
            self._rec = np.empty(0, np.float64)
            self._width = 1
            return
        xmin = float(min(segs[:, 0].min(), segs[:, 2].min()))
        xmax = float(max(segs[:, 0].max(), segs[:, 2].max()))
        ymin = float(min(segs[:, 1].min(), segs[:, 3].min()))
        ymax = float(max(segs[:, 1].max(), segs[:, 3].max()))
        width = max(xmax - xmin, 1e-3)
        height = max(ymax - ymin, 1e-3)
        if cell_size is None:
            length = float(np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1]).sum())
            cell_size = BOUNDARY_SHARE * width * height / (1.5 * max(length, 1e-3))
        if not (math.isfinite(cell_size) and cell_size > 0):
            raise ValueError("cell_size must be a positive number of metres")
        cell_size = max(cell_size, math.sqrt(width * height / MAX_CELLS))
        grid = _grid((xmin, ymin, xmax, ymax), cell_size)
        scale = max(abs(xmin), abs(xmax), abs(ymin), abs(ymax), 1.0)
        margin = 1e-6 * cell_size + 1e-12 * scale

        # Boundary entries: one per (zone, cell) that a segment of the zone touches.
        total = _kernels().rasterize(segs, grid, margin, False, np.empty(0, np.int64), np.empty(0))
        t_cell = np.empty(total, np.int64)
        t_seg = np.empty(total, np.int64)
        _kernels().rasterize(segs, grid, margin, True, t_cell, t_seg)
        t_zone = owner[t_seg]
        order = np.lexsort((t_seg, t_cell, t_zone))
        t_cell, t_seg, t_zone = t_cell[order], t_seg[order], t_zone[order]
        first = np.ones(total, np.bool_)
        first[1:] = (t_cell[1:] != t_cell[:-1]) | (t_zone[1:] != t_zone[:-1])
        starts = np.flatnonzero(first)
        bcell = t_cell[starts]
        bzone = t_zone[starts].astype(np.int32)
        bseg = np.append(starts, total).astype(np.int64)
        entry_segs = np.ascontiguousarray(segs[t_seg])
        bref = _kernels().choose_refs(bcell, bseg, entry_segs, grid)
        if not np.isfinite(bref).all():  # pragma: no cover - needs 256 failed tries
            raise RuntimeError("no reference point off the boundary in a grid cell")
        binside = np.zeros(bcell.size, np.bool_)
        zone_entries = np.searchsorted(bzone, np.arange(self._nzones + 1)).astype(np.int64)
        for z, geom in enumerate(geoms):
            lo, hi = zone_entries[z], zone_entries[z + 1]
            if hi > lo:
                shapely.prepare(geom)
                binside[lo:hi] = shapely.contains_xy(geom, bref[lo:hi, 0], bref[lo:hi, 1])

        # Cells wholly inside a zone.
        bounds = np.array([g.bounds if not g.is_empty else (0.0, 0.0, -1.0, -1.0) for g in geoms])
        zone_cells = np.empty((self._nzones, 4), np.int64)
        nx, ny = int(grid[3]), int(grid[4])
        zone_cells[:, 0] = np.clip(np.floor((bounds[:, 0] - grid[0]) / cell_size) - 1, 0, nx - 1)
        zone_cells[:, 1] = np.clip(np.floor((bounds[:, 2] - grid[0]) / cell_size) + 1, 0, nx - 1)
        zone_cells[:, 2] = np.clip(np.floor((bounds[:, 1] - grid[1]) / cell_size) - 1, 0, ny - 1)
        zone_cells[:, 3] = np.clip(np.floor((bounds[:, 3] - grid[1]) / cell_size) + 1, 0, ny - 1)
        empty_zone = zone_entries[1:] == zone_entries[:-1]
        zone_cells[empty_zone, 1] = zone_cells[empty_zone, 0] - 1  # nothing to scan
        scan = (zone_entries, zone_cells, bcell, bref, binside, bseg, entry_segs, grid)
        n_inside = _kernels().scan_inside_cells(
            *scan, False, np.empty(0, np.int64), np.empty(0, np.int32)
        )
        i_cell = np.empty(n_inside, np.int64)
        i_zone = np.empty(n_inside, np.int32)
        _kernels().scan_inside_cells(*scan, True, i_cell, i_zone)

        # The query tables. ``rec``: per boundary entry, one flat record [ref x, ref y,
        # ref inside, zone, n, then n segments as ax, ay, bx, by]. ``ent``: per cell, its
        # entries sorted by zone; >= 0 is a zone the cell lies in, < 0 is -(record + 1).
        nseg = np.diff(bseg)
        size = _kernels().RECORD_HEAD + 4 * nseg
        rec_at = np.concatenate([[0], np.cumsum(size)]).astype(np.int64)
        if rec_at[-1] >= np.iinfo(np.int32).max:
            raise ValueError("too many boundary segments for one index; use a larger cell_size")
        rec = np.empty(int(rec_at[-1]), np.float64)
        head = rec_at[:-1]
        rec[head] = bref[:, 0]
        rec[head + 1] = bref[:, 1]
        rec[head + 2] = binside
        rec[head + 3] = bzone
        rec[head + 4] = nseg
        seg_at = np.repeat(head + _kernels().RECORD_HEAD - 4 * bseg[:-1], nseg) + 4 * np.arange(
            total
        )
        for c in range(4):
            rec[seg_at + c] = entry_segs[:, c]
        keys = np.concatenate([i_cell * self._nzones + i_zone, bcell * self._nzones + bzone])
        values = np.concatenate([i_zone, -(head.astype(np.int32) + 1)])
        order = np.argsort(keys, kind="stable")
        cells = keys[order] // self._nzones
        counts = np.bincount(cells, minlength=nx * ny)
        self._grid = grid
        self._cell_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self._ent = np.ascontiguousarray(values[order], dtype=np.int32)
        self._rec = rec
        self._width = max(int(counts.max()), 1)

    @property
    def cell_size(self) -> float:
        """The grid's cell size in metres."""
        return float(self._grid[2])

    @property
    def nbytes(self) -> int:
        """Memory held by the index's arrays."""
        return self._cell_start.nbytes + self._ent.nbytes + self._rec.nbytes

    def _tables(self) -> tuple[Any, ...]:
        return (self._cell_start, self._ent, self._rec, self._width)

    def locate(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[IntArray, ZoneArray]:
        """(point index, zone index) for each point strictly inside each zone.

        Sorted by point, then zone. Zone indexes refer to ``zone_ids``.
        """
        ax, ay = _coords(x, y)
        points: list[IntArray] = []
        zones: list[ZoneArray] = []
        # Each point of a chunk gets ``width`` result slots: keep a chunk's slots near 64 MB.
        chunk = max(min(CHUNK, (16 << 20) // self._width), 1024)
        for start in range(0, ax.size, chunk):
            p, z = _kernels().locate_chunk(
                ax[start : start + chunk], ay[start : start + chunk], self._grid, *self._tables()
            )
            if start:
                p += start
            points.append(p)
            zones.append(z)
        if not points:
            return np.empty(0, np.int64), np.empty(0, np.int32)
        if len(points) == 1:
            return points[0], zones[0]
        return np.concatenate(points), np.concatenate(zones)

    def _boundary_distances(self) -> list[SegmentDistance]:
        """Per zone, the distance to its boundary (built on first use)."""
        if self._boundaries is None:
            self._boundaries = [SegmentDistance(g.boundary) for g in self._geoms]
        return self._boundaries

    def locate_uncertain(
        self, x: npt.ArrayLike, y: npt.ArrayLike, radius: npt.ArrayLike
    ) -> tuple[IntArray, ZoneArray, BoolArray]:
        """(point, zone, certain) for each zone each point's uncertainty disk may be in.

        ``certain`` is True when the point is inside the zone and farther than ``radius``
        from its boundary; False ("possibly inside") when the point is within ``radius``
        of the zone's boundary (inside or out). ``radius`` (metres, >= 0) is one number or
        one per point; radius 0 gives exactly ``locate``, all certain.

        Only points with a radius and within the radius of a zone's bounding box measure
        their distance to that zone's boundary (a grid of candidate segments per zone), so
        the cost does not grow with the radius.
        """
        ax, ay = _coords(x, y)
        ar = np.ascontiguousarray(np.broadcast_to(np.asarray(radius, np.float64), ax.shape))
        if not (np.isfinite(ar) & (ar >= 0)).all():
            raise ValueError("radius must be finite and non-negative")
        points, zones = self.locate(ax, ay)
        certain = np.ones(points.size, np.bool_)
        if not (ar > 0).any() or self._empty:
            return points, zones, certain
        near_points: list[IntArray] = []
        near_zones: list[ZoneArray] = []
        finite = np.isfinite(ax) & np.isfinite(ay) & (ar > 0)
        for k, (boundary, (xmin, ymin, xmax, ymax)) in enumerate(
            zip(self._boundary_distances(), self._bounds, strict=True)
        ):
            in_reach = (ax >= xmin - ar) & (ax <= xmax + ar) & (ay >= ymin - ar) & (ay <= ymax + ar)
            cand = np.flatnonzero(finite & in_reach)
            if cand.size == 0:
                continue
            near = cand[boundary.distance(ax[cand], ay[cand]) <= ar[cand]]
            near_points.append(near.astype(np.int64))
            near_zones.append(np.full(near.size, k, np.int32))
        if not near_points:
            return points, zones, certain
        np_, nz = np.concatenate(near_points), np.concatenate(near_zones)
        # Inside and near the boundary: possible, not certain. Outside and near: possible.
        key_inside = points * (self._nzones + 1) + zones
        key_near = np_ * (self._nzones + 1) + nz
        is_near = np.isin(key_inside, key_near)
        certain[is_near] = False
        outside_near = ~np.isin(key_near, key_inside)
        all_points = np.concatenate([points, np_[outside_near]])
        all_zones = np.concatenate([zones, nz[outside_near]])
        all_certain = np.concatenate([certain, np.zeros(int(outside_near.sum()), np.bool_)])
        order = np.lexsort((all_zones, all_points))
        return all_points[order], all_zones[order].astype(np.int32), all_certain[order]

    def locate_one(self, x: float, y: float, radius: float = 0.0) -> list[tuple[int, bool]]:
        """``locate_uncertain`` for one point: [(zone index, certain)], sorted by zone.

        Uses the serial kernels (no thread start-up): microseconds per call.
        """
        if not (math.isfinite(radius) and radius >= 0):
            raise ValueError("radius must be finite and non-negative")
        zones, _ = _kernels().uncertain_one(
            float(x), float(y), 0.0, self._grid, max(self._nzones, 1), *self._tables()
        )
        inside = set(zones.tolist())
        if radius == 0 or self._empty or not (math.isfinite(x) and math.isfinite(y)):
            return [(z, True) for z in sorted(inside)]
        result = []
        for k, (boundary, (xmin, ymin, xmax, ymax)) in enumerate(
            zip(self._boundary_distances(), self._bounds, strict=True)
        ):
            within = xmin - radius <= x <= xmax + radius and ymin - radius <= y <= ymax + radius
            near = within and boundary.distance_one(x, y) <= radius
            if k in inside:
                result.append((k, not near))
            elif near:
                result.append((k, False))
        return result


class SegmentDistance:
    """Distance from points to a (Multi)LineString, in metres (metric coordinates).

    A grid over the line's surroundings keeps, per cell, the segments that can be nearest
    to a point of that cell; the grid grows to cover queries that fall outside it.
    """

    def __init__(self, line: shapely.Geometry, *, cell_size: float | None = None) -> None:
        if not isinstance(line, shapely.LineString | shapely.MultiLineString | shapely.LinearRing):
            raise TypeError(f"expected a (Multi)LineString, got {line.geom_type}")
        segs, _ = _segments([line])
        if segs.shape[0] == 0:
            raise ValueError("the line has no segment")
        if not np.isfinite(segs).all():
            raise ValueError("line coordinates must be finite")
        self._segs = segs
        self._cell_size = cell_size
        xmin = float(min(segs[:, 0].min(), segs[:, 2].min()))
        xmax = float(max(segs[:, 0].max(), segs[:, 2].max()))
        ymin = float(min(segs[:, 1].min(), segs[:, 3].min()))
        ymax = float(max(segs[:, 1].max(), segs[:, 3].max()))
        pad = 0.5 * max(xmax - xmin, ymax - ymin, 1.0)
        self._build((xmin - pad, ymin - pad, xmax + pad, ymax + pad))

    def _build(self, bounds: tuple[float, float, float, float]) -> None:
        self._bounds = bounds
        width = bounds[2] - bounds[0]
        height = bounds[3] - bounds[1]
        cells = min(max(32 * self._segs.shape[0], 1024), 1 << 16)
        cell = self._cell_size or math.sqrt(width * height / cells)
        cell = max(cell, math.sqrt(width * height / (1 << 18)))
        self._grid = _grid(bounds, cell)
        counts = _kernels().segment_grid(
            self._segs, self._grid, False, np.empty(0, np.int64), np.empty(0, np.int64)
        )
        self._starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self._cand = np.empty(int(self._starts[-1]), np.int64)
        _kernels().segment_grid(self._segs, self._grid, True, self._starts, self._cand)

    def distance_one(self, x: float, y: float) -> float:
        """``distance`` for one point, without the start-up cost of the parallel kernel."""
        if math.isfinite(x) and math.isfinite(y):
            xmin, ymin, xmax, ymax = self._bounds
            if not (xmin <= x <= xmax and ymin <= y <= ymax):
                return float(self.distance(np.array([x]), np.array([y]))[0])
        return float(_kernels().segment_one(x, y, self._grid, self._starts, self._cand, self._segs))

    def distance(self, x: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
        """Distance (metres) from each point to the line; NaN for NaN coordinates."""
        ax, ay = _coords(x, y)
        finite = np.isfinite(ax) & np.isfinite(ay)
        if finite.any():
            fx, fy = ax[finite], ay[finite]
            lo = (float(fx.min()), float(fy.min()))
            hi = (float(fx.max()), float(fy.max()))
            xmin, ymin, xmax, ymax = self._bounds
            if lo[0] < xmin or lo[1] < ymin or hi[0] > xmax or hi[1] > ymax:
                xmin, ymin = min(xmin, lo[0]), min(ymin, lo[1])
                xmax, ymax = max(xmax, hi[0]), max(ymax, hi[1])
                pad = 0.1 * max(xmax - xmin, ymax - ymin)
                self._build((xmin - pad, ymin - pad, xmax + pad, ymax + pad))
        result: FloatArray = _kernels().segment_query(
            ax, ay, self._grid, self._starts, self._cand, self._segs
        )
        return result


class NearestPoints:
    """The nearest of a fixed set of points (e.g. frozen positions), metric coordinates."""

    def __init__(self, x: npt.ArrayLike, y: npt.ArrayLike) -> None:
        ax, ay = _coords(x, y)
        if not (np.isfinite(ax).all() and np.isfinite(ay).all()):
            raise ValueError("positions must have finite coordinates")
        self._x = ax.copy()
        self._y = ay.copy()
        n = ax.size
        if n == 0:
            self._grid = np.array([0.0, 0.0, 1.0, 1.0, 1.0])
            self._starts = np.zeros(2, np.int64)
            self._order = np.empty(0, np.int64)
            return
        xmin, xmax = float(ax.min()), float(ax.max())
        ymin, ymax = float(ay.min()), float(ay.max())
        extent = max(xmax - xmin, ymax - ymin, 1.0)
        cell = max(math.sqrt(max(xmax - xmin, 1.0) * max(ymax - ymin, 1.0) / max(n / 2, 1)), 1e-6)
        cell = max(cell, extent / 4096)
        self._grid = _grid((xmin, ymin, xmax, ymax), cell)
        nx = int(self._grid[3])
        ix = np.floor((ax - self._grid[0]) / cell).astype(np.int64)
        iy = np.floor((ay - self._grid[1]) / cell).astype(np.int64)
        cells = iy * nx + ix
        self._order = np.argsort(cells, kind="stable").astype(np.int64)
        counts = np.bincount(cells, minlength=nx * int(self._grid[4]))
        self._starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def query(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, IntArray]:
        """(distance, index) of the nearest position; (inf, -1) when the set is empty.

        Ties go to the lowest index; NaN coordinates give (NaN, -1).
        """
        ax, ay = _coords(x, y)
        if self._x.size == 0:
            dist = np.full(ax.size, np.inf)
            dist[~(np.isfinite(ax) & np.isfinite(ay))] = np.nan
            return dist, np.full(ax.size, -1, np.int64)
        dist, index = _kernels().nearest_query(
            ax, ay, self._grid, self._starts, self._order, self._x, self._y
        )
        return dist, index
