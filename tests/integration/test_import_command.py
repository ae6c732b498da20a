"""``coordcell import ucdp|acled|geojson FILE``: open-source rows become incidents, once.

Every created incident is attributed to its dataset (never to a party), assessed under the
current arrangement version, and committed to by an ``incidents.imported`` record event
that lists its SHA-256; a second import creates nothing; bad rows are reported with their
line; a failing chunk leaves nothing of itself behind.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from coordcell.agreements.models import ArrangementVersion
from coordcell.core.errors import PermissionDenied
from coordcell.incidents import imports
from coordcell.incidents.imports import ImportFailed, import_incidents, snapshot_sha256
from coordcell.incidents.models import Incident
from coordcell.incidents.services import snapshot
from coordcell.interop.sniff import read_observations
from coordcell.record.canonical import canonical_json
from coordcell.record.export import check_record
from coordcell.record.models import Entry
from tests.reference import DATA, VECTORS

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "interop" / "fixtures"
UCDP = DATA / "ucdp_ged231_sample_levant.csv"
SAMPLE_GEOJSON = VECTORS / "geojson" / "sample-incidents.geojson"
UCDP_5 = FIXTURES / "ucdp_ged231_5rows.csv"
UCDP_5_IDS = {"178557", "178685", "216469", "180919", "116283"}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("importincidents", *args, stdout=out)
    return out.getvalue()


def imported(dataset: str) -> list[Incident]:
    return list(
        Incident.objects.filter(source_dataset=dataset)
        .select_related("version__arrangement")
        .order_by("pk")
    )


def import_events() -> list[Entry]:
    return list(Entry.objects.filter(event_type="incidents.imported").order_by("seq"))


def rewrite_csv(source: Path, target: Path, change) -> None:
    """Copy a CSV, passing each data row (a dict) through ``change`` (None drops it)."""
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        header = reader.fieldnames
    assert header is not None
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            changed = change(row)
            if changed is not None:
                writer.writerow(changed)


@pytest.mark.slow
def test_the_real_ucdp_sample_becomes_incidents_once(capsys) -> None:
    before = Entry.objects.count()
    output = run("ucdp", str(UCDP))

    incidents = imported("ucdp")
    assert len(incidents) == 106
    assert {i.source_ref for i in incidents} == {
        row["id"] for row in csv.DictReader(UCDP.open(encoding="utf-8", newline=""))
    }
    current = ArrangementVersion.objects.get(is_current=True)
    label = f"{current.arrangement.key} v{current.number}"
    for incident in incidents:
        assert incident.source == "open_source"
        assert incident.source_party_id is None
        assert incident.reported_by_id is None
        assert incident.audience == "|*|"  # open-source data, every member, explicitly
        assert incident.fictional is False
        assert incident.version_id == current.pk
        assert incident.title.startswith(f"UCDP {incident.source_ref}")
        assert all(f["version"] == label for f in incident.findings)
    # As `coordcell check` finds: the events near the Area of Separation have B.3 findings.
    near = [i for i in incidents if "area_of_separation_approx" in i.zones + i.possible_zones]
    assert near
    assert all(any(f["clause"] == "B.3" for f in i.findings) for i in near)
    assert "created: 106   already present: 0" in output
    assert "rejected: 0" in output
    assert "rows/s" in output
    assert "106/106 rows" in capsys.readouterr().err  # the progress bar

    events = import_events()
    assert len(events) == 1
    assert Entry.objects.count() == before + 1
    data = events[0].data
    assert data["dataset"] == "ucdp"
    assert data["file"] == UCDP.name
    assert data["version"] == label
    assert data["counts"] == {
        "rows": 106,
        "created": 106,
        "already_present": 0,
        "changed_skipped": 0,
        "rejected": 0,
    }
    assert data["attribution"][0].startswith("UCDP Georeferenced Event Dataset")
    assert events[0].audience == "|*|"
    assert events[0].actor_name.startswith("console:")
    by_reference = {i.reference: i for i in incidents}
    assert [item["reference"] for item in data["incidents"]] == [i.reference for i in incidents]
    for item in data["incidents"]:
        incident = by_reference[item["reference"]]
        assert item["source_ref"] == incident.source_ref
        # The hash is of the snapshot read back from the database, with the reference
        # canonical JSON (not the import's fast path).
        expected = hashlib.sha256(canonical_json(snapshot(incident))).hexdigest()
        assert item["sha256"] == expected == snapshot_sha256(incident)

    again = run("ucdp", str(UCDP))
    assert "created: 0   already present: 106" in again
    assert "nothing new" in again
    assert Incident.objects.filter(source_dataset="ucdp").count() == 106
    assert len(import_events()) == 1
    result = check_record()
    assert result.problems == []


def test_a_tampered_incident_no_longer_matches_its_recorded_hash() -> None:
    run("ucdp", str(UCDP_5))
    listed = {i["source_ref"]: i["sha256"] for i in import_events()[-1].data["incidents"]}
    incident = imported("ucdp")[0]
    Incident.objects.filter(pk=incident.pk).update(title="Something else")
    incident.refresh_from_db()
    assert snapshot_sha256(incident) != listed[incident.source_ref]


def test_each_chunk_is_one_event_over_its_own_lines() -> None:
    run("ucdp", str(UCDP_5), "--chunk", "2")
    events = import_events()
    assert [e.data["counts"]["rows"] for e in events] == [2, 2, 1]
    assert sum(e.data["counts"]["created"] for e in events) == 5
    rows = list(read_observations(UCDP_5, "ucdp"))
    assert [e.data["lines"] for e in events] == [
        {"first": rows[0].line, "last": rows[1].line},
        {"first": rows[2].line, "last": rows[3].line},
        {"first": rows[4].line, "last": rows[4].line},
    ]
    assert {i.source_ref for i in imported("ucdp")} == UCDP_5_IDS


def test_acled_rows_are_imported_with_their_event_ids() -> None:
    output = run("acled", str(FIXTURES / "acled_invented.csv"), "--scenario", "southern_syria_2026")
    incidents = imported("acled")
    assert {i.source_ref for i in incidents} == {"TST0001", "TST0002", "TST0003", "TST0004"}
    assert all(i.source == "open_source" and i.source_party_id is None for i in incidents)
    first = next(i for i in incidents if i.source_ref == "TST0001")
    assert first.kind == "armed_clash"
    # An ACLED date is that day in the arrangement's zone: 00:00 in Damascus (UTC+3).
    assert first.occurred_from.isoformat() == "2026-02-28T21:00:00+00:00"
    assert first.time_precision == "day"
    assert first.title == "ACLED TST0001 · Battles · Armed clash · Invented place"
    assert import_events()[-1].data["attribution"][0].startswith("Armed Conflict Location")
    assert "created: 4" in output
    assert "created: 0   already present: 4" in run("acled", str(FIXTURES / "acled_invented.csv"))


def test_a_dated_row_stored_at_utc_midnight_before_is_already_present() -> None:
    """Rows imported before dates were read in the arrangement's zone (a day from 00:00
    UTC) are the same rows, not changed ones, when the file is imported again."""
    run("acled", str(FIXTURES / "acled_invented.csv"))
    for incident in imported("acled"):
        # The local day (Damascus, UTC+3) from 00:00 UTC, as the importer stored it before.
        old = dt.datetime.combine(
            (incident.occurred_from + dt.timedelta(hours=3)).date(), dt.time(), dt.UTC
        )
        until = incident.occurred_until
        Incident.objects.filter(pk=incident.pk).update(
            occurred_from=old,
            occurred_until=None if until is None else old + (until - incident.occurred_from),
        )
    assert "created: 0   already present: 4" in run("acled", str(FIXTURES / "acled_invented.csv"))


def test_geojson_features_keep_their_geometry_and_a_feature_without_id_is_rejected() -> None:
    output = run("geojson", str(FIXTURES / "observations.geojson"))
    incidents = {i.source_ref: i for i in imported("geojson")}
    assert set(incidents) == {"flight-1", "area-2", "3"}
    assert incidents["flight-1"].geometry["type"] == "LineString"
    assert incidents["flight-1"].time_precision == "minute"
    assert incidents["flight-1"].occurred_until is not None
    assert incidents["area-2"].geometry["type"] == "Polygon"
    assert incidents["area-2"].uncertainty_m == 500
    assert "feature 3: no source id" in output
    assert "created: 3   already present: 0" in output
    assert "rejected: 1" in output


def test_the_sample_geojson_of_the_vectors_is_refused_row_by_row(tmp_path) -> None:
    # Its two features give no incident kind (and lie in Djibouti): nothing is created.
    report = tmp_path / "rejected.csv"
    output = run("geojson", str(SAMPLE_GEOJSON), "--report", str(report))
    assert "created: 0" in output
    assert "rejected: 2" in output
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [(r["line"], r["source_id"], r["outcome"]) for r in rows] == [
        ("0", "INC-2026-0042", "rejected"),
        ("1", "AREA-ANCHORAGE-OUTER", "rejected"),
    ]
    assert all("no incident kind" in r["reason"] for r in rows)
    assert not import_events()


def test_places_the_engine_cannot_use_are_rejected_with_its_reason(tmp_path) -> None:
    def feature(ident: str, lon: float, lat: float) -> dict:
        return {
            "type": "Feature",
            "id": ident,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"kind": "armed_clash", "time": "2026-03-01"},
        }

    source = tmp_path / "places.geojson"
    features = [
        feature("inside", 35.824, 33.125),
        feature("far", 43.145, 11.588),
        feature("swapped", 33.125, 35.824),
    ]
    source.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    report = tmp_path / "rejected.jsonl"
    output = run("geojson", str(source), "--report", str(report))
    assert [i.source_ref for i in imported("geojson")] == ["inside"]
    records = [json.loads(line) for line in report.read_text().splitlines()]
    assert [(r["line"], r["source_id"], r["category"]) for r in records] == [
        (1, "far", "outside_region"),
        (2, "swapped", "swapped_coordinates"),
    ]
    assert "outside the arrangement's region" in records[0]["reason"]
    assert "created: 1" in output


def test_bad_rows_are_rejected_with_their_line_and_good_rows_imported(tmp_path) -> None:
    source = tmp_path / "bad.csv"

    def corrupt(row: dict) -> dict:
        if row["id"] == "178685":
            row["latitude"] = "911"
        if row["id"] == "180919":
            row["date_start"] = "yesterday"
        return row

    rewrite_csv(UCDP_5, source, corrupt)
    report = tmp_path / "report.csv"
    output = run("ucdp", str(source), "--report", str(report))

    assert {i.source_ref for i in imported("ucdp")} == UCDP_5_IDS - {"178685", "180919"}
    assert "line 3 (178685): latitude 911 out of range" in output
    assert "line 5 (180919): date_start 'yesterday' is not a date" in output
    assert "created: 3   already present: 0" in output
    assert "rejected: 2" in output
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [(r["line"], r["source_id"], r["category"]) for r in rows] == [
        ("3", "178685", "out_of_range"),
        ("5", "180919", "bad_date"),
    ]
    assert import_events()[-1].data["counts"]["rejected"] == 2


def test_a_changed_row_with_a_known_id_is_reported_and_not_overwritten(tmp_path) -> None:
    run("ucdp", str(UCDP_5))
    stored = Incident.objects.get(source_dataset="ucdp", source_ref="216469")
    events = len(import_events())
    source = tmp_path / "revised.csv"

    def revise(row: dict) -> dict:
        if row["id"] == "216469":
            row["latitude"] = str(float(row["latitude"]) + 0.01)
        return row

    rewrite_csv(UCDP_5, source, revise)
    output = run("ucdp", str(source))
    assert "created: 0   already present: 4   same id, different content (skipped): 1" in output
    assert "(216469): same id, different content" in output
    after = Incident.objects.get(pk=stored.pk)
    assert after.geometry == stored.geometry
    assert len(import_events()) == events


def test_a_row_repeated_in_one_file_is_imported_once(tmp_path) -> None:
    lines = UCDP_5.read_text(encoding="utf-8").splitlines(keepends=True)
    source = tmp_path / "twice.csv"
    source.write_text("".join(lines + lines[1:2]), encoding="utf-8")
    output = run("ucdp", str(source))
    assert "created: 5   already present: 1" in output
    assert Incident.objects.filter(source_dataset="ucdp", source_ref="178557").count() == 1


def test_a_failing_chunk_leaves_nothing_of_itself_and_says_which_lines(monkeypatch) -> None:
    real = imports.append_event
    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(imports, "append_event", failing)
    rows = list(read_observations(UCDP_5, "ucdp"))
    with pytest.raises(CommandError) as caught:
        run("ucdp", str(UCDP_5), "--chunk", "2")
    message = str(caught.value)
    assert f"lines {rows[2].line} to {rows[3].line}" in message
    assert "disk full" in message
    # The first chunk committed; the failing one left no incident and no event.
    assert {i.source_ref for i in imported("ucdp")} == {rows[0].source_id, rows[1].source_id}
    assert len(import_events()) == 1

    monkeypatch.setattr(imports, "append_event", real)
    output = run("ucdp", str(UCDP_5), "--chunk", "2")
    assert "created: 3   already present: 2" in output


def test_only_the_console_may_import(actor) -> None:
    current = ArrangementVersion.objects.get(is_current=True)
    for username in ("il.liaison", "mediator", "monitor"):
        with pytest.raises(PermissionDenied):
            import_incidents(
                actor=actor(username),
                rows=read_observations(UCDP_5, "ucdp"),
                version=current,
                dataset="ucdp",
            )
    assert not imported("ucdp")
    assert not import_events()


def test_the_service_reports_a_failed_chunk_with_its_lines(console, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("no space")

    monkeypatch.setattr(Incident.objects, "bulk_create", broken)
    current = ArrangementVersion.objects.get(is_current=True)
    with pytest.raises(ImportFailed) as caught:
        import_incidents(
            actor=console,
            rows=read_observations(UCDP_5, "ucdp"),
            version=current,
            dataset="ucdp",
        )
    assert caught.value.first_line == 2
    assert caught.value.summary.created == 0
    assert not imported("ucdp")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["xml", str(UCDP_5)], "invalid choice: 'xml'"),
        (["ucdp", "/nonexistent/file.csv"], "no such file"),
        (["acled", str(UCDP_5)], "looks like a UCDP GED CSV file, not ACLED CSV"),
        (["ucdp", str(FIXTURES / "observations.geojson")], "looks like a GeoJSON file"),
        (["ucdp", str(UCDP_5), "--report", "x.txt"], "--report must end in .csv or .jsonl"),
        (["ucdp", str(UCDP_5), "--chunk", "0"], "--chunk must be from 1"),
        (["ucdp", str(UCDP_5), "--scenario", "nowhere"], "no arrangement nowhere is loaded"),
        (["ucdp", str(UCDP_5), "--report", "/nonexistent/dir/r.csv"], "cannot write"),
    ],
)
def test_bad_invocations_fail_clearly_and_import_nothing(args, message) -> None:
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert message in str(caught.value)
    assert not Incident.objects.filter(source_dataset__in=["ucdp", "acled", "geojson"]).exists()


def test_a_file_that_is_no_csv_fails_with_status_2(tmp_path) -> None:
    source = tmp_path / "garbage.csv"
    source.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(CommandError) as caught:
        run("ucdp", str(source))
    assert caught.value.returncode == 2
    assert "garbage.csv" in str(caught.value)
    assert not imported("ucdp")


def test_coordcell_import_runs_this_command(monkeypatch) -> None:
    import django.core.management

    from coordcell import cli

    seen = []
    monkeypatch.setattr(django.core.management, "execute_from_command_line", seen.append)
    cli.main(["coordcell", "import", "ucdp", "x.csv"])
    assert seen == [["coordcell", "importincidents", "ucdp", "x.csv"]]


def test_messages_are_in_the_cells_language_whatever_was_active(tmp_path) -> None:
    from django.utils import translation

    source = tmp_path / "far.geojson"
    feature = {
        "type": "Feature",
        "id": "far",
        "geometry": {"type": "Point", "coordinates": [43.145, 11.588]},
        "properties": {"kind": "armed_clash", "time": "2026-03-01"},
    }
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with translation.override("he"):
        output = run("geojson", str(source))
    assert "feature 0 (far): The location (43.145, 11.588) is outside" in output


def test_every_imported_incident_has_its_map_cell() -> None:
    # The map clusters incidents by their stored cell: an import that left it at 0 put
    # every imported incident in one cluster at the grid's corner.
    from coordcell.rules.grid import cell_key

    run("ucdp", str(UCDP_5))
    run("acled", str(FIXTURES / "acled_invented.csv"))
    run("geojson", str(FIXTURES / "observations.geojson"))
    incidents = imported("ucdp") + imported("acled") + imported("geojson")
    assert {i.source_dataset for i in incidents} == {"ucdp", "acled", "geojson"}
    for incident in incidents:
        assert incident.cell == cell_key(incident.lon, incident.lat) != 0


def test_migration_0011_fills_the_cells_imports_left_at_0() -> None:
    import importlib

    from django.apps import apps

    from coordcell.rules.grid import cell_key

    migration = importlib.import_module(
        "coordcell.incidents.migrations.0011_cells_of_imported_incidents"
    )
    run("ucdp", str(UCDP_5))
    Incident.objects.filter(source_dataset="ucdp").update(cell=0)  # as imports stored them
    migration.fill_missing_cells(apps, None)
    incidents = imported("ucdp")
    assert len(incidents) == 5
    for incident in incidents:
        assert incident.cell == cell_key(incident.lon, incident.lat) != 0
