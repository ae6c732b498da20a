"""The complaint workflow, checked exhaustively against a hand-written table.

``EXPECTED`` below is written by hand from the issue ("lodged → acknowledged → answered →
(verification requested → verified / unverifiable / disputed) → determined → remedied →
closed; withdrawn at any time by the complainant"), the rows the module docstring of
``coordcell.rules.workflow`` settles, and the decision rules of "any arrangement as data"
(the determination is the deciders', who propose, concur and decline under a joint rule).
It is deliberately *not* derived from ``TRANSITIONS``: it is a second, independent
statement of the same rules, and every (state × action × non-empty set of sides) is
checked against it.

Parametrized by (state, action) — 16 states (one unknown) × 29 actions (five unknown) =
464 ids; each id loops over the 63 non-empty sets of sides with explicit messages.
"""

from __future__ import annotations

import itertools

import pytest

from coordcell.rules.workflow import (
    ACTIONS,
    CLOSED_STATES,
    OPEN_STATES,
    SIDES,
    STATES,
    TransitionRefused,
    allowed_actions,
    next_state,
)

# --------------------------------------------------------------------------- the table

LODGED = "lodged"
ACKNOWLEDGED = "acknowledged"
CLARIFICATION_REQUESTED = "clarification_requested"
ANSWERED = "answered"
VERIFICATION_REQUESTED = "verification_requested"
VERIFIED = "verified"
UNVERIFIABLE = "unverifiable"
DISPUTED = "disputed"
DETERMINED = "determined"
REMEDIED = "remedied"
REFERRED_TO_TALKS = "referred_to_talks"
LINKED = "linked"
RESOLVED_BY_AGREEMENT = "resolved_by_agreement"
CLOSED = "closed"
WITHDRAWN = "withdrawn"

ALL_STATES = (
    LODGED, ACKNOWLEDGED, CLARIFICATION_REQUESTED, ANSWERED, VERIFICATION_REQUESTED,
    VERIFIED, UNVERIFIABLE, DISPUTED, DETERMINED, REMEDIED, REFERRED_TO_TALKS, LINKED,
    RESOLVED_BY_AGREEMENT, CLOSED, WITHDRAWN,
)  # fmt: skip
ALL_SIDES = ("complainant", "respondent", "mediator", "decider", "monitor", "system")

#: Every state before the mediator's determination.
BEFORE_DETERMINATION = {
    LODGED, ACKNOWLEDGED, CLARIFICATION_REQUESTED, ANSWERED, VERIFICATION_REQUESTED,
    VERIFIED, UNVERIFIABLE, DISPUTED,
}  # fmt: skip
#: Every state a case can still leave (everything but closed, withdrawn and resolved by
#: agreement, which ends the case).
OPEN = BEFORE_DETERMINATION | {DETERMINED, REMEDIED, REFERRED_TO_TALKS, LINKED}
ENDED = {CLOSED, WITHDRAWN, RESOLVED_BY_AGREEMENT}
MONITOR_OR_MEDIATOR = {"monitor", "mediator"}

#: action → (source states, target state or None for "unchanged", sides that may take it).
#: Written in the order of the workflow; ``allowed_actions`` must list actions in this order.
EXPECTED: dict[str, tuple[set[str], str | None, set[str]]] = {
    "acknowledge": ({LODGED}, ACKNOWLEDGED, {"respondent"}),
    # The respondent asks the complainant to clarify (its answer's clock pauses); the
    # complainant's clarification brings the case back to acknowledged.
    "request_clarification": ({LODGED, ACKNOWLEDGED}, CLARIFICATION_REQUESTED, {"respondent"}),
    "clarify": ({CLARIFICATION_REQUESTED}, ACKNOWLEDGED, {"complainant"}),
    # The respondent may answer without acknowledging first.
    "answer": ({LODGED, ACKNOWLEDGED}, ANSWERED, {"respondent"}),
    # A disputed verification may be requested again.
    "request_verification": (
        {ANSWERED, DISPUTED},
        VERIFICATION_REQUESTED,
        {"complainant", "respondent", "mediator"},
    ),
    "record_verified": ({VERIFICATION_REQUESTED}, VERIFIED, MONITOR_OR_MEDIATOR),
    "record_unverifiable": ({VERIFICATION_REQUESTED}, UNVERIFIABLE, MONITOR_OR_MEDIATOR),
    "record_disputed": ({VERIFICATION_REQUESTED}, DISPUTED, MONITOR_OR_MEDIATOR),
    # The determination is the deciders' (the protocol's rule says who), from any state
    # before it; under a joint rule they propose, concur and decline, keeping the state
    # (the service moves the case when the last concurrence completes the decision).
    "determine": (BEFORE_DETERMINATION, DETERMINED, {"decider"}),
    "propose": (BEFORE_DETERMINATION, None, {"decider"}),
    "concur": (BEFORE_DETERMINATION, None, {"decider"}),
    "decline": (BEFORE_DETERMINATION, None, {"decider"}),
    # No one reports "remedied" alone: the owner of each remedy reports it done (the
    # complainant or the respondent), its verifier verifies it (a monitor, or the
    # deciders); the service moves the case to remedied when the last one is verified.
    "remedy_done": ({DETERMINED}, None, {"complainant", "respondent"}),
    "verify_remedy": ({DETERMINED}, None, {"monitor", "decider"}),
    # Each party concerned may attach its reservation; the complainant may assent to
    # closing before every remedy is verified.
    "reserve": ({DETERMINED, REMEDIED}, None, {"complainant", "respondent", "decider"}),
    "assent": ({DETERMINED, REMEDIED}, None, {"complainant"}),
    # Before the determination the parties may settle at working level: one proposes the
    # terms, the other agrees, and that ends the case.
    "propose_resolution": (BEFORE_DETERMINATION, None, {"complainant", "respondent"}),
    "agree_resolution": (
        BEFORE_DETERMINATION,
        RESOLVED_BY_AGREEMENT,
        {"complainant", "respondent"},
    ),
    "refer_to_talks": (BEFORE_DETERMINATION, REFERRED_TO_TALKS, {"mediator", "decider"}),
    "link": (BEFORE_DETERMINATION, LINKED, {"mediator", "decider"}),
    "close": (
        {DETERMINED, REMEDIED, REFERRED_TO_TALKS, LINKED},
        CLOSED,
        {"mediator", "decider"},
    ),
    "withdraw": (OPEN, WITHDRAWN, {"complainant"}),
    # Escalation keeps the state; the service checks the grounds and the ladder
    # (rules.ladder): a decider escalates by decision only when not a party to the case.
    "escalate": (BEFORE_DETERMINATION, None, {"complainant", "mediator", "decider"}),
    "no_reply": (BEFORE_DETERMINATION, None, {"system"}),
    # The complainant rejects the answer with reasons: grounds to climb, same state.
    "reject_answer": ({ANSWERED}, None, {"complainant"}),
    # The worker's reminder that a case stayed long at its level: never a climb.
    "review_due": (BEFORE_DETERMINATION, None, {"system"}),
    # What the level's owner did (a principals' meeting, a démarche) is recorded.
    "record_level_outcome": (OPEN, None, {"mediator", "decider"}),
}

UNKNOWN_ACTIONS = ("reopen", "", "Acknowledge", "ACKNOWLEDGE", "close ")
UNKNOWN_STATES = ("reopened",)

#: Every non-empty set of sides (63).
SIDE_SETS: list[frozenset[str]] = [
    frozenset(combo)
    for size in range(1, len(ALL_SIDES) + 1)
    for combo in itertools.combinations(ALL_SIDES, size)
]


def expected_outcome(state: str, action: str, sides: frozenset[str]) -> tuple[str, str]:
    """("ok", new state) or ("refused", reason), from ``EXPECTED`` alone."""
    if action not in EXPECTED or state not in ALL_STATES:
        return ("refused", "unknown_action")
    sources, target, allowed = EXPECTED[action]
    if state not in sources:
        return ("refused", "wrong_state")
    if not sides & allowed:
        return ("refused", "wrong_side")
    return ("ok", target if target is not None else state)


def actual_outcome(state: str, action: str, sides: frozenset[str]) -> tuple[str, str]:
    try:
        return ("ok", next_state(state, action, sides))
    except TransitionRefused as refused:
        # The refusal names what was refused; a mismatch shows up in the comparison.
        if (refused.action, refused.state) != (action, state):
            return ("refused-for-something-else", str(refused))
        return ("refused", refused.reason)


# --------------------------------------------------------------------------- the vocabulary


def test_states_sides_and_actions_are_the_ones_in_the_issue() -> None:
    assert STATES == ALL_STATES
    assert SIDES == ALL_SIDES
    assert set(ACTIONS) == set(EXPECTED)
    assert len(ACTIONS) == len(set(ACTIONS))
    assert set(CLOSED_STATES) == ENDED
    assert set(OPEN_STATES) == OPEN
    assert len(SIDE_SETS) == 2 ** len(ALL_SIDES) - 1


def test_the_hand_written_table_is_consistent() -> None:
    """Guards the test's own table against typos."""
    for action, (sources, target, sides) in EXPECTED.items():
        assert sources <= set(ALL_STATES), action
        assert target is None or target in ALL_STATES, action
        assert sides, action
        assert sides <= set(ALL_SIDES), action
        assert not sources & ENDED, f"{action} leaves a closed state"


# --------------------------------------------------------------------------- next_state


@pytest.mark.parametrize("action", [*EXPECTED, *UNKNOWN_ACTIONS])
@pytest.mark.parametrize("state", [*ALL_STATES, *UNKNOWN_STATES])
def test_next_state_for_every_set_of_sides(state: str, action: str) -> None:
    mismatches = []
    for sides in SIDE_SETS:
        want = expected_outcome(state, action, sides)
        got = actual_outcome(state, action, sides)
        if got != want:
            mismatches.append(f"  sides={sorted(sides)}: expected {want}, got {got}")
    assert not mismatches, f"next_state({state!r}, {action!r}, …):\n" + "\n".join(mismatches)


def test_every_row_is_reachable_and_every_refusal_occurs() -> None:
    """The exhaustive check above is not vacuous: each action succeeds somewhere, and
    each reason for a refusal is actually produced."""
    seen_ok: set[str] = set()
    reasons: set[str] = set()
    for state, action, sides in itertools.product(
        [*ALL_STATES, *UNKNOWN_STATES], [*EXPECTED, *UNKNOWN_ACTIONS], SIDE_SETS
    ):
        kind, value = actual_outcome(state, action, sides)
        if kind == "ok":
            seen_ok.add(action)
        else:
            reasons.add(value)
    assert seen_ok == set(EXPECTED)
    assert reasons == {"unknown_action", "wrong_state", "wrong_side"}


@pytest.mark.parametrize("action", list(EXPECTED))
def test_no_sides_or_unknown_sides_are_refused_as_wrong_side(action: str) -> None:
    sources, _, _ = EXPECTED[action]
    for state in sorted(sources):
        for sides in (frozenset(), frozenset({"outsider"}), frozenset({"Mediator"})):
            with pytest.raises(TransitionRefused) as refused:
                next_state(state, action, sides)
            assert refused.value.reason == "wrong_side", (state, action, sides)


def test_sides_may_be_a_plain_set() -> None:
    assert next_state(LODGED, "acknowledge", {"respondent"}) == ACKNOWLEDGED
    assert next_state(LODGED, "withdraw", {"complainant", "mediator"}) == WITHDRAWN


@pytest.mark.parametrize("state", sorted(CLOSED_STATES))
def test_closed_and_withdrawn_allow_nothing(state: str) -> None:
    everyone = frozenset(ALL_SIDES)
    for action in EXPECTED:
        with pytest.raises(TransitionRefused) as refused:
            next_state(state, action, everyone)
        assert refused.value.reason == "wrong_state", action
    assert allowed_actions(state, everyone) == []


@pytest.mark.parametrize("state", ["reopened", "", "Lodged", "closed "])
def test_an_unknown_state_is_an_unknown_action(state: str) -> None:
    for action in EXPECTED:
        with pytest.raises(TransitionRefused) as refused:
            next_state(state, action, frozenset(ALL_SIDES))
        assert refused.value.reason == "unknown_action", action
    assert allowed_actions(state, frozenset(ALL_SIDES)) == []


def test_the_happy_path_of_the_issue() -> None:
    """lodged → acknowledged → answered → verification requested → disputed →
    verification requested → verified → determined → remedied → closed."""
    steps = [
        ("acknowledge", "respondent", ACKNOWLEDGED),
        ("answer", "respondent", ANSWERED),
        ("request_verification", "complainant", VERIFICATION_REQUESTED),
        ("record_disputed", "monitor", DISPUTED),
        ("request_verification", "respondent", VERIFICATION_REQUESTED),
        ("record_verified", "monitor", VERIFIED),
        ("escalate", "complainant", VERIFIED),
        ("no_reply", "system", VERIFIED),
        ("determine", "decider", DETERMINED),
        ("remedy_done", "respondent", DETERMINED),
        ("verify_remedy", "monitor", DETERMINED),
        ("close", "mediator", CLOSED),
    ]
    state = LODGED
    for action, side, target in steps:
        state = next_state(state, action, {side})
        assert state == target, action


# --------------------------------------------------------------------------- allowed_actions


def expected_allowed(state: str, sides: frozenset[str]) -> list[str]:
    """What next_state accepts for these sides, minus the actions the system takes."""
    return [
        action
        for action, (sources, _, allowed) in EXPECTED.items()
        if state in sources and sides & allowed and "system" not in allowed
    ]


def test_allowed_actions_for_every_state_and_set_of_sides() -> None:
    mismatches = []
    for state, sides in itertools.product([*ALL_STATES, *UNKNOWN_STATES], SIDE_SETS):
        want = expected_allowed(state, sides)
        got = allowed_actions(state, sides)
        if got != want:
            mismatches.append(f"  {state}, sides={sorted(sides)}: expected {want}, got {got}")
    assert not mismatches, "allowed_actions:\n" + "\n".join(mismatches)


def test_allowed_actions_are_exactly_what_next_state_accepts() -> None:
    """The same statement, against next_state itself rather than the table."""
    for state, sides in itertools.product(ALL_STATES, SIDE_SETS):
        accepted = [a for a in ACTIONS if actual_outcome(state, a, sides)[0] == "ok"]
        by_humans = [a for a in accepted if "system" not in EXPECTED[a][2]]
        assert allowed_actions(state, sides) == by_humans, (state, sorted(sides))


def test_the_system_alone_is_offered_nothing() -> None:
    for state in ALL_STATES:
        assert allowed_actions(state, frozenset({"system"})) == [], state


@pytest.mark.parametrize(
    ("state", "sides", "expected"),
    [
        (
            LODGED,
            {"respondent"},
            [
                "acknowledge",
                "request_clarification",
                "answer",
                "propose_resolution",
                "agree_resolution",
            ],
        ),
        (
            LODGED,
            {"complainant"},
            ["propose_resolution", "agree_resolution", "withdraw", "escalate"],
        ),
        (LODGED, {"mediator"}, ["refer_to_talks", "link", "escalate", "record_level_outcome"]),
        # The service narrows these to the protocol's rule (rules.mechanism).
        (
            LODGED,
            {"decider"},
            [
                "determine",
                "propose",
                "concur",
                "decline",
                "refer_to_talks",
                "link",
                "escalate",
                "record_level_outcome",
            ],
        ),
        (
            LODGED,
            {"mediator", "decider"},
            [
                "determine",
                "propose",
                "concur",
                "decline",
                "refer_to_talks",
                "link",
                "escalate",
                "record_level_outcome",
            ],
        ),
        (
            CLARIFICATION_REQUESTED,
            {"complainant"},
            ["clarify", "propose_resolution", "agree_resolution", "withdraw", "escalate"],
        ),
        (
            REFERRED_TO_TALKS,
            {"mediator", "complainant"},
            ["close", "withdraw", "record_level_outcome"],
        ),
        (LINKED, {"decider"}, ["close", "record_level_outcome"]),
        (RESOLVED_BY_AGREEMENT, set(ALL_SIDES), []),
        (DETERMINED, {"decider"}, ["verify_remedy", "reserve", "close", "record_level_outcome"]),
        (LODGED, {"monitor"}, []),
        (
            ANSWERED,
            {"complainant"},
            [
                "request_verification",
                "propose_resolution",
                "agree_resolution",
                "withdraw",
                "escalate",
                "reject_answer",
            ],
        ),
        (
            VERIFICATION_REQUESTED,
            {"monitor"},
            ["record_verified", "record_unverifiable", "record_disputed"],
        ),
        (
            DISPUTED,
            {"respondent"},
            ["request_verification", "propose_resolution", "agree_resolution"],
        ),
        # The respondent no longer reports "remedied" on its own word.
        (DETERMINED, {"respondent"}, ["remedy_done", "reserve"]),
        (DETERMINED, {"complainant"}, ["remedy_done", "reserve", "assent", "withdraw"]),
        (DETERMINED, {"mediator"}, ["close", "record_level_outcome"]),
        (
            REMEDIED,
            {"mediator", "complainant"},
            ["reserve", "assent", "close", "withdraw", "record_level_outcome"],
        ),
    ],
)
def test_allowed_actions_examples(state: str, sides: set[str], expected: list[str]) -> None:
    assert allowed_actions(state, sides) == expected
