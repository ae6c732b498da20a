"""The burndown of the withdrawal timeline, per party, drawn on the server as inline SVG.

For each party: the steps still to be met against the timeline (planned: a step leaves
the line at its deadline; actual: when a monitor verified it met or met in part), and,
for a reader entitled to see that party's positions, the positions still to be vacated
(planned at each deadline, actual as verified). No script, no outside request: the
page draws polylines computed here (``verification/_burndown.html``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from coordcell.core.actor import Actor
from coordcell.rules import localtime
from coordcell.verification.choices import OutcomeChoices, StepStateChoices
from coordcell.verification.models import StepDeadline, WithdrawalStep
from coordcell.verification.positions_link import positions_shown

__all__ = ["HEIGHT", "WIDTH", "Chart", "charts"]

WIDTH, HEIGHT = 640, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 620, 16, 180


@dataclass
class Chart:
    """One party's burndown, ready for the template (coordinates in SVG units)."""

    party_code: str
    party_name: str
    total_steps: int
    met_steps: int
    planned_steps: str
    actual_steps: str
    total_positions: int | None = None
    vacated_positions: int | None = None
    planned_positions: str = ""
    actual_positions: str = ""
    top: int = 0
    now_x: float | None = None
    ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = _BOTTOM
    left: int = _LEFT
    right: int = _RIGHT


class _Scale:
    def __init__(self, start: dt.datetime, end: dt.datetime, top: int) -> None:
        self.start, self.span = start, max((end - start).total_seconds(), 1.0)
        self.top = max(top, 1)

    def x(self, moment: dt.datetime) -> float:
        share = (moment - self.start).total_seconds() / self.span
        return round(_LEFT + min(max(share, 0.0), 1.0) * (_RIGHT - _LEFT), 1)

    def y(self, value: float) -> float:
        return round(_BOTTOM - value / self.top * (_BOTTOM - _TOP), 1)


def _line(
    scale: _Scale, total: int, drops: Sequence[tuple[dt.datetime, int]], until: dt.datetime
) -> str:
    """A step line from ``total`` at the start, down by each drop at its moment."""
    value = total
    points = [(scale.x(scale.start), scale.y(value))]
    for moment, amount in sorted(drops):
        if moment > until:
            break
        x = scale.x(moment)
        points.append((x, scale.y(value)))
        value -= amount
        points.append((x, scale.y(value)))
    points.append((scale.x(until), scale.y(value)))
    return " ".join(f"{x:g},{y:g}" for x, y in points)


def charts(
    actor: Actor,
    steps: Iterable[WithdrawalStep],
    *,
    zone_name: str = "UTC",
    now: dt.datetime | None = None,
) -> list[Chart]:
    """One chart per party with steps on the timeline (proposals aside), by party code."""
    now = now or timezone.now()
    by_party: dict[int, list[WithdrawalStep]] = defaultdict(list)
    for step in steps:
        if step.state != StepStateChoices.PROPOSED:
            by_party[step.party_id].append(step)
    if not by_party:
        return []
    every = [s for group in by_party.values() for s in group]
    verified: dict[int, tuple[dt.datetime, int]] = {}
    for d in StepDeadline.objects.filter(
        step__in=every, outcome__in=OutcomeChoices.VERIFIED
    ).values("step_id", "decided_at", "vacated"):
        if d["decided_at"] is not None:
            verified[d["step_id"]] = (d["decided_at"], len(d["vacated"] or ()))
    start = min(s.bound_at or s.proposed_at for s in every)
    end = max(max(s.due_at for s in every), now)
    zone = localtime.time_zone(zone_name)
    result: list[Chart] = []
    for group in sorted(by_party.values(), key=lambda g: g[0].party.code):
        party = group[0].party
        shown = positions_shown(actor, group[0])
        total_positions = sum(len(s.positions) for s in group) if shown else 0
        top = max(len(group), total_positions)
        scale = _Scale(start, end, top)
        until = min(now, end)
        chart = Chart(
            party_code=party.code,
            party_name=party.name,
            total_steps=len(group),
            met_steps=len(verified.keys() & {s.pk for s in group}),
            planned_steps=_line(scale, len(group), [(s.due_at, 1) for s in group], end),
            actual_steps=_line(
                scale,
                len(group),
                [(*verified[s.pk][:1], 1) for s in group if s.pk in verified],
                until,
            ),
            top=scale.top,
            now_x=scale.x(now) if start <= now <= end else None,
        )
        if shown and total_positions:
            chart.total_positions = total_positions
            chart.vacated_positions = sum(verified[s.pk][1] for s in group if s.pk in verified)
            chart.planned_positions = _line(
                scale, total_positions, [(s.due_at, len(s.positions)) for s in group], end
            )
            chart.actual_positions = _line(
                scale,
                total_positions,
                [verified[s.pk] for s in group if s.pk in verified],
                until,
            )
        chart.ticks = [
            (scale.x(moment), localtime.local_day(moment, zone).isoformat())
            for moment in (start, start + (end - start) / 2, end)
        ]
        chart.y_ticks = [(scale.y(v), v) for v in sorted({0, scale.top // 2, scale.top})]
        result.append(chart)
    return result
