"""Clause exemptions and scenario-declared activities (issue 10): who a clause does not
concern, and activities a scenario prohibits beyond the built-in ones."""

from __future__ import annotations

import datetime as dt
import pathlib
import shutil

import pytest

from coordcell.rules.engine import Engine, Observation
from coordcell.rules.scenario import check_scenario, read_scenario

from .conftest import HERE

DAY = dt.date(2026, 3, 1)
INSIDE_AREA_A = {"type": "Point", "coordinates": [35.3, 32.3]}

FORCES = """
[[forces]]
id = "p1_army"
party = "p1"
kind = "army"
name = { en = "Party One army", ar = "جيش الطرف الأول", he = "צבא הצד הראשון" }

[[forces]]
id = "p2_police"
party = "p2"
kind = "police"
name = { en = "Party Two police", ar = "شرطة الطرف الثاني", he = "משטרת הצד השני" }

[[forces]]
id = "p2_army"
party = "p2"
kind = "army"
name = { en = "Party Two army" }

[[activities]]
id = "weapons_cache"
name = { en = "Weapons cache", ar = "مخبأ أسلحة", he = "מחסן נשק" }
implied_by = ["weapons_use_disrupted"]
"""

#: C1 (no military presence in area_a) exempts party p1 and the police of p2.
EXEMPT = 'prohibited = ["military_presence"]\nexempt = { parties = ["p1"], forces = ["p2_police"] }'
CACHE = 'prohibited = ["military_presence", "weapons_cache"]'


def scenario(tmp_path: pathlib.Path, *, head: str = FORCES, clause: str = EXEMPT) -> pathlib.Path:
    """The minimal scenario with ``head`` added and C1's prohibition replaced by ``clause``."""
    target = tmp_path / "minimal"
    shutil.copytree(HERE / "minimal", target)
    toml = target / "arrangement.toml"
    text = toml.read_text(encoding="utf-8")
    c1 = 'prohibited = ["military_presence"]'
    assert text.count(c1) == 1
    text = text.replace(c1, clause).replace("[[roles]]", f"{head}\n[[roles]]", 1)
    toml.write_text(text, encoding="utf-8")
    return target


@pytest.fixture
def engine(tmp_path: pathlib.Path) -> Engine:
    return Engine(read_scenario(scenario(tmp_path)), version="t v1")


def c1(engine: Engine, **actor: str) -> list:
    a = engine.assess(Observation("o", "military_presence", INSIDE_AREA_A, DAY, **actor))
    return [f for f in a.findings if f.clause == "C1"]


# ----------------------------------------------------------------------- the engine


def test_the_presence_of_an_exempt_force_makes_no_finding(engine: Engine) -> None:
    assert c1(engine, acting_force="p2_police") == []


def test_the_presence_of_a_force_of_an_exempt_party_makes_no_finding(engine: Engine) -> None:
    assert c1(engine, acting_force="p1_army") == []
    assert c1(engine, party="p1") == []


def test_the_presence_of_a_force_that_is_not_exempt_makes_a_finding(engine: Engine) -> None:
    [finding] = c1(engine, acting_force="p2_army")
    assert (finding.severity, finding.certainty, finding.exempt) == ("high", "inside", ())
    assert "exempts" not in finding.message


def test_an_unknown_actor_keeps_the_finding_and_says_whom_the_clause_exempts(
    engine: Engine,
) -> None:
    [finding] = c1(engine)
    assert (finding.severity, finding.certainty) == ("high", "inside")
    assert finding.exempt == ("p1", "p2_police")
    assert finding.message.endswith(
        "Clause C1 exempts p1, p2_police; the report does not say whether they acted."
    )
    assert finding.as_dict()["exempt"] == ["p1", "p2_police"]


def test_a_party_named_without_its_force_keeps_the_finding_noting_its_exempt_force(
    engine: Engine,
) -> None:
    [finding] = c1(engine, party="p2")
    assert (finding.severity, finding.exempt) == ("high", ("p2_police",))


def test_a_clause_without_exemption_notes_nothing(tmp_path: pathlib.Path) -> None:
    plain = Engine(read_scenario(scenario(tmp_path, clause=CACHE)), version="t v1")
    [finding] = c1(plain)
    assert finding.exempt == ()


def test_a_scenario_activity_is_found_when_a_kind_implying_it_is_reported(
    tmp_path: pathlib.Path,
) -> None:
    arrangement = read_scenario(scenario(tmp_path, clause=CACHE))
    assert [(a.id, a.implied_by) for a in arrangement.activities] == [
        ("weapons_cache", ("weapons_use_disrupted",))
    ]
    a = Engine(arrangement, version="t v1").assess(
        Observation("o", "weapons_use_disrupted", INSIDE_AREA_A, DAY)
    )
    assert [f.rule for f in a.findings] == ["prohibited:weapons_cache"]
    assert a.findings[0].params["activity"] == "weapons_cache"


def test_exemptions_forces_and_activities_survive_the_stored_content(
    tmp_path: pathlib.Path,
) -> None:
    from coordcell.rules.arrangement import arrangement_from_content

    arrangement = read_scenario(scenario(tmp_path))
    again = arrangement_from_content(arrangement.content)
    assert again.forces == arrangement.forces
    assert again.activities == arrangement.activities
    assert again.clauses == arrangement.clauses


# ----------------------------------------------------------------------- scenario check


BAD = [
    (FORCES, 'prohibited = ["military_presence"]\nexempt = { forces = ["p9_army"] }',
     "clauses[0].exempt.forces[0]", "unknown force 'p9_army'"),
    (FORCES, 'prohibited = ["military_presence"]\nexempt = { parties = ["p9"] }',
     "clauses[0].exempt.parties[0]", "unknown party 'p9'"),
    (FORCES, 'prohibited = ["military_presence"]\nexempt = {}',
     "clauses[0].exempt", "names at least one party or force"),
    (FORCES.replace('party = "p1"', 'party = "p9"'), EXEMPT,
     "forces[0].party", "unknown party 'p9'"),
    (FORCES.replace('kind = "police"', 'kind = "militia"'), EXEMPT,
     "forces[1].kind", "unknown force kind 'militia'"),
    (FORCES.replace('id = "p2_army"', 'id = "p2"'), EXEMPT,
     "forces[2].id", "already a party code"),
    ("", CACHE, "clauses[0].prohibited[1]", "unknown prohibited activity 'weapons_cache'"),
    (FORCES.replace('id = "weapons_cache"', 'id = "fire"'), EXEMPT,
     "activities[0].id", "built-in activity"),
    (FORCES.replace('"weapons_use_disrupted"', '"cache_found"'), EXEMPT,
     "activities[0].implied_by[0]", "unknown incident kind 'cache_found'"),
]  # fmt: skip


@pytest.mark.parametrize(("head", "clause", "field", "fragment"), BAD, ids=[b[2] for b in BAD])
def test_scenario_check_names_the_file_and_field_of_a_bad_exemption_or_declaration(
    tmp_path: pathlib.Path, head: str, clause: str, field: str, fragment: str
) -> None:
    arrangement, errors = check_scenario(scenario(tmp_path, head=head, clause=clause))
    assert arrangement is None
    assert [(e.file, e.field) for e in errors] == [("arrangement.toml", field)], errors
    assert fragment in errors[0].message
