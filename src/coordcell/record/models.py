"""The record: an append-only, hash-chained log of every state change.

Each ``Entry`` stores the canonical JSON of its event and a hash chaining it to the
previous entry, so that any edit of a stored row is detectable. Rows are never
updated or deleted: database triggers (see the migrations) refuse it, whoever asks.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordcell.core.models import RestrictedQuerySet

__all__ = ["GENESIS_HASH", "Entry", "Head"]

#: The "previous hash" of the first entry.
GENESIS_HASH = "0" * 64


class Entry(models.Model):
    """One event in the record.

    ``audience`` is empty when every member of the cell may read the event, otherwise
    it lists the party codes that may, as ``|il|us|`` so that a substring filter finds
    them on both SQLite and PostgreSQL. ``canonical`` holds exactly the bytes hashed.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    event_type = models.CharField(_("event type"), max_length=80, db_index=True)
    occurred_at = models.DateTimeField(_("time"))
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("actor"), max_length=200)
    party_code = models.CharField(_("party"), max_length=40, blank=True)
    audience = models.CharField(max_length=400, blank=True, default="")
    subjects = models.JSONField(default=list)
    data = models.JSONField(default=dict)
    canonical = models.TextField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("record entry")
        verbose_name_plural = _("record entries")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event_type}"

    @property
    def audience_codes(self) -> list[str]:
        return [code for code in self.audience.split("|") if code]

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        """Members read cell-wide events and those addressed to their party."""
        if getattr(actor, "system", False):
            return Q()
        code = getattr(actor, "party_code", None)
        if not code:
            return Q(pk__in=[])
        return Q(audience="") | Q(audience__contains=f"|{code}|")


class Head(models.Model):
    """The chain's head (a single row): size and hash of the last entry.

    Appending locks this row first, which serialises writers on PostgreSQL; on SQLite
    the immediate transaction already holds the database's write lock.
    """

    size = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("record head")

    def __str__(self) -> str:
        return f"{self.size} entries"
