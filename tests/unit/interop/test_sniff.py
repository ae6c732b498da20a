"""read_observations: format sniffing and dispatch."""

from __future__ import annotations

import pathlib
from collections.abc import Callable

import pytest

from coordcell.interop import (
    FormatError,
    InputError,
    ObservationRow,
    read_observations,
    sniff_format,
)

from .conftest import FIXTURES

Write = Callable[[str, str | bytes], pathlib.Path]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ucdp_ged231_5rows.csv", "ucdp"),
        ("acled_invented.csv", "acled"),
        ("observations.geojson", "geojson"),
    ],
)
def test_it_sniffs_each_format(name: str, expected: str) -> None:
    path = FIXTURES / name
    assert sniff_format(path) == expected
    items = list(read_observations(path))
    assert items
    assert all(isinstance(i, ObservationRow) and i.source == expected for i in items)


def test_it_sniffs_json_behind_a_byte_order_mark(write: Write) -> None:
    path = write("x.json", b'\xef\xbb\xbf\n {"type": "FeatureCollection", "features": []}')
    assert sniff_format(path) == "geojson"


def test_it_reads_with_an_explicit_format() -> None:
    items = list(read_observations(FIXTURES / "acled_invented.csv", "acled"))
    assert len(items) == 4


def test_it_needs_a_format_for_an_open_file() -> None:
    with (FIXTURES / "acled_invented.csv").open("rb") as handle:
        with pytest.raises(FormatError, match=r"give the format"):
            list(read_observations(handle))
        handle.seek(0)
        assert len(list(read_observations(handle, "acled"))) == 4


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        ("a,b,c\n1,2,3\n", FormatError, r"header has neither 'type_of_violence'"),
        ("id,type_of_violence,event_id_cnty\n", FormatError, r"has both"),
        (b"\x00\x01\x02garbage\xff", FormatError, r"line 1 is not UTF-8 text"),
        ("", InputError, r"the file is empty"),
        ("\n\n  ", InputError, r"the file is empty"),
    ],
)
def test_it_says_why_it_cannot_tell_the_format(
    write: Write, content: str | bytes, error: type[Exception], message: str
) -> None:
    path = write("unknown.dat", content)
    with pytest.raises(error, match=message):
        list(read_observations(path))


def test_a_format_error_is_an_input_error() -> None:
    assert issubclass(FormatError, InputError)


def test_it_rejects_an_unknown_format() -> None:
    with pytest.raises(FormatError, match=r"unknown format 'kml'"):
        list(read_observations(FIXTURES / "acled_invented.csv", "kml"))  # type: ignore[arg-type]
