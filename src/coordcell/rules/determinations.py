"""Structured determinations: outcome, clauses cited, remedies with deadlines. Pure.

A determination says what the deciders found (:data:`OUTCOMES`), under which clauses of
the arrangement's version, and what is to be done to remedy it: each remedy names what,
the party that owns it, its deadline, and who verifies it (a monitor party, or
:data:`DECIDERS`, the parties that decided). A remedy is marked done by its owner and
verified by its verifier; the case is remedied when every remedy is verified, and it
may be closed only then, or once the complainant assents (:func:`may_close`).

The deciders determine only once the respondent was heard: after the answer, or once
the answer's deadline has passed (:func:`may_determine`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from coordcell.rules.workflow import State

__all__ = [
    "DECIDERS",
    "MAX_CLAUSES",
    "MAX_REMEDIES",
    "OUTCOMES",
    "REMEDY_STATES",
    "WHAT_MAX_CHARS",
    "DeterminationSpec",
    "Invalid",
    "RemedySpec",
    "check_determination",
    "may_close",
    "may_determine",
]

#: What the deciders found.
OUTCOMES: tuple[str, ...] = (
    "violation_established",
    "not_established",
    "insufficient_information",
    "outside_scope",
)
#: A remedy verified by the parties that decided the determination (not by a monitor).
DECIDERS = "deciders"
#: Where a remedy stands: its owner has not yet reported it done, reported it done, or
#: its verifier verified it. A remedy not done by its deadline is also *missed*.
REMEDY_STATES: tuple[str, ...] = ("open", "done", "verified")
MAX_REMEDIES = 20
MAX_CLAUSES = 50
WHAT_MAX_CHARS = 2_000
#: States in which the respondent has not yet answered.
_UNHEARD = frozenset({State.LODGED, State.ACKNOWLEDGED, State.CLARIFICATION_REQUESTED})


class Invalid(Exception):
    """The content is invalid: ``fields`` maps a field to codes of its problems."""

    def __init__(self, fields: Mapping[str, list[str]]) -> None:
        super().__init__(", ".join(f"{k}: {'/'.join(v)}" for k, v in fields.items()))
        self.fields = dict(fields)


@dataclass(frozen=True)
class RemedySpec:
    """One remedy: ``what`` is to be done by party ``owner`` before ``due_at`` (UTC),
    verified by ``verifier`` (a monitor party's code, or :data:`DECIDERS`)."""

    what: str
    owner: str
    due_at: dt.datetime
    verifier: str

    def as_content(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "owner": self.owner,
            "due_at": self.due_at.isoformat(),
            "verifier": self.verifier,
        }

    @classmethod
    def from_content(cls, data: Mapping[str, Any]) -> RemedySpec:
        return cls(
            str(data["what"]),
            str(data["owner"]),
            dt.datetime.fromisoformat(str(data["due_at"])),
            str(data["verifier"]),
        )


@dataclass(frozen=True)
class DeterminationSpec:
    """What a determination (or its joint proposal) says, beyond its text."""

    outcome: str
    clauses: tuple[str, ...] = ()
    remedies: tuple[RemedySpec, ...] = ()

    def as_content(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "clauses": list(self.clauses),
            "remedies": [r.as_content() for r in self.remedies],
        }

    @classmethod
    def from_content(cls, data: Mapping[str, Any] | None) -> DeterminationSpec | None:
        """The stored form back; None when nothing structured was stored."""
        if not data or not data.get("outcome"):
            return None
        return cls(
            str(data["outcome"]),
            tuple(str(c) for c in data.get("clauses") or ()),
            tuple(RemedySpec.from_content(r) for r in data.get("remedies") or ()),
        )


def may_determine(state: str, answer_deadline_passed: bool) -> bool:
    """Whether the deciders may determine (or propose) now: the respondent has answered
    (the case is past ``acknowledged``), or the answer's deadline has passed."""
    return state not in _UNHEARD or answer_deadline_passed


def may_close(remedy_states: Iterable[str], assented: bool) -> bool:
    """Whether a determined case may be closed: every remedy verified (none: nothing to
    verify), or the complainant assented to closing it."""
    return assented or all(s == "verified" for s in remedy_states)


def check_determination(
    data: Mapping[str, Any],
    *,
    clauses: Collection[str],
    owners: Collection[str],
    monitors: Collection[str],
    now: dt.datetime,
) -> DeterminationSpec:
    """The determination's structured content, checked; :class:`Invalid` otherwise.

    ``clauses``: the clause ids of the case's arrangement version; ``owners``: the party
    codes that may own a remedy; ``monitors``: the monitor parties' codes that may
    verify one. A remedy's deadline is an aware datetime after ``now``.
    """
    errors: dict[str, list[str]] = {}
    outcome = data.get("outcome")
    if outcome not in OUTCOMES:
        errors["outcome"] = ["unknown_outcome"]
    cited_raw = data.get("clauses") or []
    cited: list[str] = []
    if not isinstance(cited_raw, list | tuple) or len(cited_raw) > MAX_CLAUSES:
        errors["clauses"] = ["not_a_list"]
    else:
        for clause in cited_raw:
            if not isinstance(clause, str) or clause not in clauses:
                errors["clauses"] = ["unknown_clause"]
            elif clause not in cited:
                cited.append(clause)
    remedies_raw = data.get("remedies") or []
    remedies: list[RemedySpec] = []
    if not isinstance(remedies_raw, list | tuple) or len(remedies_raw) > MAX_REMEDIES:
        errors["remedies"] = ["too_many"]
        remedies_raw = []
    for i, item in enumerate(remedies_raw):
        problems = []
        if not isinstance(item, Mapping):
            errors[f"remedies.{i}"] = ["not_an_object"]
            continue
        what = str(item.get("what") or "").strip()
        if not what or len(what) > WHAT_MAX_CHARS:
            problems.append("what")
        owner = item.get("owner")
        if owner not in owners:
            problems.append("owner")
        verifier = item.get("verifier")
        if verifier != DECIDERS and verifier not in monitors:
            problems.append("verifier")
        due_at = item.get("due_at")
        if isinstance(due_at, str):
            try:
                due_at = dt.datetime.fromisoformat(due_at)
            except ValueError:
                due_at = None
        if (
            not isinstance(due_at, dt.datetime)
            or due_at.tzinfo is None
            or due_at.utcoffset() is None
            or due_at <= now
        ):
            problems.append("due_at")
        if problems:
            errors[f"remedies.{i}"] = problems
            continue
        assert isinstance(due_at, dt.datetime)
        remedies.append(RemedySpec(what, str(owner), due_at.astimezone(dt.UTC), str(verifier)))
    if errors:
        raise Invalid(errors)
    return DeterminationSpec(str(outcome), tuple(cited), tuple(remedies))
