"""Record event types of the withdrawal timeline and of inspections."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

STEPS_PROPOSED = register(
    "verification.steps_proposed",
    _("Withdrawal steps proposed"),
    "The mediator proposed two linked withdrawal steps, one of each party, for both parties "
    "to countersign.",
)
STEPS_ADOPTED = register(
    "verification.steps_adopted",
    _("Withdrawal steps from the arrangement"),
    "The worker took the withdrawal steps the arrangement's text sets onto the timeline.",
)
STEPS_COUNTERSIGNED = register(
    "verification.steps_countersigned",
    _("Withdrawal steps countersigned"),
    "A party countersigned a proposed pair of linked steps; once both have, they bind.",
)
STEP_VERIFIED = register(
    "verification.step_verified",
    _("Withdrawal step verified"),
    "A monitor verified a step's deadline as met or met in part.",
)
STEP_SUSPENDED = register(
    "verification.step_suspended",
    _("Withdrawal step suspended"),
    "The mediator suspended a step's deadline pending the linked step.",
)
STEP_MISSED = register(
    "verification.step_missed",
    _("Withdrawal step missed"),
    "The worker recorded a step's deadline as missed at its expiry.",
)
EXTENSION_PROPOSED = register(
    "verification.extension_proposed",
    _("Extension proposed"),
    "A party or the mediator proposed a new date for a step's deadline.",
)
EXTENSION_COUNTERSIGNED = register(
    "verification.extension_countersigned",
    _("Extension countersigned"),
    "A party countersigned an extension; once both have, the deadline is extended.",
)
INSPECTION_REQUESTED = register(
    "verification.inspection_requested",
    _("Inspection requested"),
    "A party requested an inspection of a zone, due within the arrangement's hours.",
)
REPORT_FILED = register(
    "verification.report_filed",
    _("Inspection report filed"),
    "A monitor filed a report of holdings by category per zone and party, with the findings.",
)
DENIAL_RECORDED = register(
    "verification.denial_recorded",
    _("Access denial recorded"),
    "A monitor recorded an access denial or a restriction of movement, with place and time.",
)
STEP_POSITIONS_NAMED = register(
    "verification.step_positions_named",
    _("Positions named in a withdrawal step"),
    "The declared positions a step concerns (and those a verification found vacated); read by "
    "the declaring party and the mediators only.",
)
