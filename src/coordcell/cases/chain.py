"""Proof that the mechanism was tried: a case's chain, each step tied to the record.

For every step: when, who (party), the state and level after it, and its record entry
(sequence number, hash, leaf index, salt, canonical JSON) with an inclusion proof in the
latest checkpoint that covers it, so that anyone holding the chain can check each step
against the signed, witnessed record with ``coordcell.record.merkle.verify_inclusion``.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from coordcell.cases.models import Case
from coordcell.core.actor import Actor
from coordcell.record import tree
from coordcell.record.selectors import newest_checkpoint
from coordcell.rules.mechanism import MECHANISM

__all__ = ["case_chain"]


def case_chain(actor: Actor, case: Case) -> dict[str, Any]:
    """The chain of ``case`` as a JSON-ready document (the caller may read the case)."""
    steps = list(case.steps.select_related("entry__leaf").order_by("at", "pk"))
    checkpoint = newest_checkpoint()
    size = checkpoint.size if checkpoint is not None else 0
    root = bytes.fromhex(checkpoint.root) if checkpoint is not None else b""
    out_steps = []
    for step in steps:
        entry = step.entry
        index = entry.seq - 1
        proof = None
        if entry.seq <= size:
            proof = {
                "tree_size": size,
                "root": root.hex(),
                "path": [h.hex() for h in tree.inclusion_proof(index, size)],
            }
        out_steps.append(
            {
                "action": step.action,
                "at": step.at.isoformat(),
                "party": step.party_code,
                "state_after": step.state_after,
                "level_after": step.level_after,
                "entry": {
                    "seq": entry.seq,
                    "event_type": entry.event_type,
                    "hash": entry.hash,
                    "leaf_index": index,
                    "salt": bytes(entry.leaf.salt).hex(),
                    "canonical": entry.canonical,
                    "inclusion": proof,
                },
            }
        )
    return {
        "format": "coordcell-case-chain 1",
        "case": case.reference,
        "id": str(case.public_id),
        "incident": case.incident.reference,
        # An inquiry opened of its own motion has no complainant party.
        "complainant": case.complainant.code if case.complainant else None,
        "own_motion_by": case.own_motion_by,
        # A complaint addressed to the mechanism names no party.
        "respondent": case.respondent.code if case.respondent else MECHANISM,
        "protocol": case.protocol_id,
        "state": case.state,
        "level": case.level,
        "lodged_at": case.lodged_at.isoformat(),
        "exported_at": timezone.now().isoformat(),
        "exported_by": actor.name,
        "deadlines": [
            {
                "kind": d.kind,
                "level": d.level,
                "starts_at": d.starts_at.isoformat(),
                "due_at": d.due_at.isoformat(),
                "state": d.state,
                "closed_at": d.closed_at.isoformat() if d.closed_at else None,
            }
            for d in case.deadlines.order_by("due_at", "pk")
        ],
        "steps": out_steps,
        "checkpoint": checkpoint.note if checkpoint is not None else None,
    }
