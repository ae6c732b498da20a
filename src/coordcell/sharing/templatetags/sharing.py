"""Template filters of the sharing pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """``mapping[key]``, or the key itself when the mapping does not have it."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


@register.filter
def upper_codes(codes: Any) -> str:
    """``["il", "sy"]`` → ``IL, SY`` (``*`` reads as PUBLIC)."""
    return ", ".join("PUBLIC" if c == "*" else str(c).upper() for c in codes or ())
