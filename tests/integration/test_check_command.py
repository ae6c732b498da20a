"""``coordcell check --scenario … INPUT``: one record per input row, a summary, clear failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.reference import DATA

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "interop" / "fixtures"
UCDP = DATA / "ucdp_ged231_sample_levant.csv"
UCDP_GEOJSON = DATA / "ucdp_ged231_sample_levant.geojson"


def check(*args: str) -> None:
    call_command("checkobservations", "--scenario", "southern_syria_2026", *args)


def test_it_writes_one_record_per_row_of_the_real_ucdp_sample(tmp_path, capsys) -> None:
    out = tmp_path / "x.jsonl"
    check(str(UCDP), "--format", "ucdp", "--out", str(out))
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 106
    assert len({r["source_id"] for r in records}) == 106
    assert all("zones" in r and "distances_m" in r for r in records)
    assert all(r["attribution"].startswith("UCDP Georeferenced Event Dataset") for r in records)
    # UCDP locations are a town's point at best (1 km uncertainty or more), so events
    # near the Area of Separation are "possibly" in it, each with its B.3 findings.
    near_aos = [
        r for r in records
        if "area_of_separation_approx" in r["zones"] + r["possible_zones"]
    ]  # fmt: skip
    assert near_aos, "the sample has events at the Area of Separation"
    # B.3 is disputed in the scenario: its findings are kept apart.
    assert all(any(f["clause"] == "B.3" for f in r["findings_not_agreed"]) for r in near_aos)
    assert not any(f["clause"] == "B.3" for r in records for f in r["findings"])
    summary = capsys.readouterr().out
    assert "rows read: 106   accepted: 106   rejected: 0" in summary
    assert "findings under agreed clauses" in summary
    assert "findings under clauses that are not agreed" in summary
    assert "clauses machine-assessed: A (disputed: il), B.1 (disputed: il)" in summary
    assert "clauses not machine-assessed (read them yourself): " in summary
    assert "no clause applies" not in summary.lower()


def test_it_reads_the_same_events_from_geojson_and_writes_geojson(tmp_path) -> None:
    out = tmp_path / "x.geojson"
    check(str(UCDP_GEOJSON), "--out", str(out))
    collection = json.loads(out.read_text())
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 106
    assert all(f["geometry"]["type"] == "Point" for f in collection["features"])


def test_it_keeps_going_past_a_bad_row_and_counts_it(tmp_path, capsys) -> None:
    lines = (FIXTURES / "ucdp_ged231_5rows.csv").read_text().splitlines()
    header = lines[0].split(",")
    lat = header.index("latitude")
    cells = next(iter(__import__("csv").reader([lines[2]])))
    cells[lat] = "911"
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    lines[2] = buffer.getvalue().rstrip("\n")
    source = tmp_path / "bad.csv"
    source.write_text("\n".join(lines) + "\n")
    out = tmp_path / "x.jsonl"

    check(str(source), "--format", "ucdp", "--out", str(out))

    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 5
    rejected = [r for r in records if r["rejected"]]
    assert len(rejected) == 1
    assert rejected[0]["line"] == 3
    assert "911" in rejected[0]["rejected"]["reason"]
    assert "rows read: 5   accepted: 4   rejected: 1" in capsys.readouterr().out


def test_it_reports_an_unclosed_polygon(tmp_path, capsys) -> None:
    out = tmp_path / "x.jsonl"
    check(str(FIXTURES / "unclosed_polygon.geojson"), "--out", str(out))
    records = [json.loads(line) for line in out.read_text().splitlines()]
    reasons = [r["rejected"]["reason"] for r in records if r["rejected"]]
    assert any("not closed" in reason for reason in reasons)
    assert "bad_geometry" in capsys.readouterr().out


def test_it_reports_an_unknown_acled_event_type(tmp_path, capsys) -> None:
    text = (FIXTURES / "acled_invented.csv").read_text().splitlines()
    text[1] = text[1].replace("Battles,Armed clash", "Battles,Dragon attack", 1)
    source = tmp_path / "acled.csv"
    source.write_text("\n".join(text) + "\n")
    out = tmp_path / "x.jsonl"
    check(str(source), "--format", "acled", "--out", str(out))
    first = json.loads(out.read_text().splitlines()[0])
    assert first["rejected"]["category"] == "unknown_event_type"
    assert "Dragon attack" in first["rejected"]["reason"]


def test_a_file_of_garbage_fails_with_a_specific_message_and_no_output(tmp_path) -> None:
    source = tmp_path / "garbage.csv"
    source.write_bytes(bytes(range(256)) * 40)
    out = tmp_path / "x.jsonl"
    with pytest.raises(CommandError) as caught:
        check(str(source), "--format", "ucdp", "--out", str(out))
    assert "garbage.csv" in str(caught.value)
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/file.csv"], "no such file"),
        ([str(FIXTURES / "observations.geojson"), "--out", "x.txt"], "--out must end in"),
        ([str(FIXTURES / "observations.geojson"), "--baseline", "/nonexistent.geojson"],
         "cannot read"),
    ],
)  # fmt: skip
def test_it_refuses_bad_arguments_clearly(args, message) -> None:
    with pytest.raises(CommandError, match=message):
        check(*args)


@pytest.mark.slow
def test_coordcell_check_with_a_scenario_runs_the_assessment(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.setdefault("COORDCELL_SECRET_KEY", "x")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "coordcell.cli", "check", "--scenario", "southern_syria_2026",
         str(FIXTURES / "observations.geojson")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "rows read:" in result.stdout
