"""A party's witness: checks that the record only grows, then cosigns its checkpoint.

``coordcell witness --server URL --token TOKEN --key KEYFILE --state DIR`` runs on the
party's own machine, with no database and no server configuration. Each run:

1. fetches the log's latest checkpoint and checks the log's signature (the log key is
   pinned in the state directory on first use, or given with ``--log-key``);
2. checks it against the last checkpoint this witness accepted: same origin, not
   smaller, and, when larger, an RFC 9162 consistency proof from the old size;
3. saves it as the new state, then posts a C2SP tlog-cosignature of it.

When the log shows a smaller tree (a rollback), another root for the same size, or a
proof that does not verify (a fork), the witness refuses: it saves both checkpoints
and the proof under ``DIR/evidence/`` and exits with status 3. Pure Python, stdlib
HTTP: see docs/record.md.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coordcell.record import merkle, note, reading

__all__ = ["EXIT_ERROR", "EXIT_MISBEHAVIOUR", "Misbehaviour", "WitnessError", "main", "run_once"]

EXIT_ERROR = 1
EXIT_MISBEHAVIOUR = 3
STATE_FILE = "state.json"


class WitnessError(Exception):
    """The witness cannot do its work (network, authentication, configuration)."""


class Misbehaviour(Exception):
    """The log showed something no honest append-only log can show; evidence was saved."""

    def __init__(self, message: str, evidence: Path) -> None:
        super().__init__(message)
        self.evidence = evidence


@dataclass
class Client:
    server: str
    token: str
    timeout: float = 30.0

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = self.server.rstrip("/") + path
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                detail = json.loads(exc.read()).get("error", {})
            except (ValueError, AttributeError):
                detail = {}
            raise HttpError(exc.code, detail.get("code", ""), detail.get("message", "")) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise WitnessError(f"{url}: {getattr(exc, 'reason', exc)}") from None

    def latest(self) -> dict[str, Any]:
        return dict(self._request("GET", "/api/v1/record/checkpoint"))

    def consistency(self, old: int, new: int) -> list[bytes]:
        query = urllib.parse.urlencode({"from": old, "to": new})
        data = self._request("GET", f"/api/v1/record/consistency?{query}")
        return [bytes.fromhex(h) for h in data["proof"]]

    def cosign(self, size: int, line: str) -> None:
        self._request(
            "POST", f"/api/v1/record/checkpoints/{size}/cosignatures", {"signature": line}
        )

    def view(self, size: int) -> dict[str, Any]:
        return dict(self._request("GET", f"/api/v1/record/checkpoints/{size}/view"))

    def cosign_view(self, size: int, line: str) -> None:
        self._request(
            "POST", f"/api/v1/record/checkpoints/{size}/view/cosignatures", {"signature": line}
        )


class HttpError(WitnessError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"the server answered {status} {code}: {message}".strip(": "))
        self.status = status
        self.code = code


def _load_state(state_dir: Path) -> dict[str, Any]:
    path = state_dir / STATE_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WitnessError(f"{path}: unreadable state ({exc})") from None
    if not isinstance(data, dict):
        raise WitnessError(f"{path}: unreadable state")
    return data


def _save_state(state_dir: Path, state: dict[str, Any]) -> None:
    path = state_dir / STATE_FILE
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as handle:
        json.dump(state, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def _evidence(state_dir: Path, reason: str, files: dict[str, str]) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = state_dir / "evidence" / f"{stamp}-{reason}"
    n = 1
    while folder.exists():
        n += 1
        folder = state_dir / "evidence" / f"{stamp}-{reason}-{n}"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run_once(
    client: Client,
    signer: note.Signer,
    state_dir: Path,
    *,
    log_key: str | None = None,
    out: Any = None,
) -> int:
    """One witnessing round; returns the size cosigned (0 if the log has no checkpoint)."""
    out = sys.stdout if out is None else out
    state_dir.mkdir(parents=True, exist_ok=True)
    state = _load_state(state_dir)
    try:
        offered = client.latest()
    except HttpError as exc:
        if exc.status == 404:
            print("The log has issued no checkpoint yet.", file=out)
            return 0
        raise
    pinned = state.get("log_keys") or ([log_key] if log_key else None)
    if log_key and state.get("log_keys") and log_key not in state["log_keys"]:
        raise WitnessError("--log-key differs from the log key pinned in the state directory")
    if pinned is None:
        pinned = list(offered.get("log_keys") or [])
        print(f"Trusting the log key on first use: {', '.join(pinned)}", file=out)
    try:
        verifiers = [note.Verifier.from_vkey(k) for k in pinned]
    except note.NoteError as exc:
        raise WitnessError(f"log key: {exc}") from None
    text = str(offered.get("note", ""))
    previous_text = str(state.get("checkpoint", ""))
    try:
        opened, _signed = note.open_note(text, verifiers)
        checkpoint = note.parse_checkpoint(opened.text)
    except note.NoteError as exc:
        folder = _evidence(
            state_dir, "bad-signature", {"offered-checkpoint.txt": text, "reason.txt": str(exc)}
        )
        raise Misbehaviour(f"the offered checkpoint does not verify: {exc}", folder) from None
    old_size = int(state.get("size", 0))
    old_root = bytes.fromhex(state["root"]) if state.get("root") else b""

    def refuse(reason: str, message: str, proof: list[bytes] | None = None) -> Misbehaviour:
        files = {
            "previous-checkpoint.txt": previous_text,
            "offered-checkpoint.txt": text,
            "reason.txt": message + "\n",
        }
        if proof is not None:
            files["proof.json"] = json.dumps(
                {"from": old_size, "to": checkpoint.size, "proof": [h.hex() for h in proof]},
                indent=2,
            )
        return Misbehaviour(message, _evidence(state_dir, reason, files))

    if state.get("origin") and checkpoint.origin != state["origin"]:
        raise refuse("origin", f"the log's origin changed from {state['origin']!r}")
    if old_size and checkpoint.size < old_size:
        raise refuse(
            "rollback",
            f"rollback: the log shows {checkpoint.size} entries after showing {old_size}",
        )
    if old_size and checkpoint.size == old_size and checkpoint.root != old_root:
        raise refuse("fork", f"fork: two different roots for {old_size} entries")
    if old_size and checkpoint.size > old_size:
        try:
            proof = client.consistency(old_size, checkpoint.size)
        except HttpError as exc:
            if exc.status < 500:
                raise refuse(
                    "no-proof",
                    f"the log refuses to prove that {checkpoint.size} entries extend "
                    f"{old_size} ({exc})",
                ) from None
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise refuse(
                "bad-proof", f"the log's consistency proof cannot be read ({exc!r})"
            ) from None
        if not merkle.verify_consistency(
            old_size, checkpoint.size, old_root, checkpoint.root, proof
        ):
            raise refuse(
                "fork",
                f"fork: the tree of {checkpoint.size} entries does not extend the tree of "
                f"{old_size} entries this witness cosigned",
                proof,
            )
    if state.get("cosigned_size") == checkpoint.size and checkpoint.root == old_root:
        _witness_view(client, signer, state_dir, checkpoint, verifiers, out)
        return checkpoint.size  # nothing new since this witness's last cosignature
    new_state: dict[str, Any] = {
        # What it last accepted of its party's view, kept across rounds (_witness_view).
        **{k: state[k] for k in ("view", "view_size", "views", "view_cosigned") if k in state},
        "origin": checkpoint.origin,
        "log_keys": pinned,
        "size": checkpoint.size,
        "root": checkpoint.root.hex(),
        "checkpoint": opened.text + "\n" + "".join(s.line for s in _signed),
        "witnessed_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    _save_state(state_dir, new_state)
    line = note.cosign(opened.text, signer, int(time.time()))
    try:
        client.cosign(checkpoint.size, line)
    except HttpError as exc:
        if exc.status == 409:
            raise refuse(
                "conflict",
                f"the server refused a cosignature of the checkpoint it showed ({exc})",
            ) from None
        raise
    _save_state(state_dir, {**new_state, "cosigned_size": checkpoint.size})
    root = base64.b64encode(checkpoint.root).decode()
    print(
        f"{signer.name}: cosigned {checkpoint.origin} at {checkpoint.size} entries ({root})",
        file=out,
    )
    _witness_view(client, signer, state_dir, checkpoint, verifiers, out)
    return checkpoint.size


def _witness_view(
    client: Client,
    signer: note.Signer,
    state_dir: Path,
    checkpoint: note.Checkpoint,
    verifiers: list[note.Verifier],
    out: Any,
) -> None:
    """Cosign the party's view of the checkpoint just accepted (ADR 0011).

    The view note must be of that very checkpoint; each view may only grow, by no more
    than the log grew, and one log size has one view. A view of another kind is refused
    with evidence, as a fork is. A server that offers no view (404) is left alone.
    """
    state = _load_state(state_dir)
    if state.get("view_cosigned") == checkpoint.size:
        return
    try:
        offered = client.view(checkpoint.size)
    except HttpError as exc:
        if exc.status == 404:
            return
        raise
    text = str(offered.get("note", ""))
    previous = str(state.get("view", ""))

    def refuse(reason: str, message: str) -> Misbehaviour:
        files = {"previous-view.txt": previous, "offered-view.txt": text, "reason.txt": message}
        return Misbehaviour(message, _evidence(state_dir, reason, files))

    try:
        opened, _signed = note.open_note(text, verifiers)
        offered_checkpoint = note.parse_checkpoint(opened.text)
        views = reading.parse_view_lines(offered_checkpoint.extensions)
    except (note.NoteError, ValueError) as exc:
        raise refuse("view-bad-signature", f"the offered view does not verify: {exc}") from None
    if (offered_checkpoint.origin, offered_checkpoint.size, offered_checkpoint.root) != (
        checkpoint.origin,
        checkpoint.size,
        checkpoint.root,
    ):
        raise refuse("view-mismatch", "the offered view is not of the checkpoint just cosigned")
    old_views = state.get("views") or {}
    old_size = int(state.get("view_size", 0))
    for key, view in views.items():
        if view.size > checkpoint.size:
            raise refuse("view-size", f"the view {key} lists more entries than the log holds")
        before = old_views.get(key)
        if not before:
            continue
        if view.size < before[0]:
            raise refuse("view-rollback", f"the view {key} shrank from {before[0]} to {view.size}")
        if checkpoint.size == old_size and [view.size, view.digest.hex()] != before:
            raise refuse("view-fork", f"two different views {key} for {old_size} entries")
        if view.size - before[0] > checkpoint.size - old_size:
            raise refuse("view-size", f"the view {key} grew more than the log did")
    new_state = {
        **state,
        "view": opened.text,
        "view_size": checkpoint.size,
        "views": {key: [v.size, v.digest.hex()] for key, v in views.items()},
    }
    _save_state(state_dir, new_state)
    line = note.cosign(opened.text, signer, int(time.time()))
    try:
        client.cosign_view(checkpoint.size, line)
    except HttpError as exc:
        if exc.status == 409:
            message = f"the server refused a cosignature of its view ({exc})"
            raise refuse("view-conflict", message) from None
        raise
    _save_state(state_dir, {**new_state, "view_cosigned": checkpoint.size})
    print(f"{signer.name}: cosigned its party's view at {checkpoint.size} entries", file=out)


def _read_token(args: argparse.Namespace) -> str:
    if args.token_file:
        return Path(args.token_file).read_text(encoding="utf-8").strip()
    token = args.token or os.environ.get("COORDCELL_WITNESS_TOKEN", "")
    if not token:
        raise WitnessError("give --token, --token-file or COORDCELL_WITNESS_TOKEN")
    return str(token)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="coordcell witness",
        description="Check that the cell's record only grows, and cosign its checkpoints.",
    )
    parser.add_argument("--server", required=True, help="The cell's URL, e.g. https://cell.example")
    parser.add_argument("--token", help="An API token of a member of the witness's party.")
    parser.add_argument("--token-file", help="Read the API token from this file instead.")
    parser.add_argument("--key", required=True, help="The witness's private key file (keygen).")
    parser.add_argument("--state", required=True, help="Directory for the state and evidence.")
    parser.add_argument("--log-key", help="The log's verifier key (pinned on first use if absent).")
    parser.add_argument(
        "--interval", type=float, default=0, help="Repeat every N seconds (default: once)."
    )
    args = parser.parse_args(argv)
    try:
        token = _read_token(args)
        signer = note.Signer.from_skey(Path(args.key).read_text(encoding="utf-8").strip())
        if signer.alg != note.ALG_COSIGNATURE_V1:
            raise WitnessError(
                f"{args.key}: not a cosignature key (make one with keygen --cosigner)"
            )
    except (OSError, note.NoteError, WitnessError) as exc:
        print(f"coordcell witness: {exc}", file=sys.stderr)
        return EXIT_ERROR
    client = Client(args.server, token)
    state_dir = Path(args.state)
    stop = threading.Event()
    if args.interval:  # a loop ends after its round on SIGTERM or Ctrl-C, with status 0
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    while True:
        try:
            run_once(client, signer, state_dir, log_key=args.log_key)
        except Misbehaviour as exc:
            print(
                f"coordcell witness: REFUSED — {exc}\nEvidence saved in {exc.evidence}",
                file=sys.stderr,
            )
            return EXIT_MISBEHAVIOUR
        except WitnessError as exc:
            print(f"coordcell witness: {exc}", file=sys.stderr)
            if not args.interval:
                return EXIT_ERROR
        if not args.interval or stop.wait(args.interval):
            return 0
