"""The CAP 1.2 writer: valid against the OASIS schema and the spec's rules, UTC as
"-00:00", polygons as closed rings of "lat,lon" pairs around the geometry, the codes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest

from coordcell.interop import cap
from tests.capcheck import CAP_NS, NS, embedded_alerts, parse, spec_check, xsd_errors

IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}
GEOMETRIES = {
    "point": IN_AOS,
    "line": {"type": "LineString", "coordinates": [[35.80, 33.10], [35.85, 33.15]]},
    "polygon": {
        "type": "Polygon",
        "coordinates": [[[35.80, 33.10], [35.84, 33.10], [35.84, 33.14], [35.80, 33.10]]],
    },
    "multipoint": {"type": "MultiPoint", "coordinates": [[35.80, 33.10], [35.81, 33.12]]},
    "collection": {
        "type": "GeometryCollection",
        "geometries": [IN_AOS, {"type": "Point", "coordinates": [35.9, 33.2]}],
    },
}


def _escalation(**changes: Any) -> cap.Escalation:
    base = cap.Escalation(
        sender="coordcell.local",
        case_reference="CASE-7K3Q-9MX2-4HZD",
        entry_hash="ab" * 32,
        sent=dt.datetime(2026, 3, 2, 9, 31, 5, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        level=1,
        level_code="cell_principals",
        top_level=False,
        reason="acknowledge_deadline_expired",
        state="lodged",
        incident_reference="INC-00001",
        kind="military_presence",
        geometry=IN_AOS,
        uncertainty_m=250,
        restriction="Members of the cell from: il, sy, undof, us. Not for further distribution.",
        texts=[
            cap.InfoText("en", "Escalated complaint", "CASE-00001 escalated", "…", "AoS", "Cell"),
            cap.InfoText("ar", "شكوى", "تصعيد", "…", "منطقة", "الخلية"),
            cap.InfoText("he", "תלונה", "הסלמה", "…", "אזור", "התא"),
        ],
        finding_severities=("high",),
        exercise=True,
        expires=dt.datetime(2026, 3, 4, 7, 31, 5, tzinfo=dt.UTC),
        web="http://testserver/cases/1/",
        note="Exercise: fictional data.",
    )
    return dataclasses.replace(base, **changes)


def _find(document: bytes, path: str) -> list[str]:
    root = parse(document)
    return [e.text or "" for e in root.iterfind(path, {"c": CAP_NS})]


@pytest.mark.parametrize("name", sorted(GEOMETRIES))
def test_every_alert_is_valid_cap(name: str, tmp_path: Path) -> None:
    document = cap.alert_xml(_escalation(geometry=GEOMETRIES[name]))
    assert xsd_errors(document) == []
    assert spec_check([document], tmp_path) == []


def test_the_oasis_examples_pass_the_same_checks(tmp_path: Path) -> None:
    """The checks themselves accept the CAP text's own examples and the vectors' sample."""
    from tests.capcheck import CAP_VECTORS

    documents = [p.read_bytes() for p in sorted(CAP_VECTORS.glob("*.xml"))]
    assert len(documents) == 5
    assert spec_check(documents, tmp_path) == []


def test_the_checks_refuse_broken_alerts(tmp_path: Path) -> None:
    """Guard on the checkers: a bad status (schema) and an open ring (spec rule) fail."""
    good = cap.alert_xml(_escalation())
    bad_status = good.replace(b"<status>Exercise", b"<status>Real")
    assert xsd_errors(bad_status)
    polygon = _find(good, "c:info/c:area/c:polygon")[0]
    open_ring = good.replace(polygon.encode(), polygon.rsplit(" ", 1)[0].encode())
    assert xsd_errors(open_ring) == []  # the schema does not look inside the text
    problems = spec_check([bad_status, open_ring], tmp_path)
    assert any("XSD" in p for p in problems)
    assert any("first == last" in p for p in problems)


def test_sent_and_expires_are_utc_written_minus_zero() -> None:
    document = cap.alert_xml(_escalation())
    assert _find(document, "c:sent") == ["2026-03-02T07:31:05-00:00"]
    assert set(_find(document, "c:info/c:expires")) == {"2026-03-04T07:31:05-00:00"}
    assert cap.cap_time(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) == "2026-01-01T00:00:00-00:00"
    with pytest.raises(ValueError, match="naive"):
        cap.cap_time(dt.datetime(2026, 1, 1))


def test_the_header_says_who_may_see_it() -> None:
    document = cap.alert_xml(_escalation())
    assert _find(document, "c:identifier") == ["CASE-7K3Q-9MX2-4HZD-ESC-abababababababab"]
    assert _find(document, "c:sender") == ["coordcell.local"]
    assert _find(document, "c:status") == ["Exercise"]
    assert _find(document, "c:msgType") == ["Alert"]
    assert _find(document, "c:scope") == ["Restricted"]
    assert "il, sy, undof, us" in _find(document, "c:restriction")[0]
    assert _find(document, "c:incidents") == ["INC-00001"]
    actual = cap.alert_xml(_escalation(exercise=False, note=""))
    assert _find(actual, "c:status") == ["Actual"]
    assert _find(actual, "c:note") == []


def test_one_info_per_language_with_security_category() -> None:
    document = cap.alert_xml(_escalation())
    assert _find(document, "c:info/c:language") == ["en", "ar", "he"]
    assert set(_find(document, "c:info/c:category")) == {"Security"}
    assert _find(document, "c:info/c:headline") == ["CASE-00001 escalated", "تصعيد", "הסלמה"]


def test_the_polygon_is_a_closed_ring_of_lat_lon_pairs_around_the_place() -> None:
    document = cap.alert_xml(_escalation(uncertainty_m=250))
    polygon = _find(document, "c:info/c:area/c:polygon")[0].split()
    assert len(polygon) >= 4
    assert polygon[0] == polygon[-1]
    pairs = [tuple(map(float, p.split(","))) for p in polygon]
    lon, lat = IN_AOS["coordinates"]  # GeoJSON order: lon, lat
    # CAP order: lat first. Every vertex lies 250 m (plus the polygon's slack) from the point.
    for plat, plon in pairs[:-1]:
        north = (plat - lat) * 111_195
        east = (plon - lon) * 111_195 * math.cos(math.radians(lat))
        assert 240 <= math.hypot(north, east) <= 265
    circle = _find(document, "c:info/c:area/c:circle")[0]
    centre, radius = circle.split()
    assert centre == f"{lat:.5f},{lon:.5f}"
    assert 0.25 <= float(radius) <= 0.26


def test_a_point_without_uncertainty_still_has_an_area() -> None:
    area = cap.area_of(IN_AOS, 0)
    assert float(area.circle.split()[1]) >= cap.MIN_RADIUS_M / 1000
    assert len(area.polygon.split()) >= 4


def test_the_polygon_contains_every_vertex_of_a_line() -> None:
    line = GEOMETRIES["line"]
    area = cap.area_of(line, 0)
    ring = [tuple(map(float, p.split(","))) for p in area.polygon.split()]
    lats = [p[0] for p in ring]
    lons = [p[1] for p in ring]
    for lon, lat in line["coordinates"]:
        assert min(lats) < lat < max(lats)
        assert min(lons) < lon < max(lons)


@pytest.mark.parametrize(
    ("kind", "findings", "severity"),
    [
        ("armed_clash", (), "Severe"),  # a use of force
        ("military_presence", (), "Moderate"),
        ("military_presence", ("high",), "Severe"),
        ("military_presence", ("low", "medium"), "Moderate"),
        ("protest", (), "Minor"),
        ("protest", ("medium",), "Moderate"),
        ("no_such_kind", (), "Unknown"),
    ],
)
def test_severity_is_the_higher_of_kind_and_findings(
    kind: str, findings: tuple[str, ...], severity: str
) -> None:
    assert cap.severity_of(kind, findings) == severity


@pytest.mark.parametrize(
    ("state", "certainty"),
    [
        ("lodged", "Possible"),
        ("answered", "Possible"),
        ("disputed", "Possible"),
        ("verified", "Observed"),
        ("unverifiable", "Unknown"),
    ],
)
def test_certainty_follows_the_monitors(state: str, certainty: str) -> None:
    assert cap.certainty_of(state) == certainty


def test_urgency_is_immediate_at_the_top_of_the_ladder() -> None:
    assert cap.urgency_of(_escalation(top_level=False)) == "Expected"
    assert cap.urgency_of(_escalation(top_level=True)) == "Immediate"


@pytest.mark.parametrize("sender", ["coord cell", "a,b", "a<b", "a&b", ""])
def test_a_sender_with_forbidden_characters_is_refused(sender: str) -> None:
    with pytest.raises(ValueError, match="sender"):
        cap.alert_element(_escalation(sender=sender))


def test_text_is_escaped_and_stripped_of_characters_xml_cannot_carry(tmp_path: Path) -> None:
    texts = [cap.InfoText("en", "E & <b>", "H\x01ead", "D \x0b", "A", "S")]
    document = cap.alert_xml(_escalation(texts=texts))
    assert _find(document, "c:info/c:event") == ["E & <b>"]
    assert _find(document, "c:info/c:headline") == ["Head"]
    assert xsd_errors(document) == []


def test_the_feed_embeds_each_alert_newest_first(tmp_path: Path) -> None:
    older = _escalation(entry_hash="07" * 32, sent=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    newer = _escalation(entry_hash="09" * 32, sent=dt.datetime(2026, 3, 3, tzinfo=dt.UTC))
    feed = cap.atom_feed(
        feed_id="http://testserver/api/v1/alerts/",
        title="Escalation alerts",
        self_url="http://testserver/api/v1/alerts/?a=1&b=2",
        author="Cell",
        updated=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        entries=[
            cap.FeedEntry(
                newer, "http://testserver/api/v1/alerts/CASE-7K3Q-9MX2-4HZD-ESC-0909090909090909"
            ),
            cap.FeedEntry(
                older, "http://testserver/api/v1/alerts/CASE-7K3Q-9MX2-4HZD-ESC-0707070707070707"
            ),
        ],
    )
    root = parse(feed)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.findtext("a:updated", namespaces=NS) == "2026-03-03T00:00:00Z"
    ids = [e.findtext("a:id", namespaces=NS) for e in root.iterfind("a:entry", NS)]
    assert ids == [
        "http://testserver/api/v1/alerts/CASE-7K3Q-9MX2-4HZD-ESC-0909090909090909",
        "http://testserver/api/v1/alerts/CASE-7K3Q-9MX2-4HZD-ESC-0707070707070707",
    ]
    alerts = embedded_alerts(feed)
    assert len(alerts) == 2
    assert all(xsd_errors(a) == [] for a in alerts)
    assert spec_check(alerts, tmp_path) == []


def test_an_empty_feed_is_still_a_feed() -> None:
    feed = cap.atom_feed(
        feed_id="urn:x",
        title="t",
        self_url="http://testserver/",
        author="a",
        updated=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        entries=[],
    )
    root = parse(feed)
    assert root.findtext("a:updated", namespaces=NS) == "2026-01-01T00:00:00Z"
    assert root.findall("a:entry", NS) == []
