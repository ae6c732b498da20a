"""Audiences: which parties may read a row, stored as ``|il|sy|us|`` — and nothing by omission.

One encoding for the record's entries, incidents, cases and hotline activations, so a
substring filter finds a party on SQLite and PostgreSQL alike, and one rule for who reads
what: the console reads everything, a member reads the rows naming their party or the
explicit "every member" value (:data:`ALL_MEMBERS`), anyone else reads nothing.

Audiences *fail closed*: there is no default. An empty list is refused when encoded (a
dropped or forgotten list must never publish to donors and observers), so a service
that forgets to say who may read what fails in its tests, not in the field. To publish
to every member a caller says so with :data:`ALL_MEMBERS`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Q

__all__ = [
    "ALL_MEMBERS",
    "CONSOLE_ONLY",
    "AudienceMixin",
    "EmptyAudience",
    "decode",
    "encode",
    "normalise",
    "visible_to",
]

#: The explicit audience of every member of the cell (donors and observers included).
ALL_MEMBERS = "*"
#: The audience of an event about someone who belongs to no party (an account without a
#: membership): no member reads it, the operator at the console does.
CONSOLE_ONLY = "~"


class EmptyAudience(ValueError):
    """Nobody was named: a programming error, never a way to publish to everyone."""


def normalise(codes: Iterable[str]) -> list[str]:
    """Sorted unique codes; ``[ALL_MEMBERS]`` alone when it is among them; never empty."""
    unique = sorted({c for c in codes if c})
    if not unique:
        raise EmptyAudience("an audience names at least one party, or ALL_MEMBERS")
    return [ALL_MEMBERS] if ALL_MEMBERS in unique else unique


def encode(codes: Iterable[str]) -> str:
    """``["sy", "il"]`` → ``"|il|sy|"``; ``["*"]`` → ``"|*|"``; nothing → :class:`EmptyAudience`."""
    return "".join(f"|{c}" for c in normalise(codes)) + "|"


def decode(text: str) -> list[str]:
    """``"|il|sy|"`` → ``["il", "sy"]``."""
    return [c for c in text.split("|") if c]


def visible_to(actor: Any, prefix: str = "", *, legacy_empty_is_all: bool = False) -> Q:
    """Rows whose audience includes the actor (``prefix`` for a related model's field).

    ``legacy_empty_is_all`` serves the record alone: entries written before audiences
    failed closed stored "every member" as an empty audience, and the record cannot be
    rewritten. Nothing writes an empty audience any more (``encode`` refuses it).
    """
    if getattr(actor, "system", False):
        return Q()
    code = getattr(actor, "party_code", None)
    if not code:
        return Q(pk__in=[])
    field = f"{prefix}audience"
    q = Q(**{f"{field}__contains": f"|{ALL_MEMBERS}|"}) | Q(**{f"{field}__contains": f"|{code}|"})
    if legacy_empty_is_all:
        q |= Q(**{field: ""})
    return q


class AudienceMixin(models.Model):
    """A row readable by the parties of its ``audience`` (see the module's docstring)."""

    audience = models.CharField(max_length=400)

    class Meta:
        abstract = True

    @property
    def audience_codes(self) -> list[str]:
        return decode(self.audience)

    @property
    def for_all_members(self) -> bool:
        return ALL_MEMBERS in self.audience_codes

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor)
