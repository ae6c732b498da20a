"""Record bundles: the export format, and their verification on a machine with no server.

A bundle is a UTF-8 text file of lines, each starting with its kind::

    coordcell-bundle 2
    meta {"origin": …, "log_keys": [vkey…], "witnesses": [{"party": …, "vkey": …}…],
          "reader": <party code, or null for the operator>, …}
    checkpoint "<the signed note, with the log's signatures and every cosignature, as JSON>"
    view "<the reader's view note at the latest checkpoint, signed and cosigned, as JSON>"
    leaves <first index> <base64 of up to 1024 concatenated 32-byte leaf hashes>
    entry <seq> <salt, hex> <the event's RFC 8785 canonical JSON>
    end <number of entry lines>

The ``leaves`` lines carry every leaf hash of the tree up to the latest checkpoint, those
of entries the exporter may not see included: they are salted commitments and reveal
nothing. From them the verifier recomputes the root at every checkpoint (an inclusion
proof of every entry and a consistency proof between all checkpoints at once, O(n)
hashes instead of O(n log n)), and checks that each entry's ``SHA-256(salt ||
canonical)`` is the leaf at its index.

The ``view`` line (``record.reading``, ADR 0011) says how many entries the reader may read
and the digest of their leaf hashes, for every member's view and the reader's party's view;
the verifier recomputes both from the entries it holds, so an entry left out of the
bundle is named an omission instead of passing for one hidden from the reader. An
operator's bundle (reader null) must hold every entry. Format 1 had no view line and is
refused. A witness that has not cosigned the newest checkpoint is reported with its lag,
not failed (unless ``require_witnessed``): only a bad or conflicting cosignature fails.

This module is pure Python (no Django): ``coordcell verify`` runs it on any machine.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from coordcell.record import merkle, note, reading

__all__ = [
    "FORMAT",
    "LEAVES_PER_LINE",
    "BundleReport",
    "Problem",
    "checkpoint_line",
    "entry_line",
    "leaves_lines",
    "verify_bundle",
    "view_line",
]

FORMAT = "coordcell-bundle 2"
#: Earlier formats, refused with a reason.
_OLD_FORMATS = {"coordcell-bundle 1"}
LEAVES_PER_LINE = 1024
HASH = merkle.HASH_SIZE


def checkpoint_line(signed_note: str) -> bytes:
    return b"checkpoint " + json.dumps(signed_note, ensure_ascii=False).encode("utf-8") + b"\n"


def view_line(signed_note: str) -> bytes:
    return b"view " + json.dumps(signed_note, ensure_ascii=False).encode("utf-8") + b"\n"


def entry_line(seq: int, salt: bytes, canonical: str) -> bytes:
    return b"entry %d %s %s\n" % (seq, salt.hex().encode("ascii"), canonical.encode("utf-8"))


def leaves_lines(hashes: Iterable[bytes], start: int = 0) -> Iterator[bytes]:
    """``leaves`` lines for consecutive leaf hashes beginning at index ``start``."""
    chunk: list[bytes] = []
    for digest in hashes:
        chunk.append(digest)
        if len(chunk) == LEAVES_PER_LINE:
            yield b"leaves %d %s\n" % (start, base64.b64encode(b"".join(chunk)))
            start += len(chunk)
            chunk = []
    if chunk:
        yield b"leaves %d %s\n" % (start, base64.b64encode(b"".join(chunk)))


@dataclass(frozen=True)
class Problem:
    """One failed check: where (``entry 12``, ``checkpoint 40``, ``line 7``) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class BundleReport:
    origin: str = ""
    entries: int = 0
    leaves: int = 0
    checkpoints: list[int] = field(default_factory=list)
    cosigned: dict[str, int] = field(default_factory=dict)  # witness name -> largest size
    #: Witnesses that have not cosigned the newest checkpoint: name -> entries behind.
    lag: dict[str, int] = field(default_factory=dict)
    reader: str | None = None
    #: The reader's views the bundle was checked against: key -> number of entries.
    views: dict[str, int] = field(default_factory=dict)
    view_cosigned: list[str] = field(default_factory=list)  # witnesses who cosigned the view
    notes: list[str] = field(default_factory=list)  # informational lines
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _roots_at(leaves: bytes, sizes: Sequence[int]) -> dict[int, bytes]:
    """The tree's root at each of ``sizes`` (ascending), in one pass over the leaf hashes."""
    wanted = sorted(set(sizes))
    roots: dict[int, bytes] = {}
    sha = hashlib.sha256
    stack: list[bytes] = []
    count = 0
    for size in wanted:
        if size == 0:
            roots[0] = merkle.EMPTY_ROOT
            continue
        while count < size:
            h = leaves[count * HASH : (count + 1) * HASH]
            count += 1
            merges = (count & -count).bit_length() - 1
            while merges:
                h = sha(b"\x01" + stack.pop() + h).digest()
                merges -= 1
            stack.append(h)
        root = stack[-1]
        for left in reversed(stack[:-1]):
            root = sha(b"\x01" + left + root).digest()
        roots[size] = root
    return roots


def _seq_of(canonical: bytes) -> int | None:
    """The top-level ``seq`` of a canonical event.

    RFC 8785 sorts the keys (actor, audience, data, party, seq, subjects, …) and escapes
    every quote inside strings, so the top-level ``"seq":`` is the last one before
    ``"subjects":`` (a ``seq`` key inside ``data`` comes earlier). Anything unexpected
    falls back to parsing the JSON.
    """
    end = canonical.rfind(b',"subjects":')
    at = canonical.rfind(b'"seq":', 0, end) if end > 0 else -1
    if at > 0 and canonical[at - 1] == 44:  # preceded by ","
        start = stop = at + 6
        while stop < len(canonical) and 48 <= canonical[stop] <= 57:
            stop += 1
        if stop > start and canonical[stop] == 44:
            return int(canonical[start:stop])
    try:
        doc = json.loads(canonical)
    except ValueError:
        return None
    seq = doc.get("seq") if isinstance(doc, dict) else None
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None


_ORDER = {b"meta": 0, b"checkpoint": 1, b"view": 2, b"leaves": 3, b"entry": 4, b"end": 5}
#: ``meta`` without a ``reader`` key.
_NO_READER = "\x00"


def _audience_codes(inner: bytes) -> list[str] | None:
    """The codes of an audience array's inside (``"p1","p2"``), or None if not plain."""
    if b"\\" in inner:
        return None
    codes = [c[1:-1].decode("utf-8") for c in inner.split(b",")] if inner else []
    return codes if all(c and '"' not in c for c in codes) else None


class _Verifier:
    """Streaming state of one verification (the bundle's lines come in a fixed order)."""

    def __init__(
        self, log_keys: Sequence[str], witness_keys: Sequence[str], require_witnessed: bool
    ) -> None:
        self.report = BundleReport()
        self.require_witnessed = require_witnessed
        self.reader: str | None = _NO_READER
        self.view: tuple[note.Checkpoint, dict[str, reading.View]] | None = None
        #: Per view the reader reads: [entries held, their chained digest] (record.reading).
        self.held: dict[str, list[Any]] = {}
        #: An audience array's inside -> the view its entries count for (empty: unreadable).
        self.targets: dict[bytes, list[Any]] = {}
        self.pinned_log = list(log_keys)
        self.pinned_witnesses = list(witness_keys)
        self.log_verifiers: list[note.Verifier] = []
        self.witness_verifiers: list[note.Verifier] = []
        self.signed: dict[int, bytes] = {}
        self.leaves = bytearray()
        self.seen: set[int] = set()
        self.last_seq = 0
        self.max_seq = 0
        self.covered: int | None = None
        self.ended: int | None = None

    def problem(self, where: str, message: str) -> None:
        self.report.problems.append(Problem(where, message))

    def meta(self, rest: bytes) -> None:
        meta = json.loads(rest)
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
        report = self.report
        report.origin = str(meta.get("origin", ""))
        reader = meta.get("reader", _NO_READER)
        if reader is not None and not isinstance(reader, str):
            raise ValueError("the reader is neither a party code nor null")
        self.reader = reader
        report.reader = None if reader == _NO_READER else reader
        if reader and reader != _NO_READER:
            empty = reading.EMPTY_VIEW
            self.held = {reading.EVERY_MEMBER: [0, empty], reader: [0, empty]}
        self.log_verifiers = _verifiers(
            "log key", self.pinned_log or meta.get("log_keys") or [], report.problems
        )
        if not self.pinned_log:
            report.notes.append("log key taken from the bundle itself (pin it with --log-key)")
        keys = self.pinned_witnesses or [w.get("vkey", "") for w in meta.get("witnesses") or []]
        self.witness_verifiers = _verifiers("witness key", keys, report.problems)
        if not self.pinned_witnesses and self.witness_verifiers:
            report.notes.append(
                "witness keys taken from the bundle itself (pin them with --witness-key)"
            )

    def checkpoint(self, line: int, rest: bytes) -> None:
        text = json.loads(rest)
        if not isinstance(text, str):
            raise ValueError("not a JSON string")
        try:
            opened, _verified = note.open_note(text, self.log_verifiers)
            checkpoint = note.parse_checkpoint(opened.text)
        except note.NoteError as exc:
            self.problem(f"checkpoint on line {line}", f"log signature: {exc}")
            return
        where = f"checkpoint {checkpoint.size}"
        if self.report.origin and checkpoint.origin != self.report.origin:
            self.problem(where, f"origin {checkpoint.origin!r} is not this log's")
        if checkpoint.size in self.signed and self.signed[checkpoint.size] != checkpoint.root:
            self.problem(where, "two checkpoints of this size with different roots")
        self.signed[checkpoint.size] = checkpoint.root
        for signature in opened.signatures:
            for verifier in self.witness_verifiers:
                if verifier.name != signature.name or verifier.key_id != signature.key_id:
                    continue
                if note.verify_cosignature(opened.text, signature, verifier) is None:
                    self.problem(where, f"the cosignature of {signature.name} does not verify")
                else:
                    best = self.report.cosigned.get(signature.name, 0)
                    self.report.cosigned[signature.name] = max(best, checkpoint.size)

    def view_note(self, line: int, rest: bytes) -> None:
        text = json.loads(rest)
        if not isinstance(text, str):
            raise ValueError("not a JSON string")
        if self.view is not None:
            raise ValueError("a second view line")
        where = f"view of {self.reader}"
        try:
            opened, _verified = note.open_note(text, self.log_verifiers)
            checkpoint = note.parse_checkpoint(opened.text)
            views = reading.parse_view_lines(checkpoint.extensions)
        except (note.NoteError, ValueError) as exc:
            self.problem(f"{where} (line {line})", f"log signature: {exc}")
            return
        self.view = (checkpoint, views)
        for signature in opened.signatures:
            for verifier in self.witness_verifiers:
                if verifier.name != signature.name or verifier.key_id != signature.key_id:
                    continue
                if note.verify_cosignature(opened.text, signature, verifier) is None:
                    self.problem(where, f"the cosignature of {signature.name} does not verify")
                else:
                    self.report.view_cosigned.append(signature.name)

    def leaf_chunk(self, rest: bytes) -> None:
        start_text, data = rest.split(b" ", 1)
        if int(start_text) != len(self.leaves) // HASH:
            raise ValueError("leaf lines are out of order")
        chunk = base64.b64decode(data, validate=True)
        if len(chunk) % HASH:
            raise ValueError("a leaf hash is not 32 bytes long")
        self.leaves += chunk

    def entry(self, line: int, rest: bytes) -> None:
        """Check one entry line; the hot loop of a verification (10^6 calls)."""
        seq_text, salt_hex, canonical = rest.split(b" ", 2)
        seq = int(seq_text)
        salt = binascii.unhexlify(salt_hex)
        self.last_seq = seq
        self.max_seq = max(self.max_seq, seq)
        self.report.entries += 1
        if self.covered is None:  # no checkpoint line may follow an entry line
            self.covered = max(self.signed) if self.signed else 0
        index = seq - 1
        leaves = self.leaves
        if index < 0 or (index + 1) * HASH > len(leaves):
            self.problem(f"entry {seq} (line {line})", "its index is outside the tree")
            return
        if seq in self.seen:
            self.problem(f"entry {seq} (line {line})", "appears twice")
        self.seen.add(seq)
        sha = hashlib.sha256
        leaf = sha(b"\x00" + sha(salt + canonical).digest()).digest()
        if leaf != leaves[index * HASH : (index + 1) * HASH]:
            self.problem(
                f"entry {seq} (line {line})",
                f"does not match leaf {index} of the tree: it was altered",
            )
        elif (
            not canonical.endswith(b',"seq":%d' % seq, 0, canonical.rfind(b',"subjects":'))
            and _seq_of(canonical) != seq
        ):
            self.problem(f"entry {seq} (line {line})", "its content names another sequence number")
        elif seq > self.covered:
            self.problem(f"entry {seq} (line {line})", "no checkpoint in the bundle covers it")
        elif self.held:
            # The inside of the top-level audience array: RFC 8785 sorts the keys, so
            # "audience" follows the "actor" object, and a quote inside a string is always
            # escaped, so the first },"audience":[ is that key (else: parse the JSON).
            at = canonical.find(b'},"audience":[')
            stop = canonical.find(b"]", at + 14) if at > 0 else -1
            inner = canonical[at + 14 : stop] if stop > 0 else b"\\"
            target = self.targets.get(inner)
            if target is None:
                codes = _audience_codes(inner)
                target = self._target(
                    codes if codes is not None else reading.audience_of(canonical)
                )
                if codes is not None:  # plain codes: the same inside, the same views
                    self.targets[inner] = target
            if target:
                target[0] += 1
                target[1] = sha(b"\x02" + target[1] + leaf).digest()  # reading.chain, inlined
            else:
                self.problem(
                    f"entry {seq} (line {line})",
                    f"its audience does not include {self.reader}, the bundle's reader",
                )

    def _target(self, audience: list[str] | None) -> list[Any]:
        """The first of the audience's views that the reader reads (empty list: none)."""
        for key in reading.view_keys(audience) if audience is not None else ():
            view = self.held.get(key)
            if view is not None:
                return view
        return []

    def finish(self) -> BundleReport:
        report = self.report
        report.leaves = len(self.leaves) // HASH
        if self.ended is None:
            self.problem("end", "the bundle is truncated (no 'end' line)")
        elif self.ended != report.entries:
            self.problem("end", f"{self.ended} entries announced, {report.entries} found")
        report.checkpoints = sorted(self.signed)
        if not self.signed:
            self.problem("checkpoints", "the bundle has no valid checkpoint")
            return report
        covered = max(self.signed)
        self._witness_lag(covered)
        self._views(covered)
        if report.leaves < covered:
            self.problem("leaves", f"{report.leaves} leaf hashes; the checkpoints need {covered}")
            return report
        roots = _roots_at(bytes(self.leaves), list(self.signed))
        for size in sorted(self.signed):
            if roots[size] != self.signed[size]:
                self.problem(f"checkpoint {size}", "the tree's leaves do not give its signed root")
        return report

    def _witness_lag(self, covered: int) -> None:
        """Each witness's lag behind the newest checkpoint: reported, failed only when the
        caller requires every entry to be witnessed (``require_witnessed``)."""
        report = self.report
        for verifier in self.witness_verifiers:
            witnessed = report.cosigned.get(verifier.name, 0)
            if witnessed >= covered:
                continue
            report.lag[verifier.name] = covered - witnessed
            if not self.require_witnessed:
                report.notes.append(
                    f"witness {verifier.name} has cosigned "
                    + (f"up to {witnessed}" if witnessed else "no checkpoint")
                    + f" of the {covered} entries (lag {covered - witnessed}): entries "
                    f"{witnessed + 1} to {covered} are signed by the log alone"
                )
            elif not witnessed:
                self.problem(f"witness {verifier.name}", "cosigned no checkpoint here")
            elif self.max_seq > witnessed:
                # A log key alone could show each party its own version of the newest
                # entries: the caller asked that every entry be in a witnessed tree.
                self.problem(
                    f"entry {witnessed + 1}",
                    f"and every later entry: no checkpoint that witness {verifier.name} "
                    f"cosigned covers them (it cosigned up to {witnessed} entries)",
                )

    def _views(self, covered: int) -> None:
        """The entries held are exactly those the reader may read (ADR 0011)."""
        reader = self.reader
        if reader == _NO_READER:
            self.problem(
                "meta", "names no reader: the bundle cannot show that nothing was left out"
            )
            return
        if reader is None:  # the operator's bundle holds every entry
            missing = [s for s in range(1, covered + 1) if s not in self.seen]
            if missing:
                self.problem(
                    f"entry {missing[0]}",
                    f"missing from the operator's bundle, which holds every entry "
                    f"({len(missing)} missing)",
                )
            return
        if not reader:  # a person of no party reads nothing
            if self.report.entries:
                self.problem("entries", "a bundle for someone of no party holds entries")
            return
        if self.view is None:
            self.problem(
                f"view of {reader}",
                "missing: without it an entry left out cannot be told from one hidden "
                f"from {reader}",
            )
            return
        checkpoint, views = self.view
        where = f"view of {reader}"
        if (
            checkpoint.origin != self.report.origin
            or checkpoint.size != covered
            or checkpoint.root != self.signed[covered]
        ):
            self.problem(where, f"is not of the bundle's latest checkpoint ({covered} entries)")
            return
        for key, (count, digest) in self.held.items():
            held = reading.View(count, digest)
            signed = views.get(key)
            what = "every member may read" if key == reading.EVERY_MEMBER else f"addressed to {key}"
            if signed is None:
                self.problem(where, f"lists no view of the entries {what}")
                continue
            self.report.views[key] = signed.size
            if held.size < signed.size:
                omitted = signed.size - held.size
                self.problem(
                    where,
                    f"the log lists {signed.size} entries {what} up to entry {covered}; "
                    f"the bundle holds {held.size}: "
                    + (
                        "1 readable entry was"
                        if omitted == 1
                        else f"{omitted} readable entries were"
                    )
                    + " omitted",
                )
            elif held.size > signed.size:
                self.problem(
                    where,
                    f"the bundle holds {held.size} entries {what}, more than the "
                    f"{signed.size} the log lists",
                )
            elif held.digest != signed.digest:
                self.problem(
                    where,
                    f"the entries {what} in the bundle are not those the log lists "
                    "(one was left out and another put in its place)",
                )


def verify_bundle(
    stream: IO[bytes],
    *,
    log_keys: Sequence[str] = (),
    witness_keys: Sequence[str] = (),
    require_witnessed: bool = False,
    progress: Callable[[int], None] | None = None,
) -> BundleReport:
    """Check a bundle; every failure becomes a :class:`Problem` naming what failed.

    ``log_keys`` / ``witness_keys`` are vkeys the caller trusts; when none are given the
    bundle's own are used and the report says so (that checks integrity, not origin).
    Reads the bundle once, keeping only the leaf hashes (32 bytes per event) in memory.
    ``require_witnessed``: fail on entries beyond what a witness cosigned, instead of
    reporting its lag.
    """
    state = _Verifier(log_keys, witness_keys, require_witnessed)
    first = stream.readline().rstrip(b"\n").decode("utf-8", "replace")
    if first in _OLD_FORMATS:
        state.problem(
            "line 1",
            f"{first!r} is an earlier format, which cannot show that no readable entry was "
            f"left out: export the bundle again ({FORMAT!r})",
        )
        return state.report
    if first != FORMAT:
        state.problem("line 1", f"not a coordcell bundle (expected {FORMAT!r})")
        return state.report
    stage = 0
    line_no = 1
    for raw in stream:
        line_no += 1
        if progress is not None and not line_no % 8192:
            progress(line_no)
        kind, _, rest = raw.rstrip(b"\n").partition(b" ")
        try:
            order = _ORDER.get(kind)
            if order is None:
                raise ValueError(f"unknown line kind {kind[:20]!r}")
            if order < stage:
                raise ValueError("out of order")
            stage = order
            if kind == b"entry":
                state.entry(line_no, rest)
            elif kind == b"leaves":
                state.leaf_chunk(rest)
            elif kind == b"checkpoint":
                state.checkpoint(line_no, rest)
            elif kind == b"view":
                state.view_note(line_no, rest)
            elif kind == b"meta":
                state.meta(rest)
            else:
                state.ended = int(rest)
        except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
            after = f" (after entry {state.last_seq})" if state.last_seq else ""
            state.problem(f"line {line_no}{after}", f"malformed {kind[:20]!r} line: {exc}")
    return state.finish()


def _verifiers(what: str, keys: Iterable[Any], problems: list[Problem]) -> list[note.Verifier]:
    out = []
    for key in keys:
        try:
            out.append(note.Verifier.from_vkey(str(key)))
        except note.NoteError as exc:
            problems.append(Problem(what, f"{str(key)[:60]!r}: {exc}"))
    return out
