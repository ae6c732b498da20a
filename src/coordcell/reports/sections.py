"""The report's sections: a small registry other apps contribute to.

A section provider is a function of a :class:`Reading` (the reader party's actor, the
report's window, the counting rules in force, the arrangement version) that returns what
the section says to that reader, or None when it has nothing to say. It reads through its
own app's selectors with ``reading.reader``, so every number is over what that reader may
see; the reports app imports no other app's tables to build it. Providers register with
:func:`register_section` (an app's ``ready()``), ordered by ``order``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coordcell.core.actor import Actor
from coordcell.rules.arrangement import CountingRulesSpec

__all__ = ["Reading", "Section", "SectionContent", "register_section", "registered_sections"]


@dataclass(frozen=True)
class Reading:
    """What a section provider is asked about: one reader, one window, one set of rules."""

    reader: Actor
    window_start: dt.datetime
    window_end: dt.datetime
    rules: CountingRulesSpec | None
    version: Any
    #: Set when the report is the demo's (fictional exercise data).
    fictional: bool = False

    @property
    def previous_start(self) -> dt.datetime:
        """The start of the previous reporting period (as long as this one)."""
        return self.window_start - (self.window_end - self.window_start)


@dataclass(frozen=True)
class SectionContent:
    """A section as rendered: a heading, paragraphs, and tables of (label, value) rows."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()


#: A section provider: what the section says to one reader, or None.
Provider = Callable[[Reading], "SectionContent | None"]


@dataclass(frozen=True)
class Section:
    key: str
    order: int
    provider: Provider


_SECTIONS: dict[str, Section] = {}


def register_section(
    key: str, *, order: int
) -> Callable[
    [Callable[[Reading], SectionContent | None]], Callable[[Reading], SectionContent | None]
]:
    """Register ``provider(reading) -> SectionContent | None`` as the report's section ``key``."""

    def decorate(provider: Provider) -> Provider:
        if key in _SECTIONS:
            raise ValueError(f"report section {key!r} registered twice")
        _SECTIONS[key] = Section(key=key, order=order, provider=provider)
        return provider

    return decorate


def registered_sections() -> list[Section]:
    """Every registered section, in report order."""
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
