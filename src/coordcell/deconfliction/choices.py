"""Vocabularies of access requests, with translatable labels (codes in
``rules.vocabulary``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet
from coordcell.rules import vocabulary

__all__ = ["AccessAnswerChoices", "AccessPurposeChoices", "RequesterKindChoices"]


class RequesterKindChoices(ChoiceSet):
    """Who asks for access (by kind: the person is named by reference only)."""

    FARMER = "farmer"
    SHEPHERD = "shepherd"
    RESIDENT = "resident"
    UTILITY_WORKER = "utility_worker"

    CHOICES = [
        (FARMER, _("a farmer")),
        (SHEPHERD, _("a shepherd")),
        (RESIDENT, _("a resident")),
        (UTILITY_WORKER, _("a utility worker")),
    ]


class AccessPurposeChoices(ChoiceSet):
    """What the access is for."""

    CULTIVATION = "cultivation"
    HARVEST = "harvest"
    GRAZING = "grazing"
    IRRIGATION = "irrigation"
    REPAIR = "repair"

    CHOICES = [
        (CULTIVATION, _("cultivation")),
        (HARVEST, _("harvest")),
        (GRAZING, _("grazing")),
        (IRRIGATION, _("irrigation")),
        (REPAIR, _("repair")),
    ]


class AccessAnswerChoices(ChoiceSet):
    """The answering party's answer ("" while none is given)."""

    GRANTED = "granted"
    GRANTED_ESCORTED = "granted_escorted"
    DENIED = "denied"

    CHOICES = [
        (GRANTED, _("granted"), "green"),
        (GRANTED_ESCORTED, _("granted with an escorted access window"), "teal"),
        (DENIED, _("denied"), "red"),
    ]


assert tuple(RequesterKindChoices.values()) == vocabulary.ACCESS_REQUESTERS
assert tuple(AccessPurposeChoices.values()) == vocabulary.ACCESS_PURPOSES
assert tuple(AccessAnswerChoices.values()) == vocabulary.ACCESS_ANSWERS
