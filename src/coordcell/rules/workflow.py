"""The complaint workflow: one transition table, pure (no Django), checked exhaustively.

A case moves through these states::

    lodged → acknowledged → answered → (verification_requested →
        verified | unverifiable | disputed) → determined → remedied → closed
    withdrawn: at any time before it is closed, by the complainant

Each row of :data:`TRANSITIONS` says which action moves a case from which states to
which state, and who may take it, as a *side* of the case:

- ``complainant``: a liaison officer or principal of the party that lodged it;
- ``respondent``: a liaison officer or principal of the party it is about;
- ``mediator``: a principal or liaison officer of a mediator party (the determination is
  the mediator's alone, and who decided is recorded);
- ``monitor``: a monitor of a monitor party (verification);
- ``system``: the worker, when a deadline expires.

``escalate`` and ``no_reply`` keep the state and move the case one level up the
protocol's ladder. Everything not in the table is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACTIONS",
    "CLOSED_STATES",
    "OPEN_STATES",
    "SIDES",
    "STATES",
    "TRANSITIONS",
    "Transition",
    "TransitionRefused",
    "allowed_actions",
    "next_state",
]

STATES: tuple[str, ...] = (
    "lodged",
    "acknowledged",
    "answered",
    "verification_requested",
    "verified",
    "unverifiable",
    "disputed",
    "determined",
    "remedied",
    "closed",
    "withdrawn",
)
#: States from which nothing more happens.
CLOSED_STATES: frozenset[str] = frozenset({"closed", "withdrawn"})
OPEN_STATES: tuple[str, ...] = tuple(s for s in STATES if s not in CLOSED_STATES)

SIDES: tuple[str, ...] = ("complainant", "respondent", "mediator", "monitor", "system")

#: States before the mediator's determination (the case is still being answered).
_BEFORE_DETERMINATION = (
    "lodged",
    "acknowledged",
    "answered",
    "verification_requested",
    "verified",
    "unverifiable",
    "disputed",
)
_VERIFICATION_OUTCOMES = ("verified", "unverifiable", "disputed")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change (escalation)
    sides: frozenset[str]


TRANSITIONS: tuple[Transition, ...] = (
    Transition("acknowledge", ("lodged",), "acknowledged", frozenset({"respondent"})),
    Transition("answer", ("lodged", "acknowledged"), "answered", frozenset({"respondent"})),
    Transition(
        "request_verification",
        ("answered", "disputed"),
        "verification_requested",
        frozenset({"complainant", "respondent", "mediator"}),
    ),
    Transition(
        "record_verified",
        ("verification_requested",),
        "verified",
        frozenset({"monitor", "mediator"}),
    ),
    Transition(
        "record_unverifiable",
        ("verification_requested",),
        "unverifiable",
        frozenset({"monitor", "mediator"}),
    ),
    Transition(
        "record_disputed",
        ("verification_requested",),
        "disputed",
        frozenset({"monitor", "mediator"}),
    ),
    Transition("determine", _BEFORE_DETERMINATION, "determined", frozenset({"mediator"})),
    Transition("remedy", ("determined",), "remedied", frozenset({"respondent", "mediator"})),
    Transition("close", ("determined", "remedied"), "closed", frozenset({"mediator"})),
    Transition("withdraw", OPEN_STATES, "withdrawn", frozenset({"complainant"})),
    Transition("escalate", _BEFORE_DETERMINATION, None, frozenset({"complainant", "mediator"})),
    Transition("no_reply", _BEFORE_DETERMINATION, None, frozenset({"system"})),
)

ACTIONS: tuple[str, ...] = tuple(t.action for t in TRANSITIONS)
_BY_ACTION = {t.action: t for t in TRANSITIONS}
assert len(_BY_ACTION) == len(TRANSITIONS), "one row per action"
assert all(set(t.sources) <= set(STATES) for t in TRANSITIONS)
assert all(t.target is None or t.target in STATES for t in TRANSITIONS)
assert all(t.sides <= set(SIDES) for t in TRANSITIONS)
assert set(_VERIFICATION_OUTCOMES) <= set(STATES)


class TransitionRefused(Exception):
    """The action is not allowed from this state, or not for this side."""

    def __init__(self, action: str, state: str, reason: str) -> None:
        super().__init__(f"{action} from {state}: {reason}")
        self.action = action
        self.state = state
        self.reason = reason  # "unknown_action", "wrong_state" or "wrong_side"


def next_state(state: str, action: str, sides: frozenset[str] | set[str]) -> str:
    """The state after ``action``; ``TransitionRefused`` when it is not allowed.

    ``sides`` are every side the actor holds on this case (a mediator party's member
    who is also the complainant holds both).
    """
    if isinstance(sides, str):
        raise TypeError("sides is a set of side names, not a string")
    transition = _BY_ACTION.get(action)
    if transition is None or state not in STATES:
        raise TransitionRefused(action, state, "unknown_action")
    if state not in transition.sources:
        raise TransitionRefused(action, state, "wrong_state")
    if not transition.sides & set(sides):
        raise TransitionRefused(action, state, "wrong_side")
    return transition.target or state


def allowed_actions(state: str, sides: frozenset[str] | set[str]) -> list[str]:
    """The actions these sides may take from ``state``, in the table's order."""
    return [
        t.action
        for t in TRANSITIONS
        if state in t.sources and t.sides & set(sides) and t.sides != frozenset({"system"})
    ]
