"""The pure commitment scheme of sealed positions (``rules.positions_commit``)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from coordcell.record import merkle
from coordcell.record.offline import verify_main
from coordcell.rules import positions_commit as pc


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 13, 64])
def test_roots_and_proofs_are_rfc_6962_as_the_record_computes_them(size: int) -> None:
    datas = [f"leaf {i}".encode() for i in range(size)]
    hashes = [pc.leaf_hash(d) for d in datas]
    assert pc.root_of(hashes) == merkle.root_hash(datas)
    for index in range(size):
        proof = pc.inclusion_proof(hashes, index)
        assert proof == merkle.inclusion_proof(datas, index)
        assert merkle.verify_inclusion(hashes[index], index, size, proof, pc.root_of(hashes))


@pytest.mark.parametrize(("count", "size"), [(0, 1024), (1, 1024), (1024, 1024), (1025, 2048)])
def test_the_padded_size_says_nothing_below_the_floor(count: int, size: int) -> None:
    assert pc.padded_size(count) == size


def _reveal(index_of: int = 2, count: int = 5) -> dict[str, object]:
    items = [
        {"party": "p", "position": f"POS-{i}", "holdings": [{"count": i}]} for i in range(count)
    ]
    salts = [pc.new_salt() for _ in items]
    sealed = pc.seal(
        [pc.leaf_data(item, salt) for item, salt in zip(items, salts, strict=True)], 16
    )
    assert sealed.size == 16
    assert len(set(sealed.indices)) == count
    index = sealed.indices[index_of]
    return {
        "format": pc.REVEAL_FORMAT, "party": "p", "root": sealed.root.hex(), "size": sealed.size,
        "index": index, "salt": salts[index_of], "item": items[index_of],
        "proof": [h.hex() for h in pc.inclusion_proof(sealed.leaves, index)],
    }  # fmt: skip


def test_a_reveal_verifies_after_a_round_trip_through_json() -> None:
    document = json.loads(json.dumps(_reveal()))
    assert pc.is_reveal(document)
    assert pc.verify_reveal(document) == []


@pytest.mark.parametrize(
    "forge",
    [
        lambda d: d["item"].update(position="POS-9"),
        lambda d: d["item"]["holdings"][0].update(count=99),
        lambda d: d["item"].update(extra=True),
        lambda d: d.update(salt=pc.new_salt()),
        lambda d: d.update(index=(d["index"] + 1) % d["size"]),
        lambda d: d.update(size=32),
        lambda d: d["proof"].reverse(),
        lambda d: d["proof"].pop(),
        lambda d: d.update(root="00" * 32),
        lambda d: d.update(party="q"),
        lambda d: d.update(proof="not a list"),
        lambda d: d.update(index=True),
        lambda d: d.update(salt="zz"),
        lambda d: d.pop("item"),
    ],
)
def test_a_forged_reveal_fails(forge: object) -> None:
    document = _reveal()
    forged = copy.deepcopy(document)
    forge(forged)  # type: ignore[operator]
    assert pc.verify_reveal(forged) != []


def test_anything_else_is_not_a_reveal() -> None:
    for value in (None, [], {"format": "x"}, "text"):
        assert not pc.is_reveal(value)
        assert pc.verify_reveal(value)


def test_an_item_nested_too_deeply_to_encode_fails_and_does_not_raise() -> None:
    document = _reveal()
    nested: list[object] = []
    for _ in range(5_000):  # built without recursion, deeper than any encoder goes
        nested = [nested]
    document["item"]["extra"] = nested
    assert pc.verify_reveal(document) == ["the item is not canonical JSON"]


def test_verify_refuses_a_file_nested_too_deeply_with_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "reveal.json"
    path.write_text(f'{{"format": "{pc.REVEAL_FORMAT}", "item": {deep}}}')
    assert verify_main([str(path)]) == 2
    assert "nested too deeply" in capsys.readouterr().err
