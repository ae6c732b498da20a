"""Record event types of the agreements app."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

VERSION_LOADED = register(
    "agreements.version_loaded",
    _("Arrangement version loaded"),
    "A new version of an arrangement was loaded from its scenario files.",
)

# --- authoritative texts and the lexicon's amendments -----------------------------------

OFFICIAL_TEXT_ISSUED = register(
    "agreements.official_text_issued",
    _("Official text issued"),
    "An official text (minutes, a determination, an agreed outcome) in its authoritative "
    "language, with the SHA-256 of its text.",
)
TRANSLATION_RECORDED = register(
    "agreements.translation_recorded",
    _("Translation recorded"),
    "A language's text of an official text: translator, status and SHA-256.",
)
TRANSLATION_STATUS = register(
    "agreements.translation_status",
    _("Translation checked or certified"),
    "A translation of an official text was checked or certified (its hash restated).",
)
LEXICON_AMENDMENT_PROPOSED = register(
    "agreements.lexicon_amendment_proposed",
    _("Lexicon amendment proposed"),
    "New names proposed for an entry of the agreed lexicon.",
)
LEXICON_AMENDMENT_DECIDED = register(
    "agreements.lexicon_amendment_decided",
    _("Lexicon amendment decided"),
    "A party (or the mediator) approved or refused a proposed amendment of the lexicon.",
)
LEXICON_AMENDMENT_APPLIED = register(
    "agreements.lexicon_amendment_applied",
    _("Lexicon amendment applied"),
    "Every party and the mediator approved: the agreed lexicon uses the new names.",
)
