"""Labels of the positions pages: ``{{ code|category_label }}`` and the like."""

from __future__ import annotations

from typing import Any

from django import template

from coordcell.positions.choices import (
    CATEGORY_LABELS,
    CHANGE_LABELS,
    CLASSIFICATION_LABELS,
    DISPUTE_STATES,
)

register = template.Library()


@register.filter
def category_label(code: str) -> Any:
    return CATEGORY_LABELS.get(code, code)


@register.filter
def change_label(code: str) -> Any:
    return CHANGE_LABELS.get(code, code)


@register.filter
def classification_label(code: str) -> Any:
    return CLASSIFICATION_LABELS.get(code, code)


@register.filter
def dispute_state_label(code: str) -> Any:
    return DISPUTE_STATES.get(code, code)


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """``{{ names|lookup:code }}``: a name from a dict, the key itself when absent."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key
