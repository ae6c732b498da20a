"""Reads of incidents, restricted to what the caller may see (the incident's audience)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.incidents.choices import (
    AgeBandChoices,
    CasualtyCategoryChoices,
    CasualtyOutcomeChoices,
    SexBandChoices,
)
from coordcell.incidents.headlines import Headlines, distance_km, headline_of, shared
from coordcell.incidents.models import (
    Account,
    CasualtyFigure,
    EscrowedFinding,
    Incident,
    PropertyDamage,
    PropertyVersion,
)
from coordcell.positions import selectors as position_selectors

__all__ = [
    "CasualtyCell",
    "CasualtyCounts",
    "Headlines",
    "PropertyRow",
    "account_history",
    "accounts_by_party",
    "casualty_counts",
    "casualty_history",
    "casualty_table",
    "current_accounts",
    "current_figures",
    "distance_km",
    "escrowed_findings",
    "get_incident",
    "get_property",
    "headline_of",
    "list_incidents",
    "lock_visible",
    "property_counts",
    "property_of",
    "shared",
    "with_escrowed_findings",
]


def list_incidents(actor: Actor) -> QuerySet[Incident]:
    """Incidents the actor may see, newest first (by when they occurred)."""
    incidents: QuerySet[Incident] = (
        Incident.objects.restrict(actor)
        .select_related("source_party", "version__arrangement")
        .defer("version__content", "version__basemap")
        .order_by("-occurred_from", "-pk")
    )
    return incidents


def get_incident(actor: Actor, public_id: Any) -> Incident:
    """One incident; NotFound alike for a missing one and one outside its audience."""
    try:
        incident: Incident | None = list_incidents(actor).filter(public_id=public_id).first()
    except (ValueError, ValidationError):
        incident = None
    if incident is None:
        raise NotFound()
    return incident


def lock_visible(actor: Actor, incident: Incident) -> Incident:
    """The incident afresh, locked until the transaction ends, for a service of another app
    that changes something about it; NotFound when the actor may not see it."""
    if not Incident.objects.restrict(actor).filter(pk=incident.pk).exists():
        raise NotFound()
    locked: Incident = Incident.objects.select_for_update(no_key=True).get(pk=incident.pk)
    return locked


def account_history(incident: Incident) -> dict[int, list[Account]]:
    """Every revision of each party's version of the incident, oldest first, by party id."""
    history: dict[int, list[Account]] = {}
    for account in (
        Account.objects.filter(incident=incident)
        .select_related("party")
        .order_by("party__code", "given_at", "pk")
    ):
        history.setdefault(account.party_id, []).append(account)
    return history


def accounts_by_party(incident: Incident) -> dict[int, Account]:
    """Each party's current version of the incident (its latest revision), by party id."""
    return {party: revisions[-1] for party, revisions in account_history(incident).items()}


def current_accounts(accounts: Iterable[Account]) -> list[Account]:
    """The latest revision of each party among ``accounts`` (a prefetched list), by party
    code."""
    latest: dict[int, Account] = {}
    for account in sorted(accounts, key=lambda a: (a.given_at, a.pk)):
        latest[account.party_id] = account
    return sorted(latest.values(), key=lambda a: a.party.code)


def escrowed_findings(actor: Actor, incident: Incident) -> list[EscrowedFinding]:
    """The findings from declared positions about ``incident`` that the actor reads: those
    computed against their own party's positions, and for the mediator every party's, as
    far as each reads the incident (none for anyone else: hidden looks like missing)."""
    return list(
        EscrowedFinding.objects.restrict(actor)
        .filter(incident=incident)
        .select_related("party", "version__arrangement")
        .defer("version__content", "version__basemap")
        .order_by("party__code", "pk")
    )


def with_escrowed_findings(incidents: QuerySet[Incident], actor: Actor) -> QuerySet[Incident]:
    """``incidents`` with the actor's readable findings from declared positions of each
    prefetched as ``escrowed_for_reader`` (one query for a whole page)."""
    readable = (
        EscrowedFinding.objects.restrict(actor)
        .select_related("party", "version__arrangement")
        .defer("version__content", "version__basemap")
        .order_by("party__code", "pk")
    )
    return incidents.prefetch_related(
        Prefetch("escrowed_findings", queryset=readable, to_attr="escrowed_for_reader")
    )


# --- civilian harm and property (incidents.harm writes them) ---------------------------


def casualty_history(incident: Incident) -> list[CasualtyFigure]:
    """Every revision of every party's casualty figures of an incident read through
    ``get_incident``, oldest first."""
    return list(
        CasualtyFigure.objects.filter(incident=incident)
        .select_related("party")
        .order_by("given_at", "pk")
    )


def current_figures(
    figures: Iterable[CasualtyFigure],
) -> dict[tuple[int, int, tuple[str, ...]], CasualtyFigure]:
    """The latest revision of each (incident, party, cell) among ``figures``."""
    latest: dict[tuple[int, int, tuple[str, ...]], CasualtyFigure] = {}
    for figure in sorted(figures, key=lambda f: (f.given_at, f.pk)):
        latest[(figure.incident_id, figure.party_id, figure.cell)] = figure
    return latest


@dataclass
class CasualtyCell:
    """One row of the side-by-side table: a cell and each party's current figure."""

    category: str
    outcome: str
    age_band: str
    sex: str
    #: One entry per party of the table, in its order (None: that party gave none).
    figures: list[CasualtyFigure | None] = field(default_factory=list)

    @property
    def differ(self) -> bool:
        """The parties that gave a figure for this cell give different estimates."""
        given = {(f.low, f.best, f.high) for f in self.figures if f is not None}
        return len(given) > 1


def casualty_table(
    incident: Incident, parties: Iterable[Any] = ()
) -> tuple[list[Any], list[CasualtyCell]]:
    """Each party's current figures of an incident read through ``get_incident``, side by
    side: the parties (``parties`` first, in their order, then any other that gave
    figures, by code) and one row per cell any of them gave, in vocabulary order."""
    figures = casualty_history(incident)
    latest = current_figures(figures)
    columns: list[Any] = [p for p in parties if p is not None]
    known = {p.pk for p in columns}
    for figure in sorted(figures, key=lambda f: f.party.code):
        if figure.party_id not in known:
            columns.append(figure.party)
            known.add(figure.party_id)
    cells = sorted(
        {cell for (_incident, _party, cell) in latest},
        key=lambda c: (
            CasualtyCategoryChoices.values().index(c[0]),
            CasualtyOutcomeChoices.values().index(c[1]),
            AgeBandChoices.values().index(c[2]),
            SexBandChoices.values().index(c[3]),
        ),
    )
    rows = [
        CasualtyCell(
            category=cell[0],
            outcome=cell[1],
            age_band=cell[2],
            sex=cell[3],
            figures=[latest.get((incident.pk, p.pk, cell)) for p in columns],
        )
        for cell in cells
    ]
    return columns, rows


@dataclass
class PropertyRow:
    """A property record with each party's current version, side by side, and the
    declared position each version links to, where the reader may see it (else None)."""

    damage: PropertyDamage
    versions: list[PropertyVersion | None]
    positions: list[Any]
    earlier: int


def get_property(incident: Incident, public_id: Any) -> PropertyDamage | None:
    """A property record of an incident read through ``get_incident`` (None: no such
    record on it)."""
    try:
        found: PropertyDamage | None = PropertyDamage.objects.filter(
            incident=incident, public_id=public_id
        ).first()
    except (ValueError, ValidationError):
        found = None
    return found


def property_of(
    actor: Actor,
    incident: Incident,
    parties: Iterable[Any] = (),
    *,
    damages: Iterable[PropertyDamage] | None = None,
) -> tuple[list[Any], list[PropertyRow]]:
    """The property records of an incident read through ``get_incident`` (or only
    ``damages``, records of it): the parties (``parties`` first, then any other that
    gave a version) and one row per record."""
    query = PropertyDamage.objects.filter(incident=incident)
    if damages is not None:
        query = query.filter(pk__in=[d.pk for d in damages])
    damages = list(
        query.select_related("party")
        .prefetch_related("versions__party")
        .order_by("recorded_at", "pk")
    )
    columns: list[Any] = [p for p in parties if p is not None]
    known = {p.pk for p in columns}
    for damage in damages:
        for version in sorted(damage.versions.all(), key=lambda v: v.party.code):
            if version.party_id not in known:
                columns.append(version.party)
                known.add(version.party_id)
    rows = []
    for damage in damages:
        every = sorted(damage.versions.all(), key=lambda v: (v.given_at, v.pk))
        latest = {v.party_id: v for v in every}
        versions = [latest.get(p.pk) for p in columns]
        rows.append(
            PropertyRow(
                damage=damage,
                versions=versions,
                positions=[_position(actor, v) for v in versions],
                earlier=len(every) - len(latest),
            )
        )
    return columns, rows


def _position(actor: Actor, version: PropertyVersion | None) -> Any:
    """The declared position a version links to, if the reader may see it (else None:
    hidden looks like no link at all)."""
    if version is None or version.position is None:
        return None
    try:
        return position_selectors.get_position(actor, version.position)
    except NotFound:
        return None


@dataclass(frozen=True)
class CasualtyCounts:
    """Casualty figures counted under the counting rules (docs/humanitarian.md): each
    party's figures apart, never merged into one "true" toll."""

    since: dt.datetime
    until: dt.datetime
    #: Incidents in the window that the reader reads and that carry figures.
    incidents: int
    #: Of those, the ones where the parties' current figures differ in some cell.
    disputed: int
    #: By party code: ``{"incidents": n, "cells": {"civilian.killed": {"low", "best",
    #: "high"}, ...}, "total": {"low", "best", "high"}}`` (sums over age and sex bands).
    parties: dict[str, dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "incidents": self.incidents,
            "disputed": self.disputed,
            "parties": self.parties,
        }


def _window(actor: Actor, since: dt.datetime, until: dt.datetime) -> QuerySet[Incident]:
    return Incident.objects.restrict(actor).filter(
        occurred_from__gte=since, occurred_from__lt=until
    )


def casualty_counts(actor: Actor, *, since: dt.datetime, until: dt.datetime) -> CasualtyCounts:
    """The casualty figures of the incidents that occurred in ``since``..``until`` (start
    included, end excluded) and that ``actor`` reads, counted per party: for each party
    its current figure of each cell, summed by category and outcome (low, best and high
    apart). Nothing of an incident outside the reader's audience counts."""
    figures = CasualtyFigure.objects.filter(
        incident__in=_window(actor, since, until).values("pk")
    ).select_related("party")
    latest = current_figures(figures)
    parties: dict[str, dict[str, Any]] = {}
    incidents_of: dict[str, set[int]] = {}
    by_incident: dict[int, dict[tuple[str, ...], set[tuple[int, int, int]]]] = {}
    by_incident_party: dict[int, dict[int, dict[tuple[str, ...], tuple[int, int, int]]]] = {}
    for figure in latest.values():
        code = figure.party.code
        entry = parties.setdefault(
            code, {"incidents": 0, "cells": {}, "total": {"low": 0, "best": 0, "high": 0}}
        )
        key = f"{figure.category}.{figure.outcome}"
        cell = entry["cells"].setdefault(key, {"low": 0, "best": 0, "high": 0})
        for name in ("low", "best", "high"):
            cell[name] += getattr(figure, name)
            entry["total"][name] += getattr(figure, name)
        incidents_of.setdefault(code, set()).add(figure.incident_id)
        by_incident.setdefault(figure.incident_id, {})
        by_incident_party.setdefault(figure.incident_id, {}).setdefault(figure.party_id, {})[
            figure.cell
        ] = (figure.low, figure.best, figure.high)
    for code, ids in incidents_of.items():
        parties[code]["incidents"] = len(ids)
    disputed = 0
    for per_party in by_incident_party.values():
        if len(per_party) < 2:
            continue
        cells = set().union(*per_party.values())
        zero = (0, 0, 0)
        if any(len({p.get(c, zero) for p in per_party.values()}) > 1 for c in cells):
            disputed += 1
    return CasualtyCounts(
        since=since,
        until=until,
        incidents=len(by_incident),
        disputed=disputed,
        parties=dict(sorted(parties.items())),
    )


def property_counts(actor: Actor, *, since: dt.datetime, until: dt.datetime) -> dict[str, Any]:
    """The property records of the incidents that occurred in ``since``..``until`` and
    that ``actor`` reads: how many of each kind, and per party its current versions'
    structures and area summed (each party's version apart)."""
    damages = list(
        PropertyDamage.objects.filter(incident__in=_window(actor, since, until).values("pk"))
        .prefetch_related("versions__party")
        .order_by("pk")
    )
    kinds: dict[str, int] = {}
    parties: dict[str, dict[str, float]] = {}
    for damage in damages:
        kinds[damage.kind] = kinds.get(damage.kind, 0) + 1
        latest = {
            v.party_id: v for v in sorted(damage.versions.all(), key=lambda v: (v.given_at, v.pk))
        }
        for version in latest.values():
            entry = parties.setdefault(
                version.party.code, {"records": 0, "structures": 0, "area_m2": 0.0}
            )
            entry["records"] += 1
            entry["structures"] += version.structures or 0
            entry["area_m2"] += version.area_m2 or 0.0
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "records": len(damages),
        "kinds": dict(sorted(kinds.items())),
        "parties": dict(sorted(parties.items())),
    }
