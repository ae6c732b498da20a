"""``[[withdrawal_steps]]`` (issue 13): steps of a withdrawal timeline set by the
arrangement's text, each linked both ways to the other party's step; and the inspection
clause's ``on_request_within_hours``."""

from __future__ import annotations

import datetime as dt
import pathlib
import shutil

from coordcell.rules.arrangement import arrangement_from_content
from coordcell.rules.scenario import check_scenario, content_hash, read_scenario

from .conftest import HERE

CLAUSES = """
[[clauses]]
status = "agreed"
id = "W1"
kind = "withdrawal"
title = { en = "Withdrawal" }
text = "Withdraw from area_a."
source = "TEST"
parties = ["p1", "p2"]
parameters = { after_date = "2026-01-01" }

[[clauses]]
status = "agreed"
id = "I1"
kind = "inspection"
title = { en = "Inspections" }
text = "Inspect area_a."
source = "TEST"
zones = ["area_a"]
parties = ["p1", "p2"]
parameters = { interval_days_max = 15, on_request = true, on_request_within_hours = 48 }
"""

STEPS = """
[[withdrawal_steps]]
id = "p1-1"
clause = "W1"
party = "p1"
sequence = 1
title = { en = "Party One leaves area A" }
zones = ["area_a"]
due = 2026-03-01
linked_to = "p2-1"

[[withdrawal_steps]]
id = "p2-1"
clause = "W1"
party = "p2"
sequence = 1
title = { en = "Party Two leaves area A" }
zones = ["area_a"]
due = "2026-03-01T12:00"
linked_to = "p1-1"
"""


def scenario(tmp_path: pathlib.Path, steps: str = STEPS) -> pathlib.Path:
    target = tmp_path / "minimal"
    shutil.copytree(HERE / "minimal", target)
    toml = target / "arrangement.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace("[[protocols]]", f"{CLAUSES}\n{steps}\n[[protocols]]", 1)
    toml.write_text(text, encoding="utf-8")
    return target


def test_steps_are_read_linked_and_survive_the_stored_content(tmp_path: pathlib.Path) -> None:
    arrangement = read_scenario(scenario(tmp_path))
    first, second = arrangement.withdrawal_steps
    assert (first.party, first.linked_to, first.due) == ("p1", "p2-1", dt.date(2026, 3, 1))
    assert second.due == dt.datetime(2026, 3, 1, 12, 0)
    stored = arrangement_from_content(arrangement.content)
    assert stored.withdrawal_steps == arrangement.withdrawal_steps
    inspection = next(c for c in arrangement.clauses if c.id == "I1")
    assert inspection.parameters["on_request_within_hours"] == 48


def test_a_scenario_without_steps_keeps_its_content_and_hash(tmp_path: pathlib.Path) -> None:
    with_none = read_scenario(scenario(tmp_path, steps=""))
    assert "withdrawal_steps" not in with_none.content
    assert with_none.withdrawal_steps == ()
    assert content_hash(with_none) != content_hash(read_scenario(scenario(tmp_path / "b")))


def test_a_link_must_go_both_ways_to_the_other_party(tmp_path: pathlib.Path) -> None:
    broken = STEPS.replace('linked_to = "p1-1"', 'linked_to = "p2-1"', 1)
    _arrangement, errors = check_scenario(scenario(tmp_path, broken))
    assert any("withdrawal_steps" in e.field and "linked" in e.message for e in errors), errors
    own = STEPS.replace('party = "p2"', 'party = "p1"', 1)
    _arrangement, errors = check_scenario(scenario(tmp_path / "b", own))
    assert any("the other party's step" in e.message for e in errors), errors


def test_a_step_names_a_withdrawal_clause_known_zones_and_a_deadline(
    tmp_path: pathlib.Path,
) -> None:
    broken = (
        STEPS.replace('clause = "W1"', 'clause = "I1"', 1)
        .replace('zones = ["area_a"]', 'zones = ["nowhere"]', 1)
        .replace("due = 2026-03-01\n", "", 1)
    )
    _arrangement, errors = check_scenario(scenario(tmp_path, broken))
    text = " ".join(f"{e.field}: {e.message}" for e in errors)
    assert "withdrawal clause" in text
    assert "nowhere" in text
    assert "due" in text
