"""The mechanism: who sits in it in which role, and who decides. Pure (no Django).

A party's ``kind`` (``vocabulary.PARTY_KINDS``) says what it is to the *arrangement*
and keeps driving what its members may do (a ``party`` lodges complaints, a
``monitor`` verifies, a ``mediator`` requests verification, records extensions and
closes). Its ``role`` (:data:`ROLES`) says which seat it holds in the *mechanism*
(chair, member, host, …); roles refine kinds and grant one power only: under the
``chair`` decision rule, the chair decides (ADR 0014).

A protocol's decision rule (:class:`DecisionRule`) says who decides a case's
determination:

- ``any``: any one ``mediator`` party, alone (the behaviour before rules existed);
- ``chair``: any one party whose role is ``chair``, alone;
- ``any_of``: any one of the named parties, alone;
- ``all_of``: the named parties jointly. One of them proposes, each of the others
  concurs, and the determination takes effect only when every one has concurred; one
  who declines makes the proposal lapse. Nothing takes effect half-way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from coordcell.rules.workflow import Action

__all__ = [
    "ADDRESSEES",
    "DECISION_RULES",
    "DEFAULT_ROLE_OF_KIND",
    "MECHANISM",
    "MEDIA_RULES",
    "ROLES",
    "DecisionRule",
    "answerers",
    "chairs",
    "deciders",
    "decision_actions",
    "is_complete",
    "may_decide",
    "pending",
    "role_of",
]

#: The seats a party may hold in the mechanism, in the order pages list them.
ROLES: tuple[str, ...] = (
    "chair",  # presides; co-chairs each hold this role; decides under the "chair" rule
    "member",  # sits in the mechanism without being bound by the arrangement (a third state)
    "party",  # a party to the arrangement sitting in the mechanism
    "monitor",  # verifies facts for the mechanism (a UN force, an observer mission)
    "host",  # hosts the meetings and provides the secretariat
    "observer",  # attends without a voice in decisions
    "donor",  # funds the arrangement's projects; reads what is shared with it
)

#: A party's role when the scenario names none: the seat its kind implies. A mediator
#: is a ``member``, not a ``chair``: chairing is stated, never assumed.
DEFAULT_ROLE_OF_KIND: Mapping[str, str] = {
    "party": "party",
    "mediator": "member",
    "monitor": "monitor",
    "donor": "donor",
    "observer": "observer",
}

#: What a complaint lodged on a protocol may be addressed to (``addressed_to``): another
#: party, or the mechanism itself (then its deciders answer it, the complainant aside).
ADDRESSEES: tuple[str, ...] = ("party", "mechanism")
#: The respondent a complaint addressed to the mechanism names: a reserved word, which no
#: party code may be.
MECHANISM = "mechanism"

#: How a protocol's determination is decided (see the module's docstring).
DECISION_RULES: tuple[str, ...] = ("any", "chair", "any_of", "all_of")

#: What members may say to the media about the mechanism's proceedings.
MEDIA_RULES: tuple[str, ...] = (
    "confidential",  # nothing about the proceedings
    "chair_only",  # only the chair speaks for the mechanism
    "joint_statements",  # only statements every member agreed
    "each_member",  # each member speaks for itself
)


def role_of(kind: str, role: str = "") -> str:
    """A party's role: the one stated, else the one its kind implies."""
    return role or DEFAULT_ROLE_OF_KIND.get(kind, "observer")


@dataclass(frozen=True)
class DecisionRule:
    """Who decides: ``rule`` from :data:`DECISION_RULES`, and for ``any_of`` and
    ``all_of`` the party codes named (in the scenario's order)."""

    rule: str = "any"
    parties: tuple[str, ...] = ()

    @property
    def joint(self) -> bool:
        """Whether more than one party must concur before it takes effect."""
        return self.rule == "all_of" and len(self.parties) > 1

    def as_content(self) -> dict[str, Any]:
        return {"rule": self.rule, "parties": list(self.parties)}

    @classmethod
    def from_content(cls, data: Mapping[str, Any] | None) -> DecisionRule:
        """The stored form back; a version stored before rules existed reads as ``any``."""
        if not data:
            return cls()
        return cls(str(data.get("rule") or "any"), tuple(data.get("parties") or ()))


#: A party as these functions see it: (code, kind, role).
PartyRow = tuple[str, str, str]


def chairs(parties: Iterable[PartyRow]) -> tuple[str, ...]:
    """The codes of the parties whose role is ``chair``."""
    return tuple(code for code, kind, role in parties if role_of(kind, role) == "chair")


def deciders(rule: DecisionRule, parties: Sequence[PartyRow]) -> tuple[str, ...]:
    """The codes of the parties who may decide under ``rule`` (any one of them, or, when
    the rule is joint, each of them together)."""
    if rule.rule == "any":
        return tuple(code for code, kind, _role in parties if kind == "mediator")
    if rule.rule == "chair":
        return chairs(parties)
    known = {code for code, _kind, _role in parties}
    return tuple(code for code in rule.parties if code in known)


def answerers(rule: DecisionRule, parties: Sequence[PartyRow], complainant: str) -> tuple[str, ...]:
    """Who answers a complaint addressed to the mechanism: its deciders, the complainant
    aside (a party does not answer its own complaint)."""
    return tuple(code for code in deciders(rule, parties) if code != complainant)


def may_decide(rule: DecisionRule, parties: Sequence[PartyRow], code: str) -> bool:
    """Whether the party ``code`` takes part in deciding under ``rule``."""
    return bool(code) and code in deciders(rule, parties)


def pending(
    rule: DecisionRule, parties: Sequence[PartyRow], concurred: Iterable[str]
) -> tuple[str, ...]:
    """The deciders who have not yet concurred; empty when the decision is complete.

    For a rule decided by one party alone, one concurrence (the decider's own) is enough.
    """
    agreed = set(concurred)
    if rule.joint:
        return tuple(code for code in deciders(rule, parties) if code not in agreed)
    if agreed & set(deciders(rule, parties)):
        return ()
    return deciders(rule, parties)


def is_complete(rule: DecisionRule, parties: Sequence[PartyRow], concurred: Iterable[str]) -> bool:
    """Whether the parties in ``concurred`` make the decision under ``rule``."""
    return bool(deciders(rule, parties)) and not pending(rule, parties, concurred)


def decision_actions(
    rule: DecisionRule,
    parties: Sequence[PartyRow],
    code: str,
    *,
    proposed: bool,
    concurred: Iterable[str] = (),
) -> frozenset[str]:
    """The decision steps (``workflow.DECISION_ACTIONS``) party ``code`` may take now.

    A rule decided alone: ``determine``. A joint rule: ``propose`` while nothing is
    proposed; once it is, ``concur`` and ``decline`` for each named party that has not
    yet concurred (the proposer concurred by proposing).
    """
    if not may_decide(rule, parties, code):
        return frozenset()
    if not rule.joint:
        return frozenset({Action.DETERMINE})
    if not proposed:
        return frozenset({Action.PROPOSE})
    if code in set(concurred):
        return frozenset()
    return frozenset({Action.CONCUR, Action.DECLINE})
