"""MGRS references read into latitude/longitude (``rules.mgrs``) and the map's grid keys
(``rules.grid``), against values computed independently.

The MGRS vectors were computed with NGA's GeoTrans, as packaged in ``mgrs`` 1.6.0
(``MGRS().toMGRS`` / ``toLatLon``, which returns the square's centre), when these tests
were written; coordcell does not depend on that package. The first three are places of
the southern-Syria gazetteer (Quneitra, Dar'a, Damascus), the others spread over both
hemispheres, both sides of the antimeridian and the equator."""

from __future__ import annotations

import math
import random

import pytest

from coordcell.rules import grid
from coordcell.rules.mgrs import MgrsError, parse_mgrs

#: (reference, centre latitude, centre longitude) from GeoTrans.
VECTORS = [
    ("36SYB6353168801", 33.12594959105738, 35.824614529177616),
    ("37SBS2808612746", 32.61888595621972, 36.10213220666494),
    ("37SBT4839211135", 33.510203689756636, 36.291283507226865),
    ("15TWG0000049776", 42.000002478461944, -92.99999396263729),
    ("56HLH3436850948", -33.86879858520177, 151.20929858481276),
    ("27WVM5413813689", 64.14659670573965, -21.94259735016657),
    ("31NBA2173455318", 0.5000041589437193, 0.5000024970962234),
    ("01MBV2173444681", -0.500004158943725, -179.4999975029038),
    # 1 km squares (2 digits each): the centre is 500 m from the corner.
    ("36SYB6368", 33.12324096696467, 35.82419023356098),
    ("37SBT4811", 33.5135129568572, 36.29233732478873),
    ("15TWG0049", 41.99751197554529, -92.99396287268068),
    ("01MBV2144", -0.5016438611060003, -179.50210357628904),
]


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * 111_320.0
    dx = (lon2 - lon1) * 111_320.0 * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


@pytest.mark.parametrize(("ref", "lat", "lon"), VECTORS)
def test_a_reference_reads_to_the_centre_geotrans_gives(ref: str, lat: float, lon: float) -> None:
    point = parse_mgrs(ref)
    assert _metres(*point.centre, lat, lon) < 0.01
    side = point.precision_m
    # The corner is half a square's diagonal from the centre (the grid is nearly square).
    assert _metres(*point.corner, *point.centre) == pytest.approx(side / math.sqrt(2), rel=0.01)


def test_spaces_case_and_arabic_indic_digits_do_not_matter() -> None:
    same = {
        parse_mgrs(text).reference
        for text in (
            "37SBT4839211135",
            "37S BT 48392 11135",
            " 37s bt 48392  11135 ",
            "٣٧S BT ٤٨٣٩٢ ١١١٣٥",
        )
    }
    assert same == {"37SBT4839211135"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("hello", "format"),
        ("37SBT", "digits"),  # a 100 km square alone: 1 to 5 digits are asked for
        ("37SBT123", "digits"),  # odd number of digits
        ("37SBT123456789012", "digits"),  # more than 5 each
        ("61SBT1111", "zone"),
        ("0SBT1111", "zone"),
        ("37IBT1111", "band"),
        ("37ZBT1111", "polar"),
        ("37SIT1111", "square"),  # I is no column letter
        ("37SSB1111", "square"),  # S is not in zone 37's column set (A-H)
        ("37SBW1111", "square"),  # W is no row letter
        ("37SBL1111", "band"),  # row L of zone 37 is not in band S
        ("37SBT12.34", "format"),
        ("37SBT" + "1" * 40, "format"),
    ],
)
def test_bad_references_say_what_is_wrong(text: str, code: str) -> None:
    with pytest.raises(MgrsError) as raised:
        parse_mgrs(text)
    assert raised.value.code == code
    assert str(raised.value)


def _morton(x: int, y: int, bits: int) -> int:
    """Interleave the bits naively, one at a time (the reference for the grid's keys)."""
    key = 0
    for i in range(bits):
        key |= ((x >> i) & 1) << (2 * i)
        key |= ((y >> i) & 1) << (2 * i + 1)
    return key


def test_a_cell_at_any_level_is_a_shift_of_the_stored_key() -> None:
    rng = random.Random(17)
    for _ in range(500):
        lon, lat = rng.uniform(-180, 180), rng.uniform(-85, 85)
        key = grid.cell_key(lon, lat)
        for level in (0, 3, 8, 12, 17, 24):
            n = 2**level
            x = min(n - 1, int((lon + 180) / 360 * n))
            y = min(
                n - 1, int((1 - math.log(math.tan(math.radians(45 + lat / 2))) / math.pi) / 2 * n)
            )
            assert key >> grid.shift_for(level) == _morton(x, y, level), (lon, lat, level)


def test_the_level_gives_about_the_columns_asked_for() -> None:
    for span in (0.001, 0.1, 1.0, 7.5, 90.0, 360.0):
        level = grid.level_for(0.0, span, 24)
        cells = span / (360.0 / 2**level)
        assert 24 <= cells < 48 or level in (0, grid.LEVELS)
