"""What-if replay: a proposal version's arrangement change loaded as a *draft* version
(in memory only) and the shared record replayed against it and the current version.

Three layers:

- :func:`draft_engine` builds the rules engine of the current version's content with
  the change applied (``proposals.changes``), cached by the change's hash; the stored
  version is never touched.
- :func:`compare` is pure (engines and plain inputs in, numbers out): for incidents
  (observations), the arrangement's gazetteer places and declared positions it says
  what lies in a prohibited area under each engine, which places change area or side of
  a line, which positions must move, and the declared totals over a cap. The benchmark
  (``benchmarks/bench_replay.py``) and the tests call it directly.
- :func:`replay` reads the inputs *the reader may see* (``incidents.selectors``,
  ``positions.selectors``: a party its own positions, the mediator every party's) and
  calls :func:`compare`. Nothing counts rows the reader cannot read, so the numbers
  tell no one of what they may not see.

Deterministic: inputs are ordered by their references, and the engines' answers do
not depend on order.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape

from coordcell.agreements import selectors as agreements
from coordcell.agreements.engines import engine_for
from coordcell.core.actor import Actor
from coordcell.core.errors import ValidationFailed
from coordcell.incidents import selectors as incidents
from coordcell.positions import selectors as positions
from coordcell.proposals.changes import apply_change, change_hash, clean_change
from coordcell.rules import engine as rules_engine
from coordcell.rules.arrangement import arrangement_from_content

if TYPE_CHECKING:
    from coordcell.proposals.models import ProposalVersion

__all__ = [
    "MAX_MONTHS",
    "PlaceInput",
    "PositionInput",
    "compare",
    "draft_engine",
    "independent_count",
    "months_before",
    "prohibited_areas",
    "replay",
]

#: The longest replay: this many months of incidents (bounded, so a replay stays short).
MAX_MONTHS = 12
#: The rows each list of a replay shows (the counts cover every row).
SHOWN = 50
_PRESENCE = frozenset({"military_presence", "fortification"})

_CACHE: OrderedDict[str, rules_engine.Engine] = OrderedDict()
_LOCK = threading.Lock()


@dataclass(frozen=True)
class PlaceInput:
    key: str
    name: str
    lon: float
    lat: float


@dataclass(frozen=True)
class PositionInput:
    reference: str
    name: str
    party: str
    lon: float
    lat: float
    holdings: tuple[tuple[str, float], ...] = ()


@dataclass
class Comparison:
    incidents_total: int = 0
    in_prohibited: dict[str, int] = field(default_factory=lambda: {"current": 0, "draft": 0})
    by_area: dict[str, dict[str, int]] = field(default_factory=dict)
    with_findings: dict[str, int] = field(default_factory=lambda: {"current": 0, "draft": 0})
    incidents_changed: list[dict[str, Any]] = field(default_factory=list)
    incidents_changed_count: int = 0
    places_changed: list[dict[str, Any]] = field(default_factory=list)
    positions_total: int = 0
    must_move: list[dict[str, Any]] = field(default_factory=list)
    positions_changed_zone: int = 0
    over_cap: dict[str, int] = field(default_factory=lambda: {"current": 0, "draft": 0})
    over_cap_draft: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "incidents": {
                "total": self.incidents_total,
                "in_prohibited_area": dict(self.in_prohibited),
                "by_area": {k: dict(v) for k, v in sorted(self.by_area.items())},
                "with_findings": dict(self.with_findings),
                "changed_count": self.incidents_changed_count,
                "changed": self.incidents_changed[:SHOWN],
            },
            "places_changed": self.places_changed,
            "positions": {
                "total": self.positions_total,
                "changed_zone": self.positions_changed_zone,
                "must_move": self.must_move[:SHOWN],
                "must_move_count": len(self.must_move),
            },
            "caps": {"over_cap": dict(self.over_cap), "over_cap_draft": self.over_cap_draft},
        }


def draft_engine(base: Any, change: list[dict[str, Any]], label: str) -> rules_engine.Engine:
    """The engine of ``base`` (an arrangement version) with ``change`` applied: built
    in memory from a copy of the stored content, cached by the change's hash."""
    key = change_hash(base.content_hash, change)
    with _LOCK:
        engine = _CACHE.get(key)
        if engine is not None:
            _CACHE.move_to_end(key)
            return engine
    content = apply_change(engine_for(base).arrangement.content, change)
    engine = rules_engine.Engine(arrangement_from_content(content), version=label)
    with _LOCK:
        _CACHE[key] = engine
        while len(_CACHE) > 4:
            _CACHE.popitem(last=False)
    return engine


#: The activities whose prohibition makes an area a "prohibited area" for the replay: a
#: presence, a fortification or fire (not a category of weapon, which a limit clause may
#: ban in a whole belt).
_BANNED = frozenset({"military_presence", "fortification", "fire"})


def prohibited_areas(engine: rules_engine.Engine) -> frozenset[str]:
    """The areas where a clause of the engine's arrangement prohibits a presence, a
    fortification or fire."""
    kinds = {z.id: z.kind for z in engine.arrangement.zones}
    return frozenset(
        z
        for c in engine.arrangement.clauses
        if set(c.prohibited) & _BANNED
        for z in c.zones
        if kinds.get(z) == "area"
    )


def _presence_areas(engine: rules_engine.Engine, party: str) -> frozenset[str]:
    """The areas where a clause binding ``party`` prohibits a presence or a fortification."""
    return frozenset(
        z
        for c in engine.arrangement.clauses
        if set(c.prohibited) & _PRESENCE
        and (not c.parties or party in c.parties)
        and party not in c.exempt_parties
        for z in c.zones
    )


def _line_shapes(engine: rules_engine.Engine) -> dict[str, shapely.Geometry]:
    return {
        z.id: engine.projector.geometry_to_metric(shape(z.geometry))
        for z in engine.arrangement.zones
        if z.kind == "line"
    }


def _side(line: shapely.Geometry, x: float, y: float) -> int:
    """Which side of ``line`` (metric) the point lies on: +1 left, -1 right, as drawn;
    0 on it. The side of the nearest segment, by the sign of a cross product."""
    point = Point(x, y)
    along = line.project(point)
    here = line.interpolate(along)
    step = max(1.0, min(50.0, line.length / 1000))
    a = line.interpolate(max(0.0, along - step))
    b = line.interpolate(min(line.length, along + step))
    if a.equals(b):
        return 0
    cross = (b.x - a.x) * (y - here.y) - (b.y - a.y) * (x - here.x)
    return 0 if abs(cross) < 1e-9 else (1 if cross > 0 else -1)


def _sides(
    lines: Mapping[str, shapely.Geometry], engine: rules_engine.Engine, lon: float, lat: float
) -> dict[str, int]:
    xs, ys = engine.projector.to_metric(np.array([lon]), np.array([lat]))
    x, y = float(xs[0]), float(ys[0])
    return {i: _side(g, x, y) for i, g in sorted(lines.items())}


def compare(
    current: rules_engine.Engine,
    draft: rules_engine.Engine,
    observations: Sequence[rules_engine.Observation],
    places: Sequence[PlaceInput] = (),
    declared: Sequence[PositionInput] = (),
    on: dt.date | None = None,
) -> Comparison:
    """The replay's numbers: every input under ``current`` and under ``draft``."""
    out = Comparison(incidents_total=len(observations), positions_total=len(declared))
    banned = {"current": prohibited_areas(current), "draft": prohibited_areas(draft)}
    zones_of: dict[str, list[tuple[str, ...]]] = {}
    for area in sorted(banned["current"] | banned["draft"]):
        out.by_area[area] = {"current": 0, "draft": 0}
    for label, engine in (("current", current), ("draft", draft)):
        zones_of[label] = []
        for a in engine.assess_many(observations):
            zones = tuple(sorted(a.zones))
            zones_of[label].append(zones)
            inside = set(zones) & banned[label]
            if inside:
                out.in_prohibited[label] += 1
            for area in inside:
                out.by_area[area][label] += 1
            if a.findings or a.findings_not_agreed:
                out.with_findings[label] += 1
    for o, before, after in zip(observations, zones_of["current"], zones_of["draft"], strict=True):
        was = bool(set(before) & banned["current"])
        now = bool(set(after) & banned["draft"])
        if was != now or before != after:
            out.incidents_changed_count += 1
            if len(out.incidents_changed) < SHOWN:
                out.incidents_changed.append(
                    {"id": o.id, "zones_current": list(before), "zones_draft": list(after),
                     "prohibited_current": was, "prohibited_draft": now}
                )  # fmt: skip
    lines_now, lines_draft = _line_shapes(current), _line_shapes(draft)
    for p in places:
        point = {"type": "Point", "coordinates": [p.lon, p.lat]}
        before_z = tuple(sorted(current.locate(point).zones))
        after_z = tuple(sorted(draft.locate(point).zones))
        s0 = _sides(lines_now, current, p.lon, p.lat)
        s1 = _sides(lines_draft, draft, p.lon, p.lat)
        crossed = sorted(i for i in s0 if i in s1 and s0[i] and s1[i] and s0[i] != s1[i])
        if before_z != after_z or crossed:
            out.places_changed.append(
                {"key": p.key, "name": p.name, "zones_current": list(before_z),
                 "zones_draft": list(after_z), "sides_changed": crossed}
            )  # fmt: skip
    day = on or dt.date.today()
    holdings: dict[str, list[rules_engine.Holding]] = {"current": [], "draft": []}
    for d in declared:
        point = {"type": "Point", "coordinates": [d.lon, d.lat]}
        before_z = tuple(sorted(current.locate(point).zones))
        after_z = tuple(sorted(draft.locate(point).zones))
        if before_z != after_z:
            out.positions_changed_zone += 1
        was = bool(set(before_z) & _presence_areas(current, d.party))
        now = bool(set(after_z) & _presence_areas(draft, d.party))
        if now and not was:
            out.must_move.append(
                {"reference": d.reference, "name": d.name, "party": d.party,
                 "zones_current": list(before_z), "zones_draft": list(after_z)}
            )  # fmt: skip
        for label, zones in (("current", before_z), ("draft", after_z)):
            for zone in zones:
                for category, count in d.holdings:
                    holdings[label].append(
                        rules_engine.Holding(zone, d.party, category, count, day)
                    )
    for label, engine in (("current", current), ("draft", draft)):
        totals: dict[tuple[str, str, str], float] = {}
        for h in holdings[label]:
            key = (h.zone, h.party, h.category)
            if h.category == "artillery_range_km":
                totals[key] = max(totals.get(key, 0.0), h.count)
            else:
                totals[key] = totals.get(key, 0.0) + h.count
        found = engine.check_holdings(
            rules_engine.Holding(z, p, c, n, day) for (z, p, c), n in sorted(totals.items())
        )
        out.over_cap[label] = len(found)
        if label == "draft":
            out.over_cap_draft = [
                {"clause": f.clause, "zone": f.zone, "rule": f.rule, **dict(f.params)}
                for f in found
            ]
    return out


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time ``months`` calendar months earlier (the month's last day
    when that month is shorter)."""
    month0 = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month0, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last))


def _observations(actor: Actor, since: dt.datetime) -> list[rules_engine.Observation]:
    rows = (
        incidents.list_incidents(actor)
        .filter(occurred_from__gte=since)
        .values_list(
            "reference",
            "kind",
            "geometry",
            "occurred_from",
            "uncertainty_m",
            "acting_party",
            "acting_force",
            "acted_by",
        )
    )
    return sorted(
        (
            rules_engine.Observation(
                id=ref,
                kind=kind,
                geometry=geometry,
                time=at,
                uncertainty_m=float(radius or 0),
                party=party or None,
                acting_force=force or None,
                no_party=acted == "no_party",
            )
            for ref, kind, geometry, at, radius, party, force, acted in rows
        ),
        key=lambda o: o.id,
    )


def _declared(actor: Actor, day: dt.date) -> list[PositionInput]:
    out = []
    for p in positions.list_positions(actor, at=day):
        counts: dict[str, float] = {}
        for h in positions.holdings_on(p, day):
            counts[h.category] = counts.get(h.category, 0.0) + float(h.count)
            reach = getattr(h, "range_km", None)
            if h.category == "artillery_pieces" and reach:
                counts["artillery_range_km"] = max(counts.get("artillery_range_km", 0.0), reach)
        out.append(
            PositionInput(
                p.reference, p.name, p.party.code, p.lon, p.lat, tuple(sorted(counts.items()))
            )
        )
    return sorted(out, key=lambda d: d.reference)


def _places(engine: rules_engine.Engine, base: Any) -> list[PlaceInput]:
    """The gazetteer's places with coordinates, named by the agreed lexicon in the active
    language (the gazetteer's name where it has none)."""
    language = get_language() or "en"
    content = {"lexicon": {"places": agreements.lexicon_section(base.pk, "places")}}
    return [
        PlaceInput(p.key, agreements.term(content, "places", p.key, language, p.name), p.lon, p.lat)
        for p in engine.arrangement.places
        if p.lat is not None and p.lon is not None
    ]


def replay(
    actor: Actor, version: ProposalVersion, months: int = 1, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The replay of ``version``'s change over the last ``months`` months of what
    ``actor`` may see; ``ValidationFailed`` for months out of 1..``MAX_MONTHS``."""
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise ValidationFailed({"months": [_("From 1 to %(n)s months.") % {"n": MAX_MONTHS}]})
    moment = now or timezone.now()
    base = agreements.get_version(Actor.console("proposals"), None, None)
    current = engine_for(base)
    # Checked again against the version current now: it may have changed since the
    # proposal was tabled (ValidationFailed, not a KeyError, when a zone is gone).
    change = clean_change(list(version.change or []), current.arrangement.content)
    draft = draft_engine(
        base, change,
        f"{current.version} + {version.proposal.reference} v{version.number}",
    )  # fmt: skip
    since = months_before(moment, months)
    day = timezone.localdate(moment)
    result = compare(
        current, draft, _observations(actor, since), _places(current, base),
        _declared(actor, day), day,
    )  # fmt: skip
    return {
        "months": months,
        "since": since.isoformat(),
        "current": current.version,
        "draft": draft.version,
        "changes": bool(version.change),
        **result.as_dict(),
    }


def independent_count(
    zones: Iterable[Mapping[str, Any]], banned: Iterable[str], points: Iterable[tuple[float, float]]
) -> int:
    """The points inside any of the ``banned`` areas, by shapely alone on the WGS84
    geometries (no engine, no projection, no index): the tests' and the benchmark's
    independent computation."""
    wanted = set(banned)
    shapes = [shape(z["geometry"]) for z in zones if z["id"] in wanted]
    return sum(1 for x, y in points if any(s.contains(Point(x, y)) for s in shapes))
