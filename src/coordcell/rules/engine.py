"""The compliance engine: what the arrangement says about a reported fact.

Given an arrangement (zones, clauses, limits, dates) and an observation (a kind from the
taxonomy, a geometry with its uncertainty, a time), the engine returns an ``Assessment``:
the zones the observation falls in or may fall in, its distance to every line of the
arrangement, and each clause it may breach as a ``Finding``. A finding states what the
arrangement says about a fact *as reported*; it never says who is to blame, and it
cites the arrangement version it was computed under.

Every clause has a status (``agreed``, ``disputed`` by named parties, ``illustrative``):
data of the scenario, never the engine's conclusion. A finding carries its clause's
status; the assessment keeps the findings under clauses that are not agreed apart
(``findings_not_agreed``) and computes no severity from them. ``Engine`` says which
clauses it assesses against a reported fact and which it does not
(``clauses_machine_assessed``, ``clauses_not_machine_assessed``).

Two paths give the same answers (a property test holds them together):

- ``assess(observation)`` for one incident typed by a liaison officer (microseconds);
- ``assess_many(observations)`` for a million sensor or open-source observations, which
  sends all points through the compiled grid index in one call per chunk.

Pure Python on numpy, shapely, pyproj and the numba kernels of ``spatial``; no Django.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity

from coordcell.rules import localtime, taxonomy
from coordcell.rules.arrangement import Arrangement, ClauseSpec, ZoneSpec
from coordcell.rules.spatial import NearestPoints, Projector, SegmentDistance, ZoneIndex

__all__ = [
    "EXEMPT_NOTE",
    "MESSAGES",
    "SIDES",
    "STATUS_LABELS",
    "Assessment",
    "Engine",
    "Finding",
    "Holding",
    "Location",
    "Observation",
    "Position",
    "Problem",
    "gettext_noop",
    "split_findings",
]


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it (Django extracts this name)."""
    return message


#: Finding and problem messages: English templates with named parameters. The Django
#: side translates the template, then fills in the parameters.
MESSAGES: dict[str, str] = {
    "prohibited_inside": gettext_noop(
        "%(activity)s reported inside %(zone)s, where clause %(clause)s prohibits it."
    ),
    "prohibited_possibly": gettext_noop(
        "%(activity)s reported within %(uncertainty_m)s m of %(zone)s, where clause "
        "%(clause)s prohibits it: the reported location is not precise enough to tell."
    ),
    "prohibited_anywhere": gettext_noop(
        "%(activity)s reported; clause %(clause)s prohibits it throughout the arrangement's region."
    ),
    "line_crossing": gettext_noop(
        "The reported movement crosses %(zone)s; clause %(clause)s keeps military forces "
        "on their side of it."
    ),
    "line_crossing_toward": gettext_noop(
        "The reported movement crosses %(zone)s toward its %(side)s side; clause %(clause)s "
        "keeps the forces it binds on its %(allowed_side)s side."
    ),
    "line_side_inside": gettext_noop(
        "%(activity)s reported %(distance_m)s m on the %(side)s side of %(zone)s, concerning "
        "forces that clause %(clause)s keeps on its %(allowed_side)s side."
    ),
    "line_side_possibly": gettext_noop(
        "%(activity)s reported %(distance_m)s m from %(zone)s, within the location's "
        "uncertainty of %(uncertainty_m)s m, concerning forces that clause %(clause)s keeps "
        "on its %(allowed_side)s side."
    ),
    "limit_exceeded": gettext_noop(
        "%(count)s %(category)s declared in %(zone)s, above the %(limit)s that clause "
        "%(clause)s allows."
    ),
    "range_exceeded": gettext_noop(
        "Artillery with a range of %(range_km)s km declared in %(zone)s; clause %(clause)s "
        "allows at most %(limit)s km."
    ),
    "freeze_new_position": gettext_noop(
        "%(activity)s reported %(distance_m)s m from the nearest baseline position; clause "
        "%(clause)s freezes positions as of %(baseline_date)s."
    ),
    "freeze_possibly_new": gettext_noop(
        "%(activity)s reported %(distance_m)s m from the nearest baseline position, within "
        "the location's uncertainty of %(uncertainty_m)s m; clause %(clause)s freezes "
        "positions as of %(baseline_date)s."
    ),
    "withdrawal_position": gettext_noop(
        "%(activity)s reported at position %(position)s, established on %(established)s; "
        "clause %(clause)s covers positions established after %(after_date)s."
    ),
    # Problems: why an observation could not be (fully) assessed.
    "unknown_kind": gettext_noop("Unknown incident kind %(kind)s."),
    "invalid_geometry": gettext_noop("Invalid geometry: %(reason)s."),
    "outside_region": gettext_noop(
        "The location (%(lon)s, %(lat)s) is outside the arrangement's region."
    ),
    "swapped_coordinates": gettext_noop(
        "The location (%(lon)s, %(lat)s) is outside the arrangement's region; with latitude "
        "and longitude swapped it would be inside: check their order (GeoJSON is lon, lat)."
    ),
    "time_outside_validity": gettext_noop(
        "The time %(time)s is outside the arrangement's validity (%(valid_from)s to "
        "%(valid_until)s): no clause is assessed."
    ),
    "invalid_uncertainty": gettext_noop(
        "The location uncertainty must be a non-negative number of metres."
    ),
}

#: Appended to a finding's explanation when its clause exempts some parties or forces and
#: the report does not say (or not precisely enough) who acted (``Finding.exempt``).
EXEMPT_NOTE = gettext_noop(
    "Clause %(clause)s exempts %(exempt)s; the report does not say whether they acted."
)


#: How a finding under a clause that is not agreed is labelled (``Finding.status``).
#: ``%(parties)s`` is the names of the parties in ``Finding.disputed_by``.
STATUS_LABELS: dict[str, str] = {
    "disputed": gettext_noop("Under a clause whose applicability %(parties)s disputes."),
    "illustrative": gettext_noop(
        "Under an illustrative clause: terms this scenario set itself, not agreed terms."
    ),
}

#: The compass sides of a line (``forces_side`` of a line clause), for messages.
SIDES: dict[str, str] = {
    "west": gettext_noop("west"),
    "east": gettext_noop("east"),
    "north": gettext_noop("north"),
    "south": gettext_noop("south"),
}
_OPPOSITE = {"west": "east", "east": "west", "north": "south", "south": "north"}


@dataclass(frozen=True)
class Observation:
    """A reported fact: what (``kind``), where (WGS84 GeoJSON geometry), when.

    ``party`` is the party whose forces the report concerns, when the report says so
    (it is what a party *claims*, not a finding); ``acting_force`` the force (an id of
    the arrangement's ``forces``) when the report names it, which also tells its party.
    Both decide whether a clause's exemption applies. ``no_party`` says the report names
    an actor no party controls: no exemption of a party or a force can cover it, so a
    finding under a clause with an exemption stays without the exemption note.
    ``uncertainty_m`` widens "inside" into "possibly inside" near boundaries.
    """

    id: str
    kind: str
    geometry: Mapping[str, Any]
    time: dt.date | dt.datetime | None = None
    uncertainty_m: float = 0.0
    party: str | None = None
    acting_force: str | None = None
    no_party: bool = False


@dataclass(frozen=True)
class Position:
    """A declared position (for the freeze baseline and the withdrawal clause)."""

    id: str
    party: str
    lon: float
    lat: float
    established: dt.date | None = None


@dataclass(frozen=True)
class Holding:
    """A declared or inspected holding in a zone: ``count`` of ``category``.

    ``category`` is a limit key without its ``max_`` prefix (``tanks``, ``personnel``,
    ``artillery_pieces``, ``brigades``, ``surface_to_air_missiles``) or
    ``artillery_range_km`` with the longest range in ``count``.
    """

    zone: str
    party: str
    category: str
    count: float
    as_of: dt.date


@dataclass(frozen=True)
class Finding:
    """What a clause says about a reported fact. Never a verdict, never a blame.

    ``certainty`` is ``inside`` (the fact as reported falls in the zone), ``possibly``
    (only within the location's uncertainty) or ``declared`` (from declared holdings).
    ``status`` and ``disputed_by`` are the clause's (``ClauseSpec``); a finding under a
    clause that is not agreed has no ``severity`` (None). ``exempt`` names the parties
    (codes) and forces (ids) the clause exempts and that may have acted, when the report
    does not say who acted: the finding stands, and its explanation says so.
    """

    clause: str
    zone: str | None
    rule: str
    severity: str | None
    certainty: str
    message_id: str
    params: Mapping[str, Any]
    version: str
    status: str = "agreed"
    disputed_by: tuple[str, ...] = ()
    exempt: tuple[str, ...] = ()

    @property
    def agreed(self) -> bool:
        return self.status == "agreed"

    @property
    def message(self) -> str:
        """The English explanation (translate ``MESSAGES[message_id]`` for others)."""
        said = MESSAGES[self.message_id] % self.params
        if self.exempt:
            note = EXEMPT_NOTE % {"clause": self.clause, "exempt": ", ".join(self.exempt)}
            said = f"{said} {note}"
        return said

    def as_dict(self) -> dict[str, Any]:
        return {
            "clause": self.clause,
            "zone": self.zone,
            "rule": self.rule,
            "severity": self.severity,
            "certainty": self.certainty,
            "message_id": self.message_id,
            "params": dict(self.params),
            "message": self.message,
            "version": self.version,
            "status": self.status,
            "disputed_by": list(self.disputed_by),
            "exempt": list(self.exempt),
        }


@dataclass(frozen=True)
class Problem:
    """Why an observation could not be (fully) assessed: a code, a message, parameters."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return MESSAGES[self.code] % self.params

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params), "message": self.message}


@dataclass(frozen=True)
class Assessment:
    """The engine's answer for one observation.

    ``assessed`` is False when a problem stopped the assessment: a problem with the
    place leaves no zones; a time outside the arrangement's validity keeps the zones and
    distances (facts of geography) but assesses no clause.

    ``findings`` are under agreed clauses; ``findings_not_agreed`` under clauses that a
    party disputes or that are illustrative, kept apart (and without severity).
    """

    observation_id: str
    zones: tuple[str, ...]
    possible_zones: tuple[str, ...]
    distances_m: Mapping[str, float]
    findings: tuple[Finding, ...]
    findings_not_agreed: tuple[Finding, ...]
    problems: tuple[Problem, ...]

    @property
    def assessed(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.observation_id,
            "zones": list(self.zones),
            "possible_zones": list(self.possible_zones),
            "distances_m": dict(self.distances_m),
            "findings": [f.as_dict() for f in self.findings],
            "findings_not_agreed": [f.as_dict() for f in self.findings_not_agreed],
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass(frozen=True)
class Location:
    """Where a geometry lies, before anything is reported: the areas it is in, those it
    may be in within its uncertainty, the lines a path or an area crosses; or the problem
    that stopped the look-up (then all three are empty)."""

    zones: tuple[str, ...]
    possible_zones: tuple[str, ...]
    crossed_lines: tuple[str, ...]
    problems: tuple[Problem, ...] = ()


#: Positions closer than this to a baseline position count as the same position.
DEFAULT_FREEZE_TOLERANCE_M = 500.0
#: Activities that establish a presence (for the freeze and withdrawal clauses).
_PRESENCE = frozenset({"military_presence", "fortification"})


def _day(value: dt.date | dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The local day of ``value`` in the arrangement's zone (a naive time is local)."""
    return localtime.local_day(value, zone)


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


#: Beyond this uncertainty a "possibly inside" says little: the finding is of low severity.
VAGUE_LOCATION_M = 10_000.0


def _severity(certainty: str, radius: float) -> str:
    """High for a fact reported inside; medium when only possibly; low when vaguely located."""
    if certainty == "inside":
        return "high"
    return "medium" if radius <= VAGUE_LOCATION_M else "low"


def _rounded(metres: float) -> int:
    return round(metres)


def split_findings(
    findings: Iterable[Mapping[str, Any]],
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """Stored findings (``Finding.as_dict``): those under agreed clauses, and the others.

    A finding stored before clauses had a status has none and counts as agreed (the
    engine then assessed every clause as in force)."""
    agreed: list[Mapping[str, Any]] = []
    other: list[Mapping[str, Any]] = []
    for f in findings:
        if isinstance(f, Mapping):
            (agreed if f.get("status", "agreed") == "agreed" else other).append(f)
    return agreed, other


def _apart(found: Iterable[Finding]) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """The findings under agreed clauses, and those under clauses that are not agreed."""
    found = tuple(found)
    return tuple(f for f in found if f.agreed), tuple(f for f in found if not f.agreed)


def _binds(clause: ClauseSpec, party: str | None) -> bool:
    """Whether ``clause`` may concern forces of ``party`` (None: the report does not say)."""
    return not clause.parties or party is None or party in clause.parties


def _exempt(
    clause: ClauseSpec,
    party: str | None,
    force: str | None,
    party_of: Mapping[str, str],
    no_party: bool = False,
) -> tuple[str, ...] | None:
    """Whether ``clause`` exempts who acted: None when it does (no finding); otherwise
    the exempt parties and forces that may have acted, as far as the report says (empty
    when the clause exempts nobody, or nobody who may have acted)."""
    if not clause.exempt_parties and not clause.exempt_forces:
        return ()
    if no_party and party is None and force is None:
        return ()  # the report names an actor no party controls: no exemption covers it
    if force is not None:
        party = party or party_of.get(force)
        if force in clause.exempt_forces or party in clause.exempt_parties:
            return None
        return ()  # the report names a force the clause does not exempt
    if party is not None:
        if party in clause.exempt_parties:
            return None
        # The report says whose forces, not which: an exempt force of that party may be it.
        return tuple(f for f in clause.exempt_forces if party_of.get(f) == party)
    return (*clause.exempt_parties, *clause.exempt_forces)


def _points(geom: shapely.Geometry) -> int:
    """How many points an intersection of two lines has (an overlap counts as one)."""
    if geom.is_empty:
        return 0
    if geom.geom_type == "Point":
        return 1
    if geom.geom_type in ("MultiPoint", "GeometryCollection"):
        return len(geom.geoms)
    return 1


class Engine:
    """An arrangement made ready for assessing observations (build once, reuse).

    ``version`` is the label findings cite (e.g. ``southern_syria_2026 v2``).
    ``baseline`` holds the declared positions for the freeze and withdrawal clauses;
    without it, those clauses are not assessed (``freeze_assessed`` says so).
    """

    def __init__(
        self,
        arrangement: Arrangement,
        *,
        version: str,
        baseline: Sequence[Position] = (),
        freeze_tolerance_m: float = DEFAULT_FREEZE_TOLERANCE_M,
    ) -> None:
        self.arrangement = arrangement
        self.version = version
        self.projector = Projector(arrangement.region_crs)
        self.freeze_tolerance_m = freeze_tolerance_m
        self._zones: dict[str, ZoneSpec] = {z.id: z for z in arrangement.zones}
        self._metric: dict[str, shapely.Geometry] = {
            z.id: self.projector.geometry_to_metric(shape(z.geometry)) for z in arrangement.zones
        }
        areas = [z for z in arrangement.zones if z.kind == "area"]
        self._area_ids = tuple(z.id for z in areas)
        self.index = ZoneIndex([(z.id, self._metric[z.id]) for z in areas])
        self._lines = tuple(z.id for z in arrangement.zones if z.kind == "line")
        self._line_distance = {i: SegmentDistance(self._metric[i]) for i in self._lines}
        for geom in self._metric.values():
            shapely.prepare(geom)
        self._clauses_by_zone: dict[str, list[ClauseSpec]] = {}
        for clause in arrangement.clauses:
            for zone_id in clause.zones:
                self._clauses_by_zone.setdefault(zone_id, []).append(clause)
        self._amended = {c.amends: c for c in arrangement.clauses if c.amends}
        self._party_of = {f.id: f.party for f in arrangement.forces}
        self._clause_by_id = {c.id: c for c in arrangement.clauses}
        # The scenario's own incident kinds, with the activities each implies.
        self.declared_kinds = {k.id: k for k in arrangement.incident_kinds}
        # The scenario's own activities, by the incident kinds that imply them.
        self._declared_acts: dict[str, frozenset[str]] = {
            k.id: frozenset(k.implies) for k in arrangement.incident_kinds
        }
        for declared in arrangement.activities:
            for kind in declared.implied_by:
                self._declared_acts[kind] = self._declared_acts.get(kind, frozenset()) | {
                    declared.id
                }
        # Clause validity as UTC instants, once: [start, end), from the dates and local
        # times of the scenario read in the arrangement's time zone.
        self.zone = localtime.time_zone(arrangement.time_zone)
        self._bounds: dict[str, tuple[dt.datetime | None, dt.datetime | None]] = {
            c.id: (
                localtime.clause_start(c.effective_from, self.zone),
                localtime.clause_end(c.effective_until, self.zone),
            )
            for c in arrangement.clauses
        }
        # A clause that prohibits activities and cites no zone applies throughout the
        # region (e.g. a ceasefire's "refrain from all military action": fire anywhere).
        self._anywhere = tuple(
            c for c in arrangement.clauses if not c.zones and set(c.prohibited) - {"line_crossing"}
        )
        self._use_baseline(baseline)
        lon0, lat0, lon1, lat1 = arrangement.region_bbox
        self._region = (lon0, lat0, lon1, lat1)

    def _use_baseline(self, baseline: Sequence[Position]) -> None:
        self.baseline = tuple(baseline)
        bx, by = self.projector.to_metric(
            np.array([p.lon for p in self.baseline], np.float64),
            np.array([p.lat for p in self.baseline], np.float64),
        )
        self._bx, self._by = bx, by
        # The positions each (clause, reported party) compares with, indexed once, when
        # first needed: a point's cost does not grow with the size of the baseline.
        self._freeze_sets: dict[tuple[str, str | None], NearestPoints | None] = {}
        self._withdrawal_sets: dict[
            tuple[str, str | None], tuple[shapely.STRtree, np.ndarray] | None
        ] = {}

    def compares_with_positions(self, kind: str) -> bool:
        """Whether a report of ``kind`` may be compared with declared positions: the kind
        implies a presence and the arrangement has a freeze or a withdrawal clause. The
        same with or without a baseline: it says nothing of the positions."""
        builtin = taxonomy.activities(kind) if taxonomy.is_kind(kind) else frozenset()
        acts = builtin | self._declared_acts.get(kind, frozenset())
        return bool(acts & _PRESENCE) and any(
            c.kind in ("freeze", "withdrawal") for c in self.arrangement.clauses
        )

    def with_baseline(self, baseline: Sequence[Position]) -> Engine:
        """This engine with ``baseline`` as its declared positions: the zones, clauses and
        their indexes are shared with this one (built once), only the positions are new."""
        other = copy.copy(self)
        other._use_baseline(baseline)
        return other

    def is_kind(self, kind: str) -> bool:
        """Whether ``kind`` is a built-in incident kind or one the arrangement declares."""
        return taxonomy.is_kind(kind) or kind in self.declared_kinds

    @property
    def zone_ids(self) -> tuple[str, ...]:
        return tuple(self._zones)

    @property
    def line_ids(self) -> tuple[str, ...]:
        return self._lines

    @property
    def freeze_assessed(self) -> bool:
        return bool(self.baseline)

    def machine_assessed(self, clause: ClauseSpec) -> bool:
        """Whether this engine assesses ``clause`` against a reported fact: it prohibits
        activities (in its zones, across its lines, or throughout the region), or it is a
        freeze or withdrawal and the engine has declared positions. Limits are checked
        against declared holdings (``check_holdings``), not against a reported fact."""
        if clause.prohibited:
            return True
        return clause.kind in ("freeze", "withdrawal") and bool(self.baseline)

    @property
    def clauses_machine_assessed(self) -> tuple[str, ...]:
        """Ids of the clauses assessed against every reported fact (when in force)."""
        return tuple(c.id for c in self.arrangement.clauses if self.machine_assessed(c))

    @property
    def clauses_not_machine_assessed(self) -> tuple[str, ...]:
        """Ids of the clauses the engine does not assess against a reported fact: a
        person reads them (inspection duties, general terms without a prohibited
        activity, limits, and a freeze or withdrawal without declared positions)."""
        return tuple(c.id for c in self.arrangement.clauses if not self.machine_assessed(c))

    # ------------------------------------------------------------------ clauses in force

    def _instant(self, time: dt.date | dt.datetime | None) -> dt.datetime | None:
        """``time`` as a UTC instant: a date is 00:00 local time, a naive time is local."""
        return None if time is None else localtime.instant(time, self.zone)

    def in_force(self, clause: ClauseSpec, time: dt.date | dt.datetime | None) -> bool:
        """Whether ``clause`` applies at ``time`` (a date: at 00:00 local time; a naive
        date-time: local time in the arrangement's zone)."""
        return self._in_force(clause, self._instant(time))

    def _in_force(self, clause: ClauseSpec, at: dt.datetime | None) -> bool:
        """Whether ``clause`` applies at the UTC instant ``at`` (unknown: clauses without
        dates)."""
        start, end = self._bounds[clause.id]
        if at is None:
            return start is None and end is None
        if start is not None and at < start:
            return False
        if end is not None and at >= end:
            return False
        amending = self._amended.get(clause.id)
        if amending is None:
            return True
        # An amendment replaces the clause it amends from its own effective time on.
        amending_start = self._bounds[amending.id][0]
        return not (amending_start is not None and at >= amending_start)

    def _validity_problem(self, time: dt.date | dt.datetime | None) -> Problem | None:
        if time is None:
            return None
        day = _day(time, self.zone)
        a = self.arrangement
        if day < a.valid_from or (a.valid_until is not None and day > a.valid_until):
            return Problem(
                "time_outside_validity",
                {
                    "time": day.isoformat(),
                    "valid_from": a.valid_from.isoformat(),
                    "valid_until": a.valid_until.isoformat() if a.valid_until else "…",
                },
            )
        return None

    # ------------------------------------------------------------------ input checks

    def _place_problem(self, geom: shapely.Geometry) -> Problem | None:
        lon0, lat0, lon1, lat1 = self._region
        xmin, ymin, xmax, ymax = geom.bounds
        if xmin >= lon0 and ymin >= lat0 and xmax <= lon1 and ymax <= lat1:
            return None
        cx, cy = geom.centroid.x, geom.centroid.y
        params = {"lon": round(cx, 6), "lat": round(cy, 6)}
        swapped = lon0 <= cy <= lon1 and lat0 <= cx <= lat1
        return Problem("swapped_coordinates" if swapped else "outside_region", params)

    def _geometry(self, raw: Mapping[str, Any]) -> tuple[shapely.Geometry | None, Problem | None]:
        try:
            geom = shape(raw)
        except (
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
            shapely.errors.ShapelyError,
        ) as exc:
            return None, Problem("invalid_geometry", {"reason": str(exc) or type(exc).__name__})
        if geom.is_empty:
            return None, Problem("invalid_geometry", {"reason": "empty geometry"})
        if not geom.is_valid:
            reason = explain_validity(geom)
            return None, Problem("invalid_geometry", {"reason": reason})
        if geom.geom_type not in {
            "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
        }:  # fmt: skip
            return None, Problem("invalid_geometry", {"reason": f"{geom.geom_type} not supported"})
        return geom, None

    # ------------------------------------------------------------------ one place

    def locate(self, geometry: Mapping[str, Any], uncertainty_m: float = 0.0) -> Location:
        """The zones a geometry falls in, as ``assess`` finds them, without a kind or a
        time: what a form shows its author while the place is being drawn."""
        radius = uncertainty_m
        if not (isinstance(radius, int | float) and math.isfinite(radius) and radius >= 0):
            return Location((), (), (), (Problem("invalid_uncertainty"),))
        geom, problem = self._geometry(geometry)
        if geom is not None and problem is None:
            problem = self._place_problem(geom)
        if problem is not None:
            return Location((), (), (), (problem,))
        assert geom is not None  # _geometry returns one of the two
        metric = self.projector.geometry_to_metric(geom)
        if isinstance(metric, shapely.Point):
            hits = self.index.locate_one(metric.x, metric.y, float(radius))
            certain = tuple(self._area_ids[z] for z, c in hits if c)
            possible = tuple(self._area_ids[z] for z, c in hits if not c)
            return Location(certain, possible, ())
        certain, possible = self._zones_of_shape(metric, float(radius))
        crossed = tuple(i for i in self._lines if self._metric[i].intersects(metric))
        return Location(certain, possible, crossed)

    # ------------------------------------------------------------------ one observation

    def assess(self, observation: Observation) -> Assessment:
        """Assess one observation: zones, distances, findings (or the problems found)."""
        problems: list[Problem] = []
        if not self.is_kind(observation.kind):
            problems.append(Problem("unknown_kind", {"kind": observation.kind}))
        radius = observation.uncertainty_m
        if not (isinstance(radius, int | float) and math.isfinite(radius) and radius >= 0):
            problems.append(Problem("invalid_uncertainty"))
            radius = 0.0
        geom, problem = self._geometry(observation.geometry)
        if geom is not None and problem is None:
            problem = self._place_problem(geom)
        if problem is not None:
            return Assessment(observation.id, (), (), {}, (), (), (*problems, problem))
        assert geom is not None  # _geometry returns one of the two
        metric = self.projector.geometry_to_metric(geom)
        if isinstance(metric, shapely.Point):
            hits = self.index.locate_one(metric.x, metric.y, float(radius))
            certain = tuple(self._area_ids[z] for z, c in hits if c)
            possible = tuple(self._area_ids[z] for z, c in hits if not c)
            distances = {
                i: d.distance_one(metric.x, metric.y) for i, d in self._line_distance.items()
            }
        else:
            certain, possible = self._zones_of_shape(metric, float(radius))
            distances = {i: float(self._metric[i].distance(metric)) for i in self._lines}
        validity = self._validity_problem(observation.time)
        if validity is not None:
            problems.append(validity)
        findings: tuple[Finding, ...] = ()
        if not problems:
            centre = metric if isinstance(metric, shapely.Point) else metric.centroid
            findings = self._findings(
                observation, metric, (centre.x, centre.y), certain, possible, float(radius)
            )
        return Assessment(
            observation.id,
            certain,
            possible,
            {k: round(v, 1) for k, v in distances.items()},
            *_apart(findings),
            tuple(problems),
        )

    def _zones_of_shape(
        self, metric: shapely.Geometry, radius: float
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Zones a line or area touches: ``intersects`` is "inside" for a path or an area;
        within the uncertainty only, "possibly"."""
        widened = metric.buffer(radius) if radius > 0 else metric
        certain, possible = [], []
        for zone_id in self._area_ids:
            zone = self._metric[zone_id]
            if zone.intersects(metric):
                certain.append(zone_id)
            elif radius > 0 and zone.intersects(widened):
                possible.append(zone_id)
        return tuple(certain), tuple(possible)

    # ------------------------------------------------------------------ findings

    def _findings(
        self,
        observation: Observation,
        metric: shapely.Geometry | None,
        xy: tuple[float, float],
        certain: Sequence[str],
        possible: Sequence[str],
        radius: float,
    ) -> tuple[Finding, ...]:
        at = self._instant(observation.time)
        builtin = (
            taxonomy.activities(observation.kind)
            if taxonomy.is_kind(observation.kind)
            else frozenset()
        )
        acts = builtin | self._declared_acts.get(observation.kind, frozenset())
        party = observation.party
        found: list[Finding] = []
        for zone_id, certainty in [*((z, "inside") for z in certain),
                                   *((z, "possibly") for z in possible)]:  # fmt: skip
            for clause in self._clauses_by_zone.get(zone_id, ()):
                if not self._in_force(clause, at) or not _binds(clause, party):
                    continue
                for activity in clause.prohibited:
                    if activity not in acts:
                        continue
                    found.append(self._finding(
                        clause, zone_id, f"prohibited:{activity}",
                        _severity(certainty, radius), certainty,
                        "prohibited_inside" if certainty == "inside" else "prohibited_possibly",
                        {"activity": activity, "zone": zone_id, "clause": clause.id,
                         "uncertainty_m": _rounded(radius)},
                    ))  # fmt: skip
        # Clauses citing no zone (a ceasefire): the activity anywhere in the region.
        for clause in self._anywhere:
            if not self._in_force(clause, at) or not _binds(clause, party):
                continue
            for activity in clause.prohibited:
                if activity in acts:
                    found.append(self._finding(
                        clause, None, f"prohibited:{activity}", "high", "inside",
                        "prohibited_anywhere", {"activity": activity, "clause": clause.id},
                    ))  # fmt: skip
        if "military_presence" in acts:
            found.extend(self._line_findings(observation, metric, xy, at, radius))
        found.extend(self._position_findings(observation, xy, acts, at, radius))
        return self._unless_exempt(observation, found)

    def _unless_exempt(self, observation: Observation, found: list[Finding]) -> tuple[Finding, ...]:
        """The findings whose clause does not exempt who acted; those whose clause exempts
        someone who may have acted say so (``Finding.exempt``)."""
        kept: list[Finding] = []
        for f in found:
            clause = self._clause_by_id[f.clause]
            exempt = _exempt(
                clause,
                observation.party,
                observation.acting_force,
                self._party_of,
                observation.no_party,
            )
            if exempt is None:
                continue
            kept.append(dataclasses.replace(f, exempt=exempt) if exempt else f)
        return tuple(kept)

    # ------------------------------------------------------------------ lines

    def _side(self, line_id: str, x: float, y: float, side: str) -> bool | None:
        """Whether (x, y) lies on the compass ``side`` of the line: a ray from the point
        toward the opposite side meets the line an odd number of times. None where the
        line does not extend across the point's latitude (or longitude, for north and
        south), so that no side can be told."""
        line = self._metric[line_id]
        xmin, ymin, xmax, ymax = line.bounds
        if side in ("west", "east"):
            if not ymin <= y <= ymax:
                return None
            end = (xmax + 1.0, y) if side == "west" else (xmin - 1.0, y)
        else:
            if not xmin <= x <= xmax:
                return None
            end = (x, ymax + 1.0) if side == "south" else (x, ymin - 1.0)
        ray = shapely.LineString([(x, y), end])
        return _points(line.intersection(ray)) % 2 == 1

    def _crossing_toward(self, line_id: str, path: shapely.Geometry, forbidden: str) -> bool:
        """Whether a path (its coordinates in order) crosses the line from anywhere but
        the ``forbidden`` side into it: a segment that meets the line and ends on that
        side (a movement back out of the forbidden side is not a crossing toward it)."""
        line = self._metric[line_id]
        parts = path.geoms if hasattr(path, "geoms") else (path,)
        for part in parts:
            coords = list(part.coords)
            for (x0, y0, *_), (x1, y1, *_) in itertools.pairwise(coords):
                segment = shapely.LineString([(x0, y0), (x1, y1)])
                if not line.intersects(segment):
                    continue
                if self._side(line_id, x1, y1, forbidden) and not self._side(
                    line_id, x0, y0, forbidden
                ):
                    return True
        return False

    def _line_findings(
        self,
        observation: Observation,
        metric: shapely.Geometry | None,
        xy: tuple[float, float],
        at: dt.datetime | None,
        radius: float,
    ) -> list[Finding]:
        """Clauses that keep forces on one side of a line: a crossing, and a presence.

        Without ``forces_side`` a clause prohibits any crossing (a path or an area that
        meets the line). With it, a path crossing counts only toward the forbidden side;
        and a presence on the forbidden side is a finding when the report says whose
        forces it concerns and the clause binds that party (a presence alone does not
        say whose forces are there)."""
        found: list[Finding] = []
        party = observation.party
        shaped = metric is not None and metric.geom_type != "Point"
        for line_id in self._lines:
            for clause in self._clauses_by_zone.get(line_id, ()):
                if "line_crossing" not in clause.prohibited or not self._in_force(clause, at):
                    continue
                if not _binds(clause, party):
                    continue
                allowed = clause.parameters.get("forces_side")
                forbidden = _OPPOSITE.get(str(allowed), "") if allowed else ""
                if shaped and self._metric[line_id].intersects(metric):
                    assert metric is not None
                    if not forbidden:
                        found.append(self._finding(
                            clause, line_id, "line_crossing", "high", "inside",
                            "line_crossing", {"zone": line_id, "clause": clause.id},
                        ))  # fmt: skip
                    elif "Polygon" in metric.geom_type or self._crossing_toward(
                        line_id, metric, forbidden
                    ):
                        # An area has no direction: it lies on both sides.
                        found.append(self._finding(
                            clause, line_id, "line_crossing", "high", "inside",
                            "line_crossing_toward",
                            {"zone": line_id, "clause": clause.id, "side": forbidden,
                             "allowed_side": allowed},
                        ))  # fmt: skip
                if not forbidden or party is None or not clause.parties:
                    continue
                x, y = xy
                distance = self._line_distance[line_id].distance_one(x, y)
                wrong = self._side(line_id, x, y, forbidden)
                if wrong is None or (not wrong and distance > radius):
                    continue
                certain = wrong and distance > radius
                found.append(self._finding(
                    clause, line_id, "line_side:presence", _severity(
                        "inside" if certain else "possibly", radius),
                    "inside" if certain else "possibly",
                    "line_side_inside" if certain else "line_side_possibly",
                    {"activity": "military_presence", "zone": line_id, "clause": clause.id,
                     "side": forbidden, "allowed_side": allowed,
                     "distance_m": _rounded(distance), "uncertainty_m": _rounded(radius)},
                ))  # fmt: skip
        return found

    def _position_findings(
        self,
        observation: Observation,
        xy: tuple[float, float],
        acts: frozenset[str],
        at: dt.datetime | None,
        radius: float,
    ) -> list[Finding]:
        """Freeze and withdrawal: a presence away from the baseline, or at a later position."""
        presence = sorted(acts & _PRESENCE)
        if not presence or not self.baseline or at is None or observation.time is None:
            return []
        day = _day(observation.time, self.zone)
        px, py = xy
        found: list[Finding] = []
        for clause in self.arrangement.clauses:
            if not self._in_force(clause, at) or not _binds(clause, observation.party):
                continue
            if clause.kind == "freeze":
                baseline_date = _as_date(clause.parameters.get("baseline_date"))
                if baseline_date is None or day < baseline_date:
                    continue
                distance = self._nearest_frozen(clause, baseline_date, observation.party, px, py)
                # No position of the baseline to measure from (none of the reported party
                # stood at the baseline date): the engine cannot say, so it says nothing.
                if not math.isfinite(distance) or distance <= self.freeze_tolerance_m:
                    continue
                certain = distance - radius > self.freeze_tolerance_m
                found.append(self._finding(
                    clause, None, "freeze:new_position", "high" if certain else "medium",
                    "inside" if certain else "possibly",
                    "freeze_new_position" if certain else "freeze_possibly_new",
                    {"activity": presence[0], "distance_m": _rounded(distance),
                     "uncertainty_m": _rounded(radius), "clause": clause.id,
                     "baseline_date": baseline_date.isoformat()},
                ))  # fmt: skip
            elif clause.kind == "withdrawal":
                after = _as_date(clause.parameters.get("after_date"))
                if after is None:
                    continue
                for i in self._later_positions_near(clause, after, observation.party, px, py,
                                                    self.freeze_tolerance_m + radius):  # fmt: skip
                    position = self.baseline[i]
                    assert position.established is not None  # only dated positions are later
                    found.append(self._finding(
                        clause, None, "withdrawal:position", "medium", "inside",
                        "withdrawal_position",
                        {"activity": presence[0], "position": position.id,
                         "established": position.established.isoformat(),
                         "after_date": after.isoformat(), "clause": clause.id},
                    ))  # fmt: skip
        return found

    def _nearest_frozen(
        self, clause: ClauseSpec, baseline_date: dt.date, party: str | None, px: float, py: float
    ) -> float:
        """Distance to the nearest position of the clause's baseline: standing at its date,
        of a party it binds, and of the reported party when the report names one."""
        key = (clause.id, party)
        if key not in self._freeze_sets:
            eligible = [
                i for i, p in enumerate(self.baseline)
                if (p.established is None or p.established <= baseline_date)
                and (party is None or p.party == party)
                and _binds(clause, p.party)
            ]  # fmt: skip
            idx = np.asarray(eligible, np.int64)
            self._freeze_sets[key] = (
                NearestPoints(self._bx[idx], self._by[idx]) if eligible else None
            )
        nearest = self._freeze_sets[key]
        if nearest is None:
            return math.inf
        dist, _ = nearest.query(np.array([px]), np.array([py]))
        return float(dist[0])

    def _later_positions_near(
        self,
        clause: ClauseSpec,
        after: dt.date,
        party: str | None,
        px: float,
        py: float,
        within: float,
    ) -> list[int]:
        """Baseline indexes (ascending) of the positions established after ``after``, of a
        party the clause binds (and the reported party, when named), within ``within``
        metres of the point."""
        key = (clause.id, party)
        if key not in self._withdrawal_sets:
            eligible = [
                i for i, p in enumerate(self.baseline)
                if p.established is not None and p.established > after
                and (party is None or p.party == party)
                and _binds(clause, p.party)
            ]  # fmt: skip
            idx = np.asarray(eligible, np.int64)
            self._withdrawal_sets[key] = (
                (shapely.STRtree(shapely.points(self._bx[idx], self._by[idx])), idx)
                if eligible else None
            )  # fmt: skip
        entry = self._withdrawal_sets[key]
        if entry is None:
            return []
        tree, idx = entry
        # A hair wider than asked for the tree; the exact test below is the one that counts.
        near = tree.query(shapely.Point(px, py), predicate="dwithin", distance=within + 1e-6)
        hits = sorted(int(idx[k]) for k in near)
        return [i for i in hits if math.hypot(px - self._bx[i], py - self._by[i]) <= within]

    def _finding(
        self,
        clause: ClauseSpec,
        zone: str | None,
        rule: str,
        severity: str,
        certainty: str,
        message_id: str,
        params: Mapping[str, Any],
    ) -> Finding:
        """A finding under ``clause``, with its status; no severity unless it is agreed."""
        return Finding(
            clause.id, zone, rule, severity if clause.agreed else None, certainty, message_id,
            params, self.version, clause.status, tuple(clause.disputed_by),
        )  # fmt: skip

    # ------------------------------------------------------------------ holdings

    def check_holdings(self, holdings: Iterable[Holding]) -> list[Finding]:
        """Declared or inspected holdings against the limit clauses citing their zone."""
        found: list[Finding] = []
        for h in holdings:
            for clause in self._clauses_by_zone.get(h.zone, ()):
                if not clause.limits or not self._in_force(clause, self._instant(h.as_of)):
                    continue
                if clause.parties and h.party not in clause.parties:
                    continue
                if h.party in clause.exempt_parties:
                    continue  # the clause does not concern this party's holdings
                if h.category == "artillery_range_km":
                    limit = clause.limits.get("max_artillery_range_km")
                    if limit is not None and h.count > limit:
                        found.append(self._finding(
                            clause, h.zone, "limit:max_artillery_range_km", "high", "declared",
                            "range_exceeded", {"range_km": h.count, "zone": h.zone,
                                               "clause": clause.id, "limit": limit},
                        ))  # fmt: skip
                    continue
                key = f"max_{h.category}"
                limit = clause.limits.get(key)
                if limit is not None and h.count > limit:
                    found.append(self._finding(
                        clause, h.zone, f"limit:{key}", "high", "declared", "limit_exceeded",
                        {"count": h.count, "category": h.category, "zone": h.zone,
                         "clause": clause.id, "limit": limit},
                    ))  # fmt: skip
        return found

    # ------------------------------------------------------------------ many observations

    def assess_many(
        self, observations: Iterable[Observation], *, chunk: int = 100_000
    ) -> Iterator[Assessment]:
        """Assess observations in order; points go through the grid index in bulk.

        Gives exactly the assessments of ``assess`` one by one, much faster.
        """
        batch: list[Observation] = []
        for observation in observations:
            batch.append(observation)
            if len(batch) >= chunk:
                yield from self._assess_batch(batch)
                batch = []
        if batch:
            yield from self._assess_batch(batch)

    def _assess_batch(self, batch: Sequence[Observation]) -> Iterator[Assessment]:
        simple: list[int] = []
        lon = np.empty(len(batch))
        lat = np.empty(len(batch))
        radius = np.zeros(len(batch))
        for i, o in enumerate(batch):
            g = o.geometry
            coords = g.get("coordinates") if isinstance(g, Mapping) else None
            if (
                isinstance(g, Mapping)
                and g.get("type") == "Point"
                and isinstance(coords, list | tuple)
                and len(coords) in (2, 3)
                and all(isinstance(c, int | float) and math.isfinite(c) for c in coords)
                and isinstance(o.uncertainty_m, int | float)
                and math.isfinite(o.uncertainty_m)
                and o.uncertainty_m >= 0
            ):
                lon[i], lat[i] = float(coords[0]), float(coords[1])
                radius[i] = float(o.uncertainty_m)
                simple.append(i)
        bulk: dict[int, tuple[list[str], list[str], dict[str, float], float, float]] = {}
        if simple:
            idx = np.asarray(simple)
            x, y = self.projector.to_metric(lon[idx], lat[idx])
            xs, ys = x.tolist(), y.tolist()
            points, zones, certain = self.index.locate_uncertain(x, y, radius[idx])
            dists = {i: d.distance(x, y) for i, d in self._line_distance.items()}
            per: dict[int, tuple[list[str], list[str]]] = {}
            for p, z, c in zip(points.tolist(), zones.tolist(), certain.tolist(), strict=True):
                entry = per.setdefault(p, ([], []))
                entry[0 if c else 1].append(self._area_ids[z])
            for k, i in enumerate(simple):
                inside, maybe = per.get(k, ([], []))
                bulk[i] = (
                    inside, maybe, {n: float(v[k]) for n, v in dists.items()}, xs[k], ys[k]
                )  # fmt: skip
        lon0, lat0, lon1, lat1 = self._region
        in_region = ((lon >= lon0) & (lon <= lon1) & (lat >= lat0) & (lat <= lat1)).tolist()
        for i, o in enumerate(batch):
            if i not in bulk:
                yield self.assess(o)
                continue
            inside, maybe, distances, mx, my = bulk[i]
            if not in_region[i]:
                yield self.assess(o)  # rare: let the one-by-one path word the problem
                continue
            yield self._assess_located(o, inside, maybe, distances, (mx, my))

    def _assess_located(
        self,
        o: Observation,
        certain: list[str],
        possible: list[str],
        distances: dict[str, float],
        xy: tuple[float, float],
    ) -> Assessment:
        """A point already located in bulk (inside the region): the rest of ``assess``."""
        problems: list[Problem] = []
        if not self.is_kind(o.kind):
            problems.append(Problem("unknown_kind", {"kind": o.kind}))
        validity = self._validity_problem(o.time)
        if validity is not None:
            problems.append(validity)
        findings: tuple[Finding, ...] = ()
        if not problems:
            findings = self._findings(o, None, xy, certain, possible, float(o.uncertainty_m))
        return Assessment(
            o.id,
            tuple(certain),
            tuple(possible),
            {k: round(v, 1) for k, v in distances.items()},
            *_apart(findings),
            tuple(problems),
        )
