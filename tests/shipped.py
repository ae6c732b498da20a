"""The shipped scenarios, discovered from ``src/coordcell/scenarios/``, and what the tests
that exercise an arrangement derive from each one's own files (no zone id, clause id,
party code or place is written into those tests): where a prohibition applies, who it
binds and exempts, who lodges against whom in the demo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from shapely.geometry import shape

from coordcell.agreements.services import SCENARIOS_DIR, default_scenario
from coordcell.rules import taxonomy
from coordcell.rules.arrangement import Arrangement, ClauseSpec
from coordcell.rules.engine import Engine
from coordcell.rules.scenario import read_scenario

__all__ = [
    "NAMES",
    "OTHERS",
    "Prohibition",
    "arrangement",
    "engine",
    "kind_for",
    "liaison_of",
    "prohibitions",
]

#: Every shipped scenario's folder name, in order.
NAMES: tuple[str, ...] = tuple(
    sorted(p.name for p in SCENARIOS_DIR.iterdir() if (p / "arrangement.toml").is_file())
)
#: The shipped scenarios other than the one the shared demo of tests/e2e runs.
OTHERS: tuple[str, ...] = tuple(n for n in NAMES if n != default_scenario())


@cache
def arrangement(name: str) -> Arrangement:
    return read_scenario(SCENARIOS_DIR / name)


@cache
def engine(name: str) -> Engine:
    return Engine(arrangement(name), version=f"{name} v1")


def folder(name: str) -> Path:
    return SCENARIOS_DIR / name


def kind_for(activity: str) -> str | None:
    """An incident kind whose report certainly implies ``activity`` (the fewest others)."""
    kinds = [k for k in taxonomy.KINDS if activity in taxonomy.activities(k)]
    return min(kinds, key=lambda k: (len(taxonomy.activities(k)), k)) if kinds else None


@dataclass(frozen=True)
class Prohibition:
    """A prohibition in an area zone, and a point and time at which it applies."""

    clause: ClauseSpec
    zone: str
    activity: str
    kind: str
    point: dict[str, Any]
    time: dt.date


def in_force_on(name: str, clause: ClauseSpec) -> dt.date | None:
    a = arrangement(name)
    candidates = [dt.date(2026, 3, 1), a.valid_from + dt.timedelta(days=1)]
    if isinstance(clause.effective_from, dt.datetime):
        candidates.append(clause.effective_from.date() + dt.timedelta(days=1))
    elif isinstance(clause.effective_from, dt.date):
        candidates.append(clause.effective_from + dt.timedelta(days=1))
    for day in candidates:
        if a.valid_until is not None and day > a.valid_until:
            continue
        if engine(name).in_force(clause, day):
            return day
    return None


def _interior_point(geometry: Any) -> dict[str, Any]:
    """A point well inside the zone (away from its edges), as GeoJSON."""
    geom = shape(geometry)
    inner = geom.buffer(-0.02)
    point = (inner if not inner.is_empty else geom).representative_point()
    return {"type": "Point", "coordinates": [round(point.x, 5), round(point.y, 5)]}


def prohibitions(name: str) -> Iterator[Prohibition]:
    """Each clause prohibiting an activity in an area zone (agreed or not), with a point
    inside that zone, a time it is in force and an incident kind that implies the activity."""
    a = arrangement(name)
    areas = {z.id: z for z in a.zones if z.kind == "area"}
    for clause in a.clauses:
        if not clause.prohibited:
            continue
        when = in_force_on(name, clause)
        zones = [z for z in clause.zones if z in areas]
        activities = [x for x in clause.prohibited if x != "line_crossing" and kind_for(x)]
        if when is None or not zones or not activities:
            continue
        zone = zones[0]
        yield Prohibition(
            clause,
            zone,
            activities[0],
            str(kind_for(activities[0])),
            _interior_point(areas[zone].geometry),
            when,
        )


def liaison_of(name: str, party: str) -> str:
    """The demo account that is a liaison officer of ``party``."""
    demo = arrangement(name).demo
    assert demo is not None, f"{name} has no demo.toml"
    return next(
        a.username for a in demo.accounts if a.party == party and "liaison_officer" in a.roles
    )


def parties_of_kind(name: str, kind: str) -> list[str]:
    return [p.code for p in arrangement(name).parties if p.kind == kind]
