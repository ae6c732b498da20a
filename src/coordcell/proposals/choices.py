"""Stances on a proposal's version, commitment kinds, deadline outcomes and derived statuses."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet

__all__ = [
    "CommitmentKindChoices",
    "CommitmentStatusChoices",
    "DeadlineOutcomeChoices",
    "ExtensionStateChoices",
    "StanceChoices",
]


class StanceChoices(ChoiceSet):
    ACCEPT = "accept"
    REJECT = "reject"
    COUNTER = "counter"

    CHOICES = [
        (ACCEPT, _("accepts"), "green"),
        (REJECT, _("rejects"), "red"),
        (COUNTER, _("counters"), "orange"),
    ]


class CommitmentKindChoices(ChoiceSet):
    COMMITMENT = "commitment"
    CBM = "cbm"

    CHOICES = [
        (COMMITMENT, _("commitment"), "blue"),
        (CBM, _("confidence-building measure"), "teal"),
    ]


class DeadlineOutcomeChoices(ChoiceSet):
    """How a commitment's deadline ended ("" while it runs)."""

    MET = "met"
    EXTENDED = "extended"
    MISSED = "missed"

    CHOICES = [
        (MET, _("met"), "green"),
        (EXTENDED, _("extended by both parties"), "blue"),
        (MISSED, _("missed"), "red"),
    ]


class ExtensionStateChoices(ChoiceSet):
    PROPOSED = "proposed"
    AGREED = "agreed"
    LAPSED = "lapsed"

    CHOICES = [
        (PROPOSED, _("proposed"), "grey"),
        (AGREED, _("agreed by both parties"), "green"),
        (LAPSED, _("lapsed"), "grey"),
    ]


class CommitmentStatusChoices(ChoiceSet):
    """A commitment's status, derived from its verified indicators and its deadlines'
    outcomes (``proposals.status``), never assigned."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    MET = "met"
    MET_LATE = "met_late"
    MISSED = "missed"

    CHOICES = [
        (NOT_STARTED, _("not started"), "grey"),
        (IN_PROGRESS, _("in progress"), "blue"),
        (MET, _("met"), "green"),
        (MET_LATE, _("met after its deadline"), "teal"),
        (MISSED, _("missed"), "red"),
    ]
