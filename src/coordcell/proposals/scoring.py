"""The commitments' numbers in the cases' scorecard: for each owner party and period
(by when a deadline ended), its commitment deadlines met, extended by both parties and
missed, over the commitments the reader may see.

``cases`` sits below this app and cannot import it: the scorecard offers a registry
(``cases.scorecard.register_counter``) and this module registers itself when the app
is ready (``apps.ProposalsConfig.ready``).
"""

from __future__ import annotations

from typing import Any

from coordcell.cases.scorecard import period_of, register_counter
from coordcell.core.actor import Actor
from coordcell.proposals.models import CommitmentDeadline

__all__ = ["commitment_counts"]


def commitment_counts(actor: Actor, window: str) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    ended = (
        CommitmentDeadline.objects.restrict(actor)
        .exclude(outcome="")
        .values_list("commitment__owner__code", "outcome", "closed_at")
    )
    for owner, outcome, closed_at in ended:
        row = out.setdefault(
            (owner, period_of(closed_at, window)), {"met": 0, "extended": 0, "missed": 0}
        )
        row[outcome] += 1
    return out


register_counter("proposals", commitment_counts)
