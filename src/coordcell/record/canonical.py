"""Canonical JSON (RFC 8785) for record events.

The same event must serialise to the same bytes on every machine and in every
language, or the hash chain and (later) the Merkle proofs could not be checked by a
party's own tools. RFC 8785 fixes key order, number format and string escaping.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import rfc8785

__all__ = ["canonical_json", "reference_canonical_json", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Turn dates, UUIDs, tuples and lazy strings into plain JSON values."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a record event")
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [to_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def reference_canonical_json(value: Any) -> bytes:
    """RFC 8785 through the ``rfc8785`` package: the reference the fast path must match."""
    return rfc8785.dumps(to_jsonable(value))


class _NotPlain(Exception):
    """A value the fast path does not serialise exactly as RFC 8785 does."""


#: Floats whose Python ``repr`` is also their ECMAScript (RFC 8785) form: no exponent in
#: either (Python writes one below 1e-4 and from 1e16; ECMAScript below 1e-6 and from 1e21).
_PLAIN_FLOAT = (1e-4, 1e16)
_SAFE_INT = 2**53 - 1


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        if -_SAFE_INT <= value <= _SAFE_INT:
            return value
        raise _NotPlain  # canonical_json refuses it
    if kind is float:
        if _PLAIN_FLOAT[0] <= abs(value) < _PLAIN_FLOAT[1] or value == 0:
            return int(value) if value.is_integer() else value  # RFC 8785: 35.0 is 35
        raise _NotPlain
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str or not key.isascii():  # RFC 8785 sorts by UTF-16 units
                raise _NotPlain
            out[key] = _plain(item)
        return out
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    if kind is dt.datetime and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    raise _NotPlain


def canonical_json(value: Any) -> bytes:
    """Serialise ``value`` to RFC 8785 canonical JSON bytes.

    For plain JSON data (dicts with ASCII keys, lists, strings, integers, floats written
    without an exponent by both Python and ECMAScript, aware datetimes), the standard
    library's compact, key-sorted JSON is RFC 8785: the same escapes, the same shortest
    round-trip digits. Anything else (dates, UUIDs, lazy strings, tiny or huge floats,
    lone surrogates) goes through :func:`reference_canonical_json` (the ``rfc8785`` package).
    """
    try:
        text = json.dumps(_plain(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return text.encode("utf-8")
    except (_NotPlain, UnicodeEncodeError, ValueError):
        return reference_canonical_json(value)
