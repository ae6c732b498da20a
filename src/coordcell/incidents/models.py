"""Incidents: what was reported, where and when, with each party's version side by side.

An incident is never "what happened": it is a report from a source (a party, a monitor,
the hotline, an open-source dataset). Each party may give its own version
(:class:`Account`); the monitors' facts and the mediator's determination are separate
records (cases). The rules engine's findings are stored with the arrangement version
they were computed under, and computed again whenever place, time or kind change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordcell.core.audience import AudienceMixin
from coordcell.core.models import PublicIdModel, RestrictedQuerySet, new_reference
from coordcell.incidents.choices import ActorClaimChoices, PrecisionChoices, SourceChoices

__all__ = ["Account", "Evidence", "Incident"]


def incident_reference() -> str:
    """A new incident's reference, ``INC-`` and random characters (no count)."""
    return new_reference("INC")


class Incident(AudienceMixin, PublicIdModel):
    """A report of something that happened, from a source: never a verdict."""

    reference = models.CharField(
        _("reference"), max_length=30, unique=True, default=incident_reference, editable=False
    )

    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    occurred_from = models.DateTimeField(_("occurred from"))
    occurred_until = models.DateTimeField(_("occurred until"), null=True, blank=True)
    time_precision = models.CharField(
        _("time precision"),
        max_length=10,
        choices=PrecisionChoices.choices(),
        default=PrecisionChoices.MINUTE,
    )
    geometry = models.JSONField(_("geometry"))
    uncertainty_m = models.FloatField(_("location uncertainty (m)"), default=0)
    lon = models.FloatField()
    lat = models.FloatField()
    source = models.CharField(_("source"), max_length=30, choices=SourceChoices.choices())
    source_party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_dataset = models.CharField(max_length=40, blank=True)
    source_ref = models.CharField(max_length=120, blank=True)
    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    zones = models.JSONField(default=list)
    possible_zones = models.JSONField(default=list)
    findings = models.JSONField(default=list)
    problems = models.JSONField(default=list)
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fictional = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_from", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_dataset", "source_ref"],
                condition=~Q(source_ref=""),
                name="incidents_one_per_source_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Account(models.Model):
    """One party's version of an incident; revised in place, every revision recorded."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="accounts")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    actor_claim = models.CharField(
        _("actor"), max_length=30, choices=ActorClaimChoices.choices(), default="unknown"
    )
    actor_text = models.CharField(_("actor named"), max_length=300, blank=True)
    casualties_low = models.PositiveIntegerField(_("casualties (low)"), null=True, blank=True)
    casualties_best = models.PositiveIntegerField(_("casualties (best)"), null=True, blank=True)
    casualties_high = models.PositiveIntegerField(_("casualties (high)"), null=True, blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    given_at = models.DateTimeField(_("given at"))
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("party's version")
        constraints = [
            models.UniqueConstraint(fields=["incident", "party"], name="incidents_one_account")
        ]
        ordering = ["party__code"]

    def __str__(self) -> str:
        return f"{self.incident_id}/{self.party_id}"


class Evidence(models.Model):
    """A file attached to an incident, stored once under its SHA-256 (content-addressed).

    The bytes live in the data directory's file storage at ``evidence/ab/cdef…``; only
    those who may see the incident are served them.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="evidence")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    filename = models.CharField(_("file name"), max_length=200)
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("evidence file")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "sha256"], name="incidents_evidence_once")
        ]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} {self.filename}"

    @property
    def path(self) -> str:
        return f"evidence/{self.sha256[:2]}/{self.sha256}"
