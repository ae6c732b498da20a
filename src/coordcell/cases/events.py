"""Record event types of cases: one per step of the workflow, plus the worker's."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register
from coordcell.rules.workflow import Action as A

LODGED = register(
    "cases.complaint_lodged",
    _("Complaint lodged"),
    "A party lodged a complaint about an incident; the protocol's deadlines started.",
)
INQUIRY_OPENED = register(
    "cases.inquiry_opened",
    _("Inquiry opened of its own motion"),
    "The mediator or a monitor opened a case of its own motion, with no complainant "
    "party; the party concerned answers it on the protocol's deadlines.",
)
STEP = {
    A.ACKNOWLEDGE: register(
        "cases.acknowledged", _("Complaint acknowledged"), "The other party acknowledged it."
    ),
    A.ANSWER: register("cases.answered", _("Complaint answered"), "The other party answered it."),
    A.REQUEST_CLARIFICATION: register(
        "cases.clarification_requested",
        _("Clarification requested"),
        "The respondent asked the complainant to clarify the complaint; the answer's "
        "deadline is paused until it does.",
    ),
    A.CLARIFY: register(
        "cases.clarified",
        _("Complaint clarified"),
        "The complainant clarified the complaint; the answer's deadline resumes with the "
        "time it had left.",
    ),
    A.PROPOSE_RESOLUTION: register(
        "cases.resolution_proposed",
        _("Terms proposed at working level"),
        "A party proposed terms on which the parties resolve the case at working level; "
        "the other party may agree to them.",
    ),
    A.AGREE_RESOLUTION: register(
        "cases.resolved_by_agreement",
        _("Resolved by agreement"),
        "The other party agreed to the proposed terms: the case is resolved by agreement "
        "of both parties at working level, with the terms on record.",
    ),
    A.REFER_TO_TALKS: register(
        "cases.referred_to_talks",
        _("Referred to the talks"),
        "The mediator or a deciding party referred the case to the talks, with a reason.",
    ),
    A.LINK: register(
        "cases.linked",
        _("Linked to another case"),
        "The mediator or a deciding party linked the case to another, as its duplicate or "
        "its counter-complaint.",
    ),
    A.REQUEST_VERIFICATION: register(
        "cases.verification_requested",
        _("Verification requested"),
        "A party or the mediator asked the monitors to verify the facts.",
    ),
    A.RECORD_VERIFIED: register(
        "cases.verified", _("Facts verified"), "The monitors verified the facts."
    ),
    A.RECORD_UNVERIFIABLE: register(
        "cases.unverifiable", _("Facts unverifiable"), "The monitors could not verify the facts."
    ),
    A.RECORD_DISPUTED: register(
        "cases.disputed", _("Facts disputed"), "The verification left the facts in dispute."
    ),
    A.DETERMINE: register(
        "cases.determined",
        _("Determination made"),
        "A party that may decide the case alone under its protocol's rule determined it; "
        "the parties that decided are recorded.",
    ),
    A.PROPOSE: register(
        "cases.determination_proposed",
        _("Determination proposed"),
        "One of the parties that decide jointly proposed a determination; it takes effect "
        "only when each of the others has concurred.",
    ),
    A.CONCUR: register(
        "cases.determination_concurred",
        _("Concurrence with the proposed determination"),
        "A party that decides jointly concurred with the proposed determination; the last "
        "concurrence puts it into effect (the step's state is then determined, with every "
        "party that decided).",
    ),
    A.DECLINE: register(
        "cases.determination_declined",
        _("Proposed determination declined"),
        "A party that decides jointly declined the proposed determination; it lapsed.",
    ),
    A.REMEDY: register(
        "cases.remedied",
        _("Remedy reported"),
        "The respondent reported the remedy (cases determined before remedies were "
        "structured; no longer written).",
    ),
    A.REMEDY_DONE: register(
        "cases.remedy_done",
        _("Remedy reported done"),
        "The party that owns a remedy of the determination reported it done; its verifier "
        "is to verify it.",
    ),
    A.VERIFY_REMEDY: register(
        "cases.remedy_verified",
        _("Remedy verified"),
        "A remedy's verifier (a monitor party, or the deciding parties) verified it, or "
        "found it not done (it is open again); the last remedy verified makes the case "
        "remedied.",
    ),
    A.REMEDY_MISSED: register(
        "cases.remedy_missed",
        _("Remedy not done by its deadline"),
        "A remedy's deadline passed before its owner reported it done: the case is marked "
        "non-compliant (written by the worker).",
    ),
    A.RESERVE: register(
        "cases.reservation_attached",
        _("Reservation attached to the determination"),
        "A party concerned attached its reservation (its own text) to the determination.",
    ),
    A.ASSENT: register(
        "cases.closing_assented",
        _("Complainant assented to closing"),
        "The complainant assented to closing the case before every remedy was verified.",
    ),
    A.CLOSE: register(
        "cases.closed", _("Case closed"), "The mediator or a deciding party closed the case."
    ),
    A.WITHDRAW: register(
        "cases.withdrawn", _("Complaint withdrawn"), "The complainant withdrew the complaint."
    ),
    A.ESCALATE: register(
        "cases.escalated",
        _("Case escalated"),
        "The case climbed one level of the protocol's ladder, on grounds: a missed "
        "deadline (the worker), a rejected answer, or the mediator's decision; the "
        "reasons and the grounds are recorded.",
    ),
    A.EXTEND: register(
        "cases.deadline_extended",
        _("Deadline extended by agreement"),
        "A proposed extension took effect: both parties countersigned it, and the deadline "
        "moved (from when, to when, who proposed it, who countersigned).",
    ),
    A.PROPOSE_EXTENSION: register(
        "cases.extension_proposed",
        _("Deadline extension proposed"),
        "The mediator or a deciding party proposed to move a deadline; the old deadline "
        "runs until both parties countersign.",
    ),
    A.COUNTERSIGN_EXTENSION: register(
        "cases.extension_countersigned",
        _("Deadline extension countersigned"),
        "The complainant or the respondent countersigned a proposed extension.",
    ),
    A.REFUSE_EXTENSION: register(
        "cases.extension_refused",
        _("Deadline extension refused"),
        "The complainant or the respondent refused a proposed extension; it lapsed.",
    ),
    A.CHANGE_PRECEDENCE: register(
        "cases.precedence_changed",
        _("Precedence changed"),
        "The complainant or the mediator changed the case's precedence, with a reason; the "
        "open acknowledgement and answer deadlines moved by the difference between the new "
        "and the old precedence's hours.",
    ),
    A.REJECT_ANSWER: register(
        "cases.answer_rejected",
        _("Answer rejected"),
        "The complainant rejected the answer, with its reasons: grounds to climb the ladder.",
    ),
    A.RECORD_LEVEL_OUTCOME: register(
        "cases.level_outcome_recorded",
        _("Outcome at the level recorded"),
        "The mediator or a deciding party recorded what was done at the case's level of "
        "the ladder (the level's action, e.g. a principals' meeting).",
    ),
    A.REVIEW_DUE: register(
        "cases.review_due",
        _("Review due at this level"),
        "The case stayed at its level of the ladder for the protocol's review time: the "
        "mediator is reminded to review it (written by the worker; the case does not climb).",
    ),
    A.NO_REPLY: register(
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

SCORECARD_RELEASE_SIGNED = register(
    "cases.scorecard_release_signed",
    _("Scorecard release countersigned"),
    "A party countersigned the release of the scorecard beyond the parties (to donors and "
    "observers); it is released once every party has.",
)
SCORECARD_RELEASED = register(
    "cases.scorecard_released",
    _("Scorecard released"),
    "Every party countersigned: the scorecard, over the cases and calls they all could see, "
    "was released to every member of the cell.",
)
