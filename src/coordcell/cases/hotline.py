"""The hotline: every activation is a record, answered against the hotline protocol's clock.

A liaison officer (or principal, or a monitor) of one party calls or messages another
party, or the mediator; the called party's liaison officers and principals answer. The
time to answer is measured against the ``hotline`` protocol's acknowledgement deadline.
An activation can become an incident and a complaint in one step
(``cases.lodging.report_and_lodge``; the complaint then runs on the hotline protocol's
deadlines).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.cases import events, thread
from coordcell.cases.choices import ChannelChoices
from coordcell.cases.models import Activation
from coordcell.cases.services import ACTING_ROLES, HOTLINE, protocol_serving
from coordcell.core import audience as audience_text
from coordcell.core.actor import Actor
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.parties.selectors import concerned_audience, party_of
from coordcell.record.services import append_event, subject
from coordcell.rules import deadlines

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion
    from coordcell.parties.models import Party

__all__ = ["activate", "answer", "may_call", "record_activation_event"]

_CALLER_KINDS = (
    PartyKindChoices.KIND_PARTY,
    PartyKindChoices.KIND_MEDIATOR,
    PartyKindChoices.KIND_MONITOR,
)


def may_call(actor: Actor) -> bool:
    """Whether the actor may activate the hotline."""
    if actor.system or not actor.party_id or actor.party_kind not in _CALLER_KINDS:
        return False
    return any(actor.has_role(r) for r in ACTING_ROLES) or actor.has_role(RoleChoices.MONITOR)


def _audience(caller: Party, callee: Party, bilateral: bool = False) -> str:
    """The caller, the called party, the mediators and the monitors; a bilateral call's
    is the two alone (a party and the mediator: no one else may learn of it)."""
    if bilateral:
        return audience_text.encode([caller.code, callee.code])
    return audience_text.encode(concerned_audience(caller.code, callee.code))


def record_activation_event(
    actor: Actor, activation: Activation, event: Any, data: dict[str, Any]
) -> None:
    """Append ``event`` about ``activation`` to the record, for the call's audience."""
    append_event(
        actor=actor,
        event_type=event,
        data={
            "activation": activation.reference,
            "caller": activation.caller_party.code,
            "callee": activation.callee_party.code,
            "channel": activation.channel,
            "received_at": activation.received_at,
            **data,
        },
        subjects=[subject("cases.activation", activation.public_id, activation.reference)],
        audience=activation.audience_codes,
    )


@transaction.atomic
def activate(
    *,
    actor: Actor,
    callee: Party,
    channel: str,
    subject_text: str,
    version: ArrangementVersion,
    bilateral: bool = False,
) -> Activation:
    """Record a call or message to ``callee``; its answer clock starts now.

    ``bilateral``: a private call between a party and the mediator, which only those two
    read (not the other party, not the monitors) — in every list, count, page and export.
    """
    if not may_call(actor):
        raise PermissionDenied(_("Only liaison officers, principals and monitors use the hotline."))
    assert actor.party_id is not None  # may_call checked it
    caller = party_of(actor)
    assert caller is not None  # may_call checked it
    errors: dict[str, list[str]] = {}
    if callee.pk == caller.pk or callee.kind not in _CALLER_KINDS:
        errors["callee"] = [_("Choose another party, the mediator or the monitors.")]
    if channel not in ChannelChoices.values():
        errors["channel"] = [_("Unknown channel.")]
    subject_text = (subject_text or "").strip()
    if not subject_text or len(subject_text) > 5_000:
        errors["subject"] = [_("Say what the call is about (1 to 5,000 characters).")]
    kinds = {caller.kind, callee.kind}
    if bilateral and kinds != {PartyKindChoices.KIND_PARTY, PartyKindChoices.KIND_MEDIATOR}:
        errors["bilateral"] = [_("A bilateral call is between a party and the mediator.")]
    if errors:
        raise ValidationFailed(errors)
    protocol = protocol_serving(version, HOTLINE)
    now = timezone.now()
    activation = Activation.objects.create(
        channel=channel,
        caller_party=caller,
        caller=actor.user,
        callee_party=callee,
        subject=subject_text,
        received_at=now,
        answer_due_at=deadlines.due(now, protocol.acknowledge_within_hours),
        version=version,
        bilateral=bilateral,
        audience=_audience(caller, callee, bilateral),
    )
    record_activation_event(
        actor,
        activation,
        events.HOTLINE_ACTIVATED,
        {"subject": subject_text, "answer_due_at": activation.answer_due_at},
    )
    return activation


def _require_callee(actor: Actor, activation: Activation) -> None:
    if (
        actor.system
        or actor.party_id != activation.callee_party_id
        or not (any(actor.has_role(r) for r in ACTING_ROLES) or actor.has_role(RoleChoices.MONITOR))
    ):
        raise PermissionDenied(_("Only the called party answers a hotline activation."))


@transaction.atomic
def answer(*, actor: Actor, activation: Activation, text: str) -> Activation:
    """The called party answers (its first message in the call's thread); the time to
    answer is kept. Later messages, by any side, are ``thread.post_message``."""
    activation = Activation.objects.select_for_update(no_key=True).get(pk=activation.pk)
    _require_callee(actor, activation)
    if activation.answered_at is not None:
        raise ValidationFailed(_("This activation has already been answered."))
    text = (text or "").strip()
    if len(text) > 5_000:
        raise ValidationFailed({"answer": [_("At most 5,000 characters.")]})
    thread.post_message(actor=actor, activation=activation, text=text)
    activation.refresh_from_db()
    return activation
