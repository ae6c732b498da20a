"""The states and outcomes of the withdrawal timeline and the kinds of access denial."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet

__all__ = [
    "CLOSED",
    "CategoryChoices",
    "DenialKindChoices",
    "ExtensionStateChoices",
    "OutcomeChoices",
    "StepStateChoices",
]


class StepStateChoices(ChoiceSet):
    PROPOSED = "proposed"
    BINDING = "binding"
    SUSPENDED = "suspended"
    MET = "met"
    MET_IN_PART = "met_in_part"
    MISSED = "missed"

    CHOICES = [
        (PROPOSED, _("proposed, awaiting countersignatures"), "grey"),
        (BINDING, _("binding, deadline running"), "blue"),
        (SUSPENDED, _("suspended pending the linked step"), "orange"),
        (MET, _("met"), "green"),
        (MET_IN_PART, _("met in part"), "orange"),
        (MISSED, _("missed"), "red"),
    ]


#: A step in one of these states has no deadline running, and none will open again.
CLOSED = (StepStateChoices.MET, StepStateChoices.MET_IN_PART, StepStateChoices.MISSED)


class OutcomeChoices(ChoiceSet):
    """How a deadline ended: every deadline ends with one of these."""

    MET = "met"
    MET_IN_PART = "met_in_part"
    EXTENDED = "extended"
    SUSPENDED = "suspended"
    MISSED = "missed"

    CHOICES = [
        (MET, _("met (verified by a monitor)"), "green"),
        (MET_IN_PART, _("met in part (verified by a monitor)"), "orange"),
        (EXTENDED, _("extended (both parties countersigned)"), "blue"),
        (SUSPENDED, _("suspended pending the linked step"), "orange"),
        (MISSED, _("missed (at expiry)"), "red"),
    ]
    #: What a monitor may find when verifying a step.
    VERIFIED = (MET, MET_IN_PART)


class ExtensionStateChoices(ChoiceSet):
    OPEN = "open"
    AGREED = "agreed"
    LAPSED = "lapsed"

    CHOICES = [
        (OPEN, _("awaiting countersignatures"), "grey"),
        (AGREED, _("agreed by both parties"), "green"),
        (LAPSED, _("lapsed"), "grey"),
    ]


class DenialKindChoices(ChoiceSet):
    DENIAL = "denial"
    RESTRICTION = "restriction"

    CHOICES = [
        (DENIAL, _("access denied"), "red"),
        (RESTRICTION, _("restriction of movement"), "orange"),
    ]


class CategoryChoices(ChoiceSet):
    """What an inspection counts, by category (``inspections.CATEGORIES``)."""

    CHOICES = [
        ("personnel", _("personnel")),
        ("brigades", _("brigades")),
        ("tanks", _("tanks")),
        ("artillery_pieces", _("artillery pieces")),
        ("artillery_range_km", _("longest artillery range (km)")),
        ("surface_to_air_missiles", _("surface-to-air missiles")),
    ]
