"""The demo app's services: exercise cells (the demo itself, a drill's copy of a cell)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from coordcell.core.actor import Actor
from coordcell.notify.services import pause_for_exercise_copy
from coordcell.record.services import adopt_exercise_copy

__all__ = ["adopt_copy"]


def adopt_copy(*, actor: Actor, source: Mapping[str, Any]) -> int:
    """Make a fresh copy of a cell's database an exercise: its log gets the exercise key
    and origin, and its webhooks are paused with what was waiting to be sent; one
    transaction, each step recorded. Returns how many webhooks were paused."""
    with transaction.atomic():
        adopt_exercise_copy(actor=actor, source=source)
        return pause_for_exercise_copy(actor=actor)
