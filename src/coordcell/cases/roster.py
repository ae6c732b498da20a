"""The duty roster of each party's hotline desk, and who is on duty there now.

Each party keeps its own roster (:func:`set_shift`, :func:`remove_shift`): its cell
administrators and principals put a call sign on the desk for a shift, with its place in
the contact tree (1 the duty officer, 2 the deputy, 3 the principal) and the channel to
reach it. Nobody else edits it — not another party, not the mediator: a shift is read by
its own party alone, so anyone else finds nothing (hidden looks like missing).

What the others see is :func:`on_duty_now`: for each party they may see, the call signs
on duty at this moment, in contact order, with the channel — and the contact details
only where the party marked them shared. Never a future or past shift.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.cases import exchange_events
from coordcell.cases.models import DutyShift
from coordcell.core.actor import Actor
from coordcell.core.audience import encode
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.record.services import append_event, subject
from coordcell.rules import vocabulary

__all__ = [
    "TIERS",
    "OnDuty",
    "answering",
    "get_shift",
    "list_shifts",
    "may_keep_roster",
    "on_duty_now",
    "remove_shift",
    "set_shift",
]

#: The contact tree's places: reach the duty officer first, then the deputy, then the principal.
TIERS = (1, 2, 3)
#: The longest shift.
SHIFT_MAX_HOURS = 24 * 7
CONTACT_MAX_CHARS = 200
_KEEPERS = (RoleChoices.CELL_ADMINISTRATOR, RoleChoices.PRINCIPAL)
#: Who reads who is on duty: those who use the hotline.
_DESK_READERS = (
    PartyKindChoices.KIND_PARTY,
    PartyKindChoices.KIND_MEDIATOR,
    PartyKindChoices.KIND_MONITOR,
)


def may_keep_roster(actor: Actor) -> bool:
    """Whether the actor keeps their own party's roster (its administrators, principals)."""
    return (
        not actor.system and actor.party_id is not None and any(actor.has_role(r) for r in _KEEPERS)
    )


def list_shifts(actor: Actor) -> QuerySet[DutyShift]:
    """The actor's own party's roster (shifts not removed), soonest first."""
    return DutyShift.objects.restrict(actor).filter(removed_at__isnull=True)


def get_shift(actor: Actor, public_id: Any) -> DutyShift:
    """A shift of the actor's own party; NotFound for any other (like a missing one)."""
    try:
        wanted = uuid.UUID(str(public_id))
    except ValueError:  # a malformed id is a missing one
        raise NotFound() from None
    found = list_shifts(actor).filter(public_id=wanted).first()
    if found is None:
        raise NotFound()
    return found


def _record(actor: Actor, shift: DutyShift, event: Any) -> None:
    append_event(
        actor=actor,
        event_type=event,
        data={
            "shift": str(shift.public_id),
            "party": shift.party.code,
            "call_sign": shift.call_sign,
            "tier": shift.tier,
            "channel": shift.channel,
            "contact_shared": shift.shared,
            "starts_at": shift.starts_at,
            "ends_at": shift.ends_at,
        },
        subjects=[subject("cases.dutyshift", shift.public_id, shift.call_sign)],
        audience=shift.audience_codes,
    )


def _aware(value: Any) -> bool:
    return isinstance(value, dt.datetime) and value.tzinfo is not None


@transaction.atomic
def set_shift(
    *,
    actor: Actor,
    call_sign: str,
    tier: int,
    channel: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    contact: str = "",
    shared: bool = False,
) -> DutyShift:
    """Put one of the party's own call signs on its hotline desk for a shift."""
    if not may_keep_roster(actor):
        raise PermissionDenied(
            _("Only the party's own cell administrators and principals keep its duty roster.")
        )
    assert actor.party_id is not None
    party = parties.party_of(actor)
    assert party is not None
    errors: dict[str, list[str]] = {}
    call_sign = (call_sign or "").strip()
    if call_sign not in parties.active_call_signs(party.pk):
        errors["call_sign"] = [_("Choose a call sign of your own party's active roles.")]
    if tier not in TIERS:
        errors["tier"] = [_("Choose the place in the contact tree (1, 2 or 3).")]
    if channel not in vocabulary.HOTLINE_CHANNELS:
        errors["channel"] = [_("Unknown channel.")]
    contact = (contact or "").strip()
    if len(contact) > CONTACT_MAX_CHARS:
        errors["contact"] = [_("At most 200 characters.")]
    now = timezone.now()
    if not _aware(starts_at) or not _aware(ends_at):
        errors["ends_at"] = [_("Give the shift's start and end, with their time zone.")]
    elif not starts_at < ends_at <= starts_at + dt.timedelta(hours=SHIFT_MAX_HOURS):
        errors["ends_at"] = [_("A shift ends after it starts, within 7 days.")]
    elif ends_at <= now:
        errors["ends_at"] = [_("This shift is already over.")]
    if errors:
        raise ValidationFailed(errors)
    shift = DutyShift.objects.create(
        party=party,
        call_sign=call_sign,
        tier=tier,
        channel=channel,
        contact=contact,
        shared=shared,
        starts_at=starts_at,
        ends_at=ends_at,
        audience=encode([party.code]),
    )
    _record(actor, shift, exchange_events.DUTY_SHIFT_SET)
    return shift


@transaction.atomic
def remove_shift(*, actor: Actor, shift: DutyShift) -> DutyShift:
    """Take a shift off the party's own roster (kept, marked removed; recorded)."""
    found: DutyShift | None = (
        DutyShift.objects.restrict(actor)
        .select_for_update(no_key=True)
        .select_related("party")
        .filter(pk=shift.pk, removed_at__isnull=True)
        .first()
    )
    if found is None:
        raise NotFound()
    if not may_keep_roster(actor) or found.party_id != actor.party_id:
        raise PermissionDenied(
            _("Only the party's own cell administrators and principals keep its duty roster.")
        )
    found.removed_at = timezone.now()
    found.save(update_fields=["removed_at"])
    _record(actor, found, exchange_events.DUTY_SHIFT_REMOVED)
    return found


@dataclass(frozen=True)
class OnDuty:
    """One call sign on a party's hotline desk now, as other parties see it."""

    party_code: str
    party_name: str
    party_id: int
    call_sign: str
    tier: int
    channel: str
    contact: str
    ends_at: dt.datetime


def on_duty_now(actor: Actor, now: dt.datetime | None = None) -> list[OnDuty]:
    """Who is on duty now on the hotline desk of every party the actor may see, for
    those who use the hotline (the parties, the mediators, the monitors), in contact
    order: call sign and channel; contact details only where shared (or to the party
    itself). Nothing about a shift that has not begun or is over."""
    if not actor.system and actor.party_kind not in _DESK_READERS:
        return []  # observers and donors do not use the hotline: nothing, not even a count
    now = now or timezone.now()
    visible = {p.pk: p for p in parties.list_parties(actor)}
    shifts = (
        DutyShift.objects.filter(
            party_id__in=list(visible),
            removed_at__isnull=True,
            starts_at__lte=now,
            ends_at__gt=now,
        )
        .order_by("party__code", "tier", "starts_at", "pk")
        .select_related("party")
    )
    return [
        OnDuty(
            party_code=s.party.code,
            party_name=s.party.name,
            party_id=s.party_id,
            call_sign=s.call_sign,
            tier=s.tier,
            channel=s.channel,
            contact=s.contact if (s.shared or s.party_id == actor.party_id) else "",
            ends_at=s.ends_at,
        )
        for s in shifts
    ]


def answering(duty: list[OnDuty]) -> dict[int, OnDuty]:
    """The call sign that is to answer on each party's desk: the first in its contact tree."""
    first: dict[int, OnDuty] = {}
    for row in duty:
        first.setdefault(row.party_id, row)
    return first
