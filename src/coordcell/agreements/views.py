"""The arrangement page: clauses, zones, protocols, versions, and the data's sources."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coordcell.agreements import selectors
from coordcell.agreements.engines import activity_names, engine_for, exempt_names
from coordcell.core.errors import NotFound, ValidationFailed
from coordcell.core.http import actor_for, member_required


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
    context = {
        # The scenario's own activities by the scenario's names, the built-in ones by ours.
        "activity_names": activity_names(engine),
        "exempt_names": {c.id: exempt_names(c, engine) for c in engine.arrangement.clauses},
        "version": version,
        "versions": selectors.list_versions(actor, version.arrangement.key).order_by("-number"),
        "clauses": selectors.list_clauses(actor, version),
        "zones": zones,
        "zone_names": {z.zone_id: z.name for z in zones},
        "protocols": version.protocols.all(),
        "places": version.places.all(),
    }
    return render(request, "agreements/arrangement.html", context)


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
