"""Record event types of the sharing app (registered when the app is ready).

Every entry about an item carries the item's audience at that moment (after a change,
the new one), so an entry about an item one cannot read is one one cannot read."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

ITEM_CREATED = register(
    "sharing.item_created",
    _("Item shared"),
    "A party put an item in the cell for an audience (read by that audience).",
)
ATTACHMENT_ADDED = register(
    "sharing.attachment_added",
    _("File attached to an item"),
    "A file was attached to an item: the original's and the released copy's hashes "
    "(read by the item's audience).",
)
CONSENT_REQUESTED = register(
    "sharing.consent_requested",
    _("Consent requested"),
    "Someone asked the originator (and, for public release, every party) to widen an "
    "item's audience (read by the item's audience).",
)
CONSENT_DECIDED = register(
    "sharing.consent_decided",
    _("Consent decided"),
    "A party gave or refused its consent to widen an item's audience (read by the "
    "item's audience).",
)
CONSENT_WITHDRAWN = register(
    "sharing.consent_withdrawn",
    _("Consent request withdrawn"),
    "The person who asked to widen an item's audience withdrew the request.",
)
AUDIENCE_WIDENED = register(
    "sharing.audience_widened",
    _("Audience widened"),
    "An item's audience was widened with the consent recorded (read by the new audience).",
)
AUDIENCE_NARROWED = register(
    "sharing.audience_narrowed",
    _("Audience narrowed"),
    "An item's originator narrowed its audience: those left out keep what they saw, "
    "nothing more is delivered to them (read by the new audience).",
)
REDACTED = register(
    "sharing.redacted",
    _("Redacted version made"),
    "A redacted version of an item was made as an item of its own; the entry names the "
    "fields it leaves out, never their content (read by the redacted item's audience).",
)
TEARLINE_MADE = register(
    "sharing.tearline_made",
    _("Tearline part released"),
    "The releasable part below an item's tearline was made an item of its own (read by "
    "that part's audience; the product above the line stays with its own).",
)
RELEASABILITY_SET = register(
    "sharing.releasability_set",
    _("Releasability changed"),
    "An item's originator changed its releasability (REL) marking or originator control.",
)
