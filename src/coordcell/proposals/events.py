"""Record event types of proposals and commitments."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

PROPOSAL_TABLED = register(
    "proposals.tabled",
    _("Proposal tabled"),
    "A party or the mediator tabled a proposal on a track, with its first version.",
)
VERSION_TABLED = register(
    "proposals.version_tabled",
    _("Proposal version tabled"),
    "A new version of a proposal: its text, the hash of the text, its arrangement change.",
)
STANCE_TAKEN = register(
    "proposals.stance_taken",
    _("Position on a proposal version"),
    "A party accepted, rejected or countered one version of a proposal, on the record.",
)
PROPOSAL_AGREED = register(
    "proposals.agreed",
    _("Proposal version agreed"),
    "Every deciding party accepted the same version: the moment it became agreed (once).",
)
COMMITMENT_CREATED = register(
    "proposals.commitment_created",
    _("Commitment created"),
    "A commitment or confidence-building measure made from an agreed version, with its "
    "owner, due date and verification indicators.",
)
INDICATOR_VERIFIED = register(
    "proposals.indicator_verified",
    _("Commitment indicator verified"),
    "A monitor or the mediator verified an indicator of a commitment, with the evidence.",
)
DEADLINE_MET = register(
    "proposals.deadline_met",
    _("Commitment deadline met"),
    "Every indicator of a commitment was verified before its deadline.",
)
EXTENSION_PROPOSED = register(
    "proposals.extension_proposed",
    _("Commitment extension proposed"),
    "A deciding party proposed a new due date for a commitment.",
)
DEADLINE_EXTENDED = register(
    "proposals.deadline_extended",
    _("Commitment deadline extended by both parties"),
    "Every deciding party agreed the new due date: the running deadline ends extended.",
)
DEADLINE_MISSED = register(
    "proposals.deadline_missed",
    _("Commitment deadline missed"),
    "A commitment's deadline passed before its indicators were verified (the worker, once).",
)
ASSESSMENT_GIVEN = register(
    "proposals.assessment_given",
    _("Commitment assessed by a party"),
    "A party's own assessment of a commitment, beside the other parties'.",
)
