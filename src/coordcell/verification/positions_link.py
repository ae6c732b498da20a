"""The link from withdrawal steps to declared positions, through the ``positions`` app's
selectors only (never its tables).

A position is read by its declaring party and the mediator (the escrow). So a step's
positions are named by the mediator when it proposes the step, and shown only to the
declaring party and the mediators; everyone else — the other party, the monitors — sees
the step's areas. The lists below start from ``positions.selectors.list_positions``,
restricted to the reader, so a position the reader may not see is never shown.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from coordcell.core.actor import Actor
from coordcell.parties.choices import PartyKindChoices
from coordcell.positions import selectors as positions

__all__ = ["POSITIONS_MAX", "check_positions", "positions_shown", "shown_positions"]

#: At most this many positions in one step.
POSITIONS_MAX = 50


def check_positions(actor: Actor, party: str, ids: list[str]) -> str:
    """ "" when ``ids`` are positions ``party`` declared that ``actor`` may see (each once);
    otherwise why not (a position the actor may not see is an unknown one)."""
    if not ids:
        return ""
    if len(ids) > POSITIONS_MAX or len(set(ids)) != len(ids):
        return _("Name at most %(n)s positions, each once.") % {"n": POSITIONS_MAX}
    known = {
        str(p)
        for p in positions.list_positions(actor, party=party).values_list("public_id", flat=True)
    }
    if set(ids) - known:
        return _("Choose positions the party declared.")
    return ""


def positions_shown(actor: Actor, step: Any) -> bool:
    """Whether ``actor`` may see the positions ``step`` names: the declaring party and the
    mediators (the escrow), the console; anyone else sees the step's areas."""
    return (
        actor.system
        or actor.party_kind == PartyKindChoices.KIND_MEDIATOR
        or (actor.party_kind == PartyKindChoices.KIND_PARTY and actor.party_id == step.party_id)
    )


def shown_positions(actor: Actor, step: Any) -> list[dict[str, Any]]:
    """The positions of ``step`` the actor may see, as ``{"id", "reference", "name"}``;
    [] for anyone not entitled."""
    if not step.positions or not positions_shown(actor, step):
        return []
    found = positions.list_positions(actor).filter(public_id__in=list(step.positions))
    return [
        {"id": str(p.public_id), "reference": p.reference, "name": p.name}
        for p in found.order_by("reference")
    ]
