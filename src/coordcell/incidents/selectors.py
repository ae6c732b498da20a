"""Reads of incidents, restricted to what the caller may see (the incident's audience)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.incidents.models import Account, Incident

__all__ = ["accounts_by_party", "get_incident", "list_incidents", "lock_visible"]


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
    locked: Incident = Incident.objects.select_for_update().get(pk=incident.pk)
    return locked


def accounts_by_party(incident: Incident) -> dict[int, Account]:
    """Each party's account of the incident (its version of events), by party id."""
    return {
        a.party_id: a for a in Account.objects.filter(incident=incident).select_related("party")
    }
