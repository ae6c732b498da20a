"""UCDP Georeferenced Event Dataset (GED) CSV: every row to an ``ObservationRow``.

All columns of the file are kept in ``attributes`` as strings (the 49 columns of GED 23.1,
and any others a later release adds); the attribution UCDP's CC BY 4.0 licence requires is
attached to every row. The reader streams: one row in memory at a time.

Required columns: ``id``, ``type_of_violence``, ``latitude``, ``longitude``,
``where_prec``, ``date_start``, ``date_end``. ``date_prec`` and ``low``/``best``/``high``
are read when present.
"""

from __future__ import annotations

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
    check_order,
    parse_coordinate,
    parse_int,
    parse_iso_day,
    parse_optional_int,
    point,
    read_csv_rows,
)
from coordcell.rules.taxonomy import UnknownEventType, from_ucdp

__all__ = [
    "REQUIRED_COLUMNS",
    "UCDP_ATTRIBUTION",
    "WHERE_PREC_UNCERTAINTY_M",
    "read_ucdp_csv",
    "ucdp_uncertainty_m",
]

#: The credit line UCDP's licence (CC BY 4.0) requires, with the dataset's citations.
UCDP_ATTRIBUTION = (
    "UCDP Georeferenced Event Dataset (GED) Global version 23.1, "
    "© Uppsala Conflict Data Program, licensed under CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/). "
    "Sundberg, Ralph and Erik Melander (2013), 'Introducing the UCDP Georeferenced Event "
    "Dataset', Journal of Peace Research 50(4); Davies, Shawn, Therése Pettersson and "
    "Magnus Öberg (2023), 'Organized violence 1989–2022, and the return of conflict between "
    "states', Journal of Peace Research 60(4)."
)

REQUIRED_COLUMNS: tuple[str, ...] = (
    "id",
    "type_of_violence",
    "latitude",
    "longitude",
    "where_prec",
    "date_start",
    "date_end",
)

#: ``where_prec`` → radius in metres around the point where the event may have happened.
#: The reasoning for each value is in docs/taxonomy.md ("Location precision").
WHERE_PREC_UNCERTAINTY_M: Mapping[int, float] = MappingProxyType(
    {
        1: 1_000.0,  # exact place: the point of a village or town, not of the spot
        2: 25_000.0,  # "within ca 25 km" of a known point (the codebook's own radius)
        3: 50_000.0,  # second-order admin unit (district): its point is the unit's centre
        4: 100_000.0,  # first-order admin unit (governorate)
        5: 150_000.0,  # a larger region or a linear feature (road, river, border area)
        6: 1_000_000.0,  # country only: the point says nothing about any zone here
        7: 1_000_000.0,  # international waters or airspace
    }
)


def ucdp_uncertainty_m(where_prec: int) -> float:
    """The uncertainty radius for a ``where_prec`` code; raises ``Reject`` for others."""
    try:
        return WHERE_PREC_UNCERTAINTY_M[where_prec]
    except KeyError:
        raise Reject(
            "bad_precision", f"where_prec {where_prec} is not a UCDP precision code (1-7)"
        ) from None


def read_ucdp_csv(
    source: SourceFile, *, attribution: str = UCDP_ATTRIBUTION
) -> Iterator[ObservationRow | RowError]:
    """Yield an ``ObservationRow`` or a ``RowError`` for each row of a UCDP GED CSV.

    Raises ``InputError`` (on the first ``next``) when the file cannot be read as one.
    ``attribution`` replaces the GED 23.1 credit line for another release.
    """
    return read_csv_rows(
        source,
        required=REQUIRED_COLUMNS,
        dataset="UCDP GED",
        columns_of=_Columns.of,
        parse_row=_row,
        attribution=attribution,
    )


class _Columns(NamedTuple):
    """Positions of the columns the reader parses (``-1``: the column is absent)."""

    id: int
    type_of_violence: int
    latitude: int
    longitude: int
    where_prec: int
    date_start: int
    date_end: int
    date_prec: int
    low: int
    best: int
    high: int

    @classmethod
    def of(cls, index: Mapping[str, int]) -> _Columns:
        return cls(*(index.get(name, -1) for name in cls._fields))


def _row(
    line: int, fields: list[str], c: _Columns, index: dict[str, int], attribution: str
) -> ObservationRow | RowError:
    source_id = fields[c.id].strip()
    try:
        if not source_id:
            raise Reject("missing_value", "missing value for 'id'")
        try:
            kind = from_ucdp(parse_int(fields[c.type_of_violence], "type_of_violence"))
        except UnknownEventType as exc:
            raise Reject("unknown_event_type", str(exc)) from None
        lat = parse_coordinate(fields[c.latitude], "latitude", 90)
        lon = parse_coordinate(fields[c.longitude], "longitude", 180)
        where_prec = parse_int(fields[c.where_prec], "where_prec")
        uncertainty = ucdp_uncertainty_m(where_prec)
        start = parse_iso_day(fields[c.date_start], "date_start")
        end = parse_iso_day(fields[c.date_end], "date_end")
        check_order(start, end, "date_start", "date_end")
        date_prec = (
            parse_optional_int(fields[c.date_prec], "date_prec") if c.date_prec >= 0 else None
        )
        fatalities = _fatalities(fields, c) if min(c.low, c.best, c.high) >= 0 else None
    except Reject as exc:
        return RowError(line, source_id, exc.reason, exc.category)
    return ObservationRow(
        source="ucdp",
        source_id=source_id,
        line=line,
        kind=kind,
        geometry=point(lon, lat),
        time_start=start,
        time_end=end,
        time_precision=date_prec,
        location_precision=where_prec,
        uncertainty_m=uncertainty,
        attribution=attribution,
        attributes=CsvRecord(index, fields),
        fatalities=fatalities,
    )


def _fatalities(fields: list[str], c: _Columns) -> Fatalities | None:
    low = parse_optional_int(fields[c.low], "low")
    best = parse_optional_int(fields[c.best], "best")
    high = parse_optional_int(fields[c.high], "high")
    if low is None and best is None and high is None:
        return None
    for name, value in (("low", low), ("best", best), ("high", high)):
        if value is not None and value < 0:
            raise Reject("out_of_range", f"{name} {value} is negative")
    return Fatalities(low, best, high)
