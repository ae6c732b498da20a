"""Advance notification: notices of movements and sites, their receipts, the follow-ups
they open and the missing notices flagged.

Every row that members read carries an audience (``core.audience``) and is read through
``deconfliction.selectors``; a notice's receipts and follow-ups are reached only through
a notice the reader may read, or have an audience of their own no wider than it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordcell.core.audience import AudienceMixin
from coordcell.core.models import PublicIdModel, RestrictedQuerySet, new_reference

__all__ = [
    "AccessRequest",
    "FollowUp",
    "HumanitarianActor",
    "MissingNotice",
    "Notice",
    "Receipt",
    "Screening",
]


def notice_reference() -> str:
    """A new notice's reference, ``NOTICE-`` and random characters (no count)."""
    return new_reference("NOTICE")


class HumanitarianActor(AudienceMixin, PublicIdModel):
    """A humanitarian organisation the cell registers: its notices are relayed by the
    mediator that registered it (it has no account and is not a party to the cell)."""

    names = models.JSONField(_("names"))
    registered_by_party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"))
    fictional = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("humanitarian actor")
        verbose_name_plural = _("humanitarian actors")
        ordering = ["registered_at", "pk"]

    def __str__(self) -> str:
        return str(self.names.get("en", ""))


class Notice(AudienceMixin, PublicIdModel):
    """Advance notice of an activity of the agreed list: who, what, when (a window),
    where (a route, or a site or an area), read by its audience only.

    ``late``: less lead time than the activity requires. ``warnings``: what the author
    was shown and confirmed before submitting (clauses the engine found, sensitive days,
    lateness). ``escalated_at``/``escalation_level``: a receipt was missing when due, and
    the notice climbed that level of the protocol's ladder. ``withdrawn_at``/
    ``withdrawn_by``/``withdrawal_reason``: its author's party withdrew it (the activity
    will not take place, or no longer after that moment)."""

    reference = models.CharField(
        _("reference"), max_length=40, unique=True, default=notice_reference, editable=False
    )
    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    list_version = models.CharField(_("list version"), max_length=40)
    activity = models.CharField(_("activity"), max_length=40)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    humanitarian = models.ForeignKey(
        HumanitarianActor, on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    starts_at = models.DateTimeField(_("window starts"), db_index=True)
    ends_at = models.DateTimeField(_("window ends"), db_index=True)
    geometry = models.JSONField(_("route or area"), null=True, blank=True)
    description = models.TextField(_("description"))
    lead_hours = models.FloatField(_("lead time (hours)"))
    late = models.BooleanField(_("late"), default=False)
    warnings = models.JSONField(default=list, blank=True)
    receipt_due_at = models.DateTimeField(_("receipts due"), null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.CharField(max_length=40, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(_("reason for the withdrawal"), blank=True)
    fictional = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["escalated_at", "receipt_due_at"], name="deconfliction_due"),
        ]

    def __str__(self) -> str:
        return self.reference


class Receipt(models.Model):
    """One addressee's acknowledgement of a notice (pending while ``acknowledged_at`` is
    None). Read only through its notice."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="receipts")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["party__code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "party"], name="deconfliction_one_receipt")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.party_id}"


class FollowUp(AudienceMixin, models.Model):
    """An incident within the follow-up distance of a notice during its window, and the
    case it opened (None where no party may read both). One per notice and incident;
    its audience is the case's (the notice's and the incident's readers in common)."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="follow_ups")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    distance_m = models.FloatField()
    opened_at = models.DateTimeField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "incident"], name="deconfliction_one_follow_up"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.incident_id}"


class MissingNotice(AudienceMixin, PublicIdModel):
    """An incident of a notifiable activity by a party, which no notice covers that every
    reader of the incident may read: flagged with the incident's audience."""

    incident = models.OneToOneField(
        "incidents.Incident", on_delete=models.PROTECT, related_name="+"
    )
    activity = models.CharField(_("activity"), max_length=40)
    party_code = models.CharField(_("party"), max_length=40)
    flagged_at = models.DateTimeField(_("flagged at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("missing notice")
        verbose_name_plural = _("missing notices")
        ordering = ["-flagged_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.activity}"


class Screening(models.Model):
    """The worker screened this incident against the notices (bookkeeping: once each)."""

    incident = models.OneToOneField(
        "incidents.Incident", on_delete=models.PROTECT, related_name="+"
    )
    screened_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.incident_id)


def access_reference() -> str:
    """A new access request's reference, ``ACCESS-`` and random characters (no count)."""
    return new_reference("ACCESS")


class AccessRequest(AudienceMixin, PublicIdModel):
    """A party asks another for its civilians' access to land near the lines (a farmer to
    a field, a shepherd to grazing): who by the requesting party's own reference (never
    a name), where (a site or an area in the arrangement's zones), when (a window) and
    what for. The other party acknowledges it (its receipt) and answers: granted,
    granted with an escorted access window (when, escorted by whom), or denied with a
    reason. Unanswered when due, it climbs the protocol's ladder like a notice whose
    receipt is missing. Read by the two parties and the mediators and monitors."""

    reference = models.CharField(
        _("reference"), max_length=40, unique=True, default=access_reference, editable=False
    )
    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    answering_party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    requester_kind = models.CharField(_("who asks"), max_length=20)
    #: The requesting party's own reference of the person or the family (never a name).
    requester_ref = models.CharField(_("requester's reference"), max_length=32)
    purpose = models.CharField(_("purpose"), max_length=20)
    geometry = models.JSONField(_("site or area"))
    zones = models.JSONField(default=list)
    starts_at = models.DateTimeField(_("window starts"))
    ends_at = models.DateTimeField(_("window ends"))
    description = models.TextField(_("description"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    answer_due_at = models.DateTimeField(_("answer due"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=20, blank=True)
    answer_reason = models.TextField(_("reason"), blank=True)
    window_starts_at = models.DateTimeField(_("access window starts"), null=True, blank=True)
    window_ends_at = models.DateTimeField(_("access window ends"), null=True, blank=True)
    escort_by = models.CharField(_("escorted by"), max_length=40, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.CharField(max_length=40, blank=True)
    fictional = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["escalated_at", "answer_due_at"], name="deconfliction_access_due"),
        ]

    def __str__(self) -> str:
        return self.reference
