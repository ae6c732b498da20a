"""The RFC 6962 / RFC 9162 Merkle tree: reference vectors, then properties on random trees.

The vectors are in ``tests/vectors/merkle`` (see ``tests/vectors/SOURCES.md``).
"""

from __future__ import annotations

import hashlib
import json
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordcell.record.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    Frontier,
    complete_subtrees,
    consistency_proof,
    consistency_proof_from,
    consistency_ranges,
    fold_subtrees,
    inclusion_proof,
    inclusion_proof_from,
    inclusion_ranges,
    leaf_hash,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from tests import reference

VECTORS: dict[str, Any] = json.loads(
    (reference.VECTORS / "merkle" / "rfc6962-vectors.json").read_text()
)
LEAVES = [bytes.fromhex(h) for h in VECTORS["leaves_hex"]]
H = bytes.fromhex

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def flip(value: bytes, bit: int) -> bytes:
    """``value`` with one bit flipped (``bit`` taken modulo its length in bits)."""
    bit %= len(value) * 8
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def make_leaves(n: int, salt: bytes = b"") -> list[bytes]:
    """``n`` distinct leaves."""
    return [salt + i.to_bytes(4, "big") for i in range(n)]


# --- reference vectors ---------------------------------------------------------------------


def test_vector_file_uses_the_hashing_this_module_implements() -> None:
    meta = VECTORS["meta"]
    assert meta["hash"] == "SHA-256"
    assert H(meta["empty_tree_root"]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert HASH_SIZE == 32
    assert leaf_hash(b"ab") == hashlib.sha256(b"\x00ab").digest()
    assert (
        node_hash(b"L" * 32, b"R" * 32) == hashlib.sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()
    )
    assert meta["consistency_policy"].startswith("0 < first <= second")


@pytest.mark.parametrize("size", range(len(VECTORS["roots_by_size"])))
def test_roots_by_size(size: int) -> None:
    expected = H(VECTORS["roots_by_size"][size])
    assert root_hash(LEAVES[:size]) == expected
    frontier = Frontier()
    for data in LEAVES[:size]:
        frontier.append(leaf_hash(data))
    assert frontier.root() == expected
    assert Frontier(frontier.size, frontier.hashes).root() == expected


def test_node_hashes_by_level() -> None:
    levels = VECTORS["node_hashes_by_level"]
    assert [H(h) for h in levels[0]] == [leaf_hash(d) for d in LEAVES]
    stored: dict[tuple[int, int], bytes] = {}
    frontier = Frontier()
    for data in LEAVES:
        for level, index, h in frontier.append(leaf_hash(data)):
            stored[level, index] = h
    expected = {
        (level, index): H(h) for level, row in enumerate(levels) for index, h in enumerate(row)
    }
    assert stored == expected
    for (level, index), h in expected.items():
        width = 1 << level
        assert root_hash(LEAVES[index * width : (index + 1) * width]) == h


@pytest.mark.parametrize(
    "case",
    VECTORS["inclusion"],
    ids=[f"leaf{c['leaf_index']}-of-{c['tree_size']}" for c in VECTORS["inclusion"]],
)
def test_inclusion_vectors(case: dict[str, Any]) -> None:
    index, size = case["leaf_index"], case["tree_size"]
    leaf, root, path = H(case["leaf_hash"]), H(case["root"]), [H(h) for h in case["path"]]
    assert leaf == leaf_hash(LEAVES[index])
    assert root == H(VECTORS["roots_by_size"][size])
    assert inclusion_proof(LEAVES[:size], index) == path
    assert verify_inclusion(leaf, index, size, path, root)
    assert not verify_inclusion(leaf, index, size, [*path, root], root)
    assert not verify_inclusion(flip(leaf, 7), index, size, path, root)
    assert not verify_inclusion(leaf, index, size, path, flip(root, 0))
    for i in range(len(path)):
        assert not verify_inclusion(leaf, index, size, path[:i] + path[i + 1 :], root)
        assert not verify_inclusion(
            leaf, index, size, [*path[:i], flip(path[i], 255), *path[i + 1 :]], root
        )
    for other in range(size):
        if other != index:
            assert not verify_inclusion(leaf, other, size, path, root)


@pytest.mark.parametrize(
    "case",
    VECTORS["consistency"],
    ids=[f"{c['first']}-to-{c['second']}" for c in VECTORS["consistency"]],
)
def test_consistency_vectors(case: dict[str, Any]) -> None:
    first, second = case["first"], case["second"]
    old, new, path = H(case["first_root"]), H(case["second_root"]), [H(h) for h in case["path"]]
    assert old == H(VECTORS["roots_by_size"][first])
    assert new == H(VECTORS["roots_by_size"][second])
    assert consistency_proof(LEAVES[:second], first) == path
    assert verify_consistency(first, second, old, new, path)
    assert not verify_consistency(first, second, old, new, [*path, old])
    assert not verify_consistency(first, second, flip(old, 3), new, path)
    assert not verify_consistency(first, second, old, flip(new, 200), path)
    for i in range(len(path)):
        assert not verify_consistency(first, second, old, new, path[:i] + path[i + 1 :])
        assert not verify_consistency(
            first, second, old, new, [*path[:i], flip(path[i], 9), *path[i + 1 :]]
        )


def test_published_vectors_are_present() -> None:
    assert any(c["published"] for c in VECTORS["inclusion"])
    assert any(c["published"] for c in VECTORS["consistency"])
    assert len(VECTORS["inclusion"]) == sum(range(1, 9))
    assert len(VECTORS["consistency"]) == sum(range(1, 9))


# --- range helpers -------------------------------------------------------------------------


def test_ranges_reject_bad_input() -> None:
    for index, size in [(0, 0), (3, 3), (-1, 4), (True, 4), (0, 2.0)]:
        with pytest.raises(ValueError, match="not in a tree"):
            inclusion_ranges(index, size)  # type: ignore[arg-type]
    for old, new in [(0, 0), (0, 4), (5, 4), (-1, 2), (1, True)]:
        with pytest.raises(ValueError, match="no consistency proof"):
            consistency_ranges(old, new)
    assert consistency_ranges(6, 6) == []
    with pytest.raises(ValueError, match="index"):
        inclusion_proof([], 0)
    with pytest.raises(ValueError, match="index"):
        inclusion_proof(LEAVES, 8)
    with pytest.raises(ValueError, match="consistency"):
        consistency_proof(LEAVES, 0)
    with pytest.raises(ValueError, match="consistency"):
        consistency_proof(LEAVES, 9)
    assert consistency_proof(LEAVES, 8) == []


def test_complete_subtrees() -> None:
    assert complete_subtrees(0, 1) == [(0, 0)]
    assert complete_subtrees(0, 7) == [(2, 0), (1, 2), (0, 6)]
    assert complete_subtrees(8, 13) == [(2, 2), (0, 12)]
    assert complete_subtrees(4, 8) == [(2, 1)]
    for start, end in [(1, 4), (2, 5), (3, 3), (5, 4), (-2, 0), (6, 10)]:
        with pytest.raises(ValueError, match="range"):
            complete_subtrees(start, end)
    with pytest.raises(ValueError, match="no subtree"):
        fold_subtrees([])


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 3000), st.data())
def test_every_proof_range_splits_into_aligned_subtrees(size: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, size - 1))
    old = data.draw(st.integers(1, size))
    for start, end in [*inclusion_ranges(index, size), *consistency_ranges(old, size), (0, size)]:
        nodes = complete_subtrees(start, end)
        covered = [(i << level, (i + 1) << level) for level, i in nodes]
        assert covered[0][0] == start
        assert covered[-1][1] == end
        assert all(a[1] == b[0] for a, b in pairwise(covered))
        assert [level for level, _ in nodes] == sorted((level for level, _ in nodes), reverse=True)


# --- properties on random trees ------------------------------------------------------------


@PROPERTY
@given(st.integers(1, 200), st.binary(max_size=8), st.data())
def test_inclusion_proofs_verify_and_resist_tampering(
    size: int, salt: bytes, data: st.DataObject
) -> None:
    leaves = make_leaves(size, salt)
    root = root_hash(leaves)
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = inclusion_proof(leaves, index)
    leaf = leaf_hash(leaves[index])
    assert len(proof) == len(inclusion_ranges(index, size))
    assert verify_inclusion(leaf, index, size, proof, root)

    bit = data.draw(st.integers(0, 255), label="bit")
    assert not verify_inclusion(flip(leaf, bit), index, size, proof, root)
    assert not verify_inclusion(leaf, index, size, proof, flip(root, bit))
    for i in range(len(proof)):
        tampered = [*proof[:i], flip(proof[i], bit), *proof[i + 1 :]]
        assert not verify_inclusion(leaf, index, size, tampered, root)
        assert not verify_inclusion(leaf, index, size, proof[:i] + proof[i + 1 :], root)
    extra = data.draw(st.binary(min_size=32, max_size=32), label="extra")
    for at in range(len(proof) + 1):
        assert not verify_inclusion(leaf, index, size, [*proof[:at], extra, *proof[at:]], root)

    # The same leaf and root at another index of the same tree never verify.
    other = data.draw(st.integers(0, size - 1), label="other")
    if other != index:
        assert not verify_inclusion(leaf, other, size, proof, root)
    # For another (index, size), even with that tree's own leaf and root, the proof verifies
    # only if it happens to be that position's proof too.
    size2 = data.draw(st.integers(1, 200), label="size2")
    index2 = data.draw(st.integers(0, size2 - 1), label="index2")
    leaves2 = make_leaves(size2, salt)
    if (index2, size2) != (index, size):
        assert verify_inclusion(
            leaf_hash(leaves2[index2]), index2, size2, proof, root_hash(leaves2)
        ) == (proof == inclusion_proof(leaves2, index2))


@PROPERTY
@given(st.integers(1, 200), st.binary(max_size=8), st.data())
def test_consistency_proofs_verify_and_resist_tampering(
    size: int, salt: bytes, data: st.DataObject
) -> None:
    leaves = make_leaves(size, salt)
    old_size = data.draw(st.integers(1, size), label="old_size")
    old, new = root_hash(leaves[:old_size]), root_hash(leaves)
    proof = consistency_proof(leaves, old_size)
    assert len(proof) == len(consistency_ranges(old_size, size))
    assert verify_consistency(old_size, size, old, new, proof)

    bit = data.draw(st.integers(0, 255), label="bit")
    assert not verify_consistency(old_size, size, flip(old, bit), new, proof)
    assert not verify_consistency(old_size, size, old, flip(new, bit), proof)
    for i in range(len(proof)):
        tampered = [*proof[:i], flip(proof[i], bit), *proof[i + 1 :]]
        assert not verify_consistency(old_size, size, old, new, tampered)
        assert not verify_consistency(old_size, size, old, new, proof[:i] + proof[i + 1 :])
    extra = data.draw(st.binary(min_size=32, max_size=32), label="extra")
    for at in range(len(proof) + 1):
        assert not verify_consistency(old_size, size, old, new, [*proof[:at], extra, *proof[at:]])
    if old_size == size:
        assert proof == []
        assert not verify_consistency(old_size, size, old, flip(old, bit), [])
    else:
        assert proof
        assert not verify_consistency(old_size, size, old, new, [])
        assert not verify_consistency(size, old_size, new, old, proof)

    # Other sizes, with that pair's own roots: only if it is their proof too.
    new2 = data.draw(st.integers(1, 200), label="new2")
    old2 = data.draw(st.integers(1, new2), label="old2")
    leaves2 = make_leaves(new2, salt)
    if (old2, new2) != (old_size, size):
        assert verify_consistency(
            old2, new2, root_hash(leaves2[:old2]), root_hash(leaves2), proof
        ) == (proof == consistency_proof(leaves2, old2))


GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.binary(max_size=40),
    st.binary(min_size=32, max_size=32).map(bytearray),
    st.binary(min_size=32, max_size=32).map(lambda b: b.hex()),
    st.lists(st.binary(max_size=40), max_size=4),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(object()),
)
PROOFS = st.one_of(
    GARBAGE,
    st.lists(st.binary(min_size=32, max_size=32), max_size=10),
    st.lists(st.one_of(GARBAGE, st.binary(min_size=32, max_size=32)), max_size=10),
)
HASHES = st.one_of(GARBAGE, st.binary(min_size=32, max_size=32))
SIZES = st.one_of(GARBAGE, st.integers(-3, 300))


@settings(max_examples=300, deadline=None)
@given(HASHES, SIZES, SIZES, PROOFS, HASHES)
def test_verify_inclusion_never_raises(
    leaf: Any, index: Any, size: Any, proof: Any, root: Any
) -> None:
    assert isinstance(verify_inclusion(leaf, index, size, proof, root), bool)


@settings(max_examples=300, deadline=None)
@given(SIZES, SIZES, HASHES, HASHES, PROOFS)
def test_verify_consistency_never_raises(
    old_size: Any, new_size: Any, old: Any, new: Any, proof: Any
) -> None:
    assert isinstance(verify_consistency(old_size, new_size, old, new, proof), bool)


@PROPERTY
@given(st.integers(1, 64), st.data())
def test_garbage_in_a_valid_proof_fails(size: int, data: st.DataObject) -> None:
    leaves = make_leaves(size)
    index = data.draw(st.integers(0, size - 1))
    old_size = data.draw(st.integers(1, size))
    leaf, root, old = leaf_hash(leaves[index]), root_hash(leaves), root_hash(leaves[:old_size])
    proof = inclusion_proof(leaves, index)
    cproof = consistency_proof(leaves, old_size)
    bad_hash: Any = data.draw(
        st.one_of(
            GARBAGE,
            st.binary(max_size=31),
            st.binary(min_size=33, max_size=64),
            st.just(bytearray(leaf)),
            st.just(memoryview(leaf)),
        ).filter(lambda v: not isinstance(v, bytes) or len(v) != HASH_SIZE)
    )
    bad_count = data.draw(
        st.one_of(
            st.integers(max_value=-1),
            st.booleans(),
            st.floats(),
            st.text(max_size=3),
            st.none(),
            st.just(float(index)),
        )
    )
    assert not verify_inclusion(bad_hash, index, size, proof, root)
    assert not verify_inclusion(leaf, index, size, proof, bad_hash)
    assert not verify_inclusion(leaf, bad_count, size, proof, root)
    assert not verify_inclusion(leaf, index, bad_count, proof, root)
    assert not verify_inclusion(leaf, index, index, proof, root)
    assert not verify_inclusion(leaf, index, 0, [], root)
    assert not verify_consistency(old_size, size, bad_hash, root, cproof)
    assert not verify_consistency(old_size, size, old, bad_hash, cproof)
    assert not verify_consistency(bad_count, size, old, root, cproof)
    assert not verify_consistency(old_size, bad_count, old, root, cproof)
    assert not verify_consistency(0, size, EMPTY_ROOT, root, cproof)
    assert not verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1))
        assert not verify_inclusion(
            leaf, index, size, [*proof[:at], bad_hash, *proof[at + 1 :]], root
        )
    if cproof:
        at = data.draw(st.integers(0, len(cproof) - 1))
        cbad = [*cproof[:at], bad_hash, *cproof[at + 1 :]]
        assert not verify_consistency(old_size, size, old, root, cbad)


# --- Frontier and stored nodes -------------------------------------------------------------


@PROPERTY
@given(st.integers(0, 200), st.binary(max_size=8))
def test_frontier_appends_every_perfect_subtree_once(size: int, salt: bytes) -> None:
    leaves = make_leaves(size, salt)
    frontier = Frontier()
    stored: dict[tuple[int, int], bytes] = {}
    for n, data in enumerate(leaves):
        created = frontier.append(leaf_hash(data))
        assert created[0] == (0, n, leaf_hash(data))
        assert [level for level, _, _ in created] == list(range(len(created)))
        for level, index, h in created:
            assert (level, index) not in stored
            stored[level, index] = h
        assert frontier.size == n + 1
        assert len(frontier.hashes) == (n + 1).bit_count()
    assert frontier.root() == root_hash(leaves)

    perfect = {
        (level, index) for level in range(size.bit_length()) for index in range(size >> level)
    }
    assert set(stored) == perfect
    for (level, index), h in stored.items():
        assert h == root_hash(leaves[index << level : (index + 1) << level])


@PROPERTY
@given(st.integers(1, 200), st.binary(max_size=8), st.data())
def test_stored_nodes_reproduce_the_in_memory_proofs(
    size: int, salt: bytes, data: st.DataObject
) -> None:
    leaves = make_leaves(size, salt)
    frontier = Frontier()
    stored: dict[tuple[int, int], bytes] = {}
    for leaf in leaves:
        for level, index, h in frontier.append(leaf_hash(leaf)):
            stored[level, index] = h

    def range_hash(start: int, end: int) -> bytes:
        return fold_subtrees([stored[node] for node in complete_subtrees(start, end)])

    index = data.draw(st.integers(0, size - 1))
    ranges = inclusion_ranges(index, size)
    assert [range_hash(s, e) for s, e in ranges] == inclusion_proof(leaves, index)
    assert inclusion_proof_from(range_hash, index, size) == inclusion_proof(leaves, index)
    old_size = data.draw(st.integers(1, size))
    ranges = consistency_ranges(old_size, size)
    assert [range_hash(s, e) for s, e in ranges] == consistency_proof(leaves, old_size)
    assert consistency_proof_from(range_hash, old_size, size) == consistency_proof(leaves, old_size)
    assert range_hash(0, size) == root_hash(leaves) == frontier.root()

    # A frontier rebuilt from its size and hashes carries on identically.
    cut = data.draw(st.integers(0, size))
    partial = Frontier()
    for leaf in leaves[:cut]:
        partial.append(leaf_hash(leaf))
    resumed = Frontier(partial.size, partial.hashes)
    for n, leaf in enumerate(leaves[cut:], start=cut):
        created = resumed.append(leaf_hash(leaf))
        assert all(stored[level, i] == h for level, i, h in created)
        assert created[0][1] == n
    assert resumed.root() == frontier.root()


def test_frontier_rejects_bad_state() -> None:
    assert Frontier().root() == EMPTY_ROOT
    assert Frontier().size == 0
    good = [b"\x11" * 32, b"\x22" * 32]
    assert Frontier(5, good).root() == node_hash(good[0], good[1])
    with pytest.raises(ValueError, match="perfect subtrees"):
        Frontier(5, good[:1])
    with pytest.raises(ValueError, match="perfect subtrees"):
        Frontier(0, good[:1])
    with pytest.raises(ValueError, match="32 bytes"):
        Frontier(5, [b"\x11" * 32, b"\x22" * 31])
    with pytest.raises(ValueError, match="non-negative"):
        Frontier(-1)
    with pytest.raises(ValueError, match="32 bytes"):
        Frontier().append(b"short")
    frontier = Frontier(5, good)
    frontier.hashes.append(b"x")  # a copy: the frontier is unchanged
    assert frontier.hashes == good
    assert "size=5" in repr(frontier)


def test_proofs_on_large_trees_verify() -> None:
    """Proofs at the edges of a 10^4-leaf tree (speed is measured in benchmarks/record.py)."""
    leaves = make_leaves(10_000)
    root = root_hash(leaves)
    for index in (0, 4_095, 9_999):
        proof = inclusion_proof(leaves, index)
        assert verify_inclusion(leaf_hash(leaves[index]), index, 10_000, proof, root)
    for old_size in (1, 4_096, 9_999):
        proof = consistency_proof(leaves, old_size)
        assert verify_consistency(old_size, 10_000, root_hash(leaves[:old_size]), root, proof)
