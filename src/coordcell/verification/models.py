"""The withdrawal timeline and the monitors' inspections.

Every row here is read by its audience (``AudienceMixin``): both parties concerned, the
mediators and the monitors (``parties.selectors.concerned_audience``) — never donors or
observers by omission. Positions a step names are shown only to those entitled to see
the position (``verification.selectors.positions_shown``); others see the step's areas.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordcell.core.audience import AudienceMixin
from coordcell.core.models import PublicIdModel, RestrictedQuerySet, localized_now
from coordcell.verification.choices import (
    DenialKindChoices,
    ExtensionStateChoices,
    OutcomeChoices,
    StepStateChoices,
)

__all__ = [
    "AccessDenial",
    "Countersignature",
    "Extension",
    "InspectionReport",
    "InspectionRequest",
    "StepDeadline",
    "WithdrawalStep",
]

_USER = settings.AUTH_USER_MODEL


class WithdrawalStep(AudienceMixin, PublicIdModel):
    """Party ``party``'s step number ``sequence`` of a withdrawal timeline under clause
    ``clause``, linked to the other party's step (``linked``, both ways).

    ``origin`` says where it comes from: the arrangement's text (``arrangement``, with its
    ``source_key``, binding from the start) or the cell (``cell``: proposed by the
    mediator, binding once both parties countersigned). ``due_at`` is the deadline now
    running (the open ``StepDeadline``'s); ``positions`` are the public ids of the
    declared positions the step concerns, ``zones`` its areas."""

    ORIGINS = (("arrangement", _("the arrangement")), ("cell", _("agreed in the cell")))

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    clause = models.CharField(_("clause"), max_length=40)
    origin = models.CharField(_("origin"), max_length=12, choices=ORIGINS)
    source_key = models.CharField(max_length=80, blank=True)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveSmallIntegerField(_("step"))
    title = models.CharField(_("title"), max_length=300)
    titles = models.JSONField(default=dict, blank=True)
    zones = models.JSONField(_("areas"), default=list)
    positions = models.JSONField(_("positions"), default=list, blank=True)
    linked = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verifier = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("deadline"), db_index=True)
    state = models.CharField(
        _("state"), max_length=12, choices=StepStateChoices.choices(), db_index=True
    )
    proposed_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    bound_at = models.DateTimeField(_("binding since"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("withdrawal step")
        verbose_name_plural = _("withdrawal steps")
        ordering = ["due_at", "party_id", "sequence", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"],
                condition=Q(origin="arrangement"),
                name="verification_step_from_text_once",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def name(self) -> str:
        """The step's title in the reader's language (a step the arrangement's text sets
        has its titles in each language; one agreed in the cell has the title typed)."""
        return localized_now(dict(self.titles)) if self.titles else self.title


class StepDeadline(models.Model):
    """One deadline of a step, and how it ended (``outcome``; empty while it runs).

    Every deadline ends with an outcome: met or met in part (verified by a monitor, named
    by ``decided_party`` and ``call_sign``), extended (both parties countersigned a new
    date: ``extension``), suspended pending the linked step (the mediator), or missed
    (the worker, at expiry, exactly once: a conditional update on ``outcome=""``)."""

    step = models.ForeignKey(WithdrawalStep, on_delete=models.PROTECT, related_name="deadlines")
    due_at = models.DateTimeField(_("deadline"))
    opened_at = models.DateTimeField(_("opened at"))
    outcome = models.CharField(
        _("outcome"), max_length=12, blank=True, choices=OutcomeChoices.choices()
    )
    decided_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    call_sign = models.CharField(max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    vacated = models.JSONField(default=list, blank=True)
    report = models.ForeignKey(
        "verification.InspectionReport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["step"], condition=Q(outcome=""), name="verification_one_open_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.step_id}@{self.due_at:%Y-%m-%d %H:%M}:{self.outcome or 'open'}"


class Extension(PublicIdModel):
    """A new date for a step's deadline, binding only once both parties of the linked
    pair countersigned it (``Countersignature`` rows with this extension)."""

    step = models.ForeignKey(WithdrawalStep, on_delete=models.PROTECT, related_name="extensions")
    new_due_at = models.DateTimeField(_("new deadline"))
    reason = models.TextField(_("reason"))
    proposed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    proposed_party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    state = models.CharField(max_length=8, choices=ExtensionStateChoices.choices())
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["step"], condition=Q(state="open"), name="verification_one_open_extension"
            )
        ]


class Countersignature(models.Model):
    """A party's countersignature of a proposed step (``extension`` empty) or of an
    extension of its deadline, by one of its liaison officers or principals."""

    step = models.ForeignKey(WithdrawalStep, on_delete=models.PROTECT, related_name="signatures")
    extension = models.ForeignKey(
        Extension, on_delete=models.PROTECT, null=True, blank=True, related_name="signatures"
    )
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    call_sign = models.CharField(max_length=40, blank=True)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["step", "party"],
                condition=Q(extension__isnull=True),
                name="verification_step_signed_once",
            ),
            models.UniqueConstraint(
                fields=["extension", "party"],
                condition=Q(extension__isnull=False),
                name="verification_extension_signed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_id}@{self.step_id}"


class InspectionRequest(AudienceMixin, PublicIdModel):
    """A party's request for an inspection of a zone, due within the hours the inspection
    clause sets (``on_request_within_hours``); fulfilled by the report that answers it."""

    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    clause = models.CharField(_("clause"), max_length=40)
    zone = models.CharField(_("zone"), max_length=80)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    call_sign = models.CharField(max_length=40, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    due_at = models.DateTimeField(_("due by"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    report = models.ForeignKey(
        "verification.InspectionReport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection request")
        verbose_name_plural = _("inspection requests")
        ordering = ["-requested_at", "-pk"]


class InspectionReport(AudienceMixin, PublicIdModel):
    """A monitor's report of an inspection of one zone: holdings by category and party
    (``holdings``: ``[{"party", "category", "count"}]``), checked against the caps by the
    engine (``findings``: each with its clause's status; no severity under a clause that
    is not agreed). May answer a request, and may verify a withdrawal step."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    clause = models.CharField(_("clause"), max_length=40)
    zone = models.CharField(_("zone"), max_length=80, db_index=True)
    monitor = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    call_sign = models.CharField(max_length=40, blank=True)
    inspected_at = models.DateTimeField(_("inspected at"))
    filed_at = models.DateTimeField(_("filed at"))
    summary = models.TextField(_("summary"), blank=True)
    holdings = models.JSONField(default=list)
    findings = models.JSONField(default=list)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection report")
        verbose_name_plural = _("inspection reports")
        ordering = ["-inspected_at", "-pk"]

    def __str__(self) -> str:
        return self.reference


class AccessDenial(AudienceMixin, PublicIdModel):
    """Monitors denied access, or restricted in their movement, at a place (a validated
    point) and time, as the monitors report it. ``party`` is the party whose personnel
    the monitors report denied or restricted them (empty when they do not say)."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=DenialKindChoices.choices())
    monitor = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    call_sign = models.CharField(max_length=40, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    place = models.JSONField(_("place"))
    zones = models.JSONField(default=list, blank=True)
    description = models.TextField(_("description"))
    report = models.ForeignKey(
        InspectionReport, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("access denial")
        verbose_name_plural = _("access denials")
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return self.reference
