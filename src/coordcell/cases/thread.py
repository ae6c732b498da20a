"""The hotline call as a thread: messages, commitments, relay through the mediator.

Each side of a call — the calling party, the called party and the mediator — posts any
number of messages (:func:`post_message`); the called party's first message is its
answer, timed against the hotline protocol. A message may carry a typed commitment
(``CommitmentKindChoices``) with its own deadline, which the worker settles
(:func:`settle_commitments`): one lasting *until* a time is met then unless a breach was
reported; one to be done *by* a time lapses then unless it was reported kept
(:func:`close_commitment`).

A party may ask the mediator to pass a message on (``via_mediator``): until the mediator
relays it (:func:`relay_message`) only that party and the mediators read it; relayed, it
reads as one record entry with both times. A *bilateral* call (a party and the mediator,
``hotline.activate(bilateral=True)``) has those two parties as its audience, and so does
everything in it: anyone else finds nothing, anywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.cases import events, exchange_events
from coordcell.cases.exchange_choices import CommitmentKindChoices, CommitmentStateChoices
from coordcell.cases.models import Activation, CallMessage, Commitment
from coordcell.core.actor import Actor
from coordcell.core.audience import encode
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.parties.selectors import parties_of_kinds, party_of
from coordcell.record.services import append_event, subject

__all__ = [
    "MESSAGE_MAX_CHARS",
    "close_commitment",
    "may_post",
    "post_message",
    "relay_message",
    "settle_commitments",
    "side_of",
]

MESSAGE_MAX_CHARS = 5_000
#: The furthest ahead a commitment's time may be.
COMMITMENT_MAX_DAYS = 30

_ACTING = (RoleChoices.LIAISON_OFFICER, RoleChoices.PRINCIPAL)
CALLER, CALLEE, MEDIATOR = "caller", "callee", "mediator"


def side_of(actor: Actor, activation: Activation) -> str | None:
    """Which side of the call the actor speaks for (None: a reader at most)."""
    if actor.system or not actor.party_id:
        return None
    acting = any(actor.has_role(r) for r in _ACTING)
    if actor.party_id in (activation.caller_party_id, activation.callee_party_id):
        if acting or actor.has_role(RoleChoices.MONITOR):
            return CALLER if actor.party_id == activation.caller_party_id else CALLEE
        return None
    if (
        acting
        and actor.party_kind == PartyKindChoices.KIND_MEDIATOR
        and actor.party_code in activation.audience_codes
    ):
        return MEDIATOR
    return None


def may_post(actor: Actor, activation: Activation) -> bool:
    return side_of(actor, activation) is not None


def _mediator_codes(activation: Activation) -> list[str]:
    """The mediators in the call's audience."""
    mediators = parties_of_kinds([PartyKindChoices.KIND_MEDIATOR])
    return sorted(p.code for p in mediators if p.code in activation.audience_codes)


def _visible(actor: Actor, activation: Activation) -> Activation:
    """The call, locked, if the actor may read it; NotFound otherwise (like a missing one)."""
    locked: Activation | None = (
        Activation.objects.restrict(actor)
        .select_for_update(no_key=True)
        .select_related("caller_party", "callee_party")
        .filter(pk=activation.pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    return locked


def _record(
    actor: Actor,
    activation: Activation,
    event: Any,
    data: dict[str, Any],
    audience: list[str],
) -> None:
    append_event(
        actor=actor,
        event_type=event,
        data={
            "activation": activation.reference,
            "caller": activation.caller_party.code,
            "callee": activation.callee_party.code,
            "bilateral": activation.bilateral,
            **data,
        },
        subjects=[subject("cases.activation", activation.public_id, activation.reference)],
        audience=audience,
    )


def _commitment_data(commitment: Commitment | None) -> dict[str, Any] | None:
    if commitment is None:
        return None
    return {"id": str(commitment.public_id), "kind": commitment.kind, "due_at": commitment.due_at}


def _check_due(due_at: Any, now: dt.datetime, errors: dict[str, list[str]]) -> None:
    if not isinstance(due_at, dt.datetime) or due_at.tzinfo is None:
        errors["due_at"] = [_("Give the commitment's time, with its time zone.")]
    elif not now < due_at <= now + dt.timedelta(days=COMMITMENT_MAX_DAYS):
        errors["due_at"] = [_("Give a time after now and within 30 days.")]


@transaction.atomic
def post_message(
    *,
    actor: Actor,
    activation: Activation,
    text: str,
    commitment: str = "",
    due_at: dt.datetime | None = None,
    via_mediator: bool = False,
) -> CallMessage:
    """Add a message to the call, as its caller, called party or mediator.

    The called party's first message (not a relay request) is its answer, timed. A
    ``commitment`` (a ``CommitmentKindChoices`` code) needs its ``due_at``. ``via_mediator``
    asks the mediator to pass the message on; only the two parties' sides of a call that
    is not bilateral may ask.
    """
    activation = _visible(actor, activation)
    side = side_of(actor, activation)
    if side is None:
        raise PermissionDenied(
            _("Only the calling party, the called party and the mediator write in a call.")
        )
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    answering = side == CALLEE and activation.answered_at is None and not via_mediator
    # The called party's answer may be bare (picked up); every other message says something.
    if (not text and not answering) or len(text) > MESSAGE_MAX_CHARS:
        errors["text"] = [_("Write the message (1 to 5,000 characters).")]
    if commitment:
        if commitment not in CommitmentKindChoices.values():
            errors["commitment"] = [_("Unknown commitment.")]
        _check_due(due_at, now, errors)
    elif due_at is not None:
        errors["commitment"] = [_("Choose what the message commits to, or give no time.")]
    mediators = _mediator_codes(activation)
    if via_mediator and (side == MEDIATOR or activation.bilateral or not mediators):
        errors["via_mediator"] = [
            _("Only the two parties of a call with the mediator in it ask for a relay.")
        ]
    if errors:
        raise ValidationFailed(errors)
    author_party = party_of(actor)
    assert author_party is not None  # side_of checked the membership
    audience = (
        sorted({author_party.code, *mediators}) if via_mediator else activation.audience_codes
    )
    message = CallMessage.objects.create(
        activation=activation,
        author_party=author_party,
        author=actor.user,
        at=now,
        text=text,
        relay_requested_at=now if via_mediator else None,
        audience=encode(audience),
    )
    promise = None
    if commitment:
        assert due_at is not None
        promise = Commitment.objects.create(
            message=message,
            activation=activation,
            party=author_party,
            kind=commitment,
            due_at=due_at,
            audience=message.audience,
        )
    data: dict[str, Any] = {
        "message": str(message.public_id),
        "author": author_party.code,
        "side": side,
        "text": text,
        "at": now,
        "commitment": _commitment_data(promise),
    }
    if via_mediator:
        _record(actor, activation, exchange_events.RELAY_REQUESTED, data, audience)
    elif answering:
        Activation.objects.filter(pk=activation.pk).update(
            answered_at=now, answered_by=actor.user, answer=text
        )
        activation.refresh_from_db()
        _record(
            actor,
            activation,
            events.HOTLINE_ANSWERED,
            {
                **data,
                "answer": text,
                "answered_at": now,
                "seconds_to_answer": activation.seconds_to_answer,
                "in_time": now <= activation.answer_due_at,
            },
            audience,
        )
    else:
        _record(actor, activation, exchange_events.MESSAGE_POSTED, data, audience)
    return message


@transaction.atomic
def relay_message(*, actor: Actor, message: CallMessage) -> CallMessage:
    """The mediator passes a party's message on to the call: one record entry, both times."""
    found: CallMessage | None = (
        CallMessage.objects.restrict(actor)
        .select_for_update(no_key=True)
        .select_related("author_party")
        .filter(pk=message.pk)
        .first()
    )
    if found is None:
        raise NotFound()
    message = found
    activation = _visible(actor, message.activation)
    if side_of(actor, activation) != MEDIATOR:
        raise PermissionDenied(_("Only the mediator relays a message."))
    if not message.awaiting_relay:
        raise ValidationFailed(_("This message is not waiting to be relayed."))
    relayer = party_of(actor)
    assert relayer is not None
    now = timezone.now()
    CallMessage.objects.filter(pk=message.pk).update(
        relayed_at=now,
        relayed_by=actor.user,
        relayed_by_party=relayer,
        audience=activation.audience,
    )
    Commitment.objects.filter(message=message).update(audience=activation.audience)
    message.refresh_from_db()
    promise = Commitment.objects.filter(message=message).first()
    _record(
        actor,
        activation,
        exchange_events.MESSAGE_RELAYED,
        {
            "message": str(message.public_id),
            "author": message.author_party.code,
            "text": message.text,
            "requested_at": message.relay_requested_at,
            "relayed_by": relayer.code,
            "relayed_at": now,
            "commitment": _commitment_data(promise),
        },
        activation.audience_codes,
    )
    return message


def _record_commitment(actor: Actor, promise: Commitment, data: dict[str, Any]) -> None:
    activation = promise.activation
    _record(
        actor,
        activation,
        exchange_events.COMMITMENT_CLOSED,
        {
            "commitment": _commitment_data(promise),
            "party": promise.party.code,
            "state": promise.state,
            "closed_at": promise.closed_at,
            **data,
        },
        promise.audience_codes,
    )


def _settle(promise: Commitment, now: dt.datetime) -> bool:
    """Claim an open commitment whose time has come (met or lapsed by its kind)."""
    state = (
        CommitmentStateChoices.MET
        if promise.kind in CommitmentKindChoices.UNTIL
        else CommitmentStateChoices.LAPSED
    )
    claimed = Commitment.objects.filter(
        pk=promise.pk, state=CommitmentStateChoices.OPEN, due_at__lte=now
    ).update(state=state, closed_at=now)
    if not claimed:
        return False
    promise.refresh_from_db()
    _record_commitment(Actor.console("worker"), promise, {"by_the_worker": True})
    return True


def settle_commitments(now: dt.datetime) -> int:
    """The worker's job: settle every open commitment due at ``now``; each claim is a
    conditional update in its own transaction, so two workers never settle one twice."""
    handled = 0
    due = Commitment.objects.filter(state=CommitmentStateChoices.OPEN, due_at__lte=now)
    for pk in list(due.order_by("due_at", "pk").values_list("pk", flat=True)):
        with transaction.atomic():
            promise = Commitment.objects.select_related("activation", "party").get(pk=pk)
            handled += _settle(promise, now)
    return handled


@transaction.atomic
def close_commitment(*, actor: Actor, commitment: Commitment, kept: bool, text: str) -> Commitment:
    """Report a commitment kept (its own party, for one to be done *by* a time) or broken
    (the other side of the call or the mediator, for one lasting *until* a time), before
    its time; after it, the worker's settlement stands."""
    promise: Commitment | None = (
        Commitment.objects.restrict(actor)
        .select_for_update(no_key=True)
        .select_related("activation", "party")
        .filter(pk=commitment.pk)
        .first()
    )
    if promise is None:
        raise NotFound()
    activation = _visible(actor, promise.activation)
    side = side_of(actor, activation)
    own = actor.party_id == promise.party_id
    if side is None or (kept and not own) or (not kept and own):
        raise PermissionDenied(
            _("Its own party reports a commitment kept; the other side reports a breach.")
        )
    now = timezone.now()
    _settle(promise, now)
    errors: dict[str, list[str]] = {}
    if promise.state != CommitmentStateChoices.OPEN:
        errors["commitment"] = [_("This commitment is already settled.")]
    elif kept == (promise.kind in CommitmentKindChoices.UNTIL):
        errors["commitment"] = [
            _(
                "A commitment lasting until a time is settled by its time; "
                "one due by a time is reported kept."
            )
        ]
    text = (text or "").strip()
    if len(text) > MESSAGE_MAX_CHARS:
        errors["text"] = [_("At most 5,000 characters.")]
    if errors:
        raise ValidationFailed(errors)
    closer = party_of(actor)
    state = CommitmentStateChoices.MET if kept else CommitmentStateChoices.BROKEN
    Commitment.objects.filter(pk=promise.pk).update(
        state=state, closed_at=now, closed_by_party=closer, closing_text=text
    )
    promise.refresh_from_db()
    _record_commitment(actor, promise, {"text": text, "by": closer.code if closer else ""})
    return promise
