"""The witness's logic, without a server: a stub client over an in-memory log.

The stub has the interface of ``coordcell.record.witness.Client`` (``latest()``,
``consistency(old, new)``, ``cosign(size, line)``) and serves checkpoints signed with a
log key made for the test, so every rule of ``run_once`` (pin, grow, refuse) and every
exit status of ``main`` is exercised on its own.
"""

from __future__ import annotations

import base64
import io
import json
import secrets
import select
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from coordcell.record import merkle, note, reading, witness
from coordcell.record.witness import HttpError, Misbehaviour, WitnessError, run_once

ORIGIN = "log.test/record"


class MemoryLog:
    """An append-only log in memory that signs checkpoints of its current tree."""

    def __init__(self, signer: note.Signer, leaves: list[bytes] | None = None) -> None:
        self.signer = signer
        self.leaves: list[bytes] = list(leaves or [])

    def append(self, count: int) -> None:
        self.leaves.extend(secrets.token_bytes(32) for _ in range(count))

    def fork(self) -> MemoryLog:
        """Another log with the same key and the same leaves so far (they diverge later)."""
        return MemoryLog(self.signer, self.leaves)

    def checkpoint_body(self, size: int | None = None) -> str:
        size = len(self.leaves) if size is None else size
        root = merkle.root_hash(self.leaves[:size])
        return note.Checkpoint(origin=self.signer.name, size=size, root=root).body()

    def signed(self, size: int | None = None) -> str:
        return note.sign_note(self.checkpoint_body(size), [self.signer])


class StubClient:
    """What the server would answer, from a :class:`MemoryLog` (or as told)."""

    def __init__(self, log: MemoryLog) -> None:
        self.log = log
        self.size: int | None = None  # the size of the checkpoint shown; None: the latest
        self.note: str | None = None  # a note to show instead of the log's own
        self.latest_error: Exception | None = None
        self.cosign_error: Exception | None = None
        self.proof: list[bytes] | None = None  # a proof to give instead of the log's own
        self.consistency_calls: list[tuple[int, int]] = []
        self.posted: list[tuple[int, str]] = []
        self.made: list[tuple[str, str]] = []  # (server, token) of each Client() main made
        #: The party's view note for each size (ADR 0011); none: the server offers no view.
        self.views: dict[int, str] = {}

    def latest(self) -> dict[str, Any]:
        if self.latest_error is not None:
            raise self.latest_error
        text = self.note if self.note is not None else self.log.signed(self.size)
        return {"note": text, "log_keys": [self.log.signer.verifier.vkey]}

    def consistency(self, old: int, new: int) -> list[bytes]:
        self.consistency_calls.append((old, new))
        if self.proof is not None:
            return list(self.proof)
        return merkle.consistency_proof(self.log.leaves[:new], old)

    def cosign(self, size: int, line: str) -> None:
        if self.cosign_error is not None:
            raise self.cosign_error
        self.posted.append((size, line))

    def view(self, size: int) -> dict[str, Any]:
        if size not in self.views:
            raise HttpError(404, "not_found", "Not found.")
        return {"note": self.views[size]}

    def cosign_view(self, size: int, line: str) -> None:
        self.posted.append((-size, line))


@pytest.fixture
def log_signer() -> note.Signer:
    return note.Signer.generate(ORIGIN)


@pytest.fixture
def cosigner() -> note.Signer:
    return note.Signer.generate("witness.test.example", note.ALG_COSIGNATURE_V1)


@pytest.fixture
def log(log_signer: note.Signer) -> MemoryLog:
    memory = MemoryLog(log_signer)
    memory.append(5)
    return memory


def _run(client: StubClient, signer: note.Signer, state: Path, **kwargs: Any) -> int:
    return run_once(client, signer, state, out=io.StringIO(), **kwargs)  # type: ignore[arg-type]


def _state(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "state.json").read_text(encoding="utf-8"))


def _evidence(folder: Path) -> list[Path]:
    root = folder / "evidence"
    return sorted(root.iterdir()) if root.exists() else []


def _assert_cosigns(line: str, body: str, signer: note.Signer) -> None:
    signature = note.parse_note(body + "\n" + line).signatures[0]
    assert note.verify_cosignature(body, signature, signer.verifier) is not None


def _witnessed(log: MemoryLog, cosigner: note.Signer, state: Path) -> StubClient:
    """A witness that has already cosigned the log at its current size."""
    client = StubClient(log)
    assert _run(client, cosigner, state) == len(log.leaves)
    return client


# --- run_once ---------------------------------------------------------------------------


def test_the_first_run_pins_the_log_key_and_cosigns(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = StubClient(log)
    out = io.StringIO()

    size = run_once(client, cosigner, tmp_path, out=out)  # type: ignore[arg-type]

    assert size == 5
    assert "Trusting the log key on first use" in out.getvalue()
    state = _state(tmp_path)
    assert state["log_keys"] == [log.signer.verifier.vkey]
    assert state["origin"] == ORIGIN
    assert (state["size"], state["cosigned_size"]) == (5, 5)
    assert state["root"] == merkle.root_hash(log.leaves).hex()
    assert [s for s, _ in client.posted] == [5]
    _assert_cosigns(client.posted[0][1], log.checkpoint_body(), cosigner)
    assert client.consistency_calls == []  # nothing to be consistent with yet
    assert _evidence(tmp_path) == []


def test_growth_with_a_valid_consistency_proof_is_cosigned_again(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = _witnessed(log, cosigner, tmp_path)
    log.append(6)

    assert _run(client, cosigner, tmp_path) == 11

    assert client.consistency_calls == [(5, 11)]
    assert [s for s, _ in client.posted] == [5, 11]
    _assert_cosigns(client.posted[1][1], log.checkpoint_body(), cosigner)
    state = _state(tmp_path)
    assert (state["size"], state["cosigned_size"]) == (11, 11)
    assert state["root"] == merkle.root_hash(log.leaves).hex()


def test_the_same_checkpoint_again_is_not_posted_again(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = _witnessed(log, cosigner, tmp_path)
    before = _state(tmp_path)

    assert _run(client, cosigner, tmp_path) == 5

    assert len(client.posted) == 1
    assert client.consistency_calls == []
    assert _state(tmp_path) == before


def test_a_smaller_tree_is_a_rollback_and_is_refused_with_evidence(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = _witnessed(log, cosigner, tmp_path)
    before = _state(tmp_path)
    client.size = 3  # the log now shows its tree of 3 leaves, properly signed

    with pytest.raises(Misbehaviour, match="rollback") as caught:
        _run(client, cosigner, tmp_path)

    folder = caught.value.evidence
    assert folder.parent == tmp_path / "evidence"
    assert folder.name.endswith("-rollback")
    assert (folder / "previous-checkpoint.txt").read_text(encoding="utf-8") == before["checkpoint"]
    assert (folder / "offered-checkpoint.txt").read_text(encoding="utf-8") == log.signed(3)
    assert "3 entries after showing 5" in (folder / "reason.txt").read_text(encoding="utf-8")
    assert not (folder / "proof.json").exists()
    assert _state(tmp_path) == before  # the state still holds what it accepted
    assert len(client.posted) == 1


def test_another_root_for_the_same_size_is_a_fork(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = _witnessed(log, cosigner, tmp_path)
    before = _state(tmp_path)
    other = MemoryLog(log.signer)
    other.append(5)  # same key, same size, other leaves
    client.log = other

    with pytest.raises(Misbehaviour, match="fork: two different roots for 5") as caught:
        _run(client, cosigner, tmp_path)

    folder = caught.value.evidence
    assert folder.name.endswith("-fork")
    assert (folder / "offered-checkpoint.txt").read_text(encoding="utf-8") == other.signed()
    assert (folder / "previous-checkpoint.txt").read_text(encoding="utf-8") == before["checkpoint"]
    assert "fork" in (folder / "reason.txt").read_text(encoding="utf-8")
    assert _state(tmp_path) == before
    assert len(client.posted) == 1


@pytest.mark.parametrize("how", ["forked log", "flipped byte", "empty proof", "short proof"])
def test_a_consistency_proof_that_fails_is_a_fork_with_the_proof_saved(
    how: str, log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = _witnessed(log, cosigner, tmp_path)
    before = _state(tmp_path)
    if how == "forked log":
        # The same first 4 leaves, then another fifth and more: a tree of 9 that does not
        # extend the 5 the witness cosigned; the log's own proof is honest about it.
        other = MemoryLog(log.signer, log.leaves[:4])
        other.append(5)
        client.log = other
    else:
        log.append(4)
        proof = merkle.consistency_proof(log.leaves, 5)
        if how == "flipped byte":
            proof[0] = bytes([proof[0][0] ^ 1]) + proof[0][1:]
        elif how == "empty proof":
            proof = []
        else:
            proof = proof[:-1]
        client.proof = proof
    expected_proof = client.consistency(5, 9)

    with pytest.raises(Misbehaviour, match="does not extend the tree of 5") as caught:
        _run(client, cosigner, tmp_path)

    folder = caught.value.evidence
    assert folder.name.endswith("-fork")
    saved = json.loads((folder / "proof.json").read_text(encoding="utf-8"))
    assert saved == {"from": 5, "to": 9, "proof": [h.hex() for h in expected_proof]}
    assert (folder / "previous-checkpoint.txt").read_text(encoding="utf-8") == before["checkpoint"]
    assert (folder / "offered-checkpoint.txt").read_text(encoding="utf-8") == client.log.signed()
    assert (folder / "reason.txt").read_text(encoding="utf-8").startswith("fork:")
    assert _state(tmp_path) == before
    assert len(client.posted) == 1


def test_a_checkpoint_signed_by_another_key_is_refused(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = _witnessed(log, cosigner, tmp_path)
    before = _state(tmp_path)
    impostor = MemoryLog(note.Signer.generate(ORIGIN), log.leaves)  # same origin, other key
    impostor.append(2)
    client.note = impostor.signed()

    with pytest.raises(Misbehaviour, match="does not verify") as caught:
        _run(client, cosigner, tmp_path)

    folder = caught.value.evidence
    assert folder.name.endswith("-bad-signature")
    assert (folder / "offered-checkpoint.txt").read_text(encoding="utf-8") == client.note
    assert "no verifiable signatures" in (folder / "reason.txt").read_text(encoding="utf-8")
    assert _state(tmp_path) == before
    assert len(client.posted) == 1
    assert client.consistency_calls == []


def test_a_tampered_checkpoint_with_the_right_key_name_is_refused(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = _witnessed(log, cosigner, tmp_path)
    log.append(1)
    signed = log.signed()
    client.note = signed.replace("\n6\n", "\n7\n", 1)  # the size edited after signing

    with pytest.raises(Misbehaviour) as caught:
        _run(client, cosigner, tmp_path)

    assert caught.value.evidence.name.endswith("-bad-signature")
    assert "invalid signature" in (caught.value.evidence / "reason.txt").read_text()
    assert len(client.posted) == 1


def test_the_first_run_with_log_key_trusts_only_that_key(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = StubClient(log)
    someone_else = note.Signer.generate(ORIGIN).verifier.vkey

    with pytest.raises(Misbehaviour) as caught:
        _run(client, cosigner, tmp_path, log_key=someone_else)

    assert caught.value.evidence.name.endswith("-bad-signature")
    assert client.posted == []
    assert not (tmp_path / "state.json").exists()

    assert _run(client, cosigner, tmp_path / "b", log_key=log.signer.verifier.vkey) == 5
    assert _state(tmp_path / "b")["log_keys"] == [log.signer.verifier.vkey]


def test_a_log_key_that_differs_from_the_pinned_one_is_an_error(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = _witnessed(log, cosigner, tmp_path)
    before = _state(tmp_path)
    other = note.Signer.generate(ORIGIN).verifier.vkey

    with pytest.raises(WitnessError, match="pinned"):
        _run(client, cosigner, tmp_path, log_key=other)

    assert _state(tmp_path) == before
    assert _evidence(tmp_path) == []
    # The pinned key itself given again is fine.
    log.append(1)
    assert _run(client, cosigner, tmp_path, log_key=log.signer.verifier.vkey) == 6


def test_a_server_that_refuses_the_cosignature_of_its_own_checkpoint_is_a_conflict(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = StubClient(log)
    client.cosign_error = HttpError(409, "conflict", "not this log's checkpoint")

    with pytest.raises(Misbehaviour, match="refused a cosignature") as caught:
        _run(client, cosigner, tmp_path)

    folder = caught.value.evidence
    assert folder.name.endswith("-conflict")
    assert (folder / "offered-checkpoint.txt").read_text(encoding="utf-8") == log.signed()
    assert "409" in (folder / "reason.txt").read_text(encoding="utf-8")
    assert "cosigned_size" not in _state(tmp_path)


def test_other_http_errors_on_cosign_are_errors_not_misbehaviour(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = StubClient(log)
    client.cosign_error = HttpError(403, "permission_denied", "no witness of yours")

    with pytest.raises(HttpError) as caught:
        _run(client, cosigner, tmp_path)

    assert not isinstance(caught.value, Misbehaviour)
    assert caught.value.status == 403
    assert _evidence(tmp_path) == []


def test_no_checkpoint_yet_returns_zero(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = StubClient(log)
    client.latest_error = HttpError(404, "not_found", "")
    out = io.StringIO()

    assert run_once(client, cosigner, tmp_path, out=out) == 0  # type: ignore[arg-type]

    assert "no checkpoint yet" in out.getvalue()
    assert client.posted == []
    assert not (tmp_path / "state.json").exists()


def test_another_http_error_on_latest_is_raised(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = StubClient(log)
    client.latest_error = HttpError(401, "not_authenticated", "bad token")

    with pytest.raises(HttpError, match="401"):
        _run(client, cosigner, tmp_path)


def test_an_unreadable_state_is_an_error(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    (tmp_path / "state.json").write_text("{not json", encoding="utf-8")

    with pytest.raises(WitnessError, match="unreadable state"):
        _run(StubClient(log), cosigner, tmp_path)


# --- main: exit statuses ----------------------------------------------------------------


@pytest.fixture
def key_file(cosigner: note.Signer, tmp_path: Path) -> Path:
    path = tmp_path / "witness.key"
    path.write_text(cosigner.skey + "\n", encoding="utf-8")
    return path


@pytest.fixture
def stub(log: MemoryLog, monkeypatch: pytest.MonkeyPatch) -> StubClient:
    """The client ``main`` makes: always this stub (its server and token are kept)."""
    client = StubClient(log)

    def factory(server: str, token: str, *args: Any, **kwargs: Any) -> StubClient:
        client.made.append((server, token))
        return client

    monkeypatch.setattr(witness, "Client", factory)
    monkeypatch.delenv("COORDCELL_WITNESS_TOKEN", raising=False)
    return client


def _main(key: Path, state: Path, *extra: str) -> int:
    return witness.main(
        ["--server", "http://cell.test", "--key", str(key), "--state", str(state), *extra]
    )


def test_main_returns_0_after_cosigning(stub: StubClient, key_file: Path, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("cc_123_secret\n", encoding="utf-8")

    assert _main(key_file, tmp_path / "s", "--token-file", str(token_file)) == 0

    assert stub.made == [("http://cell.test", "cc_123_secret")]
    assert [s for s, _ in stub.posted] == [5]
    assert _state(tmp_path / "s")["cosigned_size"] == 5


def test_main_returns_3_and_says_refused_on_a_fork(
    stub: StubClient,
    key_file: Path,
    log: MemoryLog,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    state = tmp_path / "s"
    assert _main(key_file, state, "--token", "t") == 0
    other = MemoryLog(log.signer)
    other.append(5)
    stub.log = other
    capsys.readouterr()

    assert _main(key_file, state, "--token", "t") == witness.EXIT_MISBEHAVIOUR == 3

    err = capsys.readouterr().err
    assert "REFUSED" in err
    assert "fork" in err
    assert f"Evidence saved in {state / 'evidence'}" in err


def test_main_returns_1_when_the_server_cannot_be_reached(
    stub: StubClient, key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stub.latest_error = WitnessError("http://cell.test/api: Connection refused")

    assert _main(key_file, tmp_path / "s", "--token", "t") == witness.EXIT_ERROR == 1

    assert "Connection refused" in capsys.readouterr().err
    assert stub.posted == []


def test_main_returns_1_on_a_log_key_mismatch(
    stub: StubClient, key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "s"
    assert _main(key_file, state, "--token", "t") == 0
    other = note.Signer.generate(ORIGIN).verifier.vkey

    assert _main(key_file, state, "--token", "t", "--log-key", other) == 1

    assert "pinned" in capsys.readouterr().err


def test_main_takes_the_token_from_the_environment(
    stub: StubClient, key_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COORDCELL_WITNESS_TOKEN", "cc_env_token")

    assert _main(key_file, tmp_path / "s") == 0

    assert stub.made == [("http://cell.test", "cc_env_token")]


def test_main_returns_1_without_a_token(
    stub: StubClient, key_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _main(key_file, tmp_path / "s") == 1

    assert "--token" in capsys.readouterr().err
    assert stub.made == []


def test_main_returns_1_with_a_log_key_instead_of_a_cosigner_key(
    stub: StubClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "log.key"
    key.write_text(note.Signer.generate("not.a.witness").skey + "\n", encoding="utf-8")

    assert _main(key, tmp_path / "s", "--token", "t") == 1

    assert "not a cosignature key" in capsys.readouterr().err
    assert stub.posted == []


def test_main_returns_1_with_a_missing_key_file(
    stub: StubClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _main(tmp_path / "absent.key", tmp_path / "s", "--token", "t") == 1

    assert "absent.key" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (ValueError("non-hexadecimal number found in fromhex()"), "bad-proof"),
        (KeyError("proof"), "bad-proof"),
        (HttpError(404, "not_found", "Not found."), "no-proof"),
    ],
)
def test_a_log_that_cannot_prove_growth_is_refused_with_evidence(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path, error: Exception, reason: str
) -> None:
    client = _witnessed(log, cosigner, tmp_path)
    log.append(3)

    def broken(old: int, new: int) -> list[bytes]:
        raise error

    client.consistency = broken  # type: ignore[method-assign]
    with pytest.raises(Misbehaviour):
        _run(client, cosigner, tmp_path)
    [folder] = _evidence(tmp_path)
    assert folder.name.endswith(reason)
    assert [s for s, _ in client.posted] == [5]  # nothing cosigned for the unproven tree


def test_a_server_error_while_proving_is_a_passing_trouble(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = _witnessed(log, cosigner, tmp_path)
    log.append(3)

    def down(old: int, new: int) -> list[bytes]:
        raise HttpError(503, "", "unavailable")

    client.consistency = down  # type: ignore[method-assign]
    with pytest.raises(HttpError):
        _run(client, cosigner, tmp_path)
    assert _evidence(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_witness_loop_ends_after_its_round_with_status_0(
    sig: signal.Signals, key_file: Path, tmp_path: Path
) -> None:
    """``coordcell demo`` stops its witnesses with SIGTERM; a person, with Ctrl-C."""
    loop = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "coordcell.cli", "witness", "--server", "http://127.0.0.1:9",
         "--token", "t", "--key", str(key_file), "--state", str(tmp_path / "s"),
         "--interval", "600"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        # The first round fails (nothing listens on port 9) and says so; then it waits.
        ready, _, _ = select.select([loop.stderr], [], [], 60)
        assert ready, "the witness printed nothing within 60 s"
        assert loop.stderr is not None
        assert loop.stderr.readline().startswith("coordcell witness: ")
        loop.send_signal(sig)
        _out, err = loop.communicate(timeout=30)
    finally:
        loop.kill()
        loop.wait()
    assert loop.returncode == 0, err
    assert "Traceback" not in err


# --- the party's view (ADR 0011) ----------------------------------------------------------


def _view_note(log: MemoryLog, size: int, party: int, every: int = 0) -> str:
    """A view note of the log at ``size``: ``every`` entries for every member, ``party``
    for the witness's party (their leaves: the log's first ones, for the test)."""

    def digest(n: int) -> str:
        value = reading.EMPTY_VIEW
        for leaf in log.leaves[:n]:
            value = reading.chain(value, merkle.leaf_hash(leaf))
        return base64.b64encode(value).decode()

    lines = tuple(f"view {key} {n} {digest(n)}" for key, n in (("*", every), ("il", party)))
    body = note.Checkpoint(
        origin=log.signer.name, size=size, root=merkle.root_hash(log.leaves[:size]),
        extensions=lines,
    ).body()  # fmt: skip
    return note.sign_note(body, [log.signer])


def test_the_witness_cosigns_its_partys_view_of_the_checkpoint(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path
) -> None:
    client = StubClient(log)
    client.views[5] = _view_note(log, 5, party=2, every=1)

    assert _run(client, cosigner, tmp_path) == 5

    assert [s for s, _ in client.posted] == [5, -5]
    _assert_cosigns(client.posted[1][1], note.parse_note(client.views[5]).text, cosigner)
    state = _state(tmp_path)
    assert (state["view_size"], state["view_cosigned"]) == (5, 5)
    assert state["views"]["il"][0] == 2
    # The next round, with nothing new, posts nothing again.
    assert _run(client, cosigner, tmp_path) == 5
    assert len(client.posted) == 2


@pytest.mark.parametrize(
    ("party", "every", "reason"),
    [(1, 1, "view-rollback"), (8, 1, "view-size"), (3, 9, "view-size")],
)
def test_a_view_that_shrinks_or_outgrows_the_log_is_refused(
    log: MemoryLog, cosigner: note.Signer, tmp_path: Path, party: int, every: int, reason: str
) -> None:
    client = StubClient(log)
    client.views[5] = _view_note(log, 5, party=2, every=1)
    _run(client, cosigner, tmp_path)
    log.append(2)
    client.views[7] = _view_note(log, 7, party=party, every=every)

    with pytest.raises(Misbehaviour):
        _run(client, cosigner, tmp_path)

    assert [p.name.split("-", 1)[1] for p in _evidence(tmp_path)] == [reason]
    assert [s for s, _ in client.posted] == [5, -5, 7]  # the log's checkpoint, not the view
