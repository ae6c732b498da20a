"""The record's Merkle tree in the database: leaves, stored subtree hashes and proofs.

Each entry is a leaf of an RFC 9162 tree. Its leaf data is the commitment
``SHA-256(salt || canonical)``; the salt is random per entry and given only to those
who may read the entry, so neither the tree nor a proof reveals anything of an event's
content or audience. Every complete subtree's hash is stored (:class:`Node`) in the
same transaction as its entry, so a proof reads O(log n) rows in one query and a crash
can never leave an entry without its place in the tree.

The proof algorithms are those of :mod:`coordcell.record.merkle`, run over stored
nodes instead of a list of leaves.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence

from coordcell.record import merkle
from coordcell.record.models import Entry, Head, Leaf, Node, node_key

__all__ = [
    "TreeError",
    "append_leaf",
    "commitment",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hashes",
    "root_at",
]


class TreeError(Exception):
    """The stored tree lacks a node it should have (it was damaged behind our back)."""


def commitment(salt: bytes, canonical: bytes) -> bytes:
    """The leaf data of an entry: ``SHA-256(salt || canonical JSON)``."""
    return hashlib.sha256(salt + canonical).digest()


def append_leaf(head: Head, entry: Entry, canonical: bytes) -> tuple[str, bytes]:
    """Add ``entry`` as leaf ``seq - 1``, store the completed subtrees; return the new root
    (hex) and the entry's leaf hash.

    Runs inside ``append_event``'s transaction, with ``head`` locked; the caller saves
    the returned root and ``head.frontier`` (updated here).
    """
    salt = secrets.token_bytes(32)
    frontier = merkle.Frontier(head.size, [bytes.fromhex(h) for h in head.frontier])
    if frontier.size != entry.seq - 1:
        raise TreeError(f"the tree has {frontier.size} leaves but entry #{entry.seq} follows")
    nodes = frontier.append(merkle.leaf_hash(commitment(salt, canonical)))
    Leaf.objects.create(entry=entry, index=entry.seq - 1, salt=salt)
    Node.objects.bulk_create(
        [Node(id=node_key(level, index), hash=digest) for level, index, digest in nodes]
    )
    head.frontier = [h.hex() for h in frontier.hashes]
    return frontier.root().hex(), nodes[0][2]


def _range_hashes(ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """The hash of each [start, end) range, from the stored complete subtrees, one query."""
    parts = [merkle.complete_subtrees(start, end) for start, end in ranges]
    keys = {node_key(level, index) for part in parts for level, index in part}
    stored = {pk: bytes(h) for pk, h in Node.objects.filter(pk__in=keys).values_list("pk", "hash")}
    hashes = []
    for part in parts:
        try:
            hashes.append(merkle.fold_subtrees([stored[node_key(lv, ix)] for lv, ix in part]))
        except KeyError:
            raise TreeError("a stored tree node is missing; run `coordcell record check`") from None
    return hashes


def root_at(size: int) -> bytes:
    """The tree's root when it had ``size`` leaves (``size`` <= the current size)."""
    if size == 0:
        return merkle.EMPTY_ROOT
    return _range_hashes([(0, size)])[0]


def inclusion_proof(index: int, size: int) -> list[bytes]:
    """The RFC 9162 inclusion proof of leaf ``index`` in the tree of ``size`` leaves."""
    return _range_hashes(merkle.inclusion_ranges(index, size))


def consistency_proof(old_size: int, new_size: int) -> list[bytes]:
    """The RFC 9162 consistency proof from ``old_size`` to ``new_size`` leaves."""
    return _range_hashes(merkle.consistency_ranges(old_size, new_size))


def leaf_hashes(indexes: Iterable[int]) -> dict[int, bytes]:
    """The stored leaf hashes of the given leaf indexes."""
    keys = [node_key(0, i) for i in indexes]
    return {pk: bytes(h) for pk, h in Node.objects.filter(pk__in=keys).values_list("pk", "hash")}
