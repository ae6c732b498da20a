"""Tell an input's format from its first bytes, and read it with the matching reader."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Collection, Iterator
from typing import Literal, TypeAlias

from coordcell.interop.acled import read_acled_csv
from coordcell.interop.common import (
    FormatError,
    InputError,
    ObservationRow,
    RowError,
    SourceFile,
    describe,
    sniff_bytes,
)
from coordcell.interop.geojson import read_geojson
from coordcell.interop.ucdp import read_ucdp_csv

__all__ = ["FORMATS", "InputFormat", "count_lines", "read_observations", "sniff_format"]

InputFormat: TypeAlias = Literal["ucdp", "acled", "geojson"]
FORMATS: tuple[InputFormat, ...] = ("ucdp", "acled", "geojson")

_HEAD_BYTES = 64 * 1024


def sniff_format(source: str | os.PathLike[str]) -> InputFormat:
    """``"geojson"`` for JSON; for CSV, ``"ucdp"`` when the header has ``type_of_violence``
    and ``"acled"`` when it has ``event_id_cnty``. Raises ``FormatError`` otherwise, and
    ``InputError`` for an empty or unreadable file."""
    path = describe(source)
    try:
        with open(source, "rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror or exc}", path=path) from exc
    shape = sniff_bytes(head)
    if shape == "empty":
        raise InputError("the file is empty", path=path)
    if shape == "json":
        return "geojson"
    first_line = head.split(b"\n", 1)[0].decode("utf-8-sig", "replace")
    if "\x00" in first_line or "\ufffd" in first_line:
        raise FormatError(
            "cannot tell the format: line 1 is not UTF-8 text "
            "(expected a UCDP or ACLED CSV, or GeoJSON)",
            path=path,
            line=1,
        )
    columns = {c.strip() for c in next(csv.reader(io.StringIO(first_line)), [])}
    is_ucdp = "type_of_violence" in columns
    is_acled = "event_id_cnty" in columns
    if is_ucdp and not is_acled:
        return "ucdp"
    if is_acled and not is_ucdp:
        return "acled"
    reason = (
        "has both 'type_of_violence' (UCDP GED) and 'event_id_cnty' (ACLED)"
        if is_ucdp
        else "has neither 'type_of_violence' (UCDP GED) nor 'event_id_cnty' (ACLED)"
    )
    raise FormatError(
        f"cannot tell the format: the CSV header {reason}; give the format "
        "(ucdp, acled or geojson) explicitly",
        path=path,
        line=1,
    )


def read_observations(
    source: SourceFile, format: InputFormat | None = None, *, kinds: Collection[str] = ()
) -> Iterator[ObservationRow | RowError]:
    """Read ``source`` with the reader for ``format`` (sniffed from the file when ``None``).

    Sniffing needs a path; pass ``format`` for an open file. Raises ``FormatError`` for an
    unknown format or one that cannot be told, ``InputError`` for an unreadable file (both
    on the first ``next``). ``kinds``: the incident kinds an arrangement declares, which a
    GeoJSON feature may name beside the built-in ones.
    """
    if format is None:
        if not isinstance(source, str | os.PathLike):
            raise FormatError("cannot tell the format of an open file: give the format")
        format = sniff_format(source)
    if format == "ucdp":
        yield from read_ucdp_csv(source)
    elif format == "acled":
        yield from read_acled_csv(source)
    elif format == "geojson":
        yield from read_geojson(source, kinds=kinds)
    else:
        raise FormatError(
            f"unknown format {format!r} (use one of: {', '.join(FORMATS)})",
            path=describe(source),
        )


def count_lines(path: str | os.PathLike[str]) -> int | None:
    """Data rows of a CSV (lines less the header), for the progress bar; None for JSON."""
    with open(path, "rb") as handle:
        head = handle.read(1)
        if head in (b"{", b"["):
            return None
        handle.seek(0)
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return max(lines - 1, 0)
