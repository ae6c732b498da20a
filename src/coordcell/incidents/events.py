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
INCIDENTS_IMPORTED = register(
    "incidents.imported",
    _("Incidents imported"),
    "A chunk of rows of an open-source dataset (UCDP, ACLED, GeoJSON) was imported as "
    "incidents by the operator: for each incident created its reference, source id and the "
    "SHA-256 of its canonical snapshot, with the dataset, the file, the lines and the counts.",
)
EVIDENCE_ADDED = register(
    "incidents.evidence_added",
    _("Evidence added"),
    "A file was attached to an incident; its SHA-256, size and type are recorded.",
)
EVIDENCE_RELEASED = register(
    "incidents.evidence_released",
    _("Evidence copy released"),
    "A scrubbed copy of evidence attached before copies were made was released to the "
    "incident's audience: the original's SHA-256 and the copy's hash, size and name.",
)
EVIDENCE_NOT_RELEASED = register(
    "incidents.evidence_not_released",
    _("Evidence copy not released"),
    "Evidence attached before copies were made could not be released (a type outside the "
    "allow-list, or an original missing or changed): it stays with the party that "
    "attached it, the only audience of this entry.",
)
INCIDENT_SHARED = register(
    "incidents.incident_shared",
    _("Incident shared"),
    "An incident was shared with more parties: the parties added and the audience after.",
)
ESCROWED_FINDINGS = register(
    "incidents.position_findings_computed",
    _("Findings from declared positions"),
    "The rules engine's freeze and withdrawal findings about an incident, computed against "
    "one party's declared positions (held in escrow), or an empty list when there is none "
    "(one entry per party, whatever is in escrow): read by that party and the mediators "
    "among the incident's audience, never by the incident's whole audience.",
)
CASUALTIES_GIVEN = register(
    "incidents.casualties_given",
    _("Casualty figures given"),
    "A party gave or revised its figures of an incident's casualties: for each cell "
    "(category, outcome, age band, sex) its low, best and high estimates. Counts only: no "
    "person is named or described.",
)
PROPERTY_RECORDED = register(
    "incidents.property_recorded",
    _("Property record opened"),
    "A party recorded property harmed in or around an incident (a demolition, land "
    "cleared, damage) with its version: extent, area, structures, land use.",
)
PROPERTY_VERSION_GIVEN = register(
    "incidents.property_version_given",
    _("Party's version of a property record"),
    "A party gave or revised its version of a property record: extent, area, structures, "
    "land use. A link to a declared position is kept with the version, not recorded here "
    "(the entry's readers may not all see that position).",
)
