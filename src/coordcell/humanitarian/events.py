"""Record event types of detainees and missing persons. Their data carries the file's
random reference and the digest of its sealed personal data, never a name."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

FILE_OPENED = register(
    "humanitarian.file_opened",
    _("Person's file opened"),
    "A party opened the file of a detained or missing person: reference, status, since "
    "when, where, the access body named, and the digest of the sealed personal data.",
)
VERSION_STATED = register(
    "humanitarian.version_stated",
    _("Version stated"),
    "A party stated its version of a file: who holds the person and the status it states.",
)
STATUS_CHANGED = register(
    "humanitarian.status_changed",
    _("Status changed"),
    "A file's status changed (charged, released, detained, located), with its date.",
)
DETENTION_NOTIFIED = register(
    "humanitarian.detention_notified",
    _("Detention notified"),
    "The detention was notified (the date it was).",
)
ACCESS_GRANTED = register(
    "humanitarian.access_granted",
    _("Access granted"),
    "The agreed access body visited the person (the date access was granted).",
)
FILE_SHARED = register(
    "humanitarian.file_shared",
    _("File shared"),
    "The reporting party shared the file with another party, on the record.",
)
FILE_LINKED = register(
    "humanitarian.file_linked",
    _("File linked"),
    "A file was linked to an incident or a case (by public id).",
)
PERSONAL_DATA_AMENDED = register(
    "humanitarian.personal_data_amended",
    _("Personal data amended"),
    "The reporting party amended the sealed personal data (the new digest only).",
)
REQUEST_OPENED = register(
    "humanitarian.request_opened",
    _("Request opened"),
    "A release or access request was made of a party, due at a deadline (perhaps ordered "
    "by a determination's remedy).",
)
REQUEST_MET = register(
    "humanitarian.request_met",
    _("Request met"),
    "A request was met before its deadline (the release or the access recorded).",
)
REQUEST_MISSED = register(
    "humanitarian.request_missed",
    _("Request missed"),
    "A request's deadline passed unmet (the worker, once), and the level of the protocol's "
    "ladder it climbed to.",
)
PERSONAL_DATA_ROTATED = register(
    "humanitarian.personal_data_rotated",
    _("Personal data sealed again"),
    "The operator sealed every file's personal data again with the current key (the count).",
)
