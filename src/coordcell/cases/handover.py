"""Shift handovers on a party's hotline desk: the outgoing duty officer's note, the
incoming officer's acknowledgement.

The note is prefilled from the thread (:func:`prefill`): the calls involving the party
still unanswered or carrying an open commitment, and the open commitments with their
times; the officer adds free text. Both steps are record entries read by the party alone
(and the console): the other party and the mediator find nothing — no row, no count, no
record entry.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.cases import exchange_events
from coordcell.cases.exchange_choices import CommitmentStateChoices
from coordcell.cases.models import Activation, Commitment, Handover
from coordcell.core.actor import Actor
from coordcell.core.audience import encode
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.parties import selectors as parties
from coordcell.parties.choices import RoleChoices
from coordcell.record.services import append_event, subject

__all__ = [
    "acknowledge",
    "get_handover",
    "hand_over",
    "list_handovers",
    "may_hand_over",
    "prefill",
]

TEXT_MAX_CHARS = 5_000
#: The most calls and commitments a note lists (the newest).
PREFILL_MAX = 50
_DUTY = (RoleChoices.LIAISON_OFFICER, RoleChoices.PRINCIPAL)


def may_hand_over(actor: Actor) -> bool:
    """Whether the actor stands duty on a party's desk (liaison officers, principals)."""
    return not actor.system and actor.party_id is not None and any(actor.has_role(r) for r in _DUTY)


def list_handovers(actor: Actor) -> QuerySet[Handover]:
    """The handovers of the actor's own party, newest first (no one else's)."""
    return Handover.objects.restrict(actor).select_related("party")


def get_handover(actor: Actor, public_id: Any) -> Handover:
    try:
        wanted = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    found = list_handovers(actor).filter(public_id=wanted).first()
    if found is None:
        raise NotFound()
    return found


def prefill(actor: Actor) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What the thread holds open for the actor's party, as the actor may read it: the
    calls still unanswered or with an open commitment, and the open commitments."""
    if actor.party_id is None:
        return [], []
    involved = Q(caller_party_id=actor.party_id) | Q(callee_party_id=actor.party_id)
    open_promises = (
        Commitment.objects.restrict(actor)
        .filter(state=CommitmentStateChoices.OPEN)
        .filter(
            Q(activation__caller_party_id=actor.party_id)
            | Q(activation__callee_party_id=actor.party_id)
        )
        .select_related("activation", "party")
        .order_by("due_at", "pk")[:PREFILL_MAX]
    )
    promised = {c.activation_id for c in open_promises}
    calls = (
        Activation.objects.restrict(actor)
        .filter(involved)
        .filter(Q(answered_at__isnull=True) | Q(pk__in=promised))
        .select_related("caller_party", "callee_party")
        .order_by("-received_at", "-pk")[:PREFILL_MAX]
    )
    return (
        [
            {
                "activation": a.reference,
                "caller": a.caller_party.code,
                "callee": a.callee_party.code,
                "subject": a.subject[:300],
                "received_at": a.received_at.isoformat(),
                "answered": a.answered_at is not None,
                "answer_due_at": a.answer_due_at.isoformat(),
            }
            for a in calls
        ],
        [
            {
                "activation": c.activation.reference,
                "party": c.party.code,
                "kind": c.kind,
                "due_at": c.due_at.isoformat(),
            }
            for c in open_promises
        ],
    )


def _record(actor: Actor, handover: Handover, event: Any, data: dict[str, Any]) -> None:
    append_event(
        actor=actor,
        event_type=event,
        data={
            "handover": str(handover.public_id),
            "party": handover.party.code,
            "outgoing": handover.outgoing_call_sign,
            "incoming": handover.incoming_call_sign,
            "at": handover.at,
            **data,
        },
        subjects=[subject("cases.handover", handover.public_id, handover.outgoing_call_sign)],
        audience=handover.audience_codes,
    )


@transaction.atomic
def hand_over(*, actor: Actor, incoming_call_sign: str, text: str) -> Handover:
    """The outgoing duty officer hands the desk to ``incoming_call_sign`` (of the same
    party), with the open calls and commitments prefilled and a free-text note."""
    if not may_hand_over(actor):
        raise PermissionDenied(
            _("Only a party's liaison officers and principals hand over a shift.")
        )
    assert actor.party_id is not None
    party = parties.party_of(actor)
    assert party is not None
    mine = parties.own_call_signs(actor.user, party.pk)
    errors: dict[str, list[str]] = {}
    incoming = (incoming_call_sign or "").strip()
    if incoming not in parties.active_call_signs(party.pk) or incoming in mine:
        errors["incoming_call_sign"] = [_("Choose another call sign of your own party.")]
    text = (text or "").strip()
    if len(text) > TEXT_MAX_CHARS:
        errors["text"] = [_("At most 5,000 characters.")]
    if not mine:
        errors["incoming_call_sign"] = [_("You hold no call sign in your party.")]
    if errors:
        raise ValidationFailed(errors)
    calls, promises = prefill(actor)
    handover = Handover.objects.create(
        party=party,
        outgoing=actor.user,
        outgoing_call_sign=mine[0],
        incoming_call_sign=incoming,
        at=timezone.now(),
        text=text,
        open_calls=calls,
        open_commitments=promises,
        audience=encode([party.code]),
    )
    _record(
        actor,
        handover,
        exchange_events.HANDOVER_RECORDED,
        {"text": text, "open_calls": calls, "open_commitments": promises},
    )
    return handover


@transaction.atomic
def acknowledge(*, actor: Actor, handover: Handover) -> Handover:
    """The incoming duty officer acknowledges the handover note (once)."""
    found: Handover | None = (
        Handover.objects.restrict(actor)
        .select_for_update(no_key=True)
        .select_related("party")
        .filter(pk=handover.pk)
        .first()
    )
    if found is None:
        raise NotFound()
    if found.party_id != actor.party_id or found.incoming_call_sign not in parties.own_call_signs(
        actor.user, found.party_id
    ):
        raise PermissionDenied(_("Only the incoming duty officer acknowledges a handover."))
    if found.acknowledged_at is not None:
        raise ValidationFailed(_("This handover has already been acknowledged."))
    found.acknowledged_at = timezone.now()
    found.acknowledged_by = actor.user
    found.save(update_fields=["acknowledged_at", "acknowledged_by"])
    _record(
        actor,
        found,
        exchange_events.HANDOVER_ACKNOWLEDGED,
        {"acknowledged_at": found.acknowledged_at},
    )
    return found
