"""The agreed lexicon of a scenario: the names every page and generated sentence uses.

A scenario's ``lexicon.toml`` gives each place, area (zones and basemap features), force
and term one agreed name in English, Arabic and Hebrew, or, where the parties use
different names for one thing and none is agreed, both names side by side ("Shebaa
Farms / Har Dov"). The reader (``rules.scenario``) resolves every entry into a plain
localized name (``{"en": …, "ar": …, "he": …}``) stored in the arrangement's content
under ``lexicon``; this module holds what the reader and the pages share: the sections,
how a side-by-side entry reads, and how a reference such as ``"areas.golan_heights"``
is looked up. Pure Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from coordcell.rules import vocabulary

__all__ = [
    "LEXICON_FILE",
    "SECTIONS",
    "SIDE_BY_SIDE",
    "lookup",
    "name_in",
    "side_by_side",
    "split_reference",
]

LEXICON_FILE = "lexicon.toml"

#: The lexicon's tables: what each names.
SECTIONS: tuple[str, ...] = ("places", "areas", "forces", "kinds", "terms")

#: How the two names of a side-by-side entry are joined, in every language.
SIDE_BY_SIDE = " / "

Localized = Mapping[str, str]


def side_by_side(names: Sequence[Localized]) -> dict[str, str]:
    """One localized name from two (or more): in each language, each side's name in that
    language (its English where it has none), distinct ones joined by " / " in the order
    given."""
    result: dict[str, str] = {}
    for language in vocabulary.LANGUAGES:
        if language != "en" and not any(language in side for side in names):
            continue
        parts = [side.get(language) or side.get("en", "") for side in names]
        result[language] = SIDE_BY_SIDE.join(dict.fromkeys(p for p in parts if p))
    return result


def split_reference(reference: str) -> tuple[str, str]:
    """``"areas.golan_heights"`` → ``("areas", "golan_heights")``; ``("", "")`` if malformed."""
    section, dot, key = reference.partition(".")
    if not dot or section not in SECTIONS or not key:
        return "", ""
    return section, key


def lookup(lexicon: Mapping[str, Any], reference: str) -> dict[str, str] | None:
    """The resolved names of ``"section.key"`` in a stored lexicon, or None."""
    section, key = split_reference(reference)
    entry = (lexicon.get(section) or {}).get(key) if section else None
    return dict(entry) if entry else None


def name_in(names: Localized | None, language: str, default: str = "") -> str:
    """A localized name in ``language``, English where it has none."""
    if not names:
        return default
    return names.get(language) or names.get("en") or default
