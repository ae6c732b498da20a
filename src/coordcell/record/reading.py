"""Readers' views of the record: which entries each reader may read, as hash chains.

The log's tree holds every entry; a party reads only some of them. Without more, a bundle
that leaves out an entry its reader may read looks exactly like one that leaves out an
entry hidden from that reader (ADR 0011). So the log also keeps one **view** per audience
key, over the leaf hashes of the entries addressed to it, in order:

- ``*``: the entries every member reads (audience ``["*"]``, or the empty audience of
  entries written before audiences failed closed);
- ``<party code>``: the entries whose audience names that party.

The console-only audience (``~``) has no view: no member reads those entries.

A view is its number of entries and a digest chained over their leaf hashes (the log
tree's own RFC 9162 ``0x00`` leaf hashes of the salted commitments)::

    digest_0 = 32 zero bytes
    digest_k = SHA-256(0x02 || digest_{k-1} || leaf hash of the k-th entry of the view)

A chain, not a tree: nobody needs a proof from a view (whoever checks one holds all its
entries), and a chain costs one hash per entry and 32 bytes of state to keep up to date.

A reader's view is the pair (``*``, its own party), and a **view note** states both: a
C2SP checkpoint of the whole log (origin, size, root) with one extension line per view,
``view <key> <number of entries> <base64 digest>``, signed by the log key and cosigned by
the reader's party's witness. It is given only to that party: another party's view size
would tell how many entries were addressed to it. Pure Python, no Django: ``coordcell
verify`` uses it offline.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from coordcell.record import merkle

__all__ = [
    "EMPTY_VIEW",
    "EVERY_MEMBER",
    "View",
    "audience_of",
    "chain",
    "current_views",
    "extend_views",
    "parse_view_lines",
    "view_keys",
    "view_lines",
]

#: The view of the entries every member reads (``core.audience.ALL_MEMBERS``).
EVERY_MEMBER = "*"
#: The console-only audience (``core.audience.CONSOLE_ONLY``): no view.
_CONSOLE_ONLY = "~"
_PREFIX = "view "
#: The digest of an empty view.
EMPTY_VIEW = bytes(merkle.HASH_SIZE)


def view_keys(audience: Sequence[str]) -> list[str]:
    """The views an entry with ``audience`` belongs to."""
    if not audience or EVERY_MEMBER in audience:
        return [EVERY_MEMBER]
    return [code for code in audience if code != _CONSOLE_ONLY]


def chain(digest: bytes, leaf: bytes) -> bytes:
    """The view's digest after one more entry, of leaf hash ``leaf``."""
    return hashlib.sha256(b"\x02" + digest + leaf).digest()


def extend_views(views: dict[str, Any], keys: Iterable[str], leaf: bytes) -> None:
    """Add the entry of leaf hash ``leaf`` to each view of ``keys`` in ``views`` (in place).

    ``views`` maps a key to ``[size, digest hex]``, the form kept in the record's head row.
    """
    for key in keys:
        size, digest = views.get(key) or (0, EMPTY_VIEW.hex())
        views[key] = [int(size) + 1, chain(bytes.fromhex(str(digest)), leaf).hex()]


class View:
    """A view's number of entries and digest."""

    __slots__ = ("digest", "size")

    def __init__(self, size: int, digest: bytes) -> None:
        self.size = size
        self.digest = digest

    def __eq__(self, other: object) -> bool:
        return isinstance(other, View) and (self.size, self.digest) == (other.size, other.digest)

    def __hash__(self) -> int:
        return hash((self.size, self.digest))

    def __repr__(self) -> str:
        return f"View({self.size}, {self.digest.hex()[:12]}…)"


def current_views(views: Mapping[str, Any]) -> dict[str, View]:
    """``{key: View}`` of the head row's views."""
    return {
        key: View(int(size), bytes.fromhex(str(digest))) for key, (size, digest) in views.items()
    }


def view_lines(views: Mapping[str, View | None], reader: str) -> tuple[str, ...]:
    """The extension lines of ``reader``'s view note: every member's view, then its own.

    A key missing from ``views`` (or None) is an empty view.
    """
    lines = []
    for key in (EVERY_MEMBER, reader) if reader != EVERY_MEMBER else (EVERY_MEMBER,):
        view = views.get(key) or View(0, EMPTY_VIEW)
        lines.append(f"{_PREFIX}{key} {view.size} {base64.b64encode(view.digest).decode()}")
    return tuple(lines)


def parse_view_lines(extensions: Sequence[str]) -> dict[str, View]:
    """``{key: View}`` from a view note's extension lines; ValueError if one is malformed."""
    views: dict[str, View] = {}
    for line in extensions:
        if not line.startswith(_PREFIX):
            continue
        parts = line[len(_PREFIX) :].split(" ")
        if len(parts) != 3 or not parts[1].isdigit() or parts[0] in views:
            raise ValueError(f"malformed view line {line[:80]!r}")
        try:
            root = base64.b64decode(parts[2], validate=True)
        except binascii.Error:
            raise ValueError(f"malformed view line {line[:80]!r}") from None
        if len(root) != merkle.HASH_SIZE:
            raise ValueError(f"malformed view line {line[:80]!r}")
        views[parts[0]] = View(int(parts[1]), root)
    return views


def audience_of(canonical: bytes) -> list[str] | None:
    """The top-level ``audience`` of a canonical event, or None if it has none.

    RFC 8785 sorts the keys, so ``audience`` follows the ``actor`` object; a quote inside a
    string is always escaped, so the first ``},"audience":[`` is that key. Anything
    unexpected falls back to parsing the JSON.
    """
    at = canonical.find(b'},"audience":[')
    if at > 0:
        start = at + 13
        stop = canonical.find(b"]", start)
        if stop > 0:
            try:
                value = json.loads(canonical[start : stop + 1])
            except ValueError:
                value = None
            if isinstance(value, list) and all(isinstance(c, str) for c in value):
                return value
    try:
        doc = json.loads(canonical)
    except ValueError:
        return None
    audience = doc.get("audience") if isinstance(doc, dict) else None
    if isinstance(audience, list) and all(isinstance(c, str) for c in audience):
        return audience
    return None
