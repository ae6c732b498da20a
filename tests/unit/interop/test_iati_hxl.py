"""The pure writers of the economic zone's exports: IATI 2.03 activity XML valid against
the IATI schema whatever the texts, exact decimals only, no identifier for a donor; HXL
CSVs with the hashtag row, exact sums, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from coordcell.interop import hxl, iati

XSD = Path(__file__).resolve().parents[2] / "vectors" / "iati" / "iati-activities-schema.xsd"
SCHEMA = etree.XMLSchema(etree.parse(str(XSD)))
DAY = dt.date(2026, 2, 1)


def _report(
    title: str = "Orchards", funder: str = "Donor K", amount: str = "0.30"
) -> iati.IatiReport:
    tx = [
        iati.IatiTransaction(kind, f"{kind[:3].upper()}-1", DAY, "USD", Decimal(amount), funder)
        for kind in ("pledge", "commitment", "disbursement")
    ]
    activity = iati.IatiActivity(
        reference="PRJ-AAAA-BBBB-CCCC",
        titles={"en": title, "ar": "بساتين", "he": "מטעים"},
        descriptions={},
        state="active",
        sector="agriculture",
        sector_names={"en": "Agriculture"},
        start=DAY,
        end=None,
        currency="USD",
        funders=[funder],
        location=iati.location_of(
            "S", {"type": "Polygon", "coordinates": [[[35, 33], [36, 33], [36, 34], [35, 33]]]}, {}
        ),
        transactions=tx,
    )
    return iati.IatiReport(
        reporting_ref="XI-IATI-TEST",
        reporting_names={"en": "Cell"},
        generated=dt.datetime(2026, 2, 2, tzinfo=dt.UTC),
        sector_vocabulary_uri="urn:coordcell:test:sectors",
        activities=[activity],
    )


def test_the_activity_is_valid_and_codes_the_money_from_the_cells_side() -> None:
    doc = etree.fromstring(iati.activities_xml(_report()))
    assert SCHEMA.validate(doc), SCHEMA.error_log
    assert [t.get("code") for t in doc.iter("transaction-type")] == ["13", "11", "1"]
    assert [v.text for v in doc.iter("value")] == ["0.30"] * 3
    for org in doc.iter("provider-org"):
        assert org.attrib == {}
        assert org.findtext("narrative") == "Donor K"
    lat, lon = doc.findtext(".//location/point/pos").split()
    assert 33 < float(lat) < 34
    assert 35 < float(lon) < 36
    assert doc.find(".//location/exactness").get("code") == "2"
    assert doc.findtext("iati-activity/iati-identifier") == "XI-IATI-TEST-PRJ-AAAA-BBBB-CCCC"


@given(st.text(min_size=1, max_size=40), st.text(max_size=40))
def test_any_text_stays_valid_xml_and_schema_valid(title: str, funder: str) -> None:
    title = "".join(c for c in title if c.isprintable()) or "x"
    funder = "".join(c for c in funder if c.isprintable())
    doc = etree.fromstring(iati.activities_xml(_report(title, funder)))
    assert SCHEMA.validate(doc), SCHEMA.error_log


def test_floats_and_unknown_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="Decimal"):
        iati.amount_text(0.3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Decimal"):
        iati.amount_text(Decimal("NaN"))
    assert iati.amount_text(Decimal("1E+3")) == "1000"
    report = _report()
    bad = iati.IatiTransaction("loan", "L-1", DAY, "USD", Decimal(1), "Donor K")
    activity = report.activities[0]
    broken = dataclasses.replace(
        report, activities=[dataclasses.replace(activity, transactions=[bad])]
    )
    with pytest.raises(ValueError, match="loan"):
        iati.activities_xml(broken)


def test_the_pledges_csv_has_exact_sums_a_status_and_no_formula() -> None:
    row = hxl.HxlPledge(
        reference="=HYPERLINK(1)", donor="@Donor", project="PRJ-1", currency="USD",
        pledged=Decimal("0.30"), committed=Decimal("0.10") + Decimal("0.20"),
        disbursed=Decimal("0.10"), date=DAY,
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(hxl.pledges_csv([row]))))
    assert rows[1][0] == "#meta+id"
    assert rows[2][:7] == ["'=HYPERLINK(1)", "'@Donor", "PRJ-1", "USD", "0.30", "0.30", "0.10"]
    assert rows[2][8] == "partially-disbursed"
    assert hxl.pledge_status(row.__class__(**{**row.__dict__, "disbursed": Decimal("0.30")})) == (
        "disbursed"
    )
    assert hxl.pledge_status(row.__class__(**{**row.__dict__, "disbursed": Decimal(0)})) == (
        "committed"
    )
