"""Shared items and who may read them: audiences, consent, tearlines, redactions, access.

An :class:`Item` is one piece of information a party (or the mediator) puts in the cell.
Its ``audience`` (``core.audience``) is the only thing that decides who reads it; the
``tier`` says how that audience was chosen (originator only, the mediator, bilateral with
one named party, all parties, public) and the ``releasability`` (REL) the widest it may
ever become. Everything hanging off an item (links, attachments, consent requests and
decisions, audience changes, the access log) is read through the item's audience, so an
item outside one's audience is absent everywhere. The console (the server's operator)
reads everything: docs/sharing.md says so, and so do the pages.

A **tearline** product is two items: the full product (``tearline_of`` empty) and the
releasable part below the line, an item of its own whose ``tearline_of`` names the full
one; a **redaction** is an item of its own whose ``redaction_of`` names its source and
whose ``redacted_fields`` lists the *names* of the fields it does not carry (their
content is absent from its row). Following either link shows the source only to those
who may read it.
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
from coordcell.sharing.choices import (
    ConsentAction,
    ConsentState,
    CredibilityChoices,
    LinkKind,
    ReliabilityChoices,
    Surface,
    TierChoices,
    TlpChoices,
)

__all__ = [
    "AccessLog",
    "Attachment",
    "AudienceChange",
    "ConsentDecision",
    "ConsentRequest",
    "Item",
    "ItemLink",
]


class Item(AudienceMixin, PublicIdModel):
    """One shared item: text, an optional place and time, Admiralty grades, markings.

    ``originator`` is the party that made it (its people act for it: consent, narrowing,
    the access log); ``counterpart`` the one named party of a bilateral item.
    ``releasability`` is the REL marking, encoded as an audience (``|il|sy|``; ``|*|``
    releasable to the public; empty: releasable to nobody beyond the originator): the
    services refuse any audience with a party outside it. ``originator_control``: only
    the originator's people may propose a wider audience or a derived (redacted) item.
    """

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    originator = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    geometry = models.TextField(_("place"), blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    observed_at = models.DateTimeField(_("time"), null=True, blank=True)
    source_reliability = models.CharField(
        _("source reliability"), max_length=1, choices=ReliabilityChoices.choices(), blank=True
    )
    information_credibility = models.CharField(
        _("information credibility"),
        max_length=1,
        choices=CredibilityChoices.choices(),
        blank=True,
    )

    tier = models.CharField(_("audience"), max_length=12, choices=TierChoices.choices())
    counterpart = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    releasability = models.CharField(_("releasable to"), max_length=400, blank=True)
    originator_control = models.BooleanField(_("originator control"), default=False)
    tlp = models.CharField(_("TLP"), max_length=16, choices=TlpChoices.choices())

    tearline_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="tearlines"
    )
    redaction_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="redactions"
    )
    #: The names of the fields this redacted version does not carry (never their content).
    redacted_fields = models.JSONField(default=list, blank=True)
    #: The identifier the item had where it came from (a STIX object's ``id`` on import),
    #: empty for items made here.
    external_id = models.CharField(_("external id"), max_length=200, blank=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("shared item")
        verbose_name_plural = _("shared items")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="sharing_item_feed")]

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor)


class ItemLink(models.Model):
    """A link from an item to an incident, a case or a position, by its public id.

    Resolved for each reader through the owning app's selectors: a target the reader
    cannot see is left out, exactly as one that does not exist."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=12, choices=LinkKind.choices())
    target = models.UUIDField(_("linked to"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("link")
        ordering = ["kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "kind", "target"], name="sharing_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.target}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor, "item__")


class Attachment(models.Model):
    """A file of an item, sealed and scrubbed by the evidence rules (``incidents.evidence``).

    The original is served to the originator's party only; the released copy to the
    item's audience, as ``<copy sha256>.<extension>``."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="attachments")
    sha256 = models.CharField(_("SHA-256 of the original"), max_length=64)
    size = models.PositiveBigIntegerField(_("size of the original"))
    content_type = models.CharField(_("detected type"), max_length=100)
    #: The name the uploader gave: shown to the originator's party only, never recorded.
    filename = models.CharField(_("file name"), max_length=200)
    copy_sha256 = models.CharField(_("SHA-256 of the released copy"), max_length=64)
    copy_size = models.PositiveBigIntegerField(_("size of the released copy"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "sha256"], name="sharing_attachment_once")
        ]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} {self.content_type}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor, "item__")


class ConsentRequest(PublicIdModel):
    """A request to widen an item's audience (or release it to the public).

    Widening needs the originator's consent; public release every party's as well
    (one :class:`ConsentDecision` per party). Read by the item's audience."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="consent_requests")
    action = models.CharField(_("action"), max_length=12, choices=ConsentAction.choices())
    from_tier = models.CharField(_("from"), max_length=12, choices=TierChoices.choices())
    to_tier = models.CharField(_("to"), max_length=12, choices=TierChoices.choices())
    counterpart = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    #: The party codes whose consent is needed (the originator first; for public release
    #: every party), encoded as an audience.
    consenters = models.CharField(max_length=400)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=ConsentState.choices(),
        default=ConsentState.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    requested_by_party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent request")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action}:{self.to_tier}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor, "item__")


class ConsentDecision(models.Model):
    """One party's answer to a consent request (each one a record entry)."""

    request = models.ForeignKey(ConsentRequest, on_delete=models.PROTECT, related_name="decisions")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    granted = models.BooleanField(_("consent given"))
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    entry_hash = models.CharField(max_length=64, blank=True, default="")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent decision")
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "party"], name="sharing_decision_once")
        ]

    def __str__(self) -> str:
        return f"{self.party_id}:{self.granted}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor, "request__item__")


class AudienceChange(models.Model):
    """One change of an item's audience: widened (with the consent that allowed it) or
    narrowed (which cannot unsee, but stops further delivery). Read by the item's
    audience; the record entry carries the new audience."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="audience_changes")
    from_tier = models.CharField(_("from"), max_length=12, choices=TierChoices.choices())
    to_tier = models.CharField(_("to"), max_length=12, choices=TierChoices.choices())
    from_audience = models.CharField(max_length=400)
    to_audience = models.CharField(max_length=400)
    consent = models.ForeignKey(
        ConsentRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    entry_hash = models.CharField(max_length=64, blank=True, default="")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audience change")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_tier}->{self.to_tier}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor, "item__")


class AccessLog(models.Model):
    """Who opened which item, when, and where (page, API, export): read by the
    originator's party alone (and the console). Operational, not recorded."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, related_name="+"
    )
    #: The reader's call sign at the time (never a person's name).
    reader = models.CharField(_("reader"), max_length=120)
    surface = models.CharField(_("where"), max_length=8, choices=Surface.choices())
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("access")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.reader}@{self.opened_at:%Y-%m-%d %H:%M}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        if getattr(actor, "system", False):
            return Q()
        party_id = getattr(actor, "party_id", None)
        if party_id is None:
            return Q(pk__in=[])
        return Q(item__originator_id=party_id) & visible_to(actor, "item__")
