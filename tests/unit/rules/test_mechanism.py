"""Who decides a determination, and when a decision is complete (rules.mechanism)."""

from __future__ import annotations

import pytest

from coordcell.rules.mechanism import (
    DecisionRule,
    chairs,
    deciders,
    decision_actions,
    is_complete,
    may_decide,
    pending,
    role_of,
)

#: A Joint-Commission-like mechanism: two parties, a chair and a member who mediate, a
#: monitor, an observer (codes are made up for the test).
PARTIES = [
    ("p1", "party", "party"),
    ("p2", "party", ""),
    ("m1", "mediator", "chair"),
    ("m2", "mediator", "member"),
    ("mon", "monitor", ""),
    ("obs", "observer", "host"),
]


def test_a_role_is_the_stated_one_else_the_one_its_kind_implies() -> None:
    assert role_of("party") == "party"
    assert role_of("mediator") == "member"  # chairing is stated, never assumed
    assert role_of("monitor") == "monitor"
    assert role_of("observer", "host") == "host"
    assert chairs(PARTIES) == ("m1",)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (DecisionRule("any"), ("m1", "m2")),
        (DecisionRule("chair"), ("m1",)),
        (DecisionRule("any_of", ("m2", "p1")), ("m2", "p1")),
        (DecisionRule("all_of", ("p1", "p2")), ("p1", "p2")),
        (DecisionRule("all_of", ("p1", "gone")), ("p1",)),  # an unknown code decides nothing
    ],
)
def test_deciders_under_each_rule(rule: DecisionRule, expected: tuple[str, ...]) -> None:
    assert deciders(rule, PARTIES) == expected
    for code, _kind, _role in PARTIES:
        assert may_decide(rule, PARTIES, code) == (code in expected), code


def test_a_rule_decided_alone_is_complete_with_one_decider() -> None:
    for rule in (DecisionRule("any"), DecisionRule("chair"), DecisionRule("any_of", ("m2",))):
        assert not rule.joint
        decider = deciders(rule, PARTIES)[0]
        assert is_complete(rule, PARTIES, [decider])
        assert not is_complete(rule, PARTIES, [])
        assert not is_complete(rule, PARTIES, ["p1"] if decider != "p1" else ["m1"])


def test_a_joint_rule_is_complete_only_when_every_named_party_concurred() -> None:
    rule = DecisionRule("all_of", ("p1", "p2", "m1"))
    assert rule.joint
    assert pending(rule, PARTIES, ["p1"]) == ("p2", "m1")
    assert not is_complete(rule, PARTIES, ["p1", "p2"])
    assert not is_complete(rule, PARTIES, ["p1", "p2", "m2"])  # m2 is not named
    assert is_complete(rule, PARTIES, ["m1", "p2", "p1"])
    assert pending(rule, PARTIES, ["m1", "p2", "p1"]) == ()


def test_all_of_one_party_is_that_party_deciding_alone() -> None:
    rule = DecisionRule("all_of", ("p1",))
    assert not rule.joint
    assert decision_actions(rule, PARTIES, "p1", proposed=False) == {"determine"}


def test_decision_steps_follow_the_rule_and_the_pending_proposal() -> None:
    joint = DecisionRule("all_of", ("p1", "p2"))
    assert decision_actions(joint, PARTIES, "p1", proposed=False) == {"propose"}
    assert decision_actions(joint, PARTIES, "p2", proposed=True, concurred=["p1"]) == {
        "concur",
        "decline",
    }
    # The proposer concurred by proposing; an outsider takes no decision step.
    assert decision_actions(joint, PARTIES, "p1", proposed=True, concurred=["p1"]) == set()
    assert decision_actions(joint, PARTIES, "m1", proposed=True, concurred=["p1"]) == set()
    assert decision_actions(DecisionRule("chair"), PARTIES, "m1", proposed=False) == {"determine"}
    assert decision_actions(DecisionRule("chair"), PARTIES, "m2", proposed=False) == set()


def test_the_stored_form_reads_back_and_an_old_version_reads_as_any() -> None:
    rule = DecisionRule("all_of", ("p1", "p2"))
    assert DecisionRule.from_content(rule.as_content()) == rule
    assert DecisionRule.from_content({}) == DecisionRule("any")
    assert DecisionRule.from_content(None) == DecisionRule("any")
