"""The record: an append-only, hash-chained log of every state change.

Each ``Entry`` stores the canonical JSON of its event and a hash chaining it to the
previous entry, so that any edit of a stored row is detectable. Rows are never
updated or deleted: database triggers (see the migrations) refuse it, whoever asks.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordcell.core import audience
from coordcell.core.models import RestrictedQuerySet

__all__ = [
    "GENESIS_HASH",
    "Checkpoint",
    "Cosignature",
    "Entry",
    "Head",
    "Leaf",
    "Node",
    "ViewCheckpoint",
    "ViewCosignature",
    "Witness",
    "node_key",
]

#: The "previous hash" of the first entry.
GENESIS_HASH = "0" * 64
#: The root of the empty Merkle tree, SHA-256 of the empty string.
EMPTY_ROOT_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#: Node keys pack (level, index) into one integer: level * 2**56 + index.
_LEVEL_SHIFT = 56


def node_key(level: int, index: int) -> int:
    """The key of the stored node covering leaves [index * 2**level, (index + 1) * 2**level)."""
    return (level << _LEVEL_SHIFT) | index


class Entry(models.Model):
    """One event in the record.

    ``audience`` lists the party codes that may read the event, as ``|il|us|`` so that a
    substring filter finds them on both SQLite and PostgreSQL, or ``|*|`` for every
    member (``core.audience``). Entries written before audiences failed closed have an
    empty audience, which meant every member; nothing writes one any more.
    ``canonical`` holds exactly the bytes hashed.
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
        return audience.decode(self.audience)

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        """Members read cell-wide events and those addressed to their party."""
        return audience.visible_to(actor, legacy_empty_is_all=True)


class Head(models.Model):
    """The chain's head (a single row): size and hash of the last entry, and the tree's
    frontier (the roots of its perfect subtrees, hex, left to right) and root.

    Appending locks this row first, which serialises writers on PostgreSQL; on SQLite
    the immediate transaction already holds the database's write lock.
    """

    size = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    frontier = models.JSONField(default=list)
    root = models.CharField(max_length=64, default=EMPTY_ROOT_HEX)
    #: Each reader's view (``record.reading``): ``{key: [size, digest hex]}`` for
    #: ``*`` and every party code an entry was addressed to. Never shown to anyone: a view's
    #: size is for its own party only.
    views = models.JSONField(default=dict)
    #: An exercise cell (the demo, a drill's copy of a live cell): its log has its own key
    #: and origin, its worker may be run at another time (``worker --now``), its pages and
    #: alerts say "exercise". Set before the first entry or on a fresh copy, never unset
    #: (``record.services.declare_exercise``, ``adopt_exercise_copy``).
    exercise = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("record head")

    def __str__(self) -> str:
        return f"{self.size} entries"


class Leaf(models.Model):
    """An entry's place in the Merkle tree: leaf ``index`` (= seq - 1) and its salt.

    The leaf's data is ``SHA-256(salt || canonical)``: a commitment that reveals nothing
    of the event to someone who does not have the salt. Only those who may read the
    entry are ever given its salt.
    """

    entry = models.OneToOneField(
        Entry, primary_key=True, on_delete=models.PROTECT, related_name="leaf"
    )
    index = models.PositiveBigIntegerField(unique=True)
    salt = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("record leaf")

    def __str__(self) -> str:
        return f"leaf {self.index}"


class Node(models.Model):
    """The hash of one complete subtree, stored once it is complete (level 0: leaf hashes).

    ``id`` is :func:`node_key` of (level, index), so a proof's few nodes are read with
    one ``WHERE id IN (...)`` query.
    """

    id = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("record tree node")

    def __str__(self) -> str:
        return f"node {self.id >> _LEVEL_SHIFT}/{self.id & ((1 << _LEVEL_SHIFT) - 1)}"

    @property
    def level(self) -> int:
        return self.id >> _LEVEL_SHIFT

    @property
    def index(self) -> int:
        return self.id & ((1 << _LEVEL_SHIFT) - 1)


class Checkpoint(models.Model):
    """A signed statement of the tree's size and root (a C2SP tlog-checkpoint).

    ``note`` is the signed note as the log issued it (body and the log's signatures);
    witnesses' cosignatures are kept apart in :class:`Cosignature`.
    """

    size = models.PositiveBigIntegerField(_("size"), unique=True)
    root = models.CharField(_("root hash"), max_length=64)
    origin = models.CharField(_("origin"), max_length=200)
    note = models.TextField()
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("checkpoint")
        ordering = ["-size"]

    def __str__(self) -> str:
        return f"{self.origin} {self.size}"


class Witness(models.Model):
    """A party's witness: the public key of a process that cosigns consistent checkpoints.

    Only the party's own administrators register its witness: a witness speaks for its
    party, so nobody else (the mediator included) may add one in its name.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="witnesses")
    name = models.CharField(_("key name"), max_length=200)
    vkey = models.CharField(_("verifier key"), max_length=400, unique=True)
    registered_at = models.DateTimeField(_("registered at"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("witness")
        verbose_name_plural = _("witnesses")
        ordering = ["party__code", "name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        """Every member sees the cell's witnesses (they are public keys)."""
        if getattr(actor, "system", False) or getattr(actor, "party_code", None):
            return Q()
        return Q(pk__in=[])


class Cosignature(models.Model):
    """A witness's cosignature of a checkpoint: the signature line and its timestamp."""

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="cosignatures"
    )
    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="cosignatures")
    signed_at = models.DateTimeField(_("signed at"))
    line = models.TextField()
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("cosignature")
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "witness"], name="record_one_cosignature_per_witness"
            )
        ]

    def __str__(self) -> str:
        return f"{self.witness} @ {self.checkpoint.size}"


class ViewCheckpoint(models.Model):
    """One party's view of a checkpoint (``record.reading``): a signed note of the log's
    size and root with the sizes and roots of the views that party reads.

    Given only to that party (and cosigned by its witness): its sizes count the entries
    addressed to it. ``reader`` is ``*`` for the note of the every-member view alone.
    """

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="views")
    reader = models.CharField(max_length=40)
    note = models.TextField()

    class Meta:
        verbose_name = _("view checkpoint")
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "reader"], name="record_one_view_per_reader"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reader} @ {self.checkpoint.size}"


class ViewCosignature(models.Model):
    """A witness's cosignature of its own party's view checkpoint."""

    view = models.ForeignKey(ViewCheckpoint, on_delete=models.PROTECT, related_name="cosignatures")
    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed at"))
    line = models.TextField()
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("view cosignature")
        constraints = [
            models.UniqueConstraint(fields=["view", "witness"], name="record_one_view_cosignature")
        ]

    def __str__(self) -> str:
        return f"{self.witness} @ {self.view}"
