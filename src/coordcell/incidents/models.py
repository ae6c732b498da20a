"""Incidents: what was reported, where and when, with each party's version side by side.

An incident is never "what happened": it is a report from a source (a party, a monitor,
the hotline, an open-source dataset). Each party may give its own version
(:class:`Account`); the monitors' facts and the mediator's determination are separate
records (cases). The rules engine's findings are stored with the arrangement version
they were computed under, and computed again whenever place, time or kind change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordcell.core.actor import Actor
from coordcell.core.audience import AudienceMixin, visible_to
from coordcell.core.models import PublicIdModel, RestrictedQuerySet, new_reference
from coordcell.incidents.choices import (
    ActedByChoices,
    ActorClaimChoices,
    AgeBandChoices,
    CasualtyCategoryChoices,
    CasualtyOutcomeChoices,
    LandUseChoices,
    PrecisionChoices,
    PropertyKindChoices,
    SexBandChoices,
    SourceChoices,
)

__all__ = [
    "EXTENSIONS",
    "Account",
    "CasualtyFigure",
    "EscrowedFinding",
    "Evidence",
    "Incident",
    "PropertyDamage",
    "PropertyVersion",
]

#: The evidence types accepted, with the extension of the files served (incidents.evidence).
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
    "text/plain": "txt",
}


def incident_reference() -> str:
    """A new incident's reference, ``INC-`` and random characters (no count)."""
    return new_reference("INC")


class Incident(AudienceMixin, PublicIdModel):
    """A report of something that happened, from a source: never a verdict."""

    reference = models.CharField(
        _("reference"), max_length=30, unique=True, default=incident_reference, editable=False
    )

    kind = models.CharField(_("kind"), max_length=60)
    #: The title the source gave, as last reported: a party's characterisation, shown only
    #: as that party's version (``Account.title``) or, for an imported row, as the
    #: source's. Readers see the generated headline (``incidents.headlines``) instead.
    title = models.CharField(_("title"), max_length=300)
    occurred_from = models.DateTimeField(_("occurred from"))
    occurred_until = models.DateTimeField(_("occurred until"), null=True, blank=True)
    time_precision = models.CharField(
        _("time precision"),
        max_length=10,
        choices=PrecisionChoices.choices(),
        default=PrecisionChoices.MINUTE,
    )
    geometry = models.JSONField(_("geometry"))
    uncertainty_m = models.FloatField(_("location uncertainty (m)"), default=0)
    lon = models.FloatField()
    lat = models.FloatField()
    #: The map's grid cell of (lon, lat) at the finest level (``rules.grid.cell_key``),
    #: set with them by the services: every zoom's clusters are a shift of it.
    cell = models.BigIntegerField(default=0)
    source = models.CharField(_("source"), max_length=30, choices=SourceChoices.choices())
    source_party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_dataset = models.CharField(max_length=40, blank=True)
    source_ref = models.CharField(max_length=120, blank=True)
    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    # Who acted, as the report says (the reporter's version, never the cell's finding):
    # not stated, a party of the arrangement (``acting_party``, a party code) and possibly
    # one of its forces (``acting_force``, an id of the scenario's ``[[forces]]``), or an
    # actor no party controls. The engine uses it for the clauses' exemptions.
    acted_by = models.CharField(
        _("reported as acting"),
        max_length=10,
        choices=ActedByChoices.choices(),
        default=ActedByChoices.UNKNOWN,
    )
    acting_party = models.CharField(_("acting party"), max_length=40, blank=True)
    acting_force = models.CharField(_("acting force"), max_length=40, blank=True)
    zones = models.JSONField(default=list)
    possible_zones = models.JSONField(default=list)
    findings = models.JSONField(default=list)
    problems = models.JSONField(default=list)
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fictional = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_from", "-pk"]
        indexes = [
            # The map's viewport (situation.maplayers): the time slider's range first, then
            # what the clusters read, so that they are counted from the index alone.
            models.Index(
                fields=["occurred_from", "lat", "lon", "cell", "audience", "kind"],
                name="incidents_map_viewport",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_dataset", "source_ref"],
                condition=~Q(source_ref=""),
                name="incidents_one_per_source_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Account(models.Model):
    """One revision of one party's version of an incident.

    A revision is a new row, never an update: a party's current version is its latest row
    (``incidents.selectors.accounts_by_party``), and the earlier ones stay readable, with
    their times (``account_history``). The reporting party's first revision is written
    with the report and carries its title.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="accounts")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    actor_claim = models.CharField(
        _("actor"), max_length=30, choices=ActorClaimChoices.choices(), default="unknown"
    )
    actor_text = models.CharField(_("actor named"), max_length=300, blank=True)
    casualties_low = models.PositiveIntegerField(_("casualties (low)"), null=True, blank=True)
    casualties_best = models.PositiveIntegerField(_("casualties (best)"), null=True, blank=True)
    casualties_high = models.PositiveIntegerField(_("casualties (high)"), null=True, blank=True)
    #: The party's own title of the incident (its characterisation; the reporter's is its
    #: report's title). Empty: the party gave none.
    title = models.CharField(_("title"), max_length=300, blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    given_at = models.DateTimeField(_("given at"))
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("party's version")
        ordering = ["party__code", "given_at", "pk"]
        indexes = [
            models.Index(fields=["incident", "party", "given_at"], name="incidents_account_rev")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}/{self.party_id}"


class Evidence(models.Model):
    """A file attached to an incident: the sealed original and its released copy.

    The original is stored under its SHA-256 at ``evidence/ab/cdef…`` and served only to
    the party that attached it; the scrubbed copy (``incidents.evidence``) is
    stored under its own SHA-256 at ``evidence/released/ab/cdef…`` and served to the
    incident's audience as ``<copy sha256>.<extension>``. Files attached before copies
    were made start with an empty ``copy_sha256`` and no ``copy_size``: the worker
    releases their copies (``evidence.release_missing_copies``); one it cannot release (a
    type outside the allow-list, an original missing or changed) keeps an empty
    ``copy_sha256`` with a ``copy_size`` of 0, and nothing of it is released.
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="evidence")
    sha256 = models.CharField(_("SHA-256 of the original"), max_length=64)
    size = models.PositiveBigIntegerField(_("size of the original"))
    content_type = models.CharField(_("detected type"), max_length=100)
    #: The name the uploader gave: shown to the uploading party only, never recorded.
    filename = models.CharField(_("file name"), max_length=200)
    copy_sha256 = models.CharField(_("SHA-256 of the released copy"), max_length=64, blank=True)
    copy_size = models.PositiveBigIntegerField(_("size of the released copy"), null=True)
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("evidence file")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "sha256"], name="incidents_evidence_once")
        ]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} {self.content_type}"

    @staticmethod
    def original_path_for(sha256: str) -> str:
        return f"evidence/{sha256[:2]}/{sha256}"

    @staticmethod
    def released_path_for(sha256: str) -> str:
        return f"evidence/released/{sha256[:2]}/{sha256}"

    @property
    def path(self) -> str:
        """Where the sealed original is stored."""
        return self.original_path_for(self.sha256)

    original_path = path

    @property
    def released_path(self) -> str:
        return self.released_path_for(self.copy_sha256)

    @property
    def released_name(self) -> str:
        """The released copy's download name: its hash and the detected type's extension."""
        if not self.copy_sha256:
            return ""
        return f"{self.copy_sha256}.{EXTENSIONS.get(self.content_type, 'bin')}"

    def original_visible_to(self, actor: Actor) -> bool:
        """Only members of the party that attached the file may fetch the original."""
        return bool(
            self.party_id is not None and not actor.system and actor.party_id == self.party_id
        )


class EscrowedFinding(AudienceMixin, models.Model):
    """The rules engine's freeze and withdrawal findings about one incident, computed
    against one party's declared positions (held by the mediator in escrow).

    Such a finding tells something about the positions it was compared with (a distance
    to the nearest declared post, a post's reference and date), so it is read by that
    party and the mediators only, and only those of them who read the incident: its
    ``audience`` is the incident's audience intersected with that party and the
    mediators, and :meth:`access_filter` asks for the incident's audience as well. One row
    per incident and party; none when there is no finding (hidden looks like missing).
    ``computed_at`` labels the positions compared: as declared at that moment
    (docs/positions.md, "Findings from declared positions").
    """

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="escrowed_findings"
    )
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(
        "agreements.ArrangementVersion", on_delete=models.PROTECT, related_name="+"
    )
    findings = models.JSONField(default=list)
    computed_at = models.DateTimeField(_("computed at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding from declared positions")
        ordering = ["party__code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "party"], name="incidents_escrow_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}/{self.party_id}"

    @classmethod
    def access_filter(cls, actor: Actor, action: str) -> Q:
        return visible_to(actor) & visible_to(actor, "incident__")


class CasualtyFigure(models.Model):
    """One revision of one party's figure for one cell of an incident's casualties: a
    category (civilian, military), an outcome (killed, injured, detained), an age band
    and a sex band, with a low, a best and a high estimate (low ≤ best ≤ high).

    Counts only, never a person: no name, no age in years, nothing that tells who. A
    revision is a new row; a party's current figure for a cell is its latest row
    (``incidents.selectors.casualty_table``), and a figure withdrawn is a revision of
    0/0/0. Read only through an incident the reader may read (its audience).
    """

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="casualties")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(
        _("category"), max_length=20, choices=CasualtyCategoryChoices.choices()
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=CasualtyOutcomeChoices.choices()
    )
    age_band = models.CharField(
        _("age"), max_length=20, choices=AgeBandChoices.choices(), default=AgeBandChoices.UNKNOWN
    )
    sex = models.CharField(
        _("sex"), max_length=20, choices=SexBandChoices.choices(), default=SexBandChoices.UNKNOWN
    )
    low = models.PositiveIntegerField(_("low estimate"))
    best = models.PositiveIntegerField(_("best estimate"))
    high = models.PositiveIntegerField(_("high estimate"))
    given_at = models.DateTimeField(_("given at"))
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("casualty figure")
        ordering = ["party__code", "given_at", "pk"]
        indexes = [
            models.Index(fields=["incident", "party", "given_at"], name="incidents_casualty_rev")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(low__lte=models.F("best")) & Q(best__lte=models.F("high")),
                name="incidents_casualty_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}/{self.party_id} {self.category}/{self.outcome}"

    @property
    def cell(self) -> tuple[str, str, str, str]:
        return (self.category, self.outcome, self.age_band, self.sex)


def property_reference() -> str:
    """A new property record's reference, ``PROP-`` and random characters (no count)."""
    return new_reference("PROP")


class PropertyDamage(PublicIdModel):
    """Property harmed in or around an incident: a demolition, land cleared, damage. The
    record names what was harmed; each party gives its version of it
    (:class:`PropertyVersion`), side by side. Read only through its incident."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="property")
    reference = models.CharField(
        _("reference"), max_length=30, unique=True, default=property_reference, editable=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PropertyKindChoices.choices())
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("property record")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return self.reference


class PropertyVersion(models.Model):
    """One revision of one party's version of a property record: the extent (a validated
    geometry and/or an area in m²), the structures, the land's use, the declared position
    it was around (by public id: shown only to a reader who may see that position), and a
    note. A revision is a new row; the latest is the party's current version."""

    damage = models.ForeignKey(PropertyDamage, on_delete=models.PROTECT, related_name="versions")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    geometry = models.JSONField(_("extent"), null=True, blank=True)
    area_m2 = models.FloatField(_("area (m²)"), null=True, blank=True)
    structures = models.PositiveIntegerField(_("structures"), null=True, blank=True)
    land_use = models.CharField(
        _("land use"), max_length=30, choices=LandUseChoices.choices(), blank=True
    )
    position = models.UUIDField(_("declared position"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    given_at = models.DateTimeField(_("given at"))
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("party's version of a property record")
        ordering = ["party__code", "given_at", "pk"]

    def __str__(self) -> str:
        return f"{self.damage_id}/{self.party_id}"
