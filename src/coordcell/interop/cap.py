"""CAP 1.2 alerts of escalations, and the Atom feed that carries them (pure Python).

A case that climbs a level of its protocol's ladder is an alert for the parties of its
audience: this module writes it as an OASIS Common Alerting Protocol 1.2 ``<alert>``
(scope ``Restricted``), with one ``<info>`` per language, and wraps a list of alerts in an
Atom (RFC 4287) feed whose entries embed them. Nothing here imports Django: the caller
gathers the case, the incident and the translated texts into an :class:`Escalation`.

How the CAP codes are chosen (also in ``docs/cases.md``):

- ``status``: ``Exercise`` for fictional data (the demo's and the drills'), else ``Actual``;
- ``urgency``: ``Immediate`` when the case reached the top of its ladder (there is no
  higher level to wait for), else ``Expected``;
- ``severity``: the higher of what the incident's kind implies (use of force: ``Severe``;
  another prohibited activity such as a military presence: ``Moderate``; none: ``Minor``)
  and the engine's findings under agreed clauses (high: ``Severe``, medium: ``Moderate``,
  low: ``Minor``; the caller passes no severity of a finding under a clause that is not agreed);
  ``Extreme`` is never chosen by the machine;
- ``certainty``: ``Observed`` once the monitors recorded the facts as verified,
  ``Unknown`` when they recorded them unverifiable, else ``Possible`` (a party's report,
  disputed or not yet verified, is not a verdict).

Areas: a ``<polygon>`` around the incident's geometry buffered by its location
uncertainty (at least :data:`MIN_RADIUS_M`), computed in a local metric frame and written
as CAP wants it, space-separated ``lat,lon`` pairs with the first repeated last; and a
``<circle>`` ``lat,lon radius_km`` that contains the polygon.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from coordcell.rules import taxonomy

__all__ = [
    "ATOM_MEDIA_TYPE",
    "ATOM_NS",
    "CAP_MEDIA_TYPE",
    "CAP_NS",
    "MIN_RADIUS_M",
    "AlertArea",
    "Escalation",
    "FeedEntry",
    "InfoText",
    "alert_element",
    "alert_xml",
    "area_of",
    "atom_feed",
    "cap_time",
    "certainty_of",
    "identifier_of",
    "severity_of",
    "urgency_of",
]

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MEDIA_TYPE = "application/cap+xml"
ATOM_MEDIA_TYPE = "application/atom+xml"
#: The smallest buffer around a reported place, in metres (a point is never a zero area).
MIN_RADIUS_M = 100.0
#: Points per circle when the buffer is approximated by a polygon.
_CIRCLE_POINTS = 16
#: Metres per degree of latitude on the mean sphere (IUGG radius 6 371 008.8 m).
_M_PER_DEG = math.pi * 6_371_008.8 / 180.0
#: CAP's rule for <identifier> and <sender>: no spaces, commas or restricted characters.
_BAD_ID = re.compile(r"[\s,<&]")
#: Hex digits of the record entry's hash in an alert's identifier (64 bits: unique).
ENTRY_HASH_CHARS = 16
#: Characters XML 1.0 does not allow in text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_SEVERITY_ORDER = ("Unknown", "Minor", "Moderate", "Severe")
_FINDING_SEVERITY = {"high": "Severe", "medium": "Moderate", "low": "Minor"}


@dataclass(frozen=True)
class InfoText:
    """The texts of one ``<info>`` block, already in its language."""

    language: str
    event: str
    headline: str
    description: str
    area_desc: str
    sender_name: str
    instruction: str = ""


@dataclass(frozen=True)
class Escalation:
    """What an escalation alert says: the case, the level it reached, the incident."""

    sender: str
    case_reference: str
    entry_hash: str
    sent: dt.datetime
    level: int
    level_code: str
    top_level: bool
    reason: str
    state: str
    incident_reference: str
    kind: str
    geometry: Mapping[str, Any]
    uncertainty_m: float
    restriction: str
    texts: Sequence[InfoText]
    finding_severities: Sequence[str] = ()
    exercise: bool = False
    expires: dt.datetime | None = None
    web: str = ""
    note: str = ""

    @property
    def identifier(self) -> str:
        return identifier_of(self.case_reference, self.entry_hash)


@dataclass(frozen=True)
class AlertArea:
    polygon: str
    circle: str


@dataclass(frozen=True)
class FeedEntry:
    """One alert in the feed and the absolute URL it is served at on its own (its id)."""

    escalation: Escalation
    url: str


# --- the codes ---------------------------------------------------------------------------


def identifier_of(case_reference: str, entry_hash: str) -> str:
    """The alert's identifier: the case's reference and the start of the hash of its
    escalation step's record entry (never a sequence number: it would count the entries
    the reader cannot see, ``docs/security.md``)."""
    value = f"{case_reference}-ESC-{entry_hash[:ENTRY_HASH_CHARS].lower()}"
    if _BAD_ID.search(value):
        raise ValueError(f"not a CAP identifier: {value!r}")
    return value


def cap_time(moment: dt.datetime) -> str:
    """A CAP date-time: UTC, whole seconds, written with "-00:00" as CAP requires."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("CAP times need a time zone; got a naive datetime")
    utc = moment.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}-00:00"


def _atom_time(moment: dt.datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Atom times need a time zone; got a naive datetime")
    return f"{moment.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"


def urgency_of(escalation: Escalation) -> str:
    return "Immediate" if escalation.top_level else "Expected"


def severity_of(kind: str, finding_severities: Iterable[str] = ()) -> str:
    """The higher of the kind's and the findings' severity, in CAP's words."""
    try:
        implied = taxonomy.activities(kind)
    except taxonomy.UnknownKind:
        by_kind = "Unknown"
    else:
        by_kind = "Severe" if "fire" in implied else "Moderate" if implied else "Minor"
    candidates = [by_kind, *(_FINDING_SEVERITY.get(s, "Unknown") for s in finding_severities)]
    return max(candidates, key=_SEVERITY_ORDER.index)


def certainty_of(state: str) -> str:
    """From the monitors' record of the facts, if any: a report is not a verdict."""
    return {"verified": "Observed", "unverifiable": "Unknown"}.get(state, "Possible")


# --- the area ----------------------------------------------------------------------------


def _positions(coordinates: Any) -> list[tuple[float, float]]:
    """Every (lon, lat) of a GeoJSON coordinates array, at any depth."""
    if (
        isinstance(coordinates, list | tuple)
        and len(coordinates) >= 2
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates[:2])
    ):
        return [(float(coordinates[0]), float(coordinates[1]))]
    found: list[tuple[float, float]] = []
    if isinstance(coordinates, list | tuple):
        for item in coordinates:
            found += _positions(item)
    return found


def _geometry_positions(geometry: Mapping[str, Any]) -> list[tuple[float, float]]:
    if geometry.get("type") == "GeometryCollection":
        found: list[tuple[float, float]] = []
        for part in geometry.get("geometries") or []:
            if isinstance(part, Mapping):
                found += _geometry_positions(part)
        return found
    return _positions(geometry.get("coordinates"))


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull, counter-clockwise, without the closing point (Andrew's monotone chain)."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _pair(lat: float, lon: float) -> str:
    lat = min(90.0, max(-90.0, lat))
    if not -180.0 <= lon <= 180.0:
        lon = (lon + 180.0) % 360.0 - 180.0
    return f"{lat:.5f},{lon:.5f}"


def area_of(geometry: Mapping[str, Any], uncertainty_m: float) -> AlertArea:
    """The CAP polygon and circle around ``geometry`` (GeoJSON, WGS84, [lon, lat]).

    The polygon is the convex hull of the geometry buffered by ``uncertainty_m`` (at least
    :data:`MIN_RADIUS_M`): every vertex contributes a circle of that radius, drawn as a
    polygon that contains it. The circle is centred on the middle of the geometry's extent
    and reaches the farthest vertex plus the buffer.
    """
    positions = _geometry_positions(geometry)
    if not positions:
        raise ValueError("the geometry has no coordinates")
    radius = max(float(uncertainty_m or 0.0), MIN_RADIUS_M)
    lons = [p[0] for p in positions]
    lats = [p[1] for p in positions]
    lon0 = (min(lons) + max(lons)) / 2
    lat0 = (min(lats) + max(lats)) / 2
    kx = _M_PER_DEG * max(math.cos(math.radians(lat0)), 1e-6)
    ky = _M_PER_DEG
    local = [((lon - lon0) * kx, (lat - lat0) * ky) for lon, lat in positions]
    outer = radius / math.cos(math.pi / _CIRCLE_POINTS)  # the polygon contains the circle
    ring: list[tuple[float, float]] = []
    for x, y in local:
        for i in range(_CIRCLE_POINTS):
            angle = 2 * math.pi * i / _CIRCLE_POINTS
            ring.append((x + outer * math.cos(angle), y + outer * math.sin(angle)))
    pairs: list[str] = []
    for x, y in _hull(ring):
        pair = _pair(lat0 + y / ky, lon0 + x / kx)
        if not pairs or pairs[-1] != pair:
            pairs.append(pair)
    if len(pairs) > 1 and pairs[0] == pairs[-1]:
        pairs.pop()
    pairs.append(pairs[0])
    reach = max(math.hypot(x, y) for x, y in local) + outer
    circle = f"{_pair(lat0, lon0)} {math.ceil(reach) / 1000:.3f}"
    return AlertArea(polygon=" ".join(pairs), circle=circle)


# --- writing -----------------------------------------------------------------------------


def _text(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def _sub(parent: ET.Element, name: str, text: object, ns: str = CAP_NS) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ns}}}{name}")
    element.text = _text(text)
    return element


def _pair_element(parent: ET.Element, name: str, value_name: str, value: object) -> None:
    element = ET.SubElement(parent, f"{{{CAP_NS}}}{name}")
    _sub(element, "valueName", value_name)
    _sub(element, "value", value)


def alert_element(escalation: Escalation) -> ET.Element:
    """The ``<alert>`` element of ``escalation`` (elements in CAP 1.2's order)."""
    e = escalation
    if _BAD_ID.search(e.sender) or not e.sender:
        raise ValueError(f"not a CAP sender: {e.sender!r} (no spaces, commas, < or &)")
    if not e.restriction.strip():
        raise ValueError("a Restricted alert needs its <restriction>")
    if not e.texts:
        raise ValueError("an alert needs at least one <info>")
    area = area_of(e.geometry, e.uncertainty_m)
    alert = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(alert, "identifier", e.identifier)
    _sub(alert, "sender", e.sender)
    _sub(alert, "sent", cap_time(e.sent))
    _sub(alert, "status", "Exercise" if e.exercise else "Actual")
    _sub(alert, "msgType", "Alert")
    _sub(alert, "scope", "Restricted")
    _sub(alert, "restriction", e.restriction)
    if e.note:
        _sub(alert, "note", e.note)
    _sub(alert, "incidents", e.incident_reference)
    urgency = urgency_of(e)
    severity = severity_of(e.kind, e.finding_severities)
    certainty = certainty_of(e.state)
    for text in e.texts:
        info = ET.SubElement(alert, f"{{{CAP_NS}}}info")
        _sub(info, "language", text.language)
        _sub(info, "category", "Security")
        _sub(info, "event", text.event)
        _sub(info, "responseType", "Assess")
        _sub(info, "urgency", urgency)
        _sub(info, "severity", severity)
        _sub(info, "certainty", certainty)
        _pair_element(info, "eventCode", "coordcell:incident-kind", e.kind)
        if e.expires is not None:
            _sub(info, "expires", cap_time(e.expires))
        _sub(info, "senderName", text.sender_name)
        _sub(info, "headline", text.headline)
        _sub(info, "description", text.description)
        if text.instruction:
            _sub(info, "instruction", text.instruction)
        if e.web:
            _sub(info, "web", e.web)
        for name, value in (
            ("coordcell:case", e.case_reference),
            ("coordcell:incident", e.incident_reference),
            ("coordcell:level", e.level_code),
            ("coordcell:level-index", e.level),
            ("coordcell:reason", e.reason),
            ("coordcell:record-entry-hash", e.entry_hash),
        ):
            _pair_element(info, "parameter", name, value)
        area_element = ET.SubElement(info, f"{{{CAP_NS}}}area")
        _sub(area_element, "areaDesc", text.area_desc)
        _sub(area_element, "polygon", area.polygon)
        _sub(area_element, "circle", area.circle)
    return alert


def alert_xml(escalation: Escalation) -> bytes:
    """The alert as a UTF-8 XML document (``application/cap+xml``)."""
    body = ET.tostring(alert_element(escalation), encoding="unicode", default_namespace=CAP_NS)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def atom_feed(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    author: str,
    updated: dt.datetime,
    entries: Sequence[FeedEntry],
    links: Mapping[str, str] | None = None,
) -> bytes:
    """An Atom feed whose entries embed their CAP alert in ``<content>``, newest first.

    ``links`` maps a relation to a URL (``first``, ``previous``, ``next``, ``last``: the
    RFC 5005 links of one page of a paged feed); each becomes a ``<link>`` of the feed.

    Each embedded ``<alert>`` declares the CAP namespace itself, so it can be cut out of
    the feed and read as the document ``GET …/alerts/{id}`` serves. ``updated`` is the
    feed's time when there is no entry (otherwise the newest alert's).
    """

    def element(name: str, text: str) -> str:
        return f"<{name}>{escape(_text(text))}</{name}>"

    newest = max((e.escalation.sent for e in entries), default=updated)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<feed xmlns="{ATOM_NS}">',
        element("id", feed_id),
        element("title", title),
        element("updated", _atom_time(newest)),
        f"<author>{element('name', author)}</author>",
        f'<link rel="self" href={quoteattr(_text(self_url))}/>',
    ]
    parts += [
        f"<link rel={quoteattr(rel)} href={quoteattr(_text(url))}/>"
        for rel, url in (links or {}).items()
    ]
    for item in entries:
        e = item.escalation
        alert = ET.tostring(alert_element(e), encoding="unicode", default_namespace=CAP_NS)
        parts += [
            "<entry>",
            element("id", item.url),
            element("title", e.texts[0].headline if e.texts else e.identifier),
            element("updated", _atom_time(e.sent)),
            f'<link rel="alternate" type="{CAP_MEDIA_TYPE}" href={quoteattr(_text(item.url))}/>',
            f'<content type="{CAP_MEDIA_TYPE}">{alert}</content>',
            "</entry>",
        ]
    parts.append("</feed>\n")
    return "".join(parts).encode("utf-8")
