"""A commitment's status, derived — never assigned — from its verified indicators and
its deadlines' outcomes, at any moment; its Peace Accords Matrix score (0–3); and the
status of a set of commitments over time (for the chart).

Status at a moment ``t``:

- every indicator verified by ``t``: **met**, or **met after its deadline** when a
  deadline was recorded missed before the last verification;
- otherwise a deadline recorded missed by ``t``: **missed**;
- otherwise some indicator verified: **in progress**; none: **not started**.

The Peace Accords Matrix (Kroc Institute; Joshi, Quinn & Regan 2015) scores a
provision's implementation on an ordinal scale: 0 not initiated, 1 minimal,
2 intermediate, 3 full. Here a commitment's score is read off its verification
indicators: 0 when none is verified, 3 when all are, 1 below half, 2 from half.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coordcell.proposals.choices import CommitmentStatusChoices, DeadlineOutcomeChoices

__all__ = ["Facts", "facts_of", "history", "pam_score", "status_at"]

S = CommitmentStatusChoices


@dataclass(frozen=True)
class Facts:
    """What a commitment's status is derived from."""

    created_at: dt.datetime
    verified: tuple[dt.datetime | None, ...]
    #: (due_at, outcome, closed_at) of each deadline
    deadlines: tuple[tuple[dt.datetime, str, dt.datetime | None], ...]


def facts_of(commitment: object) -> Facts:
    """From a commitment with ``indicators`` and ``deadlines`` (prefetched)."""
    indicators = list(commitment.indicators.all())  # type: ignore[attr-defined]
    deadlines = list(commitment.deadlines.all())  # type: ignore[attr-defined]
    return Facts(
        commitment.created_at,  # type: ignore[attr-defined]
        tuple(i.verified_at for i in indicators),
        tuple((d.due_at, d.outcome, d.closed_at) for d in deadlines),
    )


def _verified_by(facts: Facts, t: dt.datetime) -> list[dt.datetime]:
    return sorted(v for v in facts.verified if v is not None and v <= t)


def status_at(facts: Facts, t: dt.datetime) -> str:
    done = _verified_by(facts, t)
    missed = [
        c for _d, o, c in facts.deadlines if o == DeadlineOutcomeChoices.MISSED and c and c <= t
    ]
    if facts.verified and len(done) == len(facts.verified):
        last = done[-1]
        return S.MET_LATE if any(c <= last for c in missed) else S.MET
    if missed:
        return S.MISSED
    return S.IN_PROGRESS if done else S.NOT_STARTED


def pam_score(facts: Facts, t: dt.datetime) -> int:
    total = len(facts.verified)
    done = len(_verified_by(facts, t))
    if total == 0 or done == 0:
        return 0
    if done == total:
        return 3
    return 2 if 2 * done >= total else 1


def history(
    all_facts: Sequence[Facts], days: Iterable[dt.date], zone: dt.tzinfo
) -> list[tuple[dt.date, dict[str, int]]]:
    """For each day, how many commitments (existing by its end) had each status at the
    end of that day (in ``zone``)."""
    out = []
    for day in days:
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
        counts = dict.fromkeys(S.values(), 0)
        for facts in all_facts:
            if facts.created_at < end:
                counts[status_at(facts, end)] += 1
        out.append((day, counts))
    return out
