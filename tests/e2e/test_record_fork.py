"""A party's witness catches a forked server, and a rolled-back one (docs/record.md, Witnesses).

One demo data directory is served by server A; the Israeli witness (the demo's own key
and token, ``coordcell witness`` in a subprocess) cosigns it. The directory is then
copied and served by server B with the same log key: a log operator who forks its
database. Each copy takes other writes and signs its own checkpoints. The witness keeps
cosigning A, which only grew, and refuses B, whose tree does not extend what it saw,
with exit status 3 and the evidence saved. A witness that saw A's larger tree refuses
B's older, smaller one as a rollback.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from coordcell.record import merkle, note
from tests import built_once
from tests.e2e.record_cell import COMMAND_TIMEOUT, Cell, Server, api

pytestmark = [
    pytest.mark.skipif(
        built_once.postgres_pass(),
        reason="a SQLite data directory: runs in the suite's SQLite pass",
    ),
]


@pytest.fixture
def cells(tmp_path: Path) -> Iterator[list[Cell]]:
    """The cells a test made (their servers are killed at the end)."""
    made: list[Cell] = []
    yield made
    for cell in made:
        cell.kill_all()


def _witness(cell: Cell, server: Server, state: Path) -> subprocess.CompletedProcess[str]:
    """One run of ``cell``'s Israeli witness (the demo's key and token) against ``server``.

    The witness is the party's, not the server's: the same key, token and ``state`` serve
    against whichever server it is pointed at.
    """
    folder = cell.data_dir / "witnesses" / "il"
    return subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "coordcell.cli",
            "witness",
            "--server",
            server.base_url,
            "--token-file",
            str(folder / "token"),
            "--key",
            str(folder / "witness.key"),
            "--state",
            str(state),
        ],
        cwd=cell.root,
        env={k: v for k, v in cell.env.items() if not k.startswith("COORDCELL_")},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


def _state(folder: Path) -> dict:
    return json.loads((folder / "state.json").read_text(encoding="utf-8"))


def _create_delegation(cell: Cell, server: Server, name: str) -> None:
    status, body = api(
        server.base_url,
        "POST",
        "/api/v1/delegations/",
        cell.token("il.admin"),
        {"party": "il", "names": {"en": name}},
    )
    assert status == 201, body


def _checkpoint(cell: Cell) -> note.Checkpoint:
    """``coordcell record checkpoint`` on ``cell``'s data directory: the checkpoint signed."""
    result = cell.cli("record", "checkpoint")
    assert result.returncode == 0, result.stdout + result.stderr
    text = result.stdout[: result.stdout.index("\n\n") + 1]
    return note.parse_checkpoint(text)


def _latest(cell: Cell, server: Server) -> dict:
    status, body = api(server.base_url, "GET", "/api/v1/record/checkpoint", cell.token("il.admin"))
    assert status == 200, body
    return dict(body)


def _il_cosigned(checkpoint: dict) -> bool:
    return any(c["party"] == "il" for c in checkpoint["cosignatures"])


def _only_evidence(state: Path, reason: str) -> Path:
    folders = sorted((state / "evidence").iterdir())
    assert len(folders) == 1, folders
    assert re.fullmatch(rf"\d{{8}}T\d{{6}}Z-{reason}(-\d+)?", folders[0].name), folders[0]
    return folders[0]


def test_a_witness_refuses_a_forked_server_and_a_rolled_back_one(
    record_template: Cell, tmp_path: Path, cells: list[Cell]
) -> None:
    a_cell = record_template.clone(tmp_path)
    cells.append(a_cell)
    assert (a_cell.data_dir / "witnesses" / "il" / "witness.key").is_file()
    assert (a_cell.data_dir / "witnesses" / "il" / "token").is_file()
    witness_state = tmp_path / "il-witness"

    # The witness cosigns A's latest checkpoint (the template's: it covers the whole record).
    a = a_cell.serve()
    first = _witness(a_cell, a, witness_state)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Trusting the log key on first use" in first.stdout
    seen = _state(witness_state)
    n = seen["size"]
    assert n > 0
    assert seen["cosigned_size"] == n
    assert _il_cosigned(_latest(a_cell, a))

    # The operator copies the live database and the log key: B starts as A is now.
    b_cell = a_cell.copy("data-b")
    cells.append(b_cell)

    # A grows by one delegation and signs a checkpoint of n + 1.
    _create_delegation(a_cell, a, f"Desk on A {uuid.uuid4().hex[:8]}")
    a_checkpoint = _checkpoint(a_cell)
    assert a_checkpoint.size == n + 1

    # B, still at n: a witness that saw A at n + 1 is shown a smaller tree (a rollback).
    b = b_cell.serve()
    assert _latest(b_cell, b)["size"] == n
    rollback_state = tmp_path / "rollback-witness"
    saw_a = _witness(a_cell, a, rollback_state)
    assert saw_a.returncode == 0, saw_a.stdout + saw_a.stderr
    assert _state(rollback_state)["size"] == n + 1
    rolled_back = _witness(a_cell, b, rollback_state)
    assert rolled_back.returncode == 3, rolled_back.stdout + rolled_back.stderr
    assert "REFUSED" in rolled_back.stderr
    assert "rollback" in rolled_back.stderr
    evidence = _only_evidence(rollback_state, "rollback")
    assert str(evidence) in rolled_back.stderr
    assert (
        note.parse_checkpoint(
            note.parse_note((evidence / "previous-checkpoint.txt").read_text()).text
        )
        == a_checkpoint
    )
    offered = note.parse_note((evidence / "offered-checkpoint.txt").read_text())
    assert note.parse_checkpoint(offered.text).size == n
    assert "rollback" in (evidence / "reason.txt").read_text()
    assert _state(rollback_state)["size"] == n + 1  # it still holds what it accepted

    # B takes other writes: two delegations, and a checkpoint of n + 2 signed with the
    # same log key. Its first n + 1 entries are not A's.
    _create_delegation(b_cell, b, f"Desk on B {uuid.uuid4().hex[:8]}")
    _create_delegation(b_cell, b, f"Other desk on B {uuid.uuid4().hex[:8]}")
    b_checkpoint = _checkpoint(b_cell)
    assert b_checkpoint.size == n + 2
    assert b_checkpoint.origin == a_checkpoint.origin

    # The first witness: A grew from n to n + 1 consistently, so it cosigns A again.
    grown = _witness(a_cell, a, witness_state)
    assert grown.returncode == 0, grown.stdout + grown.stderr
    assert f"at {n + 1} entries" in grown.stdout
    accepted = _state(witness_state)
    assert (accepted["size"], accepted["cosigned_size"]) == (n + 1, n + 1)
    assert accepted["root"] == a_checkpoint.root.hex()
    assert _il_cosigned(_latest(a_cell, a))
    assert not (witness_state / "evidence").exists()

    # Then it is shown B: a tree of n + 2 that does not extend A's n + 1. Refused.
    forked = _witness(a_cell, b, witness_state)
    assert forked.returncode == 3, forked.stdout + forked.stderr
    assert re.search(r"REFUSED .*fork", forked.stderr), forked.stderr
    evidence = _only_evidence(witness_state, "fork")
    assert str(evidence) in forked.stderr
    assert sorted(p.name for p in evidence.iterdir()) == [
        "offered-checkpoint.txt",
        "previous-checkpoint.txt",
        "proof.json",
        "reason.txt",
    ]
    previous = note.parse_note((evidence / "previous-checkpoint.txt").read_text())
    assert note.parse_checkpoint(previous.text) == a_checkpoint
    offered = note.parse_note((evidence / "offered-checkpoint.txt").read_text())
    assert note.parse_checkpoint(offered.text) == b_checkpoint
    # Both are signed by the same log key: only the witness's memory shows the fork.
    log_key = [note.Verifier.from_vkey(k) for k in accepted["log_keys"]]
    note.open_note((evidence / "offered-checkpoint.txt").read_text(), log_key)
    proof = json.loads((evidence / "proof.json").read_text())
    assert (proof["from"], proof["to"]) == (n + 1, n + 2)
    assert not merkle.verify_consistency(
        n + 1,
        n + 2,
        a_checkpoint.root,
        b_checkpoint.root,
        [bytes.fromhex(h) for h in proof["proof"]],
    )
    assert "does not extend" in (evidence / "reason.txt").read_text()
    # Nothing was cosigned on B, and the witness still holds A's tree.
    assert not _il_cosigned(_latest(b_cell, b))
    assert _state(witness_state) == accepted

    # And A, honest, is still cosigned by the same witness afterwards.
    _create_delegation(a_cell, a, f"Another desk on A {uuid.uuid4().hex[:8]}")
    assert _checkpoint(a_cell).size == n + 2
    again = _witness(a_cell, a, witness_state)
    assert again.returncode == 0, again.stdout + again.stderr
    assert _state(witness_state)["cosigned_size"] == n + 2
