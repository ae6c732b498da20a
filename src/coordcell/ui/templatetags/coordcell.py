"""Template helpers: labels for stored codes."""

from __future__ import annotations

from typing import Any

from django import template

from coordcell.agreements.choices import ClauseKindChoices, LimitChoices
from coordcell.core import timefmt
from coordcell.record.events import get_event_type

register = template.Library()


@register.filter
def event_label(code: str) -> Any:
    """The translated label of a record event type (its code if unregistered)."""
    try:
        return get_event_type(code).label
    except KeyError:
        return code


@register.filter
def local_time(value: Any, zone_name: str = "UTC") -> str:
    """A moment in the arrangement's local time beside UTC: ``{{ x|local_time:tz }}``
    gives ``2026-03-01 09:30 (06:30 UTC)`` in a ``<time>`` element (``core.timefmt``;
    every page has ``tz``, the current arrangement's zone, from the context processor)."""
    return timefmt.local_time_html(value, zone_name)


@register.filter
def local_time_s(value: Any, zone_name: str = "UTC") -> str:
    """``local_time`` to the second."""
    return timefmt.local_time_html(value, zone_name, seconds=True)


@register.filter
def local_date(value: Any, zone_name: str = "UTC") -> str:
    """The local calendar day of a moment, ``YYYY-MM-DD`` in Latin digits."""
    return timefmt.local_date_text(value, zone_name)


@register.filter
def limit_label(code: str) -> Any:
    return LimitChoices.label(code)


@register.filter
def clause_kind_label(code: str) -> Any:
    return ClauseKindChoices.label(code)


@register.filter
def clause_kind_colour(code: str) -> str:
    return ClauseKindChoices.colour(code)


@register.filter
def whole(value: float) -> int:
    """A number of hours or days as a whole number (for plural forms)."""
    return round(float(value))


@register.filter
def name_of(names: dict[str, str], key: str) -> str:
    """``names[key]``, or the key itself when it has no name (a zone id, for example)."""
    return names.get(key, key) if isinstance(names, dict) else key
