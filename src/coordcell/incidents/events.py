"""Record event types of incidents."""

from django.utils.translation import gettext_lazy as _

from coordcell.record.events import register

INCIDENT_REPORTED = register(
    "incidents.incident_reported",
    _("Incident reported"),
    "An incident was reported (by a party, a monitor, the hotline or an import), with the "
    "findings of the rules engine under the arrangement version in force.",
)
INCIDENT_CHANGED = register(
    "incidents.incident_changed",
    _("Incident changed"),
    "An incident's place, time or kind changed; its findings were computed again.",
)
ACCOUNT_GIVEN = register(
    "incidents.account_given",
    _("Party's version given"),
    "A party gave or revised its version of an incident: actor claimed or denied, "
    "casualties, narrative.",
)
