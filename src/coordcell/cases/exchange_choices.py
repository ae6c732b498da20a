"""Vocabularies of the hotline's thread and of warnings, with translatable labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet
from coordcell.rules import vocabulary

__all__ = [
    "CommitmentKindChoices",
    "CommitmentStateChoices",
    "ConfirmationChoices",
    "OutcomeChoices",
    "WindowStateChoices",
]


class CommitmentKindChoices(ChoiceSet):
    """What a message commits its party to; each has its own deadline."""

    HOLD_FIRE = "hold_fire"
    UNIT_DISPATCHED = "unit_dispatched"
    INVESTIGATE = "investigate_report"

    CHOICES = [
        (HOLD_FIRE, _("Hold fire until the time given")),
        (UNIT_DISPATCHED, _("Unit dispatched, on site by the time given")),
        (INVESTIGATE, _("Will investigate and report by the time given")),
    ]
    #: Kept by lasting *until* the time (the worker marks it met then, unless broken);
    #: the others are to be done *by* the time (the worker marks them lapsed then).
    UNTIL = (HOLD_FIRE,)


class CommitmentStateChoices(ChoiceSet):
    OPEN = "open"
    MET = "met"
    LAPSED = "lapsed"
    BROKEN = "broken"

    CHOICES = [
        (OPEN, _("open"), "blue"),
        (MET, _("met"), "green"),
        (LAPSED, _("lapsed"), "red"),
        (BROKEN, _("breach reported"), "red"),
    ]


class WindowStateChoices(ChoiceSet):
    """A warning's action window."""

    OPEN = "open"
    MET = "met"
    EXPIRED = "expired"

    CHOICES = [
        (OPEN, _("open"), "blue"),
        (MET, _("action reported in time"), "green"),
        (EXPIRED, _("passed without action reported"), "red"),
    ]


class OutcomeChoices(ChoiceSet):
    """How the warner records that a warning ended."""

    ACTED_IN_TIME = "acted_in_time"
    NOT_ACTED = "not_acted"
    UNILATERAL = "unilateral_after_window"

    CHOICES = [
        (ACTED_IN_TIME, _("Acted on in time"), "green"),
        (NOT_ACTED, _("Not acted on"), "orange"),
        (UNILATERAL, _("Unilateral action after the window"), "red"),
    ]


class ConfirmationChoices(ChoiceSet):
    """A monitor's finding on the action a party reported."""

    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "could_not_confirm"

    CHOICES = [
        (CONFIRMED, _("Confirmed"), "green"),
        (NOT_CONFIRMED, _("Could not confirm"), "grey"),
    ]


assert tuple(CommitmentKindChoices.values()) == vocabulary.COMMITMENT_KINDS
assert tuple(OutcomeChoices.values()) == vocabulary.WARNING_OUTCOMES
assert tuple(ConfirmationChoices.values()) == vocabulary.CONFIRMATION_RESULTS
