"""The mechanism as scenario data: roles, decision rules, the determination deadline and
the rules of procedure, read and checked with file and field errors."""

from __future__ import annotations

import pathlib
import shutil

import pytest

from coordcell.rules.arrangement import arrangement_from_content
from coordcell.rules.mechanism import DecisionRule
from coordcell.rules.scenario import check_scenario, read_scenario

from .conftest import HERE, SHIPPED

#: A monitor and an observer beside the minimal scenario's two parties.
MORE_PARTIES = """
[[parties]]
code = "mon"
kind = "monitor"
role = "monitor"
name = { en = "Monitoring force" }

[[parties]]
code = "obs"
kind = "observer"
role = "observer"
name = { en = "Observer" }
"""


def scenario(
    tmp_path: pathlib.Path, *, complaints: str = "", parties: str = MORE_PARTIES, head: str = ""
) -> pathlib.Path:
    """The minimal scenario with ``parties`` added, ``complaints`` added to its complaints
    protocol, and ``head`` (e.g. a ``[procedure]`` table) before its roles."""
    target = tmp_path / "minimal"
    shutil.copytree(HERE / "minimal", target)
    toml = target / "arrangement.toml"
    text = toml.read_text(encoding="utf-8")
    assert text.count('serves = "complaints"\n') == 1
    text = text.replace('serves = "complaints"\n', f'serves = "complaints"\n{complaints}\n')
    text = text.replace("[[roles]]", f"{parties}\n{head}\n[[roles]]", 1)
    toml.write_text(text, encoding="utf-8")
    return target


def errors_of(path: pathlib.Path) -> list[tuple[str, str, str]]:
    arrangement, errors = check_scenario(path)
    assert arrangement is None, "the scenario should not read"
    return [(e.file, e.field, e.message) for e in errors]


def test_egypt_and_israel_style_joint_decision_reads(tmp_path: pathlib.Path) -> None:
    """Two parties decide jointly, the monitor verifies, with a determination deadline."""
    path = scenario(
        tmp_path,
        complaints='determined_by = { all_of = ["p1", "p2"] }\ndetermine_within_hours = 72',
    )
    arrangement = read_scenario(path)
    complaints = next(p for p in arrangement.protocols if p.serves == "complaints")
    hotline = next(p for p in arrangement.protocols if p.serves == "hotline")
    assert complaints.determined_by == DecisionRule("all_of", ("p1", "p2"))
    assert complaints.determine_within_hours == 72
    assert hotline.determined_by == DecisionRule("any")  # stated nowhere: any mediator
    assert hotline.determine_within_hours is None
    assert [p.seat for p in arrangement.parties] == ["party", "party", "monitor", "observer"]
    # The stored content reads back to the same arrangement.
    again = arrangement_from_content(arrangement.content)
    assert again.protocols == arrangement.protocols
    assert again.parties == arrangement.parties


def test_the_procedure_states_the_rule_of_every_protocol_that_states_none(
    tmp_path: pathlib.Path,
) -> None:
    chair = '\n[[parties]]\ncode = "m"\nkind = "mediator"\nrole = "chair"\nname = { en = "M" }\n'
    procedure = """
[procedure]
determined_by = "chair"
quorum = { all_of = ["p1", "p2", "m"], at_least = 3 }
authoritative_language = "en"
authentic_languages = ["ar", "he", "en"]
meetings = { every_days = 7, on_request_within_hours = 24 }
media = "joint_statements"

[[procedure.confidentiality]]
id = "members"
name = { en = "Members only" }
description = { en = "Read by the members; never published." }
"""
    path = scenario(
        tmp_path,
        parties=MORE_PARTIES + chair,
        head=procedure,
        complaints='determined_by = { any_of = ["m", "p1"] }',
    )
    arrangement = read_scenario(path)
    rules = {p.serves: p.determined_by for p in arrangement.protocols}
    assert rules == {
        "hotline": DecisionRule("chair"),
        "complaints": DecisionRule("any_of", ("m", "p1")),
    }
    procedure_read = arrangement.procedure
    assert procedure_read is not None
    assert procedure_read.quorum_all_of == ("p1", "p2", "m")
    assert procedure_read.quorum_at_least == 3
    assert procedure_read.media == "joint_statements"
    assert [t.id for t in procedure_read.confidentiality] == ["members"]
    assert arrangement_from_content(arrangement.content).procedure == procedure_read


def test_the_shipped_scenario_states_its_mechanism() -> None:
    arrangement = read_scenario(SHIPPED)
    chairs = [p.code for p in arrangement.parties if p.seat == "chair"]
    assert len(chairs) == 1
    assert {p.determined_by for p in arrangement.protocols} == {DecisionRule("chair")}
    assert all(p.determine_within_hours for p in arrangement.protocols)
    assert arrangement.procedure is not None


@pytest.mark.parametrize(
    ("edit", "field", "fragment"),
    [
        (
            {"parties": MORE_PARTIES.replace('role = "observer"', 'role = "judge"')},
            "parties[3].role",
            "unknown role in the mechanism 'judge'",
        ),
        (
            {"complaints": 'determined_by = { all_of = ["p1", "p9"] }'},
            "protocols[1].determined_by.all_of[1]",
            "unknown party 'p9'",
        ),
        (
            {"complaints": 'determined_by = { any_of = ["obs"] }'},
            "protocols[1].determined_by.any_of[0]",
            "of kind 'observer': a party of that kind does not decide",
        ),
        (
            {"complaints": 'determined_by = "chair"'},
            "protocols[1].determined_by",
            'no party has role = "chair"',
        ),
        (
            {"complaints": 'determined_by = "any"'},
            "protocols[1].determined_by",
            'no party is of kind "mediator"',
        ),
        (
            {"complaints": 'determined_by = "majority"'},
            "protocols[1].determined_by",
            "unknown decision rule 'majority'",
        ),
        (
            {"complaints": 'determined_by = { all_of = ["p1"], any_of = ["p2"] }'},
            "protocols[1].determined_by",
            "exactly one of all_of or any_of",
        ),
        (
            {"complaints": "determined_by = { all_of = [] }"},
            "protocols[1].determined_by.all_of",
            "name at least one party",
        ),
        (
            {"complaints": "determined_by = 3"},
            "protocols[1].determined_by",
            'expected "any", "chair"',
        ),
        (
            {"complaints": "determine_within_hours = -1"},
            "protocols[1].determine_within_hours",
            "must be greater than 0",
        ),
        (
            {"head": '[procedure]\nquorum = { all_of = ["p1", "p7"] }'},
            "procedure.quorum.all_of[1]",
            "unknown party 'p7'",
        ),
        (
            {"head": '[procedure]\nauthoritative_language = "fr"\nauthentic_languages = ["en"]'},
            "procedure.authoritative_language",
            "'fr' is not one of authentic_languages (en)",
        ),
        (
            {"head": '[procedure]\nmedia = "press_releases"'},
            "procedure.media",
            "unknown media rule 'press_releases'",
        ),
        (
            {"head": '[procedure]\ndetermined_by = "chair"'},
            "procedure.determined_by",
            'no party has role = "chair"',
        ),
        (
            {"head": '[procedure]\nchairs = ["p1"]'},
            "procedure.chairs",
            "unknown key 'chairs'",
        ),
    ],
)
def test_a_mechanism_defect_is_reported_at_its_field(
    tmp_path: pathlib.Path, edit: dict[str, str], field: str, fragment: str
) -> None:
    found = errors_of(scenario(tmp_path, **edit))
    assert [e for e in found if e[1] == field and fragment in e[2]], found


def _with_hotline(tmp_path: pathlib.Path, line: str, serves: str = "hotline") -> pathlib.Path:
    path = scenario(tmp_path)
    toml = path / "arrangement.toml"
    text = toml.read_text(encoding="utf-8")
    anchor = f'serves = "{serves}"\n'
    assert text.count(anchor) == 1
    toml.write_text(text.replace(anchor, f"{anchor}{line}\n"), encoding="utf-8")
    return path


def test_the_hotline_protocol_sets_the_minutes_to_answer_a_comms_check(
    tmp_path: pathlib.Path,
) -> None:
    arrangement = read_scenario(_with_hotline(tmp_path, "comms_check_answer_minutes = 15"))
    hotline = next(p for p in arrangement.protocols if p.serves == "hotline")
    assert hotline.comms_check_answer_minutes == 15
    again = arrangement_from_content(arrangement.content)
    assert next(p for p in again.protocols if p.serves == "hotline") == hotline
    # A protocol without checks keeps the content it had (and its hash).
    plain = read_scenario(scenario(tmp_path / "plain"))
    assert all("comms_check_answer_minutes" not in p for p in plain.content["protocols"])
    for shipped_path in (SHIPPED, SHIPPED.parent / "sinai_1979"):
        shipped = read_scenario(shipped_path)
        assert next(
            p for p in shipped.protocols if p.serves == "hotline"
        ).comms_check_answer_minutes


@pytest.mark.parametrize(
    ("line", "serves", "message"),
    [
        ("comms_check_answer_minutes = 0", "hotline", "must be greater than 0"),
        ("comms_check_answer_minutes = 2000", "hotline", "longer than a day"),
        ("comms_check_answer_minutes = 15", "complaints", "only the protocol serving the hotline"),
    ],
)
def test_scenario_check_refuses_a_bad_comms_check_time(
    tmp_path: pathlib.Path, line: str, serves: str, message: str
) -> None:
    errors = errors_of(_with_hotline(tmp_path, line, serves))
    assert any(
        field.endswith("comms_check_answer_minutes") and message in text
        for _file, field, text in errors
    ), errors
