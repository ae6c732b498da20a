"""Reads of incidents, restricted to what the caller may see (the incident's audience)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.incidents.headlines import Headlines, distance_km, headline_of, shared
from coordcell.incidents.models import Account, EscrowedFinding, Incident

__all__ = [
    "Headlines",
    "account_history",
    "accounts_by_party",
    "current_accounts",
    "distance_km",
    "escrowed_findings",
    "get_incident",
    "headline_of",
    "list_incidents",
    "lock_visible",
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
    locked: Incident = Incident.objects.select_for_update().get(pk=incident.pk)
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
