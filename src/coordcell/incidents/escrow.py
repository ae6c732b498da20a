"""Findings from declared positions: the freeze and withdrawal clauses, per party, in escrow.

The incident's own findings (``Incident.findings``) come from the engine without a
baseline, which cannot assess a freeze or a withdrawal. Here the same report is assessed
against the declared positions (``positions.selectors.engine_baseline``), once per party
whose positions are compared — the party the report names, or, when it names none, each
party of the arrangement, each against its own positions only —
and only the freeze and withdrawal findings are kept. Each party's findings are stored
apart (``EscrowedFinding``) and recorded with the narrow audience: the incident's audience
intersected with that party and the mediators. The other party, the monitors, donors and
observers never read them, even when they read the incident.

Stored findings are labelled with when they were computed (the positions as declared
then) and are not recomputed when positions change later: docs/positions.md, "Findings
from declared positions".
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from coordcell.agreements.engines import engine_for
from coordcell.core import audience as audience_text
from coordcell.core.actor import Actor
from coordcell.incidents import events
from coordcell.incidents.choices import ActedByChoices
from coordcell.incidents.models import EscrowedFinding, Incident
from coordcell.parties.choices import PartyKindChoices
from coordcell.parties.selectors import parties_of_kinds
from coordcell.positions.selectors import baseline_revision, engine_baseline
from coordcell.record.services import append_event, subject
from coordcell.rules.engine import Engine, Observation

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion

__all__ = [
    "ESCROW_CLAUSE_KINDS",
    "RULES",
    "arrangement_parties",
    "assess_positions",
    "baseline_engine",
    "compared_parties",
    "escrow_audience",
    "refresh",
]

#: The engine's rules that compare a report with declared positions, and the kinds of
#: clause they assess.
RULES = ("freeze:new_position", "withdrawal:position")
ESCROW_CLAUSE_KINDS = ("freeze", "withdrawal")

_CACHE: OrderedDict[tuple[str, int], tuple[Engine, frozenset[str]]] = OrderedDict()
_LOCK = threading.Lock()
_SIZE = 4


def baseline_engine(version: ArrangementVersion) -> tuple[Engine, frozenset[str]]:
    """The engine of ``version`` with every declared position as its baseline, and the
    codes of the parties that have declared positions. Cached under the version's content
    hash and the baseline's revision (a new declaration, move or vacating makes a new one),
    so the positions are read only when they changed; the zones and clauses are shared
    with ``engine_for``'s engine, built once."""
    revision = baseline_revision()
    key = (version.content_hash, revision)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached
    baseline, loaded = engine_baseline()
    engine = engine_for(version).with_baseline(baseline)
    built = (engine, frozenset(p.party for p in engine.baseline))
    if loaded == revision:  # else positions changed meanwhile: use it, keep nothing
        with _LOCK:
            _CACHE[key] = built
            while len(_CACHE) > _SIZE:
                _CACHE.popitem(last=False)
    return built


def arrangement_parties(version: ArrangementVersion) -> list[str]:
    """The codes of the arrangement's parties (kind ``party``): those whose positions an
    incident may be compared with."""
    return [
        p.code
        for p in engine_for(version).arrangement.parties
        if p.kind == PartyKindChoices.KIND_PARTY
    ]


def compared_parties(
    version: ArrangementVersion, kind: str, acted_by: str, acting_party: str
) -> list[str]:
    """The parties whose declared positions a report is compared with: none unless its kind
    implies a presence and the arrangement has a freeze or withdrawal clause, none for an
    actor no party controls, the party it names, else every party of the arrangement.
    Only what the report says decides it, never the positions in escrow."""
    if acted_by == ActedByChoices.NO_PARTY:
        return []  # an actor no party controls holds none of the parties' positions
    if not engine_for(version).compares_with_positions(kind):
        return []
    parties = arrangement_parties(version)
    if acting_party:
        return [acting_party] if acting_party in parties else []
    return parties


def assess_positions(incident: Incident) -> dict[str, list[dict[str, Any]]]:
    """The incident's freeze and withdrawal findings by the party whose declared positions
    each was computed against (parties without a finding are left out).

    Every party the report may concern is assessed the same way, whether it declared
    positions or not: the work done does not depend on what is in escrow."""
    compared = compared_parties(
        incident.version, incident.kind, incident.acted_by, incident.acting_party
    )
    if not compared:
        return {}
    engine, _declaring = baseline_engine(incident.version)
    found: dict[str, list[dict[str, Any]]] = {}
    for party in compared:
        # The engine compares a report naming a party with that party's positions alone.
        assessment = engine.assess(
            Observation(
                id=incident.reference,
                kind=incident.kind,
                geometry=incident.geometry,
                time=incident.occurred_from,
                uncertainty_m=float(incident.uncertainty_m),
                party=party,
                acting_force=incident.acting_force or None,
            )
        )
        kept = [
            f.as_dict()
            for f in (*assessment.findings, *assessment.findings_not_agreed)
            if f.rule in RULES
        ]
        if kept:
            found[party] = kept
    return found


def escrow_audience(incident: Incident, party: str) -> list[str]:
    """Who reads the findings computed against ``party``'s positions: the incident's
    audience intersected with that party and the mediators (possibly nobody)."""
    entitled = {party, *(p.code for p in parties_of_kinds([PartyKindChoices.KIND_MEDIATOR]))}
    readers = set(incident.audience_codes)
    if audience_text.ALL_MEMBERS in readers:
        return sorted(entitled)
    return sorted(entitled & readers)


def refresh(
    *, actor: Actor, incident: Incident, compared_before: Iterable[str] = ()
) -> list[EscrowedFinding]:
    """Compute the incident's findings from declared positions again and store them, each
    party's apart with its narrow audience, recording them.

    Called inside the transaction of the service that reported, corrected or shared the
    incident (which checked the actor's permission). For *every* party the report is
    compared with (``compared_parties``; after a correction, also those it was compared
    with before: ``compared_before``) whose findings someone among the incident's
    audience is entitled to, one record entry with that audience carries its findings as
    they now are — an empty list when there is none — so the number of entries an
    incident adds to the record depends on what the report says and on its audience,
    which its readers know, and never on the positions in escrow. A party's row is kept
    only while it has findings (none: no row, as for an incident without any)."""
    # One refresh of an incident at a time (two corrections at once would both add a row).
    list(Incident.objects.select_for_update(no_key=True).filter(pk=incident.pk).values_list("pk"))
    found = assess_positions(incident)
    existing = {
        row.party.code: row
        for row in EscrowedFinding.objects.select_for_update(of=("self",), no_key=True)
        .filter(incident=incident)
        .select_related("party")
    }
    parties = {p.code: p for p in parties_of_kinds([PartyKindChoices.KIND_PARTY])}
    now = timezone.now()
    kept: list[EscrowedFinding] = []
    compared = compared_parties(
        incident.version, incident.kind, incident.acted_by, incident.acting_party
    )
    for code in sorted({*compared, *compared_before, *existing}):
        findings = found.get(code, [])
        readers = escrow_audience(incident, code)
        row = existing.get(code)
        if not readers or code not in parties:  # nobody entitled reads the incident
            if row is not None:  # (an incident's audience never narrows: defensive)
                gone_to = row.audience_codes
                row.delete()
                _record(actor, incident, code, [], gone_to)
            continue
        if not findings:
            if row is not None:
                row.delete()
        elif row is not None and row.findings == findings and row.audience_codes == readers:
            kept.append(row)  # as computed before: its label stays true
        else:
            if row is None:
                row = EscrowedFinding(incident=incident, party=parties[code])
            row.version = incident.version
            row.findings = findings
            row.audience = audience_text.encode(readers)
            row.computed_at = now
            row.save()
            kept.append(row)
        _record(actor, incident, code, findings, readers)
    return kept


def _record(
    actor: Actor, incident: Incident, party: str, findings: list[Any], readers: list[str]
) -> None:
    append_event(
        actor=actor,
        event_type=events.ESCROWED_FINDINGS,
        data={
            "incident": incident.reference,
            "party": party,
            "version": f"{incident.version.arrangement.key} v{incident.version.number}",
            "findings": findings,
        },
        subjects=[subject("incidents.incident", incident.public_id, incident.reference)],
        audience=readers,
    )
