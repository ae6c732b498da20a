"""Sealed position baselines: salted leaves, one padded Merkle root per batch, reveals.

Pure Python (standard library only), so that ``coordcell verify`` checks a reveal file on
a machine with no server and no database. The scheme (``docs/positions.md``):

- each committed item (a position's state at the baseline date, or one later change) is a
  *leaf*: the canonical JSON of ``{"item": …, "salt": …}`` (keys sorted, no spaces, UTF-8),
  with a fresh 256-bit random salt, so that nobody can confirm a guessed item from its hash;
- the leaves of one batch are shuffled among random *dummy* leaf hashes, padded to a power
  of two of at least :data:`MIN_LEAVES`, and hashed as an RFC 6962 / RFC 9162 Merkle tree
  (leaf ``SHA-256(0x00 || data)``, node ``SHA-256(0x01 || left || right)``, as
  ``record.merkle``); only the root and the padded size go to the record, so the record
  says neither how many positions a party holds (below the floor) nor which leaf is real;
- a *reveal* is one item with its salt, its index and its inclusion proof: anyone checks it
  against the root (:func:`verify_reveal`). Changing any field of the item, the salt, the
  index or a hash of the proof fails the check.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "MIN_LEAVES",
    "REVEAL_FORMAT",
    "Sealed",
    "canonical",
    "inclusion_proof",
    "is_reveal",
    "leaf_data",
    "leaf_hash",
    "new_salt",
    "padded_size",
    "root_of",
    "seal",
    "verify_reveal",
]

#: The fewest leaves a commitment has: a party with up to this many items commits a tree
#: of exactly this size, so its root says nothing of how many positions it holds.
MIN_LEAVES = 1024
#: The ``format`` of a reveal file (what ``coordcell verify`` recognises).
REVEAL_FORMAT = "coordcell-position-reveal/1"
_HASH = 32


def canonical(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def new_salt() -> str:
    """A fresh 256-bit salt, hex."""
    return secrets.token_hex(32)


def leaf_data(item: Mapping[str, Any], salt: str) -> bytes:
    """The bytes of one leaf: the canonical JSON of the item and its salt."""
    return canonical({"item": dict(item), "salt": salt})


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def padded_size(count: int, floor: int = MIN_LEAVES) -> int:
    """The tree size for ``count`` real leaves: a power of two, at least ``floor``."""
    size = max(1, floor)
    while size < count:
        size *= 2
    return size


def _split(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """The RFC 6962 tree hash of a list of leaf hashes (not empty)."""
    if not leaves:
        raise ValueError("a commitment has at least one leaf")
    level = list(leaves)
    if len(level) & (len(level) - 1) == 0:  # a perfect tree: level by level
        while len(level) > 1:
            level = [_node(level[i], level[i + 1]) for i in range(0, len(level), 2)]
        return level[0]
    k = _split(len(level))
    return _node(root_of(level[:k]), root_of(level[k:]))


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 9162 ``PATH(index, D[n])``: sibling hashes from the leaf up to the root."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf index {index} is not in a tree of {len(leaves)}")
    path: list[bytes] = []
    lo, hi = 0, len(leaves)
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            path.append(root_of(leaves[mid:hi]))
            hi = mid
        else:
            path.append(root_of(leaves[lo:mid]))
            lo = mid
    path.reverse()
    return path


def _root_from_path(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root an inclusion proof leads to (None if malformed)."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = _node(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


class Sealed:
    """One sealed batch: the root, the padded size, every leaf hash and where each item is."""

    def __init__(self, root: bytes, leaves: list[bytes], indices: list[int]) -> None:
        self.root = root
        self.leaves = leaves
        self.indices = indices

    @property
    def size(self) -> int:
        return len(self.leaves)


def seal(datas: Sequence[bytes], floor: int = MIN_LEAVES) -> Sealed:
    """Commit the leaf datas of one batch: shuffled among random dummies, padded.

    ``indices[i]`` is where ``datas[i]`` landed. Dummy leaves are hashes of random bytes,
    indistinguishable from the hashes of salted items."""
    size = padded_size(len(datas), floor)
    slots = list(range(size))
    rng = secrets.SystemRandom()
    rng.shuffle(slots)
    indices = slots[: len(datas)]
    leaves = [hashlib.sha256(b"\x00" + secrets.token_bytes(32)).digest() for _ in range(size)]
    for data, index in zip(datas, indices, strict=True):
        leaves[index] = leaf_hash(data)
    return Sealed(root_of(leaves), leaves, indices)


def is_reveal(document: Any) -> bool:
    """Whether a parsed JSON document is a position reveal file."""
    return isinstance(document, dict) and document.get("format") == REVEAL_FORMAT


def _hex(value: Any) -> bytes | None:
    if not isinstance(value, str) or len(value) != 2 * _HASH:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


def verify_reveal(document: Any) -> list[str]:
    """The problems of a reveal file (an empty list when it verifies). Never raises.

    Checks that the item, with its salt, is the leaf at ``index`` of the tree of ``size``
    leaves whose root is ``root``, by its inclusion ``proof``; and that the item names
    the party and the commitment the file claims."""
    if not is_reveal(document):
        return [f"not a position reveal (format {REVEAL_FORMAT!r} expected)"]
    problems: list[str] = []
    item, salt = document.get("item"), document.get("salt")
    index, size = document.get("index"), document.get("size")
    root = _hex(document.get("root"))
    proof_raw = document.get("proof")
    if not isinstance(item, dict):
        problems.append("the item is missing")
    if not isinstance(salt, str) or _hex(salt) is None:
        problems.append("the salt is not 64 hexadecimal digits")
    if root is None:
        problems.append("the root is not 64 hexadecimal digits")
    ints_ok = all(isinstance(v, int) and not isinstance(v, bool) for v in (index, size))
    if not ints_ok:
        problems.append("the index or the size is not a whole number")
    proof = [_hex(p) for p in proof_raw] if isinstance(proof_raw, list) else [None]
    if any(p is None for p in proof):
        problems.append("the proof is not a list of 64-hexadecimal-digit hashes")
    if problems:
        return problems
    assert isinstance(item, dict)
    assert isinstance(salt, str)
    assert root is not None
    if item.get("party") != document.get("party"):
        problems.append("the item names another party than the commitment")
    try:
        data = leaf_data(item, salt)
    except (ValueError, RecursionError):  # nested too deeply to encode: no item either
        return ["the item is not canonical JSON"]
    got = _root_from_path(index, size, leaf_hash(data), [p for p in proof if p is not None])
    if got is None or not hmac.compare_digest(got, root):
        problems.append(
            "the item with its salt is not the committed leaf: the proof does not lead to "
            "the commitment's root"
        )
    return problems
