"""The daily report, its renditions per audience and language, and time-locked publication.

A ``DailyReport`` is one day's report (the window from the previous cut-off to this one);
it has one ``Rendition`` per reader party and language, each built over what that party
may see and readable by that party alone (``audience`` names it), all released at one
moment. A ``Publication`` is a text the report issued for release after an embargo (the
day's counts, a determination, the scorecard) with its SHA-256; ``ExtensionSignature`` is a
party's signature to extend its embargo for one round.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordcell.core.audience import AudienceMixin, visible_to
from coordcell.core.models import PublicIdModel, RestrictedQuerySet
from coordcell.reports.choices import PdfStateChoices, PublicationKindChoices


class DailyReport(PublicIdModel):
    """One day's report: its window, the counting rules' version it used, when released."""

    day = models.DateField(_("day"), unique=True)
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("cut-off"))
    rules_version = models.CharField(_("counting rules version"), max_length=40, blank=True)
    arrangement_version = models.PositiveIntegerField(_("arrangement version"))
    released_at = models.DateTimeField(_("released at"))
    fictional = models.BooleanField(default=False)

    class Meta:
        ordering = ("-day",)

    def __str__(self) -> str:
        return str(self.day)


class Rendition(AudienceMixin, models.Model):
    """The report as one party reads it, in one language: the HTML exactly as released,
    with its SHA-256 as appended to the record at the release; then its PDF, made from that
    HTML by the worker right after (``pdf_state``), its SHA-256 appended to the record too.

    ``audience`` is that one party: nobody else reads it (hidden looks like missing).
    """

    report = models.ForeignKey(DailyReport, on_delete=models.PROTECT, related_name="renditions")
    party_code = models.CharField(max_length=40)
    language = models.CharField(max_length=8)
    html = models.TextField()
    sha256 = models.CharField(max_length=64)
    pdf = models.BinaryField(null=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_state = models.CharField(
        max_length=12, choices=PdfStateChoices.choices(), default=PdfStateChoices.PENDING
    )
    entry_seq = models.PositiveBigIntegerField(null=True)
    pdf_entry_seq = models.PositiveBigIntegerField(null=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("report", "party_code", "language"), name="reports_rendition_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.party_code}:{self.language}"


class Publication(AudienceMixin, PublicIdModel):
    """A text issued for publication after an embargo, identical for every party.

    ``body`` is the canonical JSON text each party received when it was issued (its hash
    ``sha256`` is in the record then) and the one published when the embargo ends:
    ``released_at`` is set once, by the worker, unless every party signed an extension of
    the current ``round`` (then ``embargo_until`` moves on and ``round`` grows). Parties,
    mediators and monitors (its ``audience``) read it from its issue; ``release_to``
    (``public`` or a party code, arrangement data) reads it once released.
    """

    report = models.ForeignKey(DailyReport, on_delete=models.PROTECT, related_name="publications")
    kind = models.CharField(_("kind"), max_length=20, choices=PublicationKindChoices.choices())
    subject = models.CharField(_("subject"), max_length=120)
    body = models.TextField()
    sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField(_("issued at"))
    embargo_until = models.DateTimeField(_("embargoed until"))
    round = models.PositiveSmallIntegerField(default=1)
    release_to = models.CharField(max_length=40)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    issue_entry_seq = models.PositiveBigIntegerField(null=True)
    release_entry_seq = models.PositiveBigIntegerField(null=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ("-issued_at", "kind", "subject")

    def __str__(self) -> str:
        return f"{self.kind}:{self.subject}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        """Those it was issued to read it from its issue; its recipient once released."""
        if getattr(actor, "system", False):
            return Q()
        code = getattr(actor, "party_code", None)
        if not code:
            return Q(pk__in=[])
        return visible_to(actor) | (Q(release_to=code) & Q(released_at__isnull=False))


class ExtensionSignature(models.Model):
    """A party's signature to extend a publication's embargo for one round (on the record)."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="extensions"
    )
    round = models.PositiveSmallIntegerField()
    party_code = models.CharField(max_length=40)
    signed_at = models.DateTimeField()
    entry_seq = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("publication", "round", "party_code"), name="reports_extension_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.publication_id}:{self.round}:{self.party_code}"
