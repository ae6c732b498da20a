"""The situation map's incidents layer: clustered on the server, for the reader alone.

A viewport asks for its bounding box and the filters (time, kind, zone, party, case
state); the answer is at most a few hundred features whatever the number of incidents:

- the incidents the reader may read (``incidents.selectors.list_incidents``: the
  audience is a condition of the query, so a hidden incident is in no count), filtered,
  are grouped by their grid cell at the level the bounding box calls for
  (``rules.grid``: the cell is a right shift of the one integer stored on the incident,
  ``Incident.cell``, read with the time, place and audience from one index);
- a cell of several incidents is one *cluster*: its count and the mean of their points;
- a cell of one incident is that incident: its generated headline (never a party's
  title), its time, its kind, and the state of the latest case about it *that the reader
  may see* (colour and label: the state of a case, not a verdict on the incident).

The filters are read and checked here (:func:`read_filters`): a bad value is a 400 with
a message, never a 500 or an empty map that looks like "nothing happened".
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, F, Min, Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from coordcell.agreements import selectors as agreements
from coordcell.agreements.engines import engine_for, kind_choices
from coordcell.agreements.models import ArrangementVersion
from coordcell.cases import selectors as cases
from coordcell.cases.choices import StateChoices
from coordcell.core.actor import Actor
from coordcell.core.errors import ValidationFailed
from coordcell.economy import selectors as economy
from coordcell.economy.choices import ProjectStateChoices
from coordcell.incidents import selectors as incidents
from coordcell.incidents.models import Incident
from coordcell.rules import grid
from coordcell.verification import selectors as verification
from coordcell.verification.choices import DenialKindChoices

__all__ = [
    "NO_CASE",
    "MapFilters",
    "clustered_incidents",
    "denials",
    "filter_options",
    "filtered_incidents",
    "full_incidents",
    "projects",
    "read_filters",
]

#: The ``state`` filter's value for incidents about which the reader sees no case.
NO_CASE = "none"
#: The colour of an incident without a case the reader sees.
NO_CASE_COLOUR = "slate"
#: How many cells across the bounding box's longer side (``rules.grid.level_for``): cells
#: of 60 to 120 px on a map 1,000 to 1,400 px wide, and at most about 16 × 16 features.
COLUMNS = 16
#: The fields a single incident's feature reads (with its version, for the headline).
SINGLE_FIELDS = (
    "pk",
    "public_id",
    "reference",
    "kind",
    "lon",
    "lat",
    "zones",
    "occurred_from",
    "time_precision",
    "version__id",
    "version__number",
    "version__content_hash",
    "version__arrangement__key",
)
#: The widest time window one request may ask for (days).
MAX_DAYS = 3660
#: The years a ``start`` or ``end`` may name (further out, the day after overflows).
YEARS = (1900, 2200)


@dataclass(frozen=True)
class MapFilters:
    """A viewport's request: its box (west, south, east, north) and the filters."""

    bbox: tuple[float, float, float, float]
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    kinds: tuple[str, ...] = ()
    zone: str = ""
    party: str = ""
    states: tuple[str, ...] = field(default=())


def filter_options(actor: Actor, version: ArrangementVersion) -> dict[str, Any]:
    """What the map's filters offer, in the reader's language: kinds, zones, parties and
    case states (``[value, label]`` pairs), and the colour of each case state."""
    states = [(NO_CASE, _("No case"))] + [(v, str(label)) for v, label, *_c in StateChoices.CHOICES]
    return {
        "kinds": [list(c) for c in kind_choices(engine_for(version))],
        "zones": sorted(
            ([k, v] for k, v in agreements.zone_names(actor, version).items()),
            key=lambda kv: kv[1],
        ),
        "parties": [[code, code.upper()] for code in agreements.party_codes(version)],
        "states": [list(s) for s in states],
        "colours": {
            NO_CASE: NO_CASE_COLOUR,
            **{v: StateChoices.colour(v) for v, *_r in StateChoices.CHOICES},
        },
    }


def _number(text: str, low: float, high: float) -> float:
    value = float(text)
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(text)
    return value


def _day(text: str, name: str, errors: dict[str, list[str]]) -> dt.date | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = [_("Give a date as YYYY-MM-DD.")]
        return None
    first, last = YEARS
    if not first <= day.year <= last:
        message = _("Give a day between the years %(first)s and %(last)s.")
        errors[name] = [message % {"first": first, "last": last}]
        return None
    return day


def read_filters(query: QueryDict, actor: Actor, version: ArrangementVersion) -> MapFilters:
    """The viewport's box and filters from the query string, checked;
    :class:`ValidationFailed` (a 400 with a message per parameter) for a bad one.

    ``bbox=west,south,east,north`` (degrees; the arrangement's region when absent),
    ``start`` and ``end`` (days, UTC, both included), ``kind`` (repeatable), ``zone``,
    ``party`` (the reporting party's code), ``state`` (repeatable: a case state, or
    ``none`` for incidents about which the reader sees no case)."""
    errors: dict[str, list[str]] = {}
    bbox: tuple[float, float, float, float] = tuple(version.region_bbox)
    raw = query.get("bbox", "")
    if raw:
        try:
            parts = raw.split(",")
            if len(parts) != 4:
                raise ValueError(raw)
            west, east = (_number(parts[i], -180.0, 180.0) for i in (0, 2))
            south, north = (_number(parts[i], -90.0, 90.0) for i in (1, 3))
            if not (west < east and south < north):
                raise ValueError(raw)
            bbox = (west, south, east, north)
        except ValueError:
            errors["bbox"] = [
                _(
                    "Give the box as west,south,east,north in degrees, west of east and "
                    "south of north."
                )
            ]
    start = _day(query.get("start", ""), "start", errors)
    end = _day(query.get("end", ""), "end", errors)
    if start and end and (end < start or (end - start).days > MAX_DAYS):
        errors["end"] = [_("The last day must follow the first, within ten years.")]
    options = filter_options(actor, version)
    allowed = {
        name: {str(v) for v, *_r in options[key]}
        for name, key in (
            ("kind", "kinds"),
            ("zone", "zones"),
            ("party", "parties"),
            ("state", "states"),
        )
    }
    chosen: dict[str, list[str]] = {}
    for name in ("kind", "zone", "party", "state"):
        values = [v for v in query.getlist(name) if v]
        if len(values) > 50 or any(v not in allowed[name] for v in values):
            errors[name] = [_("Choose among the values the map offers.")]
        if name in ("zone", "party") and len(values) > 1:
            errors[name] = [_("Choose one value.")]
        chosen[name] = values
    if errors:
        raise ValidationFailed(errors)
    return MapFilters(
        bbox=bbox,
        start=dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC) if start else None,
        end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        if end
        else None,
        kinds=tuple(chosen["kind"]),
        zone=(chosen["zone"] or [""])[0],
        party=(chosen["party"] or [""])[0],
        states=tuple(chosen["state"]),
    )


def filtered_incidents(actor: Actor, filters: MapFilters) -> QuerySet[Incident]:
    """The incidents ``actor`` may read that match ``filters``, in the box, unordered."""
    west, south, east, north = filters.bbox
    qs = (
        incidents.list_incidents(actor)
        .order_by()
        .filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
    )
    if filters.start is not None:
        qs = qs.filter(occurred_from__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(occurred_from__lt=filters.end)
    if filters.kinds:
        qs = qs.filter(kind__in=filters.kinds)
    if filters.zone:
        # The zone ids are the version's (checked above): a quoted id in the JSON list.
        qs = qs.filter(zones__icontains=f'"{filters.zone}"')
    if filters.party:
        qs = qs.filter(source_party__code=filters.party)
    if filters.states:
        wanted = Q(pk__in=[])
        states = [s for s in filters.states if s != NO_CASE]
        if states:
            wanted |= Q(pk__in=cases.visible_case_incidents(actor, states))
        if NO_CASE in filters.states:
            every = [v for v, *_r in StateChoices.CHOICES]
            wanted |= ~Q(pk__in=cases.visible_case_incidents(actor, every))
        qs = qs.filter(wanted)
    return qs


def _level(bbox: tuple[float, float, float, float]) -> int:
    """The grid level for the box: about :data:`COLUMNS` cells across its longer side
    (in Web Mercator, where the cells are square)."""
    west, south, east, north = bbox

    def y(lat: float) -> float:
        lat = max(-grid.MAX_LAT, min(grid.MAX_LAT, lat))
        return math.asinh(math.tan(math.radians(lat))) / math.pi * 180.0

    span = max(east - west, y(north) - y(south))
    return grid.level_for(0.0, span, COLUMNS)


def _incident_feature(
    incident: Incident, case: Any, headlines: incidents.Headlines, colours: dict[str, str]
) -> dict[str, Any]:
    state = case.state if case is not None else NO_CASE
    return {
        "type": "Feature",
        "id": str(incident.public_id),
        "geometry": {"type": "Point", "coordinates": [incident.lon, incident.lat]},
        "properties": {
            "count": 1,
            "reference": incident.reference,
            "headline": headlines.of(incident),
            "kind": incident.kind,
            "occurred_from": incident.occurred_from.isoformat(),
            "state": state,
            "state_label": str(StateChoices.label(state)) if case is not None else _("No case"),
            "colour": colours[state],
            "case": case.reference if case is not None else "",
            "case_url": reverse("cases:case", args=[case.public_id]) if case is not None else "",
        },
    }


def _features(actor: Actor, rows: list[Incident]) -> list[dict[str, Any]]:
    headlines = incidents.Headlines()
    found = cases.case_of_incidents(actor, [r.pk for r in rows])
    colours = {
        NO_CASE: NO_CASE_COLOUR,
        **{v: StateChoices.colour(v) for v, *_r in StateChoices.CHOICES},
    }
    return [_incident_feature(r, found.get(r.pk), headlines, colours) for r in rows]


def clustered_incidents(actor: Actor, filters: MapFilters) -> dict[str, Any]:
    """The viewport's incidents as GeoJSON: clusters (``count`` > 1, no id) and single
    incidents (``count`` 1, with their public id), with the level and the total."""
    level = _level(filters.bbox)
    shift = grid.shift_for(level)
    groups = list(
        filtered_incidents(actor, filters)
        .annotate(group=F("cell").bitrightshift(shift))
        .values("group")
        .annotate(n=Count("pk"), mlat=Avg("lat"), mlon=Avg("lon"), first=Min("pk"))
        .order_by("group")
    )
    single = [g["first"] for g in groups if g["n"] == 1]
    # Only what a single incident's feature and headline read: not its geometry, findings
    # or problems (decoding their JSON was most of a viewport's time).
    rows = list(
        incidents.list_incidents(actor)
        .filter(pk__in=single)
        .select_related(None)
        .select_related("version__arrangement")
        .only(*SINGLE_FIELDS)
        .order_by("-occurred_from", "-pk")
    )
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [round(g["mlon"], 6), round(g["mlat"], 6)],
            },
            "properties": {"count": g["n"]},
        }
        for g in groups
        if g["n"] > 1
    ] + _features(actor, rows)
    return {
        "type": "FeatureCollection",
        "level": level,
        "total": sum(g["n"] for g in groups),
        "features": features,
    }


def full_incidents(actor: Actor, filters: MapFilters) -> dict[str, Any]:
    """Every matching incident as its own feature, with only its id, reference, kind and
    time: the naive answer the clusters replace, as lean as a full answer can be
    (``benchmarks/map_viewport.py`` measures one against the other)."""
    rows = filtered_incidents(actor, filters).values_list(
        "public_id", "reference", "kind", "occurred_from", "lon", "lat"
    )
    features = [
        {
            "type": "Feature",
            "id": str(public_id),
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "reference": reference,
                "kind": kind,
                "occurred_from": occurred.isoformat(),
            },
        }
        for public_id, reference, kind, occurred, lon, lat in rows.iterator(chunk_size=5000)
    ]
    return {"type": "FeatureCollection", "total": len(features), "features": features}


def projects(actor: Actor) -> dict[str, Any]:
    """The economic zone's projects the reader may read (``economy.selectors``), each
    with its reference, title in the reader's language, sector and state: a handful, so
    drawn one by one."""
    features = [
        {
            "type": "Feature",
            "id": str(project.public_id),
            "geometry": project.site,
            "properties": {
                "reference": project.reference,
                "title": project.title,
                "sector": project.sector,
                "state": project.state,
                "state_label": str(ProjectStateChoices.label(project.state)),
                "url": reverse("economy:project", args=[project.public_id]),
            },
        }
        for project in economy.list_projects(actor).order_by("reference")
    ]
    return {"type": "FeatureCollection", "features": features}


def denials(actor: Actor) -> dict[str, Any]:
    """The monitors' reports of access denied or movement restricted that the reader may
    read (``verification.selectors``), each at its place and time: what the monitors
    report, with the party they name (none when they name none)."""
    features = [
        {
            "type": "Feature",
            "id": str(denial.public_id),
            "geometry": denial.place,
            "properties": {
                "reference": denial.reference,
                "kind": denial.kind,
                "kind_label": str(DenialKindChoices.label(denial.kind)),
                "occurred_at": denial.occurred_at.isoformat(),
                "monitor": denial.monitor.code,
                "party": denial.party.code if denial.party is not None else "",
                "url": reverse("verification:denials"),
            },
        }
        for denial in verification.list_denials(actor).order_by("-occurred_at", "-pk")[:2000]
    ]
    return {"type": "FeatureCollection", "features": features}
