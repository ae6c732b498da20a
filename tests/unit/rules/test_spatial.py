"""coordcell.rules.spatial against shapely and numpy brute force (pure: no database)."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import coordcell
from coordcell.rules.scenario import read_scenario
from coordcell.rules.spatial import NearestPoints, Projector, SegmentDistance, ZoneIndex
from tests.profiles import examples

SCENARIO = pathlib.Path(coordcell.__file__).resolve().parent / "scenarios" / "southern_syria_2026"


def star(rng: np.random.Generator, cx: float, cy: float, r: float, n: int = 200) -> shapely.Polygon:
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radii = r * rng.uniform(0.5, 1.0, n)
    return shapely.Polygon(
        np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)])
    )


def expected_pairs(
    zones: list[tuple[str, shapely.Geometry]], x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    points, zone_index = [], []
    for k, (_, geom) in enumerate(zones):
        xmin, ymin, xmax, ymax = geom.bounds if not geom.is_empty else (0, 0, -1, -1)
        near = np.flatnonzero((x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax))
        hit = near[shapely.contains_xy(geom, x[near], y[near])]
        points.append(hit)
        zone_index.append(np.full(hit.size, k))
    p = np.concatenate(points).astype(np.int64)
    z = np.concatenate(zone_index).astype(np.int32)
    order = np.lexsort((z, p))
    return p[order], z[order]


def boundary_points(
    geoms: list[shapely.Geometry], rng: np.random.Generator, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every vertex, points interpolated on segments and points a hair off them."""
    coords = np.concatenate([shapely.get_coordinates(g) for g in geoms])
    pick = rng.integers(0, coords.shape[0] - 1, n)
    t = rng.uniform(0, 1, n)
    on = coords[pick] + t[:, None] * (coords[pick + 1] - coords[pick])
    near = on + rng.normal(0, 1e-7, on.shape)
    mid = (coords[pick] + coords[pick + 1]) / 2
    allx = np.concatenate([coords[:, 0], on[:, 0], near[:, 0], mid[:, 0]])
    ally = np.concatenate([coords[:, 1], on[:, 1], near[:, 1], mid[:, 1]])
    return allx, ally


def check_locate(
    zones: list[tuple[str, shapely.Geometry]], x: np.ndarray, y: np.ndarray, **kw: float
) -> None:
    index = ZoneIndex(zones, **kw)
    p, z = index.locate(x, y)
    ep, ez = expected_pairs(zones, x, y)
    np.testing.assert_array_equal(p, ep)
    np.testing.assert_array_equal(z, ez)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def projector() -> Projector:
    return Projector("EPSG:32636")


@pytest.fixture(scope="module")
def scenario_zones(projector: Projector) -> list[tuple[str, shapely.Geometry]]:
    arrangement = read_scenario(SCENARIO)
    return [
        (zone.id, projector.geometry_to_metric(shapely.geometry.shape(zone.geometry)))
        for zone in arrangement.zones
        if zone.kind == "area"
    ]


@pytest.fixture(scope="module")
def scenario_lines(projector: Projector) -> dict[str, shapely.Geometry]:
    arrangement = read_scenario(SCENARIO)
    return {
        zone.id: projector.geometry_to_metric(shapely.geometry.shape(zone.geometry))
        for zone in arrangement.zones
        if zone.kind == "line"
    }


# --------------------------------------------------------------------------- ZoneIndex


def test_scenario_zones_random_and_boundary_points(scenario_zones) -> None:
    rng = np.random.default_rng(1)
    assert len(scenario_zones) == 9  # 8 zones and the Mount Hermon part
    xmin, ymin, xmax, ymax = shapely.total_bounds([g for _, g in scenario_zones])
    x = rng.uniform(xmin - 1000, xmax + 1000, 200_000)
    y = rng.uniform(ymin - 1000, ymax + 1000, 200_000)
    bx, by = boundary_points([g for _, g in scenario_zones], rng, 20_000)
    check_locate(scenario_zones, np.concatenate([x, bx]), np.concatenate([y, by]))


@pytest.mark.parametrize("cell_size", [None, 150.0, 5000.0])
def test_scenario_zones_any_cell_size(scenario_zones, cell_size) -> None:
    rng = np.random.default_rng(2)
    bx, by = boundary_points([g for _, g in scenario_zones], rng, 5_000)
    check_locate(scenario_zones, bx, by, cell_size=cell_size) if cell_size else check_locate(
        scenario_zones, bx, by
    )


def test_scenario_zones_overlap(scenario_zones) -> None:
    ids = [zone_id for zone_id, _ in scenario_zones]
    geoms = dict(scenario_zones)
    overlap = shapely.intersection(
        geoms["economic_zone"],
        shapely.union_all([g for k, g in scenario_zones if k.startswith("aol_")]),
    )
    assert overlap.area > 0
    point = shapely.point_on_surface(overlap)
    found = [ids[z] for z, _ in ZoneIndex(scenario_zones).locate_one(point.x, point.y)]
    assert "economic_zone" in found
    assert any(zone_id.startswith("aol_") for zone_id in found)


def test_holes_and_multipolygons() -> None:
    square = shapely.box(0, 0, 100, 100)
    holed = shapely.Polygon(
        square.exterior.coords,
        [shapely.box(20, 20, 40, 40).exterior.coords, [(60, 60), (80, 60), (70, 80)]],
    )
    multi = shapely.MultiPolygon(
        [shapely.box(50, -50, 150, 50), shapely.Polygon(holed.exterior.coords, holed.interiors)]
    )
    multi = shapely.MultiPolygon([shapely.box(200, 0, 300, 100), holed])
    zones = [
        ("holed", holed),
        ("multi", multi),
        ("square", square),
        ("tri", shapely.Polygon([(0, 0), (50, 50), (100, 0)])),
    ]
    rng = np.random.default_rng(3)
    x = rng.uniform(-10, 310, 50_000)
    y = rng.uniform(-10, 110, 50_000)
    # A lattice hits vertices, edges and hole boundaries exactly.
    gx, gy = np.meshgrid(np.arange(-10, 311, 5.0), np.arange(-10, 111, 5.0))
    bx, by = boundary_points([g for _, g in zones], rng, 5_000)
    for cell in (None, 7.0, 33.0, 1000.0):
        kw = {} if cell is None else {"cell_size": cell}
        check_locate(
            zones, np.concatenate([x, gx.ravel(), bx]), np.concatenate([y, gy.ravel(), by]), **kw
        )


@pytest.mark.slow
def test_two_thousand_overlapping_zones() -> None:
    rng = np.random.default_rng(4)
    # Building the index over 2,000 stars of 200 vertices (400,000 edges) costs 5 s of
    # CPU; 60 vertices keep every zone overlapping others and every cell crowded.
    vertices = examples(60, thorough=200)
    zones = [
        (
            f"z{i}",
            star(
                rng,
                rng.uniform(0, 50_000),
                rng.uniform(0, 50_000),
                rng.uniform(500, 3000),
                n=vertices,
            ),
        )
        for i in range(2000)
    ]
    # The shapely reference, not the index, is what takes the time: 5k random points
    # every day, 20k in the thorough profile (tests/profiles.py).
    n = examples(5_000, thorough=20_000)
    x = rng.uniform(-1000, 51_000, n)
    y = rng.uniform(-1000, 51_000, n)
    bx, by = boundary_points([g for _, g in zones[:200]], rng, n // 4)
    check_locate(zones, np.concatenate([x, bx]), np.concatenate([y, by]))


def test_collinear_paths_through_vertices() -> None:
    # Axis-aligned, integer geometry: paths from cell centres run along edges and through
    # vertices; every lattice point is a vertex, on an edge, or off by exactly half a unit.
    zigzag = shapely.Polygon([(0, 0), (4, 0), (4, 4), (3, 4), (3, 1), (2, 1), (2, 4), (0, 4)])
    zones = [("zigzag", zigzag), ("box", shapely.box(1, 1, 3, 3))]
    g = np.arange(-1, 5.01, 0.25)
    gx, gy = np.meshgrid(g, g)
    for cell in (0.5, 1.0, 2.0, 0.25):
        check_locate(zones, gx.ravel(), gy.ravel(), cell_size=cell)


def test_empty_inputs() -> None:
    index = ZoneIndex([("a", shapely.box(0, 0, 1, 1))])
    p, z = index.locate(np.empty(0), np.empty(0))
    assert p.size == 0
    assert z.size == 0
    p, z, c = index.locate_uncertain(np.empty(0), np.empty(0), np.empty(0))
    assert p.size == z.size == c.size == 0
    empty = ZoneIndex([])
    assert empty.zone_ids == ()
    assert empty.locate(np.array([0.5]), np.array([0.5]))[0].size == 0
    assert empty.locate_one(0.5, 0.5, 10.0) == []
    assert ZoneIndex([("e", shapely.Polygon())]).locate([0.5], [0.5])[0].size == 0


def test_nan_is_inside_nothing_and_lengths_must_match() -> None:
    index = ZoneIndex([("a", shapely.box(0, 0, 1, 1))])
    p, z = index.locate(np.array([np.nan, 0.5, np.inf, 0.5]), np.array([0.5, np.nan, 0.5, 0.5]))
    assert p.tolist() == [3]
    assert z.tolist() == [0]
    assert index.locate_one(np.nan, 0.5, 1.0) == []
    with pytest.raises(ValueError, match="differ in length"):
        index.locate(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="radius"):
        index.locate_uncertain(np.zeros(2), np.zeros(2), np.array([1.0, -1.0]))
    with pytest.raises(TypeError):
        ZoneIndex([("line", shapely.LineString([(0, 0), (1, 1)]))])


def uncertain_expected(zones, x, y, r):
    rows = []
    for k, (_, geom) in enumerate(zones):
        inside = shapely.contains_xy(geom, x, y)
        d = shapely.distance(geom.boundary, shapely.points(x, y))
        certain = inside & (d > r)
        possible = ~certain & ((inside & (d <= r)) | (~inside & (d < r)))
        for i in np.flatnonzero(certain | possible):
            rows.append((int(i), k, bool(certain[i])))
    return sorted(rows)


@pytest.mark.slow
def test_locate_uncertain_against_shapely(scenario_zones) -> None:
    rng = np.random.default_rng(5)
    xmin, ymin, xmax, ymax = shapely.total_bounds([g for _, g in scenario_zones])
    n = 20_000
    x = rng.uniform(xmin, xmax, n)
    y = rng.uniform(ymin, ymax, n)
    r = rng.choice([0.0, 10.0, 500.0, 3000.0, 12_000.0], n) * rng.uniform(0.5, 1.5, n)
    index = ZoneIndex(scenario_zones)
    p, z, c = index.locate_uncertain(x, y, r)
    got = list(zip(p.tolist(), z.tolist(), c.tolist(), strict=True))
    assert got == uncertain_expected(scenario_zones, x, y, r)


def test_radius_zero_is_locate(scenario_zones) -> None:
    rng = np.random.default_rng(6)
    xmin, ymin, xmax, ymax = shapely.total_bounds([g for _, g in scenario_zones])
    x = rng.uniform(xmin, xmax, 20_000)
    y = rng.uniform(ymin, ymax, 20_000)
    index = ZoneIndex(scenario_zones)
    p, z, c = index.locate_uncertain(x, y, 0.0)
    lp, lz = index.locate(x, y)
    np.testing.assert_array_equal(p, lp)
    np.testing.assert_array_equal(z, lz)
    assert c.all()


_SQUARE_INDEX = ZoneIndex(
    [
        ("a", shapely.box(0, 0, 10, 10)),
        ("b", shapely.Polygon([(5, 5), (15, 5), (15, 15), (5, 15)], [[(8, 8), (12, 8), (12, 12)]])),
        ("c", shapely.MultiPolygon([shapely.box(-5, -5, 0, 0), shapely.box(10, 10, 12, 12)])),
    ]
)

# Exactness holds for coordinates 0 or of magnitude 1e-100 to 1e100 (no underflow), far
# wider than any metric CRS needs.
_BOX = shapely.box(0, 0, 10, 10)
_BOX_INDEX = ZoneIndex([("a", _BOX)])

coordinate = st.one_of(
    st.integers(-6, 16).map(float),
    st.floats(-6, 16, allow_nan=False).filter(lambda v: v == 0 or abs(v) >= 1e-100),
    st.sampled_from([0.0, 5.0, 8.0, 10.0, 12.0, 7.5, 1e-100, -1e-100, 10 - 1e-15]),
)


@settings(max_examples=150, deadline=None)
@given(x=coordinate, y=coordinate, r=st.one_of(st.just(0.0), st.floats(0, 20)))
def test_locate_one_matches_bulk(x: float, y: float, r: float) -> None:
    _p, z, c = _SQUARE_INDEX.locate_uncertain(np.array([x]), np.array([y]), np.array([r]))
    assert _SQUARE_INDEX.locate_one(x, y, r) == list(zip(z.tolist(), c.tolist(), strict=True))
    if r == 0.0:
        assert _SQUARE_INDEX.locate_one(x, y) == [
            (int(k), True) for k in _SQUARE_INDEX.locate([x], [y])[1]
        ]
    assert [k for k, _ in _BOX_INDEX.locate_one(x, y)] == (
        [0] if shapely.contains_xy(_BOX, x, y) else []
    )


# --------------------------------------------------------------------------- distances


def test_segment_distance_against_shapely(scenario_lines) -> None:
    rng = np.random.default_rng(7)
    for line in scenario_lines.values():
        xmin, ymin, xmax, ymax = line.bounds
        n = 20_000
        x = rng.uniform(xmin - 30_000, xmax + 30_000, n)
        y = rng.uniform(ymin - 30_000, ymax + 30_000, n)
        on_x, on_y = boundary_points([line], rng, 2000)
        x = np.concatenate([x, on_x])
        y = np.concatenate([y, on_y])
        got = SegmentDistance(line).distance(x, y)
        want = shapely.distance(line, shapely.points(x, y))
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_segment_distance_multiline_far_points_and_nan() -> None:
    rng = np.random.default_rng(8)
    line = shapely.MultiLineString([[(0, 0), (10, 0), (10, 10)], [(20, 20), (30, 25)]])
    measure = SegmentDistance(line, cell_size=3.0)
    x = np.concatenate([rng.uniform(-1e6, 1e6, 5000), [np.nan, 5.0]])
    y = np.concatenate([rng.uniform(-1e6, 1e6, 5000), [0.0, np.nan]])
    got = measure.distance(x, y)
    want = shapely.distance(line, shapely.points(x[:-2], y[:-2]))
    np.testing.assert_allclose(got[:-2], want, rtol=0, atol=1e-6)
    assert np.isnan(got[-2:]).all()
    assert measure.distance(np.empty(0), np.empty(0)).size == 0
    with pytest.raises(ValueError, match="differ in length"):
        measure.distance(np.zeros(2), np.zeros(3))


def test_nearest_points_against_brute_force() -> None:
    rng = np.random.default_rng(9)
    for n in (1, 2, 7, 200, 3000):
        px = rng.uniform(0, 50_000, n)
        py = rng.uniform(0, 80_000, n)
        near = NearestPoints(px, py)
        x = rng.uniform(-100_000, 150_000, 5_000)
        y = rng.uniform(-100_000, 150_000, 5_000)
        dist, index = near.query(x, y)
        d2 = (x[:, None] - px[None, :]) ** 2 + (y[:, None] - py[None, :]) ** 2
        np.testing.assert_array_equal(index, d2.argmin(axis=1))
        np.testing.assert_allclose(dist, np.sqrt(d2.min(axis=1)), rtol=1e-12)


def test_nearest_points_ties_empty_and_nan() -> None:
    near = NearestPoints(np.array([0.0, 2.0, 2.0]), np.array([0.0, 0.0, 0.0]))
    dist, index = near.query(np.array([1.0, 2.0, np.nan]), np.array([0.0, 0.0, 1.0]))
    assert index.tolist() == [0, 1, -1]
    assert dist[:2].tolist() == [1.0, 0.0]
    assert np.isnan(dist[2])
    dist, index = NearestPoints(np.empty(0), np.empty(0)).query(np.array([1.0]), np.array([1.0]))
    assert dist.tolist() == [np.inf]
    assert index.tolist() == [-1]
    with pytest.raises(ValueError, match="finite"):
        NearestPoints(np.array([np.nan]), np.array([0.0]))


def test_projector_round_trip(projector: Projector) -> None:
    x, y = projector.to_metric(np.array([35.8]), np.array([33.0]))
    assert 700_000 < x[0] < 800_000
    assert 3_600_000 < y[0] < 3_700_000
    lon, lat = projector.to_wgs84(x, y)
    assert abs(lon[0] - 35.8) < 1e-9
    assert abs(lat[0] - 33.0) < 1e-9
    square = projector.geometry_to_metric(shapely.box(35.8, 33.0, 35.9, 33.1))
    assert 80e6 < square.area < 120e6
