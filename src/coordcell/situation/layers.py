"""The layers GIS clients read: one place that says, for each, who may read it at all, how
its features look (GeoJSON, WGS84 lon/lat), their names in every language of the lexicon
and their time span.

Everything is read through the owning app's selectors for the caller, so a layer holds
only what the caller may see; a caller who may read none of a layer does not see the
layer at all (``readable``). The OGC API (``ogc.py``) and the exports
(``gis_exports.py``) both serve these layers and nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from shapely.geometry import box, shape

from coordcell.agreements import selectors as agreements
from coordcell.agreements.engines import activity_names, engine_for, kind_name
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.core.roles import PartyKindChoices
from coordcell.deconfliction import selectors as deconfliction
from coordcell.economy import selectors as economy
from coordcell.incidents import selectors as incidents
from coordcell.positions import selectors as positions
from coordcell.rules.arrangement import localized

#: The languages of the lexicon: every feature carries its name in each.
LANGUAGES = ("en", "ar", "he")

#: The kinds of party whose members may read some declared positions (positions.models).
POSITION_READERS = (PartyKindChoices.KIND_PARTY, PartyKindChoices.KIND_MEDIATOR)

#: A time span: (start, end), either open (None).
Interval = tuple[dt.datetime | None, dt.datetime | None]
#: A bounding box in CRS84: (min lon, min lat, max lon, max lat).
BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Item:
    """One feature of a layer: its GeoJSON, its names by language and its time span."""

    feature: dict[str, Any]
    names: dict[str, str]
    span: Interval


@dataclass(frozen=True)
class Layer:
    id: str
    title: Promise
    description: Promise
    #: Whether the layer's items have a time span the ``datetime`` filter applies to.
    temporal: bool
    readable: Callable[[Actor], bool]
    items: Callable[[Actor, BBox | None, Interval | None], Sequence[Item]]


# --- helpers ---------------------------------------------------------------------------


def _members(actor: Actor) -> bool:
    return actor.is_member


def _position_readers(actor: Actor) -> bool:
    return actor.is_member and actor.party_kind in POSITION_READERS


def names_in_every_language(name_of: Callable[[], str]) -> dict[str, str]:
    """``name_of()`` evaluated in each language of the lexicon."""
    names = {}
    for language in LANGUAGES:
        with translation.override(language):
            names[language] = str(name_of())
    return names


def _meets_box(geometry: dict[str, Any] | None, bbox: BBox | None) -> bool:
    if bbox is None:
        return True
    if not geometry:
        return False  # nothing located is in no box
    west, south, east, north = bbox
    if west > east:  # across the antimeridian: two boxes
        boxes = [box(west, south, 180, north), box(-180, south, east, north)]
    else:
        boxes = [box(west, south, east, north)]
    found = shape(geometry)
    return any(found.intersects(b) for b in boxes)


def _meets_span(span: Interval, interval: Interval | None) -> bool:
    """Whether the item's span meets the interval (both ends included; None is open)."""
    if interval is None:
        return True
    start, end = span
    lo, hi = interval
    if lo is not None and end is not None and end < lo:
        return False
    return not (hi is not None and start is not None and start > hi)


def _filtered(items: Iterator[Item], bbox: BBox | None, interval: Interval | None) -> list[Item]:
    return [
        i
        for i in items
        if _meets_box(i.feature["geometry"], bbox) and _meets_span(i.span, interval)
    ]


def _day_start(day: dt.date | None, zone: ZoneInfo) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time.min, zone)


def _day_end(day: dt.date | None, zone: ZoneInfo) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time.max, zone)


def _version(actor: Actor) -> Any:
    try:
        return agreements.get_version(actor, None, None)
    except NotFound:
        return None


# --- the layers ------------------------------------------------------------------------


def _zones(actor: Actor, bbox: BBox | None, interval: Interval | None) -> list[Item]:
    version = _version(actor)
    if version is None:
        return []
    collection = agreements.zones_feature_collection(actor, version)
    found = []
    for feature in collection["features"]:
        names = {lang: feature["properties"]["names"].get(lang, "") for lang in LANGUAGES}
        names = {lang: name or feature["properties"]["name"] for lang, name in names.items()}
        found.append(Item(feature, names, (None, None)))
    return _filtered(iter(found), bbox, interval)


def _places(actor: Actor, bbox: BBox | None, interval: Interval | None) -> list[Item]:
    version = _version(actor)
    if version is None:
        return []
    lexicon = agreements.lexicon_of(version).get("places", {})
    found = []
    for feature in agreements.places_feature_collection(actor, version)["features"]:
        entry = lexicon.get(feature["id"]) or {}
        fallback = feature["properties"]["source_name"]
        names = {lang: localized(entry, lang) or fallback for lang in LANGUAGES}
        found.append(Item(feature, names, (None, None)))
    return _filtered(iter(found), bbox, interval)


class _Incidents(Sequence[Item]):
    """The caller's incidents filtered in the database (by their point and when they
    occurred), turned into items a page at a time."""

    def __init__(self, actor: Actor, bbox: BBox | None, interval: Interval | None) -> None:
        qs = incidents.list_incidents(actor).order_by("occurred_from", "pk")
        if bbox is not None:
            west, south, east, north = bbox
            qs = qs.filter(lat__gte=south, lat__lte=north)
            if west > east:  # across the antimeridian
                qs = qs.filter(Q(lon__gte=west) | Q(lon__lte=east))
            else:
                qs = qs.filter(lon__gte=west, lon__lte=east)
        if interval is not None:
            lo, hi = interval
            if hi is not None:
                qs = qs.filter(occurred_from__lte=hi)
            if lo is not None:
                # Until it ended, or, without an end, the moment it began.
                qs = qs.exclude(occurred_until__lt=lo).exclude(
                    occurred_until__isnull=True, occurred_from__lt=lo
                )
        self.qs = qs
        self._count: int | None = None
        self._headlines = incidents.Headlines()
        self._engines: dict[int, Any] = {}

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.qs.count()
        return self._count

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._item(i) for i in self.qs[index]]
        return self._item(self.qs[index])

    def __iter__(self) -> Iterator[Item]:
        for incident in self.qs.iterator(chunk_size=500):
            yield self._item(incident)

    def by_id(self, fid: str) -> Item | None:
        try:
            incident = self.qs.filter(public_id=fid).first()
        except (ValueError, ValidationError):  # a malformed id is a missing one
            return None
        return None if incident is None else self._item(incident)

    def _item(self, incident: Any) -> Item:
        engine = self._engines.get(incident.version_id)
        if engine is None:
            engine = self._engines[incident.version_id] = engine_for(incident.version)
        names = {lang: self._headlines.of(incident, lang) for lang in LANGUAGES}
        language = translation.get_language() or "en"
        until = incident.occurred_until
        feature = {
            "type": "Feature",
            "id": str(incident.public_id),
            "geometry": incident.geometry,
            "properties": {
                "reference": incident.reference,
                "name": names.get(language[:2], names["en"]),
                "kind": incident.kind,
                "kind_name": kind_name(incident.kind, engine),
                "occurred_from": incident.occurred_from.isoformat(),
                "occurred_until": until.isoformat() if until else None,
                "uncertainty_m": incident.uncertainty_m,
                "source": incident.source,
                "zones": list(incident.zones),
                "fictional": incident.fictional,
            },
        }
        return Item(feature, names, (incident.occurred_from, until or incident.occurred_from))


def _positions(actor: Actor, bbox: BBox | None, interval: Interval | None) -> list[Item]:
    version = _version(actor)
    if version is None:
        return []
    zone = ZoneInfo(agreements.current_time_zone(actor))
    kinds = {k.id: dict(k.name) for k in positions.position_kinds(version)}
    found = []
    for feature in positions.positions_feature_collection(actor)["features"]:
        props = feature["properties"]
        kind = kinds.get(props["kind"], {})
        names = {
            lang: f"{props['name']} ({localized(kind, lang) or props['kind']})"
            for lang in LANGUAGES
        }
        established = dt.date.fromisoformat(props["established"])
        removed = dt.date.fromisoformat(props["removed"]) if props["removed"] else None
        props["kind_name"] = localized(kind, translation.get_language() or "en")
        found.append(Item(feature, names, (_day_start(established, zone), _day_end(removed, zone))))
    return _filtered(iter(found), bbox, interval)


def _notices(actor: Actor, bbox: BBox | None, interval: Interval | None) -> list[Item]:
    version = _version(actor)
    if version is None:
        return []
    engine = engine_for(version)
    by_language = {}
    for language in LANGUAGES:
        with translation.override(language):
            by_language[language] = activity_names(engine)
    qs = deconfliction.list_notices(actor).order_by("starts_at", "pk")
    if interval is not None:
        lo, hi = interval
        if hi is not None:
            qs = qs.filter(starts_at__lte=hi)
        if lo is not None:
            qs = qs.filter(ends_at__gte=lo)
    found = []
    current = translation.get_language() or "en"
    for notice in qs:
        names = {
            lang: f"{notice.reference} {by_language[lang].get(notice.activity, notice.activity)}"
            for lang in LANGUAGES
        }
        feature = {
            "type": "Feature",
            "id": str(notice.public_id),
            "geometry": notice.geometry,
            "properties": {
                "reference": notice.reference,
                "name": names.get(current[:2], names["en"]),
                "activity": notice.activity,
                "party": notice.party.code,
                "starts_at": notice.starts_at.isoformat(),
                "ends_at": notice.ends_at.isoformat(),
                "late": notice.late,
                # Withdrawn by its party: when and why (the movement will not take place).
                "withdrawn_at": notice.withdrawn_at.isoformat() if notice.withdrawn_at else None,
                "withdrawal_reason": notice.withdrawal_reason,
            },
        }
        found.append(Item(feature, names, (notice.starts_at, notice.ends_at)))
    return _filtered(iter(found), bbox, None)


def _projects(actor: Actor, bbox: BBox | None, interval: Interval | None) -> list[Item]:
    found = []
    for project in economy.list_projects(actor).order_by("reference"):
        titles = dict(project.titles)
        names = {lang: localized(titles, lang) or project.reference for lang in LANGUAGES}
        site = project.site if isinstance(project.site, dict) else json.loads(project.site)
        feature = {
            "type": "Feature",
            "id": str(project.public_id),
            "geometry": site,
            "properties": {
                "reference": project.reference,
                "name": project.title or project.reference,
                "sector": project.sector,
                "state": project.state,
                "sides": list(project.sides),
                "zones": list(project.zones),
                "created_at": project.created_at.isoformat(),
            },
        }
        found.append(Item(feature, names, (project.created_at, None)))
    return _filtered(iter(found), bbox, interval)


LAYERS: tuple[Layer, ...] = (
    Layer(
        "zones",
        _("Zones"),
        _("The arrangement's zones and lines, with the clauses citing each."),
        False,
        _members,
        _zones,
    ),
    Layer(
        "places",
        _("Places"),
        _("The scenario's gazetteer of places."),
        False,
        _members,
        _places,
    ),
    Layer(
        "incidents",
        _("Incidents"),
        _("Reported incidents (reports from a source, never verdicts), by their location."),
        True,
        _members,
        _Incidents,
    ),
    Layer(
        "positions",
        _("Declared positions"),
        _("Positions declared by a party: its own; the mediator's escrow of every party's."),
        True,
        _position_readers,
        _positions,
    ),
    Layer(
        "notices",
        _("Notified activities"),
        _("Movements and activities notified in advance, with their windows."),
        True,
        _members,
        _notices,
    ),
    Layer(
        "projects",
        _("Economic projects"),
        _("Projects of the economic zone, at their sites."),
        True,
        _members,
        _projects,
    ),
)


def readable_layers(actor: Actor) -> list[Layer]:
    """The layers the actor may read, in order."""
    return [layer for layer in LAYERS if layer.readable(actor)]


def find_item(layer: Layer, actor: Actor, fid: str) -> Item:
    """One feature of the layer the actor may read; NotFound alike for a missing one."""
    found = layer.items(actor, None, None)
    if isinstance(found, _Incidents):
        item = found.by_id(fid)
    else:
        item = next((i for i in found if str(i.feature.get("id")) == fid), None)
    if item is None:
        raise NotFound()
    return item


def get_layer(actor: Actor, layer_id: str) -> Layer:
    """A layer the actor may read; NotFound alike for one that does not exist."""
    for layer in readable_layers(actor):
        if layer.id == layer_id:
            return layer
    raise NotFound()
