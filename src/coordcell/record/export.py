"""Writing record bundles, and checking the live record (``coordcell record export|check``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.utils import timezone

from coordcell.core.actor import Actor
from coordcell.record import bundle, merkle, note
from coordcell.record.keys import log_verifiers
from coordcell.record.models import (
    Checkpoint,
    Entry,
    Head,
    Node,
    ViewCheckpoint,
    Witness,
    node_key,
)
from coordcell.record.services import issue_checkpoint, verify_chain, view_checkpoint
from coordcell.record.tree import commitment, root_at

__all__ = ["ExportSummary", "check_record", "export_bundle"]

#: Rows read per query when streaming leaves and entries.
CHUNK = 5000


@dataclass(frozen=True)
class ExportSummary:
    tree_size: int
    entries: int
    checkpoints: int


def _export_checkpoint(reader: str | None) -> tuple[Checkpoint | None, ViewCheckpoint | None]:
    """The checkpoint a bundle goes up to, and the reader's view of it.

    The newest checkpoint, signed now if entries came after it: a bundle is fresh even
    while a witness lags (the verifier reports the lag, ADR 0011). ``reader`` is the
    exporting person's party code, None for the operator at the console (who reads all).
    """
    for _attempt in range(3):
        issue_checkpoint(force=True)
        latest = Checkpoint.objects.order_by("-size").first()
        if latest is None:
            return None, None
        if reader is None:
            return latest, None
        view = view_checkpoint(latest, reader)
        if view is not None:
            return latest, view
    raise RuntimeError("the record kept growing while its checkpoint was being signed")


def export_bundle(
    actor: Actor, out: IO[bytes], progress: Callable[[int, int], None] | None = None
) -> ExportSummary:
    """Write a bundle of what ``actor`` may read, up to the newest checkpoint, with the
    actor's party's view of it (what the party may read, signed: ADR 0011).

    Everything is read up to the size of that checkpoint: entries, leaves, nodes and
    checkpoints of that range never change (the database refuses it), so the bundle is a
    consistent snapshot while events keep arriving, without holding a transaction (on
    SQLite a transaction would hold the write lock and stall the server).
    """
    reader = None if actor.system else (actor.party_code or "")
    latest, view = _export_checkpoint(reader) if reader != "" else (None, None)
    size = latest.size if latest is not None else 0
    checkpoints = list(
        Checkpoint.objects.filter(size__lte=size).prefetch_related("cosignatures").order_by("size")
    )
    witnesses = list(Witness.objects.select_related("party").order_by("party__code", "name"))
    meta = {
        "origin": latest.origin if latest is not None else "",
        "log_keys": [v.vkey for v in log_verifiers()],
        "witnesses": [{"party": w.party.code, "name": w.name, "vkey": w.vkey} for w in witnesses],
        "exported_at": timezone.now().isoformat(),
        "exported_for": actor.party_code or actor.name,
        "reader": reader,
        "tree_size": size,
    }
    out.write(bundle.FORMAT.encode("ascii") + b"\n")
    out.write(b"meta " + json.dumps(meta, ensure_ascii=False).encode("utf-8") + b"\n")
    for checkpoint in checkpoints:
        lines = [c.line for c in checkpoint.cosignatures.all()]
        out.write(bundle.checkpoint_line(note.add_signatures(checkpoint.note, lines)))
    if view is not None:
        lines = [c.line for c in view.cosignatures.all()]
        out.write(bundle.view_line(note.add_signatures(view.note, lines)))
    for start in range(0, size, CHUNK * 4):
        end = min(size, start + CHUNK * 4)
        hashes = (
            Node.objects.filter(pk__gte=node_key(0, start), pk__lt=node_key(0, end))
            .order_by("pk")
            .values_list("hash", flat=True)
        )
        for line in bundle.leaves_lines((bytes(h) for h in hashes), start):
            out.write(line)
        if progress is not None:
            progress(end, size * 2)
    count = 0
    rows = (
        Entry.objects.restrict(actor)
        .filter(seq__lte=size)
        .order_by("seq")
        .values_list("seq", "leaf__salt", "canonical")
    )
    for seq, salt, canonical in rows.iterator(chunk_size=CHUNK):
        out.write(bundle.entry_line(seq, bytes(salt), canonical))
        count += 1
        if progress is not None and not count % CHUNK:
            progress(size + seq, size * 2)
    out.write(b"end %d\n" % count)
    if progress is not None:
        progress(size * 2, size * 2)
    return ExportSummary(tree_size=size, entries=count, checkpoints=len(checkpoints))


@dataclass(frozen=True)
class CheckResult:
    size: int
    checkpoints: int
    problems: list[str]


def check_record(progress: Callable[[int, int], None] | None = None) -> CheckResult:
    """Check the live record end to end; name the first entry or checkpoint that fails.

    The hash chain (and each entry's columns against its canonical JSON), every leaf
    against its entry, the tree's root against the head, and every checkpoint's
    signature and root against the tree.
    """
    problems: list[str] = []
    bad = verify_chain()
    if bad is not None:
        problems.append(f"entry {bad}: does not follow from the entry before it (hash chain)")
    head = Head.objects.get(pk=1)
    frontier = merkle.Frontier()
    stored = {
        pk: bytes(h)
        for pk, h in Node.objects.filter(pk__lt=node_key(1, 0)).values_list("pk", "hash")
    }
    rows = Entry.objects.order_by("seq").values_list("seq", "leaf__salt", "canonical")
    leaf_problems = []
    for seq, salt, canonical in rows.iterator(chunk_size=CHUNK):
        if salt is None:
            leaf_problems.append(f"entry {seq}: has no leaf in the tree")
            frontier.append(stored.get(seq - 1, bytes(32)))
            continue
        leaf = merkle.leaf_hash(commitment(bytes(salt), canonical.encode("utf-8")))
        if stored.get(seq - 1) != leaf:
            leaf_problems.append(f"entry {seq}: differs from its leaf in the tree (altered)")
        frontier.append(leaf)
        if progress is not None and not seq % CHUNK:
            progress(seq, head.size)
    if len(stored) != frontier.size:
        leaf_problems.append(f"tree: {len(stored)} leaves stored for {frontier.size} entries")
    problems.extend(leaf_problems[:1])
    if frontier.root().hex() != head.root:
        problems.append("head: the tree's root does not follow from the entries")
    verifiers = list(log_verifiers())
    checkpoints = list(Checkpoint.objects.order_by("size"))
    for checkpoint in checkpoints:
        try:
            opened, _signed = note.open_note(checkpoint.note, verifiers)
            parsed = note.parse_checkpoint(opened.text)
        except note.NoteError as exc:
            problems.append(f"checkpoint {checkpoint.size}: {exc}")
            continue
        if parsed.size != checkpoint.size or parsed.root.hex() != checkpoint.root:
            problems.append(f"checkpoint {checkpoint.size}: its columns differ from its note")
        elif checkpoint.size > head.size or root_at(checkpoint.size) != parsed.root:
            problems.append(f"checkpoint {checkpoint.size}: the tree no longer has its root")
    if progress is not None:
        progress(head.size, head.size)
    return CheckResult(size=head.size, checkpoints=len(checkpoints), problems=problems)
