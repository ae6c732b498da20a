"""The story's verification steps (issue 13): linked withdrawal steps, countersignatures,
verification, extensions, inspections and access denials, read and checked with file
and field errors."""

from __future__ import annotations

import pathlib

import pytest

from coordcell.rules.scenario import check_scenario, read_scenario

from .conftest import SHIPPED


def test_it_reads_the_verification_steps() -> None:
    demo = read_scenario(SHIPPED).demo
    assert demo is not None
    proposals = [s for s in demo.story if s.do == "propose_withdrawal_steps"]
    assert [s.by for s in proposals] == ["mediator", "mediator"]
    assert proposals[0].verification is not None
    assert {
        proposals[0].verification["first"]["party"],
        proposals[0].verification["second"]["party"],
    } == {"il", "sy"}
    kinds = {s.do for s in demo.story}
    assert {
        "verify_withdrawal_step",
        "countersign_step_extension",
        "file_inspection_report",
        "record_access_denial",
    } <= kinds


@pytest.mark.parametrize(
    ("step", "field", "message"),
    [
        (
            'do = "countersign_withdrawal_steps"\nby = "il.liaison"\nsteps = "nothing"',
            "steps",
            "is not the key of an earlier step",
        ),
        (
            'do = "request_inspection"\nby = "il.liaison"\nzone = "aol_A_0_10km"\nreason = "Works"',
            "reason",
            "must say it is fictional",
        ),
        (
            'do = "verify_withdrawal_step"\nby = "monitor"\nsteps = "phase_1"\nparty = "il"\n'
            'outcome = "excellent"',
            "outcome",
            "unknown outcome",
        ),
        (
            'do = "record_access_denial"\nby = "monitor"\nkind = "denial"\n'
            'geometry = { type = "Point", coordinates = [0.0, 0.0] }\n'
            'description = "Turned back (fictional exercise)"',
            "coordinates",
            "",
        ),
    ],
)
def test_it_refuses_a_bad_verification_step(
    shipped_copy: pathlib.Path, step: str, field: str, message: str
) -> None:
    demo = shipped_copy / "demo.toml"
    demo.write_text(demo.read_text(encoding="utf-8") + f"\n[[story]]\n{step}\n", encoding="utf-8")
    arrangement, errors = check_scenario(shipped_copy)
    assert arrangement is None
    assert any(e.field.endswith(f".{field}") and message in e.message for e in errors), errors


def test_every_text_of_the_verification_story_is_labelled_fictional() -> None:
    demo = read_scenario(SHIPPED).demo
    assert demo is not None

    def texts(value: object) -> list[str]:
        if isinstance(value, dict):
            return [
                t
                for k, v in value.items()
                if k
                not in (
                    "party",
                    "clause",
                    "zone",
                    "category",
                    "kind",
                    "outcome",
                    "steps",
                    "extension",
                )
                for t in texts(v)
            ]
        if isinstance(value, list):
            return [t for v in value for t in texts(v)]
        return [value] if isinstance(value, str) and value and not value.isidentifier() else []

    found = [t for s in demo.story if s.verification for t in texts(s.verification)]
    assert len(found) >= 10
    assert all("fictional" in t for t in found), found
