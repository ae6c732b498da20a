"""Record event types of the hotline's thread, of warnings and of the ledger's links."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

MESSAGE_POSTED = register(
    "cases.hotline_message_posted",
    _("Hotline message"),
    "A party or the mediator added a message (and any commitment it carries) to a call.",
)
RELAY_REQUESTED = register(
    "cases.hotline_relay_requested",
    _("Relay requested"),
    "A party asked the mediator to pass a message on (read by that party and the mediator).",
)
MESSAGE_RELAYED = register(
    "cases.hotline_message_relayed",
    _("Message relayed by the mediator"),
    "The mediator passed a party's message on: who asked and when, who relayed and when.",
)
COMMITMENT_CLOSED = register(
    "cases.commitment_closed",
    _("Commitment closed"),
    "A commitment was reported kept or broken, or its time came (written by the worker).",
)
WARNING_PASSED = register(
    "cases.warning_passed",
    _("Warning passed"),
    "A party passed a warning of a specific threat at a place, with an action window.",
)
WARNING_ACKNOWLEDGED = register(
    "cases.warning_acknowledged",
    _("Warning acknowledged"),
    "The party warned acknowledged the warning.",
)
WARNING_ACTION_REPORTED = register(
    "cases.warning_action_reported",
    _("Action reported"),
    "The party warned reported the action it took, and when.",
)
WARNING_CONFIRMATION = register(
    "cases.warning_confirmation_recorded",
    _("Monitors' finding recorded"),
    "A monitor confirmed the action reported, or said why it could not.",
)
WARNING_WINDOW_PASSED = register(
    "cases.warning_window_passed",
    _("Action window passed"),
    "A warning's action window ended with no action reported (written by the worker).",
)
WARNING_OUTCOME = register(
    "cases.warning_outcome_recorded",
    _("Warning outcome recorded"),
    "The warner recorded how the warning ended: acted on in time, not acted on, or "
    "unilateral action after the window.",
)
FORCE_CLAIMED = register(
    "cases.self_defence_claimed",
    _("Use of force stated as self-defence"),
    "A party stated that a use of force it reported was self-defence, and linked the warning "
    "it passed through the cell before it, or said there was none.",
)
DUTY_SHIFT_SET = register(
    "cases.duty_shift_set",
    _("Duty shift set"),
    "A party put a call sign on its hotline desk's duty roster (read by that party alone).",
)
DUTY_SHIFT_REMOVED = register(
    "cases.duty_shift_removed",
    _("Duty shift removed"),
    "A party took a shift off its hotline desk's duty roster (read by that party alone).",
)
HANDOVER_RECORDED = register(
    "cases.handover_recorded",
    _("Shift handed over"),
    "A party's outgoing duty officer recorded a handover note: open calls, open commitments "
    "and their times, free text (read by that party alone).",
)
HANDOVER_ACKNOWLEDGED = register(
    "cases.handover_acknowledged",
    _("Handover acknowledged"),
    "The incoming duty officer acknowledged the handover note (read by that party alone).",
)
COMMS_CHECK_SENT = register(
    "cases.comms_check_sent",
    _("Communications check sent"),
    "One end of a hotline link sent a communications check; the other answers within the "
    "hotline protocol's minutes.",
)
COMMS_CHECK_ANSWERED = register(
    "cases.comms_check_answered",
    _("Communications check answered"),
    "The other end of the link answered the communications check in time.",
)
COMMS_CHECK_FAILED = register(
    "cases.comms_check_failed",
    _("Communications check failed"),
    "A communications check was not answered in time (written by the worker).",
)
