"""The map's grid: one integer per location, from which the cell at every zoom follows.

A location's *cell key* interleaves the bits of its Web Mercator column and row at level
:data:`LEVELS` (a Morton, or Z-order, key: 2^24 columns, about 2.4 m at the equator). The
cell that contains it at a coarser level ``L`` is ``key >> 2 * (LEVELS - L)``: one stored,
indexed integer serves every zoom, and the map's clusters are a ``GROUP BY`` of that
shift (``situation.maplayers``). Pure Python.
"""

from __future__ import annotations

import math

__all__ = ["LEVELS", "MAX_LAT", "cell_key", "level_for", "shift_for"]

LEVELS = 24
#: Web Mercator's limit of latitude.
MAX_LAT = 85.0511287798


def _spread(v: int) -> int:
    """The bits of ``v`` (24 of them) spaced out, one empty bit between each."""
    out = 0
    for i in range(LEVELS):
        out |= ((v >> i) & 1) << (2 * i)
    return out


def cell_key(lon: float, lat: float) -> int:
    """The location's cell key at the finest level (an integer below 2^48)."""
    n = 1 << LEVELS
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    x = max(0, min(n - 1, x))
    y = max(0, min(n - 1, y))
    return (_spread(y) << 1) | _spread(x)


def shift_for(level: int) -> int:
    """How far to shift a key right for its cell at ``level`` (0 to :data:`LEVELS`)."""
    return 2 * (LEVELS - max(0, min(LEVELS, level)))


def level_for(west: float, east: float, columns: int = 24) -> int:
    """The coarsest level whose cells cut the span from ``west`` to ``east`` (degrees of
    longitude) into at least ``columns`` columns: about 40 to 80 screen pixels a cell on
    a map ~1,500 px wide, whatever zoom the client is at (the server decides, so a
    client cannot ask for a million cells)."""
    span = max(east - west, 1e-9)
    level = math.ceil(math.log2(360.0 * columns / span))
    return max(0, min(LEVELS, level))
