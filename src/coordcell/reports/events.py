"""Record event types of the daily report and time-locked publication."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

REPORT_RELEASED = register(
    "reports.report_released",
    _("Daily report released"),
    "The day's report was released to this reader party, at the one moment it was released "
    "to every party; the data names the day, the counting rules' version and the SHA-256 of "
    "each language's HTML and PDF as the party received them.",
)
PDF_MADE = register(
    "reports.pdf_made",
    _("Daily report PDF made"),
    "The worker made the PDF of the report this reader party received, from the HTML "
    "hashed at its release; the data names the SHA-256 of each language's PDF.",
)
PUBLICATION_ISSUED = register(
    "reports.publication_issued",
    _("Issued for publication"),
    "A text (the day's counts, a determination, the scorecard) was issued to the parties "
    "with its SHA-256 and the moment its embargo ends; the same text is published then.",
)
EXTENSION_SIGNED = register(
    "reports.extension_signed",
    _("Embargo extension signed"),
    "A party signed the extension of a publication's embargo for the current round; the "
    "embargo is extended only if every party signs before it ends.",
)
EMBARGO_EXTENDED = register(
    "reports.embargo_extended",
    _("Embargo extended"),
    "Every party had signed the extension when the embargo ended: it now ends later.",
)
PUBLICATION_RELEASED = register(
    "reports.publication_released",
    _("Published"),
    "The embargo ended without every party's signature on an extension: the text issued "
    "with this SHA-256 was published to the recipient the arrangement names.",
)
