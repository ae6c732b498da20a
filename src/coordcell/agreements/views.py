"""The arrangement page: clauses, zones, protocols, versions, and the data's sources."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from coordcell.agreements import selectors
from coordcell.agreements.choices import (
    DecisionRuleChoices,
    MechanismRoleChoices,
    MediaRuleChoices,
)
from coordcell.agreements.engines import activity_names, engine_for, exempt_names
from coordcell.core.errors import NotFound, ValidationFailed
from coordcell.core.http import actor_for, member_required
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices
from coordcell.rules import mechanism
from coordcell.rules.arrangement import localized


def _requested_version(request: HttpRequest) -> int | None:
    raw = request.GET.get("version", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise NotFound()
    return int(raw)


@member_required
def arrangement(request: HttpRequest) -> HttpResponse:
    """The current version (or ``?version=n``) with all its terms, and the version history."""
    actor = actor_for(request)
    try:
        version = selectors.get_version(
            actor, request.GET.get("arrangement"), _requested_version(request)
        )
    except NotFound:
        if request.GET:
            raise
        return render(request, "agreements/empty.html")
    except ValidationFailed:
        raise NotFound() from None
    zones = list(version.zones.order_by("position"))
    engine = engine_for(version)
    names = _party_names(actor)
    context = {
        # The scenario's own activities by the scenario's names, the built-in ones by ours.
        "activity_names": activity_names(engine),
        "exempt_names": {c.id: exempt_names(c, engine) for c in engine.arrangement.clauses},
        "version": version,
        "versions": selectors.list_versions(actor, version.arrangement.key).order_by("-number"),
        "clauses": selectors.list_clauses(actor, version),
        "zones": zones,
        "zone_names": {z.zone_id: z.name for z in zones},
        "protocols": [(p, _rule_text(p.decision_rule, names)) for p in version.protocols.all()],
        "places": version.places.all(),
        **_mechanism(version, names),
    }
    return render(request, "agreements/arrangement.html", context)


def _party_names(actor: Any) -> dict[str, str]:
    """The parties the reader may know of, by code (a donor's stays hidden)."""
    return {p.code: p.name for p in parties.list_parties(actor)}


def _rule_text(rule: mechanism.DecisionRule, names: dict[str, str]) -> str:
    """A decision rule in words: its label, then the parties it names."""
    label = str(DecisionRuleChoices.label(rule.rule))
    if not rule.parties:
        return label
    return f"{label}: {', '.join(names.get(c, c) for c in rule.parties)}"


def _mechanism(version: Any, names: dict[str, str]) -> dict[str, Any]:
    """The mechanism's seats and rules of procedure, for the arrangement page."""
    language = get_language() or "en"
    seats = [
        {
            "code": code,
            "name": names[code],
            "kind": PartyKindChoices.label(kind),
            "role": MechanismRoleChoices.label(mechanism.role_of(kind, role)),
            "chair": mechanism.role_of(kind, role) == "chair",
        }
        for code, kind, role in selectors.mechanism_parties(version)
        if code in names
    ]
    procedure = selectors.procedure_of(version)
    if procedure is None:
        return {"seats": seats, "procedure": None}
    return {
        "seats": seats,
        "procedure": {
            "chairs": [s["name"] for s in seats if s["chair"]],
            "determined_by": _rule_text(procedure.determined_by, names)
            if procedure.determined_by
            else "",
            "quorum_all_of": [names.get(c, c) for c in procedure.quorum_all_of if c in names],
            "quorum_at_least": procedure.quorum_at_least,
            "authoritative_language": procedure.authoritative_language,
            "authentic_languages": procedure.authentic_languages,
            "meetings_every_days": procedure.meetings_every_days,
            "meetings_on_request_within_hours": procedure.meetings_on_request_within_hours,
            "media": MediaRuleChoices.label(procedure.media) if procedure.media else "",
            "confidentiality": [
                {
                    "id": t.id,
                    "name": localized(t.name, language),
                    "description": localized(t.description, language) if t.description else "",
                }
                for t in procedure.confidentiality
            ],
        },
    }


@member_required
def sources(request: HttpRequest) -> HttpResponse:
    """Where the current version's data comes from, with required attributions."""
    actor = actor_for(request)
    try:
        version = selectors.get_version(actor, None, None)
    except NotFound:
        return render(request, "agreements/empty.html")
    return render(
        request, "agreements/sources.html", {"version": version, "sources": version.sources.all()}
    )
