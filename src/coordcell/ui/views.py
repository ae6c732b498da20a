"""The home page, shaped by the person's party and roles."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coordcell.agreements import selectors as agreements
from coordcell.core.errors import NotFound
from coordcell.core.http import actor_for
from coordcell.core.models import WorkerBeat
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.record.models import Entry


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What each role needs first: the arrangement, their delegation, their tools."""
    actor = actor_for(request)
    if not actor.is_member:
        return render(request, "ui/no_membership.html", status=403)
    try:
        version = agreements.get_version(actor, None, None)
    except NotFound:
        version = None
    clauses = list(agreements.list_clauses(actor, version)) if version else []
    delegations = list(parties.list_delegations(actor))
    recent_entries = list(Entry.objects.restrict(actor).order_by("-seq")[:8])
    # Who acted, by call sign: entries written before call signs existed stored a name,
    # which the record keeps, but the page shows the person's call sign instead.
    call_signs = parties.call_signs_of(e.actor_user_id for e in recent_entries)
    for entry in recent_entries:
        entry.actor_label = call_signs.get(entry.actor_user_id, entry.actor_name)
    context = {
        "version": version,
        "clauses": clauses,
        "zone_count": version.zones.count() if version else 0,
        "role_labels": [str(RoleChoices.label(r)) for r in sorted(actor.roles)],
        "own_delegations": [d for d in delegations if d.pk in actor.delegation_ids],
        "delegations": delegations,
        "parties": list(parties.list_parties(actor)),
        "is_mediator": actor.party_kind == PartyKindChoices.KIND_MEDIATOR,
        "is_admin": actor.has_role(RoleChoices.CELL_ADMINISTRATOR),
        "is_analyst": actor.has_role(RoleChoices.ANALYST),
        "is_monitor": actor.has_role(RoleChoices.MONITOR),
        "is_donor": actor.has_role(RoleChoices.DONOR_REPRESENTATIVE),
        "is_liaison": actor.has_role(RoleChoices.LIAISON_OFFICER)
        or actor.has_role(RoleChoices.PRINCIPAL),
        "limit_clauses": [c for c in clauses if c.limits],
        "zone_clauses": [c for c in clauses if c.kind == "economic_zone"],
        "recent_entries": recent_entries,
        # Operational state, for the administrators who run the cell only.
        "workers": list(WorkerBeat.objects.order_by("-last_beat_at")[:5])
        if actor.has_role(RoleChoices.CELL_ADMINISTRATOR)
        else [],
    }
    return render(request, "ui/home.html", context)
