"""MGRS references (the Military Grid Reference System) read into WGS84 latitude/longitude.

Liaison officers report in MGRS: ``37S BT 48392 11135`` is UTM zone 37, latitude band S,
the 100 km square BT, and an easting and a northing inside it at 1 m precision (1 to 5
digits each, so 10 km to 1 m). A reference names a square, not a point:
:func:`parse_mgrs` returns its south-west corner and its centre (what NGA's GeoTrans, in
the ``mgrs`` package, returns), with the square's side, which the lodge form offers as
the location's uncertainty.

Pure Python and pyproj (the UTM projection), no Django. Polar references (UPS, bands A,
B, Y and Z) are refused: no arrangement of coordcell lies beyond 80°. Arabic-Indic and
Persian digits typed by mistake are read as the Latin digits they are.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from pyproj import Transformer

__all__ = ["MgrsError", "MgrsPoint", "parse_mgrs"]

#: The latitude bands C to X (8° each from 80°S; X is 12°), without I and O.
BANDS = "CDEFGHJKLMNPQRSTUVWX"
#: The 100 km column letters, by the zone's set (zone - 1) % 3.
COLUMNS = ("ABCDEFGH", "JKLMNPQR", "STUVWXYZ")
#: The 100 km row letters, repeating every 2,000 km (offset by 5 in even zones).
ROWS = "ABCDEFGHJKLMNPQRSTUV"
_CYCLE = 2_000_000.0

_PATTERN = re.compile(r"^(\d{1,2})([A-Z])([A-Z])([A-Z])(\d*)$")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


class MgrsError(ValueError):
    """Not a valid MGRS reference; the message says why (in English: the caller words it)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class MgrsPoint:
    """The square a reference names: its south-west corner and centre (lat, lon) and its
    side in metres; ``reference`` is the normalised text (``37SBT4839211135``)."""

    reference: str
    corner: tuple[float, float]
    centre: tuple[float, float]
    precision_m: int


@lru_cache(maxsize=128)
def _inverse(zone: int, south: bool) -> Transformer:
    epsg = (32700 if south else 32600) + zone
    return Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)


@lru_cache(maxsize=128)
def _forward(zone: int, south: bool) -> Transformer:
    epsg = (32700 if south else 32600) + zone
    return Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)


def normalise(text: str) -> str:
    """Upper case, Latin digits, no spaces: ``"37s bt 123 456"`` → ``"37SBT123456"``."""
    return "".join(str(text).translate(_DIGITS).upper().split())


def parse_mgrs(text: str) -> MgrsPoint:
    """The square an MGRS reference names; :class:`MgrsError` for anything else."""
    ref = normalise(text)
    if not ref:
        raise MgrsError("empty", "No MGRS reference was given.")
    if len(ref) > 20:
        raise MgrsError("format", "An MGRS reference has at most 15 characters.")
    match = _PATTERN.match(ref)
    if match is None:
        raise MgrsError(
            "format",
            "Not an MGRS reference: expected a zone (1-60), a latitude band, two letters "
            "of the 100 km square and 1 to 5 digits each of easting and northing, "
            "e.g. 37S BT 12345 67890.",
        )
    zone_text, band, column, row, digits = match.groups()
    zone = int(zone_text)
    if not 1 <= zone <= 60:
        raise MgrsError("zone", "The UTM zone must be between 1 and 60.")
    if band in "ABYZ":
        raise MgrsError("polar", "Polar references (bands A, B, Y, Z) are not supported.")
    if band not in BANDS:
        raise MgrsError("band", "The latitude band must be a letter from C to X (not I or O).")
    if not digits or len(digits) % 2 or len(digits) > 10:
        raise MgrsError(
            "digits",
            "Give the same number of digits (1 to 5) for the easting and the northing.",
        )
    columns = COLUMNS[(zone - 1) % 3]
    if column not in columns:
        raise MgrsError("square", f"The 100 km square's column in zone {zone} is one of {columns}.")
    if row not in ROWS:
        raise MgrsError("square", "The 100 km square's row is a letter from A to V (not I or O).")
    n = len(digits) // 2
    precision = 10 ** (5 - n)
    easting = (columns.index(column) + 1) * 100_000.0 + int(digits[:n]) * precision
    row_index = ROWS.index(row)
    if zone % 2 == 0:
        row_index = (row_index - 5) % 20
    northing = row_index * 100_000.0 + int(digits[n:]) * precision

    south = band < "N"
    band_index = BANDS.index(band)
    lat_min = -80.0 + 8.0 * band_index
    lat_max = 84.0 if band == "X" else lat_min + 8.0
    central = zone * 6.0 - 183.0
    # The band's lowest northing (on the central meridian), to the 100 km square below:
    # the 2,000 km cycle of row letters is placed so that the square lies in the band.
    _, band_floor = _forward(zone, south).transform(central, lat_min)
    band_floor = math.floor(band_floor / 100_000.0) * 100_000.0
    northing += math.floor((band_floor - northing) / _CYCLE) * _CYCLE
    if northing < band_floor:
        northing += _CYCLE
    inverse = _inverse(zone, south)
    lon, lat = inverse.transform(easting, northing)
    clon, clat = inverse.transform(easting + precision / 2, northing + precision / 2)
    # A square named in a band it does not reach (the row letter of another band).
    slack = precision / 111_000.0 + 1e-6
    if not (lat_min - slack <= lat < lat_max + slack) or not all(
        math.isfinite(v) for v in (lat, lon, clat, clon)
    ):
        raise MgrsError(
            "band", f"The square {column}{row} does not lie in band {band} of zone {zone}."
        )
    return MgrsPoint(
        reference=f"{zone}{band}{column}{row}{digits}",
        corner=(lat, _wrap(lon)),
        centre=(clat, _wrap(clon)),
        precision_m=precision,
    )


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0
