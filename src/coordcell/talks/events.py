"""Record event types of the talks."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

MEETING_SCHEDULED = register(
    "talks.meeting_scheduled",
    _("Meeting scheduled"),
    "The mediator scheduled a meeting: tracks, parties attending, place and time, and the "
    "agenda it opens with (standing items, items carried forward, items pulled in).",
)
MEETING_HELD = register(
    "talks.meeting_held", _("Meeting held"), "The mediator recorded that a meeting took place."
)
MEETING_CANCELLED = register(
    "talks.meeting_cancelled", _("Meeting cancelled"), "The mediator cancelled a meeting."
)
PARTICIPANTS_SET = register(
    "talks.participants_set",
    _("Attendees named"),
    "A party named who attends a meeting for it (read by that party and the mediators).",
)
AGENDA_ITEM_ADDED = register(
    "talks.agenda_item_added", _("Agenda item added"), "The mediator added an item."
)
AGENDA_ITEM_CLOSED = register(
    "talks.agenda_item_closed",
    _("Agenda item closed"),
    "An agenda item was closed at a meeting: it no longer carries forward.",
)
MINUTES_DRAFTED = register(
    "talks.minutes_drafted",
    _("Minutes drafted"),
    "The mediator drafted (or revised) a meeting's minutes, with the hash of each language.",
)
MINUTES_CIRCULATED = register(
    "talks.minutes_circulated",
    _("Minutes circulated"),
    "The mediator circulated the draft minutes to the meeting's parties for approval.",
)
MINUTES_APPROVED = register(
    "talks.minutes_approved",
    _("Minutes approved"),
    "A party approved a revision of the minutes (the text's hash), with any objection "
    "recorded beside the text.",
)
MINUTES_AGREED = register(
    "talks.minutes_agreed",
    _("Minutes agreed"),
    "Every party attending approved the minutes: they are the agreed minutes.",
)
CHAIR_SUMMARY = register(
    "talks.chair_summary",
    _("Chair's summary"),
    "The chair's own summary of a meeting (not agreed by the parties).",
)
NOTES_SAVED = register(
    "talks.notes_saved",
    _("Delegation's notes saved"),
    "A delegation saved its own notes of a meeting (their hash; read by that party alone).",
)
MEDIA_LINE_AGREED = register(
    "talks.media_line_agreed",
    _("Media line agreed"),
    "The press line after a meeting, the next meeting's date and any embargo.",
)
MEETING_REQUESTED = register(
    "talks.meeting_requested",
    _("Meeting requested"),
    "A party asked for a meeting at short notice; the mediator answers by a deadline.",
)
REQUEST_ANSWERED = register(
    "talks.request_answered",
    _("Meeting request answered"),
    "The mediator scheduled the meeting a party asked for, or declined with reasons.",
)
REQUEST_LAPSED = register(
    "talks.request_lapsed",
    _("Meeting request unanswered"),
    "The worker found a request for a meeting unanswered by its deadline.",
)
SUBSCRIPTION_CREATED = register(
    "talks.subscription_created",
    _("Calendar subscription created"),
    "A person made a calendar subscription URL (its secret is not in the record).",
)
SUBSCRIPTION_REVOKED = register(
    "talks.subscription_revoked",
    _("Calendar subscription revoked"),
    "A person revoked a calendar subscription URL.",
)
