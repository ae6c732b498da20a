"""The link from withdrawal steps to declared positions (the ``positions`` app), through
its selectors only. Until that app is installed, a step concerns areas alone."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from coordcell.core.actor import Actor
from coordcell.parties.choices import PartyKindChoices

__all__ = ["POSITIONS_AVAILABLE", "check_positions", "positions_shown", "shown_positions"]

POSITIONS_AVAILABLE = False


def check_positions(actor: Actor, party: str, ids: list[str]) -> str:
    """"" when ``ids`` are positions ``party`` declared that ``actor`` may name; else why not."""
    if ids:
        return _("Declared positions are not available here: name the areas.")
    return ""


def positions_shown(actor: Actor, step: Any) -> bool:
    """Whether ``actor`` may see the positions ``step`` names: the declaring party and the
    mediators (the escrow), the console; anyone else sees the step's areas."""
    return actor.system or actor.party_kind == PartyKindChoices.KIND_MEDIATOR or actor.party_id == step.party_id


def shown_positions(actor: Actor, step: Any) -> list[dict[str, Any]]:
    """The positions of ``step`` the actor may see, as ``{"id", "name"}``; [] otherwise."""
    if not step.positions or not positions_shown(actor, step):
        return []
    return [{"id": str(p), "name": str(p)} for p in step.positions]
