"""Incident kinds a scenario declares on top of the built-in ones ([[incident_kinds]]):
read and checked by ``scenario check``, assessed by the engine."""

from __future__ import annotations

import datetime as dt
import pathlib

from coordcell.rules import taxonomy
from coordcell.rules.engine import Engine, Observation
from coordcell.rules.scenario import check_scenario, read_scenario

from .conftest import SHIPPED

DAY = dt.date(2026, 3, 1)
IN_AOS = {"type": "Point", "coordinates": [35.82461, 33.12595]}


def _with(shipped_copy: pathlib.Path, table: str) -> pathlib.Path:
    toml = shipped_copy / "arrangement.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("[[roles]]", table + "\n[[roles]]", 1), encoding="utf-8")
    return shipped_copy


def _errors(folder: pathlib.Path) -> list[str]:
    _arrangement, errors = check_scenario(folder)
    return [f"{e.field}: {e.message}" for e in errors]


def test_the_shipped_scenario_declares_its_kinds_with_names_and_mappings() -> None:
    kinds = {k.id: k for k in read_scenario(SHIPPED).incident_kinds}
    assert set(kinds) == {"weapons_cache", "arms_transfer"}
    assert not set(kinds) & set(taxonomy.KINDS)
    cache = kinds["weapons_cache"]
    assert cache.name["he"] == "מחסן נשק"
    assert cache.implies == ()
    assert cache.may_imply == ("military_presence",)
    assert cache.acled == (("Strategic developments", "Disrupted weapons use"),)


def test_a_declared_kind_is_assessed_with_the_activities_it_implies(
    shipped_copy: pathlib.Path,
) -> None:
    folder = _with(
        shipped_copy,
        '[[incident_kinds]]\nid = "armed_group_camp"\n'
        'name = { en = "Armed-group camp" }\nimplies = ["military_presence"]\n',
    )
    engine = Engine(read_scenario(folder), version="t v1")
    a = engine.assess(Observation("o", "armed_group_camp", IN_AOS, DAY))
    assert a.problems == ()
    assert "prohibited:military_presence" in {f.rule for f in a.findings_not_agreed}
    # A shipped kind that implies nothing makes no finding on its own.
    quiet = engine.assess(Observation("o", "weapons_cache", IN_AOS, DAY))
    assert (quiet.problems, quiet.findings, quiet.findings_not_agreed) == ((), (), ())
    unknown = engine.assess(Observation("o", "no_such_kind", IN_AOS, DAY))
    assert [p.code for p in unknown.problems] == ["unknown_kind"]


def test_a_declared_activity_may_be_implied_by_a_declared_kind(
    shipped_copy: pathlib.Path,
) -> None:
    folder = _with(
        shipped_copy,
        '[[activities]]\nid = "arms_depot"\nname = { en = "Arms depot" }\n'
        'implied_by = ["weapons_cache"]\n',
    )
    assert _errors(folder) == []


def test_scenario_check_reports_each_wrong_field(shipped_copy: pathlib.Path) -> None:
    folder = _with(
        shipped_copy,
        '[[incident_kinds]]\nid = "armed_clash"\nname = { en = "Clash" }\n'
        'implies = ["flying"]\nacled = [["Battles", "Dogfight"], "x"]\nucdp = [4, true]\n'
        "colour = 1\n",
    )
    errors = _errors(folder)
    assert (
        "incident_kinds[2].id: 'armed_clash' is a built-in incident kind: declare only new ones"
        in errors
    )
    assert any(
        e.startswith("incident_kinds[2].implies[0]: unknown activity 'flying'") for e in errors
    )
    assert any(
        e.startswith("incident_kinds[2].acled[0]: unknown ACLED pair ['Battles', 'Dogfight']")
        for e in errors
    )
    assert any(
        e.startswith("incident_kinds[2].acled[1]: expected an [event type, sub-event type] pair")
        for e in errors
    )
    assert "incident_kinds[2].ucdp[0]: unknown UCDP type_of_violence 4 (known: 1, 2, 3)" in errors
    assert (
        "incident_kinds[2].ucdp[1]: unknown UCDP type_of_violence True (known: 1, 2, 3)" in errors
    )
    assert any(e.startswith("incident_kinds[2].colour: unknown key 'colour'") for e in errors)


def test_scenario_check_refuses_a_kind_declared_twice(shipped_copy: pathlib.Path) -> None:
    folder = _with(
        shipped_copy, '[[incident_kinds]]\nid = "weapons_cache"\nname = { en = "Cache" }\n'
    )
    assert any("incident_kinds[2].id" in e and "weapons_cache" in e for e in _errors(folder))


def test_a_story_incident_may_have_a_declared_kind(shipped_copy: pathlib.Path) -> None:
    demo = shipped_copy / "demo.toml"
    text = demo.read_text(encoding="utf-8")
    assert text.count('kind = "fortification"') == 1
    demo.write_text(text.replace('kind = "fortification"', 'kind = "weapons_cache"'), "utf-8")
    assert _errors(shipped_copy) == []
    demo.write_text(text.replace('kind = "fortification"', 'kind = "smuggling"'), "utf-8")
    assert any("unknown incident kind 'smuggling'" in e for e in _errors(shipped_copy))
