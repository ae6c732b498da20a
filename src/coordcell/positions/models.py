"""Declared positions and their holdings, the sealed baseline and its reveals.

A party's positions are its order of battle: they are read by the declaring party and
the mediator alone (the mediator holds them in escrow, issue 13). Monitors, donors,
observers and the other party find nothing — a hidden position is a missing one.

What the other party and the record see is a *commitment*: one Merkle root per party
and batch over salted leaf hashes (``rules.positions_commit``), padded with random
dummy leaves, and, in a dispute, the *reveal* of one leaf with its salt and proof.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordcell.core.audience import AudienceMixin, visible_to
from coordcell.core.models import PublicIdModel, RestrictedQuerySet
from coordcell.core.roles import PartyKindChoices

__all__ = [
    "Commitment",
    "Dispute",
    "Holding",
    "Position",
    "PositionChange",
    "Reveal",
    "escrow_filter",
]


def escrow_filter(actor: Any, prefix: str = "") -> Q:
    """The declaring party and the mediator (the escrow), nobody else; the console too."""
    if getattr(actor, "system", False):
        return Q()
    party_id = getattr(actor, "party_id", None)
    if party_id is None:
        return Q(pk__in=[])
    if getattr(actor, "party_kind", None) == PartyKindChoices.KIND_MEDIATOR:
        return Q()
    if getattr(actor, "party_kind", None) != PartyKindChoices.KIND_PARTY:
        return Q(pk__in=[])
    return Q(**{f"{prefix}party_id": party_id})


class Position(PublicIdModel):
    """One declared position of a party: where (GeoJSON), what kind, since when.

    ``geometry`` is the validated, normalised GeoJSON geometry (text); ``lon``/``lat``
    the representative point the rules engine reads (``rules.engine.Position``).
    ``kind`` is an id of the arrangement's ``[[position_kinds]]``. ``removed`` is the
    date the position was vacated (it stands until the day before)."""

    arrangement = models.ForeignKey(
        "agreements.Arrangement", on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=40)
    geometry = models.TextField(_("site"))
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    established = models.DateField(_("established"))
    removed = models.DateField(_("vacated"), null=True, blank=True)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["party__code", "name", "pk"]

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return escrow_filter(actor)


class Holding(models.Model):
    """What a position holds, by category, from ``since`` until ``until`` (exclusive).

    ``category`` is a limit key of the engine without its ``max_`` prefix
    (``personnel``, ``tanks``, ``artillery_pieces``, ``surface_to_air_missiles``, …);
    artillery pieces carry their ``range_km`` (the engine's ``artillery_range_km``).
    A change closes the current row and opens a new one, so the history stays."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="holdings")
    category = models.CharField(_("category"), max_length=40)
    count = models.PositiveIntegerField(_("count"))
    range_km = models.FloatField(_("range (km)"), null=True, blank=True)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        ordering = ["position_id", "category", "since", "pk"]

    def __str__(self) -> str:
        return f"{self.category}={self.count}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return escrow_filter(actor, "position__")


class Commitment(AudienceMixin, PublicIdModel):
    """One sealed batch of a party: the baseline at the freeze date, or later changes.

    ``root`` (hex) and ``size`` (the padded leaf count, a power of two with a floor) go
    to the record; ``leaf_hashes`` (every leaf, real ones shuffled among random dummies)
    stay here to build inclusion proofs. The row's audience is who reads the root (the
    parties and the mediator); its leaves' contents are on ``PositionChange``."""

    BASELINE = "baseline"
    CHANGES = "changes"

    arrangement = models.ForeignKey(
        "agreements.Arrangement", on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12)
    as_of = models.DateField(_("as of"))
    root = models.CharField(_("root"), max_length=64)
    size = models.PositiveIntegerField(_("leaves"))
    leaf_hashes = models.JSONField(default=list)
    entry_seq = models.PositiveBigIntegerField(null=True, blank=True)
    #: The record entry's hash: what pages, the API and reveal files name it by (a
    #: sequence number would count the entries others may not read, docs/security.md).
    entry_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["party__code", "as_of", "pk"]

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor)


class PositionChange(PublicIdModel):
    """One item committed about a position: its baseline state, or a later change.

    ``content`` is the canonical leaf content (``rules.positions_commit.leaf_content``)
    and ``salt`` its secret salt; ``commitment``/``leaf_index`` where it was sealed (null
    until the next batch). ``classification`` places a change against the baseline and
    the arrangement (agreed, notified, disputed, possible violation, recorded)."""

    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="changes")
    change = models.CharField(_("change"), max_length=20)
    effective = models.DateField(_("takes effect"))
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    content = models.JSONField()
    salt = models.CharField(max_length=64)
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    leaf_index = models.PositiveIntegerField(null=True, blank=True)
    classification = models.CharField(_("classification"), max_length=24, default="recorded")
    findings = models.JSONField(default=list, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_note = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("position change")
        verbose_name_plural = _("position changes")
        ordering = ["effective", "declared_at", "pk"]

    def __str__(self) -> str:
        return f"{self.position_id}:{self.change}@{self.effective}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return escrow_filter(actor, "position__")


class Dispute(AudienceMixin, PublicIdModel):
    """A dispute about a party's positions ("this post was set up after the freeze").

    Opened by the other party (about a place it describes: it cannot see the positions)
    or by the mediator (about a change it holds in escrow, ``change``). Its audience is
    both parties and the mediator; ``consents`` lists the parties that consented to the
    mediator revealing on the declaring party's behalf."""

    arrangement = models.ForeignKey(
        "agreements.Arrangement", on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    against = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    opened_by_party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    claim = models.TextField(_("claim"))
    geometry = models.TextField(_("place"), blank=True)
    change = models.ForeignKey(
        PositionChange, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consents = models.JSONField(default=list, blank=True)
    state = models.CharField(_("state"), max_length=12, default="open")
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("position dispute")
        verbose_name_plural = _("position disputes")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor)


class Reveal(AudienceMixin, PublicIdModel):
    """One committed item revealed in a dispute: its content, salt and inclusion proof.

    ``bundle`` is the reveal file anyone checks offline (``coordcell verify``)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="reveals")
    change = models.ForeignKey(PositionChange, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    revealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    revealed_by_party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, related_name="+"
    )
    revealed_at = models.DateTimeField(default=timezone.now)
    bundle = models.JSONField()
    entry_seq = models.PositiveBigIntegerField(null=True, blank=True)
    entry_hash = models.CharField(max_length=64, blank=True, default="")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reveal")
        verbose_name_plural = _("reveals")
        ordering = ["-revealed_at", "-pk"]

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor)
