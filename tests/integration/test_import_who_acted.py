"""An import names who acted only when the dataset row is unambiguous: a UCDP one-sided
event whose side_a is a name a force of the arrangement lists, an ACLED event that is not
a battle whose actor1 is one; every other row is "not stated"."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from coordcell.agreements.services import SCENARIOS_DIR, load_arrangement
from coordcell.incidents.models import Incident
from tests.reference import DATA

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "interop" / "fixtures"


def _run(*args: str) -> None:
    call_command("importincidents", *args, stdout=io.StringIO())


def test_a_ucdp_one_sided_event_names_the_force_and_a_state_based_one_does_not(
    tmp_path: Path,
) -> None:
    source = DATA / "ucdp_ged231_sample_levant.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        header = reader.fieldnames
    assert header is not None
    one_sided = [
        r for r in rows if (r["type_of_violence"], r["side_a"]) == ("3", "Government of Syria")
    ]
    state_based = [
        r for r in rows if (r["type_of_violence"], r["side_a"]) == ("1", "Government of Syria")
    ]
    target = tmp_path / "ucdp.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows([*one_sided, state_based[0]])
    _run("ucdp", str(target))
    stored = {i.source_ref: i for i in Incident.objects.filter(source_dataset="ucdp")}
    assert stored
    for row in one_sided:
        if row["id"] in stored:
            incident = stored[row["id"]]
            assert (incident.acted_by, incident.acting_party, incident.acting_force) == (
                "party",
                "sy",
                "sy_army",
            )
    assert any(row["id"] in stored for row in one_sided)
    assert stored[state_based[0]["id"]].acted_by == "unknown"


def test_an_acled_row_names_the_force_only_outside_battles(console: Any, tmp_path: Path) -> None:
    copy = tmp_path / "scenario"
    shutil.copytree(SCENARIOS_DIR / "southern_syria_2026", copy)
    toml = copy / "arrangement.toml"
    text = toml.read_text(encoding="utf-8")
    marker = 'ucdp_actors = ["Government of Israel"]'
    assert text.count(marker) == 1
    toml.write_text(
        text.replace(marker, marker + '\nacled_actors = ["Actor A (invented)"]'), "utf-8"
    )
    load_arrangement(actor=console, path=copy)
    _run("acled", str(FIXTURES / "acled_invented.csv"))
    stored = {
        i.source_ref: (i.kind, i.acted_by, i.acting_force)
        for i in Incident.objects.filter(source_dataset="acled")
    }
    assert stored["TST0001"] == ("armed_clash", "unknown", "")  # a battle: two sides acted
    assert stored["TST0002"][1:] == ("party", "il_army")
