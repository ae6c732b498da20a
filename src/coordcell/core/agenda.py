"""Automatic sources of agenda items: a registry the talks read without knowing whose
tables the items come from.

An app below the talks (``cases``: open cases past a deadline; a later app: open
detainee files…) registers a function under one of the names of
``rules.arrangement.AGENDA_SOURCES`` in its ``AppConfig.ready``. When the mediator
schedules a meeting on a track the scenario feeds from that source
(``[[talks.automatic_items]]``), the talks call it and put each entry it returns on the
agenda, read by the meeting's audience and the entry's alike (never wider than either).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from coordcell.rules.arrangement import AGENDA_SOURCES

__all__ = ["AgendaEntry", "agenda_source", "register_agenda_source"]


@dataclass(frozen=True)
class AgendaEntry:
    """One item a source puts on the agenda: ``ref`` unique within the source (a case's
    reference), its title in each language, who may read it (party codes, or ``*``),
    and the path of its page."""

    ref: str
    titles: Mapping[str, str]
    audience: tuple[str, ...]
    link: str = ""


AgendaSource = Callable[[dt.datetime], list[AgendaEntry]]

_SOURCES: dict[str, AgendaSource] = {}


def register_agenda_source(name: str, source: AgendaSource) -> None:
    """Install the function behind the automatic source ``name``."""
    if name not in AGENDA_SOURCES:
        raise ValueError(f"unknown agenda source {name!r} (add it to AGENDA_SOURCES)")
    if name in _SOURCES and _SOURCES[name] is not source:
        raise ValueError(f"agenda source {name!r} registered twice")
    _SOURCES[name] = source


def agenda_source(name: str) -> AgendaSource | None:
    """The function behind ``name``; None when no installed app provides it."""
    return _SOURCES.get(name)
