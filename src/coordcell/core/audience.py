"""Audiences: which parties may read a row, stored as ``|il|sy|us|`` ("" = every member).

One encoding for the record's entries, incidents, cases and hotline activations, so a
substring filter finds a party on SQLite and PostgreSQL alike, and one rule for who
reads what: the console reads everything, a member reads the rows open to all and those
naming their party, anyone else reads nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

__all__ = ["decode", "encode", "visible_to"]


def encode(codes: Iterable[str]) -> str:
    """``["sy", "il"]`` → ``"|il|sy|"``; no codes → ``""`` (every member)."""
    unique = sorted(set(codes))
    return "".join(f"|{c}" for c in unique) + "|" if unique else ""


def decode(text: str) -> list[str]:
    """``"|il|sy|"`` → ``["il", "sy"]``."""
    return [c for c in text.split("|") if c]


def visible_to(actor: Any, prefix: str = "") -> Q:
    """Rows whose audience includes the actor (``prefix`` for a related model's field)."""
    if getattr(actor, "system", False):
        return Q()
    code = getattr(actor, "party_code", None)
    if not code:
        return Q(pk__in=[])
    return Q(**{f"{prefix}audience": ""}) | Q(**{f"{prefix}audience__contains": f"|{code}|"})
