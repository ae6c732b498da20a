"""The demilitarised economic zone: projects, donors, money, tranche conditions.

Amounts are exact decimals in their own currency (``DecimalField``; never floats), with
the ISO 4217 code beside each; totals across currencies convert through a dated,
documented ``ConversionRate``. A donor is known by its pseudonym to everyone but the
mediator and the donor itself, unless it chose to be named (``selectors.donor_name``).
Conditions tie a tranche to specific, attributable obligations established through the
cell (verified inspections of the site, withdrawal step outcomes, determinations), never
to raw incidents.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordcell.core.audience import AudienceMixin, visible_to
from coordcell.core.models import PublicIdModel, RestrictedQuerySet, localized_now
from coordcell.economy.choices import (
    ConditionKindChoices,
    ConditionStateChoices,
    MilestoneStatusChoices,
    ProjectStateChoices,
    TrancheStateChoices,
)

__all__ = [
    "AMOUNT_DECIMAL_PLACES",
    "AMOUNT_MAX_DIGITS",
    "Commitment",
    "ConditionEvaluation",
    "ConversionRate",
    "Donor",
    "Milestone",
    "Pledge",
    "Project",
    "Tranche",
    "TrancheCondition",
    "TrancheHold",
]

_USER = settings.AUTH_USER_MODEL

#: Room for any ISO 4217 currency's minor units (at most 4: CLF, UYW) and 18 integer digits.
AMOUNT_MAX_DIGITS = 22
AMOUNT_DECIMAL_PLACES = 4


def _amount(verbose: Any) -> models.DecimalField[Any, Any]:
    return models.DecimalField(
        verbose, max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES
    )


def _currency() -> models.CharField[Any, Any]:
    return models.CharField(_("currency"), max_length=3)


class Project(AudienceMixin, PublicIdModel):
    """A project in the economic zone under clause ``clause`` of ``version``.

    ``site`` is its GeoJSON geometry (checked to lie inside the clause's zones); ``sides``
    the ``side`` values of the arrangement's areas the site lies in (data);
    ``titles`` and ``descriptions`` in ar/he/en. ``sector`` is one of the clause's
    ``permitted_sectors``."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    clause = models.CharField(_("clause"), max_length=40)
    sector = models.CharField(_("sector"), max_length=40, db_index=True)
    titles = models.JSONField(default=dict)
    descriptions = models.JSONField(default=dict, blank=True)
    site = models.JSONField(_("site"))
    zones = models.JSONField(_("areas"), default=list, blank=True)
    sides = models.JSONField(_("sides"), default=list, blank=True)
    budget_currency = _currency()
    budget_amount = _amount(_("budget"))
    state = models.CharField(
        _("state"), max_length=12, choices=ProjectStateChoices.choices(), default="planned"
    )
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["sector", "reference"]

    def __str__(self) -> str:
        return self.reference

    @property
    def title(self) -> str:
        return localized_now(self.titles)

    @property
    def description(self) -> str:
        return localized_now(self.descriptions)


class Milestone(PublicIdModel):
    """A dated milestone of a project, with its status (read as its project is)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="milestones")
    titles = models.JSONField(default=dict)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=MilestoneStatusChoices.choices(), default="planned"
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.due_on}"

    @property
    def title(self) -> str:
        return localized_now(self.titles)

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor, "project__")


class Donor(PublicIdModel):
    """A donor party to the zone's projects.

    ``pseudonym`` ("Donor K") is drawn at random among the unused ones when the donor is
    registered, so it says nothing of how many donors there are or in which order they
    came. Everyone reads the pseudonym; the party behind it is read by the mediator and
    the donor itself, and by everyone when ``named`` (the donor's own choice)."""

    party = models.OneToOneField("parties.Party", on_delete=models.PROTECT, related_name="+")
    pseudonym = models.CharField(_("pseudonym"), max_length=40, unique=True)
    named = models.BooleanField(_("may be named"), default=False)
    named_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ["pseudonym"]

    def __str__(self) -> str:
        return self.pseudonym

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        """Every member reads a donor's row (its pseudonym); ``manage``: its own people."""
        if getattr(actor, "system", False):
            return Q()
        if getattr(actor, "party_id", None) is None:
            return Q(pk__in=[])
        if action == "view":
            return Q()
        return Q(party_id=actor.party_id)


class Pledge(AudienceMixin, PublicIdModel):
    """What a donor pledged to a project: currency, exact amount, date."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="pledges")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="pledges")
    currency = _currency()
    amount = _amount(_("amount pledged"))
    pledged_on = models.DateField(_("pledged on"))
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["pledged_on", "reference"]

    def __str__(self) -> str:
        return self.reference


class Commitment(AudienceMixin, PublicIdModel):
    """A pledge (or part of it) committed: currency, exact amount, date."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="commitments")
    currency = _currency()
    amount = _amount(_("amount committed"))
    committed_on = models.DateField(_("committed on"))
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["committed_on", "reference"]

    def __str__(self) -> str:
        return self.reference


class Tranche(AudienceMixin, PublicIdModel):
    """A tranche of a commitment, disbursed on a date: a disbursement once ``disbursed``.

    A tranche with conditions is ``held`` while one of them does not hold; the worker
    releases it (``scheduled`` again) when all hold, each transition once
    (``TrancheHold``)."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="tranches")
    currency = _currency()
    amount = _amount(_("amount"))
    planned_on = models.DateField(_("planned for"))
    state = models.CharField(
        _("state"), max_length=12, choices=TrancheStateChoices.choices(), default="scheduled"
    )
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    disbursed_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["planned_on", "reference"]
        indexes = [models.Index(fields=["state"], name="economy_tranche_state")]

    def __str__(self) -> str:
        return self.reference


class ConversionRate(PublicIdModel):
    """One unit of ``currency`` is worth ``rate`` units of ``base`` on ``valid_on``,
    according to ``source`` (documented: where the figure comes from). Totals across
    currencies use, for each amount, the latest rate on or before the total's date."""

    currency = models.CharField(_("currency"), max_length=3)
    base = models.CharField(_("base currency"), max_length=3)
    rate = models.DecimalField(_("rate"), max_digits=28, decimal_places=12)
    valid_on = models.DateField(_("valid on"))
    source = models.CharField(_("source"), max_length=300)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversion rate")
        verbose_name_plural = _("conversion rates")
        ordering = ["currency", "base", "-valid_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "base", "valid_on"], name="economy_rate_unique_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.currency}/{self.base}@{self.valid_on}"

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        if getattr(actor, "system", False):
            return Q()
        return Q() if getattr(actor, "party_id", None) is not None else Q(pk__in=[])


class TrancheCondition(PublicIdModel):
    """A condition of a tranche, tied to a specific, attributable obligation.

    - ``no_military_presence``: no military presence at the project's site in the
      monitors' latest verified check of it;
    - ``withdrawal_step_met``: ``step`` met (or met in part) as verified;
    - ``no_determined_violation``: no violation by ``party`` determined within
      ``radius_km`` of the site in the last ``window_days`` days.

    ``state`` and ``reasons`` (the references that hold it) are the latest evaluation's;
    ``reasons`` are read by the security audience only (not donors), ``released`` lists
    the references the mediator released to the donor."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="conditions")
    kind = models.CharField(_("kind"), max_length=30, choices=ConditionKindChoices.choices())
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    step = models.ForeignKey(
        "verification.WithdrawalStep",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    radius_km = models.DecimalField(
        _("radius (km)"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    window_days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=ConditionStateChoices.choices(), default="unevaluated"
    )
    reasons = models.JSONField(default=list, blank=True)
    inputs_digest = models.CharField(max_length=64, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    released = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tranche condition")
        verbose_name_plural = _("tranche conditions")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return visible_to(actor, "tranche__")


class ConditionEvaluation(models.Model):
    """One evaluation of a condition whose inputs changed: the result and its reasons."""

    condition = models.ForeignKey(
        TrancheCondition, on_delete=models.PROTECT, related_name="evaluations"
    )
    evaluated_at = models.DateTimeField()
    result = models.CharField(max_length=12, choices=ConditionStateChoices.choices())
    reasons = models.JSONField(default=list, blank=True)
    inputs_digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["evaluated_at", "pk"]

    def __str__(self) -> str:
        return f"{self.condition_id}:{self.result}@{self.evaluated_at:%Y-%m-%d %H:%M}"


class TrancheHold(models.Model):
    """A tranche held from ``held_at`` to ``released_at`` (open: ``None``). One open hold
    per tranche (a partial unique constraint), so a hold and its release happen once."""

    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="holds")
    held_at = models.DateTimeField()
    conditions = models.JSONField(default=list)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["held_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tranche"],
                condition=Q(released_at__isnull=True),
                name="economy_one_open_hold",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tranche_id}@{self.held_at:%Y-%m-%d %H:%M}"
