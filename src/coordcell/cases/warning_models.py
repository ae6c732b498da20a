"""Warnings and action requests, the monitors' confirmations, and the warning-before-action
ledger's links (a use of force a party calls self-defence, and the warning before it).

Imported by ``cases.models`` (Django finds the models there).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordcell.core.audience import AudienceMixin
from coordcell.core.models import PublicIdModel, RestrictedQuerySet, new_reference

__all__ = ["ForceClaim", "ThreatWarning", "WarningConfirmation"]


def warning_reference() -> str:
    """A new warning's reference, ``WRN-`` and random characters (no count)."""
    return new_reference("WRN")


class ThreatWarning(AudienceMixin, PublicIdModel):
    """A specific threat at a place, passed by one party to another through the cell, with
    the action requested and the window to act in."""

    reference = models.CharField(
        _("reference"), max_length=30, unique=True, default=warning_reference, editable=False
    )
    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    warner = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    warned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    addressee = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    geometry = models.JSONField(_("place"))
    threat = models.TextField(_("what is threatened"))
    act_kind = models.CharField(_("kind of act"), max_length=60)
    action_requested = models.TextField(_("action requested"))
    window_hours = models.FloatField(_("action window (hours)"))
    monitors_included = models.BooleanField(default=False)
    activation = models.ForeignKey(
        "cases.Activation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="warnings",
    )
    #: When the warning was given (stated by the warner: it may have gone by radio first).
    passed_at = models.DateTimeField(_("passed at"))
    #: When the cell recorded it.
    recorded_at = models.DateTimeField(_("recorded at"))
    window_due_at = models.DateTimeField(_("window ends"), db_index=True)
    #: open → met (action reported in the window) or expired (the window passed first).
    window_state = models.CharField(max_length=12, default="open")
    window_closed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action_text = models.TextField(blank=True)
    acted_at = models.DateTimeField(null=True, blank=True)
    action_reported_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=30, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_text = models.TextField(blank=True)
    outcome_incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["-passed_at", "-pk"]
        indexes = [models.Index(fields=["window_state", "window_due_at"], name="cases_warning_due")]

    def __str__(self) -> str:
        return self.reference


class WarningConfirmation(AudienceMixin, PublicIdModel):
    """A monitor's finding on the action reported: confirmed, or could not confirm (why)."""

    warning = models.ForeignKey(
        ThreatWarning, on_delete=models.PROTECT, related_name="confirmations"
    )
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    result = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.warning_id}:{self.result}"


class ForceClaim(AudienceMixin, PublicIdModel):
    """A party's statement that a use of force it reported was self-defence, linked to the
    warning it passed through the cell before it — or saying there was none."""

    incident = models.OneToOneField(
        "incidents.Incident", on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    warning = models.ForeignKey(
        ThreatWarning, on_delete=models.PROTECT, null=True, blank=True, related_name="force_claims"
    )
    statement = models.TextField(blank=True)
    at = models.DateTimeField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.warning_id}"
