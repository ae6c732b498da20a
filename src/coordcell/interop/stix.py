"""STIX 2.1 bundles of shared items, and shared items out of STIX 2.1 bundles (pure Python).

Built with the OASIS ``stix2`` library and checked with ``stix2-validator``; nothing here
imports Django. The caller gathers what a reader may read into :class:`ExportItem` rows
(an item's redacted fields already absent, a source item named only when the reader may
read it) and the parties' names into :class:`ExportParty` rows; this module only writes
them, so a bundle cannot carry more than it was given.

One item is written as (``docs/stix-taxii.md``):

- a ``report`` (``name`` = title, ``description`` = text, ``published`` = when it was
  shared), whose ``object_refs`` name the objects below, the report of the item it was
  cut from (a tearline part, a redacted version) when the reader may read that one too,
  and otherwise its originator's ``identity``;
- when it has a place, a ``location`` (the place's representative point);
- when it has a time, an ``incident`` with the OASIS Incident Core Extension and a
  ``sighting`` of it at that time (``where_sighted_refs``: the location, else the
  originator);
- Admiralty grades as MISP ``admiralty-scale`` labels, the credibility also as STIX
  ``confidence`` (the STIX 2.1 appendix's Admiralty scale);
- every object marked with the *official* TLP 2.0 marking definition of its item's TLP
  (``data/tlp2-marking-definitions.json``, as OASIS publishes them; no id is minted here).

Parties are ``identity`` objects of class ``organization`` named by the arrangement's
names; no person is ever named (nor written at all).

On import, :func:`read_bundle` refuses a bundle the validator refuses (its reasons, all of
them), then turns each ``report``, ``grouping``, ``note`` and each ``incident`` that no
report, grouping or note names into one :class:`ImportedItem`, folding into it the time of
a sighting of it or of an incident it names, the first location it names and its grades.
TLP 2.0 and TLP 1.0 marking ids are both understood (TLP 1.0 WHITE is TLP:CLEAR).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import stix2

__all__ = [
    "INCIDENT_CORE_EXTENSION",
    "MAX_BUNDLE_BYTES",
    "MAX_OBJECTS",
    "TLP1",
    "TLP2",
    "TLP2_EXTENSION",
    "ExportItem",
    "ExportParty",
    "ImportedItem",
    "StixRefused",
    "export_bundle",
    "item_object_ids",
    "read_bundle",
    "tlp2_markings",
    "validate",
]

#: The TLP 2.0 extension definition (OASIS cti-stix-common-objects).
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#: The OASIS Incident Core Extension (cti-stix-common-objects, incident-core).
INCIDENT_CORE_EXTENSION = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"
#: The TLP 1.0 marking definitions predefined by STIX 2.1 (section 7.2.1.4), as TLP 2.0 names.
TLP1 = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
#: Strictest last: when an object carries several TLP markings, the strictest counts.
TLP_ORDER = ("clear", "green", "amber", "amber+strict", "red")
#: The largest bundle read (bytes), and the most objects in one.
MAX_BUNDLE_BYTES = 5 * 1024 * 1024
MAX_OBJECTS = 5000
#: The longest title an imported item gets (a note's text is cut there when it has no abstract).
TITLE_CHARS = 200

#: STIX 2.1 Appendix A, "Admiralty Credibility" scale: grade -> confidence (6: none).
_CONFIDENCE = {"1": 90, "2": 70, "3": 50, "4": 30, "5": 10}
_RELIABILITY_LABEL = 'admiralty-scale:source-reliability="{}"'
_CREDIBILITY_LABEL = 'admiralty-scale:information-credibility="{}"'
_LABEL = re.compile(r'^admiralty-scale:(source-reliability|information-credibility)="([a-f1-6])"$')
_CONTAINERS = ("report", "grouping", "note")
_IMPORTED = (*_CONTAINERS, "incident")


class StixRefused(ValueError):
    """A bundle that cannot be read, with every reason (the validator's first)."""

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


# --- the official TLP 2.0 markings ---------------------------------------------------------------


def _load_tlp2() -> dict[str, dict[str, Any]]:
    text = resources.files("coordcell.interop").joinpath("data/tlp2-marking-definitions.json")
    bundle = json.loads(text.read_text(encoding="utf-8"))
    return {
        obj["extensions"][TLP2_EXTENSION]["tlp_2_0"]: obj
        for obj in bundle["objects"]
        if obj.get("type") == "marking-definition"
    }


_TLP2_OBJECTS = _load_tlp2()
#: TLP 2.0 name -> the official marking-definition id.
TLP2: dict[str, str] = {name: obj["id"] for name, obj in _TLP2_OBJECTS.items()}
_TLP2_BY_ID = {mid: name for name, mid in TLP2.items()}


def tlp2_markings(names: Iterable[str]) -> list[Any]:
    """The official TLP 2.0 marking-definition objects of ``names``, in TLP order."""
    wanted = set(names)
    return [stix2.parse(_TLP2_OBJECTS[name], version="2.1") for name in TLP_ORDER if name in wanted]


# --- export ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportParty:
    """A party as the arrangement names it (its code and its name, never a person)."""

    code: str
    name: str


@dataclass(frozen=True)
class ExportItem:
    """One item as its reader may read it: a redacted field is ``None``/empty here.

    ``source`` is the public id of the item it was cut from (tearline or redaction),
    given only when the reader may read that item too (and it is in the same export)."""

    public_id: str
    reference: str
    originator: str
    title: str
    tlp: str
    created_at: dt.datetime
    updated_at: dt.datetime
    body: str = ""
    lon: float | None = None
    lat: float | None = None
    observed_at: dt.datetime | None = None
    source_reliability: str = ""
    information_credibility: str = ""
    source: str | None = None


def _derived_id(kind: str, *parts: str) -> str:
    """A stable id for an object derived from an item (or a party): UUIDv4-shaped, from a hash."""
    digest = hashlib.sha256("\x1f".join(("coordcell", kind, *parts)).encode()).digest()
    return f"{kind}--{uuid.UUID(bytes=digest[:16], version=4)}"


def item_object_ids(public_id: str) -> list[str]:
    """Every id an item's objects may have: its report, location, incident and sighting."""
    return [
        _report_id(public_id),
        *(_derived_id(kind, public_id) for kind in ("location", "incident", "sighting")),
    ]


def _report_id(public_id: str) -> str:
    return _derived_id("report", public_id)


def _identity_id(code: str) -> str:
    return _derived_id("identity", code)


def _grades(item: ExportItem) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    labels = []
    if item.source_reliability:
        labels.append(_RELIABILITY_LABEL.format(item.source_reliability.lower()))
    if item.information_credibility:
        labels.append(_CREDIBILITY_LABEL.format(item.information_credibility))
        if item.information_credibility in _CONFIDENCE:
            extra["confidence"] = _CONFIDENCE[item.information_credibility]
    if labels:
        extra["labels"] = labels
    return extra


def _item_objects(item: ExportItem, readable: set[str]) -> list[Any]:
    if item.tlp not in TLP2:
        raise ValueError(f"{item.reference}: unknown TLP {item.tlp!r}")
    common: dict[str, Any] = {
        "created": item.created_at,
        "modified": max(item.updated_at, item.created_at),
        "created_by_ref": _identity_id(item.originator),
        "object_marking_refs": [TLP2[item.tlp]],
    }
    objects: list[Any] = []
    refs: list[str] = []
    location = None
    if item.lat is not None and item.lon is not None:
        location = stix2.Location(
            id=_derived_id("location", item.public_id),
            latitude=round(item.lat, 6),
            longitude=round(item.lon, 6),
            **common,
        )
        objects.append(location)
        refs.append(location.id)
    if item.observed_at is not None:
        incident = stix2.Incident(
            id=_derived_id("incident", item.public_id),
            name=item.title,
            extensions={
                INCIDENT_CORE_EXTENSION: {
                    "extension_type": "property-extension",
                    "determination": "suspected",
                    "detection_methods": ["human-review"],
                }
            },
            **common,
        )
        sighting = stix2.Sighting(
            id=_derived_id("sighting", item.public_id),
            sighting_of_ref=incident.id,
            first_seen=item.observed_at,
            last_seen=item.observed_at,
            count=1,
            where_sighted_refs=[location.id if location else _identity_id(item.originator)],
            **common,
        )
        objects += [incident, sighting]
        refs += [incident.id, sighting.id]
    if item.source and item.source in readable:
        refs.append(_report_id(item.source))
    if not refs:
        refs.append(_identity_id(item.originator))
    report_fields: dict[str, Any] = {"description": item.body} if item.body else {}
    report = stix2.Report(
        id=_report_id(item.public_id),
        name=item.title,
        published=item.created_at,
        object_refs=refs,
        external_references=[{"source_name": "coordcell", "external_id": item.reference}],
        **report_fields,
        **_grades(item),
        **common,
    )
    return [report, *objects]


def export_bundle(
    items: Sequence[ExportItem], parties: Mapping[str, ExportParty]
) -> dict[str, Any]:
    """A STIX 2.1 bundle of ``items`` (already limited to what the reader may read).

    ``parties`` maps each originator's code to its arrangement name. The bundle holds the
    TLP 2.0 markings used, one identity per originator, and each item's objects; it names
    nothing outside itself."""
    readable = {item.public_id for item in items}
    objects: list[Any] = []
    used_tlp: set[str] = set()
    originators: list[str] = []
    for item in items:
        objects += _item_objects(item, readable)
        used_tlp.add(item.tlp)
        if item.originator not in originators:
            originators.append(item.originator)
    identities = []
    for code in originators:
        party = parties.get(code)
        if party is None:
            raise ValueError(f"no party named for {code!r}")
        identities.append(
            stix2.Identity(
                id=_identity_id(code),
                created=_EPOCH,
                modified=_EPOCH,
                name=party.name,
                identity_class="organization",
                external_references=[{"source_name": "coordcell-party", "external_id": code}],
            )
        )
    bundle = stix2.Bundle(*tlp2_markings(used_tlp), *identities, *objects)
    result: dict[str, Any] = json.loads(bundle.serialize())
    return result


#: The fixed creation time of party identities (an identity names a party, not an event).
_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


# --- validation -----------------------------------------------------------------------------------


def validate(document: Mapping[str, Any], *, strict: bool = True) -> list[str]:
    """The reasons ``stix2-validator`` (STIX 2.1) refuses a bundle; empty when it passes.

    ``strict`` is what exports pass (``--strict --enforce-refs``); imports are checked
    without ``--strict``, as MISP's and OpenCTI's own exports carry warnings."""
    # Imported here, not with the module: the validator loads jsonschema's format checkers,
    # whose IRI grammar (rfc3987-syntax, an Earley parser built at import) costs some 2.5 s
    # of CPU, and every process that loads the URLs imports this module; most of them
    # (the server's workers, the command line) never check a bundle.
    from stix2validator import ValidationOptions, validate_instance

    options = ValidationOptions(version="2.1", strict=strict, enforce_refs=strict)
    try:
        results = validate_instance(dict(document), options)
    except Exception as exc:  # the validator raises on some malformed input
        return [str(exc) or type(exc).__name__]
    reasons = [str(error) for error in results.errors]
    if strict:
        reasons += [str(warning) for warning in results.warnings]
    if not results.is_valid and not reasons:
        reasons = ["The STIX validator refused the bundle."]
    return reasons


# --- import ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedItem:
    """What an imported object becomes: the fields of a new shared item."""

    external_id: str
    type: str
    title: str
    tlp: str | None
    body: str = ""
    lon: float | None = None
    lat: float | None = None
    observed_at: dt.datetime | None = None
    source_reliability: str = ""
    information_credibility: str = ""
    contains: tuple[str, ...] = field(default=())


def _parse_document(document: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(document, Mapping):
        return dict(document)
    if len(document) > MAX_BUNDLE_BYTES:
        raise StixRefused([f"The bundle is larger than {MAX_BUNDLE_BYTES} bytes."])
    try:
        parsed = json.loads(document)
    except (ValueError, UnicodeDecodeError) as exc:
        raise StixRefused([f"Not JSON: {exc}"]) from None
    except RecursionError:
        raise StixRefused(["Not JSON that can be read: nested too deeply."]) from None
    if not isinstance(parsed, dict):
        raise StixRefused(["A STIX bundle is a JSON object."])
    return parsed


def _timestamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _tlp_of(obj: Mapping[str, Any], markings: Mapping[str, str]) -> str | None:
    found = [markings[ref] for ref in obj.get("object_marking_refs", ()) if ref in markings]
    return max(found, key=TLP_ORDER.index) if found else None


def _bundle_markings(objects: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Marking id -> TLP 2.0 name: the official ids of both families, and any marking
    definition in the bundle that says what it is (TLP 1.0 ``definition_type: tlp`` or a
    TLP 2.0 extension) under an id of its own."""
    known = {**_TLP2_BY_ID, **TLP1}
    for obj in objects:
        if obj.get("type") != "marking-definition" or obj.get("id") in known:
            continue
        ext = obj.get("extensions", {}).get(TLP2_EXTENSION, {})
        definition = obj.get("definition") or {}
        level = ext.get("tlp_2_0") if isinstance(ext, Mapping) else None
        if level is None and obj.get("definition_type") == "tlp" and isinstance(definition, dict):
            raw = definition.get("tlp")
            level = "clear" if raw == "white" else raw
        if level in TLP_ORDER:
            known[str(obj["id"])] = str(level)
    return known


def _grades_of(obj: Mapping[str, Any]) -> tuple[str, str]:
    reliability = credibility = ""
    for label in obj.get("labels", ()):
        match = _LABEL.match(str(label).strip().lower())
        if match and match.group(1) == "source-reliability":
            reliability = match.group(2).upper()
        elif match:
            credibility = match.group(2)
    confidence = obj.get("confidence")
    if not credibility and isinstance(confidence, int) and not isinstance(confidence, bool):
        # the nearest grade of the STIX 2.1 Admiralty scale
        credibility = min(_CONFIDENCE, key=lambda grade: abs(_CONFIDENCE[grade] - confidence))
    return reliability, credibility


def read_bundle(document: bytes | str | Mapping[str, Any]) -> list[ImportedItem]:
    """The items a STIX 2.1 bundle brings, or :class:`StixRefused` with every reason.

    Nothing is half-read: either every importable object becomes an item, or the bundle
    is refused."""
    bundle = _parse_document(document)
    if bundle.get("type") != "bundle" or not isinstance(bundle.get("objects"), list):
        raise StixRefused(["A STIX bundle is an object of type 'bundle' with 'objects'."])
    objects = bundle["objects"]
    if len(objects) > MAX_OBJECTS:
        raise StixRefused([f"A bundle holds at most {MAX_OBJECTS} objects."])
    reasons = validate(bundle, strict=False)
    if reasons:
        raise StixRefused(reasons)
    by_id = {str(obj["id"]): obj for obj in objects}
    markings = _bundle_markings(objects)
    sightings: dict[str, Mapping[str, Any]] = {}
    for obj in objects:
        if obj["type"] == "sighting":
            sightings.setdefault(str(obj["sighting_of_ref"]), obj)
    contained = {
        str(ref)
        for obj in objects
        if obj["type"] in _CONTAINERS
        for ref in obj.get("object_refs", ())
        if by_id.get(str(ref), {}).get("type") == "incident"
    }
    items = []
    for obj in objects:
        if obj["type"] not in _IMPORTED or obj["id"] in contained:
            continue
        items.append(_imported(obj, by_id, markings, sightings))
    if not items:
        raise StixRefused(["The bundle holds no report, grouping, note or incident to import."])
    return items


def _imported(
    obj: Mapping[str, Any],
    by_id: Mapping[str, Mapping[str, Any]],
    markings: Mapping[str, str],
    sightings: Mapping[str, Mapping[str, Any]],
) -> ImportedItem:
    refs = [str(ref) for ref in obj.get("object_refs", ())]
    # a container's incidents (and their sightings and places) are part of it; another
    # report or note it names stays an item of its own
    parts = [
        obj,
        *(by_id[ref] for ref in refs if by_id.get(ref, {}).get("type") not in _CONTAINERS),
    ]
    if obj["type"] == "note":
        body = str(obj.get("content", ""))
        first_line = body.strip().splitlines()[0] if body.strip() else ""
        title = str(obj.get("abstract") or first_line)
    else:
        body = str(obj.get("description", ""))
        title = str(obj.get("name", ""))
    observed_at = None
    place: Mapping[str, Any] | None = None
    for part in parts:
        sighting = part if part.get("type") == "sighting" else sightings.get(str(part["id"]))
        if sighting is not None and observed_at is None:
            observed_at = _timestamp(sighting.get("first_seen") or sighting.get("created"))
            for where in sighting.get("where_sighted_refs", ()):
                candidate = by_id.get(str(where), {})
                if place is None and candidate.get("type") == "location":
                    place = candidate
        if place is None and part.get("type") == "location":
            place = part
    lat = lon = None
    if place is not None and "latitude" in place and "longitude" in place:
        lat, lon = float(place["latitude"]), float(place["longitude"])
    reliability, credibility = _grades_of(obj)
    tlps = [t for t in (_tlp_of(part, markings) for part in parts) if t]
    own = _tlp_of(obj, markings)
    return ImportedItem(
        external_id=str(obj["id"]),
        type=str(obj["type"]),
        title=title.strip()[:TITLE_CHARS],
        tlp=own or (max(tlps, key=TLP_ORDER.index) if tlps else None),
        body=body,
        lon=lon,
        lat=lat,
        observed_at=observed_at,
        source_reliability=reliability,
        information_credibility=credibility,
        contains=tuple(ref for ref in refs if ref in by_id),
    )
