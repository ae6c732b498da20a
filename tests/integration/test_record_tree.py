"""The record's Merkle tree in the database: leaves, proofs, checkpoints, witnesses, checks.

The session fixtures (tests/conftest.py) load the scenario and the personas, register a
test witness for Israel and for Syria, and issue one checkpoint.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from coordcell.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from coordcell.record import merkle, note, selectors, tree
from coordcell.record.event_types import WITNESS_REGISTERED, WITNESS_RETIRED
from coordcell.record.export import check_record
from coordcell.record.keys import log_verifiers
from coordcell.record.models import Checkpoint, Cosignature, Entry, Head, Leaf, Witness
from coordcell.record.services import (
    add_cosignature,
    issue_checkpoint,
    register_witness,
    retire_witness,
)
from tests.conftest import witness_signer

pytestmark = pytest.mark.django_db


def _leaf_data() -> list[bytes]:
    """Every entry's commitment, recomputed from its canonical JSON and salt."""
    return [
        hashlib.sha256(bytes(salt) + canonical.encode()).digest()
        for salt, canonical in Entry.objects.order_by("seq").values_list("leaf__salt", "canonical")
    ]


def test_every_entry_is_a_leaf_and_the_head_holds_the_root() -> None:
    head = Head.objects.get(pk=1)
    leaves = _leaf_data()
    assert head.size == len(leaves) == Leaf.objects.count() > 10
    assert head.root == merkle.root_hash(leaves).hex()
    assert tree.root_at(head.size) == merkle.root_hash(leaves)
    assert set(Leaf.objects.values_list("index", flat=True)) == set(range(head.size))


def test_salts_are_random_and_distinct() -> None:
    salts = [bytes(s) for s in Leaf.objects.values_list("salt", flat=True)]
    assert all(len(s) == 32 for s in salts)
    assert len(set(salts)) == len(salts)


def test_stored_proofs_verify_and_match_the_reference_implementation() -> None:
    leaves = _leaf_data()
    size = len(leaves)
    for old in range(1, size + 1):
        root = merkle.root_hash(leaves[:old])
        assert tree.root_at(old) == root
        assert tree.consistency_proof(old, size) == merkle.consistency_proof(leaves, old)
        for index in {0, old // 2, old - 1}:
            proof = tree.inclusion_proof(index, old)
            assert proof == merkle.inclusion_proof(leaves[:old], index)
            assert merkle.verify_inclusion(merkle.leaf_hash(leaves[index]), index, old, proof, root)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE record_node SET hash = hash WHERE id = 0",
        "DELETE FROM record_node WHERE id = 0",
        'UPDATE record_leaf SET salt = salt WHERE "index" = 0',
        'DELETE FROM record_leaf WHERE "index" = 0',
        "UPDATE record_checkpoint SET root = root",
        "DELETE FROM record_checkpoint",
        "UPDATE record_cosignature SET line = line",
        "DELETE FROM record_cosignature",
    ],
)
def test_the_tree_tables_refuse_updates_and_deletes(actor: Any, sql: str) -> None:
    checkpoint = _latest()
    add_cosignature(actor=actor("il.admin"), size=checkpoint.size, line=_cosign("il", checkpoint))
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


# Checkpoints -----------------------------------------------------------------------


def test_the_session_checkpoint_is_signed_by_the_log_key() -> None:
    checkpoint = Checkpoint.objects.order_by("-size").first()
    assert checkpoint is not None
    opened, verified = note.open_note(checkpoint.note, list(log_verifiers()))
    parsed = note.parse_checkpoint(opened.text)
    assert verified
    assert parsed.origin == checkpoint.origin
    assert parsed.root == tree.root_at(parsed.size)


def _append(console: Any, n: int) -> None:
    from coordcell.parties.models import Party
    from coordcell.parties.services import create_delegation

    party = Party.objects.get(code="il")
    for i in range(n):
        create_delegation(actor=console, party=party, names={"en": f"Extra {i}"})


def test_a_checkpoint_is_due_after_enough_events_or_minutes(console: Any) -> None:
    last = Checkpoint.objects.order_by("-size").first()
    assert last is not None
    assert issue_checkpoint(now=last.issued_at + dt.timedelta(minutes=1)) is None  # nothing new
    _append(console, 1)
    with override_settings(CHECKPOINT_EVERY_EVENTS=3, CHECKPOINT_EVERY_MINUTES=5):
        assert issue_checkpoint(now=last.issued_at + dt.timedelta(minutes=1)) is None
        due = issue_checkpoint(now=last.issued_at + dt.timedelta(minutes=5))
        assert due is not None
        assert due.size == last.size + 1
        _append(console, 3)
        by_count = issue_checkpoint(now=due.issued_at)
        assert by_count is not None
        assert by_count.size == due.size + 3


def test_issuing_twice_makes_one_checkpoint(console: Any) -> None:
    _append(console, 1)
    first = issue_checkpoint(force=True)
    assert first is not None
    assert issue_checkpoint(force=True) is None
    assert Checkpoint.objects.filter(size=first.size).count() == 1


def test_the_worker_job_issues_checkpoints(console: Any) -> None:
    from coordcell.core.worker import registered_jobs

    job = next(j for j in registered_jobs() if j.name == "record.checkpoint")
    _append(console, 1)
    assert job.func(timezone.now() + dt.timedelta(hours=1)) == 1
    assert job.func(timezone.now() + dt.timedelta(hours=1)) == 0


# Witnesses -------------------------------------------------------------------------


def _cosigner_key(name: str = "witness.extra.test") -> note.Signer:
    return note.Signer.generate(name, note.ALG_COSIGNATURE_V1)


@pytest.mark.parametrize(
    "username", ["il.liaison", "il.analyst", "sy.liaison", "monitor", "observer", "donor"]
)
def test_only_a_partys_administrators_register_its_witness(actor: Any, username: str) -> None:
    count = Entry.objects.count()
    with pytest.raises(PermissionDenied):
        register_witness(actor=actor(username), vkey=_cosigner_key().verifier.vkey)
    assert Entry.objects.count() == count


def test_an_administrator_registers_for_their_own_party_and_it_is_recorded(actor: Any) -> None:
    key = _cosigner_key()
    witness = register_witness(actor=actor("sy.admin"), vkey=key.verifier.vkey)
    assert witness.party.code == "sy"
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.event_type == WITNESS_REGISTERED.code
    assert entry.data["vkey"] == key.verifier.vkey
    assert entry.audience == "|*|"


def test_the_mediator_registers_only_a_witness_of_its_own_party(actor: Any) -> None:
    witness = register_witness(actor=actor("mediator"), vkey=_cosigner_key().verifier.vkey)
    assert witness.party.code == "us"


@pytest.mark.parametrize(
    "vkey",
    [
        "",
        "not a key",
        "name+00000000+AAAA",
        note.Signer.from_seed("log.like", bytes(32)).verifier.vkey,  # a note key, not a cosigner
    ],
)
def test_a_bad_witness_key_is_refused(actor: Any, vkey: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        register_witness(actor=actor("il.admin"), vkey=vkey)
    assert "vkey" in caught.value.fields


def test_a_key_cannot_be_registered_twice(actor: Any) -> None:
    with pytest.raises(ValidationFailed):
        register_witness(actor=actor("il.admin"), vkey=witness_signer("il").verifier.vkey)


def test_retiring_is_for_the_partys_own_administrators(actor: Any) -> None:
    witness = Witness.objects.get(party__code="il")
    with pytest.raises(PermissionDenied):
        retire_witness(actor=actor("sy.admin"), witness=witness)
    with pytest.raises(PermissionDenied):
        retire_witness(actor=actor("mediator"), witness=witness)
    retire_witness(actor=actor("il.admin"), witness=witness)
    assert Witness.objects.get(pk=witness.pk).retired_at is not None
    assert Entry.objects.order_by("-seq").first().event_type == WITNESS_RETIRED.code  # type: ignore[union-attr]
    with pytest.raises(ValidationFailed):
        retire_witness(actor=actor("il.admin"), witness=witness)


# Cosignatures ----------------------------------------------------------------------


def _latest() -> Checkpoint:
    checkpoint = Checkpoint.objects.order_by("-size").first()
    assert checkpoint is not None
    return checkpoint


def _cosign(party: str, checkpoint: Checkpoint, at: int | None = None) -> str:
    body = note.parse_note(checkpoint.note).text
    return note.cosign(body, witness_signer(party), at if at is not None else int(time.time()))


def test_a_witness_cosigns_once(actor: Any) -> None:
    checkpoint = _latest()
    line = _cosign("il", checkpoint)
    cosignature, created = add_cosignature(
        actor=actor("il.liaison"), size=checkpoint.size, line=line
    )
    assert created
    assert cosignature.witness.party.code == "il"
    again, created = add_cosignature(actor=actor("il.admin"), size=checkpoint.size, line=line)
    assert not created
    assert again.pk == cosignature.pk
    assert Cosignature.objects.filter(checkpoint=checkpoint).count() == 1


def test_a_cosignature_is_accepted_only_from_the_witness_party(actor: Any) -> None:
    checkpoint = _latest()
    with pytest.raises(PermissionDenied):
        add_cosignature(
            actor=actor("sy.admin"), size=checkpoint.size, line=_cosign("il", checkpoint)
        )
    with pytest.raises(PermissionDenied):
        add_cosignature(
            actor=actor("mediator"), size=checkpoint.size, line=_cosign("il", checkpoint)
        )


def test_a_cosignature_of_another_tree_is_a_conflict(actor: Any) -> None:
    checkpoint = _latest()
    forged = note.Checkpoint(checkpoint.origin, checkpoint.size, bytes(32)).body()
    line = note.cosign(forged, witness_signer("il"), int(time.time()))
    with pytest.raises(Conflict):
        add_cosignature(actor=actor("il.admin"), size=checkpoint.size, line=line)


@pytest.mark.parametrize("line", ["", "x", "— witness.il.test !!!", "— witness.il.test AAAA"])
def test_a_malformed_cosignature_is_invalid_or_refused(actor: Any, line: str) -> None:
    with pytest.raises((ValidationFailed, PermissionDenied)):
        add_cosignature(actor=actor("il.admin"), size=_latest().size, line=line)


def test_a_cosignature_from_the_future_is_refused(actor: Any) -> None:
    checkpoint = _latest()
    line = _cosign("il", checkpoint, at=int(time.time()) + 3600)
    with pytest.raises(ValidationFailed):
        add_cosignature(actor=actor("il.admin"), size=checkpoint.size, line=line)


def test_a_retired_witness_cannot_cosign(actor: Any) -> None:
    retire_witness(actor=actor("sy.admin"), witness=Witness.objects.get(party__code="sy"))
    checkpoint = _latest()
    with pytest.raises(PermissionDenied):
        add_cosignature(
            actor=actor("sy.admin"), size=checkpoint.size, line=_cosign("sy", checkpoint)
        )


def test_a_cosignature_of_an_unknown_size_is_not_found(actor: Any) -> None:
    with pytest.raises(NotFound):
        add_cosignature(actor=actor("il.admin"), size=10**9, line=_cosign("il", _latest()))


# Reads -----------------------------------------------------------------------------


def test_an_entry_proof_is_only_for_its_audience(actor: Any) -> None:
    donor_entry = Entry.objects.exclude(audience="").filter(audience__contains="|donor_a|").first()
    assert donor_entry is not None
    with pytest.raises(NotFound):
        selectors.get_entry_proof(actor("il.liaison"), donor_entry.seq)
    proof = selectors.get_entry_proof(actor("donor"), donor_entry.seq)
    assert merkle.verify_inclusion(
        proof.leaf_hash, proof.leaf_index, proof.tree_size, proof.path, proof.root
    )
    assert proof.checkpoint is not None
    assert proof.tree_size == proof.checkpoint.size


def test_outsiders_read_nothing_of_the_record(actor: Any) -> None:
    outsider = actor("outsider")
    for read in (
        lambda: selectors.latest_checkpoint(outsider),
        lambda: selectors.get_entry_proof(outsider, 1),
        lambda: selectors.get_consistency_proof(outsider, 1, None),
        lambda: list(selectors.list_witnesses(outsider)),
    ):
        with pytest.raises(NotFound):
            read()


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [("0", None, "from"), ("x", None, "from"), (None, None, "from"), ("2", "1", "from"),
     ("1", "999999", "to"), ("1", "-3", "to")],
)  # fmt: skip
def test_bad_consistency_sizes_are_invalid(actor: Any, old: Any, new: Any, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        selectors.get_consistency_proof(actor("il.liaison"), old, new)
    assert field in caught.value.fields


# The live check --------------------------------------------------------------------


def _drop_triggers(table: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER {table}_no_update")
        else:
            cursor.execute(f"DROP TRIGGER {table}_no_update_delete ON {table}")


def test_the_live_check_passes_on_an_intact_record() -> None:
    result = check_record()
    assert result.problems == []
    assert result.size == Head.objects.get(pk=1).size


def test_the_live_check_names_an_entry_edited_behind_the_servers_back() -> None:
    _drop_triggers("record_entry")  # rolled back with the test
    entry = Entry.objects.get(seq=5)
    forged = entry.canonical.replace('"seq":5', '"seq":5 ', 1)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE record_entry SET canonical = %s WHERE seq = 5", [forged])
    problems = check_record().problems
    assert problems[0].startswith("entry 5:")
    assert any(p.startswith("entry 5: differs from its leaf") for p in problems)


def test_the_live_check_names_a_leaf_edited_in_the_tree() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER record_node_no_update")
        else:
            cursor.execute("DROP TRIGGER record_node_no_update_delete ON record_node")
        cursor.execute("UPDATE record_node SET hash = %s WHERE id = 6", [bytes(32)])
    problems = check_record().problems
    assert "entry 7: differs from its leaf in the tree (altered)" in problems


def test_a_witness_name_belongs_to_one_witness(actor: Any) -> None:
    """Syria cannot register a key named like Israel's witness (pages and bundles name it)."""
    impostor = note.Signer.generate("witness.il.test", note.ALG_COSIGNATURE_V1)
    with pytest.raises(ValidationFailed):
        register_witness(actor=actor("sy.admin"), vkey=impostor.verifier.vkey)
