"""States and kinds of the economic zone's projects, milestones, tranches and conditions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet

__all__ = [
    "ConditionKindChoices",
    "ConditionStateChoices",
    "MilestoneStatusChoices",
    "ProjectStateChoices",
    "TrancheStateChoices",
]


class ProjectStateChoices(ChoiceSet):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"

    CHOICES = [
        (PLANNED, _("planned"), "grey"),
        (ACTIVE, _("under way"), "blue"),
        (COMPLETED, _("completed"), "green"),
    ]


class MilestoneStatusChoices(ChoiceSet):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DELAYED = "delayed"

    CHOICES = [
        (PLANNED, _("planned"), "grey"),
        (IN_PROGRESS, _("in progress"), "blue"),
        (DONE, _("done"), "green"),
        (DELAYED, _("delayed"), "orange"),
    ]


class TrancheStateChoices(ChoiceSet):
    """A tranche is scheduled until it is disbursed; a condition that fails holds it,
    and it is released (scheduled again) when every condition holds."""

    SCHEDULED = "scheduled"
    HELD = "held"
    DISBURSED = "disbursed"

    CHOICES = [
        (SCHEDULED, _("scheduled"), "blue"),
        (HELD, _("held"), "red"),
        (DISBURSED, _("disbursed"), "green"),
    ]


class ConditionKindChoices(ChoiceSet):
    """What a tranche's condition is tied to: always a specific, attributable obligation
    established through the cell, never calm in general."""

    NO_MILITARY_PRESENCE = "no_military_presence"
    WITHDRAWAL_STEP_MET = "withdrawal_step_met"
    NO_DETERMINED_VIOLATION = "no_determined_violation"

    CHOICES = [
        (
            NO_MILITARY_PRESENCE,
            _("no military presence at the project's site, verified by the monitors"),
        ),
        (WITHDRAWAL_STEP_MET, _("withdrawal step met")),
        (NO_DETERMINED_VIOLATION, _("no violation by a party determined near the site")),
    ]


class ConditionStateChoices(ChoiceSet):
    UNEVALUATED = "unevaluated"
    MET = "met"
    FAILED = "failed"

    CHOICES = [
        (UNEVALUATED, _("not yet evaluated"), "grey"),
        (MET, _("holds"), "green"),
        (FAILED, _("does not hold"), "red"),
    ]
