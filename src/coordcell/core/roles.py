"""Party kinds and roles, with translatable labels (codes from ``rules.vocabulary``).

They live in ``core`` because every layer asks "who is this?" — the record checks that
a witness is registered by a party's own administrator, the pages show a person's roles —
and none of those layers may import the ``parties`` app that stores the memberships.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coordcell.core.choices import ChoiceSet
from coordcell.rules import vocabulary

__all__ = ["PartyKindChoices", "RoleChoices"]


class PartyKindChoices(ChoiceSet):
    """What a party is to the cell."""

    KIND_PARTY = "party"
    KIND_MEDIATOR = "mediator"
    KIND_MONITOR = "monitor"
    KIND_DONOR = "donor"
    KIND_OBSERVER = "observer"

    CHOICES = [
        (KIND_PARTY, _("Party"), "blue"),
        (KIND_MEDIATOR, _("Mediator"), "purple"),
        (KIND_MONITOR, _("Monitor"), "teal"),
        (KIND_DONOR, _("Donor"), "green"),
        (KIND_OBSERVER, _("Observer"), "grey"),
    ]


class RoleChoices(ChoiceSet):
    """What a person does for their delegation."""

    PRINCIPAL = "principal"
    LIAISON_OFFICER = "liaison_officer"
    ANALYST = "analyst"
    MONITOR = "monitor"
    DONOR_REPRESENTATIVE = "donor_representative"
    OBSERVER = "observer"
    CELL_ADMINISTRATOR = "cell_administrator"

    CHOICES = [
        (PRINCIPAL, _("Principal")),
        (LIAISON_OFFICER, _("Liaison officer")),
        (ANALYST, _("Analyst")),
        (MONITOR, _("Monitor")),
        (DONOR_REPRESENTATIVE, _("Donor representative")),
        (OBSERVER, _("Observer")),
        (CELL_ADMINISTRATOR, _("Cell administrator")),
    ]


# The pure vocabulary and the labelled choices must never drift apart.
assert tuple(PartyKindChoices.values()) == vocabulary.PARTY_KINDS
assert tuple(RoleChoices.values()) == vocabulary.ROLES
