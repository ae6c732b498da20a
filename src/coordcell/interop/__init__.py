"""Importers: UCDP GED CSV, ACLED export CSV and GeoJSON to one row model (pure Python).

Each reader yields an ``ObservationRow`` or a ``RowError`` per input row and never stops
on a bad row; a file that cannot be read at all raises ``InputError``. ``ImportReport``
counts what was read, accepted and rejected, by reason.
"""

from __future__ import annotations

from coordcell.interop.acled import ACLED_ATTRIBUTION, acled_attribution, read_acled_csv
from coordcell.interop.common import (
    CATEGORIES,
    Fatalities,
    FormatError,
    ImportReport,
    InputError,
    ObservationRow,
    RowError,
    SourceFile,
)
from coordcell.interop.geojson import read_geojson
from coordcell.interop.sniff import FORMATS, InputFormat, read_observations, sniff_format
from coordcell.interop.ucdp import UCDP_ATTRIBUTION, read_ucdp_csv

__all__ = [
    "ACLED_ATTRIBUTION",
    "CATEGORIES",
    "FORMATS",
    "UCDP_ATTRIBUTION",
    "Fatalities",
    "FormatError",
    "ImportReport",
    "InputError",
    "InputFormat",
    "ObservationRow",
    "RowError",
    "SourceFile",
    "acled_attribution",
    "read_acled_csv",
    "read_geojson",
    "read_observations",
    "read_ucdp_csv",
    "sniff_format",
]
