"""The escalation ladder: when a case may climb, pure (no Django).

A case climbs one level of its protocol's ladder only on *grounds*, never because time
passed at a level:

- ``missed_deadline``: a deadline of the case (acknowledge, answer, verification,
  determination) expired at this level (the worker's "no reply");
- ``answer_rejected``: the complainant rejected the answer, with its reasons, at this
  level;
- ``decided``: the mediator (or a deciding party that is neither complainant nor
  respondent) decided to escalate, with its reasons.

Each level above the first says, as protocol data, when it may be reached at the
earliest (:class:`Rung`): ``eligible_after_hours`` since the case reached the level
below, and/or ``after_failure`` (only on a missed deadline). Time spent at a level is
only a *review reminder* to the mediator (``review_after_hours``, the scenario's
``within_hours``): no climb, no alert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from coordcell.rules.deadlines import due

__all__ = [
    "ANSWER_REJECTED",
    "DECIDED",
    "GROUNDS",
    "MISSED_DEADLINE",
    "OWNERS",
    "ClimbRefused",
    "Rung",
    "check_climb",
    "eligible_at",
    "rungs",
]

MISSED_DEADLINE = "missed_deadline"
ANSWER_REJECTED = "answer_rejected"
DECIDED = "decided"
GROUNDS: tuple[str, ...] = (MISSED_DEADLINE, ANSWER_REJECTED, DECIDED)

#: Who acts for the cell at a level (``owner`` of a ladder step): the parties' liaison
#: officers, their principals, the mediator, the deciding parties, the governments.
OWNERS: tuple[str, ...] = ("liaison_officers", "principals", "mediator", "deciders", "governments")


@dataclass(frozen=True)
class Rung:
    """One level of a ladder, as the climb rules read it."""

    level: str
    #: Hours at this level before the mediator is reminded to review it (no climb).
    review_after_hours: float
    #: Hours since the case reached the level below before this one may be reached.
    eligible_after_hours: float = 0.0
    #: Whether only a missed deadline at the level below may bring a case here.
    after_failure: bool = False
    owner: str = ""

    @classmethod
    def from_content(cls, step: Mapping[str, Any]) -> Rung:
        """A rung from a stored ladder step (older versions lack the newer keys)."""
        return cls(
            level=str(step.get("level", "")),
            review_after_hours=float(step.get("within_hours") or 0.0),
            eligible_after_hours=float(step.get("eligible_after_hours") or 0.0),
            after_failure=bool(step.get("after_failure", False)),
            owner=str(step.get("owner", "")),
        )


def rungs(ladder: Iterable[Mapping[str, Any]]) -> tuple[Rung, ...]:
    return tuple(Rung.from_content(s) for s in ladder)


class ClimbRefused(Exception):
    """The case may not climb now: ``reason`` says why, ``eligible_at`` from when."""

    def __init__(self, reason: str, eligible_at: dt.datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason  # "top", "no_grounds", "needs_failure" or "too_early"
        self.eligible_at = eligible_at


def eligible_at(ladder: Sequence[Rung], level: int, reached_at: dt.datetime) -> dt.datetime | None:
    """The earliest moment a case that reached ``level`` at ``reached_at`` may climb to
    the next level (None: it is at the top)."""
    if level + 1 >= len(ladder):
        return None
    return due(reached_at, ladder[level + 1].eligible_after_hours)


def check_climb(
    ladder: Sequence[Rung],
    level: int,
    *,
    reached_at: dt.datetime,
    now: dt.datetime,
    grounds: Iterable[str],
) -> None:
    """Refuse (``ClimbRefused``) a climb from ``level`` that the ladder does not allow
    now on these ``grounds`` (those that arose at this level)."""
    held = set(grounds)
    unknown = held - set(GROUNDS)
    if unknown:
        raise ValueError(f"unknown grounds: {sorted(unknown)}")
    earliest = eligible_at(ladder, level, reached_at)
    if earliest is None:
        raise ClimbRefused("top")
    if not held:
        raise ClimbRefused("no_grounds", earliest)
    if ladder[level + 1].after_failure and MISSED_DEADLINE not in held:
        raise ClimbRefused("needs_failure", earliest)
    if now < earliest:
        raise ClimbRefused("too_early", earliest)
