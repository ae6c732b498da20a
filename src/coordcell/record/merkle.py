"""RFC 6962 / RFC 9162 Merkle hash trees over SHA-256: roots, inclusion and consistency proofs.

This is the project's public verification module: a party that holds a signed tree head (a
checkpoint) checks with it, using only the Python standard library, that an event is in the
record and that the record only ever grew. Other programs may rely on these names and on their
exact results; the algorithms are those of RFC 9162 §2.1 (identical to RFC 6962 §2.1 for the
hashing), so any conformant implementation in any language gives the same bytes.

The tree (RFC 9162 §2.1.1), for an ordered list of leaves ``D[n] = d0, d1, ..., d(n-1)``:

- the hash of the empty tree is ``SHA-256(b"")``;
- the hash of a leaf is ``SHA-256(0x00 || d)``;
- for ``n > 1``, with ``k`` the largest power of two smaller than ``n``, the tree hash is
  ``SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))``.

The distinct prefixes for leaves and interior nodes keep a leaf from ever being passed off as
a node (second-preimage resistance).

Proofs are lists of hashes of subtrees ``MTH(D[start:end])``. The helpers
:func:`inclusion_ranges` and :func:`consistency_ranges` name those ranges without touching any
data, :func:`complete_subtrees` splits such a range into the aligned perfect subtrees a store
can keep (one row per ``(level, index)`` node, written as the tree grows by
:class:`Frontier`), and :func:`fold_subtrees` joins their hashes back into the range's hash. The
in-memory functions below are built from the same helpers, so the reference vectors test the
path a stored tree takes as well.

The two ``verify_*`` functions never raise: any malformed input (wrong types, hashes that are
not exactly 32 bytes, impossible sizes, proofs of the wrong length) simply fails to verify.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Frontier",
    "RangeHash",
    "complete_subtrees",
    "consistency_proof",
    "consistency_proof_from",
    "consistency_ranges",
    "fold_subtrees",
    "inclusion_proof",
    "inclusion_proof_from",
    "inclusion_ranges",
    "leaf_hash",
    "node_hash",
    "root_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

RangeHash = Callable[[int, int], bytes]
"""``range_hash(start, end)`` returns ``MTH(D[start:end])``, the hash of leaves ``start..end-1``."""


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``: the hash of one leaf."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an interior node."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _is_count(value: object) -> bool:
    """An ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


# --- ranges: which subtree hashes make up a proof ------------------------------------------


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ``[start, end)`` ranges whose hashes form the inclusion proof of leaf ``index`` in a
    tree of ``size`` leaves, in proof order (from the leaf's sibling up to the root's child).

    This is RFC 9162 §2.1.3.1 ``PATH(m, D[n])``. Raises ``ValueError`` unless
    ``0 <= index < size``.
    """
    if not (_is_count(index) and _is_count(size)) or not 0 <= index < size:
        raise ValueError(f"leaf index {index!r} is not in a tree of size {size!r}")
    path: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            path.append((mid, hi))
            hi = mid
        else:
            path.append((lo, mid))
            lo = mid
    path.reverse()
    return path


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The ``[start, end)`` ranges whose hashes form the consistency proof from a tree of
    ``old_size`` leaves to one of ``new_size`` leaves, in proof order.

    This is RFC 9162 §2.1.4.1 ``PROOF(m, D[n]) = SUBPROOF(m, D[n], true)``; equal sizes give
    ``[]``. Raises ``ValueError`` unless ``0 < old_size <= new_size``.
    """
    if not (_is_count(old_size) and _is_count(new_size)) or not 0 < old_size <= new_size:
        raise ValueError(
            f"no consistency proof from size {old_size!r} to size {new_size!r} "
            "(needs 0 < old size <= new size)"
        )
    outer: list[tuple[int, int]] = []
    lo, hi, m = 0, new_size, old_size
    whole = True  # the SUBPROOF flag b: is [lo, hi) still known to the old tree's holder?
    while m != hi - lo:
        mid = lo + _split(hi - lo)
        if m <= mid - lo:
            outer.append((mid, hi))
            hi = mid
        else:
            outer.append((lo, mid))
            m -= mid - lo
            lo = mid
            whole = False
    path: list[tuple[int, int]] = [] if whole else [(lo, hi)]
    path.extend(reversed(outer))
    return path


def complete_subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """Split a range ``[start, end)`` of a proof into aligned perfect subtrees.

    Returns ``(level, index)`` pairs, left to right; node ``(level, index)`` covers leaves
    ``[index * 2**level, (index + 1) * 2**level)``. Their sizes follow the binary digits of
    ``end - start``, largest first, and :func:`fold_subtrees` of their hashes is the range's
    hash. Every range that :func:`inclusion_ranges` or :func:`consistency_ranges` produces (and
    every whole tree, ``start == 0``) qualifies: ``start`` must be a multiple of the smallest
    power of two not below ``end - start``. Anything else raises ``ValueError``, since its
    RFC 6962 hash would not be a fold of aligned subtrees.
    """
    if not (_is_count(start) and _is_count(end)) or not 0 <= start < end:
        raise ValueError(f"[{start!r}, {end!r}) is not a non-empty range of leaves")
    n = end - start
    if start % (1 << (n - 1).bit_length()):
        raise ValueError(f"[{start}, {end}) is not a range of a Merkle proof")
    nodes: list[tuple[int, int]] = []
    pos = start
    for level in range(n.bit_length() - 1, -1, -1):
        if n >> level & 1:
            nodes.append((level, pos >> level))
            pos += 1 << level
    return nodes


def fold_subtrees(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from the hashes of its :func:`complete_subtrees`, left to right.

    Folds from the right: the smaller subtrees on the right join first. Raises ``ValueError``
    for an empty list.
    """
    if not hashes:
        raise ValueError("no subtree hashes to fold")
    h = hashes[-1]
    for left in reversed(hashes[:-1]):
        h = node_hash(left, h)
    return h


def inclusion_proof_from(range_hash: RangeHash, index: int, size: int) -> list[bytes]:
    """The inclusion proof of leaf ``index`` in a tree of ``size`` leaves, with the subtree
    hashes read through ``range_hash`` (for example from stored nodes)."""
    return [range_hash(start, end) for start, end in inclusion_ranges(index, size)]


def consistency_proof_from(range_hash: RangeHash, old_size: int, new_size: int) -> list[bytes]:
    """The consistency proof from size ``old_size`` to ``new_size``, with the subtree hashes
    read through ``range_hash``."""
    return [range_hash(start, end) for start, end in consistency_ranges(old_size, new_size)]


# --- in-memory trees -----------------------------------------------------------------------


def _perfect_hash(hashes: Sequence[bytes], start: int, count: int) -> bytes:
    """The hash of the perfect subtree over ``hashes[start:start + count]`` (``count`` is a
    power of two): ``count - 1`` node hashes."""
    layer = list(hashes[start : start + count])
    while len(layer) > 1:
        layer = [node_hash(layer[i], layer[i + 1]) for i in range(0, len(layer), 2)]
    return layer[0]


def _memory_range_hash(hashes: Sequence[bytes]) -> RangeHash:
    """A :data:`RangeHash` over in-memory leaf hashes, going through :func:`complete_subtrees`
    and :func:`fold_subtrees` exactly as a store of nodes does. ``O(end - start)`` per range,
    so ``O(n)`` per proof (the ranges of one proof are disjoint)."""

    def range_hash(start: int, end: int) -> bytes:
        return fold_subtrees(
            [
                _perfect_hash(hashes, index << level, 1 << level)
                for level, index in complete_subtrees(start, end)
            ]
        )

    return range_hash


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """``MTH(D[n])`` of the leaf data ``leaves`` (not their hashes); ``EMPTY_ROOT`` for none."""
    frontier = Frontier()
    for data in leaves:
        frontier.append(leaf_hash(data))
    return frontier.root()


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The RFC 9162 inclusion proof of ``leaves[index]`` in the tree of all ``leaves`` (leaf
    data, not hashes). Raises ``ValueError`` if ``index`` is out of range."""
    hashes = [leaf_hash(data) for data in leaves]
    return inclusion_proof_from(_memory_range_hash(hashes), index, len(hashes))


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """The RFC 9162 consistency proof from the tree of ``leaves[:old_size]`` to the tree of all
    ``leaves`` (leaf data). ``[]`` when ``old_size == len(leaves)``. Raises ``ValueError``
    unless ``0 < old_size <= len(leaves)``."""
    hashes = [leaf_hash(data) for data in leaves]
    return consistency_proof_from(_memory_range_hash(hashes), old_size, len(hashes))


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) -----------------------------------------


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows that the leaf with hash ``leaf_hash`` is at ``index`` in the tree
    of ``tree_size`` leaves whose root hash is ``root`` (RFC 9162 §2.1.3.2).

    Takes the leaf's *hash* (``leaf_hash(data)``), not its data. Never raises: bad input of
    any kind returns ``False``.
    """
    try:
        if not (_is_count(index) and _is_count(tree_size)) or not 0 <= index < tree_size:
            return False
        if not (_is_hash(leaf_hash) and _is_hash(root)):
            return False
        fn, sn, r = index, tree_size - 1, leaf_hash
        for p in proof:
            if sn == 0 or not _is_hash(p):
                return False
            if fn & 1 or fn == sn:
                r = hashlib.sha256(_NODE_PREFIX + p + r).digest()
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
            else:
                r = hashlib.sha256(_NODE_PREFIX + r + p).digest()
            fn >>= 1
            sn >>= 1
        return sn == 0 and hmac.compare_digest(r, root)
    except Exception:
        return False


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows that the tree of ``new_size`` leaves with root ``new_root``
    extends the tree of ``old_size`` leaves with root ``old_root`` (RFC 9162 §2.1.4.2).

    Policy: ``0 < old_size <= new_size``; equal sizes need an empty proof and equal roots.
    Never raises: bad input of any kind returns ``False``.
    """
    try:
        if not (_is_count(old_size) and _is_count(new_size)) or not 0 < old_size <= new_size:
            return False
        if not (_is_hash(old_root) and _is_hash(new_root)):
            return False
        path = list(proof)
        if old_size == new_size:
            return not path and hmac.compare_digest(old_root, new_root)
        if old_size & (old_size - 1) == 0:  # a power of two: the old root is a node of the path
            path.insert(0, old_root)
        if not path or not all(_is_hash(c) for c in path):
            return False
        fn, sn = old_size - 1, new_size - 1
        while fn & 1:
            fn >>= 1
            sn >>= 1
        fr = sr = path[0]
        for c in path[1:]:
            if sn == 0:
                return False
            if fn & 1 or fn == sn:
                fr = hashlib.sha256(_NODE_PREFIX + c + fr).digest()
                sr = hashlib.sha256(_NODE_PREFIX + c + sr).digest()
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
            else:
                sr = hashlib.sha256(_NODE_PREFIX + sr + c).digest()
            fn >>= 1
            sn >>= 1
        return sn == 0 and hmac.compare_digest(fr, old_root) and hmac.compare_digest(sr, new_root)
    except Exception:
        return False


# --- a growing tree ------------------------------------------------------------------------


class Frontier:
    """Compact range of a growing tree: the roots of its perfect subtrees, left to right (sizes
    follow the binary digits of size, largest first).

    Appending a leaf hash costs ``O(log n)`` and reports every node that became complete, so a
    store can keep each ``(level, index)`` node once and later answer any proof from them.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if not _is_count(size) or size < 0:
            raise ValueError(f"tree size must be a non-negative integer, not {size!r}")
        stored = list(hashes)
        if len(stored) != size.bit_count():
            raise ValueError(
                f"a tree of size {size} has {size.bit_count()} perfect subtrees, not {len(stored)}"
            )
        if not all(_is_hash(h) for h in stored):
            raise ValueError(f"subtree hashes must be {HASH_SIZE} bytes each")
        self._size = size
        self._hashes = stored

    @property
    def size(self) -> int:
        """The number of leaves."""
        return self._size

    @property
    def hashes(self) -> list[bytes]:
        """The perfect subtrees' root hashes, left to right (a copy)."""
        return list(self._hashes)

    def __repr__(self) -> str:
        return f"Frontier(size={self._size}, root={self.root().hex()})"

    def append(self, leaf_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf by its *hash*; return the nodes that now exist and did not before, as
        ``(level, index, hash)``: the leaf ``(0, old size, leaf_hash)`` first, then each parent
        made by merging equal-sized subtrees, by increasing level."""
        if not _is_hash(leaf_hash):
            raise ValueError(f"a leaf hash must be {HASH_SIZE} bytes")
        index = self._size
        h = leaf_hash
        created = [(0, index, h)]
        level = 0
        while index & 1:
            h = node_hash(self._hashes.pop(), h)
            index >>= 1
            level += 1
            created.append((level, index, h))
        self._hashes.append(h)
        self._size += 1
        return created

    def root(self) -> bytes:
        """``MTH`` of the whole tree; ``EMPTY_ROOT`` when it has no leaves."""
        if not self._hashes:
            return EMPTY_ROOT
        return fold_subtrees(self._hashes)
