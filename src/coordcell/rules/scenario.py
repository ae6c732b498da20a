"""Read a scenario folder into an ``Arrangement``, reporting every error at once.

A scenario folder holds:

* ``arrangement.toml`` (required): the arrangement's metadata, parties, roles, clauses,
  protocols and sources;
* ``zones.geojson`` (required): one RFC 7946 feature per zone, geometry and properties;
* ``places.csv`` (required): the gazetteer;
* ``demo.toml`` (optional): fictional exercise data for ``coordcell demo``;
* ``lexicon.toml`` (optional): the agreed names of places, areas, forces and incident
  kinds; with it, every name shown must have an entry and none is written elsewhere;
* ``basemap/basemap.toml`` and its ``*.geojson`` layers (optional), or a shared basemap
  of ``scenarios/_basemaps/`` that ``[map] basemap`` names: the layers the map draws,
  declared with their styles, legends and sources, carrying only lexicon labels and
  whether a feature is disputed.

Zones live only in ``zones.geojson``: the arrangement file lists no zones, its clauses
cite the features' ids. One place per fact means a zone can never have properties in
one file and geometry in the other.

Validation never stops at the first problem. Each reader walks its file with a
``_Table`` that knows where it is (``clauses[3].zones[1]``) and appends a
``ScenarioError`` for every problem; every table has a closed set of keys, so a typo is
an error, not a silently ignored setting. The ``Arrangement`` is built only when the
whole folder is clean. Pure Python: the standard library and shapely, no Django.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import math
import pathlib
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import shapely.geometry
import shapely.validation

from coordcell.rules import (
    determinations,
    ladder,
    localtime,
    mechanism,
    money,  # economy (issue 15)
    taxonomy,
    vocabulary,
    workflow,
)
from coordcell.rules import lexicon as lexicon_rules
from coordcell.rules.arrangement import (
    AGENDA_SOURCES,
    COUNT_BREAKDOWNS,
    HUMANITARIAN_STORY_DOINGS,
    NOTICE_SHAPES,
    NOTIFIER_KINDS,
    REDACTABLE_FIELDS,
    REL_PUBLIC,
    RELEASE_PUBLIC,
    SHARING_TIERS,
    STORY_DOINGS,
    TALKS_DOINGS,
    TLP_MARKINGS,
    ActivitySpec,
    Arrangement,
    AutomaticItemSpec,
    ClauseSpec,
    ConfidentialityTier,
    CountingRulesSpec,
    DeconflictionSpec,
    DemoAccountSpec,
    DemoData,
    DemoDelegationSpec,
    DemoIncidentSpec,
    DemoRemedySpec,
    DemoSharedItemSpec,
    DemoStepSpec,
    ForceSpec,
    HumanitarianSpec,
    IncidentKindSpec,
    LadderStep,
    NotifiableActivitySpec,
    PartySpec,
    PlaceSpec,
    PositionKindSpec,
    PositionsSpec,
    PrecedenceSpec,
    ProcedureSpec,
    ProtocolSpec,
    ReportsSpec,
    RoleSpec,
    SensitiveDaySpec,
    SourceSpec,
    StandingItemSpec,
    StoryDo,
    TalksSpec,
    TrackSpec,
    WithdrawalStepSpec,
    ZoneSpec,
)
from coordcell.rules.geojson_input import GeometryError, normalise_geometry

__all__ = [
    "ARRANGEMENT_FILE",
    "BASEMAP_DIR",
    "BASEMAP_MANIFEST",
    "DEMO_FILE",
    "PLACES_FILE",
    "PLACE_COLUMNS",
    "SHARED_BASEMAPS",
    "ZONES_FILE",
    "ScenarioError",
    "ScenarioInvalid",
    "check_scenario",
    "content_hash",
    "read_scenario",
]

ARRANGEMENT_FILE = "arrangement.toml"
ZONES_FILE = "zones.geojson"
PLACES_FILE = "places.csv"
DEMO_FILE = "demo.toml"
BASEMAP_DIR = "basemap"

#: Required columns of places.csv, in the order the shipped file uses.
PLACE_COLUMNS: tuple[str, ...] = (
    "key",
    "name",
    "name_local",
    "lat",
    "lon",
    "feature",
    "country_code",
    "source",
    "source_id",
    "note",
)
#: Columns places.csv may also have. ``ne_zone_check`` is the reference gazetteer's
#: computed note on which Natural Earth polygon holds the point; it is informative only
#: and is not part of ``PlaceSpec`` (nor, therefore, of the content hash).
OPTIONAL_PLACE_COLUMNS: tuple[str, ...] = ("ne_zone_check",)

# Codes (parties, arrangement key, places, ladder levels, sectors): lower-case slugs.
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # at most 40 characters
# Ids (zones, clauses, protocols, sources) may carry upper case, dots and dashes,
# because the agreement's own numbering ("B.3") and the zone names ("aol_A_0_10km") do.
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")  # at most 40 characters
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._\-]{0,63}$")
_CRS = re.compile(r"^[A-Z]+:[0-9]+$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

_FILE_ORDER = (ARRANGEMENT_FILE, ZONES_FILE, PLACES_FILE, DEMO_FILE, lexicon_rules.LEXICON_FILE)

_GEOMETRY_TYPES: dict[str, tuple[str, ...]] = {
    "line": ("LineString", "MultiLineString"),
    "area": ("Polygon", "MultiPolygon"),
}
_ALL_GEOMETRY_TYPES = _GEOMETRY_TYPES["line"] + _GEOMETRY_TYPES["area"]

# What ``parameters`` each clause kind takes: (key, type, required). Closed per kind,
# so a freeze cannot silently carry a misspelt "baseline_dat".
_CLAUSE_PARAMETERS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "prohibition": (("forces_side", "side", False),),
    "limit": (("artillery_type", "text", False),),
    "freeze": (("baseline_date", "date", True),),
    "withdrawal": (("after_date", "date", True),),
    "economic_zone": (("permitted_sectors", "codes", True),),
    "inspection": (
        ("interval_days_max", "positive", False),
        ("on_request", "bool", False),
        # verification (issue 13): how soon an inspection a party requests is due
        ("on_request_within_hours", "positive", False),
    ),
    "general": (),
}

_MISSING: Any = object()
BBox = tuple[float, float, float, float]
#: A resolved lexicon: section → key → localized name (see ``coordcell.rules.lexicon``).
_Lexicon = dict[str, dict[str, dict[str, str]]]


@dataclass(frozen=True)
class ScenarioError:
    """One problem in a scenario folder: which file, where in it, and what is wrong."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return ": ".join(part for part in (self.file, self.field, self.message) if part)


class ScenarioInvalid(Exception):
    """A scenario folder has errors; ``errors`` lists every one of them."""

    def __init__(self, errors: Sequence[ScenarioError]) -> None:
        self.errors: list[ScenarioError] = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


# --------------------------------------------------------------------------- helpers


class _Report:
    """Collects the errors of one file into the shared list."""

    def __init__(self, file: str, errors: list[ScenarioError], *, json_file: bool = False) -> None:
        self.file = file
        self.errors = errors
        # Say "object" to someone editing JSON and "table" to someone editing TOML.
        self.mapping_noun = "object" if json_file else "table"
        self.mapping_word = f"an {self.mapping_noun}" if json_file else f"a {self.mapping_noun}"

    def error(self, field: str, message: str) -> None:
        self.errors.append(ScenarioError(self.file, field, message))

    def describe(self, value: Any) -> str:
        """Name the type of a value the way the file's author sees it."""
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "a boolean"
        if isinstance(value, (int, float)):
            return "a number"
        if isinstance(value, str):
            return "text"
        if isinstance(value, dt.datetime):
            return "a date-time"
        if isinstance(value, (dt.date, dt.time)):
            return "a date" if isinstance(value, dt.date) else "a time"
        if isinstance(value, list):
            return "a list"
        if isinstance(value, dict):
            return self.mapping_word
        return type(value).__name__


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _number_ok(value: Any) -> bool:
    # bool is an int in Python, but ``true`` is not a number to a scenario author.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class _Table:
    """Walks one TOML table or JSON object under a path prefix and records errors.

    Every accessor marks its key as known; ``finish()`` then reports each key that no
    accessor asked for, so every table has a closed set of keys.
    """

    def __init__(self, data: Mapping[str, Any], report: _Report, path: str = "") -> None:
        self.data = data
        self.report = report
        self.path = path
        self.known: dict[str, None] = {}  # an ordered set, for a readable "expected" list

    def where(self, key: str | int) -> str:
        return _join(self.path, key)

    def error(self, key: str | int, message: str) -> None:
        self.report.error(self.where(key), message)

    def get(self, key: str, *, required: bool = True) -> Any:
        self.known[key] = None
        if key not in self.data:
            if required:
                self.error(key, f"missing required key '{key}'")
            return _MISSING
        return self.data[key]

    def text(
        self,
        key: str,
        *,
        required: bool = True,
        choices: Iterable[str] | None = None,
        pattern: re.Pattern[str] | None = None,
        what: str = "value",
    ) -> str:
        value = self.get(key, required=required)
        if value is _MISSING:
            return ""
        return self.check_text(
            key, value, required=required, choices=choices, pattern=pattern, what=what
        )

    def check_text(
        self,
        key: str | int,
        value: Any,
        *,
        required: bool = True,
        choices: Iterable[str] | None = None,
        pattern: re.Pattern[str] | None = None,
        what: str = "value",
    ) -> str:
        if not isinstance(value, str):
            self.error(key, f"expected text, found {self.report.describe(value)}")
            return ""
        if not value.strip():
            if required:
                self.error(key, "must not be empty")
            return ""
        if choices is not None:
            allowed = list(choices)
            if value not in allowed:
                self.error(key, f"unknown {what} {value!r} (known: {', '.join(allowed) or 'none'})")
                return ""
        if pattern is not None and not pattern.match(value):
            self.error(
                key,
                f"{value!r} is not a valid {what} (expected the pattern {pattern.pattern})",
            )
            return ""
        return value

    def number(
        self,
        key: str,
        *,
        required: bool = True,
        minimum: float | None = None,
        positive: bool = False,
    ) -> float | None:
        value = self.get(key, required=required)
        if value is _MISSING:
            return None
        if not _number_ok(value):
            self.error(key, f"expected a finite number, found {self.report.describe(value)}")
            return None
        if positive and value <= 0:
            self.error(key, f"must be greater than 0, found {value}")
            return None
        if minimum is not None and value < minimum:
            self.error(key, f"must not be negative (at least {minimum:g}), found {value}")
            return None
        return float(value)

    def boolean(self, key: str, *, default: bool = False) -> bool:
        value = self.get(key, required=False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.error(key, f"expected true or false, found {self.report.describe(value)}")
            return default
        return value

    def date(self, key: str, *, required: bool = True) -> dt.date | None:
        value = self.get(key, required=required)
        if value is _MISSING:
            return None
        return self._check_date(key, value)

    def moment(self, key: str) -> dt.date | dt.datetime | None:
        """An optional date, local date-time or date-time with an offset: a TOML date or
        date-time, or ISO 8601 text ("2026-01-07", "2026-01-07T04:00", "…T04:00+03:00")."""
        value = self.get(key, required=False)
        if value is _MISSING:
            return None
        if isinstance(value, (dt.date, dt.datetime)):
            return value
        if isinstance(value, str) and not _ISO_DATE.match(value) and "T" in value:
            try:
                return dt.datetime.fromisoformat(value)
            except ValueError:
                self.error(
                    key,
                    f"{value!r} is not a date-time: expected YYYY-MM-DDTHH:MM, local time "
                    "in the arrangement's time_zone, or with an offset (…T04:00+03:00)",
                )
                return None
        return self._check_date(key, value)

    def _check_date(self, key: str, value: Any) -> dt.date | None:
        # A TOML date-time is also a ``date`` in Python; the arrangement counts in days.
        if isinstance(value, dt.datetime):
            self.error(key, "expected a date (YYYY-MM-DD), found a date-time")
            return None
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and _ISO_DATE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError as exc:
                self.error(key, f"{value!r} is not a valid date: {exc}")
                return None
        if isinstance(value, str):
            self.error(key, f"{value!r} is not a date: expected YYYY-MM-DD")
        else:
            self.error(key, f"expected a date (YYYY-MM-DD), found {self.report.describe(value)}")
        return None

    def table(self, key: str, *, required: bool = True) -> _Table | None:
        value = self.get(key, required=required)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.error(
                key, f"expected {self.report.mapping_word}, found {self.report.describe(value)}"
            )
            return None
        return _Table(value, self.report, self.where(key))

    def tables(self, key: str, *, required: bool = True) -> list[_Table]:
        """An array of tables (``[[key]]`` in TOML, a list of objects in JSON)."""
        value = self.get(key, required=required)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.error(
                key,
                f"expected a list of {self.report.mapping_noun}s, "
                f"found {self.report.describe(value)}",
            )
            return []
        result = []
        for index, item in enumerate(value):
            where = _join(self.where(key), index)
            if isinstance(item, dict):
                result.append(_Table(item, self.report, where))
            else:
                self.report.error(
                    where,
                    f"expected {self.report.mapping_word}, found {self.report.describe(item)}",
                )
        return result

    def texts(
        self,
        key: str,
        *,
        required: bool = False,
        choices: Iterable[str] | None = None,
        pattern: re.Pattern[str] | None = None,
        what: str = "value",
    ) -> tuple[str, ...]:
        """A list of distinct strings, each checked like ``text``."""
        value = self.get(key, required=required)
        if value is _MISSING:
            return ()
        if not isinstance(value, list):
            self.error(key, f"expected a list of text, found {self.report.describe(value)}")
            return ()
        allowed = None if choices is None else list(choices)
        item_table = _Table({}, self.report, self.where(key))
        result: list[str] = []
        for index, item in enumerate(value):
            checked = item_table.check_text(
                index, item, choices=allowed, pattern=pattern, what=what
            )
            if checked and checked in result:
                item_table.error(index, f"{what} {checked!r} is listed twice")
            elif checked:
                result.append(checked)
        return tuple(result)

    def localized(self, key: str, *, required: bool = True) -> dict[str, str]:
        """A name in each interface language; English is required as the fallback."""
        names = self.table(key, required=required)
        if names is None:
            return {}
        result: dict[str, str] = {}
        for language in vocabulary.LANGUAGES:
            if language == "en" and "en" not in names.data:
                names.known["en"] = None
                names.error(
                    "en",
                    "missing the English name ('en'); English is required as the fallback language",
                )
                continue
            value = names.text(language, required=language == "en")
            if value:
                result[language] = value
        names.finish()
        return result

    def finish(self) -> None:
        """Report every key of this table that no accessor asked for."""
        for key in self.data:
            if key not in self.known:
                expected = ", ".join(self.known) or "no keys"
                self.error(key, f"unknown key '{key}' (expected: {expected})")


def _check_unique(report: _Report, items: Iterable[tuple[str, str]], what: str) -> None:
    """Report each value of ``(field, value)`` pairs that appeared earlier."""
    first: dict[str, str] = {}
    for where, value in items:
        if not value:
            continue
        if value in first:
            report.error(where, f"duplicate {what} {value!r} (first defined at {first[value]})")
        else:
            first[value] = where


def _bbox(table: _Table, key: str) -> BBox | None:
    value = table.get(key)
    if value is _MISSING:
        return None
    if not (isinstance(value, list) and len(value) == 4 and all(_number_ok(v) for v in value)):
        table.error(key, "expected [min_lon, min_lat, max_lon, max_lat], four numbers")
        return None
    west, south, east, north = (float(v) for v in value)
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        table.error(
            key, "expected min_lon < max_lon within -180..180 and min_lat < max_lat within -90..90"
        )
        return None
    return (west, south, east, north)


def _in_bbox(lon: float, lat: float, box: BBox) -> bool:
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


# --------------------------------------------------------------------------- arrangement.toml


@dataclass
class _Parts:
    """What arrangement.toml yields, plus references to check once the zones are read."""

    key: str = ""
    title: dict[str, str] = dataclasses.field(default_factory=dict)
    description: dict[str, str] = dataclasses.field(default_factory=dict)
    region_crs: str = ""
    region_bbox: BBox | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    time_zone: str = ""
    parties: list[PartySpec] = dataclasses.field(default_factory=list)
    roles: list[RoleSpec] = dataclasses.field(default_factory=list)
    clauses: list[ClauseSpec] = dataclasses.field(default_factory=list)
    protocols: list[ProtocolSpec] = dataclasses.field(default_factory=list)
    sources: list[SourceSpec] = dataclasses.field(default_factory=list)
    forces: list[ForceSpec] = dataclasses.field(default_factory=list)
    activities: list[ActivitySpec] = dataclasses.field(default_factory=list)
    procedure: ProcedureSpec | None = None
    incident_kinds: list[IncidentKindSpec] = dataclasses.field(default_factory=list)
    #: ``[[withdrawal_steps]]`` (verification): none when the cell agrees the timeline.
    withdrawal_steps: list[WithdrawalStepSpec] = dataclasses.field(default_factory=list)
    # positions (issue 13): [[position_kinds]] and [positions]
    position_kinds: list[PositionKindSpec] = dataclasses.field(default_factory=list)
    positions: PositionsSpec | None = None
    #: The ``[map]`` table (see ``_read_map_table``); empty when the scenario has none.
    map: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: ``[deconfliction]`` (see ``_read_deconfliction``); None when the scenario has none.
    deconfliction: DeconflictionSpec | None = None
    #: ``[talks]`` (see ``_read_talks``); None when the scenario has none.
    talks: TalksSpec | None = None
    #: ``[reports]`` (see ``_read_reports``); None when the scenario has none.
    reports: ReportsSpec | None = None
    #: ``[humanitarian]`` (see ``_read_humanitarian``); None when the scenario has none.
    humanitarian: HumanitarianSpec | None = None
    # (field, zone id) pairs: zones are defined in zones.geojson, read after this file.
    zone_refs: list[tuple[str, str]] = dataclasses.field(default_factory=list)


def _read_arrangement(top: _Table, *, lexicon: _Lexicon | None = None) -> _Parts:
    parts = _Parts()
    parts.key = top.text("key", pattern=_CODE, what="arrangement key")
    parts.title = top.localized("title")
    parts.description = top.localized("description")
    parts.region_crs = top.text("region_crs", pattern=_CRS, what="CRS (e.g. 'EPSG:32636')")
    parts.region_bbox = _bbox(top, "region_bbox")
    parts.valid_from = top.date("valid_from")
    parts.valid_until = top.date("valid_until", required=False)
    parts.time_zone = _read_time_zone(top)
    if parts.valid_from and parts.valid_until and parts.valid_until < parts.valid_from:
        top.error("valid_until", f"{parts.valid_until} is before valid_from {parts.valid_from}")

    parts.sources = [_read_source(t) for t in top.tables("sources")]
    _check_unique(top.report, _keyed(top, "sources", "key", parts.sources), "source key")
    parts.parties = [_read_party(t) for t in top.tables("parties")]
    _check_unique(top.report, _keyed(top, "parties", "code", parts.parties), "party code")
    parts.roles = [_read_role(t) for t in top.tables("roles")]
    _check_unique(top.report, _keyed(top, "roles", "code", parts.roles), "role")

    party_codes = list(dict.fromkeys(p.code for p in parts.parties if p.code))
    declared = _read_declared(top, parts, party_codes, lexicon=lexicon)
    clause_tables = top.tables("clauses")
    parts.clauses = [_read_clause(t, party_codes, parts.zone_refs, declared) for t in clause_tables]
    _check_unique(top.report, _keyed(top, "clauses", "id", parts.clauses), "clause id")
    clause_ids = {c.id for c in parts.clauses}
    for table, clause in zip(clause_tables, parts.clauses, strict=True):
        if clause.amends and clause.amends == clause.id:
            table.error("amends", "a clause cannot amend itself")
        elif clause.amends and clause.amends not in clause_ids:
            table.error(
                "amends",
                f"unknown clause {clause.amends!r} (known: {', '.join(sorted(clause_ids))})",
            )
        _check_effective(table, clause, parts.time_zone)

    protocol_tables = top.tables("protocols", required=False)
    parts.protocols = [_read_protocol(t) for t in protocol_tables]
    _check_unique(top.report, _keyed(top, "protocols", "id", parts.protocols), "protocol id")
    _check_served(top, parts)
    _read_mechanism(top, parts, protocol_tables)
    parts.map = _read_map_table(top, parts)
    parts.withdrawal_steps = _read_withdrawal_steps(top, parts)
    _read_positions_tables(top, parts)
    parts.deconfliction = _read_deconfliction(top, parts)
    parts.talks = _read_talks(top)
    parts.reports = _read_reports(top, parts)
    parts.humanitarian = _read_humanitarian(top, parts)
    top.finish()
    return parts


# --- withdrawal timeline (verification, issue 13) ---------------------------------------


def _read_withdrawal_steps(top: _Table, parts: _Parts) -> list[WithdrawalStepSpec]:
    """``[[withdrawal_steps]]``: the steps of a withdrawal timeline the arrangement's text
    sets (a scenario whose timeline is agreed in the cell has none). Each names a
    withdrawal clause, a party of kind ``party`` bound by it, its number in that party's
    sequence, its areas (zone ids, checked once the zones are read), its deadline, the
    other party's step it is linked to (each link goes both ways) and, optionally, the
    monitor party that verifies it."""
    tables = top.tables("withdrawal_steps", required=False)
    clauses = {c.id: c for c in parts.clauses if c.kind == "withdrawal"}
    kinds = {p.code: p.kind for p in parts.parties}
    steps: list[WithdrawalStepSpec] = []
    for t in tables:
        step_id = t.text("id", pattern=_ID, what="step id")
        clause = t.text("clause", choices=sorted(clauses), what="withdrawal clause")
        bound = clauses[clause].parties if clause in clauses else ()
        party = t.text(
            "party",
            choices=[c for c in (bound or kinds) if kinds.get(c) == "party"],
            what="party bound by the clause",
        )
        sequence = t.number("sequence", minimum=1.0)
        if sequence is not None and not sequence.is_integer():
            t.error("sequence", f"expected a whole number, found {sequence:g}")
        title = t.localized("title")
        zones = t.texts("zones", pattern=_ID, what="zone id", required=True)
        parts.zone_refs.extend((_join(t.where("zones"), i), z) for i, z in enumerate(zones))
        due = t.moment("due")
        if due is None:
            t.error("due", "missing required key 'due'")
        linked = t.text("linked_to", pattern=_ID, what="step id")
        verifier = t.text(
            "verifier",
            required=False,
            choices=sorted(c for c, k in kinds.items() if k == "monitor"),
            what="monitor party",
        )
        t.finish()
        steps.append(
            WithdrawalStepSpec(
                id=step_id,
                clause=clause,
                party=party,
                sequence=int(sequence or 0),
                title=title,
                zones=zones,
                due=due or dt.date.min,
                linked_to=linked,
                verifier=verifier,
            )
        )
    _check_unique(top.report, _keyed(top, "withdrawal_steps", "id", steps), "step id")
    by_id = {s.id: s for s in steps}
    for index, step in enumerate(steps):
        where = f"{_join(top.where('withdrawal_steps'), index)}.linked_to"
        other = by_id.get(step.linked_to)
        if other is None:
            top.report.error(where, f"unknown step {step.linked_to!r}")
        elif other.party == step.party:
            top.report.error(where, "a step is linked to the other party's step, not its own")
        elif other.linked_to != step.id:
            top.report.error(where, f"step {other.id!r} is not linked back to {step.id!r}")
        elif other.clause != step.clause:
            top.report.error(where, f"step {other.id!r} is under another clause")
    return steps


# --- end of the withdrawal timeline block -------------------------------------------------


def _read_time_zone(top: _Table) -> str:
    """The arrangement's IANA time zone, or "" when the scenario names none (UTC)."""
    name = top.text("time_zone", required=False)
    if not name:
        return ""
    problem = localtime.time_zone_problem(name)
    if problem:
        top.error("time_zone", problem)
        return ""
    return name


def _check_effective(table: _Table, clause: ClauseSpec, zone_name: str) -> None:
    """A clause must end after it starts, both read in the arrangement's time zone."""
    zone = localtime.time_zone(zone_name or localtime.DEFAULT_TIME_ZONE)
    start = localtime.clause_start(clause.effective_from, zone)
    end = localtime.clause_end(clause.effective_until, zone)
    if start is not None and end is not None and end <= start:
        table.error(
            "effective_until",
            f"{clause.effective_until} is before effective_from {clause.effective_from}",
        )


#: Which parties make a protocol's use possible: complaints are lodged by one party of
#: kind ``party`` against another; hotline calls go between parties, mediators and monitors.
_SERVED_BETWEEN = {
    "complaints": ("party",),
    "hotline": ("party", "mediator", "monitor"),
}


def _check_served(top: _Table, parts: _Parts) -> None:
    """One protocol serves complaints and one the hotline, where the arrangement has them.

    The cell finds the protocol a complaint or a call runs on by what it serves, never by
    its id; a second protocol serving the same thing is reported at its ``serves``, a
    missing one at ``protocols``.
    """
    first: dict[str, int] = {}
    for i, protocol in enumerate(parts.protocols):
        if not protocol.serves:
            continue
        if protocol.serves in first:
            top.report.error(
                f"{_join(top.where('protocols'), i)}.serves",
                f"only one protocol may serve {protocol.serves!r}: "
                f"protocols[{first[protocol.serves]}] already does",
            )
        else:
            first[protocol.serves] = i
    for serves, kinds in _SERVED_BETWEEN.items():
        between = [p for p in parts.parties if p.kind in kinds]
        if serves in first or len(between) < 2:
            continue
        top.error(
            "protocols",
            f"no protocol serves {serves!r}: the cell needs one for its {serves} "
            f'(add serves = "{serves}" to one [[protocols]] table)',
        )


def _keyed(top: _Table, array: str, key: str, items: Sequence[Any]) -> list[tuple[str, str]]:
    """(field, value) pairs for a duplicate check over an array of tables."""
    return [
        (f"{_join(top.where(array), i)}.{key}", str(getattr(item, key)))
        for i, item in enumerate(items)
    ]


def _read_source(t: _Table) -> SourceSpec:
    source = SourceSpec(
        key=t.text("key", pattern=_ID, what="source key"),
        title=t.text("title"),
        licence=t.text("licence"),
        attribution=t.text("attribution"),
        url=t.text("url", required=False),
    )
    t.finish()
    return source


def _read_party(t: _Table) -> PartySpec:
    party = PartySpec(
        code=t.text("code", pattern=_CODE, what="party code"),
        kind=t.text("kind", choices=vocabulary.PARTY_KINDS, what="party kind"),
        name=t.localized("name"),
        role=t.text("role", required=False, choices=mechanism.ROLES, what="role in the mechanism"),
    )
    t.finish()
    return party


def _read_role(t: _Table) -> RoleSpec:
    role = RoleSpec(
        code=t.text("code", choices=vocabulary.ROLES, what="role"), name=t.localized("name")
    )
    t.finish()
    return role


@dataclass(frozen=True)
class _Declared:
    """What clauses may cite beside parties and zones: the forces and the activities."""

    forces: tuple[str, ...] = ()
    activities: tuple[str, ...] = vocabulary.PROHIBITED_ACTIVITIES


def _read_declared(
    top: _Table, parts: _Parts, party_codes: list[str], *, lexicon: _Lexicon | None = None
) -> _Declared:
    """The ``[[forces]]`` and ``[[activities]]`` of the arrangement (both optional)."""
    parts.forces = [
        _read_force(t, party_codes, lexicon=lexicon) for t in top.tables("forces", required=False)
    ]
    _check_unique(top.report, _keyed(top, "forces", "id", parts.forces), "force id")
    _check_dataset_actors(top, parts.forces)
    for i, force in enumerate(parts.forces):
        if force.id in party_codes:  # an exemption names both: they must not be confused
            top.report.error(
                f"{_join(top.where('forces'), i)}.id", f"{force.id!r} is already a party code"
            )
    kind_tables = top.tables("incident_kinds", required=False)
    kind_ids = _declared_kind_ids(kind_tables)
    parts.activities = [
        _read_activity(t, (*taxonomy.KINDS, *kind_ids))
        for t in top.tables("activities", required=False)
    ]
    _check_unique(top.report, _keyed(top, "activities", "id", parts.activities), "activity")
    activity_ids = (
        *vocabulary.PROHIBITED_ACTIVITIES,
        *dict.fromkeys(a.id for a in parts.activities if a.id),
    )
    parts.incident_kinds = [_read_incident_kind(t, activity_ids) for t in kind_tables]
    _check_unique(
        top.report, _keyed(top, "incident_kinds", "id", parts.incident_kinds), "incident kind"
    )
    return _Declared(
        forces=tuple(dict.fromkeys(f.id for f in parts.forces if f.id)),
        activities=(
            *vocabulary.PROHIBITED_ACTIVITIES,
            *dict.fromkeys(a.id for a in parts.activities if a.id),
        ),
    )


# --- positions (issue 13): [[position_kinds]] and [positions] ------------------------------

#: Whose consent a mediator's reveal of a party's committed position may need.
POSITION_REVEAL_CONSENTS = ("declaring", "other")


def _read_positions_tables(top: _Table, parts: _Parts) -> None:
    """``[[position_kinds]]`` (the kinds of declared positions) and ``[positions]`` (the
    notice period of a change, whose consent a mediator's reveal needs). Both optional."""
    kinds: list[PositionKindSpec] = []
    for t in top.tables("position_kinds", required=False):
        kinds.append(
            PositionKindSpec(
                id=t.text("id", pattern=_CODE, what="position kind id"), name=t.localized("name")
            )
        )
        t.finish()
    parts.position_kinds = kinds
    _check_unique(top.report, _keyed(top, "position_kinds", "id", kinds), "position kind")
    table = top.table("positions", required=False)
    if table is None:
        return
    notice = table.number("notice_days", required=False, minimum=0)
    if notice is not None and notice != int(notice):
        table.error("notice_days", f"expected a whole number of days, found {notice:g}")
    consent = table.texts(
        "mediator_reveal_consent", choices=POSITION_REVEAL_CONSENTS, what="consent"
    )
    table.finish()
    if not kinds:
        top.error("positions", "[positions] needs the [[position_kinds]] a party may declare")
    parts.positions = PositionsSpec(
        notice_days=int(notice or 0),
        mediator_reveal_consent=consent
        if "mediator_reveal_consent" in table.data
        else ("declaring",),
    )


def _positions_fields(parts: _Parts, fields: dict[str, Any]) -> None:
    """Only when declared: the content (and hash) of a scenario without them is unchanged."""
    if parts.position_kinds:
        fields["position_kinds"] = tuple(parts.position_kinds)
    if parts.positions is not None:
        fields["positions"] = parts.positions


# --- end of positions ----------------------------------------------------------------------


def _check_dataset_actors(top: _Table, forces: list[ForceSpec]) -> None:
    """A dataset's actor name names one force: an import maps it only when unambiguous."""
    for key in ("acled_actors", "ucdp_actors"):
        seen: dict[str, int] = {}
        for i, force in enumerate(forces):
            for j, name in enumerate(getattr(force, key)):
                if name in seen and seen[name] != i:
                    top.report.error(
                        f"{_join(top.where('forces'), i)}.{key}[{j}]",
                        f"{name!r} is already a name of forces[{seen[name]}]: "
                        "a dataset's actor name names one force",
                    )
                seen.setdefault(name, i)


def _read_force(t: _Table, party_codes: list[str], *, lexicon: _Lexicon | None = None) -> ForceSpec:
    force_id = t.text("id", pattern=_CODE, what="force id")
    if lexicon is not None:
        name = _lexicon_name(t, ("name",), lexicon, "forces", force_id, "force")
    else:
        name = t.localized("name")
    force = ForceSpec(
        id=force_id,
        party=t.text("party", choices=party_codes, what="party"),
        kind=t.text("kind", choices=vocabulary.FORCE_KINDS, what="force kind"),
        name=name,
        acled_actors=t.texts("acled_actors", what="ACLED actor name"),
        ucdp_actors=t.texts("ucdp_actors", what="UCDP actor name"),
    )
    t.finish()
    return force


def _read_activity(t: _Table, kinds: Sequence[str] = taxonomy.KINDS) -> ActivitySpec:
    activity_id = t.text("id", pattern=_CODE, what="activity id")
    if activity_id in vocabulary.PROHIBITED_ACTIVITIES:
        t.error("id", f"{activity_id!r} is a built-in activity: declare only new ones")
    activity = ActivitySpec(
        id=activity_id,
        name=t.localized("name"),
        implied_by=t.texts("implied_by", choices=kinds, what="incident kind"),
    )
    t.finish()
    return activity


def _declared_kind_ids(tables: list[_Table]) -> tuple[str, ...]:
    """The ids ``[[incident_kinds]]`` declares, as written (checked by the reader below):
    activities may name them in ``implied_by`` before the kinds themselves are read."""
    ids = (t.data.get("id") for t in tables)
    return tuple(dict.fromkeys(i for i in ids if isinstance(i, str) and _CODE.match(i)))


def _read_incident_kind(t: _Table, activity_ids: Sequence[str]) -> IncidentKindSpec:
    """One ``[[incident_kinds]]`` table: a kind on top of the built-in ones (``taxonomy``)."""
    kind_id = t.text("id", pattern=_CODE, what="incident kind id")
    if kind_id in taxonomy.KINDS:
        t.error("id", f"{kind_id!r} is a built-in incident kind: declare only new ones")
    implies = t.texts("implies", choices=activity_ids, what="activity")
    may_imply = t.texts("may_imply", choices=activity_ids, what="activity")
    for both in sorted(set(implies) & set(may_imply)):
        t.error("may_imply", f"activity {both!r} is also in implies: list it in one of them")
    kind = IncidentKindSpec(
        id=kind_id,
        name=t.localized("name"),
        implies=implies,
        may_imply=may_imply,
        acled=_read_acled_pairs(t),
        ucdp=_read_ucdp_codes(t),
    )
    t.finish()
    return kind


def _read_acled_pairs(t: _Table) -> tuple[tuple[str, str], ...]:
    """``acled = [["Strategic developments", "Disrupted weapons use"], …]``: ACLED
    (event type, sub-event type) pairs of the export's taxonomy."""
    value = t.get("acled", required=False)
    if value is _MISSING:
        return ()
    if not isinstance(value, list):
        t.error("acled", f"expected a list of pairs, found {t.report.describe(value)}")
        return ()
    known = taxonomy.ACLED_MAPPING
    pairs: list[tuple[str, str]] = []
    for index, item in enumerate(value):
        where = _join(t.where("acled"), index)
        if not (
            isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)
        ):
            t.report.error(
                where,
                "expected an [event type, sub-event type] pair of text, "
                f"found {t.report.describe(item)}",
            )
            continue
        pair = (item[0], item[1])
        if pair not in known:
            types = ", ".join(sorted({e for e, _s in known}))
            t.report.error(
                where,
                f"unknown ACLED pair {list(pair)!r} (event types: {types}; "
                "sub-event types as in ACLED's codebook)",
            )
        elif pair in pairs:
            t.report.error(where, f"ACLED pair {list(pair)!r} is listed twice")
        else:
            pairs.append(pair)
    return tuple(pairs)


def _read_ucdp_codes(t: _Table) -> tuple[int, ...]:
    """``ucdp = [1]``: UCDP GED ``type_of_violence`` codes (1, 2, 3)."""
    value = t.get("ucdp", required=False)
    if value is _MISSING:
        return ()
    if not isinstance(value, list):
        t.error("ucdp", f"expected a list of numbers, found {t.report.describe(value)}")
        return ()
    codes: list[int] = []
    for index, item in enumerate(value):
        where = _join(t.where("ucdp"), index)
        if isinstance(item, bool) or item not in taxonomy.UCDP_MAPPING:
            known = ", ".join(str(c) for c in sorted(taxonomy.UCDP_MAPPING))
            t.report.error(where, f"unknown UCDP type_of_violence {item!r} (known: {known})")
        elif item in codes:
            t.report.error(where, f"UCDP code {item} is listed twice")
        else:
            codes.append(int(item))
    return tuple(codes)


def _read_exempt(
    t: _Table, party_codes: list[str], declared: _Declared
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A clause's ``exempt = { parties = [...], forces = [...] }``: who it does not concern."""
    exempt = t.table("exempt", required=False)
    if exempt is None:
        return (), ()
    parties = exempt.texts("parties", choices=party_codes, what="party")
    forces = exempt.texts("forces", choices=declared.forces, what="force")
    if not exempt.data.get("parties") and not exempt.data.get("forces"):
        exempt.report.error(exempt.path, "an exemption names at least one party or force")
    exempt.finish()
    return parties, forces


def _read_clause(
    t: _Table,
    party_codes: list[str],
    zone_refs: list[tuple[str, str]],
    declared: _Declared = _Declared(),
) -> ClauseSpec:
    clause_id = t.text("id", pattern=_ID, what="clause id")
    kind = t.text("kind", choices=vocabulary.CLAUSE_KINDS, what="clause kind")
    title = t.localized("title")
    # The wording: English text, or a localized table whose English is the reference and
    # whose other languages are translations (``text_unofficial`` says which are not
    # official, so that the pages can say so beside them).
    localized = isinstance(t.data.get("text"), dict)
    texts = t.localized("text") if localized else {"en": t.text("text")}
    translations = {lang: value for lang, value in texts.items() if lang != "en"}
    unofficial = t.texts(
        "text_unofficial",
        choices=[lang for lang in vocabulary.LANGUAGES if lang != "en"],
        what="language",
    )
    for index, language in enumerate(unofficial):
        if language not in translations:
            t.error(
                _join("text_unofficial", index),
                f"the text has no '{language}' translation to mark unofficial",
            )
    source = t.text("source")
    zones = t.texts("zones", pattern=_ID, what="zone id")
    zone_refs.extend((_join(t.where("zones"), i), zone) for i, zone in enumerate(zones))
    parties = t.texts("parties", choices=party_codes, what="party")
    prohibited = t.texts("prohibited", choices=declared.activities, what="prohibited activity")
    exempt_parties, exempt_forces = _read_exempt(t, party_codes, declared)
    limits = _read_limits(t)
    parameters = _read_parameters(t, kind)
    effective_from = t.moment("effective_from")
    effective_until = t.moment("effective_until")
    amends = t.text("amends", required=False)
    status = t.text("status", choices=vocabulary.CLAUSE_STATUSES, what="clause status")
    disputed_by = t.texts("disputed_by", choices=party_codes, what="party")
    if status == "disputed" and not t.data.get("disputed_by"):
        t.error("disputed_by", "a disputed clause must name the party or parties disputing it")
    elif status and status != "disputed" and "disputed_by" in t.data:
        t.error(
            "disputed_by", f"only a disputed clause names who disputes it (status is {status!r})"
        )
    if parameters.get("forces_side") and "line_crossing" not in prohibited:
        t.error(
            "parameters.forces_side",
            "forces_side applies to a line: the clause must prohibit 'line_crossing'",
        )

    # What each kind cannot do without: the rules engine has nothing to check otherwise.
    if kind in ("prohibition", "limit", "economic_zone") and not t.data.get("zones"):
        t.error("zones", f"a {kind} clause must cite at least one zone")
    if kind == "prohibition" and not t.data.get("prohibited"):
        t.error("prohibited", "a prohibition clause must list at least one prohibited activity")
    if kind == "limit" and not t.data.get("limits"):
        t.error(
            "limits",
            f"a limit clause must set at least one limit ({', '.join(vocabulary.LIMIT_KEYS)})",
        )
    t.finish()
    return ClauseSpec(
        id=clause_id,
        kind=kind,
        title=title,
        text=texts.get("en", ""),
        source=source,
        zones=zones,
        parties=parties,
        prohibited=prohibited,
        limits=limits,
        parameters=parameters,
        effective_from=effective_from,
        effective_until=effective_until,
        amends=amends,
        text_translations=translations,
        text_unofficial=unofficial,
        status=status,
        disputed_by=disputed_by,
        exempt_parties=exempt_parties,
        exempt_forces=exempt_forces,
    )


def _read_limits(t: _Table) -> dict[str, float]:
    limits_table = t.table("limits", required=False)
    if limits_table is None:
        return {}
    limits = {}
    for key in vocabulary.LIMIT_KEYS:
        value = limits_table.number(key, required=False, minimum=0)
        if value is not None:
            limits[key] = value
    limits_table.finish()
    return limits


def _read_parameters(t: _Table, kind: str) -> dict[str, Any]:
    value = t.get("parameters", required=False)
    if value is _MISSING:
        value = {}
    if not isinstance(value, dict):
        t.error("parameters", f"expected a table, found {t.report.describe(value)}")
        return {}
    if kind not in _CLAUSE_PARAMETERS:
        return {}  # the kind is already reported; its parameters cannot be judged
    params = _Table(value, t.report, t.where("parameters"))
    result: dict[str, Any] = {}
    for key, kind_of_value, required in _CLAUSE_PARAMETERS[kind]:
        read: Any
        if kind_of_value == "date":
            date = params.date(key, required=required)
            # Stored as ISO text so that parameters stay JSON, like the content hash needs.
            read = date.isoformat() if date else None
        elif kind_of_value == "text":
            read = params.text(key, required=required) or None
        elif kind_of_value == "side":
            read = (
                params.text(key, required=required, choices=vocabulary.LINE_SIDES, what="side")
                or None
            )
        elif kind_of_value == "codes":
            read = list(params.texts(key, required=required, pattern=_CODE, what="code")) or None
        elif kind_of_value == "positive":
            read = params.number(key, required=required, positive=True)
        else:
            params.known[key] = None
            read = params.boolean(key) if key in value else None
        if read is not None:
            result[key] = read
    params.finish()
    return result


def _read_protocol(t: _Table) -> ProtocolSpec:
    protocol_id = t.text("id", pattern=_ID, what="protocol id")
    title = t.localized("title")
    serves = t.text(
        "serves", required=False, choices=vocabulary.PROTOCOL_SERVES, what="what it serves"
    )
    acknowledge = t.number("acknowledge_within_hours", positive=True)
    answer = t.number("answer_within_hours", positive=True)
    verification = t.number("verification_within_hours", positive=True)
    if acknowledge and answer and acknowledge > answer:
        t.error(
            "acknowledge_within_hours",
            f"{acknowledge:g} h is longer than answer_within_hours {answer:g} h",
        )
    steps = []
    step_tables = t.tables("ladder")
    if "ladder" in t.data and isinstance(t.data["ladder"], list) and not t.data["ladder"]:
        t.error("ladder", "the escalation ladder needs at least one step")
    for index, step in enumerate(step_tables):
        eligible = step.number("eligible_after_hours", required=False, minimum=0.0)
        after_failure = step.boolean("after_failure")
        if index == 0 and (eligible or after_failure):
            step.error(
                "eligible_after_hours" if eligible else "after_failure",
                "the first level is where a case starts: it takes no eligibility rule",
            )
        steps.append(
            LadderStep(
                level=step.text("level", pattern=_CODE, what="ladder level"),
                name=step.localized("name"),
                within_hours=step.number("within_hours", positive=True) or 0.0,
                eligible_after_hours=eligible or 0.0,
                after_failure=after_failure,
                owner=step.text(
                    "owner", required=False, choices=ladder.OWNERS, what="ladder owner"
                ),
                action=step.localized("action", required=False),
            )
        )
        step.finish()
    _check_unique(t.report, _keyed(t, "ladder", "level", steps), "ladder level")
    precedence = []
    for row in t.tables("precedence", required=False):
        first = row.number("first_response_within_hours", positive=True)
        substantive = row.number("answer_within_hours", positive=True)
        if first and substantive and first > substantive:
            row.error(
                "first_response_within_hours",
                f"{first:g} h is longer than answer_within_hours {substantive:g} h",
            )
        precedence.append(
            PrecedenceSpec(
                code=row.text("code", pattern=_CODE, what="precedence code"),
                name=row.localized("name"),
                first_response_within_hours=first or 0.0,
                answer_within_hours=substantive or 0.0,
            )
        )
        row.finish()
    _check_unique(t.report, _keyed(t, "precedence", "code", precedence), "precedence code")
    rule = _read_decision_rule(t, "determined_by")
    determine = t.number("determine_within_hours", required=False, positive=True)
    comms_minutes = t.number("comms_check_answer_minutes", required=False, positive=True)
    if comms_minutes is not None and serves != "hotline":
        t.error("comms_check_answer_minutes", "only the protocol serving the hotline has checks")
    elif comms_minutes is not None and comms_minutes > 24 * 60:
        t.error("comms_check_answer_minutes", f"{comms_minutes:g} minutes is longer than a day")
    addressed = t.texts("addressed_to", choices=mechanism.ADDRESSEES, what="addressee")
    if "addressed_to" in t.data and isinstance(t.data["addressed_to"], list) and not addressed:
        t.error("addressed_to", 'name at least one addressee ("party", "mechanism")')
    t.finish()
    return ProtocolSpec(
        id=protocol_id,
        title=title,
        acknowledge_within_hours=acknowledge or 0.0,
        answer_within_hours=answer or 0.0,
        verification_within_hours=verification or 0.0,
        ladder=tuple(steps),
        serves=serves,
        determined_by=rule or mechanism.DecisionRule(),
        determine_within_hours=determine,
        addressed_to=addressed or ("party",),
        precedence=tuple(precedence),
        comms_check_answer_minutes=comms_minutes,
    )


# --------------------------------------------------------------------------- the mechanism
# Roles, decision rules and the rules of procedure (rules.mechanism). Kept together so the
# other readers of arrangement.toml stay as they were.


def _read_decision_rule(t: _Table, key: str) -> mechanism.DecisionRule | None:
    """``"any"``, ``"chair"``, ``{ all_of = [codes] }`` or ``{ any_of = [codes] }``; the
    codes are checked against the parties later (``_read_mechanism``). None: not stated."""
    value = t.get(key, required=False)
    if value is _MISSING:
        return None
    if isinstance(value, str):
        simple = t.check_text(key, value, choices=("any", "chair"), what="decision rule")
        return mechanism.DecisionRule(simple) if simple else None
    if not isinstance(value, dict):
        t.error(
            key,
            f'expected "any", "chair", {{ all_of = [...] }} or {{ any_of = [...] }}, '
            f"found {t.report.describe(value)}",
        )
        return None
    rule = _Table(value, t.report, t.where(key))
    named = [k for k in ("all_of", "any_of") if k in value]
    if len(named) != 1:
        t.error(key, "name the deciding parties with exactly one of all_of or any_of")
        rule.known.update({"all_of": None, "any_of": None})
        rule.finish()
        return None
    codes = rule.texts(named[0], required=True, pattern=_CODE, what="party code")
    rule.finish()
    if not codes:
        if isinstance(value[named[0]], list):
            rule.error(named[0], "name at least one party")
        return None
    return mechanism.DecisionRule(named[0], codes)


def _read_mechanism(top: _Table, parts: _Parts, protocol_tables: list[_Table]) -> None:
    """The rules of procedure, then every decision rule checked against the parties.

    A protocol that states no ``determined_by`` takes the procedure's; one that states a
    rule no party can apply (no chair, no mediator, a code that is no party, a donor or
    an observer deciding) is an error at that rule.
    """
    party_codes = [p.code for p in parts.parties if p.code]
    for i, party in enumerate(parts.parties):
        if party.code == mechanism.MECHANISM:
            top.report.error(
                f"{_join(top.where('parties'), i)}.code",
                f"{party.code!r} is reserved: a complaint addressed to the mechanism names it",
            )
    parts.procedure = _read_procedure(top, party_codes)
    default = parts.procedure.determined_by if parts.procedure else None
    if default is not None:
        _check_decision_rule(top, "procedure.determined_by", default, parts)
    for i, (table, protocol) in enumerate(zip(protocol_tables, parts.protocols, strict=True)):
        if "determined_by" not in table.data:
            if default is not None:
                parts.protocols[i] = dataclasses.replace(protocol, determined_by=default)
        else:
            _check_decision_rule(table, "determined_by", protocol.determined_by, parts)
        rule = parts.protocols[i].determined_by
        rows = [(p.code, p.kind, p.role) for p in parts.parties]
        if mechanism.MECHANISM in protocol.addressed_to and not mechanism.deciders(rule, rows):
            table.error(
                "addressed_to",
                "a complaint addressed to the mechanism is answered by its deciders, and no "
                "party decides under this protocol's rule (state determined_by)",
            )


def _check_decision_rule(t: _Table, key: str, rule: mechanism.DecisionRule, parts: _Parts) -> None:
    kinds = {p.code: p.kind for p in parts.parties}
    rows = [(p.code, p.kind, p.role) for p in parts.parties]
    where = t.where(key) if "." not in key else _join(t.path, key)
    if rule.rule == "chair" and not mechanism.chairs(rows):
        t.report.error(where, 'no party has role = "chair": give the chair its role')
    elif rule.rule == "any" and "mediator" not in kinds.values():
        t.report.error(
            where,
            'no party is of kind "mediator": name who decides (all_of or any_of, or "chair")',
        )
    for index, code in enumerate(rule.parties):
        at = f"{where}.{rule.rule}[{index}]"
        if code not in kinds:
            known = ", ".join(kinds) or "none"
            t.report.error(at, f"unknown party {code!r} (known: {known})")
        elif kinds[code] in ("donor", "observer"):
            kind = kinds[code]
            t.report.error(
                at, f"{code!r} is of kind {kind!r}: a party of that kind does not decide"
            )


def _read_procedure(top: _Table, party_codes: list[str]) -> ProcedureSpec | None:
    """``[procedure]``: the mechanism's rules of procedure (optional)."""
    t = top.table("procedure", required=False)
    if t is None:
        return None
    rule = _read_decision_rule(t, "determined_by")
    quorum = t.table("quorum", required=False)
    quorum_all_of: tuple[str, ...] = ()
    quorum_at_least: int | None = None
    if quorum is not None:
        quorum_all_of = quorum.texts("all_of", choices=party_codes, what="party")
        least = quorum.number("at_least", required=False, positive=True)
        if least is not None and not float(least).is_integer():
            quorum.error("at_least", f"expected a whole number of members, found {least:g}")
        elif least is not None:
            quorum_at_least = int(least)
            if quorum_at_least > len(party_codes):
                quorum.error(
                    "at_least",
                    f"{quorum_at_least} is more members than the {len(party_codes)} parties",
                )
        if not quorum_all_of and quorum_at_least is None and not quorum.data:
            quorum.report.error(quorum.path, "a quorum names all_of, at_least or both")
        quorum.finish()
    language = t.text("authoritative_language", required=False, pattern=_LANGUAGE, what="language")
    authentic = t.texts("authentic_languages", pattern=_LANGUAGE, what="language")
    if language and authentic and language not in authentic:
        t.error(
            "authoritative_language",
            f"{language!r} is not one of authentic_languages ({', '.join(authentic)})",
        )
    meetings = t.table("meetings", required=False)
    every = on_request = None
    if meetings is not None:
        every = meetings.number("every_days", required=False, positive=True)
        on_request = meetings.number("on_request_within_hours", required=False, positive=True)
        meetings.finish()
    media = t.text("media", required=False, choices=mechanism.MEDIA_RULES, what="media rule")
    tiers = []
    for tier in t.tables("confidentiality", required=False):
        tiers.append(
            ConfidentialityTier(
                id=tier.text("id", pattern=_CODE, what="tier id"),
                name=tier.localized("name"),
                description=tier.localized("description", required=False),
            )
        )
        tier.finish()
    _check_unique(t.report, _keyed(t, "confidentiality", "id", tiers), "confidentiality tier")
    t.finish()
    return ProcedureSpec(
        determined_by=rule,
        quorum_all_of=quorum_all_of,
        quorum_at_least=quorum_at_least,
        authoritative_language=language,
        authentic_languages=authentic,
        meetings_every_days=every,
        meetings_on_request_within_hours=on_request,
        media=media,
        confidentiality=tuple(tiers),
    )


#: A language's code: ISO 639 (two or three letters), e.g. "en", "ar", "he", "fr".
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


# --------------------------------------------------------------------------- zones.geojson


def _read_zones(
    data: Any,
    report: _Report,
    region: BBox | None,
    source_keys: set[str] | None,
    *,
    lexicon: _Lexicon | None = None,
) -> tuple[list[ZoneSpec], set[str]]:
    """Read the zones; return them and every id seen (for clause references)."""
    if not isinstance(data, dict):
        report.error(
            "", f"expected a GeoJSON FeatureCollection object, found {report.describe(data)}"
        )
        return [], set()
    collection = _Table(data, report)
    collection.text("type", choices=("FeatureCollection",), what="GeoJSON type")
    collection.text("name", required=False)
    collection.text("note", required=False)
    zones: list[ZoneSpec] = []
    ids: list[tuple[str, str]] = []
    for feature in collection.tables("features"):
        zone = _read_zone(feature, region, source_keys, lexicon=lexicon)
        if zone is not None:
            ids.append((feature.where("id"), zone.id))
            zones.append(zone)
    collection.finish()
    _check_unique(report, ids, "zone id")
    _check_zone_parts(report, zones, {zone_id: where for where, zone_id in reversed(ids)})
    return zones, {zone_id for _, zone_id in ids}


def _check_zone_parts(report: _Report, zones: list[ZoneSpec], where: dict[str, str]) -> None:
    """A part (``properties.part_of``) is an area within an area zone that is not itself a
    part: a clause about part of a zone cites the part, and the map draws it in its zone."""
    by_id = {z.id: z for z in zones}
    for zone in zones:
        if not zone.part_of:
            continue
        field = where[zone.id].removesuffix(".id") + ".properties.part_of"
        parent = by_id.get(zone.part_of)
        if zone.part_of == zone.id:
            report.error(field, "a zone cannot be a part of itself")
        elif parent is None:
            known = ", ".join(sorted(by_id))
            report.error(field, f"unknown zone {zone.part_of!r} (known: {known})")
        elif parent.part_of:
            report.error(
                field,
                f"{parent.id!r} is itself a part of {parent.part_of!r}: "
                "name the zone it is a part of",
            )
        elif zone.kind != "area" or parent.kind != "area":
            report.error(field, "only an area can be a part, and only of an area")
        elif zone.geometry and parent.geometry:
            part = shapely.geometry.shape(zone.geometry)
            # Within the zone to about 0.1 m (1e-6 degrees): positions rounded to six
            # decimals on the zone's own edge stay inside.
            whole = shapely.geometry.shape(parent.geometry).buffer(1e-6)
            if not part.within(whole):
                report.error(
                    field,
                    f"the part reaches outside {parent.id!r}: a part lies within its zone "
                    "(draw it as the intersection with the zone)",
                )


def _read_zone(
    f: _Table, region: BBox | None, source_keys: set[str] | None, *, lexicon: _Lexicon | None = None
) -> ZoneSpec | None:
    f.text("type", choices=("Feature",), what="GeoJSON type")
    props = f.table("properties")
    zone_id = ""
    raw_id = f.get("id", required=False)
    if raw_id is _MISSING:
        hint = props.data.get("id") if props is not None else None
        if props is not None and "id" in props.data:
            props.known["id"] = None  # reported here, with the fix, rather than as unknown
        f.error(
            "id",
            "feature has no 'id'; every zone needs a top-level feature id (RFC 7946 section 3.2)"
            + (f": move properties.id {hint!r} to the feature's 'id'" if hint else ""),
        )
    else:
        zone_id = f.check_text("id", raw_id, pattern=_ID, what="zone id")

    kind = ""
    name: dict[str, str] = {}
    values: dict[str, Any] = {}
    if props is not None:
        kind = props.text("kind", choices=vocabulary.ZONE_KINDS, what="zone kind")
        if lexicon is not None:
            inline = tuple(f"name_{language}" for language in vocabulary.LANGUAGES)
            name = _lexicon_name(props, inline, lexicon, "areas", zone_id, "zone", at=f)
        elif "name_en" not in props.data:
            props.known["name_en"] = None
            props.error(
                "name_en",
                "missing the English name ('name_en'); "
                "English is required as the fallback language",
            )
        for language in vocabulary.LANGUAGES if lexicon is None else ():
            value = props.text(f"name_{language}", required=language == "en")
            if value:
                name[language] = value
        values["description"] = props.text("description", required=False)
        values["side"] = props.text("side", required=False)
        values["from_km"] = props.number("from_km", required=False, minimum=0)
        values["to_km"] = props.number("to_km", required=False, minimum=0)
        if (
            values["from_km"] is not None
            and values["to_km"] is not None
            and values["to_km"] <= values["from_km"]
        ):
            props.error(
                "to_km",
                f"must be greater than from_km ({values['from_km']:g}), found {values['to_km']:g}",
            )
        values["derived"] = props.boolean("derived")
        values["illustrative"] = props.boolean("illustrative")
        known_sources = sorted(source_keys) if source_keys is not None else None
        values["source"] = props.text(
            "source", required=False, choices=known_sources, what="source key"
        )
        values["style"] = _read_style(props, kind)
        values["part_of"] = props.text("part_of", required=False, pattern=_ID, what="zone id")
        props.finish()

    geometry = None
    raw_geometry = f.get("geometry")
    if raw_geometry is not _MISSING:
        geometry = _read_geometry(raw_geometry, f.report, f.where("geometry"), kind, region)
    f.finish()
    if not zone_id:
        return None
    shape, bbox = geometry if geometry is not None else ({}, (0.0, 0.0, 0.0, 0.0))
    return ZoneSpec(id=zone_id, kind=kind, name=name, geometry=shape, bbox=bbox, **values)


def _read_style(props: _Table, kind: str, key: str = "style") -> dict[str, Any]:
    """``properties.style``: how the map draws the zone; only what it sets is kept."""
    t = props.table(key, required=False)
    if t is None:
        return {}
    style: dict[str, Any] = {}
    for key in ("color", "fill_color"):
        colour = t.text(key, required=False, pattern=_COLOUR, what="colour (#rrggbb)")
        if colour:
            style[key] = colour.lower()
    for key, highest in (("weight", 10.0), ("opacity", 1.0), ("fill_opacity", 1.0)):
        number = t.number(key, required=False, minimum=0)
        if number is not None and number > highest:
            t.error(key, f"must be at most {highest:g}, found {number:g}")
        elif number is not None:
            style[key] = number
    for key, choices, what in (
        ("line", vocabulary.ZONE_LINES, "line style"),
        ("fill", vocabulary.ZONE_FILLS, "fill"),
    ):
        value = t.text(key, required=False, choices=choices, what=what)
        if value:
            style[key] = value
    if kind == "line":
        for key in ("fill", "fill_color", "fill_opacity"):
            if key in t.data:
                t.error(key, "a line zone has no fill")
                style.pop(key, None)
    t.finish()
    return style


def _read_geometry(
    value: Any, report: _Report, where: str, kind: str, region: BBox | None
) -> tuple[dict[str, Any], BBox] | None:
    """Check a zone geometry's structure, positions and validity; return it and its bbox."""
    if not isinstance(value, dict):
        report.error(where, f"expected a GeoJSON geometry object, found {report.describe(value)}")
        return None
    g = _Table(value, report, where)
    allowed = _GEOMETRY_TYPES.get(kind, _ALL_GEOMETRY_TYPES)
    geometry_type = g.text("type", choices=_ALL_GEOMETRY_TYPES, what="geometry type")
    coordinates = g.get("coordinates")
    g.finish()
    if not geometry_type or coordinates is _MISSING:
        return None
    if geometry_type not in allowed:
        g.error(
            "type",
            f"a zone of kind {kind!r} needs a {' or '.join(allowed)} geometry, "
            f"found {geometry_type}",
        )
        return None

    checker = _Positions(report, region)
    path = _join(where, "coordinates")
    structure_ok = {
        "LineString": lambda: checker.line(coordinates, path),
        "MultiLineString": lambda: checker.many(coordinates, path, checker.line),
        "Polygon": lambda: checker.polygon(coordinates, path),
        "MultiPolygon": lambda: checker.many(coordinates, path, checker.polygon),
    }[geometry_type]()
    if not structure_ok:
        return None

    geometry = {"type": geometry_type, "coordinates": coordinates}
    shape = shapely.geometry.shape(geometry)
    if not shape.is_valid:
        # explain_validity names the problem and where, e.g. "Self-intersection[35.8 33.1]".
        report.error(where, f"invalid geometry: {shapely.validation.explain_validity(shape)}")
        return None
    west, south, east, north = (float(v) for v in shape.bounds)
    return geometry, (west, south, east, north)


class _Positions:
    """Structural checks of GeoJSON coordinate arrays; each returns False if unusable."""

    def __init__(self, report: _Report, region: BBox | None) -> None:
        self.report = report
        self.region = region

    def many(self, value: Any, where: str, part: Any) -> bool:
        if not isinstance(value, list) or not value:
            self.report.error(where, "expected a non-empty list of parts")
            return False
        results = [part(item, _join(where, i)) for i, item in enumerate(value)]
        return all(results)

    def polygon(self, value: Any, where: str) -> bool:
        if not isinstance(value, list) or not value:
            self.report.error(where, "expected a list of linear rings (exterior first, then holes)")
            return False
        results = [self.ring(ring, _join(where, i)) for i, ring in enumerate(value)]
        return all(results)

    def ring(self, value: Any, where: str) -> bool:
        if not self.positions(value, where):
            return False
        ok = True
        if len(value) < 4:
            self.report.error(
                where, f"a linear ring needs at least 4 positions, found {len(value)}"
            )
            ok = False
        if value[0] != value[-1]:
            self.report.error(
                where,
                f"ring is not closed: first position {value[0]} differs from last {value[-1]} "
                "(repeat the first position at the end)",
            )
            ok = False
        return ok

    def line(self, value: Any, where: str) -> bool:
        if not self.positions(value, where):
            return False
        if len(value) < 2:
            self.report.error(where, f"a line needs at least 2 positions, found {len(value)}")
            return False
        return True

    def positions(self, value: Any, where: str) -> bool:
        if not isinstance(value, list) or not value:
            self.report.error(where, "expected a non-empty list of positions [longitude, latitude]")
            return False
        ok = True
        outside: list[int] = []
        for i, position in enumerate(value):
            if not (
                isinstance(position, list)
                and 2 <= len(position) <= 3
                and all(map(_number_ok, position))
            ):
                self.report.error(
                    _join(where, i),
                    f"expected a position [longitude, latitude], found {position!r}",
                )
                ok = False
                continue
            lon, lat = position[0], position[1]
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                self.report.error(
                    _join(where, i),
                    f"position [{lon}, {lat}] is outside longitude -180..180 / latitude -90..90 "
                    "(GeoJSON positions are [longitude, latitude])",
                )
                ok = False
            elif self.region is not None and not _in_bbox(lon, lat, self.region):
                outside.append(i)
        if outside and self.region is not None:
            # One message per ring or line: a shifted polygon would repeat it hundreds of times.
            first = value[outside[0]]
            more = f" (and {len(outside) - 1} more positions)" if len(outside) > 1 else ""
            self.report.error(
                _join(where, outside[0]),
                f"position [{first[0]}, {first[1]}] is outside the arrangement's region_bbox "
                f"{list(self.region)}{more}",
            )
        return ok


# --------------------------------------------------------------------------- places.csv


def _read_places(
    text: str, report: _Report, region: BBox | None, lexicon: _Lexicon | None = None
) -> list[PlaceSpec]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        report.error("", f"invalid CSV: {exc}")
        return []
    if not rows:
        report.error(
            "header", f"the file is empty; expected a header row: {','.join(PLACE_COLUMNS)}"
        )
        return []
    header = rows[0]
    problems = []
    missing = [c for c in PLACE_COLUMNS if c not in header]
    unknown = [c for c in header if c not in PLACE_COLUMNS + OPTIONAL_PLACE_COLUMNS]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if repeated:
        problems.append(f"repeated column(s) {', '.join(repeated)}")
    if problems:
        expected = ",".join(PLACE_COLUMNS)
        report.error(
            "header",
            f"{'; '.join(problems)} (expected: {expected}[,{','.join(OPTIONAL_PLACE_COLUMNS)}])",
        )
        return []  # rows cannot be read without knowing which column is which

    places: list[PlaceSpec] = []
    keys: list[tuple[str, str]] = []
    # Rows are numbered as a spreadsheet shows them: the header is row 1.
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        where = f"row {number}"
        if len(row) != len(header):
            report.error(where, f"expected {len(header)} fields as in the header, found {len(row)}")
            continue
        record = dict(zip(header, row, strict=True))
        key = record["key"].strip()
        if not _CODE.match(key):
            report.error(f"{where}.key", f"{key!r} is not a valid place key: use a-z, 0-9 and _")
        elif lexicon is not None and key not in lexicon.get("places", {}):
            report.error(f"{where}.key", _no_entry("place", "places", key))
        if not record["name"].strip():
            report.error(f"{where}.name", "must not be empty")
        lat, lon = _coordinates(record, where, report, region)
        keys.append((f"{where}.key", key))
        places.append(
            PlaceSpec(
                key=key,
                name=record["name"],
                name_local=record["name_local"],
                lat=lat,
                lon=lon,
                feature=record["feature"],
                country_code=record["country_code"],
                source=record["source"],
                source_id=record["source_id"],
                note=record["note"],
            )
        )
    _check_unique(report, keys, "place key")
    return places


def _coordinates(
    record: Mapping[str, str], where: str, report: _Report, region: BBox | None
) -> tuple[float | None, float | None]:
    raw_lat, raw_lon = record["lat"].strip(), record["lon"].strip()
    # Both empty is allowed: some places have no coordinate in any open source.
    if not raw_lat and not raw_lon:
        return None, None
    values: dict[str, float | None] = {}
    for column, raw, limit in (("lat", raw_lat, 90.0), ("lon", raw_lon, 180.0)):
        values[column] = None
        if not raw:
            other = "lon" if column == "lat" else "lat"
            report.error(
                f"{where}.{column}", f"is empty but {other} is given: give both or leave both empty"
            )
            continue
        try:
            value = float(raw)
        except ValueError:
            report.error(f"{where}.{column}", f"{raw!r} is not a number (decimal degrees expected)")
            continue
        if not math.isfinite(value) or not -limit <= value <= limit:
            report.error(
                f"{where}.{column}",
                f"{raw} is out of range: expected -{limit:g}..{limit:g} decimal degrees",
            )
            continue
        values[column] = value
    lat, lon = values["lat"], values["lon"]
    if lat is None or lon is None:
        return None, None
    if region is not None and not _in_bbox(lon, lat, region):
        column = "lat" if not region[1] <= lat <= region[3] else "lon"
        report.error(
            f"{where}.{column}",
            f"({lat}, {lon}) is outside the arrangement's region_bbox {list(region)}",
        )
    return lat, lon


# --------------------------------------------------------------------------- demo.toml


def _read_demo(top: _Table, parts: _Parts | None) -> DemoData:
    notice = top.localized("notice")
    if notice.get("en") and "fictional" not in notice["en"].lower():
        top.error(
            "notice.en",
            "the notice must say the data is fictional (the English text must contain 'fictional')",
        )

    arrangement_parties = {p.code for p in parts.parties} if parts is not None else None
    demo_parties = []
    for t in top.tables("parties", required=False):
        demo_party = _read_party(t)
        if arrangement_parties is not None and demo_party.code in arrangement_parties:
            t.error(
                "code",
                f"party {demo_party.code!r} is already defined in arrangement.toml; "
                "demo parties must be new",
            )
        demo_parties.append(demo_party)
    _check_unique(top.report, _keyed(top, "parties", "code", demo_parties), "party code")

    # Cross-references cannot be judged if arrangement.toml itself could not be read.
    known = (
        None
        if arrangement_parties is None
        else sorted(arrangement_parties | {p.code for p in demo_parties})
    )
    delegations = []
    for t in top.tables("delegations", required=False):
        delegations.append(
            DemoDelegationSpec(
                party=t.text("party", choices=known, what="party"), name=t.localized("name")
            )
        )
        t.finish()
    _check_unique(
        top.report, _keyed(top, "delegations", "party", delegations), "delegation for party"
    )

    with_delegation = {d.party for d in delegations}
    used_roles = [r.code for r in parts.roles] if parts is not None else list(vocabulary.ROLES)
    accounts = []
    for t in top.tables("accounts", required=False):
        username = t.text("username", pattern=_USERNAME, what="username")
        full_name = t.text("full_name")
        party = t.text("party", choices=known, what="party")
        if party and known is not None and party not in with_delegation:
            t.error(
                "party",
                f"party {party!r} has no delegation in demo.toml; add one under [[delegations]]",
            )
        roles = t.texts("roles", required=True, choices=vocabulary.ROLES, what="role")
        if "roles" in t.data and not t.data["roles"]:
            t.error("roles", "an account needs at least one role")
        for index, role in enumerate(roles):
            if role not in used_roles:
                t.error(
                    f"roles[{index}]", f"role {role!r} is not among the roles of arrangement.toml"
                )
        accounts.append(
            DemoAccountSpec(username=username, full_name=full_name, party=party, roles=roles)
        )
        t.finish()
    _check_unique(top.report, _keyed(top, "accounts", "username", accounts), "username")
    witnesses = _read_witnesses(top, known, accounts)
    story = _read_story(top, parts, known, accounts)
    top.finish()
    return DemoData(
        notice=notice,
        parties=tuple(demo_parties),
        delegations=tuple(delegations),
        accounts=tuple(accounts),
        story=story,
        witnesses=witnesses,
    )


def _read_witnesses(
    top: _Table, known: list[str] | None, accounts: Sequence[DemoAccountSpec]
) -> tuple[str, ...]:
    """``witnesses``: the parties whose record witness ``coordcell demo`` runs beside the
    server. Each needs an account with the ``cell_administrator`` role, who registers the
    witness's key for that party."""
    witnesses = top.texts("witnesses", choices=known, what="party")
    administered = {a.party for a in accounts if "cell_administrator" in a.roles}
    for index, party in enumerate(witnesses):
        if party not in administered:
            top.error(
                f"witnesses[{index}]",
                f"party {party!r} has no account with the role 'cell_administrator' in "
                "demo.toml; its administrator registers the witness's key",
            )
    return witnesses


#: The word every text of the story carries, so that no one takes it for a real event.
_FICTIONAL = "fictional"
#: The story's steps that lodge a case (a later step refers to the case by their key).
_LODGING = (StoryDo.REPORT_AND_LODGE, StoryDo.CONVERT_CALL)
#: Who may be called on the hotline, and who may be complained about.
_CALLEE_KINDS = ("party", "mediator", "monitor")
_RESPONDENT_KINDS = ("party",)
#: The longest action window a story's warning may give: a week, in hours.
_MAX_WINDOW_HOURS = 7 * 24
#: The longest an incident may lie before the story reports it: one week, in minutes.
_MAX_MINUTES_BEFORE = 7 * 24 * 60
#: The latest a story's remedy may fall due: thirty days after its step, in hours.
_MAX_REMEDY_HOURS = 30 * 24


#: The story's steps of sharing (issue 14).
_SHARING_DOINGS = (
    StoryDo.SHARE_ITEM,
    StoryDo.WIDEN_ITEM,
    StoryDo.CONSENT,
    StoryDo.REDACT_ITEM,
)


def _fictional_text(t: _Table, key: str, *, required: bool = True) -> str:
    """A text of the story, which must say that it is fictional."""
    value = t.text(key, required=required)
    if value and _FICTIONAL not in value.lower():
        t.error(key, f"must say it is fictional (contain the word '{_FICTIONAL}')")
    return value


def _read_story(
    top: _Table, parts: _Parts | None, known: list[str] | None, accounts: list[DemoAccountSpec]
) -> tuple[DemoStepSpec, ...]:
    """``[[story]]``: the steps ``coordcell demo`` plays once, in order, through the services.

    References are checked here: ``by`` names an account of this file, ``case`` and
    ``call`` the key of an earlier step that lodged a case or activated the hotline.
    Whether the person may take the step is the services' to say when the demo runs.
    """
    reader = _StoryReader(parts, known, accounts)
    steps = [reader.step(t) for t in top.tables("story", required=False)]
    _check_unique(top.report, reader.keys, "story key")
    return tuple(steps)


class _StoryReader:
    """Reads the story's steps in order, remembering the keys of the cases and calls."""

    def __init__(
        self, parts: _Parts | None, known: list[str] | None, accounts: list[DemoAccountSpec]
    ) -> None:
        self.parties = {p.code: p.kind for p in parts.parties} if parts is not None else None
        self.region = parts.region_bbox if parts is not None else None
        # A story's incident may have a kind the arrangement declares.
        self.kinds = (
            (*taxonomy.KINDS, *(k.id for k in parts.incident_kinds if k.id))
            if parts is not None
            else taxonomy.KINDS
        )
        self.known = known
        self.party_of = {a.username: a.party for a in accounts if a.username}
        self.cases: set[str] = set()
        #: Each case's complainant and respondent, who may own a remedy of it.
        self.case_parties: dict[str, tuple[str, str]] = {}
        self.calls: set[str] = set()
        self.messages: set[str] = set()
        self.relayed: dict[str, str] = {}
        self.incidents: set[str] = set()
        self.warnings: set[str] = set()
        self.handovers: set[str] = set()
        self.position_disputes: set[str] = set()  # positions (issue 13)
        self.shared_items: dict[str, str] = {}  # sharing (issue 14): key -> originator
        self.share_requests: set[str] = set()  # sharing (issue 14)
        self.answered: dict[str, str] = {}
        self.converted: dict[str, str] = {}
        self.keys: list[tuple[str, str]] = []
        # Advance notification: the agreed list, and the keys of notices and actors.
        self.deconfliction = parts.deconfliction if parts is not None else None
        self.talks_spec = parts.talks if parts is not None else None  # talks (issue 16)
        self.reports = parts.reports if parts is not None else None
        self.notices: set[str] = set()
        self.humanitarians: set[str] = set()
        # Civilian harm, property and access (issue 18): the keys of their steps.
        self.property_records: set[str] = set()
        self.access_requests: dict[str, str] = {}  # key -> the party asked

    def step(self, t: _Table) -> DemoStepSpec:
        do = t.text("do", choices=STORY_DOINGS, what="story step")
        by = t.text("by", choices=sorted(self.party_of), what="account")
        key = t.text("key", required=False, pattern=_CODE, what="story key")
        own = self.party_of.get(by, "")
        values: dict[str, Any] = {}
        if do == StoryDo.ACT:
            values["case"] = self.reference(t, "case", self.cases, "lodges a case")
            action = t.text("action", choices=workflow.PERSON_ACTIONS, what="action")
            values["action"] = action
            values["text"] = _fictional_text(t, "text", required=action in workflow.NEEDS_TEXT)
            if action in (workflow.Action.DETERMINE, workflow.Action.PROPOSE):
                values["outcome"] = t.text(
                    "outcome", choices=determinations.OUTCOMES, what="outcome"
                )
                values["clauses"] = tuple(t.texts("clauses", what="clause"))
                values["remedies"] = self.remedies(t, values["case"])
        elif do == StoryDo.CALL:
            values["callee"] = self.party(t, "callee", own, _CALLEE_KINDS, "party to call")
            values["channel"] = t.text(
                "channel", choices=vocabulary.HOTLINE_CHANNELS, what="channel"
            )
            values["subject"] = _fictional_text(t, "subject")
        elif do == StoryDo.ANSWER_CALL:
            values["call"] = self.once(t, self.answered, "is already answered at")
            values["text"] = _fictional_text(t, "text", required=False)
        elif do in _LODGING:
            if do == StoryDo.CONVERT_CALL:
                values["call"] = self.once(t, self.converted, "already became a case at")
            values["respondent"] = self.party(
                t, "respondent", own, _RESPONDENT_KINDS, "party to complain about"
            )
            values["summary"] = _fictional_text(t, "summary")
            if key:
                self.case_parties[key] = (own, values["respondent"])
            values["extra_audience"] = t.texts("extra_audience", choices=self.known, what="party")
            incident = t.table("incident")
            values["incident"] = (
                _read_story_incident(incident, self.region, self.kinds)
                if incident is not None
                else None
            )
        elif do in HARM_STORY_DOINGS:  # civilian harm, property and access (issue 18)
            _read_harm_step(self, t, do, own, key, values)
        elif do in NOTICE_STORY_DOINGS:
            _read_notice_step(self, t, do, values)
            if key and do == StoryDo.NOTIFY:
                self.notices.add(key)
            elif key and do == StoryDo.REGISTER_HUMANITARIAN:
                self.humanitarians.add(key)
        else:
            self.exchange(t, do, own, values)
        if not do:  # unknown: which keys it takes cannot be judged, so none is reported
            t.known.update(dict.fromkeys(t.data))
        if key:
            self.keys.append((t.where("key"), key))
            if do in _LODGING:
                self.cases.add(key)
            elif do == StoryDo.CALL:
                self.calls.add(key)
            elif do == StoryDo.MESSAGE:
                self.messages.add(key)
            elif do == StoryDo.REPORT:
                self.incidents.add(key)
            elif do == StoryDo.WARN:
                self.warnings.add(key)
            elif do == StoryDo.HANDOVER:
                self.handovers.add(key)
        t.finish()
        return DemoStepSpec(do=do, by=by, key=key, **values)

    def exchange(self, t: _Table, do: str, own: str, values: dict[str, Any]) -> None:
        """The steps of the hotline's thread, of warnings and of the ledger."""
        if do == StoryDo.MESSAGE:
            values["call"] = self.reference(t, "call", self.calls, "calls the hotline")
            values["text"] = _fictional_text(t, "text")
            commitment = t.text(
                "commitment",
                required=False,
                choices=vocabulary.COMMITMENT_KINDS,
                what="commitment",
            )
            values["commitment"] = commitment
            if commitment:
                values["commitment_minutes"] = self.minutes(t, "commitment_minutes", 1)
            values["via_mediator"] = t.boolean("via_mediator")
        elif do == StoryDo.RELAY:
            ref = self.reference(t, "message", self.messages, "posts a message")
            if ref in self.relayed:
                t.error("message", f"message {ref!r} is already relayed at {self.relayed[ref]}")
            elif ref:
                self.relayed[ref] = t.path
            values["message"] = ref
        elif do == StoryDo.REPORT:
            incident = t.table("incident")
            values["incident"] = (
                _read_story_incident(incident, self.region) if incident is not None else None
            )
            values["audience"] = t.texts("audience", choices=self.known, what="party")
        elif do == StoryDo.WARN:
            values["addressee"] = self.party(
                t, "addressee", own, _RESPONDENT_KINDS, "party to warn"
            )
            values["geometry"] = _read_point(t, self.region)
            values["threat"] = _fictional_text(t, "threat")
            values["act_kind"] = t.text("act_kind", choices=taxonomy.KINDS, what="kind of act")
            values["action_requested"] = _fictional_text(t, "action_requested")
            hours = t.number("window_hours", minimum=0.25)
            if hours is not None and hours > _MAX_WINDOW_HOURS:
                t.error("window_hours", f"at most {_MAX_WINDOW_HOURS} hours, found {hours:g}")
                hours = None
            values["window_hours"] = float(hours or 0)
            values["include_monitors"] = t.boolean("include_monitors")
            values["passed_minutes_before"] = self.minutes(t, "passed_minutes_before", 0, 24 * 60)
            if t.get("call", required=False) is not _MISSING:
                values["call"] = self.reference(t, "call", self.calls, "calls the hotline")
        elif do in (StoryDo.ACKNOWLEDGE_WARNING, StoryDo.REPORT_ACTION, StoryDo.CONFIRM_ACTION):
            values["warning"] = self.reference(t, "warning", self.warnings, "passes a warning")
            if do == StoryDo.REPORT_ACTION:
                values["text"] = _fictional_text(t, "text")
            elif do == StoryDo.CONFIRM_ACTION:
                values["result"] = t.text(
                    "result", choices=vocabulary.CONFIRMATION_RESULTS, what="finding"
                )
                values["text"] = _fictional_text(t, "text", required=False)
        elif do == StoryDo.WARNING_OUTCOME:
            values["warning"] = self.reference(t, "warning", self.warnings, "passes a warning")
            values["outcome"] = t.text(
                "outcome", choices=vocabulary.WARNING_OUTCOMES, what="outcome"
            )
            values["text"] = _fictional_text(t, "text", required=False)
            if t.get("incident_key", required=False) is not _MISSING:
                values["incident_key"] = self.reference(
                    t, "incident_key", self.incidents, "reports an incident"
                )
        elif do == StoryDo.SELF_DEFENCE:
            values["incident_key"] = self.reference(
                t, "incident_key", self.incidents, "reports an incident"
            )
            if t.get("warning", required=False) is not _MISSING:
                values["warning"] = self.reference(t, "warning", self.warnings, "passes a warning")
            values["text"] = _fictional_text(t, "text", required=False)
        else:
            self.desk(t, do, own, values)

    def desk(self, t: _Table, do: str, own: str, values: dict[str, Any]) -> None:
        """The steps of the hotline desks: roster, communications checks, handovers."""
        if do == StoryDo.DUTY_SHIFT:
            values["officer"] = self.colleague(t, "officer", own)
            tier = t.number("tier", minimum=1.0)
            if tier is not None and (tier not in (1, 2, 3)):
                t.error("tier", f"expected 1, 2 or 3, found {tier:g}")
            values["tier"] = int(tier or 0)
            values["channel"] = t.text(
                "channel", choices=vocabulary.HOTLINE_CHANNELS, what="channel"
            )
            hours = t.number("hours", positive=True)
            if hours is not None and hours > _MAX_WINDOW_HOURS:
                t.error("hours", f"at most {_MAX_WINDOW_HOURS} hours, found {hours:g}")
            values["hours"] = float(hours or 0)
            values["contact"] = _fictional_text(t, "contact", required=False)
            values["shared"] = t.boolean("shared")
        elif do == StoryDo.COMMS_CHECK:
            values["to"] = self.party(t, "to", own, ("party", "mediator"), "other end of a link")
            if t.get("answered_by", required=False) is not _MISSING:
                values["answered_by"] = t.text(
                    "answered_by", choices=sorted(self.party_of), what="account"
                )
                if values["to"] and self.party_of.get(values["answered_by"]) != values["to"]:
                    t.error("answered_by", f"is not an account of party {values['to']!r}")
        elif do == StoryDo.HANDOVER:
            values["to"] = self.colleague(t, "to", own)
            values["text"] = _fictional_text(t, "text")
            if values["to"] and values["to"] == t.data.get("by"):
                t.error("to", "hands the desk over to someone else")
        elif do == StoryDo.ACKNOWLEDGE_HANDOVER:
            values["handover"] = self.reference(t, "handover", self.handovers, "hands over")
        elif do in _VERIFICATION_DOINGS:
            values["verification"] = _read_verification_step(self, t, do)
        elif do in _ECONOMY_DOINGS:  # economy (issue 15)
            values["economy"] = _read_economy_step(self, t, do)
        elif do in TALKS_DOINGS:  # talks (issue 16)
            values["talks"] = _read_talks_step(self, t, do)
        elif do in _PROPOSALS_DOINGS:  # proposals (issue 16)
            values["proposals"] = _read_proposals_step(self, t, do)
        elif do in HUMANITARIAN_STORY_DOINGS:  # detainees and missing persons (issue 18)
            values["humanitarian"] = _read_humanitarian_step(self, t, do, own)
        elif do in _SHARING_DOINGS:
            self.sharing_step(t, do, own, values)
        elif do == StoryDo.RELEASE_REPORT:
            # reports (issue 17): the report up to this moment; the step takes no keys.
            if self.reports is None:
                t.error("do", "release_report needs a [reports] table in arrangement.toml")
        else:
            self.positions_step(t, do, own, values)

    # --- positions (issue 13) -------------------------------------------------------------

    def positions_step(self, t: _Table, do: str, own: str, values: dict[str, Any]) -> None:
        """The steps of declared positions: declare a set, seal, dispute, reveal."""
        if do == StoryDo.DECLARE_POSITIONS:
            values["positions"] = t.text("positions", pattern=_CODE, what="set of positions")
        elif do == StoryDo.DISPUTE_POSITION:
            values["respondent"] = self.party(
                t, "respondent", own, _RESPONDENT_KINDS, "party whose positions are disputed"
            )
            values["summary"] = _fictional_text(t, "summary")
            values["geometry"] = _read_point(t, self.region)
            key = t.data.get("key")
            if not isinstance(key, str) or not key:
                t.error("key", "a dispute has a key, for the step that reveals in it")
            else:
                self.position_disputes.add(key)
        elif do == StoryDo.REVEAL_POSITION:
            values["dispute"] = self.reference(
                t, "dispute", self.position_disputes, "disputes a position"
            )

    # --- end of positions -----------------------------------------------------------------

    # --- sharing (issue 14) ---------------------------------------------------------------

    def sharing_step(self, t: _Table, do: str, own: str, values: dict[str, Any]) -> None:
        """Share an item (with a tearline part), ask to widen it, consent, redact it.

        Which parties a REL marking or a bilateral item may name comes from the
        arrangement's parties (data); the services check the rest when the story plays."""
        key = t.data.get("key")
        if do in (StoryDo.SHARE_ITEM, StoryDo.REDACT_ITEM) and (
            not isinstance(key, str) or not key
        ):
            t.error("key", "a shared item has a key, for the steps that widen it")
        if do == StoryDo.SHARE_ITEM:
            values["item"] = self.shared_item_spec(t, "item", own)
            if t.get("below", required=False) is not _MISSING:
                values["below"] = self.shared_item_spec(t, "below", own, public=False)
            if isinstance(key, str) and key:
                self.shared_items[key] = own
        elif do == StoryDo.REDACT_ITEM:
            values["shared_item"] = self.shared_ref(t, own)
            values["item"] = self.shared_item_spec(t, "item", own, public=False)
            values["remove"] = t.texts(
                "remove", required=True, choices=REDACTABLE_FIELDS, what="field"
            )
            if isinstance(key, str) and key:
                self.shared_items[key] = own
        elif do == StoryDo.WIDEN_ITEM:
            values["shared_item"] = self.shared_ref(t, None)
            values["to_tier"] = t.text("to_tier", choices=SHARING_TIERS, what="audience")
            values["counterpart"] = self.sharing_party(t, "counterpart", own, required=False)
            values["text"] = _fictional_text(t, "text", required=False)
            if isinstance(key, str) and key:
                self.share_requests.add(key)
        elif do == StoryDo.CONSENT:
            values["request"] = self.reference(
                t, "request", self.share_requests, "asks to widen an item"
            )
            values["granted"] = t.boolean("granted")
            values["text"] = _fictional_text(t, "text", required=False)

    def shared_ref(self, t: _Table, own: str | None) -> str:
        """The key of an earlier step that shared an item (of ``own`` party, if given)."""
        ref = self.reference(t, "shared_item", set(self.shared_items), "shares an item")
        if ref and own is not None and self.shared_items.get(ref) != own:
            t.error("shared_item", f"{ref!r} was not shared by party {own!r}")
        return ref

    def sharing_party(self, t: _Table, name: str, own: str, *, required: bool) -> str:
        """A party of the arrangement other than the step's own (not a donor: none is)."""
        choices = None if self.parties is None else sorted(c for c in self.parties if c != own)
        return t.text(name, required=required, choices=choices, what="party")

    def shared_item_spec(
        self, t: _Table, name: str, own: str, *, public: bool = True
    ) -> DemoSharedItemSpec | None:
        """An item's fields: a fictional title and text, an audience, REL and TLP."""
        item = t.table(name)
        if item is None:
            return None
        tiers = SHARING_TIERS if public else tuple(x for x in SHARING_TIERS if x != "public")
        tier = item.text("tier", choices=tiers, what="audience")
        rel_codes = None if self.parties is None else [*sorted(self.parties), REL_PUBLIC]
        spec = DemoSharedItemSpec(
            title=_fictional_text(item, "title"),
            text=_fictional_text(item, "text", required=False),
            tier=tier,
            tlp=item.text("tlp", choices=TLP_MARKINGS, what="TLP marking"),
            counterpart=self.sharing_party(item, "counterpart", own, required=tier == "bilateral"),
            releasability=item.texts("releasability", choices=rel_codes, what="party"),
            originator_control=item.boolean("originator_control"),
        )
        item.finish()
        return spec

    # --- end of sharing (issue 14) --------------------------------------------------------

    def colleague(self, t: _Table, name: str, own: str) -> str:
        """An account of the step's own party."""
        username = t.text(name, choices=sorted(self.party_of), what="account")
        if username and own and self.party_of.get(username) != own:
            t.error(name, f"is not an account of party {own!r}")
        return username

    def remedies(self, t: _Table, case: str) -> tuple[DemoRemedySpec, ...]:
        """``remedies`` of a determination (or its proposal), checked as the service checks
        them: what (a fictional text), an owner that is a party to the case, whole hours
        until it is due, and a verifier that is a monitor party or ``deciders``."""
        tables = t.tables("remedies", required=False)
        if len(tables) > determinations.MAX_REMEDIES:
            t.error("remedies", f"at most {determinations.MAX_REMEDIES} remedies")
            return ()
        owners = list(self.case_parties.get(case, ()))
        monitors = (
            None
            if self.parties is None
            else sorted(code for code, kind in self.parties.items() if kind == "monitor")
        )
        result = []
        for r in tables:
            what = _fictional_text(r, "what")
            if len(what) > determinations.WHAT_MAX_CHARS:
                r.error("what", f"at most {determinations.WHAT_MAX_CHARS} characters")
            owner = r.text("owner", choices=owners or None, what="owner")
            verifier = r.text(
                "verifier",
                choices=None if monitors is None else [determinations.DECIDERS, *monitors],
                what="verifier",
            )
            hours = self.minutes(r, "due_hours", 1, _MAX_REMEDY_HOURS, unit="hours")
            r.finish()
            result.append(DemoRemedySpec(what, owner, hours, verifier))
        return tuple(result)

    @staticmethod
    def minutes(
        t: _Table, name: str, least: int, most: int = _MAX_MINUTES_BEFORE, unit: str = "minutes"
    ) -> int:
        """Whole minutes (or another ``unit``) from ``least`` to ``most``."""
        value = t.number(name, required=least > 0, minimum=least)
        if value is None:
            return 0
        if not value.is_integer() or value > most:
            t.error(name, f"expected whole {unit} from {least} to {most}, found {value:g}")
            return 0
        return int(value)

    def party(self, t: _Table, name: str, own: str, kinds: tuple[str, ...], what: str) -> str:
        """A party code of the arrangement, of one of ``kinds``, not the actor's own."""
        choices = (
            None
            if self.parties is None
            else sorted(code for code, kind in self.parties.items() if kind in kinds)
        )
        code = t.text(name, choices=choices, what=what)
        if code and code == own:
            t.error(name, f"{code!r} is the party of the person who acts: choose another")
            return ""
        return code

    def reference(self, t: _Table, name: str, targets: set[str], what: str) -> str:
        """The key of an earlier step that created a case or a call."""
        ref = t.text(name, pattern=_CODE, what="story key")
        if ref and ref not in targets:
            t.error(name, f"{ref!r} is not the key of an earlier step that {what}")
            return ""
        return ref

    def once(self, t: _Table, done: dict[str, str], already: str) -> str:
        """A call that is answered, or converted, once at most."""
        call = self.reference(t, "call", self.calls, "calls the hotline")
        if call in done:
            t.error("call", f"call {call!r} {already} {done[call]}")
        elif call:
            done[call] = t.path
        return call


# --- verification (issue 13): the story's steps of the timeline and of inspections --------

_VERIFICATION_DOINGS = (
    StoryDo.PROPOSE_STEPS,
    StoryDo.COUNTERSIGN_STEPS,
    StoryDo.VERIFY_STEP,
    StoryDo.PROPOSE_EXTENSION,
    StoryDo.COUNTERSIGN_EXTENSION,
    StoryDo.REQUEST_INSPECTION,
    StoryDo.FILE_INSPECTION,
    StoryDo.ACCESS_DENIAL,
)
#: The longest a story's deadline or extension runs from the step (hours).
_MAX_STEP_HOURS = 24 * 90


def _read_verification_step(reader: _StoryReader, t: _Table, do: str) -> dict[str, Any]:
    """What a verification step of the story takes (its own keys: ``steps``, the key of a
    ``propose_withdrawal_steps`` step; ``extension``, of a ``propose_step_extension``).
    Zones are checked by the services when the story is played."""
    made: dict[str, set[str]] = reader.__dict__.setdefault(
        "verification_made", {"steps": set(), "extension": set()}
    )
    sides = (
        None
        if reader.parties is None
        else sorted(c for c, k in reader.parties.items() if k == "party")
    )
    key = str(t.data.get("key", "")) if isinstance(t.data.get("key"), str) else ""
    out: dict[str, Any] = {}

    def ref(name: str) -> str:
        value = t.text(name, pattern=_CODE, what="story key")
        if value and value not in made[name]:
            t.error(name, f"{value!r} is not the key of an earlier step that makes one")
            return ""
        return value

    def hours(name: str, least: float = 0.05) -> float:
        value = t.number(name, minimum=least)
        if value is not None and value > _MAX_STEP_HOURS:
            t.error(name, f"at most {_MAX_STEP_HOURS} hours, found {value:g}")
        return float(value or 0)

    if do == StoryDo.PROPOSE_STEPS:
        out["clause"] = t.text("clause", pattern=_ID, what="clause id")
        for name in ("first", "second"):
            side = t.table(name)
            if side is None:
                continue
            number = side.number("sequence", minimum=1.0)
            out[name] = {
                "party": side.text("party", choices=sides, what="party"),
                "sequence": int(number or 0),
                "title": _fictional_text(side, "title"),
                "zones": list(side.texts("zones", pattern=_ID, what="zone id", required=True)),
                "due_hours": _side_hours(side),
            }
            side.finish()
        if key:
            made["steps"].add(key)
    elif do == StoryDo.COUNTERSIGN_STEPS:
        out["steps"] = ref("steps")
    elif do in (StoryDo.VERIFY_STEP, StoryDo.PROPOSE_EXTENSION):
        out["steps"] = ref("steps")
        out["party"] = t.text("party", choices=sides, what="party whose step it is")
        if do == StoryDo.VERIFY_STEP:
            out["outcome"] = t.text("outcome", choices=("met", "met_in_part"), what="outcome")
            out["note"] = _fictional_text(t, "note", required=False)
        else:
            out["extend_hours"] = hours("extend_hours", 1.0)
            out["reason"] = _fictional_text(t, "reason")
            if key:
                made["extension"].add(key)
    elif do == StoryDo.COUNTERSIGN_EXTENSION:
        out["extension"] = ref("extension")
    elif do == StoryDo.REQUEST_INSPECTION:
        out["zone"] = t.text("zone", pattern=_ID, what="zone id")
        out["reason"] = _fictional_text(t, "reason")
    elif do == StoryDo.FILE_INSPECTION:
        out["zone"] = t.text("zone", pattern=_ID, what="zone id")
        out["summary"] = _fictional_text(t, "summary")
        out["inspected_minutes_before"] = reader.minutes(t, "inspected_minutes_before", 0, 24 * 60)
        out["answers_request"] = t.boolean("answers_request")
        rows = []
        for h in t.tables("holdings"):
            count = h.number("count", minimum=0.0)
            rows.append(
                {
                    "party": h.text("party", choices=sides, what="party"),
                    "category": h.text("category", what="category"),
                    "count": count if count is None or not count.is_integer() else int(count),
                }
            )
            h.finish()
        out["holdings"] = rows
    elif do == StoryDo.ACCESS_DENIAL:
        out["kind"] = t.text("kind", choices=("denial", "restriction"), what="kind")
        out["geometry"] = _read_point(t, reader.region)
        out["occurred_minutes_before"] = reader.minutes(t, "occurred_minutes_before", 0, 24 * 60)
        out["description"] = _fictional_text(t, "description")
        if t.get("party", required=False) is not _MISSING:
            out["party"] = t.text("party", choices=sides, what="party")
    return out


def _side_hours(side: _Table) -> float:
    """``due_hours`` of a proposed step: from a few minutes (the worker then records it
    missed when nobody meets it) to ``_MAX_STEP_HOURS``."""
    value = side.number("due_hours", minimum=0.05)
    if value is not None and value > _MAX_STEP_HOURS:
        side.error("due_hours", f"at most {_MAX_STEP_HOURS} hours, found {value:g}")
    return float(value or 0)


# --- end of the verification story block ---------------------------------------------------


# --- economy (issue 15): the story's steps of the economic zone ---------------------------

_ECONOMY_DOINGS = (
    StoryDo.REGISTER_DONOR,
    StoryDo.REGISTER_PROJECT,
    StoryDo.FUND_PROJECT,
    StoryDo.SET_TRANCHE_CONDITION,
    StoryDo.CHECK_PROJECT_SITE,
    StoryDo.DISBURSE_TRANCHE,
    StoryDo.REPORT_UNATTRIBUTED,
)
_ECONOMY_CONDITIONS = ("no_military_presence", "withdrawal_step_met", "no_determined_violation")
_ECONOMY_MILESTONES = ("planned", "in_progress", "done", "delayed")
#: The furthest a story's date lies from the day it is played (days).
_MAX_STORY_DAYS = 3650


_PROPOSALS_DOINGS = (
    StoryDo.TABLE_PROPOSAL,
    StoryDo.TABLE_VERSION,
    StoryDo.TAKE_POSITION,
    StoryDo.MAKE_COMMITMENT,
    StoryDo.VERIFY_INDICATOR,
    StoryDo.PROPOSE_COMMITMENT_EXTENSION,
    StoryDo.AGREE_COMMITMENT_EXTENSION,
    StoryDo.ASSESS_COMMITMENT,
)
_STANCES = ("accept", "reject", "counter")
_CHANGE_OPS = ("zone_geometry", "limit", "date")
#: A story's commitment falls due at most this many minutes after the step (a year).
_MAX_STORY_MINUTES = 365 * 24 * 60


def _read_proposals_step(reader: _StoryReader, t: _Table, do: str) -> dict[str, Any]:
    """What a proposals step of the story takes (docs/scenario-format.md). ``proposal``
    is the key of a ``table_proposal`` step, ``commitment`` of a ``make_commitment`` step,
    ``extension`` of a ``propose_commitment_extension`` step. The texts say they are
    fictional; the change's zones and clauses, and who may take each step, are checked by
    the services when the story is played (against the stored version)."""
    made: dict[str, set[str]] = reader.__dict__.setdefault(
        "proposals_made", {"proposal": set(), "commitment": set(), "extension": set()}
    )
    key = t.data.get("key")
    out: dict[str, Any] = {}

    def ref(name: str) -> str:
        value = t.text(name, pattern=_CODE, what="story key")
        if value and value not in made[name]:
            t.error(name, f"{value!r} is not the key of an earlier step that makes one")
            return ""
        return value

    def keyed(kind: str) -> None:
        if not isinstance(key, str) or not key:
            t.error("key", f"a {kind} has a key, for the steps that refer to it")
        else:
            made[kind].add(key)

    def minutes(name: str) -> int:
        value = t.number(name, positive=True)
        if value is None:
            return 0
        if not value.is_integer() or value > _MAX_STORY_MINUTES:
            t.error(name, f"whole minutes up to {_MAX_STORY_MINUTES}, found {value:g}")
            return 0
        return int(value)

    def change() -> list[dict[str, Any]]:
        raw = t.get("change", required=False)
        if raw is _MISSING:
            return []
        ops = raw if isinstance(raw, list) else None
        if ops is None or not all(
            isinstance(o, Mapping) and o.get("op") in _CHANGE_OPS for o in ops
        ):
            t.error("change", f"a list of operations, each one of {', '.join(_CHANGE_OPS)}")
            return []
        return [dict(o) for o in ops]

    if do in (StoryDo.TABLE_PROPOSAL, StoryDo.TABLE_VERSION):
        if do == StoryDo.TABLE_PROPOSAL:
            keyed("proposal")
            out["title"] = _fictional_text(t, "title")
            out["track"] = t.text("track")
            audience = t.get("audience")
            if not isinstance(audience, list) or not all(isinstance(c, str) for c in audience):
                t.error("audience", "a list of party codes")
            elif reader.known is not None and any(c not in reader.known for c in audience):
                t.error("audience", "names a party the scenario does not have")
            else:
                out["audience"] = list(audience)
        else:
            out["proposal"] = ref("proposal")
        out["text"] = _fictional_text(t, "text")
        out["language"] = t.text("language", choices=("ar", "he", "en"), what="language")
        out["change"] = change()
    elif do == StoryDo.TAKE_POSITION:
        out["proposal"] = ref("proposal")
        number = t.number("version", positive=True)
        out["version"] = int(number or 0)
        out["stance"] = t.text("stance", choices=_STANCES, what="position")
        out["text"] = _fictional_text(t, "text", required=out["stance"] == "counter")
    elif do == StoryDo.MAKE_COMMITMENT:
        keyed("commitment")
        out["proposal"] = ref("proposal")
        out["title"] = _fictional_text(t, "title")
        out["kind"] = t.text("kind", choices=("commitment", "cbm"), what="kind")
        out["owner"] = t.text("owner", pattern=_CODE, what="party code")
        out["due_minutes"] = minutes("due_minutes")
        indicators = t.get("indicators")
        if (
            not isinstance(indicators, list)
            or not indicators
            or not all(isinstance(i, str) and i for i in indicators)
        ):
            t.error("indicators", "a list of texts")
        else:
            out["indicators"] = list(indicators)
    elif do == StoryDo.VERIFY_INDICATOR:
        out["commitment"] = ref("commitment")
        number = t.number("indicator", positive=True)
        out["indicator"] = int(number or 0)
        out["evidence"] = _fictional_text(t, "evidence")
    elif do == StoryDo.PROPOSE_COMMITMENT_EXTENSION:
        keyed("extension")
        out["commitment"] = ref("commitment")
        out["due_minutes"] = minutes("due_minutes")
        out["reason"] = _fictional_text(t, "reason")
    elif do == StoryDo.AGREE_COMMITMENT_EXTENSION:
        out["extension"] = ref("extension")
    else:
        out["commitment"] = ref("commitment")
        score = t.number("score", minimum=0.0)
        if score is not None and score not in (0, 1, 2, 3):
            t.error("score", f"0, 1, 2 or 3, found {score:g}")
        out["score"] = int(score or 0)
        out["text"] = _fictional_text(t, "text")
    return out


def _read_economy_step(reader: _StoryReader, t: _Table, do: str) -> dict[str, Any]:
    """What an economic-zone step of the story takes. ``project`` is the key of a
    ``register_project`` step, ``tranche`` of a tranche of a ``fund_project`` step. Sites
    lie inside the economic zone, and sectors are permitted by its clause: the services
    check both when the story is played."""
    made: dict[str, set[str]] = reader.__dict__.setdefault(
        "economy_made", {"project": set(), "tranche": set()}
    )
    sides = (
        None
        if reader.parties is None
        else sorted(c for c, k in reader.parties.items() if k == "party")
    )
    # Donor parties are the demo's own (its [[parties]]) or the arrangement's of kind
    # donor; the service checks the kind when the story is played.
    donors = (
        None
        if reader.known is None
        else sorted(
            c
            for c in reader.known
            if reader.parties is None or reader.parties.get(c, "donor") == "donor"
        )
    )
    key = str(t.data.get("key", "")) if isinstance(t.data.get("key"), str) else ""
    out: dict[str, Any] = {}

    def ref(name: str) -> str:
        value = t.text(name, pattern=_CODE, what="story key")
        if value and value not in made[name]:
            t.error(name, f"{value!r} is not the key of an earlier step that makes one")
            return ""
        return value

    def days(table: _Table, name: str) -> int:
        value = table.number(name, required=False)
        if value is None:
            return 0
        if not value.is_integer() or abs(value) > _MAX_STORY_DAYS:
            table.error(name, f"whole days within {_MAX_STORY_DAYS}, found {value:g}")
            return 0
        return int(value)

    def amount(table: _Table, name: str, currency: str) -> str:
        value = table.text(name)
        if value and currency:
            try:
                money.parse_amount(value, currency)
            except money.MoneyError as exc:
                table.error(name, f"not an amount in {currency} ({exc.code})")
        return value

    def texts(name: str) -> dict[str, str]:
        table = t.table(name)
        if table is None:
            return {}
        found = {"en": _fictional_text(table, "en")}
        for lang in ("ar", "he"):
            found[lang] = table.text(lang)
        table.finish()
        return found

    def currency(table: _Table, name: str = "currency") -> str:
        value = table.text(name)
        try:
            return money.parse_currency(value) if value else ""
        except money.MoneyError:
            table.error(name, f"{value!r} is not an ISO 4217 currency code")
            return ""

    if do == StoryDo.REGISTER_DONOR:
        out["party"] = t.text("party", choices=donors, what="donor party")
        out["named"] = t.boolean("named")
    elif do == StoryDo.REGISTER_PROJECT:
        out["sector"] = t.text("sector", pattern=_CODE, what="sector")
        out["title"] = texts("title")
        out["description"] = texts("description")
        points = t.get("sites")
        if not (
            isinstance(points, list)
            and points
            and all(isinstance(p, list) and len(p) == 2 and all(map(_number_ok, p)) for p in points)
        ):
            t.error("sites", "expected a list of [longitude, latitude]")
            out["site"] = {}
        elif len(points) == 1:
            out["site"] = {"type": "Point", "coordinates": [float(v) for v in points[0]]}
        else:
            out["site"] = {
                "type": "MultiPoint",
                "coordinates": [[float(v) for v in p] for p in points],
            }
        out["budget_currency"] = currency(t, "budget_currency")
        out["budget_amount"] = amount(t, "budget_amount", out["budget_currency"])
        rows = []
        for m in t.tables("milestones", required=False):
            title = m.table("title")
            names: dict[str, str] = {}
            if title is not None:
                names = {"en": _fictional_text(title, "en")}
                names.update({lang: title.text(lang) for lang in ("ar", "he")})
                title.finish()
            rows.append(
                {
                    "title": names,
                    "due_days": days(m, "due_days"),
                    "status": m.text("status", choices=_ECONOMY_MILESTONES, what="status"),
                }
            )
            m.finish()
        out["milestones"] = rows
        if key:
            made["project"].add(key)
    elif do == StoryDo.FUND_PROJECT:
        out["project"] = ref("project")
        out["donor"] = t.text("donor", choices=donors, what="donor party")
        out["currency"] = currency(t)
        out["pledged"] = amount(t, "pledged", out["currency"])
        out["committed"] = amount(t, "committed", out["currency"])
        out["days_ago"] = days(t, "days_ago")
        tranches = []
        for tr in t.tables("tranches", required=False):
            tkey = tr.text("key", pattern=_CODE, what="tranche key")
            tranches.append(
                {
                    "key": tkey,
                    "amount": amount(tr, "amount", out["currency"]),
                    "planned_days": days(tr, "planned_days"),
                }
            )
            if tkey:
                made["tranche"].add(tkey)
            tr.finish()
        out["tranches"] = tranches
    elif do == StoryDo.SET_TRANCHE_CONDITION:
        out["tranche"] = ref("tranche")
        out["kind"] = t.text("kind", choices=_ECONOMY_CONDITIONS, what="condition")
        if t.get("party", required=False) is not _MISSING:
            out["party"] = t.text("party", choices=sides, what="party")
        if out["kind"] == "no_determined_violation":
            out["radius_km"] = t.text("radius_km")
            out["window_days"] = int(t.number("window_days", minimum=1.0) or 0)
    elif do == StoryDo.CHECK_PROJECT_SITE:
        out["project"] = ref("project")
        out["military_presence"] = t.boolean("military_presence")
        if t.get("party", required=False) is not _MISSING:
            out["party"] = t.text("party", choices=sides, what="party")
        out["note"] = _fictional_text(t, "note")
        out["checked_minutes_before"] = reader.minutes(t, "checked_minutes_before", 0, 24 * 60)
    elif do == StoryDo.DISBURSE_TRANCHE:
        out["tranche"] = ref("tranche")
    elif do == StoryDo.REPORT_UNATTRIBUTED:
        out["kind"] = t.text("kind", what="incident kind")
        out["title"] = _fictional_text(t, "title")
        out["geometry"] = _read_point(t, reader.region)
        out["occurred_minutes_before"] = reader.minutes(t, "occurred_minutes_before", 0, 24 * 60)
    return out


# --- end of the economy story block ----------------------------------------------------------


def _read_story_incident(
    t: _Table, region: BBox | None, kinds: Sequence[str] = taxonomy.KINDS
) -> DemoIncidentSpec:
    kind = t.text("kind", choices=kinds, what="incident kind")
    title = _fictional_text(t, "title")
    geometry = _read_point(t, region)
    minutes = t.number("occurred_minutes_before", required=False, minimum=0)
    if minutes is not None and (not minutes.is_integer() or minutes > _MAX_MINUTES_BEFORE):
        t.error(
            "occurred_minutes_before",
            f"expected whole minutes from 0 to {_MAX_MINUTES_BEFORE}, found {minutes:g}",
        )
        minutes = None
    precision = t.text(
        "time_precision", required=False, choices=vocabulary.TIME_PRECISIONS, what="precision"
    )
    uncertainty = t.number("uncertainty_m", required=False, minimum=0)
    if uncertainty is not None and uncertainty > 1_000_000:
        t.error("uncertainty_m", f"at most 1000000 metres, found {uncertainty:g}")
        uncertainty = None
    t.finish()
    return DemoIncidentSpec(
        kind=kind,
        title=title,
        geometry=geometry,
        occurred_minutes_before=int(minutes or 0),
        time_precision=precision or vocabulary.TIME_PRECISIONS[0],
        uncertainty_m=uncertainty or 0.0,
    )


def _read_point(t: _Table, region: BBox | None) -> dict[str, Any]:
    """``geometry``: a GeoJSON Point inside the arrangement's region."""
    g = t.table("geometry")
    if g is None:
        return {}
    g.text("type", choices=("Point",), what="geometry type (a story incident is a Point)")
    coordinates = g.get("coordinates")
    g.finish()
    if coordinates is _MISSING:
        return {}
    if not (
        isinstance(coordinates, list)
        and len(coordinates) == 2
        and all(map(_number_ok, coordinates))
    ):
        g.error("coordinates", f"expected [longitude, latitude], found {coordinates!r}")
        return {}
    lon, lat = (float(v) for v in coordinates)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        g.error("coordinates", f"[{lon}, {lat}] is outside longitude -180..180 / latitude -90..90")
        return {}
    if region is not None and not _in_bbox(lon, lat, region):
        g.error("coordinates", f"[{lon}, {lat}] is outside the arrangement's region_bbox")
        return {}
    return {"type": "Point", "coordinates": [lon, lat]}


# --------------------------------------------------------------------------- basemap/


# (the basemap's reader is in the section "lexicon, [map] and the basemap" below)


# --------------------------------------------------------------------------- files


def _load_text(
    path: pathlib.Path, name: str, errors: list[ScenarioError], *, required: bool
) -> str | None:
    if not path.exists():
        if required:
            errors.append(
                ScenarioError(
                    name, "", f"required file is missing (expected {name} in the scenario folder)"
                )
            )
        return None
    if not path.is_file():
        errors.append(ScenarioError(name, "", "expected a file, found a folder"))
        return None
    try:
        # utf-8-sig: spreadsheets save CSV with a byte-order mark that is not part of the header.
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(
            ScenarioError(name, "", f"not valid UTF-8 text (byte {exc.start}): {exc.reason}")
        )
        return None


def _load_toml(
    folder: pathlib.Path, name: str, errors: list[ScenarioError], *, required: bool
) -> Any:
    text = _load_text(folder / name, name, errors, required=required)
    if text is None:
        return _MISSING
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The parser's message ends with "(at line L, column C)".
        errors.append(ScenarioError(name, "", f"invalid TOML: {exc}"))
        return _MISSING


def _load_json(
    path: pathlib.Path, name: str, errors: list[ScenarioError], *, required: bool = True
) -> Any:
    text = _load_text(path, name, errors, required=required)
    if text is None:
        return _MISSING
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        errors.append(
            ScenarioError(
                name, "", f"invalid JSON: {exc.msg} (at line {exc.lineno}, column {exc.colno})"
            )
        )
        return _MISSING


# --------------------------------------------------------------------------- public API


def check_scenario(path: pathlib.Path) -> tuple[Arrangement | None, list[ScenarioError]]:
    """Read the scenario folder at ``path`` and return ``(arrangement, errors)``.

    The arrangement is None whenever there is at least one error. Errors come grouped by
    file (arrangement, zones, places, demo, basemap), each in reading order.
    """
    path = pathlib.Path(path)
    if not path.is_dir():
        return None, [ScenarioError("", "", f"{path} is not a scenario folder (no such directory)")]
    errors: list[ScenarioError] = []

    # The lexicon first: with one, zones, forces and places take their names from it.
    lexicon = _read_lexicon(path, errors)

    parts: _Parts | None = None
    arrangement_report = _Report(ARRANGEMENT_FILE, errors)
    data = _load_toml(path, ARRANGEMENT_FILE, errors, required=True)
    if data is not _MISSING:
        parts = _read_arrangement(_Table(data, arrangement_report), lexicon=lexicon)
    region = parts.region_bbox if parts is not None else None

    zones: list[ZoneSpec] = []
    data = _load_json(path / ZONES_FILE, ZONES_FILE, errors)
    if data is not _MISSING:
        source_keys = {s.key for s in parts.sources} if parts is not None else None
        zones, zone_ids = _read_zones(
            data,
            _Report(ZONES_FILE, errors, json_file=True),
            region,
            source_keys,
            lexicon=lexicon,
        )
        # Only now can clause citations of zones be judged; the errors belong to arrangement.toml.
        for where, zone_id in parts.zone_refs if parts is not None else []:
            if zone_id not in zone_ids:
                known = ", ".join(sorted(zone_ids))
                arrangement_report.error(where, f"unknown zone {zone_id!r} (known: {known})")

    places: list[PlaceSpec] = []
    text = _load_text(path / PLACES_FILE, PLACES_FILE, errors, required=True)
    if text is not None:
        places = _read_places(text, _Report(PLACES_FILE, errors), region, lexicon)
        if parts is not None and parts.talks is not None and parts.talks.venue:
            # Only now can the talks' venue be judged; the error belongs to arrangement.toml.
            place_keys = {p.key for p in places}
            if parts.talks.venue not in place_keys:
                arrangement_report.error(
                    "talks.venue", f"unknown place {parts.talks.venue!r} (not in {PLACES_FILE})"
                )

    demo = None
    data = _load_toml(path, DEMO_FILE, errors, required=False)
    if data is not _MISSING:
        demo = _read_demo(_Table(data, _Report(DEMO_FILE, errors)), parts)

    basemap = _read_map_layers(path, parts, lexicon, errors)

    if errors or parts is None:
        order = {name: i for i, name in enumerate(_FILE_ORDER)}
        errors.sort(key=lambda e: order.get(e.file, len(order)))  # stable: keeps reading order
        return None, errors
    return _build(parts, zones, places, demo, basemap, lexicon), []


def read_scenario(path: pathlib.Path) -> Arrangement:
    """Read the scenario folder at ``path``; raise ``ScenarioInvalid`` listing every error."""
    arrangement, errors = check_scenario(path)
    if arrangement is None:
        raise ScenarioInvalid(errors)
    return arrangement


def content_hash(arrangement: Arrangement) -> str:
    """Hex SHA-256 of the arrangement's canonical content (not the demo or the basemap).

    Canonical JSON: sorted keys, no whitespace, non-ASCII kept, UTF-8. Reformatting a
    file leaves the hash alone; changing any value changes it.
    """
    text = json.dumps(
        arrangement.content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _build(
    parts: _Parts,
    zones: list[ZoneSpec],
    places: list[PlaceSpec],
    demo: DemoData | None,
    basemap: dict[str, Any],
    lexicon: dict[str, dict[str, dict[str, str]]] | None = None,
) -> Arrangement:
    # Both are guaranteed when there are no errors.
    assert parts.region_bbox is not None
    assert parts.valid_from is not None
    fields: dict[str, Any] = {
        "key": parts.key,
        "title": parts.title,
        "description": parts.description,
        "region_crs": parts.region_crs,
        "region_bbox": parts.region_bbox,
        "valid_from": parts.valid_from,
        "valid_until": parts.valid_until,
        "parties": tuple(parts.parties),
        "roles": tuple(parts.roles),
        "zones": tuple(zones),
        "clauses": tuple(parts.clauses),
        "protocols": tuple(parts.protocols),
        "places": tuple(places),
        "sources": tuple(parts.sources),
        "forces": tuple(parts.forces),
        "activities": tuple(parts.activities),
    }
    if parts.procedure is not None:
        fields["procedure"] = parts.procedure
    if parts.deconfliction is not None:
        # Only when stated: the content (and hash) of a scenario without it is unchanged.
        fields["deconfliction"] = parts.deconfliction
    if parts.talks is not None:
        # Only when stated: the content (and hash) of a scenario without talks is unchanged.
        fields["talks"] = parts.talks
    if parts.reports is not None:
        # Only when stated: the content (and hash) of a scenario without it is unchanged.
        fields["reports"] = parts.reports
    if parts.humanitarian is not None:
        # Only when stated: the content (and hash) of a scenario without it is unchanged.
        fields["humanitarian"] = parts.humanitarian
    if parts.incident_kinds:
        # Only when declared: the content (and hash) of a scenario without them is unchanged.
        fields["incident_kinds"] = tuple(parts.incident_kinds)
    if parts.time_zone:
        # Only when named: the content (and its hash) of a scenario without one is unchanged.
        fields["time_zone"] = parts.time_zone
    if parts.withdrawal_steps:
        # Only when set (verification): the content (and hash) of a scenario without is unchanged.
        fields["withdrawal_steps"] = tuple(parts.withdrawal_steps)
    _positions_fields(parts, fields)
    plain = {key: _plain(value) for key, value in fields.items()}
    for zone in plain["zones"]:
        # Only a part names its zone: the content (and hash) of other zones is unchanged.
        if not zone.get("part_of"):
            zone.pop("part_of", None)
    for force in plain["forces"]:
        # Only forces with dataset names carry them: other content is unchanged.
        for key in ("acled_actors", "ucdp_actors"):
            if not force.get(key):
                force.pop(key, None)
    for protocol in plain["protocols"]:
        # Only a protocol with checks states them: the content (and hash) of others is unchanged.
        if protocol.get("comms_check_answer_minutes") is None:
            protocol.pop("comms_check_answer_minutes", None)
    content = _canonical(plain)
    # Only when the scenario has them: the content (and hash) of one without is unchanged.
    if lexicon is not None:
        content["lexicon"] = _canonical(lexicon)
    map_content = _map_content(parts.map, basemap)
    if map_content:
        content["map"] = _canonical(map_content)
    return Arrangement(**fields, content=content, demo=demo, basemap=basemap)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def _canonical(value: Any) -> Any:
    """JSON-ready form: dates as ISO text, tuples as lists, whole floats as ints.

    Whole floats become ints so that ``6000`` and ``6000.0`` in a file hash the same.
    """
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# ------------------------------------------------------------- advance notification (deconfliction)
#
# ``[deconfliction]`` of arrangement.toml and the story's notification steps; see
# docs/scenario-format.md, "Advance notification". Kept together in this block.

#: The longest lead time an activity may require, and the longest sensitive period.
_MAX_LEAD_HOURS = 30 * 24
_MAX_SENSITIVE_DAYS = 31
_MAX_FOLLOW_UP_M = 50_000


def _read_deconfliction(top: _Table, parts: _Parts) -> DeconflictionSpec | None:
    """``[deconfliction]``: the agreed list of notifiable activities (versioned), the
    sensitive days, the follow-up distance and the receipt deadline (optional)."""
    t = top.table("deconfliction", required=False)
    if t is None:
        return None
    list_version = t.text("list_version", pattern=_ID, what="list version")
    protocol_ids = [p.id for p in parts.protocols if p.id]
    # By default, the ladder of the protocol that serves complaints ("escalate like complaints").
    protocol = t.text("protocol", required=False, choices=protocol_ids, what="protocol")
    if protocol:
        chosen = next((p for p in parts.protocols if p.id == protocol), None)
    else:
        chosen = next((p for p in parts.protocols if p.serves == "complaints"), None)
    if chosen is not None and len(chosen.ladder) < 2:
        t.error("protocol", f"protocol {chosen.id!r} has no level above its first to climb to")
    receipt = t.number("receipt_within_hours", positive=True)
    if receipt is not None and receipt > _MAX_LEAD_HOURS:
        t.error("receipt_within_hours", f"at most {_MAX_LEAD_HOURS} hours, found {receipt:g}")
    distance = t.number("follow_up_distance_m", positive=True)
    if distance is not None and distance > _MAX_FOLLOW_UP_M:
        t.error("follow_up_distance_m", f"at most {_MAX_FOLLOW_UP_M} m, found {distance:g}")
    kinds = (*taxonomy.KINDS, *(k.id for k in parts.incident_kinds if k.id))
    activities = [_read_notifiable(a, kinds) for a in t.tables("activities")]
    _check_unique(t.report, _keyed(t, "activities", "id", activities), "notifiable activity")
    days = [_read_sensitive_day(d, parts) for d in t.tables("sensitive_days", required=False)]
    _check_unique(t.report, _keyed(t, "sensitive_days", "id", days), "sensitive day")
    t.finish()
    return DeconflictionSpec(
        list_version=list_version,
        protocol=protocol,
        receipt_within_hours=float(receipt or 0),
        follow_up_distance_m=float(distance or 0),
        activities=tuple(activities),
        sensitive_days=tuple(days),
    )


def _read_notifiable(t: _Table, kinds: Sequence[str]) -> NotifiableActivitySpec:
    spec_id = t.text("id", pattern=_CODE, what="activity id")
    name = t.localized("name")
    lead = t.number("lead_hours", minimum=0.0)
    if lead is not None and lead > _MAX_LEAD_HOURS:
        t.error("lead_hours", f"at most {_MAX_LEAD_HOURS} hours, found {lead:g}")
    notified_by = t.texts("notified_by", required=True, choices=NOTIFIER_KINDS, what="notifier")
    if t.data.get("notified_by") == []:
        t.error("notified_by", "name who notifies it: party, humanitarian or both")
    shape = t.text("shape", choices=NOTICE_SHAPES, what="shape")
    required = t.boolean("geometry_required", default=True)
    incident_kinds = t.texts("incident_kinds", choices=kinds, what="incident kind")
    t.finish()
    return NotifiableActivitySpec(
        id=spec_id,
        name=name,
        lead_hours=float(lead or 0),
        notified_by=notified_by,
        shape=shape,
        geometry_required=required,
        incident_kinds=incident_kinds,
    )


def _read_sensitive_day(t: _Table, parts: _Parts) -> SensitiveDaySpec:
    spec_id = t.text("id", pattern=_CODE, what="sensitive day id")
    name = t.localized("name")
    date = t.date("date", required=False)
    month = t.number("month", required=False, minimum=1.0)
    day = t.number("day", required=False, minimum=1.0)
    if date is None and month is None and day is None and "date" not in t.data:
        t.error("date", "give a fixed date, or month and day for a yearly recurrence")
    elif date is not None and (month is not None or day is not None):
        t.error("date", "give a fixed date or a yearly month and day, not both")
    elif date is None and (month is None) != (day is None):
        t.error("month", "a yearly recurrence names both month and day")
    if month is not None and day is not None:
        try:  # 2025 is not a leap year: 29 February does not recur every year
            dt.date(2025, int(month), int(day))
            if not (month.is_integer() and day.is_integer()):
                raise ValueError
        except ValueError:
            t.error("day", f"{month:g}/{day:g} is not a day of every year")
            month = day = None
    days = t.number("days", required=False, minimum=1.0)
    if days is not None and (not days.is_integer() or days > _MAX_SENSITIVE_DAYS):
        t.error("days", f"expected whole days from 1 to {_MAX_SENSITIVE_DAYS}, found {days:g}")
        days = None
    zones = t.texts("zones", pattern=_ID, what="zone id")
    for index, zone_id in enumerate(zones):
        parts.zone_refs.append((_join(t.where("zones"), index), zone_id))
    illustrative = t.boolean("illustrative")
    t.finish()
    return SensitiveDaySpec(
        id=spec_id,
        name=name,
        days=int(days or 1),
        date=date,
        month=int(month) if month is not None else None,
        day=int(day) if day is not None else None,
        zones=zones,
        illustrative=illustrative,
    )


#: The story's notification steps (``demo/story_deconfliction.py`` plays them).
NOTICE_STORY_DOINGS: tuple[str, ...] = (
    StoryDo.REGISTER_HUMANITARIAN,
    StoryDo.NOTIFY,
    StoryDo.RECEIPT,
    StoryDo.SCREEN_NOTICES,
)


def _read_notice_step(reader: _StoryReader, t: _Table, do: str, values: dict[str, Any]) -> None:
    """``register_humanitarian``, ``notify``, ``receipt``, ``screen_notices``: their
    options go to the step's ``notice`` mapping."""
    options: dict[str, Any] = {}
    if do == StoryDo.REGISTER_HUMANITARIAN:
        names = t.localized("name")
        if names and _FICTIONAL not in names.get("en", "").lower():
            t.error("name", "the demo's humanitarian actor says it is fictional ('fictional')")
        options["name"] = names
    elif do == StoryDo.NOTIFY:
        spec = reader.deconfliction
        choices = [a.id for a in spec.activities] if spec is not None else None
        options["activity"] = t.text("activity", choices=choices, what="notifiable activity")
        options["starts_in_hours"] = t.number("starts_in_hours", minimum=0.0) or 0.0
        hours = t.number("hours", positive=True)
        if hours is not None and hours > _MAX_WINDOW_HOURS:
            t.error("hours", f"at most {_MAX_WINDOW_HOURS} hours, found {hours:g}")
        options["hours"] = float(hours or 1)
        geometry = t.table("geometry")
        if geometry is not None:
            geometry.known.update(dict.fromkeys(geometry.data))
            try:
                options["geometry"] = normalise_geometry(geometry.data)
            except GeometryError as exc:
                t.error("geometry", str(exc))
        options["description"] = _fictional_text(t, "description")
        options["audience"] = list(t.texts("audience", choices=reader.known, what="party"))
        if t.get("humanitarian", required=False) is not _MISSING:
            options["humanitarian"] = reader.reference(
                t, "humanitarian", reader.humanitarians, "registers a humanitarian actor"
            )
    elif do == StoryDo.RECEIPT:
        options["notice"] = reader.reference(t, "notice", reader.notices, "submits a notice")
    values["notice"] = options


#: The story's steps of civilian harm, property and access (``demo/story_harm.py``).
HARM_STORY_DOINGS: tuple[str, ...] = (
    StoryDo.GIVE_CASUALTIES,
    StoryDo.RECORD_PROPERTY,
    StoryDo.PROPERTY_VERSION,
    StoryDo.REQUEST_ACCESS,
    StoryDo.ANSWER_ACCESS,
)
#: The largest estimate of one casualty cell (``incidents.harm.MAX_ESTIMATE``).
_MAX_ESTIMATE = 100_000


def _count(t: _Table, key: str, *, required: bool = True) -> int | None:
    value = t.number(key, required=required, minimum=0.0)
    if value is None:
        return None
    if value != int(value) or value > _MAX_ESTIMATE:
        t.error(key, f"expected a whole number from 0 to {_MAX_ESTIMATE}, found {value:g}")
        return None
    return int(value)


def _read_harm_step(
    reader: _StoryReader, t: _Table, do: str, own: str, key: str, values: dict[str, Any]
) -> None:
    """The civilian harm, property and access steps: their options go to the step's
    ``harm`` mapping (docs/scenario-format.md, "Civilian harm, property and access")."""
    options: dict[str, Any] = {}
    if do in (StoryDo.GIVE_CASUALTIES, StoryDo.RECORD_PROPERTY):
        options["case"] = reader.reference(t, "case", reader.cases, "lodges a case")
    if do == StoryDo.GIVE_CASUALTIES:
        figures = []
        for f in t.tables("figures"):
            figure: dict[str, Any] = {
                "category": f.text(
                    "category", choices=vocabulary.CASUALTY_CATEGORIES, what="category"
                ),
                "outcome": f.text("outcome", choices=vocabulary.CASUALTY_OUTCOMES, what="outcome"),
                "age_band": f.text(
                    "age_band", required=False, choices=vocabulary.AGE_BANDS, what="age band"
                )
                or "unknown",
                "sex": f.text("sex", required=False, choices=vocabulary.SEX_BANDS, what="sex")
                or "unknown",
            }
            low, best, high = (_count(f, "low"), _count(f, "best"), _count(f, "high"))
            if None not in (low, best, high) and not low <= best <= high:  # type: ignore[operator]
                f.error("best", f"expected low <= best <= high, found {low}, {best}, {high}")
            figure.update(low=low, best=best, high=high)
            f.finish()
            figures.append(figure)
        if not figures:
            t.error("figures", "give at least one figure")
        options["figures"] = figures
    elif do in (StoryDo.RECORD_PROPERTY, StoryDo.PROPERTY_VERSION):
        if do == StoryDo.RECORD_PROPERTY:
            options["kind"] = t.text("kind", choices=vocabulary.PROPERTY_KINDS, what="kind")
            if key:
                reader.property_records.add(key)
        else:
            options["property"] = reader.reference(
                t, "property", reader.property_records, "records property"
            )
        area = t.number("area_m2", required=False, minimum=0.0)
        options["area_m2"] = area
        options["structures"] = _count(t, "structures", required=False)
        options["land_use"] = t.text(
            "land_use", required=False, choices=vocabulary.LAND_USES, what="land use"
        )
        geometry = t.table("geometry", required=False)
        if geometry is not None:
            geometry.known.update(dict.fromkeys(geometry.data))
            try:
                options["geometry"] = normalise_geometry(geometry.data)
            except GeometryError as exc:
                t.error("geometry", str(exc))
        options["note"] = _fictional_text(t, "note")
    elif do == StoryDo.REQUEST_ACCESS:
        options["answering_party"] = reader.party(
            t, "answering_party", own, ("party",), "party to ask"
        )
        if key:
            reader.access_requests[key] = options["answering_party"]
        options["requester_kind"] = t.text(
            "requester_kind", choices=vocabulary.ACCESS_REQUESTERS, what="requester"
        )
        options["requester_ref"] = t.text(
            "requester_ref", pattern=re.compile(r"^(?=.*[0-9])[A-Z0-9][A-Z0-9-]{2,31}$"),
            what="reference (a code with a digit, never a name)",
        )  # fmt: skip
        options["purpose"] = t.text("purpose", choices=vocabulary.ACCESS_PURPOSES, what="purpose")
        geometry = t.table("geometry")
        if geometry is not None:
            geometry.known.update(dict.fromkeys(geometry.data))
            try:
                options["geometry"] = normalise_geometry(geometry.data)
            except GeometryError as exc:
                t.error("geometry", str(exc))
        options["starts_in_hours"] = t.number("starts_in_hours", minimum=0.0) or 0.0
        hours = t.number("hours", positive=True)
        if hours is not None and hours > _MAX_WINDOW_HOURS:
            t.error("hours", f"at most {_MAX_WINDOW_HOURS} hours, found {hours:g}")
        options["hours"] = float(hours or 1)
        options["description"] = _fictional_text(t, "description")
    elif do == StoryDo.ANSWER_ACCESS:
        ref = reader.reference(t, "request", set(reader.access_requests), "requests access")
        if ref and reader.access_requests[ref] != own:
            t.error("by", f"{ref!r} was asked of {reader.access_requests[ref]!r}: it answers")
        options["request"] = ref
        answer = t.text("answer", choices=vocabulary.ACCESS_ANSWERS, what="answer")
        options["answer"] = answer
        options["acknowledge"] = t.boolean("acknowledge", default=True)
        options["reason"] = _fictional_text(t, "reason", required=answer == "denied")
        if answer == "granted_escorted":
            options["window_starts_in_hours"] = t.number("window_starts_in_hours", minimum=0.0)
            hours = t.number("window_hours", positive=True)
            if hours is not None and hours > _MAX_WINDOW_HOURS:
                t.error("window_hours", f"at most {_MAX_WINDOW_HOURS} hours, found {hours:g}")
            options["window_hours"] = float(hours or 1)
            escorts = (
                None
                if reader.parties is None
                else sorted(
                    code
                    for code, kind in reader.parties.items()
                    if kind in ("party", "mediator", "monitor")
                )
            )
            options["escort_by"] = t.text("escort_by", choices=escorts, what="party that escorts")
    values["harm"] = options


# ------------------------------------------------------------- lexicon, [map] and the basemap
#
# The agreed names (lexicon.toml), the map's own settings (the [map] table of
# arrangement.toml) and the basemap layers (basemap.toml and its GeoJSON files, in the
# scenario's basemap/ folder or a shared folder of scenarios/_basemaps/). See
# docs/scenario-format.md, "Lexicon, map and basemap".

#: Where shared basemaps live: ``[map] basemap = "NAME"`` reads ``_basemaps/NAME/``.
SHARED_BASEMAPS = pathlib.Path(__file__).resolve().parents[1] / "scenarios" / "_basemaps"
BASEMAP_MANIFEST = "basemap.toml"

#: The lexicon sections a basemap feature's label may name.
_LABEL_SECTIONS = ("areas", "places")
#: What each lexicon section's keys must look like.
_LEXICON_KEYS: dict[str, re.Pattern[str] | None] = {
    "places": _CODE,
    "areas": _ID,  # zone ids may carry upper case, dots and dashes
    "forces": _CODE,
    "kinds": None,  # incident kinds: checked against the taxonomy
    "terms": _CODE,
}


def _no_entry(what: str, section: str, key: str) -> str:
    return (
        f"no lexicon entry for the {what} {key!r}: every name shown comes from the lexicon "
        f"(add [{section}.{key}] to {lexicon_rules.LEXICON_FILE})"
    )


def _lexicon_name(
    t: _Table,
    inline: tuple[str, ...],
    lexicon: _Lexicon,
    section: str,
    key: str,
    what: str,
    *,
    at: _Table | None = None,
) -> dict[str, str]:
    """The name of ``section.key`` from the lexicon; a name written in the file is refused
    (one name, one place), and a missing entry is reported at ``at`` (default ``t``)."""
    for name_key in inline:
        if name_key in t.data:
            t.known[name_key] = None
            t.error(
                name_key,
                f"the name comes from {lexicon_rules.LEXICON_FILE} [{section}.{key}]: "
                f"remove '{name_key}'",
            )
    entry = lexicon.get(section, {}).get(key)
    if key and entry is None:
        (at or t).error("id", _no_entry(what, section, key))
    return dict(entry or {})


def _localized_here(t: _Table) -> dict[str, str]:
    """The table itself as a localized name (``en`` required, ``ar``/``he`` optional)."""
    result: dict[str, str] = {}
    for language in vocabulary.LANGUAGES:
        value = t.text(language, required=language == "en")
        if value:
            result[language] = value
    return result


def _read_lexicon(path: pathlib.Path, errors: list[ScenarioError]) -> _Lexicon | None:
    """``lexicon.toml``: None when the scenario has none (names are then written inline)."""
    name = lexicon_rules.LEXICON_FILE
    if not (path / name).exists():
        return None
    data = _load_toml(path, name, errors, required=False)
    if data is _MISSING:
        return {}
    top = _Table(data, _Report(name, errors))
    lexicon: _Lexicon = {}
    for section in lexicon_rules.SECTIONS:
        table = top.table(section, required=False)
        if table is None:
            continue
        entries: dict[str, dict[str, str]] = {}
        for key in table.data:
            table.known[key] = None
            pattern = _LEXICON_KEYS[section]
            if pattern is None and key not in taxonomy.KINDS:
                table.error(key, f"unknown incident kind {key!r} (see docs/taxonomy.md)")
                continue
            if pattern is not None and not pattern.match(key):
                table.error(key, f"{key!r} is not a valid key (expected {pattern.pattern})")
                continue
            entry = table.table(key)
            if entry is not None:
                entries[key] = _read_lexicon_entry(entry)
        lexicon[section] = entries
    top.finish()
    return lexicon


def _read_lexicon_entry(t: _Table) -> dict[str, str]:
    """One entry: an agreed name (``en``, ``ar``, ``he``), or ``both``: the names two
    parties use for one thing, shown side by side in every language."""
    if "both" not in t.data:
        name = _localized_here(t)
        t.finish()
        return name
    sides = t.tables("both")
    if len(sides) < 2:
        t.error("both", "give the two (or more) names to show side by side")
    names = []
    for side in sides:
        names.append(_localized_here(side))
        side.finish()
    t.finish()
    return lexicon_rules.side_by_side([n for n in names if n.get("en")])


def _read_map_table(top: _Table, parts: _Parts) -> dict[str, Any]:
    """``[map]``: the shared basemap to use, the initial extent, the legend's note and the
    sources of the map's data beside its layers' (all optional)."""
    t = top.table("map", required=False)
    if t is None:
        return {}
    result: dict[str, Any] = {}
    basemap = t.text("basemap", required=False, pattern=_CODE, what="basemap name")
    if basemap:
        result["basemap"] = basemap
    if "extent" in t.data:
        extent = _bbox(t, "extent")
        region = parts.region_bbox
        if (
            extent is not None
            and region is not None
            and not (
                _in_bbox(extent[0], extent[1], region) and _in_bbox(extent[2], extent[3], region)
            )
        ):
            t.error("extent", f"must lie inside the arrangement's region_bbox {list(region)}")
        elif extent is not None:
            result["extent"] = list(extent)
    note = t.localized("note", required=False)
    if note:
        result["note"] = note
    source_keys = [s.key for s in parts.sources if s.key]
    sources = t.texts("sources", choices=source_keys, what="source key")
    if sources:
        result["sources"] = list(sources)
    t.finish()
    return result


def _read_map_layers(
    path: pathlib.Path,
    parts: _Parts | None,
    lexicon: _Lexicon | None,
    errors: list[ScenarioError],
) -> dict[str, Any]:
    """The basemap: the scenario's own ``basemap/`` folder, or the shared one ``[map]``
    names; each layer as ``basemap.toml`` declares it, with its FeatureCollection."""
    name = parts.map.get("basemap", "") if parts is not None else ""
    local = path / BASEMAP_DIR
    if name:
        where = "map.basemap"
        folder, label = SHARED_BASEMAPS / name, f"_basemaps/{name}"
        if local.is_dir():
            errors.append(
                ScenarioError(
                    ARRANGEMENT_FILE,
                    where,
                    f"the scenario has its own {BASEMAP_DIR}/ folder: use it or the shared "
                    f"basemap {name!r}, not both",
                )
            )
            return {}
        if not folder.is_dir():
            known = sorted(p.name for p in SHARED_BASEMAPS.glob("*") if p.is_dir())
            errors.append(
                ScenarioError(
                    ARRANGEMENT_FILE,
                    where,
                    f"unknown shared basemap {name!r} (known: {', '.join(known) or 'none'})",
                )
            )
            return {}
    elif local.is_dir():
        folder, label = local, BASEMAP_DIR
    else:
        return {}
    manifest_name = f"{label}/{BASEMAP_MANIFEST}"
    text = _load_text(folder / BASEMAP_MANIFEST, manifest_name, errors, required=True)
    if text is None:
        return {}
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        errors.append(ScenarioError(manifest_name, "", f"invalid TOML: {exc}"))
        return {}
    top = _Table(data, _Report(manifest_name, errors))
    source_keys = [s.key for s in parts.sources if s.key] if parts is not None else None
    layers = []
    listed: list[tuple[str, str]] = []
    for t in top.tables("layers"):
        file_name = t.text("file")
        listed.append((t.where("file"), file_name))
        layer: dict[str, Any] = {
            "id": file_name.removesuffix(".geojson"),
            "legend": t.localized("legend"),
            "source": t.text("source", choices=source_keys, what="source key"),
            "style": _read_style(t, "area"),
        }
        disputed_legend = t.localized("disputed_legend", required=False)
        disputed_style = _read_style(t, "area", "disputed_style")
        t.finish()
        if file_name and ("/" in file_name or not file_name.endswith(".geojson")):
            t.error("file", f"{file_name!r}: expected the name of a .geojson file of {label}/")
            continue
        if file_name and not (folder / file_name).is_file():
            t.error("file", f"no file {file_name!r} in {label}/")
            continue
        collection = _read_layer(folder / file_name, f"{label}/{file_name}", lexicon, errors)
        if collection is None:
            continue
        disputed = [
            i for i, f in enumerate(collection["features"]) if f["properties"].get("disputed")
        ]
        if disputed and not (disputed_legend and "disputed_style" in t.data):
            t.error(
                "disputed_style",
                f"the layer has disputed features (features[{disputed[0]}]): give "
                "disputed_style and disputed_legend, so that the map draws them as disputed",
            )
        if disputed_legend:
            layer["disputed_legend"] = disputed_legend
            layer["disputed_style"] = disputed_style
        layer["data"] = collection
        layers.append(layer)
    top.finish()
    _check_unique(top.report, listed, "layer file")
    named = {file for _, file in listed}
    for path_ in sorted(folder.glob("*.geojson")):
        if path_.name not in named:
            errors.append(
                ScenarioError(
                    f"{label}/{path_.name}",
                    "",
                    f"not a layer of {manifest_name}: list it under [[layers]] or remove it",
                )
            )
    return {"name": name, "layers": layers}


#: What a basemap feature's ``properties`` may hold: a label and whether it is disputed.
#: Nothing else, so no layer carries a sovereignty attribute or a name of its own.
_LAYER_PROPERTIES = ("name", "disputed", "disputed_by")


def _read_layer(
    file: pathlib.Path, name: str, lexicon: _Lexicon | None, errors: list[ScenarioError]
) -> dict[str, Any] | None:
    data = _load_json(file, name, errors)
    if data is _MISSING:
        return None
    report = _Report(name, errors, json_file=True)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        report.error("type", "expected a GeoJSON FeatureCollection")
        return None
    collection = _Table(data, report)
    collection.text("type")
    collection.text("name", required=False)
    collection.text("note", required=False)
    features = []
    before = len(errors)
    for f in collection.tables("features"):
        f.text("type", choices=("Feature",), what="GeoJSON type")
        geometry = f.table("geometry")
        if geometry is not None:
            geometry.text("type", choices=(*_ALL_GEOMETRY_TYPES, "Point", "MultiPoint"))
            geometry.get("coordinates")
            geometry.finish()
        props = f.table("properties")
        properties: dict[str, Any] = {}
        if props is not None:
            label = props.text("name", required=False)
            if label:
                properties["name"] = label
                _check_label(props, "name", label, lexicon)
            disputed = props.boolean("disputed")
            claimants = props.texts("disputed_by", what="lexicon entry")
            for i, claimant in enumerate(claimants):
                _check_label(props, f"disputed_by[{i}]", claimant, lexicon)
            if disputed and not claimants:
                props.error("disputed_by", "a disputed feature names who disputes it")
            elif claimants and not disputed:
                props.error("disputed_by", "only a disputed feature (disputed = true) has it")
            if disputed:
                properties["disputed"] = True
                properties["disputed_by"] = list(claimants)
            props.finish()
        f.finish()
        features.append(
            {"type": "Feature", "properties": properties, "geometry": f.data.get("geometry")}
        )
    collection.finish()
    if len(errors) > before:
        return None
    return {"type": "FeatureCollection", "features": features}


def _check_label(props: _Table, key: str, reference: str, lexicon: _Lexicon | None) -> None:
    """A basemap label is a lexicon reference, ``areas.KEY`` or ``places.KEY``."""
    section, entry = lexicon_rules.split_reference(reference)
    if section not in _LABEL_SECTIONS:
        props.report.error(
            props.where(key),
            f"{reference!r} is not a lexicon reference: a basemap label is 'areas.KEY' or "
            "'places.KEY' of the scenario's lexicon, never a name of its own",
        )
    elif lexicon is None or entry not in lexicon.get(section, {}):
        props.report.error(
            props.where(key),
            f"no lexicon entry {reference!r}: the map shows no label the lexicon does not "
            f"give (add [{section}.{entry}] to {lexicon_rules.LEXICON_FILE})",
        )


def _map_content(map_table: Mapping[str, Any], basemap: Mapping[str, Any]) -> dict[str, Any]:
    """What of the map is part of the arrangement's content: the [map] table and each
    layer's declaration with the SHA-256 of its features, so the hash covers what is used."""
    layers = basemap.get("layers", [])
    if not map_table and not layers:
        return {}
    content = dict(map_table)
    content["layers"] = [
        {
            **{k: v for k, v in layer.items() if k != "data"},
            "sha256": hashlib.sha256(
                json.dumps(
                    _canonical(layer["data"]),
                    sort_keys=True,
                    separators=(",", ":"),
                    ensure_ascii=False,
                ).encode("utf-8")
            ).hexdigest(),
        }
        for layer in layers
    ]
    return content


# ------------------------------------------------------------------------------ talks
#
# ``[talks]`` of arrangement.toml: the venue, the tracks and the standing agenda items
# (docs/scenario-format.md, "Talks"). Kept together in this block.

_MAX_TRACKS = 20
_MAX_STANDING_ITEMS = 50


def _read_talks(top: _Table) -> TalksSpec | None:
    """``[talks]`` (optional): ``venue`` (a place id of places.csv, checked once the
    places are read), ``[[talks.tracks]]`` (at least one), ``[[talks.standing_items]]``
    (each on some of the tracks, or on all when it names none) and
    ``[[talks.automatic_items]]`` (an installed app's source of items, on some tracks)."""
    t = top.table("talks", required=False)
    if t is None:
        return None
    venue = t.text("venue", pattern=_CODE, what="place id")
    tracks: list[TrackSpec] = []
    for table in t.tables("tracks"):
        tracks.append(
            TrackSpec(
                id=table.text("id", pattern=_CODE, what="track id"),
                name=table.localized("name"),
                description=table.localized("description", required=False),
            )
        )
        table.finish()
    if len(tracks) > _MAX_TRACKS:
        t.error("tracks", f"at most {_MAX_TRACKS} tracks, found {len(tracks)}")
    _check_unique(t.report, _keyed(t, "tracks", "id", tracks), "track id")
    track_ids = [tr.id for tr in tracks if tr.id]
    items: list[StandingItemSpec] = []
    for table in t.tables("standing_items", required=False):
        items.append(
            StandingItemSpec(
                id=table.text("id", pattern=_CODE, what="standing item id"),
                title=table.localized("title"),
                tracks=table.texts("tracks", choices=track_ids, what="track"),
            )
        )
        table.finish()
    if len(items) > _MAX_STANDING_ITEMS:
        t.error("standing_items", f"at most {_MAX_STANDING_ITEMS} items, found {len(items)}")
    _check_unique(t.report, _keyed(t, "standing_items", "id", items), "standing item id")
    automatic: list[AutomaticItemSpec] = []
    for table in t.tables("automatic_items", required=False):
        automatic.append(
            AutomaticItemSpec(
                source=table.text("source", choices=AGENDA_SOURCES, what="agenda source"),
                tracks=table.texts("tracks", choices=track_ids, what="track"),
            )
        )
        table.finish()
    _check_unique(t.report, _keyed(t, "automatic_items", "source", automatic), "agenda source")
    t.finish()
    return TalksSpec(
        venue=venue,
        tracks=tuple(tracks),
        standing_items=tuple(items),
        automatic_items=tuple(automatic),
    )


# --- talks (issue 16): the story's steps of meetings and the lexicon ----------------------------

_LANGUAGE_CHOICES = ("en", "ar", "he")
_TRANSLATION_STATES = ("translated", "checked", "certified")


def _read_talks_step(reader: _StoryReader, t: _Table, do: str) -> dict[str, Any]:
    """What a talks step of the story takes. ``meeting`` is the key of a
    ``schedule_meeting`` step, ``request`` of a ``request_meeting`` step, ``amendment`` of
    a ``propose_lexicon_amendment`` step; times are hours from the moment the story is
    played (``starts_in_hours``, negative: in the past). Texts say they are fictional.
    Who may take each step is the services' to say when the story is played."""
    made: dict[str, set[str]] = reader.__dict__.setdefault(
        "talks_made", {"meeting": set(), "request": set(), "amendment": set()}
    )
    key = str(t.data.get("key", "")) if isinstance(t.data.get("key"), str) else ""
    spec = reader.__dict__.get("talks_spec")
    tracks = [tr.id for tr in spec.tracks] if spec is not None else None
    sides = (
        None
        if reader.parties is None
        else sorted(c for c, k in reader.parties.items() if k == "party")
    )
    out: dict[str, Any] = {}

    def ref(name: str) -> str:
        value = t.text(name, pattern=_CODE, what="story key")
        if value and value not in made[name]:
            t.error(name, f"{value!r} is not the key of an earlier step that makes one")
            return ""
        return value

    def hours(name: str, *, required: bool = True) -> float:
        value = t.number(name, required=required)
        if value is None:
            return 0.0
        if abs(value) > _MAX_STORY_DAYS * 24:
            t.error(name, f"at most {_MAX_STORY_DAYS * 24} hours either way, found {value:g}")
            return 0.0
        return float(value)

    if do == StoryDo.SCHEDULE_MEETING:
        out["title"] = _fictional_text(t, "title")
        out["tracks"] = list(t.texts("tracks", required=True, choices=tracks, what="track"))
        out["parties"] = list(t.texts("parties", required=True, choices=sides, what="party"))
        out["starts_in_hours"] = hours("starts_in_hours")
        out["hours"] = hours("hours")
        if out["hours"] <= 0:
            t.error("hours", "a meeting lasts some hours")
        out["logistics"] = _fictional_text(t, "logistics", required=False)
        if not key:
            t.error("key", "a meeting has a key, for the steps that follow it")
        made["meeting"].add(key)
    elif do == StoryDo.NAME_ATTENDEES:
        out["meeting"] = ref("meeting")
        out["members"] = list(t.texts("members", required=True, choices=sorted(reader.party_of)))
    elif do == StoryDo.ADD_AGENDA_ITEM:
        out["meeting"] = ref("meeting")
        out["title"] = _fictional_text(t, "title")
    elif do == StoryDo.CLOSE_AGENDA_ITEM:
        out["meeting"] = ref("meeting")
        out["item"] = t.text("item", what="agenda item (a standing item id, or a title)")
        out["outcome"] = _fictional_text(t, "outcome", required=False)
    elif do in (StoryDo.MEETING_HELD, StoryDo.CIRCULATE_MINUTES):
        out["meeting"] = ref("meeting")
    elif do in (StoryDo.DRAFT_MINUTES, StoryDo.TRANSLATE_MINUTES):
        out["meeting"] = ref("meeting")
        out["language"] = t.text("language", choices=_LANGUAGE_CHOICES, what="language")
        out["text"] = t.text("text")
        if do == StoryDo.TRANSLATE_MINUTES:
            out["translator"] = _fictional_text(t, "translator")
            out["status"] = t.text("status", choices=_TRANSLATION_STATES, what="status")
        elif out["text"] and _FICTIONAL not in out["text"].lower():
            t.error("text", f"must say it is fictional (contain the word '{_FICTIONAL}')")
    elif do == StoryDo.APPROVE_MINUTES:
        out["meeting"] = ref("meeting")
        out["objection"] = _fictional_text(t, "objection", required=False)
    elif do in (StoryDo.CHAIR_SUMMARY, StoryDo.DELEGATION_NOTES):
        out["meeting"] = ref("meeting")
        out["text"] = _fictional_text(t, "text")
    elif do == StoryDo.MEDIA_LINE:
        out["meeting"] = ref("meeting")
        out["text"] = _fictional_text(t, "text")
        out["next_in_days"] = int(hours("next_in_days", required=False))
        out["embargo_in_hours"] = hours("embargo_in_hours", required=False)
    elif do == StoryDo.REQUEST_MEETING:
        out["tracks"] = list(t.texts("tracks", required=True, choices=tracks, what="track"))
        out["reason"] = _fictional_text(t, "reason")
        if not key:
            t.error("key", "a request has a key, for the step that answers it")
        made["request"].add(key)
    elif do == StoryDo.ANSWER_REQUEST:
        out["request"] = ref("request")
        out["answer"] = _fictional_text(t, "answer")
    elif do == StoryDo.PROPOSE_LEXICON:
        out["entry"] = t.text("entry", what="lexicon entry (section.key)")
        names = t.table("proposed")
        found: dict[str, str] = {}
        if names is not None:
            found = {lang: names.text(lang) for lang in _LANGUAGE_CHOICES}
            names.finish()
        out["proposed"] = found
        out["reason"] = _fictional_text(t, "reason")
        if not key:
            t.error("key", "an amendment has a key, for the steps that decide it")
        made["amendment"].add(key)
    elif do == StoryDo.DECIDE_LEXICON:
        out["amendment"] = ref("amendment")
        out["decision"] = t.text("decision", choices=("approve", "refuse"), what="decision")
        out["note"] = _fictional_text(t, "note", required=False)
    return out


# --- end of the talks story block -----------------------------------------------------------------
# ------------------------------------------------------------- reports (issue 17)
#
# ``[reports]`` of arrangement.toml: the daily report's cut-off, the embargo of what it
# issues for publication, and the versioned counting rules; docs/scenario-format.md, "Reports".

_CUTOFF = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
#: The longest embargo or extension (hours): a year.
_MAX_EMBARGO_HOURS = 366 * 24
#: The widest grouping window the reader accepts: a day, 50 km.
_MAX_GROUP_MINUTES = 24 * 60
_MAX_GROUP_KM = 50.0


def _read_reports(top: _Table, parts: _Parts) -> ReportsSpec | None:
    """``[reports]``: cut-off, embargo, extension, to whom what is issued is released, and
    ``[[reports.counting_rules]]`` (at least one version; versions unique)."""
    t = top.table("reports", required=False)
    if t is None:
        return None
    cutoff = t.text("cutoff", pattern=_CUTOFF, what="cut-off (HH:MM, local time)")
    hours: dict[str, float] = {}
    for key in ("embargo_hours", "extension_hours"):
        value = t.number(key, positive=True)
        if value is not None and value > _MAX_EMBARGO_HOURS:
            t.error(key, f"at most {_MAX_EMBARGO_HOURS} hours, found {value:g}")
        hours[key] = float(value or 0)
    bodies = [RELEASE_PUBLIC, *(p.code for p in parts.parties if p.code)]
    release_to = t.text("release_to", required=False, choices=bodies, what="recipient")
    kinds = (*taxonomy.KINDS, *(k.id for k in parts.incident_kinds if k.id))
    versions = [_read_counting_rules(r, kinds) for r in t.tables("counting_rules")]
    _check_unique(t.report, _keyed(t, "counting_rules", "version", versions), "rules version")
    t.finish()
    return ReportsSpec(
        cutoff=cutoff,
        embargo_hours=hours["embargo_hours"],
        extension_hours=hours["extension_hours"],
        release_to=release_to or RELEASE_PUBLIC,
        counting_rules=tuple(versions),
    )


def _read_counting_rules(t: _Table, kinds: Sequence[str]) -> CountingRulesSpec:
    version = t.text("version", pattern=_ID, what="rules version")
    effective_from = t.date("effective_from")
    minutes = t.number("group_within_minutes", minimum=0.0)
    if minutes is not None and minutes > _MAX_GROUP_MINUTES:
        t.error("group_within_minutes", f"at most {_MAX_GROUP_MINUTES}, found {minutes:g}")
    km = t.number("group_within_km", minimum=0.0)
    if km is not None and km > _MAX_GROUP_KM:
        t.error("group_within_km", f"at most {_MAX_GROUP_KM:g}, found {km:g}")
    spec = CountingRulesSpec(
        version=version,
        effective_from=effective_from or dt.date.min,
        group_within_minutes=float(minutes or 0),
        group_within_km=float(km or 0),
        count_disputed=t.boolean("count_disputed"),
        count_possible=t.boolean("count_possible", default=True),
        kinds=t.texts("kinds", choices=kinds, what="incident kind"),
        by=t.texts("by", choices=COUNT_BREAKDOWNS, what="breakdown") or ("zone", "clause", "kind"),
    )
    t.finish()
    return spec


# ------------------------------------------------------------- detainees and missing persons
#
# ``[humanitarian]`` of arrangement.toml; see docs/scenario-format.md, "Detainees and
# missing persons".

#: The kinds of party that may be agreed as an access body: never a party to the conflict
#: (it would visit its adversary's detainees), the mediator (it reads every file already)
#: or a donor.
ACCESS_BODY_KINDS = ("monitor", "observer")
_MAX_REQUEST_HOURS = 30 * 24


def _read_humanitarian(top: _Table, parts: _Parts) -> HumanitarianSpec | None:
    """``[humanitarian]``: the agreed access bodies (parties of kind monitor or observer)
    and the default deadlines of release and access requests (optional)."""
    t = top.table("humanitarian", required=False)
    if t is None:
        return None
    kinds = {p.code: p.kind for p in parts.parties if p.code}
    bodies = t.texts("access_bodies", pattern=_CODE, what="access body")
    for index, code in enumerate(bodies):
        at = _join(t.where("access_bodies"), index)
        if code not in kinds:
            t.report.error(at, f"unknown party {code!r} (known: {', '.join(kinds) or 'none'})")
        elif kinds[code] not in ACCESS_BODY_KINDS:
            t.report.error(
                at, f"an access body is a party of kind monitor or observer, not {kinds[code]!r}"
            )
    hours: dict[str, float] = {}
    for name, default in (("release_within_hours", 72.0), ("access_within_hours", 48.0)):
        value = t.number(name, required=False, positive=True)
        if value is not None and value > _MAX_REQUEST_HOURS:
            t.error(name, f"at most {_MAX_REQUEST_HOURS} hours, found {value:g}")
            value = None
        hours[name] = float(value if value is not None else default)
    protocol_ids = [p.id for p in parts.protocols if p.id]
    protocol = t.text("protocol", required=False, choices=protocol_ids, what="protocol")
    t.finish()
    return HumanitarianSpec(
        access_bodies=tuple(bodies),
        release_within_hours=hours["release_within_hours"],
        access_within_hours=hours["access_within_hours"],
        protocol=protocol,
    )


# --- detainees and missing persons (issue 18): the story's steps of a person's file ------

#: Statuses a story may record on a file (``humanitarian.choices.TRANSITIONS`` checks the
#: order when it is played).
_PERSON_STATUSES = ("charged", "released", "located")


def _read_humanitarian_step(reader: _StoryReader, t: _Table, do: str, own: str) -> dict[str, Any]:
    """What a person's file step takes. ``file`` is the key of an ``open_person_file``
    step; ``incident`` of a ``report`` step. Names are fictional and say so; the services
    check the rest (the access body among the agreed ones, the place in the region) when
    the story is played."""
    files: set[str] = reader.__dict__.setdefault("person_files", set())
    key = str(t.data.get("key", "")) if isinstance(t.data.get("key"), str) else ""
    out: dict[str, Any] = {}
    if do == StoryDo.OPEN_PERSON_FILE:
        out["status"] = t.text("status", choices=("detained", "missing"), what="status")
        hours = t.number("hours_ago", minimum=0.0)
        if hours is not None and hours > _MAX_WINDOW_HOURS:
            t.error("hours_ago", f"at most {_MAX_WINDOW_HOURS} hours, found {hours:g}")
        out["hours_ago"] = float(hours or 0)
        out["geometry"] = _read_point(t, reader.region)
        out["name"] = _fictional_text(t, "name")
        out["details"] = _fictional_text(t, "details", required=False)
        out["access_body"] = t.text("access_body", required=False, pattern=_CODE, what="party")
        out["held_by"] = t.text("held_by", required=False, pattern=_CODE, what="party")
        out["statement"] = _fictional_text(t, "statement")
        out["incident"] = ""
        if t.get("incident", required=False) is not _MISSING:
            out["incident"] = reader.reference(t, "incident", reader.incidents, "reports one")
        if not key:
            t.error("key", "a person's file has a key, for the steps that follow it")
        else:
            files.add(key)
        return out
    out["file"] = reader.reference(t, "file", files, "opens a person's file")
    if do == StoryDo.SHARE_PERSON_FILE:
        out["party"] = t.text("party", choices=reader.known, what="party")
    elif do == StoryDo.STATE_PERSON_VERSION:
        out["held_by"] = t.text("held_by", required=False, pattern=_CODE, what="party")
        out["status"] = t.text(
            "status", choices=("detained", "missing", *_PERSON_STATUSES), what="status"
        )
        out["statement"] = _fictional_text(t, "statement")
    elif do == StoryDo.REQUEST_PERSON_RELEASE:
        out["addressee"] = t.text("addressee", choices=reader.known, what="party")
        hours = t.number("within_hours", positive=True)
        if hours is not None and not 1 <= hours <= _MAX_WINDOW_HOURS:
            t.error("within_hours", f"from 1 to {_MAX_WINDOW_HOURS} hours, found {hours:g}")
        out["within_hours"] = float(hours or 1)
    elif do == StoryDo.RECORD_PERSON_STATUS:
        out["status"] = t.text("status", choices=_PERSON_STATUSES, what="status")
    return out
