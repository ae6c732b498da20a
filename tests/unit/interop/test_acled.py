"""ACLED export CSV (invented rows in the real 31-column layout)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import pathlib
from collections.abc import Callable

import pytest

from coordcell.interop import (
    ACLED_ATTRIBUTION,
    Fatalities,
    ImportReport,
    InputError,
    ObservationRow,
    RowError,
    acled_attribution,
    read_acled_csv,
)

from .conftest import FIXTURES, reference

Write = Callable[[str, str | bytes], pathlib.Path]
INVENTED = FIXTURES / "acled_invented.csv"
HEADER = INVENTED.read_text(encoding="utf-8").splitlines()[0]
COLUMNS = HEADER.split(",")


def _line(**values: str) -> str:
    with INVENTED.open(encoding="utf-8", newline="") as handle:
        record = next(csv.DictReader(handle)) | values
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([record[c] for c in COLUMNS])
    return out.getvalue()


def test_the_fixture_has_the_schema_columns_in_order() -> None:
    schema = json.loads(reference("acled_schema.json").read_text(encoding="utf-8"))
    assert schema["csv_column_order"] == COLUMNS


def test_it_reads_the_invented_export() -> None:
    report = ImportReport()
    rows = list(report.track(read_acled_csv(INVENTED)))
    assert report.summary() == "4 read, 4 accepted, 0 rejected"
    assert [r.source_id for r in rows] == ["TST0001", "TST0002", "TST0003", "TST0004"]
    assert [r.kind for r in rows] == [
        "armed_clash",
        "shelling_artillery",
        "fortification",
        "protest",
    ]
    assert [r.line for r in rows] == [2, 3, 4, 5]
    assert [r.uncertainty_m for r in rows] == [1_000.0, 25_000.0, 100_000.0, 1_000.0]
    assert [r.location_precision for r in rows] == [1, 2, 3, 1]
    assert [r.time_precision for r in rows] == [1, 2, 1, 1]
    # YYYY-MM-DD, DD-MM-YYYY and "4 March 2026" are all read
    assert [r.time_start for r in rows] == [dt.date(2026, 3, d) for d in (1, 2, 3, 4)]
    assert all(r.time_start == r.time_end for r in rows)
    assert rows[0].fatalities == Fatalities(None, 2, None)
    assert rows[2].fatalities is None
    assert rows[0].geometry == {"type": "Point", "coordinates": [35.824, 33.125]}
    assert rows[0].attribution == ACLED_ATTRIBUTION
    assert len(rows[0].attributes) == 31
    assert rows[0].attributes["notes"] == 'Invented, with a comma, and "quotes".'
    assert rows[3].attributes["notes"].endswith("\nSecond line of the notes.")


def test_it_reports_an_unknown_event_type_and_keeps_the_other_rows(write: Write) -> None:
    text = HEADER + "\n" + _line(event_type="X", sub_event_type="Y") + _line(event_id_cnty="B")
    report = ImportReport()
    rows = list(report.track(read_acled_csv(write("x.csv", text))))
    assert [r.source_id for r in rows] == ["B"]
    assert (report.read, report.rejected) == (2, 1)
    (error,) = report.errors
    assert error.line == 2
    assert error.source_id == "TST0001"
    assert error.reason.startswith("unknown ACLED event type 'X' / sub-event 'Y'")
    assert report.reasons == {"unknown_event_type": 1}


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"latitude": "911"}, "latitude 911 out of range [-90, 90]"),
        ({"geo_precision": "4"}, "geo_precision 4 is not an ACLED precision code (1-3)"),
        (
            {"event_date": "2026-02-30"},
            "event_date '2026-02-30' is not a date (YYYY-MM-DD, DD-MM-YYYY or '17 March 2020')",
        ),
        ({"event_date": ""}, "missing value for 'event_date'"),
        ({"fatalities": "many"}, "fatalities 'many' is not an integer"),
        ({"time_precision": "one"}, "time_precision 'one' is not an integer"),
        ({"event_id_cnty": " "}, "missing value for 'event_id_cnty'"),
    ],
)
def test_it_rejects_a_bad_value(write: Write, values: dict[str, str], reason: str) -> None:
    (item,) = list(read_acled_csv(write("bad.csv", HEADER + "\n" + _line(**values))))
    assert isinstance(item, RowError)
    assert item.reason == reason


def test_it_reads_an_export_without_the_optional_columns(write: Write) -> None:
    text = (
        "event_id_cnty,event_date,event_type,sub_event_type,latitude,longitude,geo_precision\n"
        "T1,2026-03-01,Riots,Mob violence,33.1,35.8,1\n"
    )
    (row,) = list(read_acled_csv(write("min.csv", text)))
    assert isinstance(row, ObservationRow)
    assert (row.kind, row.time_precision, row.fatalities) == ("riot", None, None)


def test_it_needs_the_required_columns(write: Write) -> None:
    header = HEADER.replace(",geo_precision", "")
    with pytest.raises(InputError, match=r"missing column 'geo_precision' .*not a ACLED"):
        list(read_acled_csv(write("cols.csv", header + "\n")))


def test_it_builds_the_attribution_acled_asks_for() -> None:
    text = acled_attribution(accessed=dt.date(2026, 3, 10), filters="Syria, 2026-01-01 to now")
    assert text.startswith("Armed Conflict Location & Event Data (ACLED), www.acleddata.com.")
    assert text.endswith("Accessed 2026-03-10. Filters: Syria, 2026-01-01 to now.")
