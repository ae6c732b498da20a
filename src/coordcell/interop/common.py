"""The row model every importer yields, the errors they report and the shared CSV machinery.

A reader yields, for each row (or feature) of its input, either an ``ObservationRow`` or a
``RowError``; it never stops on a bad row and never drops one silently. Problems with the
file as a whole (not text, not UTF-8, empty, missing header columns, invalid JSON) raise
``InputError``, which the CLI turns into a non-zero exit.

Pure Python: the standard library only.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Literal, NamedTuple, TypeAlias, TypeVar, cast

__all__ = [
    "CATEGORIES",
    "Fatalities",
    "FormatError",
    "ImportReport",
    "InputError",
    "ObservationRow",
    "Reject",
    "RowError",
    "SourceFile",
    "TimeValue",
]

#: What a reader takes: a path, or an open file (text, or binary that is decoded as UTF-8).
SourceFile: TypeAlias = "str | os.PathLike[str] | IO[str] | IO[bytes]"

#: A time as the sources give it: a calendar day, or an instant with its UTC offset.
TimeValue: TypeAlias = "dt.date | dt.datetime"

#: The reason categories ``ImportReport.reasons`` counts.
CATEGORIES: tuple[str, ...] = (
    "malformed_row",  # wrong number of fields, broken quoting
    "not_utf8",  # bytes that are not UTF-8 in this row
    "missing_value",  # a required value is empty or absent
    "not_a_number",  # a number field holds something else
    "out_of_range",  # latitude, longitude or a count outside its range
    "bad_date",  # a date or time that cannot be read
    "date_order",  # the end is before the start
    "bad_precision",  # a precision code outside the source's code list
    "unknown_event_type",  # an ACLED pair or UCDP code with no mapping
    "unknown_kind",  # a GeoJSON 'kind' that is not one of taxonomy.KINDS
    "bad_geometry",  # missing, unsupported or malformed geometry
    "bad_feature",  # a GeoJSON feature that is not a Feature object
)


class InputError(Exception):
    """The input as a whole cannot be read. The message names the file, line and column."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.path] if self.path else []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class FormatError(InputError):
    """The input's format could not be told (or is not one we read)."""


class Fatalities(NamedTuple):
    """Fatality estimates where the source has them; ``None`` where it gives no figure."""

    low: int | None
    best: int | None
    high: int | None


@dataclass(frozen=True, slots=True)
class ObservationRow:
    """One accepted row of an input, in the common model the rules engine reads.

    - ``source``: ``"ucdp"``, ``"acled"`` or ``"geojson"``.
    - ``source_id``: UCDP ``id``, ACLED ``event_id_cnty``, or the GeoJSON feature ``id``
      (``""`` when a feature has none).
    - ``line``: the 1-based line of the file where the row starts (the header is line 1);
      for GeoJSON the 0-based index of the feature in ``features``.
    - ``kind``: a code of ``coordcell.rules.taxonomy.KINDS``.
    - ``geometry``: a GeoJSON geometry (WGS84 lon/lat; a Point for UCDP and ACLED).
    - ``time_start``/``time_end``: a ``date``, or an aware ``datetime`` (GeoJSON only).
    - ``time_precision``/``location_precision``: the source's codes as given (UCDP
      ``date_prec``/``where_prec``, ACLED ``time_precision``/``geo_precision``), or ``None``.
    - ``uncertainty_m``: radius in metres around the geometry where the event may have been
      (from the precision codes; see ``docs/taxonomy.md``).
    - ``attribution``: the credit line the source's licence requires; always kept.
    - ``attributes``: every column (or property) of the source row, as strings.
    - ``fatalities``: (low, best, high) where the source has them.

    Not hashable on ``geometry`` and ``attributes``; equality compares every field.
    """

    source: str
    source_id: str
    line: int
    kind: str
    geometry: Mapping[str, Any] = field(hash=False)
    time_start: TimeValue
    time_end: TimeValue
    time_precision: int | None
    location_precision: int | None
    uncertainty_m: float
    attribution: str
    attributes: Mapping[str, str] = field(hash=False)
    fatalities: Fatalities | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    """A rejected row: where it is, its source id if it could be read, and why."""

    line: int
    source_id: str
    reason: str
    category: str = "malformed_row"

    def __str__(self) -> str:
        ident = f" ({self.source_id})" if self.source_id else ""
        return f"line {self.line}{ident}: {self.reason}"


@dataclass
class ImportReport:
    """Counts of what a reader yielded. ``reasons`` counts rejections by category.

    ``errors`` keeps the first ``max_errors`` errors (all of them when ``None``); the
    counts are always complete, and ``errors_truncated`` says when the list is not.
    """

    read: int = 0
    accepted: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)
    max_errors: int | None = 10_000

    @property
    def errors_truncated(self) -> bool:
        return len(self.errors) < self.rejected

    def add(self, item: ObservationRow | RowError) -> None:
        """Count one item a reader yielded."""
        self.read += 1
        if isinstance(item, RowError):
            self.rejected += 1
            self.reasons[item.category] = self.reasons.get(item.category, 0) + 1
            if self.max_errors is None or len(self.errors) < self.max_errors:
                self.errors.append(item)
        else:
            self.accepted += 1

    def track(self, items: Iterable[ObservationRow | RowError]) -> Iterator[ObservationRow]:
        """Count every item and pass the accepted rows through."""
        for item in items:
            self.add(item)
            if not isinstance(item, RowError):
                yield item

    def summary(self) -> str:
        """One line, e.g. ``"106 read, 105 accepted, 1 rejected (out_of_range: 1)"``."""
        text = f"{self.read} read, {self.accepted} accepted, {self.rejected} rejected"
        if self.reasons:
            counts = ", ".join(f"{k}: {v}" for k, v in sorted(self.reasons.items()))
            text += f" ({counts})"
        return text


class Reject(Exception):
    """Raised inside a row parser; the reader turns it into a ``RowError``."""

    def __init__(self, category: str, reason: str) -> None:
        super().__init__(reason)
        self.category = category
        self.reason = reason


# --------------------------------------------------------------------------------------------
# Value parsers shared by the readers. Each raises ``Reject`` with a specific reason.


def parse_float(raw: str, name: str) -> float:
    if not raw:
        raise Reject("missing_value", f"missing value for {name!r}")
    try:
        value = float(raw)
    except ValueError:
        raise Reject("not_a_number", f"{name} {raw!r} is not a number") from None
    if not math.isfinite(value):
        raise Reject("not_a_number", f"{name} {raw!r} is not a finite number")
    return value


def parse_coordinate(raw: str, name: str, limit: int) -> float:
    """A latitude (``limit`` 90) or longitude (``limit`` 180) in decimal degrees."""
    value = parse_float(raw.strip(), name)
    if not -limit <= value <= limit:
        raise Reject("out_of_range", f"{name} {raw.strip()} out of range [-{limit}, {limit}]")
    return value


def parse_int(raw: str, name: str) -> int:
    text = raw.strip()
    if not text:
        raise Reject("missing_value", f"missing value for {name!r}")
    try:
        return int(text)
    except ValueError:
        pass
    # Some exports write integer columns as floats ("666.0"); accept whole numbers only.
    try:
        value = float(text)
    except ValueError:
        raise Reject("not_a_number", f"{name} {raw!r} is not an integer") from None
    if not value.is_integer():
        raise Reject("not_a_number", f"{name} {raw!r} is not an integer")
    return int(value)


def parse_optional_int(raw: str | None, name: str) -> int | None:
    if raw is None or not raw.strip():
        return None
    return parse_int(raw, name)


def _is_iso_day(text: str) -> bool:
    return len(text) == 10 and text[4] == "-" and text[7] == "-"


def parse_iso_day(raw: str, name: str) -> dt.date:
    """``YYYY-MM-DD``, optionally followed by a time of day (``2013-01-03 00:00:00.000``)."""
    text = raw.strip()
    if not text:
        raise Reject("missing_value", f"missing value for {name!r}")
    day = text[:10] if len(text) > 10 and text[10] in " T" else text
    if _is_iso_day(day):
        try:
            return dt.date.fromisoformat(day)
        except ValueError:
            pass
    raise Reject("bad_date", f"{name} {raw!r} is not a date (YYYY-MM-DD)")


def parse_iso_time(raw: object, name: str) -> TimeValue:
    """An ISO 8601 date (``2026-03-01``) or date-time with a UTC offset (``…T10:15:00+03:00``)."""
    if not isinstance(raw, str) or not raw.strip():
        raise Reject("bad_date", f"{name} {raw!r} is not an ISO 8601 date or date-time")
    text = raw.strip()
    if _is_iso_day(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    elif len(text) > 10 and _is_iso_day(text[:10]) and text[10] in "Tt ":
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if value.tzinfo is None or value.utcoffset() is None:
                raise Reject(
                    "bad_date",
                    f"{name} {raw!r} has no UTC offset: add 'Z' or one such as '+03:00'",
                )
            return value
    raise Reject(
        "bad_date",
        f"{name} {raw!r} is not an ISO 8601 date or date-time "
        "(e.g. 2026-03-01 or 2026-03-01T10:15:00+03:00)",
    )


def _day_of(value: TimeValue) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def check_order(start: TimeValue, end: TimeValue, start_name: str, end_name: str) -> None:
    """Reject an end before the start (a date and a date-time are compared by day)."""
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
        before = end < start
    else:
        before = _day_of(end) < _day_of(start)
    if before:
        raise Reject(
            "date_order",
            f"{end_name} {end.isoformat()} is before {start_name} {start.isoformat()}",
        )


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


# --------------------------------------------------------------------------------------------
# Opening inputs


def describe(source: SourceFile) -> str:
    """A name for messages: the path, or the file object's name."""
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<input>"


def open_text(source: SourceFile) -> tuple[IO[str], bool]:
    """Open ``source`` as text; returns the stream and whether we own (and must close) it.

    Paths and binary files are decoded as UTF-8 (a byte-order mark is skipped) with
    ``surrogateescape``, so a stray non-UTF-8 byte becomes an error of its row instead of
    stopping the file; the readers check rows for escaped bytes.
    """
    if isinstance(source, str | os.PathLike):
        try:
            return open(source, encoding="utf-8-sig", errors="surrogateescape", newline=""), True
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror or exc}", path=describe(source)) from exc
    if isinstance(source, io.TextIOBase):
        return cast(IO[str], source), False
    probe = source.read(0)
    if isinstance(probe, bytes):
        wrapper = io.TextIOWrapper(
            cast(IO[bytes], source), encoding="utf-8-sig", errors="surrogateescape", newline=""
        )
        return cast(IO[str], wrapper), False
    return cast(IO[str], source), False


def open_bytes(source: SourceFile) -> bytes:
    """Read all of ``source`` as bytes (used for JSON, which the stdlib cannot stream)."""
    if isinstance(source, str | os.PathLike):
        try:
            with open(source, "rb") as handle:
                return handle.read()
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror or exc}", path=describe(source)) from exc
    data = source.read()
    return data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")


def bad_byte(text: str) -> str:
    """Describe the first escaped (non-UTF-8) byte in ``text``, e.g. ``"0xff"``."""
    for char in text:
        if "\udc80" <= char <= "\udcff":
            return f"0x{ord(char) - 0xDC00:02x}"
    return "?"


def _looks_binary(text: str) -> bool:
    return "\x00" in text or any("\udc80" <= c <= "\udcff" for c in text)


class CsvRecord(Mapping[str, str]):
    """A CSV row as a read-only mapping of column name to value, sharing its header's index.

    Building a dict of ~50 columns for each of a million rows costs more than parsing
    them; this view costs nothing until it is read.
    """

    __slots__ = ("_fields", "_index")

    def __init__(self, index: Mapping[str, int], fields: Sequence[str]) -> None:
        self._index = index
        self._fields = fields

    def __getitem__(self, key: str) -> str:
        return self._fields[self._index[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return f"CsvRecord({dict(self)!r})"


@dataclass(frozen=True)
class CsvHeader:
    """The header of a CSV input: its columns and each column's position."""

    columns: tuple[str, ...]
    path: str

    @property
    def index(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.columns)}


def iter_csv(
    source: SourceFile,
    *,
    required: Sequence[str],
    dataset: str,
) -> Iterator[CsvHeader | tuple[int, list[str]] | RowError]:
    """Yield the header, then ``(line, fields)`` for each row, or a ``RowError`` for a row
    that is not a well-formed record of the header's columns (wrong number of fields,
    broken quoting, bytes that are not UTF-8).

    Raises ``InputError`` for an empty file, a header that is not UTF-8 text, duplicate or
    missing required columns. Blank lines are skipped (they are not rows).
    """
    path = describe(source)
    stream, owned = open_text(source)
    try:
        reader = csv.reader(stream, strict=False)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"not a CSV text file: {exc}", path=path, line=1) from exc
        if header is None:
            raise InputError("the file is empty: expected a CSV header", path=path)
        joined = ",".join(header)
        if _looks_binary(joined):
            byte = "0x00" if "\x00" in joined else bad_byte(joined)
            raise InputError(
                f"not UTF-8 text (byte {byte}): this does not look like a CSV file",
                path=path,
                line=1,
            )
        if not any(h.strip() for h in header):
            raise InputError("line 1 is empty: expected the CSV header", path=path, line=1)
        columns = tuple(h.strip() for h in header)
        seen: set[str] = set()
        for name in columns:
            if name in seen:
                raise InputError(f"column {name!r} appears twice in the header", path=path, line=1)
            seen.add(name)
        missing = [name for name in required if name not in seen]
        if missing:
            hint = ""
            if joined.lstrip().startswith(("{", "[")):
                hint = " (this looks like JSON: use --format geojson)"
            names = ", ".join(repr(m) for m in missing)
            plural = "s" if len(missing) > 1 else ""
            raise InputError(
                f"missing column{plural} {names} in the header: not a {dataset} CSV{hint}",
                path=path,
                line=1,
            )
        yield CsvHeader(columns, path)
        yield from _records(reader, columns, path)
    finally:
        if owned:
            stream.close()


def _records(
    reader: Any, columns: tuple[str, ...], path: str
) -> Iterator[tuple[int, list[str]] | RowError]:
    width = len(columns)
    while True:
        start = reader.line_num + 1
        try:
            fields: list[str] = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RowError(start, "", f"malformed CSV row: {exc}", "malformed_row")
            continue
        except UnicodeDecodeError as exc:  # a text stream opened by the caller, strictly
            raise InputError(f"not UTF-8 text: {exc.reason}", path=path, line=start) from exc
        if not fields:
            continue
        if len(fields) != width:
            if len(fields) == 1 and not fields[0].strip():
                continue
            reason = f"row has {len(fields)} fields, the header has {width}"
            if len(fields) < width:
                reason += f" (missing column {columns[len(fields)]!r} onwards)"
            yield RowError(start, fields[0].strip(), reason, "malformed_row")
            continue
        text = "".join(fields)
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                yield RowError(
                    start,
                    fields[0].strip().encode("utf-8", "replace").decode("utf-8"),
                    f"row is not UTF-8 text (byte {bad_byte(text)})",
                    "not_utf8",
                )
                continue
        yield start, fields


def sniff_bytes(head: bytes) -> Literal["json", "csv", "empty"]:
    """Classify the first bytes of a file: JSON (object/array), CSV text, or nothing."""
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if not text:
        return "empty"
    return "json" if text[:1] in (b"{", b"[") else "csv"


_C = TypeVar("_C")


def read_csv_rows(
    source: SourceFile,
    *,
    required: Sequence[str],
    dataset: str,
    columns_of: Callable[[Mapping[str, int]], _C],
    parse_row: Callable[[int, list[str], _C, dict[str, int], str], ObservationRow | RowError],
    attribution: str,
) -> Iterator[ObservationRow | RowError]:
    """The loop every CSV reader shares: locate the columns from the header, then parse
    each row (or pass on the ``RowError`` of a row that is not a well-formed record)."""
    columns: _C | None = None
    index: dict[str, int] = {}
    for item in iter_csv(source, required=required, dataset=dataset):
        if isinstance(item, tuple):
            assert columns is not None  # the header comes first
            yield parse_row(item[0], item[1], columns, index, attribution)
        elif isinstance(item, RowError):
            yield item
        else:
            index = item.index
            columns = columns_of(index)
