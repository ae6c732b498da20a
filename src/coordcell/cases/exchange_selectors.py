"""Reads of the hotline's thread, of warnings and of the ledger's links, restricted to
what the reader may see (anything else answers NotFound, like a missing row)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from coordcell.cases.models import (
    Activation,
    CallMessage,
    Commitment,
    ForceClaim,
    ThreatWarning,
    WarningConfirmation,
)
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound

__all__ = [
    "get_commitment",
    "get_force_claim",
    "get_message",
    "get_warning",
    "list_commitments",
    "list_confirmations",
    "list_force_claims",
    "list_messages",
    "list_warnings",
]


def _one(qs: QuerySet[Any], public_id: Any) -> Any:
    try:
        obj = qs.filter(public_id=public_id).first()
    except (ValueError, ValidationError):
        obj = None
    if obj is None:
        raise NotFound()
    return obj


def list_messages(actor: Actor, activation: Activation) -> QuerySet[CallMessage]:
    """The call's messages the reader may see, oldest first (a relay request not yet
    passed on: its author's party and the mediators only)."""
    return (
        CallMessage.objects.restrict(actor)
        .filter(activation=activation)
        .select_related("author_party", "relayed_by_party", "commitment")
        .order_by("at", "pk")
    )


def get_message(actor: Actor, public_id: Any) -> CallMessage:
    message: CallMessage = _one(
        CallMessage.objects.restrict(actor).select_related("activation"), public_id
    )
    return message


def list_commitments(actor: Actor, activation: Activation | None = None) -> QuerySet[Commitment]:
    qs = Commitment.objects.restrict(actor).select_related("party", "activation", "message")
    if activation is not None:
        qs = qs.filter(activation=activation)
    return qs.order_by("due_at", "pk")


def get_commitment(actor: Actor, public_id: Any) -> Commitment:
    commitment: Commitment = _one(list_commitments(actor), public_id)
    return commitment


def list_warnings(actor: Actor) -> QuerySet[ThreatWarning]:
    return (
        ThreatWarning.objects.restrict(actor)
        .select_related("warner", "addressee", "outcome_incident", "activation")
        .order_by("-passed_at", "-pk")
    )


def get_warning(actor: Actor, public_id: Any) -> ThreatWarning:
    warning: ThreatWarning = _one(list_warnings(actor), public_id)
    return warning


def list_confirmations(actor: Actor, warning: ThreatWarning) -> QuerySet[WarningConfirmation]:
    return (
        WarningConfirmation.objects.restrict(actor)
        .filter(warning=warning)
        .select_related("party")
        .order_by("at", "pk")
    )


def list_force_claims(actor: Actor) -> QuerySet[ForceClaim]:
    return (
        ForceClaim.objects.restrict(actor)
        .select_related("party", "incident", "warning")
        .order_by("-at", "-pk")
    )


def get_force_claim(actor: Actor, public_id: Any) -> ForceClaim:
    claim: ForceClaim = _one(list_force_claims(actor), public_id)
    return claim


def call_visible(actor: Actor, activation: Activation | None) -> bool:
    """Whether the reader may see ``activation`` (a warning made from a bilateral call
    names the call only to those who may read it)."""
    if activation is None:
        return False
    return Activation.objects.restrict(actor).filter(pk=activation.pk).exists()
