"""The pure rules of structured determinations (``coordcell.rules.determinations``)."""

from __future__ import annotations

import datetime as dt

import pytest

from coordcell.rules.determinations import (
    DECIDERS,
    DeterminationSpec,
    Invalid,
    check_determination,
    may_close,
    may_determine,
)

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
LATER = "2026-06-03T12:00:00+03:00"


def _check(data: dict) -> DeterminationSpec:
    return check_determination(
        data, clauses={"c1", "c2"}, owners={"p1", "p2"}, monitors={"m1"}, now=NOW
    )


@pytest.mark.parametrize(
    ("state", "passed", "allowed"),
    [
        ("lodged", False, False),
        ("acknowledged", False, False),
        ("lodged", True, True),
        ("answered", False, True),
        ("verified", False, True),
    ],
)
def test_the_deciders_determine_once_the_respondent_was_heard(
    state: str, passed: bool, allowed: bool
) -> None:
    assert may_determine(state, passed) is allowed


def test_closing_waits_for_every_remedy_verified_or_the_assent() -> None:
    assert may_close([], assented=False)
    assert not may_close(["verified", "done"], assented=False)
    assert may_close(["verified", "verified"], assented=False)
    assert may_close(["open"], assented=True)


def test_a_valid_determination_round_trips() -> None:
    spec = _check(
        {
            "outcome": "violation_established",
            "clauses": ["c1", "c1", "c2"],
            "remedies": [{"what": " Do it ", "owner": "p2", "due_at": LATER, "verifier": DECIDERS}],
        }
    )
    assert spec.clauses == ("c1", "c2")
    assert spec.remedies[0].what == "Do it"
    assert spec.remedies[0].due_at == dt.datetime(2026, 6, 3, 9, tzinfo=dt.UTC)
    assert DeterminationSpec.from_content(spec.as_content()) == spec
    assert DeterminationSpec.from_content({}) is None


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(Invalid) as invalid:
        _check(
            {
                "outcome": "guilty",
                "clauses": ["c9"],
                "remedies": [
                    {"what": "", "owner": "x", "due_at": "2026-06-01T12:00", "verifier": "p1"},
                    "not an object",
                ],
            }
        )
    assert invalid.value.fields == {
        "outcome": ["unknown_outcome"],
        "clauses": ["unknown_clause"],
        "remedies.0": ["what", "owner", "verifier", "due_at"],
        "remedies.1": ["not_an_object"],
    }


def test_verification_elements_are_checked_by_the_pure_rules() -> None:
    from coordcell.rules.verification import Invalid as BadElements
    from coordcell.rules.verification import check_elements

    ok = check_elements(
        [
            {"element": "presence", "finding": "established"},
            {"element": "damage", "finding": "could_not_verify", "reason": "access_denied",
             "denied_by": "p1"},
        ],
        parties={"p1", "p2"},
    )  # fmt: skip
    assert [e.denied_by for e in ok] == ["", "p1"]
    with pytest.raises(BadElements) as invalid:
        check_elements([{"element": "time", "finding": "partly"}], parties={"p1"})
    assert invalid.value.fields == {"elements.0": ["reason"]}
