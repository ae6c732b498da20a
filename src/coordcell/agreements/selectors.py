"""Reads of arrangement data, always restricted to the caller."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from coordcell.agreements.models import (
    Arrangement,
    ArrangementVersion,
    Clause,
    LexiconAmendment,
    OfficialTranslation,
    Place,
    Protocol,
    Zone,
)
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.core.models import localized_now
from coordcell.rules import lexicon as lexicon_rules
from coordcell.rules import localtime
from coordcell.rules.arrangement import ProcedureSpec, procedure_from_content

__all__ = [
    "basemap_layers",
    "current_time_zone",
    "find_protocol",
    "find_protocol_serving",
    "get_amendment",
    "get_arrangement",
    "get_version",
    "headline_names",
    "ladder_tops",
    "lexicon_entries",
    "lexicon_section",
    "list_amendments",
    "list_arrangements",
    "list_clauses",
    "list_protocols",
    "list_versions",
    "map_settings",
    "mechanism_parties",
    "party_codes",
    "places_feature_collection",
    "procedure_of",
    "term",
    "translations_of",
    "zone_names",
    "zones_by_ids",
    "zones_feature_collection",
]


def list_arrangements(actor: Actor) -> QuerySet[Arrangement]:
    versions = ArrangementVersion.objects.restrict(actor).defer(*HEAVY).order_by("-number")
    return (
        Arrangement.objects.restrict(actor)
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("key")
    )


def get_arrangement(actor: Actor, key: str) -> Arrangement:
    arrangement = list_arrangements(actor).filter(key=key).first()
    if arrangement is None:
        raise NotFound()
    return arrangement


#: The stored scenario content and basemap are large JSON documents: load them only
#: where they are used, not with every row that joins a version.
HEAVY = ("content", "basemap")


def list_versions(actor: Actor, arrangement: str | None = None) -> QuerySet[ArrangementVersion]:
    qs = ArrangementVersion.objects.restrict(actor).select_related("arrangement").defer(*HEAVY)
    if arrangement:
        qs = qs.filter(arrangement__key=arrangement)
    return qs


def get_version(actor: Actor, arrangement: str | None, number: int | None) -> ArrangementVersion:
    """A given version, or the current one; with no arrangement named, the only current one.

    A database holds one arrangement (ADR 0012), so with none named this is its current
    version; a database filled before that rule may hold several, and the first by key
    is used.
    """
    qs = list_versions(actor, arrangement)
    qs = qs.filter(number=number) if number is not None else qs.filter(is_current=True)
    version = qs.order_by("arrangement__key").first()
    if version is None:
        raise NotFound()
    return version


def current_time_zone(actor: Actor) -> str:
    """The IANA zone of the current arrangement version's local times (UTC without one)."""
    zone = (
        list_versions(actor, None)
        .filter(is_current=True)
        .order_by("arrangement__key")
        .values_list("content__time_zone", flat=True)
        .first()
    )
    return str(zone or localtime.DEFAULT_TIME_ZONE)


def party_codes(version: ArrangementVersion) -> list[str]:
    """The codes of the parties a version names, in the arrangement's order."""
    return [str(p["code"]) for p in version.content.get("parties", [])]


def mechanism_parties(version: ArrangementVersion) -> list[tuple[str, str, str]]:
    """(code, kind, role) of each party the version names: what ``rules.mechanism`` reads
    to say who decides (a version stored before roles gives "" for the role)."""
    return [
        (str(p["code"]), str(p["kind"]), str(p.get("role", "")))
        for p in version.content.get("parties", [])
    ]


def procedure_of(version: ArrangementVersion) -> ProcedureSpec | None:
    """The version's rules of procedure (None: it states none)."""
    return procedure_from_content(version.content.get("procedure"))


def list_clauses(actor: Actor, version: ArrangementVersion) -> QuerySet[Clause]:
    return (
        Clause.objects.restrict(actor)
        .filter(version=version)
        .select_related("version__arrangement")
        .defer(*(f"version__{f}" for f in HEAVY))
        .order_by("position")
    )


def list_protocols(actor: Actor, version: ArrangementVersion) -> QuerySet[Protocol]:
    return Protocol.objects.restrict(actor).filter(version=version).order_by("protocol_id")


def zone_names(actor: Actor, version: ArrangementVersion) -> dict[str, str]:
    """Each zone id of the version with the zone's name in the active language."""
    zones = Zone.objects.restrict(actor).filter(version=version).only("zone_id", "names")
    return {z.zone_id: z.name for z in zones}


def _clause_summary(clause: Clause) -> dict[str, Any]:
    return {
        "id": clause.clause_id,
        "kind": clause.kind,
        "title": clause.title,
        "prohibited": clause.prohibited,
        "limits": clause.limits,
        "status": clause.status,
        "disputed_by": clause.disputed_by,
    }


def zones_feature_collection(actor: Actor, version: ArrangementVersion) -> dict[str, Any]:
    """The version's zones as an RFC 7946 FeatureCollection (WGS84, lon/lat).

    Each feature's ``id`` is the zone id of the scenario; its properties carry the
    clauses citing it (id, title, prohibited activities, limits, status), for popups.
    """
    clauses = list(list_clauses(actor, version))
    features = []
    zones = list(Zone.objects.restrict(actor).filter(version=version).order_by("position"))
    names = {z.zone_id: z.name for z in zones}
    for zone in zones:
        citing = [_clause_summary(c) for c in clauses if zone.zone_id in c.zone_ids]
        # A part of a zone is listed under its zone's name (the map's legend shows it so).
        legend = (
            _("%(part)s (part of %(zone)s)")
            % {"part": zone.name, "zone": names.get(zone.part_of, zone.part_of)}
            if zone.part_of
            else zone.name
        )
        features.append(
            {
                "type": "Feature",
                "id": zone.zone_id,
                "geometry": zone.geometry,
                "bbox": [zone.min_lon, zone.min_lat, zone.max_lon, zone.max_lat],
                "properties": {
                    "arrangement": version.arrangement.key,
                    "version": version.number,
                    "kind": zone.kind,
                    "name": zone.name,
                    "names": zone.names,
                    "description": zone.description,
                    "side": zone.side,
                    "from_km": zone.from_km,
                    "to_km": zone.to_km,
                    "derived": zone.derived,
                    "illustrative": zone.illustrative,
                    "source": zone.source,
                    "style": zone.style,
                    "part_of": zone.part_of or None,
                    "legend": legend,
                    "clauses": citing,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def places_feature_collection(actor: Actor, version: ArrangementVersion) -> dict[str, Any]:
    """The version's places; a place with unknown coordinates has a null geometry."""
    places = lexicon_of(version).get("places", {})
    features = []
    for place in Place.objects.restrict(actor).filter(version=version).order_by("name"):
        geometry = (
            {"type": "Point", "coordinates": [place.lon, place.lat]}
            if place.lat is not None and place.lon is not None
            else None
        )
        features.append(
            {
                "type": "Feature",
                "id": place.key,
                "geometry": geometry,
                "properties": {
                    # The lexicon's name when the scenario has one; the gazetteer's name
                    # (its source's spelling) is kept as ``source_name``.
                    "name": localized_now(places.get(place.key) or {}) or place.name,
                    "source_name": place.name,
                    "name_local": place.name_local,
                    "feature": place.feature,
                    "country_code": place.country_code,
                    "source": place.source,
                    "source_id": place.source_id,
                    "note": place.note,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- for the apps above: the arrangement behind a case or an incident, read here ---------


def find_protocol(version_id: int, protocol_id: str) -> Protocol | None:
    """The protocol ``protocol_id`` of the version (by key), if it has one.

    For services that already hold a case or an incident of that version (no audience
    check: the arrangement is every member's)."""
    protocol: Protocol | None = Protocol.objects.filter(
        version_id=version_id, protocol_id=protocol_id
    ).first()
    return protocol


def ladder_tops() -> dict[tuple[int, str], int]:
    """The index of the top level of every protocol's ladder, by (version id, protocol
    id): the case board pins the cases that reached it (no audience check: the
    arrangement is every member's)."""
    return {
        (version_id, protocol_id): len(ladder) - 1
        for version_id, protocol_id, ladder in Protocol.objects.values_list(
            "version_id", "protocol_id", "ladder"
        )
        if ladder
    }


def find_protocol_serving(version_id: int, serves: str) -> Protocol | None:
    """The protocol of the version that serves ``serves`` (``complaints``, ``hotline``).

    What a protocol serves is scenario data (``serves`` in ``arrangement.toml``); the
    reader allows one protocol per use, so there is at most one. Like ``find_protocol``,
    for services that already hold the version."""
    protocol: Protocol | None = (
        Protocol.objects.filter(version_id=version_id, serves=serves).order_by("pk").first()
    )
    return protocol


def zones_by_ids(version_id: int, zone_ids: Iterable[str]) -> list[Zone]:
    """The zones of the version with these ids, in the arrangement's order."""
    return list(
        Zone.objects.filter(version_id=version_id, zone_id__in=list(zone_ids)).order_by("position")
    )


# --- the lexicon and the map: names, the basemap and its legend, from the scenario -----


def lexicon_of(version: ArrangementVersion) -> dict[str, dict[str, dict[str, str]]]:
    """The version's agreed lexicon (section → key → names); empty for a scenario without
    one, or a version stored before scenarios had one), with the amendments the cell
    applied by agreement read over it. A version whose ``content`` was deferred (``HEAVY``)
    has only its lexicon read from the database, not the whole document."""
    if "content" in version.get_deferred_fields():
        stored = (
            ArrangementVersion.objects.filter(pk=version.pk)
            .values_list("content__lexicon", flat=True)
            .first()
        )
    else:
        stored = version.content.get("lexicon")
    lexicon = {
        section: dict(entries)
        for section, entries in (stored if isinstance(stored, dict) else {}).items()
    }
    for section, key, names in _applied_amendments(version.pk):
        lexicon.setdefault(section, {})[key] = names
    return lexicon


def _applied_amendments(
    version_id: int, section: str = ""
) -> list[tuple[str, str, dict[str, str]]]:
    """The amendments applied to a version's lexicon, oldest first (a later one wins)."""
    rows = LexiconAmendment.objects.filter(version_id=version_id, state="applied")
    if section:
        rows = rows.filter(section=section)
    return [
        (s, k, dict(names))
        for s, k, names in rows.order_by("decided_at", "pk").values_list(
            "section", "key", "proposed"
        )
    ]


def lexicon_section(version_id: int, section: str) -> dict[str, dict[str, str]]:
    """One section of a version's lexicon (``kinds``, ``places``…), read without loading
    the rest of the version's content; empty when it has none."""
    if section not in lexicon_rules.SECTIONS:
        raise ValueError(section)
    value = (
        ArrangementVersion.objects.filter(pk=version_id)
        .values_list(f"content__lexicon__{section}", flat=True)
        .first()
    )
    names = dict(value) if isinstance(value, dict) else {}
    for _section, key, amended in _applied_amendments(version_id, section):
        names[key] = amended
    return names


def term(content: dict[str, Any], section: str, key: str, language: str, default: str) -> str:
    """The lexicon's name of ``section.key`` in ``language`` (English where it has none),
    or ``default`` when the version's lexicon has no such entry."""
    entry = (content.get("lexicon") or {}).get(section, {}).get(key)
    return lexicon_rules.name_in(entry, language, default)


def _lexicon_label(lexicon: dict[str, Any], reference: str) -> str:
    return localized_now(lexicon_rules.lookup(lexicon, reference) or {})


def map_settings(version: ArrangementVersion) -> dict[str, Any]:
    """What the map page needs from the scenario beside its layers: the initial extent
    (the ``[map]`` extent, else None: the zones' bounds), the legend's note, and the
    attribution: every source the map's layers and zones cite, and ``[map] sources``, in
    the order the scenario declares them."""
    content = version.content
    settings = content.get("map") or {}
    cited = {str(layer.get("source", "")) for layer in settings.get("layers", [])}
    cited |= {str(zone.get("source") or "") for zone in content.get("zones", [])}
    cited |= set(settings.get("sources", []))
    attribution = [
        str(source["attribution"])
        for source in content.get("sources", [])
        if source.get("key") in cited and source.get("attribution")
    ]
    return {
        "extent": settings.get("extent"),
        "note": localized_now(settings.get("note") or {}),
        "attribution": list(dict.fromkeys(attribution)),
        # Each source's attribution by key, for a zone's popup to say where it comes from.
        "sources": {
            str(s["key"]): str(s.get("attribution") or s.get("title") or s["key"])
            for s in content.get("sources", [])
        },
    }


def basemap_layers(version: ArrangementVersion) -> dict[str, Any]:
    """The version's basemap for the map, in the active language: each layer with its
    legend, style and features, whose only properties are a label (the lexicon's name),
    whether it is disputed and by whom (the lexicon's names). A version stored before
    basemaps were declared has its features drawn without names or attributes."""
    stored = version.basemap or {}
    lexicon = lexicon_of(version)
    if "layers" not in stored:  # stored as {file stem: FeatureCollection}
        layers = [{"id": stem, "legend": {"en": stem}, "data": fc} for stem, fc in stored.items()]
    else:
        layers = stored["layers"]
    result = []
    for layer in layers:
        features = []
        for feature in layer.get("data", {}).get("features", []):
            given = feature.get("properties") or {}
            properties: dict[str, Any] = {"disputed": bool(given.get("disputed"))}
            if layers is stored.get("layers") and given.get("name"):
                properties["name"] = _lexicon_label(lexicon, str(given["name"]))
            if properties["disputed"]:
                properties["disputed_by"] = [
                    _lexicon_label(lexicon, str(ref)) for ref in given.get("disputed_by", [])
                ]
            features.append(
                {"type": "Feature", "properties": properties, "geometry": feature.get("geometry")}
            )
        disputed = None
        if layer.get("disputed_legend"):
            disputed = {
                "legend": localized_now(layer["disputed_legend"]),
                "style": layer.get("disputed_style", {}),
            }
        result.append(
            {
                "id": layer["id"],
                "legend": localized_now(layer.get("legend") or {}),
                "style": layer.get("style", {}),
                "disputed": disputed,
                "data": {"type": "FeatureCollection", "features": features},
            }
        )
    return {"layers": result}


def headline_names(version_id: int) -> dict[str, Any]:
    """What a generated headline names, from one version (``incidents.headlines``): its
    time zone, the lexicon's kinds, its places with their coordinates (``[(lon, lat,
    names)]``: a place with unknown coordinates or no lexicon entry is left out), and each
    zone's names (the lexicon's ``areas`` entry, else the zone's own names)."""
    found = (
        ArrangementVersion.objects.filter(pk=version_id)
        .values_list("content__lexicon", "content__time_zone")
        .first()
    )
    lexicon, time_zone = found if found is not None else ({}, "")
    lexicon = lexicon if isinstance(lexicon, dict) else {}
    names_of_places = lexicon.get("places") or {}
    places = [
        (lon, lat, dict(names_of_places[key]))
        for key, lon, lat in Place.objects.filter(
            version_id=version_id, lat__isnull=False, lon__isnull=False
        )
        .order_by("key")
        .values_list("key", "lon", "lat")
        if key in names_of_places
    ]
    areas = lexicon.get("areas") or {}
    zones = {
        zone_id: dict(areas.get(zone_id) or names or {})
        for zone_id, names in Zone.objects.filter(version_id=version_id).values_list(
            "zone_id", "names"
        )
    }
    return {
        "kinds": dict(lexicon.get("kinds") or {}),
        "places": places,
        "zones": zones,
        "time_zone": str(time_zone or localtime.DEFAULT_TIME_ZONE),
    }


# --- authoritative texts and the lexicon's amendments ------------------------------------


def translations_of(actor: Actor, text_id: int) -> list[OfficialTranslation]:
    """The languages of an official text the actor reads (none: hidden or missing)."""
    return list(
        OfficialTranslation.objects.restrict(actor).filter(text_id=text_id).order_by("language")
    )


def list_amendments(actor: Actor, *, state: str = "") -> QuerySet[LexiconAmendment]:
    qs = LexiconAmendment.objects.restrict(actor).prefetch_related("approvals")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-proposed_at", "-pk")


def get_amendment(actor: Actor, public_id: object) -> LexiconAmendment:
    try:
        amendment = LexiconAmendment.objects.restrict(actor).filter(public_id=public_id).first()
    except (ValueError, ValidationError):  # a malformed id is a missing one
        amendment = None
    if amendment is None:
        raise NotFound()
    found: LexiconAmendment = amendment
    return found


def lexicon_entries(version: ArrangementVersion) -> list[tuple[str, str, dict[str, str]]]:
    """Every entry of the version's agreed lexicon (amendments applied), by section and key."""
    lexicon = lexicon_of(version)
    return [
        (section, key, dict(names))
        for section in lexicon_rules.SECTIONS
        for key, names in sorted((lexicon.get(section) or {}).items())
    ]
