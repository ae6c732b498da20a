"""Where a project's site lies: inside the arrangement's economic zone, on which sides.

The zone is the economic-zone clause's zones (data); the site is measured in the
arrangement's metric CRS (``Engine.projector``). A site outside the zone is refused with
how far it reaches beyond it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import shapely
from shapely.geometry import shape

from coordcell.agreements.engines import engine_for

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion
    from coordcell.rules.arrangement import ClauseSpec

__all__ = ["SiteFit", "check_site", "distance_km", "economic_clauses"]

#: Within this many metres of the zone's edge a site is inside (rounding of coordinates).
EDGE_TOLERANCE_M = 1.0


def economic_clauses(version: ArrangementVersion) -> list[ClauseSpec]:
    """The version's economic-zone clauses that cite zones, in the scenario's order."""
    return [
        c for c in engine_for(version).arrangement.clauses if c.kind == "economic_zone" and c.zones
    ]


@dataclass(frozen=True)
class SiteFit:
    inside: bool
    outside_km: float
    zones: tuple[str, ...]
    sides: tuple[str, ...]


def _metric(version: ArrangementVersion, geometry: Mapping[str, Any]) -> shapely.Geometry:
    return engine_for(version).projector.geometry_to_metric(shape(dict(geometry)))


def check_site(version: ArrangementVersion, clause: ClauseSpec, site: Mapping[str, Any]) -> SiteFit:
    """Whether ``site`` lies inside ``clause``'s zones; if not, how far (km) its farthest
    point lies outside; the areas it lies in and the ``side`` values of those areas."""
    engine = engine_for(version)
    zones = {z.id: z for z in engine.arrangement.zones}
    allowed = [_metric(version, zones[z].geometry) for z in clause.zones if z in zones]
    area = shapely.union_all(allowed)
    geom = _metric(version, site)
    points = shapely.points(shapely.get_coordinates(geom))
    outside = max(float(area.distance(p)) for p in points)
    inside = outside <= EDGE_TOLERANCE_M
    located = engine.locate(dict(site))
    found = tuple(sorted(set(located.zones) | set(located.possible_zones)))
    sides = sorted(
        {
            z.side
            for z in engine.arrangement.zones
            if z.side and z.kind == "area" and _metric(version, z.geometry).intersects(geom)
        }
    )
    return SiteFit(inside, round(outside / 1000, 2), found, tuple(sides))


def distance_km(version: ArrangementVersion, a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """The shortest distance between two geometries, in kilometres."""
    return float(_metric(version, a).distance(_metric(version, b))) / 1000
