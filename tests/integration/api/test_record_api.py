"""The record's API: checkpoints, cosignatures, proofs, entries and witnesses."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import pytest

from coordcell.record import merkle, note
from coordcell.record.keys import log_verifiers
from coordcell.record.models import Checkpoint, Cosignature, Entry, Witness
from tests.conftest import witness_signer
from tests.integration.api.conftest import NOT_ALLOWED, NOT_FOUND, results

pytestmark = pytest.mark.django_db


def _latest() -> Checkpoint:
    checkpoint = Checkpoint.objects.order_by("-size").first()
    assert checkpoint is not None
    return checkpoint


def _line(party: str, checkpoint: Checkpoint) -> str:
    body = note.parse_note(checkpoint.note).text
    return note.cosign(body, witness_signer(party), int(time.time()))


def test_the_latest_checkpoint_is_a_verifiable_signed_note(api: Any) -> None:
    data = api("observer", "token").get("/api/v1/record/checkpoint").json()
    checkpoint = _latest()
    assert data["size"] == checkpoint.size
    assert data["root"] == checkpoint.root
    assert data["log_keys"] == [v.vkey for v in log_verifiers()]
    opened, _ = note.open_note(data["note"], [note.Verifier.from_vkey(k) for k in data["log_keys"]])
    assert note.parse_checkpoint(opened.text).root.hex() == data["root"]
    assert data["cosignatures"] == []


def test_a_witness_posts_its_cosignature_and_it_is_served(api: Any) -> None:
    checkpoint = _latest()
    client = api("il.admin", "token")
    path = f"/api/v1/record/checkpoints/{checkpoint.size}/cosignatures"
    line = _line("il", checkpoint)
    first = client.post(path, {"signature": line}, content_type="application/json")
    assert first.status_code == 201
    assert first.json()["party"] == "il"
    again = client.post(path, {"signature": line}, content_type="application/json")
    assert again.status_code == 200
    served = api("sy.liaison").get(f"/api/v1/record/checkpoints/{checkpoint.size}").json()
    assert [c["witness"] for c in served["cosignatures"]] == ["witness.il.test"]
    opened = note.parse_note(served["note"])
    verifier = witness_signer("il").verifier
    cosigs = [s for s in opened.signatures if s.name == "witness.il.test"]
    assert note.verify_cosignature(opened.text, cosigs[0], verifier) is not None


def test_a_forked_cosignature_is_a_409_and_stores_nothing(api: Any) -> None:
    checkpoint = _latest()
    forged = note.Checkpoint(checkpoint.origin, checkpoint.size, bytes(32)).body()
    line = note.cosign(forged, witness_signer("il"), int(time.time()))
    response = api("il.admin", "token").post(
        f"/api/v1/record/checkpoints/{checkpoint.size}/cosignatures",
        {"signature": line},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert not Cosignature.objects.exists()


def test_another_partys_member_cannot_post_a_witness_cosignature(api: Any) -> None:
    checkpoint = _latest()
    response = api("sy.admin", "token").post(
        f"/api/v1/record/checkpoints/{checkpoint.size}/cosignatures",
        {"signature": _line("il", checkpoint)},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Cosignature.objects.exists()


@pytest.mark.parametrize("body", [{}, {"signature": ""}, {"signature": "nonsense"}, {"x": 1}])
def test_a_malformed_cosignature_is_a_400(api: Any, body: dict[str, Any]) -> None:
    response = api("il.admin").post(
        f"/api/v1/record/checkpoints/{_latest().size}/cosignatures",
        body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_an_unknown_checkpoint_is_not_found(api: Any) -> None:
    client = api("il.admin")
    assert client.get("/api/v1/record/checkpoints/999999").json() == NOT_FOUND
    response = client.post(
        "/api/v1/record/checkpoints/999999/cosignatures",
        {"signature": _line("il", _latest())},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_entries_are_the_callers_own_with_salts_that_open_the_leaves(api: Any) -> None:
    rows = api("il.liaison", "token").get("/api/v1/record/entries?limit=1000").json()
    visible = set(Entry.objects.filter(audience="|*|").values_list("seq", flat=True)) | set(
        Entry.objects.filter(audience__contains="|il|").values_list("seq", flat=True)
    )
    assert {r["seq"] for r in rows} == visible
    assert all("donor_a" not in r["canonical"] for r in rows)
    sample = rows[3]
    proof = api("il.liaison").get(f"/api/v1/record/entries/{sample['seq']}/proof").json()
    leaf = merkle.leaf_hash(
        hashlib.sha256(bytes.fromhex(sample["salt"]) + sample["canonical"].encode()).digest()
    )
    assert proof["leaf_hash"] == leaf.hex()
    assert proof["leaf_index"] == sample["seq"] - 1
    assert merkle.verify_inclusion(
        leaf,
        proof["leaf_index"],
        proof["tree_size"],
        [bytes.fromhex(h) for h in proof["proof"]],
        bytes.fromhex(proof["root"]),
    )
    assert proof["checkpoint"].startswith(_latest().origin + "\n")


def test_entries_page_with_after_and_limit(api: Any) -> None:
    client = api("mediator")
    first = client.get("/api/v1/record/entries?limit=5").json()
    assert [r["seq"] for r in first] == [1, 2, 3, 4, 5]
    after = client.get("/api/v1/record/entries?after=5&limit=2").json()
    assert [r["seq"] for r in after] == [6, 7]


@pytest.mark.parametrize("query", ["limit=0x", "limit=5000", "after=-1", "limit=-2"])
def test_bad_paging_is_a_400(api: Any, query: str) -> None:
    response = api("mediator").get(f"/api/v1/record/entries?{query}")
    assert response.status_code == 400


def test_a_hidden_entrys_proof_looks_exactly_like_a_missing_one(api: Any) -> None:
    hidden = Entry.objects.filter(audience__contains="|donor_a|").order_by("seq").first()
    assert hidden is not None
    client = api("sy.liaison", "token")
    missing = client.get("/api/v1/record/entries/999999/proof")
    denied = client.get(f"/api/v1/record/entries/{hidden.seq}/proof")
    assert (missing.status_code, missing.json()) == (denied.status_code, denied.json())
    assert denied.json() == NOT_FOUND
    assert api("donor").get(f"/api/v1/record/entries/{hidden.seq}/proof").status_code == 200


@pytest.mark.parametrize("size", ["abc", "0", "99999999"])
def test_a_bad_proof_size_is_a_400(api: Any, size: str) -> None:
    response = api("mediator").get(f"/api/v1/record/entries/2/proof?size={size}")
    assert response.status_code == 400
    assert "size" in response.json()["error"]["fields"]


def test_a_proof_in_an_older_tree_and_a_consistency_proof_verify(api: Any) -> None:
    client = api("monitor")
    older = client.get("/api/v1/record/entries/3/proof?size=5").json()
    assert older["tree_size"] == 5
    assert older["checkpoint"] is None
    later = Entry.objects.filter(audience="|*|", seq__gt=5).order_by("seq").first()
    assert later is not None
    assert client.get(f"/api/v1/record/entries/{later.seq}/proof?size=5").status_code == 400
    latest = _latest()
    data = client.get("/api/v1/record/consistency?from=5").json()
    assert data["to"] == latest.size
    root5 = bytes.fromhex(older["root"])
    proof = [bytes.fromhex(h) for h in data["proof"]]
    assert merkle.verify_consistency(5, latest.size, root5, bytes.fromhex(latest.root), proof)


def test_witnesses_are_listed_with_what_they_cosigned(api: Any) -> None:
    checkpoint = _latest()
    api("sy.admin").post(
        f"/api/v1/record/checkpoints/{checkpoint.size}/cosignatures",
        {"signature": _line("sy", checkpoint)},
        content_type="application/json",
    )
    rows = results(api("observer").get("/api/v1/record/witnesses"))
    by_party = {r["party"]: r for r in rows}
    assert by_party["sy"]["last_size"] == checkpoint.size
    assert by_party["il"]["last_size"] is None


def test_an_administrator_registers_and_retires_a_witness_over_the_api(api: Any) -> None:
    key = note.Signer.generate("witness.il.second", note.ALG_COSIGNATURE_V1)
    client = api("il.admin", "token")
    created = client.post(
        "/api/v1/record/witnesses", {"vkey": key.verifier.vkey}, content_type="application/json"
    )
    assert created.status_code == 201
    witness_id = created.json()["id"]
    other = api("sy.admin").post(f"/api/v1/record/witnesses/{witness_id}/retire")
    assert (other.status_code, other.json()) == (403, {
        "error": {
            "code": "permission_denied",
            "message": "Only a party's own cell administrators manage its witnesses.",
        }
    })  # fmt: skip
    retired = client.post(f"/api/v1/record/witnesses/{witness_id}/retire")
    assert retired.status_code == 200
    assert retired.json()["retired_at"]
    assert client.post(f"/api/v1/record/witnesses/{witness_id}/retire").status_code == 400


@pytest.mark.parametrize("username", ["il.liaison", "monitor", "donor", "observer"])
def test_only_administrators_register_witnesses(api: Any, username: str) -> None:
    key = note.Signer.generate("witness.x", note.ALG_COSIGNATURE_V1)
    count = Witness.objects.count()
    response = api(username).post(
        "/api/v1/record/witnesses", {"vkey": key.verifier.vkey}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == NOT_ALLOWED["error"]["code"]
    assert Witness.objects.count() == count


@pytest.mark.parametrize("witness_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_witness_is_not_found(api: Any, witness_id: str) -> None:
    response = api("il.admin").post(f"/api/v1/record/witnesses/{witness_id}/retire")
    assert response.json() == NOT_FOUND
