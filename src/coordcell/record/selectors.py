"""Reads of the record, restricted to what the caller may see.

Checkpoints, consistency proofs and witnesses are the same for every member: they
reveal sizes and hashes only. An entry, its salt and its inclusion proof are given only
to those who may read the entry; for anyone else the entry does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from coordcell.core.actor import Actor
from coordcell.core.compiled import CompiledQuery, first
from coordcell.core.errors import NotFound, ValidationFailed
from coordcell.record import tree
from coordcell.record.models import Checkpoint, Cosignature, Entry, Head, Witness

__all__ = [
    "EntryProof",
    "get_checkpoint",
    "get_consistency_proof",
    "get_entry_proof",
    "get_witness",
    "is_exercise",
    "latest_checkpoint",
    "list_cosignatures",
    "list_visible_entries",
    "list_witnesses",
    "newest_checkpoint",
    "tree_size",
]


def _require_member(actor: Actor) -> None:
    if not actor.system and not actor.party_code:
        raise NotFound()


def tree_size() -> int:
    head = Head.objects.filter(pk=1).values_list("size", flat=True).first()
    return int(head or 0)


#: ``Head.exercise``'s query, compiled once: every page asks it (``ui.context_processors``).
_EXERCISE = CompiledQuery(
    lambda pk: first(Head.objects.filter(pk=pk).values_list("exercise", flat=True)), -7_340_815
)


def is_exercise() -> bool:
    """Whether this cell is an exercise (``Head.exercise``): every member may know it, and
    the pages, alerts and the worker's ``--now`` depend on it."""
    found = _EXERCISE.rows(1)
    return bool(found[0]) if found else False


def newest_checkpoint() -> Checkpoint | None:
    """The newest checkpoint, for a caller that has checked its reader is a member."""
    checkpoint: Checkpoint | None = Checkpoint.objects.order_by("-size").first()
    return checkpoint


def latest_checkpoint(actor: Actor) -> Checkpoint | None:
    _require_member(actor)
    return Checkpoint.objects.order_by("-size").first()


def get_checkpoint(actor: Actor, size: int) -> Checkpoint:
    _require_member(actor)
    checkpoint = Checkpoint.objects.filter(size=size).first()
    if checkpoint is None:
        raise NotFound()
    return checkpoint


def list_cosignatures(checkpoint: Checkpoint) -> list[Cosignature]:
    return list(
        checkpoint.cosignatures.select_related("witness__party").order_by("witness__party__code")
    )


def list_witnesses(actor: Actor) -> QuerySet[Witness]:
    """The cell's witnesses with the largest size each has cosigned (``last_size``)."""
    _require_member(actor)
    witnesses: QuerySet[Witness] = (
        Witness.objects.restrict(actor)
        .select_related("party")
        .annotate(last_size=Max("cosignatures__checkpoint__size"))
        # Explicit: a query with an aggregate drops the model's default ordering.
        .order_by("party__code", "name", "pk")
    )
    return witnesses


def get_witness(actor: Actor, public_id: str) -> Witness:
    _require_member(actor)
    try:
        witness: Witness = (
            Witness.objects.restrict(actor).select_related("party").get(public_id=public_id)
        )
    except (Witness.DoesNotExist, ValueError, ValidationError):
        raise NotFound() from None
    return witness


def list_visible_entries(actor: Actor, *, after: int = 0, limit: int = 100) -> list[Entry]:
    """Entries the actor may read with seq > ``after``, in order, with their leaf's salt."""
    _require_member(actor)
    return list(
        Entry.objects.restrict(actor)
        .filter(seq__gt=after)
        .select_related("leaf")
        .order_by("seq")[:limit]
    )


@dataclass(frozen=True)
class EntryProof:
    entry: Entry
    salt: bytes
    leaf_index: int
    leaf_hash: bytes
    tree_size: int
    root: bytes
    path: list[bytes]
    checkpoint: Checkpoint | None


def _size_param(raw: Any, name: str) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed({name: [_("Enter a whole number.")]}) from None
    if value < 1:
        raise ValidationFailed({name: [_("Enter a number of at least 1.")]})
    return value


def get_entry_proof(actor: Actor, seq: int, size: Any = None) -> EntryProof:
    """The inclusion proof of entry ``seq`` in the tree of ``size`` leaves.

    ``size`` defaults to the latest checkpoint's (the signed root the proof ends in), or
    the whole tree before the first checkpoint.
    """
    _require_member(actor)
    entry = Entry.objects.restrict(actor).filter(seq=seq).select_related("leaf").first()
    if entry is None:
        raise NotFound()
    wanted = _size_param(size, "size")
    current = tree_size()
    checkpoint = None
    if wanted is None:
        checkpoint = Checkpoint.objects.filter(size__gte=entry.seq).order_by("-size").first()
        wanted = checkpoint.size if checkpoint is not None else current
    else:
        checkpoint = Checkpoint.objects.filter(size=wanted).first()
    if wanted > current:
        raise ValidationFailed({"size": [_("The record has only %(n)s entries.") % {"n": current}]})
    if wanted < entry.seq:
        raise ValidationFailed(
            {"size": [_("The tree of that size does not contain this entry yet.")]}
        )
    index = entry.seq - 1
    return EntryProof(
        entry=entry,
        salt=bytes(entry.leaf.salt),
        leaf_index=index,
        leaf_hash=tree.leaf_hashes([index])[index],
        tree_size=wanted,
        root=tree.root_at(wanted),
        path=tree.inclusion_proof(index, wanted),
        checkpoint=checkpoint,
    )


def get_consistency_proof(actor: Actor, old: Any, new: Any) -> tuple[int, int, list[bytes]]:
    """The consistency proof between two sizes (``new`` defaults to the latest checkpoint)."""
    _require_member(actor)
    first = _size_param(old, "from")
    second = _size_param(new, "to")
    if first is None:
        raise ValidationFailed({"from": [_("This parameter is required.")]})
    if second is None:
        latest = Checkpoint.objects.order_by("-size").first()
        second = latest.size if latest is not None else tree_size()
    if second > tree_size():
        raise ValidationFailed(
            {"to": [_("The record has only %(n)s entries.") % {"n": tree_size()}]}
        )
    if first > second:
        raise ValidationFailed({"from": [_("'from' must not be larger than 'to'.")]})
    return first, second, tree.consistency_proof(first, second)
