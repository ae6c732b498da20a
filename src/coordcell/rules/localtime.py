"""Local time of the arrangement: its IANA time zone, and instants in UTC.

An arrangement takes effect at a local hour ("04:00 local time"). The scenario names
the arrangement's zone (``time_zone = "Asia/Damascus"``); a clause's ``effective_from``
and ``effective_until`` are a date, a local date-time or a date-time with an offset.
This module turns each of them into one instant in UTC, so that the engine compares
instants, never days counted in UTC. Nothing here imports Django.

- ``effective_from`` as a date: 00:00 local time that day.
- ``effective_until`` as a date: the whole of that day, i.e. until 00:00 local time on
  the next day (the meaning a date had before times were allowed).
- a local date-time: that time in the arrangement's zone; with an offset: that instant.
- ``effective_until`` as a date-time is the first instant the clause no longer applies.

A local time that a change of clocks skips or repeats is read with ``fold=0`` (the
earlier offset), as ``zoneinfo`` does.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

__all__ = [
    "DEFAULT_TIME_ZONE",
    "clause_end",
    "clause_start",
    "instant",
    "local_day",
    "parse_moment",
    "time_zone",
    "time_zone_problem",
]

#: The zone of an arrangement whose scenario names none (and of versions stored before
#: scenarios named one): the behaviour before, when days were counted in UTC.
DEFAULT_TIME_ZONE = "UTC"


@lru_cache(maxsize=32)
def time_zone(name: str) -> dt.tzinfo:
    """The zone called ``name`` (an IANA name); raises ``ValueError`` when unknown."""
    if name == "UTC":
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def time_zone_problem(name: str) -> str:
    """Why ``name`` is not a usable IANA time zone, or "" when it is."""
    if not name or name != name.strip():
        return f"{name!r} is not an IANA time zone name (e.g. 'Asia/Damascus')"
    try:
        time_zone(name)
    except ValueError:
        return f"{name!r} is not a known IANA time zone (e.g. 'Asia/Damascus')"
    return ""


def parse_moment(value: object) -> dt.date | dt.datetime | None:
    """A stored or written moment: a date, a (naive or aware) date-time, or None.

    Accepts ``date``/``datetime`` objects and ISO 8601 text ("2026-01-07",
    "2026-01-07T04:00", "2026-01-07T01:00+00:00"); raises ``ValueError`` otherwise.
    """
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if "T" in text or " " in text:
        return dt.datetime.fromisoformat(text)
    return dt.date.fromisoformat(text)


def instant(value: dt.date | dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """``value`` as an aware UTC instant: a date is 00:00 local time in ``zone``; a naive
    date-time is local time in ``zone``; an aware one keeps its instant."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(dt.UTC)


def local_day(value: dt.date | dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The local calendar day of ``value`` in ``zone`` (a date is its own day)."""
    if not isinstance(value, dt.datetime):
        return value
    return instant(value, zone).astimezone(zone).date()


def clause_start(value: dt.date | dt.datetime | None, zone: dt.tzinfo) -> dt.datetime | None:
    """The first instant a clause applies, from its ``effective_from``."""
    return None if value is None else instant(value, zone)


def clause_end(value: dt.date | dt.datetime | None, zone: dt.tzinfo) -> dt.datetime | None:
    """The first instant a clause no longer applies, from its ``effective_until``: after
    the whole of a date (00:00 local time the next day), or at a date-time."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        return instant(value + dt.timedelta(days=1), zone)
    return instant(value, zone)
