"""ACLED export CSV (the 31-column layout of ``acled_schema.json``): rows to ``ObservationRow``.

Every column is kept in ``attributes`` as a string. ACLED data may not be redistributed:
the rows are read for analysis inside the cell and carry ACLED's attribution; coordcell
ships no ACLED rows (the test fixtures are invented).

Required columns: ``event_id_cnty``, ``event_date``, ``event_type``, ``sub_event_type``,
``latitude``, ``longitude``, ``geo_precision``. ``time_precision`` and ``fatalities`` are
read when present.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import NamedTuple

from coordcell.interop.common import (
    CsvRecord,
    Fatalities,
    ObservationRow,
    Reject,
    RowError,
    SourceFile,
    parse_coordinate,
    parse_int,
    parse_optional_int,
    point,
    read_csv_rows,
)
from coordcell.rules.taxonomy import UnknownEventType, from_acled

__all__ = [
    "ACLED_ATTRIBUTION",
    "GEO_PRECISION_UNCERTAINTY_M",
    "REQUIRED_COLUMNS",
    "acled_attribution",
    "acled_uncertainty_m",
    "parse_acled_date",
    "read_acled_csv",
]

#: ACLED's attribution policy: name ACLED as the source, with its website and citation.
ACLED_ATTRIBUTION = (
    "Armed Conflict Location & Event Data (ACLED), www.acleddata.com. "
    "Raleigh, Clionadh, Andrew Linke, Håvard Hegre and Joakim Karlsen (2010), "
    "'Introducing ACLED: An Armed Conflict Location and Event Dataset', "
    "Journal of Peace Research 47(5): 651-660. "
    "Used under the ACLED Terms of Use; not redistributed."
)

REQUIRED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "event_type",
    "sub_event_type",
    "latitude",
    "longitude",
    "geo_precision",
)

#: ``geo_precision`` → radius in metres (reasoning in docs/taxonomy.md).
GEO_PRECISION_UNCERTAINTY_M: Mapping[int, float] = MappingProxyType(
    {
        1: 1_000.0,  # a particular town: the town's point
        2: 25_000.0,  # near a town, or a small part of a region: the nearest town's point
        3: 100_000.0,  # a larger region: a point for the region (often its capital)
    }
)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}


def acled_attribution(*, accessed: dt.date | None = None, filters: str = "") -> str:
    """ACLED's credit line with the access date and the filters used, as its policy asks."""
    text = ACLED_ATTRIBUTION
    if accessed is not None:
        text += f" Accessed {accessed.isoformat()}."
    if filters:
        text += f" Filters: {filters}."
    return text


def acled_uncertainty_m(geo_precision: int) -> float:
    try:
        return GEO_PRECISION_UNCERTAINTY_M[geo_precision]
    except KeyError:
        raise Reject(
            "bad_precision",
            f"geo_precision {geo_precision} is not an ACLED precision code (1-3)",
        ) from None


def parse_acled_date(raw: str, name: str = "event_date") -> dt.date:
    """``YYYY-MM-DD`` (API and current exports), ``DD-MM-YYYY`` or ``D Month YYYY`` (older)."""
    text = raw.strip()
    if not text:
        raise Reject("missing_value", f"missing value for {name!r}")
    try:
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            return dt.date.fromisoformat(text)
        if len(text) == 10 and text[2] == "-" and text[5] == "-":
            return dt.date(int(text[6:]), int(text[3:5]), int(text[:2]))
        parts = text.split()
        if len(parts) == 3 and parts[1].casefold() in _MONTHS:
            return dt.date(int(parts[2]), _MONTHS[parts[1].casefold()], int(parts[0]))
    except ValueError:
        pass
    raise Reject(
        "bad_date",
        f"{name} {raw!r} is not a date (YYYY-MM-DD, DD-MM-YYYY or '17 March 2020')",
    )


def read_acled_csv(
    source: SourceFile, *, attribution: str = ACLED_ATTRIBUTION
) -> Iterator[ObservationRow | RowError]:
    """Yield an ``ObservationRow`` or a ``RowError`` for each row of an ACLED export CSV.

    Raises ``InputError`` (on the first ``next``) when the file cannot be read as one.
    Pass ``attribution=acled_attribution(accessed=..., filters=...)`` to record the
    snapshot, as ACLED's attribution policy asks.
    """
    return read_csv_rows(
        source,
        required=REQUIRED_COLUMNS,
        dataset="ACLED export",
        columns_of=_Columns.of,
        parse_row=_row,
        attribution=attribution,
    )


class _Columns(NamedTuple):
    """Positions of the columns the reader parses (``-1``: the column is absent)."""

    event_id_cnty: int
    event_date: int
    event_type: int
    sub_event_type: int
    latitude: int
    longitude: int
    geo_precision: int
    time_precision: int
    fatalities: int

    @classmethod
    def of(cls, index: Mapping[str, int]) -> _Columns:
        return cls(*(index.get(name, -1) for name in cls._fields))


def _row(
    line: int, fields: list[str], c: _Columns, index: dict[str, int], attribution: str
) -> ObservationRow | RowError:
    source_id = fields[c.event_id_cnty].strip()
    try:
        if not source_id:
            raise Reject("missing_value", "missing value for 'event_id_cnty'")
        try:
            kind = from_acled(fields[c.event_type], fields[c.sub_event_type])
        except UnknownEventType as exc:
            raise Reject("unknown_event_type", str(exc)) from None
        lat = parse_coordinate(fields[c.latitude], "latitude", 90)
        lon = parse_coordinate(fields[c.longitude], "longitude", 180)
        geo_precision = parse_int(fields[c.geo_precision], "geo_precision")
        uncertainty = acled_uncertainty_m(geo_precision)
        day = parse_acled_date(fields[c.event_date])
        time_precision = (
            parse_optional_int(fields[c.time_precision], "time_precision")
            if c.time_precision >= 0
            else None
        )
        fatalities = _fatalities(fields[c.fatalities]) if c.fatalities >= 0 else None
    except Reject as exc:
        return RowError(line, source_id, exc.reason, exc.category)
    return ObservationRow(
        source="acled",
        source_id=source_id,
        line=line,
        kind=kind,
        geometry=point(lon, lat),
        time_start=day,
        time_end=day,
        time_precision=time_precision,
        location_precision=geo_precision,
        uncertainty_m=uncertainty,
        attribution=attribution,
        attributes=CsvRecord(index, fields),
        fatalities=fatalities,
    )


def _fatalities(raw: str | None) -> Fatalities | None:
    """ACLED reports one figure (a conservative count): it is ``best``; low and high unknown."""
    count = parse_optional_int(raw, "fatalities")
    if count is None:
        return None
    if count < 0:
        raise Reject("out_of_range", f"fatalities {count} is negative")
    return Fatalities(None, count, None)
