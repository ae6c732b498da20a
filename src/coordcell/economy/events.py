"""Record event types of the economic zone."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

PROJECT_REGISTERED = register(
    "economy.project_registered",
    _("Economic zone project registered"),
    "The mediator registered a project in the economic zone: sector, site, sides, budget.",
)
MILESTONE_SET = register(
    "economy.milestone_set",
    _("Project milestone set"),
    "A project's milestone was added or its status changed.",
)
DONOR_REGISTERED = register(
    "economy.donor_registered",
    _("Donor registered"),
    "A donor party was registered for the zone's projects, under a random pseudonym.",
)
DONOR_NAMING_CHOSEN = register(
    "economy.donor_naming_chosen",
    _("Donor's naming choice"),
    "A donor chose to be named, or to be known by its pseudonym only.",
)
PLEDGE_RECORDED = register(
    "economy.pledge_recorded", _("Pledge recorded"), "A donor's pledge to a project."
)
COMMITMENT_RECORDED = register(
    "economy.commitment_recorded", _("Commitment recorded"), "A pledge committed."
)
TRANCHE_SCHEDULED = register(
    "economy.tranche_scheduled", _("Tranche scheduled"), "A tranche of a commitment scheduled."
)
TRANCHE_DISBURSED = register(
    "economy.tranche_disbursed", _("Tranche disbursed"), "A tranche was disbursed."
)
CONDITION_SET = register(
    "economy.condition_set",
    _("Tranche condition set"),
    "The mediator tied a tranche to a specific, attributable obligation.",
)
TRANCHE_HELD = register(
    "economy.tranche_held",
    _("Tranche held"),
    "A condition of a tranche does not hold: the tranche is held (the worker, once).",
)
TRANCHE_RELEASED = register(
    "economy.tranche_released",
    _("Tranche released"),
    "Every condition of a held tranche holds again: the tranche is released (the worker, once).",
)
CONDITION_EVALUATED = register(
    "economy.condition_evaluated",
    _("Tranche condition evaluated"),
    "A condition's inputs changed and it was evaluated: what holds it, for the security "
    "audience only.",
)
REFERENCES_RELEASED = register(
    "economy.references_released",
    _("Condition references released to the donor"),
    "The mediator released the references that hold a tranche to its donor.",
)
RATE_RECORDED = register(
    "economy.rate_recorded",
    _("Conversion rate recorded"),
    "A dated conversion rate between two currencies, with its source, for totals.",
)
