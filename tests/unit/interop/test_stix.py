"""The STIX 2.1 converter (coordcell.interop.stix): exports pass both checkers, name
nothing outside themselves, carry the official TLP 2.0 markings; imports read TLP 2.0 and
1.0 and refuse an invalid bundle with the validator's reasons."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from coordcell.interop import stix
from tests.stixcheck import check_tlp2

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "stix"
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
PARTIES = {
    "aa": stix.ExportParty("aa", "Party A (fictional exercise)"),
    "bb": stix.ExportParty("bb", "Party B (fictional exercise)"),
}


def item(**fields: Any) -> stix.ExportItem:
    data: dict[str, Any] = {
        "public_id": str(uuid.uuid4()),
        "reference": "SHR-TEST",
        "originator": "aa",
        "title": "Convoy seen on the road (fictional exercise)",
        "tlp": "amber",
        "created_at": T0,
        "updated_at": T0 + dt.timedelta(minutes=5),
    }
    data.update(fields)
    return stix.ExportItem(**data)


def refs_of(obj: Any) -> set[str]:
    """Every id an object names (``*_ref`` and ``*_refs`` properties, at any depth)."""
    found: set[str] = set()
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key.endswith("_ref") and isinstance(value, str):
                found.add(value)
            elif key.endswith("_refs") and isinstance(value, list):
                found |= {v for v in value if isinstance(v, str)}
            else:
                found |= refs_of(value)
    elif isinstance(obj, list):
        for value in obj:
            found |= refs_of(value)
    return found


@pytest.fixture
def full_bundle() -> dict[str, Any]:
    source = item(
        title="Full assessment (fictional exercise)",
        tlp="red",
        body="Sources and methods",
        lon=35.82461,
        lat=33.12595,
        observed_at=T0 - dt.timedelta(hours=3),
        source_reliability="B",
        information_credibility="2",
    )
    part = item(originator="bb", title="Summary", tlp="green", source=source.public_id)
    plain = item(tlp="clear", body="Nothing else")
    return stix.export_bundle([source, part, plain], PARTIES)


def test_an_export_passes_the_validator_strictly_and_the_tlp2_schema(
    full_bundle: dict[str, Any], tmp_path: Path
) -> None:
    assert stix.validate(full_bundle) == []
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(full_bundle))
    result = check_tlp2(path)
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("OK  ") == 3  # clear, green, red


def test_the_checker_itself_catches_a_wrong_tlp2_marking(
    full_bundle: dict[str, Any], tmp_path: Path
) -> None:
    """The TLP 2.0 check can fail: the GREEN id carrying "amber" is refused."""
    bad = copy.deepcopy(full_bundle)
    green = next(o for o in bad["objects"] if o["id"] == stix.TLP2["green"])
    green["extensions"][stix.TLP2_EXTENSION]["tlp_2_0"] = "amber"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    assert check_tlp2(path).returncode == 1


def test_the_markings_are_the_official_objects_unchanged(full_bundle: dict[str, Any]) -> None:
    official = {
        o["id"]: o
        for o in json.loads((VECTORS / "tlp2-marking-definitions.json").read_text())["objects"]
    }
    ids = json.loads((VECTORS / "tlp-ids.json").read_text())
    assert ids["tlp_2_0"] == stix.TLP2
    assert set(stix.TLP1) == set(ids["tlp_1_0_stix21_predefined"].values())
    markings = [o for o in full_bundle["objects"] if o["type"] == "marking-definition"]
    assert {m["id"] for m in markings} == {stix.TLP2[t] for t in ("clear", "green", "red")}
    for marking in markings:
        assert marking == official[marking["id"]]


def test_an_export_names_nothing_outside_itself(full_bundle: dict[str, Any]) -> None:
    ids = {o["id"] for o in full_bundle["objects"]}
    named = refs_of(full_bundle["objects"])
    assert named
    assert named <= ids
    for obj in full_bundle["objects"]:
        if obj["type"] not in ("marking-definition", "identity"):
            assert obj["object_marking_refs"]
            assert obj["created_by_ref"] in ids


def test_a_source_outside_the_export_is_not_referenced() -> None:
    hidden = str(uuid.uuid4())
    part = item(title="Summary", source=hidden)
    bundle = stix.export_bundle([part], PARTIES)
    text = json.dumps(bundle)
    assert hidden not in text
    assert stix.item_object_ids(hidden)[0] not in text
    report = next(o for o in bundle["objects"] if o["type"] == "report")
    assert report["object_refs"] == [report["created_by_ref"]]


def test_each_part_of_an_item_is_written_where_stix_puts_it(full_bundle: dict[str, Any]) -> None:
    by_type: dict[str, list[Any]] = {}
    for obj in full_bundle["objects"]:
        by_type.setdefault(obj["type"], []).append(obj)
    assert sorted(by_type) == [
        "identity",
        "incident",
        "location",
        "marking-definition",
        "report",
        "sighting",
    ]
    assert {i["name"] for i in by_type["identity"]} == {p.name for p in PARTIES.values()}
    assert {i["identity_class"] for i in by_type["identity"]} == {"organization"}
    (incident,) = by_type["incident"]
    assert incident["extensions"][stix.INCIDENT_CORE_EXTENSION]["extension_type"] == (
        "property-extension"
    )
    (sighting,) = by_type["sighting"]
    assert sighting["sighting_of_ref"] == incident["id"]
    assert sighting["where_sighted_refs"] == [by_type["location"][0]["id"]]
    assert sighting["first_seen"] == "2026-03-01T06:00:00Z"
    full = next(r for r in by_type["report"] if r["name"].startswith("Full"))
    assert full["labels"] == [
        'admiralty-scale:source-reliability="b"',
        'admiralty-scale:information-credibility="2"',
    ]
    assert full["confidence"] == 70
    assert full["object_marking_refs"] == [stix.TLP2["red"]]
    summary = next(r for r in by_type["report"] if r["name"] == "Summary")
    assert full["id"] in summary["object_refs"]
    assert "description" not in summary  # a field it does not carry is absent


def test_a_redacted_item_writes_no_trace_of_its_fields() -> None:
    bundle = stix.export_bundle([item(body="")], PARTIES)
    types = sorted(o["type"] for o in bundle["objects"])
    assert types == ["identity", "marking-definition", "report"]
    (report,) = [o for o in bundle["objects"] if o["type"] == "report"]
    assert not {"description", "labels", "confidence"} & set(report)


def test_an_export_reads_back_as_the_same_items(full_bundle: dict[str, Any]) -> None:
    back = {i.title: i for i in stix.read_bundle(json.dumps(full_bundle))}
    assert sorted(back) == [
        "Convoy seen on the road (fictional exercise)",
        "Full assessment (fictional exercise)",
        "Summary",
    ]
    full = back["Full assessment (fictional exercise)"]
    assert (full.tlp, full.body, full.lon, full.lat) == (
        "red",
        "Sources and methods",
        35.82461,
        33.12595,
    )
    assert full.observed_at == T0 - dt.timedelta(hours=3)
    assert (full.source_reliability, full.information_credibility) == ("B", "2")
    assert back["Summary"].tlp == "green"
    assert back["Convoy seen on the road (fictional exercise)"].tlp == "clear"


def test_the_sample_bundle_imports_with_its_tlp2_markings() -> None:
    found = stix.read_bundle((VECTORS / "sample-bundle-tlp2.json").read_bytes())
    assert [(i.type, i.tlp) for i in found] == [("note", "green"), ("report", "green")]
    report = found[1]
    assert report.title == "Weekly maritime incident summary"
    assert (report.lat, report.lon) == (11.588, 43.145)
    assert report.observed_at == dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)


def test_tlp1_marking_ids_are_understood() -> None:
    """MISP's own converter marks tlp:amber with the TLP 1.0 id."""
    (grouping,) = stix.read_bundle((VECTORS / "misp-event-sample.stix21.json").read_bytes())
    assert grouping.type == "grouping"
    assert grouping.tlp == "amber"
    sample = json.loads((VECTORS / "sample-bundle-tlp2.json").read_text())
    white = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
    for obj in sample["objects"]:
        if obj["type"] in ("report", "note"):
            obj["object_marking_refs"] = [white]
    assert {i.tlp for i in stix.read_bundle(sample)} == {"clear"}


def test_an_invalid_bundle_is_refused_with_the_validators_reasons() -> None:
    sample = json.loads((VECTORS / "sample-bundle-tlp2.json").read_text())
    report = next(o for o in sample["objects"] if o["type"] == "report")
    del report["published"]
    report["created"] = "yesterday"
    with pytest.raises(stix.StixRefused) as exc:
        stix.read_bundle(sample)
    text = " ".join(exc.value.reasons)
    assert "published" in text
    assert "created" in text


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"not json", "Not JSON"),
        (b"[]", "JSON object"),
        (b'{"type": "report"}', "bundle"),
        (b'{"type": "bundle", "id": "bundle--1", "objects": []}', ""),
    ],
)
def test_what_is_not_a_bundle_is_refused(document: bytes, reason: str) -> None:
    with pytest.raises(stix.StixRefused) as exc:
        stix.read_bundle(document)
    assert exc.value.reasons
    assert reason in " ".join(exc.value.reasons)


def test_a_bundle_of_nothing_importable_is_refused() -> None:
    sample = json.loads((VECTORS / "sample-bundle-tlp2.json").read_text())
    sample["objects"] = [o for o in sample["objects"] if o["type"] == "identity"]
    with pytest.raises(stix.StixRefused, match="no report"):
        stix.read_bundle(sample)
