"""Advance notification, pure (no Django): lead times, shapes, sensitive days.

The arrangement's ``[deconfliction]`` data (``rules.arrangement.DeconflictionSpec``) says
which activities are notified, how many hours ahead, by whom, and as what shape; these
functions judge a notice against it. The app (``coordcell.deconfliction``) stores the
notices and calls them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from coordcell.rules.arrangement import NotifiableActivitySpec, SensitiveDaySpec

__all__ = [
    "SHAPE_GEOMETRIES",
    "Occurrence",
    "incident_span",
    "is_late",
    "lead_hours",
    "occurrences",
    "overlapping",
    "shape_problem",
]

#: The GeoJSON types a notice of each shape may give: a route, or a site or an area.
SHAPE_GEOMETRIES: dict[str, tuple[str, ...]] = {
    "movement": ("LineString", "MultiLineString"),
    "static": ("Point", "Polygon", "MultiPolygon"),
}


#: How long a reported time may stand for, by its precision (a month: its longest).
_PRECISION_SPAN = {
    "minute": dt.timedelta(minutes=1),
    "hour": dt.timedelta(hours=1),
    "day": dt.timedelta(days=1),
    "month": dt.timedelta(days=31),
}


def incident_span(
    occurred_from: dt.datetime, occurred_until: dt.datetime | None, precision: str
) -> tuple[dt.datetime, dt.datetime]:
    """When an incident may have happened: from its reported time to its end, or to the
    end of the minute, hour, day or month its precision leaves open."""
    end = occurred_until or occurred_from + _PRECISION_SPAN.get(precision, dt.timedelta(0))
    return occurred_from, max(end, occurred_from)


def lead_hours(submitted_at: dt.datetime, starts_at: dt.datetime) -> float:
    """The hours between a notice's submission and the start of its window."""
    return (starts_at - submitted_at).total_seconds() / 3600.0


def is_late(
    activity: NotifiableActivitySpec, submitted_at: dt.datetime, starts_at: dt.datetime
) -> bool:
    """Whether the notice gave less lead time than the activity requires."""
    return lead_hours(submitted_at, starts_at) < activity.lead_hours


def shape_problem(activity: NotifiableActivitySpec, geometry_type: str | None) -> str:
    """ "" when a geometry of ``geometry_type`` (None: none given) suits the activity;
    else ``missing`` (the activity requires one) or ``wrong_shape``."""
    if geometry_type is None:
        return "missing" if activity.geometry_required else ""
    if geometry_type not in SHAPE_GEOMETRIES.get(activity.shape, ()):
        return "wrong_shape"
    return ""


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a sensitive day: from ``first`` to ``last`` (inclusive)."""

    spec: SensitiveDaySpec
    first: dt.date
    last: dt.date


def occurrences(
    days: Iterable[SensitiveDaySpec], start: dt.date, end: dt.date
) -> Iterator[Occurrence]:
    """Every occurrence of ``days`` that overlaps ``start``..``end`` (inclusive), by date."""
    found: list[Occurrence] = []
    for spec in days:
        length = dt.timedelta(days=max(spec.days, 1) - 1)
        if spec.date is not None:
            candidates = [spec.date]
        elif spec.month is not None and spec.day is not None:
            # The year before too: a period that began last year may still run.
            years = range(max(start.year - 1, dt.MINYEAR), end.year + 1)
            candidates = [dt.date(year, spec.month, spec.day) for year in years]
        else:
            candidates = []
        for first in candidates:
            # A period running past the calendar's last day ends on it.
            last = first + min(length, dt.date.max - first)
            if first <= end and last >= start:
                found.append(Occurrence(spec, first, last))
    yield from sorted(found, key=lambda o: (o.first, o.spec.id))


def overlapping(
    days: Iterable[SensitiveDaySpec], starts_at: dt.datetime, ends_at: dt.datetime, zone: dt.tzinfo
) -> list[Occurrence]:
    """The sensitive days a window touches, its ends read as local dates of ``zone``
    (the arrangement's time zone)."""
    return list(
        occurrences(days, starts_at.astimezone(zone).date(), ends_at.astimezone(zone).date())
    )
