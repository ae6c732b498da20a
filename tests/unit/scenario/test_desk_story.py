"""The story's steps of the hotline desks (duty shifts, communications checks, handovers),
read and checked with file and field errors."""

from __future__ import annotations

import pathlib

import pytest

from coordcell.rules.scenario import check_scenario, read_scenario

from .conftest import SHIPPED


def test_it_reads_the_desks_steps() -> None:
    demo = read_scenario(SHIPPED).demo
    assert demo is not None
    shifts = [s for s in demo.story if s.do == "duty_shift"]
    assert {(s.by, s.officer, s.tier) for s in shifts} >= {
        ("il.admin", "il.liaison", 1),
        ("sy.admin", "sy.liaison", 1),
    }
    checks = [(s.to, s.answered_by) for s in demo.story if s.do == "comms_check"]
    assert ("il", "il.liaison") in checks
    assert ("sy", "") in checks  # left for the worker to mark failed
    handover = next(s for s in demo.story if s.do == "handover")
    assert (handover.by, handover.to) == ("il.liaison", "il.admin")


@pytest.mark.parametrize(
    ("step", "field", "message"),
    [
        (
            'do = "duty_shift"\nby = "il.admin"\nofficer = "sy.liaison"\ntier = 1\n'
            'channel = "radio"\nhours = 8',
            "officer",
            "is not an account of party 'il'",
        ),
        (
            'do = "duty_shift"\nby = "il.admin"\nofficer = "il.liaison"\ntier = 4\n'
            'channel = "radio"\nhours = 8',
            "tier",
            "expected 1, 2 or 3",
        ),
        (
            'do = "duty_shift"\nby = "il.admin"\nofficer = "il.liaison"\ntier = 1\n'
            'channel = "radio"\nhours = 8\ncontact = "+000"',
            "contact",
            "must say it is fictional",
        ),
        (
            'do = "comms_check"\nby = "mediator"\nto = "il"\nanswered_by = "sy.liaison"',
            "answered_by",
            "is not an account of party 'il'",
        ),
        (
            'do = "acknowledge_handover"\nby = "il.admin"\nhandover = "nothing"',
            "handover",
            "is not the key of an earlier step that hands over",
        ),
    ],
)
def test_it_refuses_a_bad_desk_step(
    shipped_copy: pathlib.Path, step: str, field: str, message: str
) -> None:
    demo = shipped_copy / "demo.toml"
    demo.write_text(demo.read_text(encoding="utf-8") + f"\n[[story]]\n{step}\n", encoding="utf-8")
    arrangement, errors = check_scenario(shipped_copy)
    assert arrangement is None
    assert any(e.field.endswith(f".{field}") and message in e.message for e in errors), errors
