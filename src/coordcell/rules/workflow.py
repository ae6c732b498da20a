"""The complaint workflow: one transition table, pure (no Django), checked exhaustively.

A case moves through these states::

    lodged → acknowledged → answered → (verification_requested →
        verified | unverifiable | disputed) → determined → remedied → closed
    withdrawn: at any time before it is closed, by the complainant

and, before the determination:

    lodged | acknowledged → clarification_requested → acknowledged (the respondent asks
        the complainant to clarify; the answer's clock pauses until it does)
    → resolved_by_agreement (both parties agreed at working level: one proposes the
        terms, the other agrees; it ends the case with the agreement on record)
    → referred_to_talks (the mediator or a deciding party refers it on, with a reason)
    → linked (a duplicate or a counter-complaint of another case)
    referred_to_talks | linked → closed

The determination comes only once the respondent was heard (``rules.determinations``).
It may order remedies: each is marked done by the party that owns it
(``remedy_done``) and verified by its verifier (``verify_remedy``); the case is
``remedied`` when the last one is verified. Each party concerned may attach its
reservation to the determination (``reserve``); the complainant may assent to closing
it (``assent``), which ``close`` otherwise waits for every remedy verified.

Each row of :data:`TRANSITIONS` says which action moves a case from which states to
which state, and who may take it, as a *side* of the case:

- ``complainant``: a liaison officer or principal of the party that lodged it;
- ``respondent``: a liaison officer or principal of the party it is about;
- ``mediator``: a principal or liaison officer of a mediator party;
- ``decider``: a principal or liaison officer of a party that takes part in deciding
  the case's determination under its protocol's decision rule (``rules.mechanism``):
  it determines, or, when the rule is joint, proposes, concurs and declines; it may also
  verify a remedy entrusted to the deciders, and close;
- ``monitor``: a monitor of a monitor party (verification);
- ``system``: the worker, when a deadline expires.

``escalate`` keeps the state and moves the case one level up the protocol's ladder,
only on grounds and when the next level is eligible (``rules.ladder``); ``no_reply``
records a missed deadline (the worker then climbs where the ladder allows);
``reject_answer`` (the complainant's, with reasons) keeps the state and gives grounds
to climb; ``review_due`` is the worker's reminder to review a case that stayed long at a
level (no climb); ``record_level_outcome`` records what the level's owner did.
``propose``, ``concur`` and ``decline`` keep the state: the service
moves the case to ``determined`` when the last concurrence completes a joint decision
(``rules.mechanism.is_complete``). ``remedy_done``, ``verify_remedy``, ``reserve`` and
``assent`` keep the state too: the service moves the case to ``remedied`` when the last
remedy is verified. Everything not in the table is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACTIONS",
    "CLOSED_STATES",
    "DECISION_ACTIONS",
    "EXTENSION_STEPS",
    "NEEDS_TEXT",
    "OPEN_STATES",
    "OTHER_STEPS",
    "PERSON_ACTIONS",
    "REMEDY_ACTIONS",
    "SIDES",
    "STATES",
    "TRANSITIONS",
    "VERIFICATION_RESULTS",
    "Action",
    "Side",
    "State",
    "Transition",
    "TransitionRefused",
    "allowed_actions",
    "next_state",
]


class State:
    """The states' codes: code names them through these constants, never as literals."""

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


class Action:
    """The actions' codes. ``LODGE`` and ``OPEN_INQUIRY`` (which create a case), the
    extension's steps (:data:`EXTENSION_STEPS`, which move a deadline, not the state),
    ``REMEDY_MISSED`` (the worker's, on a remedy's deadline) and ``REMEDY`` (the
    respondent's own report of a remedy, before remedies were verified: kept to read
    stored cases) are steps of a case but not rows of the table."""

    LODGE = "lodge"
    OPEN_INQUIRY = "open_inquiry"  # the mediator or a monitor opens a case of its own motion
    ACKNOWLEDGE = "acknowledge"
    REQUEST_CLARIFICATION = "request_clarification"  # the respondent asks to clarify
    CLARIFY = "clarify"  # the complainant clarifies: the answer's clock resumes
    ANSWER = "answer"
    REQUEST_VERIFICATION = "request_verification"
    RECORD_VERIFIED = "record_verified"
    RECORD_UNVERIFIABLE = "record_unverifiable"
    RECORD_DISPUTED = "record_disputed"
    DETERMINE = "determine"
    PROPOSE = "propose"  # a joint decider proposes the determination
    CONCUR = "concur"  # another joint decider concurs with the proposal
    DECLINE = "decline"  # a joint decider declines it: the proposal lapses
    REMEDY = "remedy"  # the respondent reported the remedy (stored cases only)
    REMEDY_DONE = "remedy_done"  # a remedy's owner reports it done
    VERIFY_REMEDY = "verify_remedy"  # its verifier verifies it (or finds it not done)
    REMEDY_MISSED = "remedy_missed"  # the worker: a remedy's deadline passed, not done
    RESERVE = "reserve"  # a party attaches its reservation to the determination
    ASSENT = "assent"  # the complainant assents to closing the case
    PROPOSE_RESOLUTION = "propose_resolution"  # a party proposes terms agreed at working level
    AGREE_RESOLUTION = "agree_resolution"  # the other party agrees: resolved by agreement
    REFER_TO_TALKS = "refer_to_talks"  # the mediator or a decider refers it, with a reason
    LINK = "link"  # a duplicate or a counter-complaint of another case
    CLOSE = "close"
    WITHDRAW = "withdraw"
    ESCALATE = "escalate"
    NO_REPLY = "no_reply"
    EXTEND = "extend"  # an extension took effect (both parties countersigned)
    REJECT_ANSWER = "reject_answer"  # the complainant rejects the answer, with reasons
    RECORD_LEVEL_OUTCOME = "record_level_outcome"  # what the level's owner did
    REVIEW_DUE = "review_due"  # the worker: the case stayed long at its level
    PROPOSE_EXTENSION = "propose_extension"
    COUNTERSIGN_EXTENSION = "countersign_extension"
    REFUSE_EXTENSION = "refuse_extension"
    CHANGE_PRECEDENCE = "change_precedence"  # a recorded change, with a reason


class Side:
    """Who acts on a case (see the module's docstring)."""

    COMPLAINANT = "complainant"
    RESPONDENT = "respondent"
    MEDIATOR = "mediator"
    DECIDER = "decider"
    MONITOR = "monitor"
    SYSTEM = "system"


STATES: tuple[str, ...] = (
    State.LODGED,
    State.ACKNOWLEDGED,
    State.CLARIFICATION_REQUESTED,
    State.ANSWERED,
    State.VERIFICATION_REQUESTED,
    State.VERIFIED,
    State.UNVERIFIABLE,
    State.DISPUTED,
    State.DETERMINED,
    State.REMEDIED,
    State.REFERRED_TO_TALKS,
    State.LINKED,
    State.RESOLVED_BY_AGREEMENT,
    State.CLOSED,
    State.WITHDRAWN,
)
#: States from which nothing more happens.
CLOSED_STATES: frozenset[str] = frozenset(
    {State.CLOSED, State.WITHDRAWN, State.RESOLVED_BY_AGREEMENT}
)
OPEN_STATES: tuple[str, ...] = tuple(s for s in STATES if s not in CLOSED_STATES)

SIDES: tuple[str, ...] = (
    Side.COMPLAINANT,
    Side.RESPONDENT,
    Side.MEDIATOR,
    Side.DECIDER,
    Side.MONITOR,
    Side.SYSTEM,
)

#: States before the determination (the case is still being answered).
_BEFORE_DETERMINATION = (
    State.LODGED,
    State.ACKNOWLEDGED,
    State.CLARIFICATION_REQUESTED,
    State.ANSWERED,
    State.VERIFICATION_REQUESTED,
    State.VERIFIED,
    State.UNVERIFIABLE,
    State.DISPUTED,
)
_VERIFICATION_OUTCOMES = (State.VERIFIED, State.UNVERIFIABLE, State.DISPUTED)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change (escalation)
    sides: frozenset[str]


_C, _R, _M, _MON, _SYS = Side.COMPLAINANT, Side.RESPONDENT, Side.MEDIATOR, Side.MONITOR, Side.SYSTEM
_D = Side.DECIDER

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.ACKNOWLEDGE, (State.LODGED,), State.ACKNOWLEDGED, frozenset({_R})),
    Transition(
        Action.REQUEST_CLARIFICATION,
        (State.LODGED, State.ACKNOWLEDGED),
        State.CLARIFICATION_REQUESTED,
        frozenset({_R}),
    ),
    Transition(
        Action.CLARIFY, (State.CLARIFICATION_REQUESTED,), State.ACKNOWLEDGED, frozenset({_C})
    ),
    Transition(Action.ANSWER, (State.LODGED, State.ACKNOWLEDGED), State.ANSWERED, frozenset({_R})),
    Transition(
        Action.REQUEST_VERIFICATION,
        (State.ANSWERED, State.DISPUTED),
        State.VERIFICATION_REQUESTED,
        frozenset({_C, _R, _M}),
    ),
    Transition(
        Action.RECORD_VERIFIED,
        (State.VERIFICATION_REQUESTED,),
        State.VERIFIED,
        frozenset({_MON, _M}),
    ),
    Transition(
        Action.RECORD_UNVERIFIABLE,
        (State.VERIFICATION_REQUESTED,),
        State.UNVERIFIABLE,
        frozenset({_MON, _M}),
    ),
    Transition(
        Action.RECORD_DISPUTED,
        (State.VERIFICATION_REQUESTED,),
        State.DISPUTED,
        frozenset({_MON, _M}),
    ),
    Transition(Action.DETERMINE, _BEFORE_DETERMINATION, State.DETERMINED, frozenset({_D})),
    Transition(Action.PROPOSE, _BEFORE_DETERMINATION, None, frozenset({_D})),
    Transition(Action.CONCUR, _BEFORE_DETERMINATION, None, frozenset({_D})),
    Transition(Action.DECLINE, _BEFORE_DETERMINATION, None, frozenset({_D})),
    Transition(Action.REMEDY_DONE, (State.DETERMINED,), None, frozenset({_C, _R})),
    Transition(Action.VERIFY_REMEDY, (State.DETERMINED,), None, frozenset({_MON, _D})),
    Transition(Action.RESERVE, (State.DETERMINED, State.REMEDIED), None, frozenset({_C, _R, _D})),
    Transition(Action.ASSENT, (State.DETERMINED, State.REMEDIED), None, frozenset({_C})),
    Transition(Action.PROPOSE_RESOLUTION, _BEFORE_DETERMINATION, None, frozenset({_C, _R})),
    Transition(
        Action.AGREE_RESOLUTION,
        _BEFORE_DETERMINATION,
        State.RESOLVED_BY_AGREEMENT,
        frozenset({_C, _R}),
    ),
    Transition(
        Action.REFER_TO_TALKS, _BEFORE_DETERMINATION, State.REFERRED_TO_TALKS, frozenset({_M, _D})
    ),
    Transition(Action.LINK, _BEFORE_DETERMINATION, State.LINKED, frozenset({_M, _D})),
    Transition(
        Action.CLOSE,
        (State.DETERMINED, State.REMEDIED, State.REFERRED_TO_TALKS, State.LINKED),
        State.CLOSED,
        frozenset({_M, _D}),
    ),
    Transition(Action.WITHDRAW, OPEN_STATES, State.WITHDRAWN, frozenset({_C})),
    Transition(Action.ESCALATE, _BEFORE_DETERMINATION, None, frozenset({_C, _M, _D})),
    Transition(Action.NO_REPLY, _BEFORE_DETERMINATION, None, frozenset({_SYS})),
    # The ladder's rows (rules.ladder): rejecting the answer gives grounds to climb; the
    # review reminder never climbs; each level's outcome is recorded.
    Transition(Action.REJECT_ANSWER, (State.ANSWERED,), None, frozenset({_C})),
    Transition(Action.REVIEW_DUE, _BEFORE_DETERMINATION, None, frozenset({_SYS})),
    Transition(Action.RECORD_LEVEL_OUTCOME, OPEN_STATES, None, frozenset({_M, _D})),
)

ACTIONS: tuple[str, ...] = tuple(t.action for t in TRANSITIONS)
#: The actions a person may take (``NO_REPLY`` and ``REVIEW_DUE`` are the worker's alone).
PERSON_ACTIONS: tuple[str, ...] = tuple(
    t.action for t in TRANSITIONS if t.sides != frozenset({Side.SYSTEM})
)
#: Steps of a deadline extension (not rows of the table: they move a deadline, not the
#: state): the mediator proposes, each party countersigns or refuses, and the extension
#: takes effect (``EXTEND``) with the second countersignature.
EXTENSION_STEPS: tuple[str, ...] = (
    Action.PROPOSE_EXTENSION,
    Action.COUNTERSIGN_EXTENSION,
    Action.REFUSE_EXTENSION,
    Action.EXTEND,
)
#: Steps that change neither the state nor the ladder (not rows of the table).
OTHER_STEPS: tuple[str, ...] = (Action.CHANGE_PRECEDENCE,)
#: The monitors' (or mediator's) verification results.
VERIFICATION_RESULTS: frozenset[str] = frozenset(
    {Action.RECORD_VERIFIED, Action.RECORD_UNVERIFIABLE, Action.RECORD_DISPUTED}
)
#: Actions that need a text (the answer, the determination, its proposal, a reservation;
#: the reasons of an escalation or of a rejected answer; a level's outcome).
NEEDS_TEXT: frozenset[str] = frozenset(
    {
        Action.ANSWER,
        Action.DETERMINE,
        Action.PROPOSE,
        Action.RESERVE,
        Action.REQUEST_CLARIFICATION,
        Action.CLARIFY,
        Action.PROPOSE_RESOLUTION,
        Action.REFER_TO_TALKS,
        Action.ESCALATE,
        Action.REJECT_ANSWER,
        Action.RECORD_LEVEL_OUTCOME,
    }
)
#: Steps on one remedy of a determination (they name the remedy).
REMEDY_ACTIONS: frozenset[str] = frozenset({Action.REMEDY_DONE, Action.VERIFY_REMEDY})
#: The steps of deciding the determination: which of them a decider may take on a case
#: depends on its protocol's decision rule and on a pending proposal
#: (``rules.mechanism.decision_actions``).
DECISION_ACTIONS: frozenset[str] = frozenset(
    {Action.DETERMINE, Action.PROPOSE, Action.CONCUR, Action.DECLINE}
)
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
        if state in t.sources and t.sides & set(sides) and t.sides != frozenset({Side.SYSTEM})
    ]
