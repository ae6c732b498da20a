"""``coordcell verify`` and ``coordcell keygen``: tools that need no server and no database.

They run before Django is set up (see ``coordcell.cli``), so a party can check a bundle
or make a witness key on a machine with nothing but this package installed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from coordcell.record import note
from coordcell.record.bundle import verify_bundle
from coordcell.rules import positions_commit

__all__ = ["keygen_main", "verify_main"]


def _read_keys(values: list[str]) -> list[str]:
    """Each value is a vkey or the path of a file holding one per line."""
    keys: list[str] = []
    for value in values:
        path = Path(value)
        if "+" not in value and path.is_file():
            keys.extend(
                k.strip() for k in path.read_text(encoding="utf-8").splitlines() if k.strip()
            )
        else:
            keys.append(value.strip())
    return keys


def verify_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="coordcell verify",
        description="Verify a record bundle offline: every entry against the tree, every "
        "checkpoint's signature and root, every cosignature; or a position reveal file "
        "(docs/positions.md): the item with its salt and proof against its commitment's "
        "root. Exit status 1 names what fails.",
    )
    parser.add_argument(
        "bundle",
        help="A bundle written by `coordcell record export`, or a position reveal file.",
    )
    parser.add_argument(
        "--log-key", action="append", default=[], help="The log's vkey (or a file of vkeys)."
    )
    parser.add_argument(
        "--witness-key",
        action="append",
        default=[],
        help="A witness's vkey (or a file). Repeatable. A witness that has not cosigned the "
        "newest checkpoint is reported with its lag.",
    )
    parser.add_argument(
        "--require-witnessed",
        action="store_true",
        help="Fail, instead of reporting the lag, when an entry lies beyond the largest "
        "checkpoint a witness cosigned.",
    )
    parser.add_argument(
        "--record",
        metavar="BUNDLE",
        help="With a position reveal file: also verify this record bundle and check that the "
        "reveal's root is one of its positions.sealed entries.",
    )
    args = parser.parse_args(argv)
    try:
        reveal = _reveal_file(args.bundle)
    except _TooDeep:
        print(
            f"coordcell verify: {args.bundle}: the file is nested too deeply to be read "
            "(neither a reveal file nor a record bundle)",
            file=sys.stderr,
        )
        return 2
    if reveal is not None:
        status = _verify_reveal(args.bundle, reveal)
        if status or not args.record:
            return status
        return _reveal_in_record(args, reveal)
    try:
        log_keys = _read_keys(args.log_key)
        witness_keys = _read_keys(args.witness_key)
        with open(args.bundle, "rb") as stream:
            report = verify_bundle(
                stream,
                log_keys=log_keys,
                witness_keys=witness_keys,
                require_witnessed=args.require_witnessed,
            )
    except OSError as exc:
        print(f"coordcell verify: {args.bundle}: {exc.strerror}", file=sys.stderr)
        return 2
    for line in report.notes:
        print(f"note: {line}")
    if not report.ok:
        for problem in report.problems:
            print(f"FAILED {problem}", file=sys.stderr)
        print(
            f"coordcell verify: {args.bundle}: {len(report.problems)} failure(s)", file=sys.stderr
        )
        return 1
    latest = report.checkpoints[-1]
    print(
        f"OK {report.origin}: {report.entries} entries verified in a tree of {latest} "
        f"({report.leaves} leaves), {len(report.checkpoints)} checkpoints signed by the log"
    )
    for name, size in sorted(report.cosigned.items()):
        print(f"   cosigned by {name} up to {size} entries")
    for key, count in sorted(report.views.items()):
        what = "every member may read" if key == "*" else f"addressed to {key}"
        print(f"   all {count} entries {what} are here (the view of {report.reader})")
    for name in sorted(report.view_cosigned):
        print(f"   the view of {report.reader} is cosigned by {name}")
    if report.reader is None:
        print("   the operator's bundle: every entry is here")
    return 0


#: A reveal file is small; anything larger is a record bundle.
_REVEAL_MAX_BYTES = 4 * 1024 * 1024


def _reveal_file(path: str) -> dict[str, object] | None:
    """The parsed file when it is a position reveal (``positions_commit.REVEAL_FORMAT``),
    else None (a record bundle, or a file that cannot be read: the bundle path says why)."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(_REVEAL_MAX_BYTES + 1)
    except OSError:
        return None
    if len(head) > _REVEAL_MAX_BYTES or not head.lstrip().startswith(b"{"):
        return None
    try:
        document = json.loads(head.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    except RecursionError:
        raise _TooDeep() from None
    return document if positions_commit.is_reveal(document) else None


class _TooDeep(Exception):
    """A file nested too deeply for Python's JSON reader: no reveal file, no bundle."""


def _verify_reveal(path: str, document: dict[str, object]) -> int:
    """Check one revealed position against its commitment's root (``docs/positions.md``)."""
    problems = positions_commit.verify_reveal(document)
    if problems:
        for problem in problems:
            print(f"FAILED {problem}", file=sys.stderr)
        print(f"coordcell verify: {path}: {len(problems)} failure(s)", file=sys.stderr)
        return 1
    item = document.get("item")
    assert isinstance(item, dict)
    print(
        f"OK position reveal: item {document.get('index')} of {document.get('size')} leaves "
        f"is in commitment {document.get('commitment')} (root {document.get('root')}), "
        f"party {document.get('party')}, as of {document.get('as_of')}"
    )
    print(
        f"   position {item.get('position')}: {item.get('change')} effective "
        f"{item.get('effective')}, established {item.get('established')}"
    )
    if document.get("entry"):
        print(
            f"   compare the root with the positions.sealed record entry {document.get('entry')} "
            "in your verified bundle"
        )
    return 0


def _reveal_in_record(args: argparse.Namespace, document: dict[str, object]) -> int:
    """The record bundle verifies, and one of its ``positions.sealed`` entries commits the
    reveal's root (same party, same commitment): the commitment predates the dispute in a
    log the witnesses cosigned."""
    try:
        with open(args.record, "rb") as stream:
            report = verify_bundle(
                stream,
                log_keys=_read_keys(args.log_key),
                witness_keys=_read_keys(args.witness_key),
                require_witnessed=args.require_witnessed,
            )
        with open(args.record, "rb") as stream:
            found = _sealed_entry(stream, document)
    except OSError as exc:
        print(f"coordcell verify: {args.record}: {exc.strerror}", file=sys.stderr)
        return 2
    if not report.ok:
        for problem in report.problems:
            print(f"FAILED {problem}", file=sys.stderr)
        print(f"coordcell verify: {args.record}: the record bundle fails", file=sys.stderr)
        return 1
    if found is None:
        print(
            f"FAILED the root {document.get('root')} is not a positions.sealed entry of "
            f"{args.record}",
            file=sys.stderr,
        )
        return 1
    print(f"   the root is record entry {found} (positions.sealed) of a verified bundle")
    return 0


def _sealed_entry(stream: Any, document: dict[str, object]) -> int | None:
    """The sequence number of the bundle's ``positions.sealed`` entry of this root."""
    for line in stream:
        if not line.startswith(b"entry "):
            continue
        parts = line.rstrip(b"\n").split(b" ", 3)
        if len(parts) != 4:
            continue
        try:
            event = json.loads(parts[3])
        except ValueError:
            continue
        data = event.get("data") if isinstance(event, dict) else None
        if (
            event.get("type") == "positions.sealed"
            and isinstance(data, dict)
            and data.get("root") == document.get("root")
            and data.get("party") == document.get("party")
            and data.get("size") == document.get("size")
        ):
            return int(event.get("seq", 0))
    return None


def keygen_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="coordcell keygen",
        description="Make an Ed25519 signed-note key: the log's key (default) or a witness's "
        "cosignature key. Writes the private key to FILE (mode 0600) and prints the vkey.",
    )
    parser.add_argument("name", help="Key name: the log's origin, or the witness's name.")
    parser.add_argument("file", help="Where to write the private key (must not exist).")
    parser.add_argument(
        "--cosigner", action="store_true", help="A witness key (cosignature/v1, type 0x04)."
    )
    args = parser.parse_args(argv)
    try:
        signer = note.Signer.generate(
            args.name, note.ALG_COSIGNATURE_V1 if args.cosigner else note.ALG_ED25519
        )
    except note.NoteError as exc:
        print(f"coordcell keygen: {exc}", file=sys.stderr)
        return 2
    try:
        fd = os.open(args.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        print(f"coordcell keygen: {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(signer.skey + "\n")
    print(signer.verifier.vkey)
    return 0
