"""Record bundles: exported from the test database, verified offline, and caught when edited.

The session fixtures (tests/conftest.py) load the scenario and the personas, register a
test witness for Israel and Syria and issue one checkpoint. Each test first has both
witnesses cosign the latest checkpoint, so that the bundle carries cosignatures, then
exports a bundle with ``export_bundle`` and checks it with ``verify_bundle`` (and
``coordcell verify``), pinning the log's key and the witnesses' keys.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from coordcell.core.actor import Actor
from coordcell.record import bundle, note
from coordcell.record.bundle import BundleReport, verify_bundle
from coordcell.record.export import export_bundle
from coordcell.record.keys import log_verifiers
from coordcell.record.models import Checkpoint, Entry
from coordcell.record.offline import verify_main
from coordcell.record.services import add_cosignature
from tests.conftest import WITNESSED, witness_signer

pytestmark = pytest.mark.django_db

#: A string only the donor's events (and the mediator's) contain.
DONOR_ONLY = b"donor_a"


@pytest.fixture
def cosigned(actor: Callable[[str], Actor]) -> Checkpoint:
    """The latest checkpoint, cosigned by the Israeli and the Syrian test witnesses."""
    checkpoint = Checkpoint.objects.order_by("-size").first()
    assert checkpoint is not None
    body = note.parse_note(checkpoint.note).text
    for party in WITNESSED:
        line = note.cosign(body, witness_signer(party), int(time.time()))
        _cosignature, created = add_cosignature(
            actor=actor(f"{party}.admin"), size=checkpoint.size, line=line
        )
        assert created
    return checkpoint


def _log_keys() -> list[str]:
    return [v.vkey for v in log_verifiers()]


def _witness_keys() -> list[str]:
    return [witness_signer(p).verifier.vkey for p in WITNESSED]


def _export(who: Actor) -> bytes:
    out = BytesIO()
    export_bundle(who, out)
    return out.getvalue()


def _verify(data: bytes, **keys: Any) -> BundleReport:
    if not keys:
        keys = {"log_keys": _log_keys(), "witness_keys": _witness_keys()}
    return verify_bundle(BytesIO(data), **keys)


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _entry_seqs(data: bytes) -> list[int]:
    return [int(line.split(b" ", 2)[1]) for line in _lines(data) if line.startswith(b"entry ")]


def _flip(data: bytes, at: int) -> bytes:
    """``data`` with the ASCII letter or digit at ``at`` replaced by another one."""
    old = data[at : at + 1]
    assert old.isalnum(), old
    new = b"B" if old != b"B" else b"C"
    return data[:at] + new + data[at + 1 :]


# --- good bundles -------------------------------------------------------------------------


def test_the_operators_bundle_verifies_with_every_entry_and_both_cosignatures(
    console: Actor, cosigned: Checkpoint
) -> None:
    data = _export(console)

    report = _verify(data)

    assert report.ok, report.problems
    size = Entry.objects.count()
    assert report.entries == report.leaves == size
    assert _entry_seqs(data) == list(range(1, size + 1))
    assert report.checkpoints[-1] == cosigned.size == size
    assert report.cosigned == {f"witness.{p}.test": cosigned.size for p in WITNESSED}
    assert report.notes == []  # every key was pinned: nothing taken from the bundle
    assert data.startswith(b"coordcell-bundle 2\nmeta ")
    assert data.endswith(b"end %d\n" % size)


@pytest.mark.parametrize("username", ["il.liaison", "sy.analyst", "donor", "monitor"])
def test_a_personas_bundle_verifies_and_holds_exactly_what_they_may_read(
    username: str, actor: Callable[[str], Actor], cosigned: Checkpoint
) -> None:
    who = actor(username)
    data = _export(who)

    report = _verify(data)

    assert report.ok, report.problems
    readable = list(Entry.objects.restrict(who).order_by("seq").values_list("seq", flat=True))
    assert _entry_seqs(data) == readable
    assert report.entries == len(readable) < report.leaves == Entry.objects.count()
    assert report.cosigned == {f"witness.{p}.test": cosigned.size for p in WITNESSED}


def test_a_bundle_without_the_donors_events_carries_none_of_their_text(
    console: Actor, actor: Callable[[str], Actor], cosigned: Checkpoint
) -> None:
    full = _export(console)
    hidden = {
        seq
        for seq, canonical in Entry.objects.values_list("seq", "canonical")
        if DONOR_ONLY.decode() in canonical
    }
    assert hidden, "the scenario should have entries that name the donor"
    assert DONOR_ONLY in full  # the operator's bundle does carry them

    data = _export(actor("il.liaison"))

    assert DONOR_ONLY not in data
    assert hidden.isdisjoint(_entry_seqs(data))
    for seq in hidden:
        canonical = Entry.objects.get(seq=seq).canonical.encode()
        assert canonical not in data
    report = _verify(data)
    assert report.ok, report.problems
    assert report.leaves == Entry.objects.count()  # their leaves are there, as commitments


def test_without_pinned_keys_it_verifies_with_the_bundles_own_and_says_so(
    console: Actor, cosigned: Checkpoint
) -> None:
    report = verify_bundle(BytesIO(_export(console)))

    assert report.ok, report.problems
    assert any("--log-key" in n for n in report.notes)
    assert any("--witness-key" in n for n in report.notes)


# --- edited bundles -----------------------------------------------------------------------


def test_a_byte_flipped_in_an_entry_names_that_entry(console: Actor, cosigned: Checkpoint) -> None:
    data = _export(console)
    lines = _lines(data)
    # Entry 12 (a delegation set up), in the middle of the record.
    target = next(i for i, line in enumerate(lines) if line.startswith(b"entry 12 "))
    line = lines[target]
    canonical_at = len(b" ".join(line.split(b" ", 3)[:3])) + 1
    at = canonical_at + line[canonical_at:].index(b'"type":"') + 9
    edited = b"".join(lines[:target]) + _flip(line, at) + b"".join(lines[target + 1 :])
    assert len(edited) == len(data)
    assert edited != data

    report = _verify(edited)

    assert not report.ok
    first = report.problems[0]
    assert first.where == f"entry 12 (line {target + 1})"
    assert "altered" in first.message
    assert len(report.problems) == 1, report.problems


def test_a_byte_flipped_in_a_cosignature_names_the_checkpoint_and_the_witness(
    console: Actor, cosigned: Checkpoint
) -> None:
    data = _export(console)
    name = b"witness.sy.test "
    start = data.index(name) + len(name)
    signature = re.match(rb"[A-Za-z0-9+/]+", data[start:])
    assert signature is not None
    assert len(signature.group()) > 100
    # Inside the Ed25519 signature, past the key ID: the first letter or digit from the 60th
    # character (a random signature may have "+" or "/" there).
    at = next(
        i for i in range(start + 60, start + len(signature.group())) if data[i : i + 1].isalnum()
    )
    edited = _flip(data, at)

    report = _verify(edited)

    assert not report.ok
    first = report.problems[0]
    assert first.where == f"checkpoint {cosigned.size}"
    assert first.message == "the cosignature of witness.sy.test does not verify"
    # The other witness's cosignature is untouched and still counts.
    assert report.cosigned == {"witness.il.test": cosigned.size}


def test_a_byte_flipped_in_a_hidden_leaf_names_the_checkpoint_root(
    actor: Callable[[str], Actor], cosigned: Checkpoint
) -> None:
    data = _export(actor("il.liaison"))
    shown = set(_entry_seqs(data))
    index = next(seq - 1 for seq in range(1, cosigned.size + 1) if seq not in shown)
    lines = _lines(data)
    at = next(i for i, line in enumerate(lines) if line.startswith(b"leaves 0 "))
    digests = bytearray(base64.b64decode(lines[at].split(b" ")[2]))
    digests[index * 32 + 7] ^= 0x01
    lines[at] = b"leaves 0 " + base64.b64encode(bytes(digests)) + b"\n"
    edited = b"".join(lines)

    report = _verify(edited)

    assert not report.ok
    covering = [s for s in report.checkpoints if s > index]
    assert covering
    assert [p.where for p in report.problems] == [f"checkpoint {s}" for s in covering]
    assert all("do not give its signed root" in p.message for p in report.problems)


def test_a_truncated_bundle_says_so(console: Actor, cosigned: Checkpoint) -> None:
    data = _export(console)
    without_end = data[: data.rindex(b"end ")]

    report = _verify(without_end)

    assert [str(p) for p in report.problems] == ["end: the bundle is truncated (no 'end' line)"]

    halved = _verify(data[: len(data) // 2])
    assert not halved.ok
    assert any("truncated" in p.message for p in halved.problems), halved.problems


def test_a_bundle_checked_against_another_log_key_fails(
    console: Actor, cosigned: Checkpoint
) -> None:
    other = note.Signer.generate(cosigned.origin).verifier.vkey

    report = _verify(_export(console), log_keys=[other], witness_keys=_witness_keys())

    assert not report.ok
    assert report.problems[0].where.startswith("checkpoint on line ")
    assert "no verifiable signatures" in report.problems[0].message


# --- coordcell verify -----------------------------------------------------------------------


def test_coordcell_verify_passes_a_good_bundle_and_names_the_edited_entry(
    console: Actor, cosigned: Checkpoint, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _export(console)
    good = tmp_path / "bundle.txt"
    good.write_bytes(data)
    keys = ["--log-key", *_log_keys()]
    for vkey in _witness_keys():
        keys += ["--witness-key", vkey]

    assert verify_main([str(good), *keys]) == 0

    out = capsys.readouterr().out
    assert f"OK {cosigned.origin}: {cosigned.size} entries verified" in out
    assert f"cosigned by witness.il.test up to {cosigned.size} entries" in out

    lines = _lines(data)
    target = next(i for i, line in enumerate(lines) if line.startswith(b"entry 20 "))
    entry = json.loads(lines[target].split(b" ", 3)[3])
    assert entry["seq"] == 20
    tail = lines[target].rstrip(b"\n")
    at = len(tail) - 3  # inside the canonical JSON's last member
    while not tail[at : at + 1].isalnum():
        at -= 1
    lines[target] = _flip(tail, at) + b"\n"
    edited = tmp_path / "edited.txt"
    edited.write_bytes(b"".join(lines))

    assert verify_main([str(edited), *keys]) == 1

    err = capsys.readouterr().err
    assert f"FAILED entry 20 (line {target + 1}): does not match leaf 19" in err
    assert "1 failure(s)" in err


def test_coordcell_verify_reads_the_keys_from_files(
    console: Actor, cosigned: Checkpoint, tmp_path: Path
) -> None:
    path = tmp_path / "bundle.txt"
    path.write_bytes(_export(console))
    log_file = tmp_path / "log.vkey"
    log_file.write_text("\n".join(_log_keys()) + "\n", encoding="utf-8")
    witness_file = tmp_path / "witnesses.vkey"
    witness_file.write_text("\n".join(_witness_keys()) + "\n", encoding="utf-8")
    stranger = tmp_path / "stranger.vkey"
    stranger.write_text(
        note.Signer.generate("witness.xx.test", note.ALG_COSIGNATURE_V1).verifier.vkey + "\n",
        encoding="utf-8",
    )

    assert (
        verify_main([str(path), "--log-key", str(log_file), "--witness-key", str(witness_file)])
        == 0
    )
    # A pinned witness that cosigned nothing in the bundle is reported with its lag, and is
    # a failure only when every entry is required to be witnessed.
    keys = [str(path), "--log-key", str(log_file), "--witness-key", str(stranger)]
    assert verify_main(keys) == 0
    assert verify_main([*keys, "--require-witnessed"]) == 1


def test_the_bundle_format_helpers_round_trip() -> None:
    hashes = [bytes([i % 256]) * 32 for i in range(bundle.LEAVES_PER_LINE + 3)]

    lines = list(bundle.leaves_lines(hashes))

    assert [line.split(b" ")[1] for line in lines] == [b"0", b"%d" % bundle.LEAVES_PER_LINE]
    decoded = b"".join(base64.b64decode(line.split(b" ")[2]) for line in lines)
    assert decoded == b"".join(hashes)
