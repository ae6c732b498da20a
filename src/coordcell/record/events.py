"""The registered vocabulary of record events.

Every event written to the record has a type registered here, once, with a stable
dotted code (``parties.delegation_created``) and a translatable label. Services pass
the ``EventType`` object itself, so a misspelt code cannot reach the record, and
registering a code twice is an error at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DuplicateEventType", "EventType", "all_event_types", "get_event_type", "register"]


class DuplicateEventType(Exception):
    """An event code was registered twice."""


@dataclass(frozen=True)
class EventType:
    """A kind of record event: stable code, translatable label, one-line description."""

    code: str
    label: Any
    description: str

    def __str__(self) -> str:
        return self.code


_REGISTRY: dict[str, EventType] = {}


def register(code: str, label: Any, description: str) -> EventType:
    """Register an event type. Codes are ``app.past_tense_verb`` and unique."""
    app, dot, verb = code.partition(".")
    if not dot or not app or not verb or code != code.lower():
        raise ValueError(f"event code {code!r} must look like 'app.something_happened'")
    if code in _REGISTRY:
        raise DuplicateEventType(code)
    event_type = EventType(code=code, label=label, description=description)
    _REGISTRY[code] = event_type
    return event_type


def get_event_type(code: str) -> EventType:
    """Return a registered type; KeyError for an unknown code."""
    return _REGISTRY[code]


def all_event_types() -> list[EventType]:
    """Every registered type, sorted by code (for docs and the meta-test)."""
    return sorted(_REGISTRY.values(), key=lambda t: t.code)
