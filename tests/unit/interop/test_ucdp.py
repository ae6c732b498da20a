"""UCDP GED CSV: the real sample read whole, and each kind of bad row reported and counted."""

from __future__ import annotations

import csv
import datetime as dt
import io
import pathlib
from collections.abc import Callable

import pytest

from coordcell.interop import (
    UCDP_ATTRIBUTION,
    Fatalities,
    ImportReport,
    InputError,
    ObservationRow,
    RowError,
    read_ucdp_csv,
)
from coordcell.interop.ucdp import WHERE_PREC_UNCERTAINTY_M

from .conftest import FIXTURES, reference

Write = Callable[[str, str | bytes], pathlib.Path]
FIVE_ROWS = FIXTURES / "ucdp_ged231_5rows.csv"
HEADER = FIVE_ROWS.read_text(encoding="utf-8").splitlines()[0]
COLUMNS = HEADER.split(",")


def _read(path: pathlib.Path) -> tuple[list[ObservationRow], ImportReport]:
    report = ImportReport()
    rows = list(report.track(read_ucdp_csv(path)))
    return rows, report


def _csv_records(path: pathlib.Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _line(**values: str) -> str:
    """One data row of the 5-row fixture's first record with some columns replaced."""
    record = _csv_records(FIVE_ROWS)[0] | values
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([record[c] for c in COLUMNS])
    return out.getvalue()


def test_it_accepts_every_row_of_the_real_sample() -> None:
    path = reference("ucdp_ged231_sample_levant.csv")
    rows, report = _read(path)
    assert (report.read, report.accepted, report.rejected) == (106, 106, 0)
    assert len({row.source_id for row in rows}) == 106
    records = _csv_records(path)
    for row, record in zip(rows, records, strict=True):
        assert row.source == "ucdp"
        assert row.attribution == UCDP_ATTRIBUTION
        assert "Global version 23.1" in row.attribution
        assert "CC BY 4.0" in row.attribution
        assert dict(row.attributes) == record  # all 49 columns, as strings
        assert len(row.attributes) == 49
        assert (
            row.kind
            == {"1": "armed_clash", "2": "armed_clash", "3": "attack_on_civilians"}[
                record["type_of_violence"]
            ]
        )
        assert row.geometry == {
            "type": "Point",
            "coordinates": [float(record["longitude"]), float(record["latitude"])],
        }
        assert row.location_precision == int(record["where_prec"])
        assert row.uncertainty_m == WHERE_PREC_UNCERTAINTY_M[int(record["where_prec"])]
        assert row.time_start <= row.time_end
    kinds = [row.kind for row in rows]
    assert kinds.count("armed_clash") == 101
    assert kinds.count("attack_on_civilians") == 5


def test_it_reads_the_five_row_fixture_with_line_numbers_and_fatalities() -> None:
    rows, report = _read(FIVE_ROWS)
    assert report.summary() == "5 read, 5 accepted, 0 rejected"
    assert [r.source_id for r in rows] == ["178557", "178685", "216469", "180919", "116283"]
    assert [r.kind for r in rows] == [
        "armed_clash",
        "armed_clash",
        "armed_clash",
        "attack_on_civilians",
        "armed_clash",
    ]
    # The header is line 1; the last row starts on line 6 and spans three lines.
    assert [r.line for r in rows] == [2, 3, 4, 5, 6]
    first = rows[0]
    assert first.time_start == first.time_end == dt.date(1994, 3, 17)
    assert first.time_precision == 1
    assert first.location_precision == 5
    assert first.fatalities == Fatalities(2, 2, 2)
    assert first.attributes["gwnoa"] == "666.0"
    assert first.attributes["adm_2"] == ""
    assert rows[1].time_start == dt.date(1996, 4, 11)
    assert rows[1].time_end == dt.date(1996, 4, 18)
    assert "\n" in rows[4].attributes["source_article"]


def test_it_reports_latitude_911_and_keeps_the_other_rows(write: Write) -> None:
    text = FIVE_ROWS.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    lines[2] = _line(id="999", latitude="911")  # line 3 of the file
    rows, report = _read(write("lat.csv", "".join(lines)))
    assert (report.read, report.accepted, report.rejected) == (5, 4, 1)
    assert report.errors == [
        RowError(3, "999", "latitude 911 out of range [-90, 90]", "out_of_range")
    ]
    assert report.reasons == {"out_of_range": 1}
    assert str(report.errors[0]) == "line 3 (999): latitude 911 out of range [-90, 90]"
    assert "999" not in {r.source_id for r in rows}


@pytest.mark.parametrize(
    ("values", "reason", "category"),
    [
        ({"longitude": "-181"}, "longitude -181 out of range [-180, 180]", "out_of_range"),
        ({"latitude": ""}, "missing value for 'latitude'", "missing_value"),
        ({"latitude": "north"}, "latitude 'north' is not a number", "not_a_number"),
        ({"latitude": "nan"}, "latitude 'nan' is not a finite number", "not_a_number"),
        (
            {"date_start": "2020-13-01"},
            "date_start '2020-13-01' is not a date (YYYY-MM-DD)",
            "bad_date",
        ),
        (
            {"date_end": "17/03/1994"},
            "date_end '17/03/1994' is not a date (YYYY-MM-DD)",
            "bad_date",
        ),
        (
            {"date_end": "1994-03-16"},
            "date_end 1994-03-16 is before date_start 1994-03-17",
            "date_order",
        ),
        ({"where_prec": "9"}, "where_prec 9 is not a UCDP precision code (1-7)", "bad_precision"),
        (
            {"type_of_violence": "4"},
            "unknown UCDP type_of_violence 4 (known: 1 state-based, 2 non-state, 3 one-sided)",
            "unknown_event_type",
        ),
        ({"type_of_violence": "x"}, "type_of_violence 'x' is not an integer", "not_a_number"),
        ({"id": ""}, "missing value for 'id'", "missing_value"),
        ({"best": "-2"}, "best -2 is negative", "out_of_range"),
    ],
)
def test_it_rejects_a_bad_value_with_a_specific_reason(
    write: Write, values: dict[str, str], reason: str, category: str
) -> None:
    items = list(read_ucdp_csv(write("bad.csv", HEADER + "\n" + _line(**values))))
    assert len(items) == 1
    error = items[0]
    assert isinstance(error, RowError)
    assert (error.line, error.reason, error.category) == (2, reason, category)


def test_it_accepts_dates_with_a_time_of_day_as_in_the_official_csv(write: Write) -> None:
    line = _line(date_start="1994-03-17 00:00:00.000", date_end="1994-03-17 00:00:00.000")
    (row,) = list(read_ucdp_csv(write("t.csv", HEADER + "\n" + line)))
    assert isinstance(row, ObservationRow)
    assert row.time_start == dt.date(1994, 3, 17)


def test_it_reports_a_row_with_too_few_fields(write: Write) -> None:
    record = _csv_records(FIVE_ROWS)[0]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([record[c] for c in COLUMNS][:29])
    text = HEADER + "\n" + out.getvalue() + _line(id="2")
    items = list(read_ucdp_csv(write("short.csv", text)))
    assert isinstance(items[0], RowError)
    assert items[0].reason == (
        "row has 29 fields, the header has 49 (missing column 'latitude' onwards)"
    )
    assert items[0].source_id == "178557"
    assert items[0].category == "malformed_row"
    assert isinstance(items[1], ObservationRow)
    assert items[1].line == 3


def test_it_reports_a_row_that_is_not_utf8_and_reads_the_next(write: Write) -> None:
    data = (HEADER + "\n" + _line(where_description="caf\u00e9") + _line(id="2")).encode("utf-8")
    data = data.replace("caf\u00e9".encode(), b"caf\xe9", 1)
    items = list(read_ucdp_csv(write("latin1.csv", data)))
    assert isinstance(items[0], RowError)
    assert items[0].reason == "row is not UTF-8 text (byte 0xe9)"
    assert items[0].category == "not_utf8"
    assert isinstance(items[1], ObservationRow)


def test_it_skips_blank_lines_and_a_byte_order_mark(write: Write) -> None:
    data = "\ufeff" + HEADER + "\n\n" + _line() + "\n"
    rows, report = _read(write("bom.csv", data))
    assert report.accepted == 1
    assert report.rejected == 0
    assert rows[0].line == 3


def test_it_needs_the_required_columns(write: Write) -> None:
    header = HEADER.replace("latitude,", "lat,")
    with pytest.raises(InputError, match=r"line 1: missing column 'latitude' in the header"):
        list(read_ucdp_csv(write("cols.csv", header + "\n")))


def test_it_rejects_an_empty_file(write: Write) -> None:
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty"):
        list(read_ucdp_csv(write("empty.csv", "")))


def test_it_reads_a_header_only_file_as_no_rows(write: Write) -> None:
    assert list(read_ucdp_csv(write("header.csv", HEADER + "\n"))) == []


def test_it_rejects_a_binary_file(write: Write) -> None:
    garbage = bytes(range(256)) * 8
    with pytest.raises(InputError, match=r"line 1: not UTF-8 text .*not look like a CSV"):
        list(read_ucdp_csv(write("garbage.bin", garbage)))


def test_it_rejects_random_text(write: Write) -> None:
    with pytest.raises(InputError, match=r"missing columns 'id', 'type_of_violence'"):
        list(read_ucdp_csv(write("words.csv", "lorem ipsum dolor\nsit amet\n")))


def test_it_hints_at_geojson_when_given_json(write: Write) -> None:
    with pytest.raises(InputError, match=r"looks like JSON: use --format geojson"):
        list(read_ucdp_csv(write("x.csv", '{"type": "FeatureCollection", "features": []}')))


def test_it_rejects_a_missing_file(tmp_path: pathlib.Path) -> None:
    with pytest.raises(InputError, match=r"cannot open"):
        list(read_ucdp_csv(tmp_path / "nope.csv"))


def test_it_reads_open_text_and_binary_files() -> None:
    with FIVE_ROWS.open(encoding="utf-8", newline="") as text:
        assert len(list(read_ucdp_csv(text))) == 5
    with FIVE_ROWS.open("rb") as binary:
        assert len(list(read_ucdp_csv(binary))) == 5


def test_the_report_caps_the_error_list_but_not_the_counts(write: Write) -> None:
    bad = "".join(_line(id=str(i), latitude="95") for i in range(5))
    report = ImportReport(max_errors=2)
    assert list(report.track(read_ucdp_csv(write("many.csv", HEADER + "\n" + bad)))) == []
    assert (report.read, report.rejected, len(report.errors)) == (5, 5, 2)
    assert report.errors_truncated
    assert report.summary() == "5 read, 0 accepted, 5 rejected (out_of_range: 5)"
