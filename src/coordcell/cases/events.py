"""Record event types of cases: one per step of the workflow, plus the worker's."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

LODGED = register(
    "cases.complaint_lodged",
    _("Complaint lodged"),
    "A party lodged a complaint about an incident; the protocol's deadlines started.",
)
STEP = {
    "acknowledge": register(
        "cases.acknowledged", _("Complaint acknowledged"), "The other party acknowledged it."
    ),
    "answer": register("cases.answered", _("Complaint answered"), "The other party answered it."),
    "request_verification": register(
        "cases.verification_requested",
        _("Verification requested"),
        "A party or the mediator asked the monitors to verify the facts.",
    ),
    "record_verified": register(
        "cases.verified", _("Facts verified"), "The monitors verified the facts."
    ),
    "record_unverifiable": register(
        "cases.unverifiable", _("Facts unverifiable"), "The monitors could not verify the facts."
    ),
    "record_disputed": register(
        "cases.disputed", _("Facts disputed"), "The verification left the facts in dispute."
    ),
    "determine": register(
        "cases.determined",
        _("Determination made"),
        "The mediator determined the case; who decided is recorded.",
    ),
    "remedy": register("cases.remedied", _("Remedy reported"), "A remedy was reported."),
    "close": register("cases.closed", _("Case closed"), "The mediator closed the case."),
    "withdraw": register(
        "cases.withdrawn", _("Complaint withdrawn"), "The complainant withdrew the complaint."
    ),
    "escalate": register(
        "cases.escalated",
        _("Case escalated"),
        "The case climbed one level of the protocol's ladder, by request or when a "
        "deadline expired.",
    ),
    "extend": register(
        "cases.deadline_extended",
        _("Deadline extended by agreement"),
        "The mediator recorded that the parties agreed to extend a deadline, by how much and why.",
    ),
    "no_reply": register(
        "cases.no_reply",
        _("No reply by the deadline"),
        "A deadline expired without the step it waited for (written by the worker).",
    ),
}

HOTLINE_ACTIVATED = register(
    "cases.hotline_activated",
    _("Hotline activated"),
    "A party called or messaged another over the hotline: who, to whom, about what.",
)
HOTLINE_ANSWERED = register(
    "cases.hotline_answered",
    _("Hotline answered"),
    "The called party answered a hotline activation; the time to answer is recorded.",
)
HOTLINE_CONVERTED = register(
    "cases.hotline_converted",
    _("Hotline activation became a complaint"),
    "A hotline activation became an incident and a complaint in one step.",
)
