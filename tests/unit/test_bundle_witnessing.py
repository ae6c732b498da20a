"""Witnesses in a bundle: their lag is reported; bad cosignatures and, on request,
unwitnessed entries fail.

Someone with the log key alone can sign a checkpoint of any tree; only the parties'
witnesses stop a split view. But a witness that is idle (or slow) must not make every
fresh bundle fail: its lag is reported, and ``require_witnessed`` (``coordcell verify
--require-witnessed``) refuses entries beyond the largest checkpoint it cosigned, naming
the first of them.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets

from coordcell.record import bundle, merkle, note


def _entry(seq: int) -> tuple[bytes, str]:
    salt = secrets.token_bytes(32)
    canonical = json.dumps(
        {"actor": {}, "audience": [], "data": {"n": seq}, "party": None, "seq": seq,
         "subjects": [], "time": "2026-01-01T00:00:00Z", "type": "x.y"},
        separators=(",", ":"), sort_keys=True,
    )  # fmt: skip
    return salt, canonical


def _bundle(n: int, witnessed: int, log: note.Signer, witness: note.Signer) -> bytes:
    entries = [_entry(seq) for seq in range(1, n + 1)]
    leaves = [merkle.leaf_hash(hashlib.sha256(salt + c.encode()).digest()) for salt, c in entries]
    out = io.BytesIO()
    out.write(bundle.FORMAT.encode() + b"\n")
    meta = {"origin": log.name, "log_keys": [log.verifier.vkey],
            "witnesses": [{"party": "il", "vkey": witness.verifier.vkey}],
            "reader": None}  # fmt: skip
    out.write(b"meta " + json.dumps(meta).encode() + b"\n")
    for size in (witnessed, n):
        frontier = merkle.Frontier()
        for leaf in leaves[:size]:
            frontier.append(leaf)
        body = note.Checkpoint(log.name, size, frontier.root()).body()
        signed = note.sign_note(body, [log])
        if size == witnessed:
            signed = note.add_signatures(signed, [note.cosign(body, witness, 1_800_000_000)])
        out.write(bundle.checkpoint_line(signed))
    for line in bundle.leaves_lines(leaves):
        out.write(line)
    for seq, (salt, canonical) in enumerate(entries, start=1):
        out.write(bundle.entry_line(seq, salt, canonical))
    out.write(b"end %d\n" % n)
    return out.getvalue()


def test_entries_beyond_what_a_pinned_witness_cosigned_are_refused_when_required() -> None:
    log = note.Signer.generate("log.test")
    witness = note.Signer.generate("witness.il.test", note.ALG_COSIGNATURE_V1)
    data = _bundle(10, 4, log, witness)
    pinned = bundle.verify_bundle(
        io.BytesIO(data), log_keys=[log.verifier.vkey], witness_keys=[witness.verifier.vkey],
        require_witnessed=True,
    )  # fmt: skip
    assert not pinned.ok
    assert [p.where for p in pinned.problems] == ["entry 5"]
    assert "witness.il.test" in pinned.problems[0].message
    # Without pinned witnesses it is only an integrity check, and says so.
    loose = bundle.verify_bundle(io.BytesIO(data), log_keys=[log.verifier.vkey])
    assert loose.ok
    assert any("witness keys taken from the bundle" in n for n in loose.notes)


def test_a_fully_witnessed_bundle_passes() -> None:
    log = note.Signer.generate("log.test")
    witness = note.Signer.generate("witness.il.test", note.ALG_COSIGNATURE_V1)
    data = _bundle(10, 10, log, witness)
    report = bundle.verify_bundle(
        io.BytesIO(data), log_keys=[log.verifier.vkey], witness_keys=[witness.verifier.vkey]
    )
    assert report.ok, report.problems
    assert report.cosigned == {"witness.il.test": 10}


def test_a_lagging_witness_is_reported_not_failed() -> None:
    """An idle witness registered by one party must not make fresh bundles fail for all."""
    log = note.Signer.generate("log.test")
    witness = note.Signer.generate("witness.il.test", note.ALG_COSIGNATURE_V1)
    idle = note.Signer.generate("witness.xx.test", note.ALG_COSIGNATURE_V1)
    data = _bundle(10, 4, log, witness)

    report = bundle.verify_bundle(
        io.BytesIO(data), log_keys=[log.verifier.vkey],
        witness_keys=[witness.verifier.vkey, idle.verifier.vkey],
    )  # fmt: skip

    assert report.ok, report.problems
    assert report.lag == {"witness.il.test": 6, "witness.xx.test": 10}
    assert report.notes == [
        "witness witness.il.test has cosigned up to 4 of the 10 entries (lag 6): entries 5 "
        "to 10 are signed by the log alone",
        "witness witness.xx.test has cosigned no checkpoint of the 10 entries (lag 10): "
        "entries 1 to 10 are signed by the log alone",
    ]


def test_a_bad_cosignature_still_fails_a_lagging_bundle() -> None:
    log = note.Signer.generate("log.test")
    witness = note.Signer.generate("witness.il.test", note.ALG_COSIGNATURE_V1)
    data = _bundle(10, 4, log, witness)
    name = b"witness.il.test "
    at = data.index("— ".encode() + name) + len("— ".encode() + name) + 10
    flipped = data[:at] + (b"B" if data[at : at + 1] != b"B" else b"C") + data[at + 1 :]

    report = bundle.verify_bundle(
        io.BytesIO(flipped), log_keys=[log.verifier.vkey], witness_keys=[witness.verifier.vkey]
    )

    assert [str(p) for p in report.problems] == [
        "checkpoint 4: the cosignature of witness.il.test does not verify"
    ]
