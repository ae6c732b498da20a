"""Proposals, their versions and each party's stance on each version; commitments and
confidence-building measures made from an agreed version, with verification indicators,
deadlines (met / extended by both / missed), extensions and each party's assessment.

A proposal is read by its ``audience`` (fail-closed, ``core.audience``); its versions,
stances, commitments and everything under them are read as their proposal is. Nothing
here stores a commitment's status: it is derived (``proposals.status``) from the
verified indicators and the deadlines' outcomes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordcell.core.audience import AudienceMixin, visible_to
from coordcell.core.models import PublicIdModel, RestrictedQuerySet
from coordcell.proposals.choices import (
    CommitmentKindChoices,
    DeadlineOutcomeChoices,
    ExtensionStateChoices,
    StanceChoices,
)

__all__ = [
    "Assessment",
    "Commitment",
    "CommitmentDeadline",
    "Extension",
    "Indicator",
    "Proposal",
    "ProposalVersion",
    "Stance",
]

_USER = settings.AUTH_USER_MODEL


class Proposal(AudienceMixin, PublicIdModel):
    """A proposal on a track of the talks, tabled by a party or the mediator.

    ``track`` is an arrangement track's key or free text (checked against the
    arrangement's tracks where it has them). ``deciding`` are the codes of the parties
    whose acceptance of one same version makes it agreed; ``agreed_version`` and
    ``agreed_at`` are set once, when the last of them accepts it."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    base_version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    track = models.CharField(_("track"), max_length=80, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    author_party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    deciding = models.JSONField(_("deciding parties"), default=list)
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    agreed_version = models.ForeignKey(
        "ProposalVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    fictional = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.reference


class ProposalVersion(PublicIdModel):
    """Version ``number`` of a proposal: its text, and an optional structured change to
    the arrangement (``proposals.changes``) that the what-if replay applies."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=8)
    change = models.JSONField(_("arrangement change"), default=list, blank=True)
    author_party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal version")
        verbose_name_plural = _("proposal versions")
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} v{self.number}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor, "proposal__")


class Stance(PublicIdModel):
    """A party's position on one version, on the record: accept, reject, or counter
    (with its text). Once per party and version; none after the proposal is agreed."""

    version = models.ForeignKey(ProposalVersion, on_delete=models.PROTECT, related_name="stances")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    stance = models.CharField(_("position"), max_length=10, choices=StanceChoices.choices())
    text = models.TextField(_("text"), blank=True)
    given_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    given_at = models.DateTimeField(_("given at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("position on a version")
        verbose_name_plural = _("positions on versions")
        ordering = ["version", "given_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "party"], name="stance_once_per_party")
        ]

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor, "version__proposal__")


class Commitment(PublicIdModel):
    """A commitment or confidence-building measure made from an agreed version, owned by
    one party, read as its proposal is."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="commitments")
    version = models.ForeignKey(ProposalVersion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(
        _("kind"), max_length=12, choices=CommitmentKindChoices.choices(), default="commitment"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor, "proposal__")


class Indicator(PublicIdModel):
    """An observable sign that a commitment is kept, verified (once) by a monitor or the
    mediator with the evidence they state."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="indicators")
    text = models.CharField(_("indicator"), max_length=300)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verifier_party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence = models.TextField(_("evidence"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("verification indicator")
        verbose_name_plural = _("verification indicators")
        ordering = ["commitment", "pk"]

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor, "commitment__proposal__")


class CommitmentDeadline(models.Model):
    """One deadline of a commitment; it ends met, extended by both parties, or missed
    (the worker, once). At most one runs at a time (``outcome`` empty)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="deadlines")
    due_at = models.DateTimeField(_("due at"), db_index=True)
    opened_at = models.DateTimeField(_("opened at"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=DeadlineOutcomeChoices.choices(), blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment deadline")
        verbose_name_plural = _("commitment deadlines")
        ordering = ["commitment", "opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment"], condition=Q(outcome=""), name="one_running_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id}:{self.due_at:%Y-%m-%d}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor, "commitment__proposal__")


class Extension(PublicIdModel):
    """A new due date for a commitment, proposed by one deciding party and agreed by the
    others (then the running deadline ends "extended" and the new one opens)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="extensions")
    new_due_at = models.DateTimeField(_("new due date"))
    reason = models.TextField(_("reason"))
    proposed_by = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    agreed_by = models.JSONField(default=list)
    state = models.CharField(
        _("state"), max_length=10, choices=ExtensionStateChoices.choices(), default="proposed"
    )
    created_at = models.DateTimeField(_("created at"))
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["commitment", "created_at", "pk"]

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor, "commitment__proposal__")


class Assessment(PublicIdModel):
    """A party's own assessment of a commitment (text, and a 0–3 score on the Peace
    Accords Matrix scale as that party sees it). The latest per party is shown beside the
    others'; the derived status does not depend on it."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="assessments")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score (0–3)"))
    text = models.TextField(_("assessment"))
    given_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    given_at = models.DateTimeField(_("given at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["commitment", "given_at", "pk"]

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor, "commitment__proposal__")
