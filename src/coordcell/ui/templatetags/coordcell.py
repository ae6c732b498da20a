"""Template helpers: labels for stored codes."""

from __future__ import annotations

from typing import Any

from django import template

from coordcell.agreements.choices import ClauseKindChoices, LimitChoices
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
