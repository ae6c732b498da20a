"""Arrangements and their versions, as loaded from scenario folders.

A version is immutable once loaded: its clauses, zones, protocols, places and sources
are written with it and never edited. Changed files make a new version, and findings
cite the version they were computed under.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coordcell.agreements.choices import ClauseKindChoices, ClauseStatusChoices, ZoneKindChoices
from coordcell.core.models import (
    LocalizedNamesMixin,
    PublicIdModel,
    RestrictedQuerySet,
    localized_now,
)
from coordcell.rules import localtime
from coordcell.rules.mechanism import MECHANISM, DecisionRule

__all__ = [
    "Arrangement",
    "ArrangementVersion",
    "Clause",
    "LexiconAmendment",
    "LexiconApproval",
    "OfficialText",
    "OfficialTranslation",
    "Place",
    "Protocol",
    "Source",
    "Zone",
]


def members_only(actor: Any) -> Q:
    """The arrangement is common ground: every member of the cell reads all of it."""
    if getattr(actor, "is_member", False):
        return Q()
    return Q(pk__in=[])


class MemberReadable(models.Model):
    """Mixin for arrangement data that every member of the cell may read."""

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def access_filter(cls, actor: Any, action: str) -> Q:
        return members_only(actor) if action == "view" else Q(pk__in=[])


class Arrangement(PublicIdModel, MemberReadable):
    """An arrangement the cell administers, e.g. ``southern_syria_2026``."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("arrangement")
        verbose_name_plural = _("arrangements")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    @property
    def current_version(self) -> ArrangementVersion | None:
        return self.versions.filter(is_current=True).first()


class ArrangementVersion(PublicIdModel, MemberReadable):
    """One loaded version of an arrangement, with the canonical content it was read from."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    titles = models.JSONField(default=dict)
    descriptions = models.JSONField(default=dict)
    content_hash = models.CharField(_("content hash"), max_length=64)
    content = models.JSONField()
    basemap = models.JSONField(default=dict)
    region_crs = models.TextField()
    region_bbox = models.JSONField()
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source_path = models.TextField(_("loaded from"))
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)
    loaded_by = models.CharField(_("loaded by"), max_length=200)
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        verbose_name = _("arrangement version")
        verbose_name_plural = _("arrangement versions")
        ordering = ["arrangement__key", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "number"], name="unique_version_number"),
            models.UniqueConstraint(
                fields=["arrangement"], condition=Q(is_current=True), name="one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.arrangement.key} v{self.number}"

    @property
    def title(self) -> str:
        return localized_now(self.titles)

    @property
    def description(self) -> str:
        return localized_now(self.descriptions)

    @property
    def time_zone(self) -> str:
        """The IANA zone of the arrangement's local times (UTC for versions stored before
        scenarios named one)."""
        return str(self.content.get("time_zone") or localtime.DEFAULT_TIME_ZONE)


class Zone(MemberReadable, LocalizedNamesMixin):
    """A line or area of a version, as WGS84 GeoJSON with an indexed bounding box."""

    version = models.ForeignKey(ArrangementVersion, on_delete=models.PROTECT, related_name="zones")
    zone_id = models.CharField(_("zone"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=ZoneKindChoices.choices())
    description = models.TextField(blank=True)
    side = models.TextField(blank=True)
    from_km = models.FloatField(null=True, blank=True)
    to_km = models.FloatField(null=True, blank=True)
    derived = models.BooleanField(default=False)
    illustrative = models.BooleanField(default=False)
    source = models.CharField(max_length=40, blank=True)
    #: How the map draws the zone, as the scenario sets it (``properties.style``).
    style = models.JSONField(default=dict, blank=True)
    #: The zone id of the area this one is a part of (a clause about part of a zone cites
    #: the part); empty for a zone of its own.
    part_of = models.CharField(_("part of"), max_length=80, blank=True)
    geometry = models.JSONField()
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "zone_id"], name="unique_zone_per_version")
        ]
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"])]

    def __str__(self) -> str:
        return self.zone_id


class Clause(MemberReadable):
    """One numbered term of a version; ``zone_ids`` and ``party_codes`` are what it cites."""

    version = models.ForeignKey(
        ArrangementVersion, on_delete=models.PROTECT, related_name="clauses"
    )
    clause_id = models.CharField(_("clause"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=ClauseKindChoices.choices())
    titles = models.JSONField(default=dict)
    #: The wording in English: the reference.
    text = models.TextField(blank=True)
    #: The wording in other languages (``{"ar": …, "he": …}``), and which of those are
    #: unofficial working translations.
    text_translations = models.JSONField(default=dict, blank=True)
    text_unofficial = models.JSONField(default=list, blank=True)
    source = models.TextField(blank=True)
    zone_ids = models.JSONField(default=list)
    party_codes = models.JSONField(default=list)
    prohibited = models.JSONField(default=list)
    limits = models.JSONField(default=dict)
    parameters = models.JSONField(default=dict)
    #: As the scenario wrote it (ISO 8601): a date, a local date-time in the
    #: arrangement's time zone, or a date-time with an offset (see rules.localtime).
    #: Null, as before, when the clause has none (the API keeps giving null).
    effective_from = models.CharField(max_length=40, null=True, blank=True)  # noqa: DJ001
    effective_until = models.CharField(max_length=40, null=True, blank=True)  # noqa: DJ001
    amends = models.CharField(max_length=40, blank=True)
    # A version loaded before clauses had a status applied every clause as in force.
    status = models.CharField(
        _("status"), max_length=20, choices=ClauseStatusChoices.choices(), default="agreed"
    )
    disputed_by = models.JSONField(default=list)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "clause_id"], name="unique_clause_per_version"
            )
        ]

    def __str__(self) -> str:
        return self.clause_id

    @property
    def title(self) -> str:
        return localized_now(self.titles)

    @property
    def text_language(self) -> str:
        """The language the wording is shown in: the reader's when translated, else English."""
        language = (get_language() or "en").split("-")[0]
        return language if self.text_translations.get(language) else "en"

    @property
    def localized_text(self) -> str:
        """The wording in the reader's language (English when not translated)."""
        language = self.text_language
        return self.text if language == "en" else str(self.text_translations[language])

    @property
    def text_is_unofficial(self) -> bool:
        """Whether the wording shown is an unofficial working translation."""
        return self.text_language in self.text_unofficial


class Protocol(MemberReadable):
    """Reply deadlines and the escalation ladder agreed between the parties."""

    version = models.ForeignKey(
        ArrangementVersion, on_delete=models.PROTECT, related_name="protocols"
    )
    protocol_id = models.CharField(max_length=40)
    #: What the cell uses it for (``rules.vocabulary.PROTOCOL_SERVES``: ``complaints``,
    #: ``hotline``), or "" for neither; at most one protocol of a version serves each.
    serves = models.CharField(max_length=20, blank=True, default="")
    titles = models.JSONField(default=dict)
    acknowledge_within_hours = models.FloatField()
    answer_within_hours = models.FloatField()
    verification_within_hours = models.FloatField()
    ladder = models.JSONField(default=list)
    #: Who decides the determination (``rules.mechanism.DecisionRule.as_content``);
    #: ``{}`` in versions stored before decision rules: any mediator.
    determined_by = models.JSONField(default=dict, blank=True)
    #: Hours for the determination from the answer (or its deadline); None: no deadline.
    determine_within_hours = models.FloatField(null=True, blank=True)
    #: What a complaint on it may be addressed to (``rules.mechanism.ADDRESSEES``);
    #: ``[]`` in versions stored before: another party only.
    addressed_to = models.JSONField(default=list, blank=True)
    #: The precedences a complaint may be lodged with, highest first (``code``,
    #: ``names``, ``first_response_within_hours``, ``answer_within_hours``); the last is
    #: the default. ``[]``: none (versions stored before, or a protocol without any).
    precedence = models.JSONField(default=list, blank=True)
    #: On the protocol serving the hotline: minutes to answer a communications check;
    #: None: no checks (versions stored before, or a scenario without them).
    comms_check_answer_minutes = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("protocol")
        verbose_name_plural = _("protocols")
        ordering = ["version", "protocol_id"]

    def __str__(self) -> str:
        return self.protocol_id

    @property
    def title(self) -> str:
        return localized_now(self.titles)

    @property
    def to_mechanism(self) -> bool:
        """Whether a complaint on it may be addressed to the mechanism itself."""
        return MECHANISM in (self.addressed_to or ())

    @property
    def decision_rule(self) -> DecisionRule:
        return DecisionRule.from_content(self.determined_by)

    @property
    def localized_precedence(self) -> list[dict[str, Any]]:
        """The precedences, highest first, with ``label`` in the active language."""
        return [{**p, "label": localized_now(p.get("names", {}))} for p in self.precedence or ()]

    def find_precedence(self, code: str) -> dict[str, Any] | None:
        """The precedence ``code`` names; "" names the default (the lowest); None: no such
        precedence (or, for "", a protocol without precedences)."""
        rows = list(self.precedence or ())
        if not rows:
            return None
        if not code:
            return dict(rows[-1])
        return next((dict(p) for p in rows if p.get("code") == code), None)

    @property
    def localized_ladder(self) -> list[dict[str, Any]]:
        """The ladder's steps with ``label`` (and ``action_label``, what is done at the
        level) in the active language."""
        return [
            {
                **step,
                "label": localized_now(step.get("names", {})),
                "action_label": localized_now(step.get("action") or {}),
            }
            for step in self.ladder
        ]


class Place(MemberReadable):
    """A named place of the scenario; coordinates may be unknown (None)."""

    version = models.ForeignKey(ArrangementVersion, on_delete=models.PROTECT, related_name="places")
    key = models.CharField(max_length=80)
    name = models.TextField()
    name_local = models.TextField(blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    feature = models.TextField(blank=True)
    country_code = models.TextField(blank=True)
    source = models.TextField(blank=True)
    source_id = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["version", "name"]

    def __str__(self) -> str:
        return self.name


class Source(MemberReadable):
    """A data source of a version, with the attribution its licence requires."""

    version = models.ForeignKey(
        ArrangementVersion, on_delete=models.PROTECT, related_name="sources"
    )
    key = models.CharField(max_length=80)
    title = models.TextField()
    licence = models.TextField()
    attribution = models.TextField()
    url = models.TextField(blank=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["version", "key"]

    def __str__(self) -> str:
        return self.key


from coordcell.agreements.text_models import (  # noqa: E402  (the models of text_models.py)
    LexiconAmendment,
    LexiconApproval,
    OfficialText,
    OfficialTranslation,
)
