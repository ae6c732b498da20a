"""Complaints as cases: state, ladder level, deadlines, the chain of steps, the inbox.

A case's history is its record entries; :class:`Step` links each to the case (the chain
a party shows to prove the mechanism was tried). :class:`Deadline` rows are what the
worker claims, with conditional updates, when they expire. :class:`Notification` is a
person's inbox: every notification of one step is written in the step's transaction,
with the step's time, so both parties and the mediator receive it at the same moment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordcell.cases.choices import (
    DeadlineKindChoices,
    DeadlineStateChoices,
    ElementChoices,
    ExtensionStateChoices,
    FindingChoices,
    LinkChoices,
    NatureChoices,
    OutcomeChoices,
    ReasonChoices,
    RemedyStateChoices,
    StateChoices,
)
from coordcell.core.audience import AudienceMixin
from coordcell.core.models import PublicIdModel, RestrictedQuerySet, new_reference

__all__ = [
    "Activation",
    "CallMessage",
    "Case",
    "Commitment",
    "CommsCheck",
    "Deadline",
    "DutyShift",
    "Extension",
    "ForceClaim",
    "Handover",
    "Notification",
    "Remedy",
    "ScorecardRelease",
    "Step",
    "ThreatWarning",
    "VerificationElement",
    "WarningConfirmation",
]


def case_reference() -> str:
    """A new case's reference, ``CASE-`` and random characters (no count)."""
    return new_reference("CASE")


def activation_reference() -> str:
    """A new hotline activation's reference, ``HOT-`` and random characters (no count)."""
    return new_reference("HOT")


class Case(AudienceMixin, PublicIdModel):
    """A complaint by one party about an incident, answered by another against deadlines."""

    reference = models.CharField(
        _("reference"), max_length=30, unique=True, default=case_reference, editable=False
    )

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="cases"
    )
    protocol_id = models.CharField(_("protocol"), max_length=40)
    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    #: The party that lodged it; None: an inquiry the mediator or a monitor opened of its
    #: own motion (``own_motion_by`` names that party).
    complainant = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    own_motion_by = models.CharField(max_length=40, blank=True)
    #: The party the complaint is about; None: addressed to the mechanism itself, which
    #: its deciders answer (``rules.mechanism.answerers``).
    respondent = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(_("complaint"))
    #: A complaint, or a request to the party that controls the territory to act,
    #: alleging no responsibility (the wording of the case says which).
    nature = models.CharField(
        _("nature"), max_length=20, choices=NatureChoices.choices(), default="complaint"
    )
    #: The precedence it was lodged with (a code of its protocol's ``precedence``), or ""
    #: where the protocol has none. Changing it is a recorded step with a reason.
    precedence = models.CharField(_("precedence"), max_length=40, blank=True, default="")
    state = models.CharField(_("state"), max_length=30, choices=StateChoices.choices())
    level = models.PositiveSmallIntegerField(_("ladder level"), default=0)
    lodged_at = models.DateTimeField(_("lodged at"))
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    determination = models.TextField(_("determination"), blank=True)
    #: The determination as an official text (``agreements``): its authoritative
    #: language, each translation's status and the SHA-256 of each in the record.
    determination_text = models.ForeignKey(
        "agreements.OfficialText",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    determined_at = models.DateTimeField(null=True, blank=True)
    determined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    #: The parties that decided the determination, in the rule's order (the proposer and
    #: every concurring party under a joint rule; the one that determined otherwise).
    decided_by = models.JSONField(default=list, blank=True)
    #: A determination proposed under a joint rule and not yet in effect: its text, when,
    #: and the parties that concurred so far (the proposer first). Empty: none pending.
    proposed_determination = models.TextField(blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    concurred_by = models.JSONField(default=list, blank=True)
    #: What the determination found, and the clauses of the version it cites ("" and []
    #: for a case determined before determinations were structured).
    outcome = models.CharField(
        _("outcome"), max_length=30, blank=True, choices=OutcomeChoices.choices()
    )
    clauses = models.JSONField(default=list, blank=True)
    #: The structured content of the pending joint proposal
    #: (``rules.determinations.DeterminationSpec.as_content``); {}: none.
    proposed_content = models.JSONField(default=dict, blank=True)
    #: Each party's reservation to the determination: [{"party", "text", "at"}].
    reservations = models.JSONField(default=list, blank=True)
    #: When the complainant assented to closing the case (None: it has not).
    assented_at = models.DateTimeField(null=True, blank=True)
    #: A remedy was not done by its deadline.
    non_compliance = models.BooleanField(default=False)
    #: Terms proposed (and agreed) at working level: {"text", "proposed_by",
    #: "proposed_at", "agreed_by", "agreed_at"}; {}: none proposed.
    resolution = models.JSONField(default=dict, blank=True)
    #: The case this one is linked to, and how (a duplicate, a counter-complaint). A
    #: reader sees the reference only if it may read that case.
    linked_case = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    link_relation = models.CharField(max_length=20, blank=True, choices=LinkChoices.choices())
    updated_at = models.DateTimeField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-lodged_at", "-pk"]

    def __str__(self) -> str:
        return self.reference


class Step(models.Model):
    """One step of a case, linked to the record entry that states it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    entry = models.OneToOneField("record.Entry", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40)
    state_after = models.CharField(max_length=30)
    level_after = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    party_code = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.action}"


class Deadline(models.Model):
    """A deadline of a case. The worker claims an expired one with a conditional update."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="deadlines")
    kind = models.CharField(max_length=20, choices=DeadlineKindChoices.choices())
    level = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    state = models.CharField(
        max_length=12, choices=DeadlineStateChoices.choices(), default=DeadlineStateChoices.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    extended_by_agreement = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["state", "due_at"], name="cases_deadline_due")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}@{self.due_at:%Y-%m-%d %H:%M}"


class Remedy(PublicIdModel):
    """A remedy a determination ordered: what, by which party, by when, verified by whom
    (a monitor party's code, or ``deciders``). Its deadline is a :class:`Deadline` of
    kind ``remedy`` that the worker expires like any other (missed: non-compliance)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="remedies")
    position = models.PositiveSmallIntegerField()
    what = models.TextField(_("remedy"))
    owner = models.CharField(_("owner"), max_length=40)
    due_at = models.DateTimeField(_("due"))
    verifier = models.CharField(_("verifier"), max_length=40)
    state = models.CharField(max_length=12, choices=RemedyStateChoices.choices(), default="open")
    deadline = models.ForeignKey(
        Deadline, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.position}"


class VerificationElement(models.Model):
    """One element of a verification result (presence, time, damage, …): what the
    monitors found of it and, where it was not (fully) verified, why. An access denial
    names the party that denied access (counted per party: ``selectors.access_denials``).
    A result recorded before elements existed has none: its step reads as one word."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="elements")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="elements")
    element = models.CharField(max_length=30, choices=ElementChoices.choices())
    finding = models.CharField(max_length=30, choices=FindingChoices.choices())
    reason = models.CharField(max_length=30, blank=True, choices=ReasonChoices.choices())
    reason_text = models.TextField(blank=True)
    denied_by = models.CharField(max_length=40, blank=True, db_index=True)

    class Meta:
        ordering = ["step_id", "pk"]

    def __str__(self) -> str:
        return f"{self.step_id}:{self.element}={self.finding}"


class Extension(models.Model):
    """A proposed move of an open deadline. It takes effect only when the complainant
    and the respondent have each countersigned; until then the old deadline runs. A
    refusal, or the old deadline passing or being met, lapses it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="extensions")
    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="extensions")
    proposed_by = models.CharField(max_length=40)  # the proposing party's code
    proposed_at = models.DateTimeField()
    from_due_at = models.DateTimeField()
    to_due_at = models.DateTimeField()
    hours = models.FloatField()
    reason = models.TextField()
    #: Who countersigned: the side ("complainant", "respondent") → the party's code.
    countersigned = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=12,
        choices=ExtensionStateChoices.choices(),
        default=ExtensionStateChoices.PENDING,
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.deadline_id}->{self.to_due_at:%Y-%m-%d %H:%M}"


class Notification(PublicIdModel):
    """An item in a person's inbox, addressed by a random id (``public_id``): a row id
    would count every other reader's notifications (``docs/security.md``)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notifications")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="notifications")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="cases_inbox")]

    def __str__(self) -> str:
        return f"{self.recipient_id}:{self.step_id}"


class Activation(AudienceMixin, PublicIdModel):
    """One activation of the hotline (a call or a message): who, about what, who answered,
    when. It can become an incident and a complaint in one step."""

    reference = models.CharField(
        _("reference"), max_length=30, unique=True, default=activation_reference, editable=False
    )

    channel = models.CharField(_("channel"), max_length=20)
    caller_party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    callee_party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    subject = models.TextField(_("subject"))
    received_at = models.DateTimeField(_("received at"))
    answer_due_at = models.DateTimeField(_("answer due"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)
    #: A party and the mediator only: no one else sees it, anywhere (``cases.thread``).
    bilateral = models.BooleanField(_("bilateral with the mediator"), default=False)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="activations"
    )
    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hotline activation")
        verbose_name_plural = _("hotline activations")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return self.reference

    @property
    def seconds_to_answer(self) -> float | None:
        if self.answered_at is None:
            return None
        return (self.answered_at - self.received_at).total_seconds()


class ScorecardRelease(models.Model):
    """A release of the scorecard beyond the parties (to donors and observers): each party
    countersigns it (``cases.releases.release_scorecard``); once every party has, it is
    released and ``card`` holds what was released, computed over the cases and calls every
    countersigning party could see. Until then, donors and observers see no scorecard."""

    started_at = models.DateTimeField()
    #: The parties that countersigned, in order.
    signed_by = models.JSONField(default=list, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    #: The released scorecard, one per window (``day``, ``week``, ``month``).
    card = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("scorecard release")
        ordering = ["-started_at", "-pk"]
        constraints = [
            # One release awaits countersignatures at a time: two parties countersigning
            # first at the same moment would otherwise each start one, and neither would
            # ever be complete (``release_scorecard`` signs the one that won instead).
            models.UniqueConstraint(
                models.Value(1),
                condition=models.Q(released_at__isnull=True),
                name="cases_one_pending_scorecard_release",
            )
        ]

    def __str__(self) -> str:
        return f"release {self.pk} ({', '.join(self.signed_by)})"


# The hotline's thread and the warnings live in their own modules (docs/cases.md).
from coordcell.cases.roster_models import CommsCheck, DutyShift, Handover  # noqa: E402
from coordcell.cases.thread_models import CallMessage, Commitment  # noqa: E402
from coordcell.cases.warning_models import (  # noqa: E402
    ForceClaim,
    ThreatWarning,
    WarningConfirmation,
)
