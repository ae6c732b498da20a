"""Totals of the zone's money — pledged, committed, disbursed — per project, sector, side
and donor, in one currency; and the dashboard's charts of pledged against disbursed over
time, drawn on the server as inline SVG (no script, no outside request).

Each amount is converted at the latest recorded rate dated on or before the day of the
total (``rules.money.total_in``); the rates used are listed beside the totals. An amount
in a currency with no rate yet is left out of the converted total and counted as such
(``unconverted``), never guessed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from coordcell.core.actor import Actor
from coordcell.economy import selectors
from coordcell.economy.selectors import Transaction
from coordcell.rules import money

__all__ = [
    "BASE_CURRENCY",
    "Chart",
    "Totals",
    "charts",
    "rates",
    "totals_by",
]

#: The currency totals are shown in, unless the reader asks for another.
BASE_CURRENCY = "USD"
KINDS = ("pledge", "commitment", "disbursement")

WIDTH, HEIGHT = 640, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 80, 620, 16, 180


def rates(actor: Actor) -> list[money.Rate]:
    return [
        money.Rate(r.currency, r.base, r.rate, r.valid_on, r.source)
        for r in selectors.list_rates(actor)
    ]


@dataclass
class Totals:
    key: str
    pledged: Decimal = Decimal(0)
    committed: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)
    unconverted: int = 0


def totals_by(
    transactions: Iterable[Transaction],
    key: Callable[[Transaction], str],
    *,
    base: str,
    on: dt.date,
    known_rates: Sequence[money.Rate],
) -> tuple[list[Totals], list[money.Rate]]:
    """Totals of ``transactions`` grouped by ``key``, in ``base`` on ``on``, rounded once per
    total; with the rates used."""
    groups: dict[str, dict[str, list[tuple[Decimal, str]]]] = defaultdict(
        lambda: {k: [] for k in KINDS}
    )
    for t in transactions:
        groups[key(t)][t.kind].append((t.amount, t.currency))
    used: dict[tuple[str, str, dt.date], money.Rate] = {}
    out: list[Totals] = []
    for name in sorted(groups):
        row = Totals(key=name)
        for kind, attr in zip(KINDS, ("pledged", "committed", "disbursed"), strict=True):
            convertible = []
            for amount, currency in groups[name][kind]:
                try:
                    money.convert(amount, currency, base, on, known_rates)
                except money.MoneyError:
                    row.unconverted += 1
                else:
                    convertible.append((amount, currency))
            value, rates_used = money.total_in(convertible, base, on, known_rates)
            setattr(row, attr, value)
            for r in rates_used:
                used[(r.currency, r.base, r.valid_on)] = r
        out.append(row)
    return out, sorted(used.values(), key=lambda r: (r.currency, r.valid_on))


# --- the dashboard's charts --------------------------------------------------------------


@dataclass
class Chart:
    """Cumulative pledged and disbursed of one group over time (SVG coordinates)."""

    title: str
    pledged_total: Decimal
    disbursed_total: Decimal
    pledged_line: str
    disbursed_line: str
    ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = _LEFT
    right: int = _RIGHT
    baseline: int = _BOTTOM


def _fmt(value: Decimal) -> str:
    return f"{value:,.0f}"


def charts(
    transactions: Sequence[Transaction],
    groups: Iterable[tuple[str, Callable[[Transaction], bool]]],
    *,
    base: str,
    known_rates: Sequence[money.Rate],
    today: dt.date | None = None,
) -> list[Chart]:
    """One chart per group: cumulative pledged and disbursed (converted at each day's
    rate) from the first transaction to today."""
    today = today or timezone.now().date()
    out: list[Chart] = []
    for title, member in groups:
        rows = [t for t in transactions if member(t) and t.kind in ("pledge", "disbursement")]
        points: dict[str, list[tuple[dt.date, Decimal]]] = {"pledge": [], "disbursement": []}
        for t in sorted(rows, key=lambda r: r.date):
            try:
                value = money.convert(t.amount, t.currency, base, t.date, known_rates)
            except money.MoneyError:
                continue
            points[t.kind].append((t.date, value))
        dates = [d for series in points.values() for d, _v in series]
        if not dates:
            continue
        start, end = min(dates), max(max(dates), today)
        span = max((end - start).days, 1)

        def x(day: dt.date, start: dt.date = start, span: int = span) -> float:
            return round(_LEFT + (_RIGHT - _LEFT) * (day - start).days / span, 1)

        cumulative: dict[str, list[tuple[dt.date, Decimal]]] = {}
        top = Decimal(1)
        for kind, series in points.items():
            running, steps = Decimal(0), [(start, Decimal(0))]
            for day, value in series:
                steps.append((day, running))
                running += value
                steps.append((day, running))
            steps.append((end, running))
            cumulative[kind] = steps
            top = max(top, running)

        def y(value: Decimal, top: Decimal = top) -> float:
            return round(_BOTTOM - (_BOTTOM - _TOP) * float(value / top), 1)

        def line(steps: list[tuple[dt.date, Decimal]]) -> str:
            return " ".join(f"{x(d)},{y(v)}" for d, v in steps)

        ticks = [(x(start), start.isoformat()), (x(end), end.isoformat())]
        y_ticks = [(y(Decimal(0)), "0"), (y(top / 2), _fmt(top / 2)), (y(top), _fmt(top))]
        out.append(
            Chart(
                title=title,
                pledged_total=money.quantize(cumulative["pledge"][-1][1], base),
                disbursed_total=money.quantize(cumulative["disbursement"][-1][1], base),
                pledged_line=line(cumulative["pledge"]),
                disbursed_line=line(cumulative["disbursement"]),
                ticks=ticks,
                y_ticks=y_ticks,
            )
        )
    return out


def project_key(t: Transaction) -> str:
    return t.project.reference


def sector_key(t: Transaction) -> str:
    return t.project.sector


def side_key(t: Transaction) -> str:
    return "+".join(t.project.sides)


def donor_key(t: Transaction) -> str:
    return t.donor
