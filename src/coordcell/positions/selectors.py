"""Reads of declared positions, their holdings, commitments, disputes and reveals.

Every list starts from ``.restrict(actor)``: a position is read by its declaring party
and the mediator (the escrow) only, so for anyone else it is missing. Commitments,
disputes and reveals are read by their audience (the parties and the mediator).

:func:`engine_baseline` is the one read *without* an actor: the declared positions as the
rules engine takes them (``rules.engine.Position``) for the freeze and withdrawal
clauses, with a revision number for caching. It runs inside the server, never for a
person; what it feeds shows findings to their own audiences.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from coordcell.agreements import selectors as agreements
from coordcell.agreements.engines import engine_for
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.positions.models import (
    Commitment,
    Dispute,
    Holding,
    Position,
    PositionChange,
    Reveal,
)
from coordcell.rules import engine as rules_engine
from coordcell.rules.arrangement import (
    PositionKindSpec,
    PositionsSpec,
    position_kinds_from_content,
    positions_from_content,
)

__all__ = [
    "ZoneTotal",
    "baseline_revision",
    "current_version",
    "engine_baseline",
    "freeze_baseline_date",
    "get_change",
    "get_commitment",
    "get_dispute",
    "get_position",
    "get_reveal",
    "holdings_on",
    "list_changes",
    "list_commitments",
    "list_disputes",
    "list_positions",
    "list_reveals",
    "position_kinds",
    "positions_feature_collection",
    "positions_spec",
    "standing_on",
    "zone_totals",
    "zones_of",
]


def _uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:  # a malformed id is a missing one
        raise NotFound() from None


def current_version(actor: Actor) -> Any:
    """The current arrangement version (NotFound when none is loaded)."""
    return agreements.get_version(actor, None, None)


def position_kinds(version: Any) -> tuple[PositionKindSpec, ...]:
    return position_kinds_from_content(version.content)


def positions_spec(version: Any) -> PositionsSpec:
    return positions_from_content(version.content) or PositionsSpec()


def freeze_baseline_date(version: Any) -> dt.date | None:
    """The freeze clause's ``baseline_date`` (the earliest, if several); None without one."""
    dates = [
        dt.date.fromisoformat(str(c["parameters"]["baseline_date"]))
        for c in version.content.get("clauses", [])
        if c.get("kind") == "freeze" and (c.get("parameters") or {}).get("baseline_date")
    ]
    return min(dates) if dates else None


def standing_on(qs: QuerySet[Position], day: dt.date) -> QuerySet[Position]:
    """Positions established on or before ``day`` and not vacated by then."""
    return qs.filter(established__lte=day).filter(Q(removed__isnull=True) | Q(removed__gt=day))


def _holdings_prefetch() -> Prefetch[Any]:
    return Prefetch("holdings", queryset=Holding.objects.order_by("category", "since", "pk"))


def list_positions(
    actor: Actor, *, party: str | None = None, at: dt.date | None = None
) -> QuerySet[Position]:
    """The positions the actor may read (its own party's; the mediator: every party's)."""
    qs: QuerySet[Position] = (
        Position.objects.restrict(actor)
        .select_related("party", "arrangement")
        .prefetch_related(_holdings_prefetch())
    )
    if party:
        qs = qs.filter(party__code=party)
    if at is not None:
        qs = standing_on(qs, at)
    return qs


def get_position(actor: Actor, public_id: object) -> Position:
    found = list_positions(actor).filter(public_id=_uuid(public_id)).first()
    if found is None:
        raise NotFound()
    return found


def holdings_on(position: Position, day: dt.date) -> list[Holding]:
    """The position's holdings on ``day`` (from the prefetched rows)."""
    return [
        h
        for h in position.holdings.all()
        if h.since <= day and (h.until is None or h.until > day) and h.count > 0
    ]


def list_changes(actor: Actor, position: Position | None = None) -> QuerySet[PositionChange]:
    qs = PositionChange.objects.restrict(actor).select_related(
        "position", "position__party", "commitment"
    )
    if position is not None:
        qs = qs.filter(position=position)
    return qs


def get_change(actor: Actor, public_id: object) -> PositionChange:
    found = list_changes(actor).filter(public_id=_uuid(public_id)).first()
    if found is None:
        raise NotFound()
    return found


def list_commitments(actor: Actor) -> QuerySet[Commitment]:
    return Commitment.objects.restrict(actor).select_related("party").defer("leaf_hashes")


def get_commitment(actor: Actor, public_id: object) -> Commitment:
    found = list_commitments(actor).filter(public_id=_uuid(public_id)).first()
    if found is None:
        raise NotFound()
    return found


def list_disputes(actor: Actor) -> QuerySet[Dispute]:
    return Dispute.objects.restrict(actor).select_related("against", "opened_by_party")


def get_dispute(actor: Actor, public_id: object) -> Dispute:
    found = list_disputes(actor).filter(public_id=_uuid(public_id)).first()
    if found is None:
        raise NotFound()
    return found


def list_reveals(actor: Actor, dispute: Dispute | None = None) -> QuerySet[Reveal]:
    qs = Reveal.objects.restrict(actor).select_related("dispute", "revealed_by_party")
    if dispute is not None:
        qs = qs.filter(dispute=dispute)
    return qs


def get_reveal(actor: Actor, public_id: object) -> Reveal:
    found = list_reveals(actor).filter(public_id=_uuid(public_id)).first()
    if found is None:
        raise NotFound()
    return found


# --- zones and caps ------------------------------------------------------------------------


def zones_of(engine: rules_engine.Engine, geometry: str) -> tuple[str, ...]:
    """The areas a position's site lies in (as the engine locates it)."""
    return engine.locate(json.loads(geometry)).zones


@dataclass(frozen=True)
class ZoneTotal:
    """One party's declared total of one category in one zone, against its cap."""

    zone: str
    party: str
    category: str
    total: float
    cap: float | None
    clause: str
    over: bool


def _caps(version: Any, day: dt.date) -> dict[tuple[str, str, str], tuple[float, str]]:
    """(zone, party, limit key) → (the lowest cap in force, its clause)."""
    caps: dict[tuple[str, str, str], tuple[float, str]] = {}
    codes = [str(p["code"]) for p in version.content.get("parties", []) if p["kind"] == "party"]
    for clause in version.content.get("clauses", []):
        if clause.get("kind") != "limit" or not clause.get("limits"):
            continue
        start, end = clause.get("effective_from"), clause.get("effective_until")
        if start and str(start)[:10] > day.isoformat():
            continue
        if end and str(end)[:10] <= day.isoformat():
            continue
        bound = clause.get("parties") or codes
        exempt = set(clause.get("exempt_parties") or ())
        for zone in clause.get("zones", []):
            for party in bound:
                if party in exempt:
                    continue
                for key, value in clause["limits"].items():
                    old = caps.get((zone, party, key))
                    if old is None or float(value) < old[0]:
                        caps[(zone, party, key)] = (float(value), str(clause["id"]))
    return caps


def totals_by_zone(
    engine: rules_engine.Engine, positions: Iterable[Position], day: dt.date
) -> dict[tuple[str, str, str], float]:
    """(zone, party, category) → the declared total on ``day`` (artillery range: longest)."""
    totals: dict[tuple[str, str, str], float] = defaultdict(float)
    for position in positions:
        zones = zones_of(engine, position.geometry)
        for holding in holdings_on(position, day):
            for zone in zones:
                totals[(zone, position.party.code, holding.category)] += holding.count
                if holding.category == "artillery_pieces" and holding.range_km:
                    key = (zone, position.party.code, "artillery_range_km")
                    totals[key] = max(totals[key], holding.range_km)
    return totals


def zone_totals(actor: Actor, day: dt.date) -> list[ZoneTotal]:
    """Each zone's declared totals per party and category on ``day``, against the caps,
    for the parties whose positions the actor reads (its own; the mediator: both)."""
    version = current_version(actor)
    engine = engine_for(version)
    positions = list(list_positions(actor, at=day))
    totals = totals_by_zone(engine, positions, day)
    caps = _caps(version, day)
    rows: list[ZoneTotal] = []
    for (zone, party, category), total in sorted(totals.items()):
        cap, clause = caps.get((zone, party, f"max_{category}"), (None, ""))
        rows.append(
            ZoneTotal(zone, party, category, total, cap, clause, cap is not None and total > cap)
        )
    return rows


# --- export and the engine -----------------------------------------------------------------


def _site_on(position: Position, items: list[PositionChange], day: dt.date) -> tuple[Any, Any]:
    """(geometry, point) of a position on ``day``: the committed state of its latest item
    in force that day (baseline, new site or move); without one, its current site."""
    known = [i for i in items if i.effective <= day and i.content.get("geometry")]
    if known:
        latest = max(known, key=lambda i: (i.effective, i.declared_at, i.pk))
        return latest.content["geometry"], latest.content["point"]
    return json.loads(position.geometry), [position.lon, position.lat]


def positions_feature_collection(actor: Actor, at: dt.date | None = None) -> dict[str, Any]:
    """The actor's readable positions as GeoJSON (``at``: those standing that day, each
    where it stood that day as far as its committed items tell, with its holdings then)."""
    positions = list(list_positions(actor, at=at))
    history: dict[int, list[PositionChange]] = defaultdict(list)
    if at is not None:
        for item in PositionChange.objects.filter(position__in=positions).only(
            "position_id", "effective", "declared_at", "content"
        ):
            history[item.position_id].append(item)
    features = []
    for position in positions:
        if at is not None:
            geometry, point = _site_on(position, history[position.pk], at)
            holdings = holdings_on(position, at)
        else:
            geometry, point = json.loads(position.geometry), [position.lon, position.lat]
            holdings = [x for x in position.holdings.all() if x.until is None]
        features.append(
            {
                "type": "Feature",
                "id": str(position.public_id),
                "geometry": geometry,
                "properties": {
                    "reference": position.reference,
                    "party": position.party.code,
                    "name": position.name,
                    "kind": position.kind,
                    "established": position.established.isoformat(),
                    "removed": position.removed.isoformat() if position.removed else None,
                    "point": point,
                    "holdings": [
                        {"category": h.category, "count": h.count, "range_km": h.range_km}
                        for h in holdings
                    ],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def engine_baseline(
    at: dt.date | None = None,
) -> tuple[tuple[rules_engine.Position, ...], int]:
    """The declared positions as the rules engine takes them, and a revision number.

    For the server's own use (the incidents' findings, the situation map), never shown
    to a person as such. ``at``: only the positions standing that day; without it, every
    position not vacated. The revision changes whenever a position is declared, changed
    or vacated: cache an engine built on this baseline under it."""
    qs: QuerySet[Position] = Position.objects.select_related("party")
    qs = standing_on(qs, at) if at is not None else qs.filter(removed__isnull=True)
    baseline = tuple(
        rules_engine.Position(p.reference, p.party.code, p.lon, p.lat, p.established)
        for p in qs.order_by("pk")
    )
    return baseline, baseline_revision()


def baseline_revision() -> int:
    """The revision :func:`engine_baseline` returns, without reading the positions: a cache
    of engines asks for it first and reads the baseline only when it changed (added for
    the incidents' findings from declared positions, ``incidents.escrow``)."""
    stats = Position.objects.aggregate(latest=Max("updated_at"), count=Count("pk"))
    latest = stats["latest"]
    count = int(stats["count"])
    return (int(latest.timestamp() * 1_000_000) if latest else 0) * 1000 + count % 1000
