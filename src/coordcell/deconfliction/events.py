"""Record event types of advance notification."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

HUMANITARIAN_REGISTERED = register(
    "deconfliction.humanitarian_registered",
    _("Humanitarian actor registered"),
    "The mediator registered a humanitarian actor whose notices it relays.",
)
NOTICE_SUBMITTED = register(
    "deconfliction.notice_submitted",
    _("Notice submitted"),
    "A party (or the mediator for a humanitarian actor) notified an activity: window, "
    "place, lead time, whether it was late, and the warnings its author confirmed.",
)
NOTICE_ACKNOWLEDGED = register(
    "deconfliction.notice_acknowledged",
    _("Notice acknowledged"),
    "An addressee acknowledged a notice with its receipt.",
)
NOTICE_WITHDRAWN = register(
    "deconfliction.notice_withdrawn",
    _("Notice withdrawn"),
    "The notifying party withdrew a notice before its window ended (the activity will not "
    "take place, or no longer): when, and the reason it gave.",
)
NOTICE_ESCALATED = register(
    "deconfliction.notice_escalated",
    _("Notice escalated"),
    "A receipt was missing when due: the notice climbed the protocol's ladder (the worker).",
)
FOLLOW_UP_FOUND = register(
    "deconfliction.follow_up_found",
    _("Incident near a notice"),
    "An incident within the follow-up distance of a notice during its window (the worker); "
    "the case it opened, if any party may read both.",
)
MISSING_NOTICE_FLAGGED = register(
    "deconfliction.missing_notice_flagged",
    _("Missing notice flagged"),
    "An incident of a notifiable activity by a party that no notice its readers share covers.",
)
ACCESS_REQUESTED = register(
    "deconfliction.access_requested",
    _("Access requested"),
    "A party asked another for its civilians' access to land near the lines: who by the "
    "party's own reference (never a name), where, when, what for, and when the answer is due.",
)
ACCESS_ACKNOWLEDGED = register(
    "deconfliction.access_acknowledged",
    _("Access request acknowledged"),
    "The answering party acknowledged an access request with its receipt.",
)
ACCESS_ANSWERED = register(
    "deconfliction.access_answered",
    _("Access request answered"),
    "The answering party granted an access request, granted it with an escorted access "
    "window (when, escorted by whom), or denied it with a reason.",
)
ACCESS_ESCALATED = register(
    "deconfliction.access_escalated",
    _("Access request escalated"),
    "An access request was still unanswered when due: it climbed the protocol's ladder "
    "(the worker).",
)
