"""The dashboards: counts by week, zone, kind and party under the counting rules, and the
scorecard over time with the deadlines met and missed — for one reader, over what that
reader may see, drawn on the server as inline SVG (no script, no outside request).

Right to left: in Arabic and Hebrew the time axis runs from right to left (the latest week
at the left end), as the page reads. Every SVG sets ``direction="ltr"`` on itself so that
its ``text-anchor`` values mean the same in an RTL page (an inherited ``direction: rtl``
swaps "start" and "end" in SVG text), and numbers stay in Latin digits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from coordcell.cases import scorecard as cases_scorecard
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.reports import selectors
from coordcell.rules import counting
from coordcell.rules.arrangement import COUNT_BREAKDOWNS

__all__ = [
    "WEEKS",
    "BarChart",
    "Weekly",
    "bar_chart",
    "deadline_charts",
    "scorecard_rows",
    "week_labels",
    "weekly",
]

#: How many ISO weeks the dashboards show, the current one included.
WEEKS = 12
WIDTH, HEIGHT = 640, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 40, 624, 16, 180


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    css: str
    title: str


@dataclass
class BarChart:
    """A chart of stacked bars, one column per period, ready for ``reports/_chart.html``."""

    label: str
    bars: list[Bar] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = _LEFT
    right: int = _RIGHT
    baseline: int = _BOTTOM
    legend: list[tuple[str, str]] = field(default_factory=list)


def bar_chart(
    label: str,
    periods: list[str],
    series: list[tuple[str, str, list[int]]],
    *,
    rtl: bool,
) -> BarChart:
    """Stacked bars: ``series`` is ``[(name, css class, one value per period)]``. In RTL
    the first period is drawn at the right end."""
    chart = BarChart(label=label, legend=[(name, css) for name, css, _v in series])
    top = max([sum(s[2][i] for s in series) for i in range(len(periods))] + [1])
    slot = (_RIGHT - _LEFT) / max(len(periods), 1)
    scale = (_BOTTOM - _TOP) / top
    for index, period in enumerate(periods):
        column = len(periods) - 1 - index if rtl else index
        x = _LEFT + column * slot + slot * 0.15
        y = float(_BOTTOM)
        for name, css, values in series:
            value = values[index]
            if value:
                height = value * scale
                y -= height
                chart.bars.append(
                    Bar(round(x, 1), round(y, 1), round(slot * 0.7, 1), round(height, 1),
                        value, css, f"{period} · {name}: {value}")
                )  # fmt: skip
        if index % 2 == 0 or len(periods) <= 6:
            chart.ticks.append((round(x + slot * 0.35, 1), period.split("-")[-1]))
    steps = sorted({0, top // 2, top}) if top > 1 else [0, 1]
    chart.y_ticks = [(round(_BOTTOM - v * scale, 1), v) for v in steps]
    return chart


def _weeks(now: dt.datetime) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """The last ``WEEKS`` ISO weeks (UTC), oldest first: (label, start, end)."""
    monday = (now - dt.timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    weeks = []
    for back in range(WEEKS - 1, -1, -1):
        start = monday - dt.timedelta(weeks=back)
        year, week, _d = start.isocalendar()
        weeks.append((f"{year:04d}-W{week:02d}", start, start + dt.timedelta(weeks=1)))
    return weeks


def week_labels(now: dt.datetime) -> list[str]:
    """The labels of the last ``WEEKS`` ISO weeks, oldest first (``2026-W09``)."""
    return [label for label, _start, _end in _weeks(now)]


@dataclass
class Weekly:
    """Violations per week under the rules in force each week, and the period's totals by
    zone, kind and party (as reported), over what the reader may see."""

    periods: list[str]
    totals: list[int]
    versions: list[str]
    by: dict[str, dict[str, int]]


def weekly(actor: Actor, version: Any, now: dt.datetime | None = None) -> Weekly | None:
    """Each week counted under the version in force on its Monday; None without rules."""
    spec = selectors.reports_spec(version)
    if spec is None:
        return None
    now = now or timezone.now()
    periods, totals, versions = [], [], []
    by: dict[str, Counter[str]] = {b: Counter() for b in COUNT_BREAKDOWNS}
    for label, start, end in _weeks(now):
        rules = counting.rules_for(start.date(), spec.counting_rules)
        periods.append(label)
        if rules is None:
            totals.append(0)
            versions.append("")
            continue
        # Every breakdown, whatever the report shows: the grouping is the rules' own.
        tally = selectors.tally(actor, start, end, dataclasses.replace(rules, by=COUNT_BREAKDOWNS))
        totals.append(tally.total)
        versions.append(rules.version)
        for name, values in tally.breakdowns.items():
            by[name].update(values)
    return Weekly(periods, totals, versions, {k: dict(v.most_common()) for k, v in by.items()})


def _card(actor: Actor) -> dict[str, Any] | None:
    try:
        return cases_scorecard.scorecard(actor, "week")
    except NotFound:  # a donor or an observer before any release: no scorecard exists
        return None


def scorecard_rows(actor: Actor, periods: list[str]) -> list[dict[str, Any]]:
    """Per party of the scorecard the reader may read: its weeks' rows (None: no row)."""
    card = _card(actor)
    if card is None:
        return []
    return [
        {
            "party": p["party"],
            "name": p.get("name", p["party"]),
            "weeks": [(period, p["months"].get(period)) for period in periods],
        }
        for p in card["parties"]
        if p["months"]
    ]


def deadline_charts(
    rows: list[dict[str, Any]], periods: list[str], names: dict[str, str], *, rtl: bool
) -> list[BarChart]:
    """Per party of ``scorecard_rows``, the deadlines met, extended by agreement and
    missed, week by week (the rows are passed in: the scorecard is computed once)."""
    charts = []
    for row in rows:
        met, extended, missed = [], [], []
        for _period, week in row["weeks"]:
            deadlines = (week or {}).get("deadlines", {})
            met.append(int(deadlines.get("met", 0)))
            extended.append(int(deadlines.get("extended_by_agreement", 0)))
            missed.append(int(deadlines.get("missed", 0)))
        charts.append(
            bar_chart(
                str(row["name"]),
                periods,
                [
                    (names["met"], "met", met),
                    (names["extended"], "extended", extended),
                    (names["missed"], "missed", missed),
                ],
                rtl=rtl,
            )
        )
    return charts
