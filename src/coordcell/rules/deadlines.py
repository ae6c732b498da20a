"""Deadline arithmetic: pure, timezone-aware, stored and compared in UTC.

A protocol's "within N hours" is N hours of elapsed time, whatever the clocks on the
wall do: a complaint lodged at 01:30 in Jerusalem the night the clocks go forward is
due 24 real hours later, which the wall clock shows as 02:30 the next night. Every
instant is kept in UTC; local time is only for showing (:func:`local`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

__all__ = [
    "LadderStep",
    "Remaining",
    "due",
    "local",
    "remaining",
    "to_utc",
]


def to_utc(moment: dt.datetime) -> dt.datetime:
    """The same instant in UTC; a naive datetime is refused (its instant is unknown)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a naive datetime has no instant: give it a time zone")
    return moment.astimezone(dt.UTC)


def due(start: dt.datetime, hours: float) -> dt.datetime:
    """``start`` plus ``hours`` of elapsed time, in UTC."""
    if hours < 0:
        raise ValueError("a deadline cannot be in the past of its start")
    return to_utc(start) + dt.timedelta(hours=hours)


def local(moment: dt.datetime, zone: str) -> dt.datetime:
    """``moment`` on the wall clocks of ``zone`` (e.g. ``Asia/Damascus``)."""
    return to_utc(moment).astimezone(ZoneInfo(zone))


@dataclass(frozen=True)
class Remaining:
    """How a deadline stands at a moment: seconds left (negative when overdue)."""

    seconds: float

    @property
    def overdue(self) -> bool:
        return self.seconds < 0

    @property
    def hours(self) -> float:
        return self.seconds / 3600


def remaining(deadline: dt.datetime, now: dt.datetime) -> Remaining:
    return Remaining((to_utc(deadline) - to_utc(now)).total_seconds())


@dataclass(frozen=True)
class LadderStep:
    """One level of a protocol's escalation ladder."""

    level: str
    within_hours: float
