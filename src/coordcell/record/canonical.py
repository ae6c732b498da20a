"""Canonical JSON (RFC 8785) for record events.

The same event must serialise to the same bytes on every machine and in every
language, or the hash chain and (later) the Merkle proofs could not be checked by a
party's own tools. RFC 8785 fixes key order, number format and string escaping.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import rfc8785

__all__ = ["canonical_json", "to_jsonable"]


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


def canonical_json(value: Any) -> bytes:
    """Serialise ``value`` to RFC 8785 canonical JSON bytes."""
    return rfc8785.dumps(to_jsonable(value))
