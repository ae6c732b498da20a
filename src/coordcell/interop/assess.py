"""Assess a whole input file against an arrangement: one record per input row, and a summary.

This is what ``coordcell check`` runs: the readers of this package turn each row into an
``ObservationRow`` or a ``RowError``; accepted rows go through the engine in bulk; every
row, rejected ones included, becomes exactly one output record, in input order, so that
nothing vanishes silently. Pure Python (no Django).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from coordcell.interop.common import ImportReport, ObservationRow, RowError
from coordcell.rules.engine import Assessment, Engine, Observation

__all__ = ["CheckSummary", "assess_rows", "observation_of"]


@dataclass
class CheckSummary:
    """Counts for the closing table: rows, rejections, problems, findings."""

    report: ImportReport = field(default_factory=ImportReport)
    assessed: int = 0
    problems: Counter[str] = field(default_factory=Counter)
    findings: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: Findings under clauses that are not agreed, by (clause, status, zone): kept apart.
    findings_not_agreed: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    in_zones: Counter[str] = field(default_factory=Counter)

    def add(self, assessment: Assessment) -> None:
        if assessment.assessed:
            self.assessed += 1
        for problem in assessment.problems:
            self.problems[problem.code] += 1
        for zone in assessment.zones:
            self.in_zones[zone] += 1
        for finding in assessment.findings:
            self.findings[(finding.clause, finding.zone or "")] += 1
        for finding in assessment.findings_not_agreed:
            self.findings_not_agreed[(finding.clause, finding.status, finding.zone or "")] += 1


def _iso(value: dt.date | dt.datetime) -> str:
    return value.isoformat()


def observation_of(row: ObservationRow) -> Observation:
    """The engine's view of an imported row (its start time is the time assessed)."""
    return Observation(
        id=row.source_id or f"line-{row.line}",
        kind=row.kind,
        geometry=row.geometry,
        time=row.time_start,
        uncertainty_m=row.uncertainty_m,
    )


def _record(row: ObservationRow, assessment: Assessment) -> dict[str, Any]:
    return {
        "line": row.line,
        "source": row.source,
        "source_id": row.source_id,
        "kind": row.kind,
        "time_start": _iso(row.time_start),
        "time_end": _iso(row.time_end),
        "uncertainty_m": row.uncertainty_m,
        "geometry": dict(row.geometry),
        **assessment.as_dict(),
        "rejected": None,
        "attribution": row.attribution,
    }


def _rejected(error: RowError) -> dict[str, Any]:
    return {
        "line": error.line,
        "source_id": error.source_id,
        "geometry": None,
        "zones": [],
        "possible_zones": [],
        "distances_m": {},
        "findings": [],
        "findings_not_agreed": [],
        "problems": [],
        "rejected": {"category": error.category, "reason": error.reason},
    }


def assess_rows(
    engine: Engine,
    items: Iterable[ObservationRow | RowError],
    summary: CheckSummary,
    *,
    chunk: int = 50_000,
) -> Iterator[dict[str, Any]]:
    """One record per item, in input order; accepted rows are assessed in bulk chunks."""
    buffer: list[ObservationRow | RowError] = []

    def flush() -> Iterator[dict[str, Any]]:
        rows = [item for item in buffer if isinstance(item, ObservationRow)]
        assessments = iter(engine.assess_many([observation_of(r) for r in rows], chunk=chunk))
        for item in buffer:
            if isinstance(item, RowError):
                yield _rejected(item)
                continue
            assessment = next(assessments)
            summary.add(assessment)
            yield _record(item, assessment)
        buffer.clear()

    for item in items:
        summary.report.add(item)
        buffer.append(item)
        if len(buffer) >= chunk:
            yield from flush()
    yield from flush()
