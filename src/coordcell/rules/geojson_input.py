"""The one normaliser of incoming GeoJSON geometries (RFC 7946, WGS84 longitude/latitude).

Every geometry that enters the cell — the API, the lodge form, the importers and the check
endpoint — goes through ``normalise_geometry`` before anything else looks at it. It accepts
Point, LineString, Polygon and their Multi- forms and returns a new dict with only ``type``
and ``coordinates``, every coordinate a finite Python float; it never returns or changes the
caller's object. It refuses, with a ``GeometryError`` that says what and where:

- anything but a JSON object, an unknown type, and (unless told to drop them) any member
  but ``type``, ``coordinates`` and ``bbox`` (``bbox`` is dropped: it is recomputed);
- arrays where the type wants them, at exactly the type's depth (so no nesting limit
  beyond the type's own is needed), and at least the items the type needs: a line 2
  positions, a ring 4 with the first repeated as the last, a Multi- form 1 part;
- a coordinate that is not a number (a string, ``true``, ``null``, an array), not finite,
  or out of range: longitude in [-180, 180], latitude in [-90, 90]; a position has 2 or 3;
- more than ``max_positions`` positions in all (10,000 unless told otherwise);
- a shape that is not valid (self-intersections, …), with shapely's reason, e.g.
  ``"The geometry is not valid: Self-intersection[35.85 33.15]."``.

Messages are English templates with named parameters (``MESSAGES``) so the Django side can
translate them (``GeometryError.code``, ``.params``); ``str(error)`` is the English text.
Pure Python on shapely; no Django.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any, Literal

import shapely
from shapely.geometry import shape

__all__ = [
    "GEOMETRY_TYPES",
    "MAX_POSITIONS",
    "MESSAGES",
    "OUT_OF_RANGE",
    "GeometryError",
    "normalise_geometry",
]

GEOMETRY_TYPES: tuple[str, ...] = (
    "Point",
    "LineString",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
)

#: Positions in one geometry, all parts together, unless the caller says otherwise.
MAX_POSITIONS = 10_000

#: Members a geometry may have; ``bbox`` is accepted and dropped.
_MEMBERS = frozenset({"type", "coordinates", "bbox"})


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it (Django extracts this name)."""
    return message


#: The English template of each refusal; ``%(where)s`` is a JSON path such as
#: ``coordinates[0][3]`` (language-neutral, so it is not translated).
MESSAGES: dict[str, str] = {
    "not_object": gettext_noop("The geometry must be a JSON object."),
    "unknown_type": gettext_noop(
        "Geometry type %(type)s is not supported; use Point, LineString, Polygon, "
        "MultiPoint, MultiLineString or MultiPolygon."
    ),
    "unknown_member": gettext_noop(
        'Unknown member %(member)s in the geometry: give only "type" and "coordinates".'
    ),
    "not_array": gettext_noop("%(where)s must be an array, not %(value)s."),
    "too_few_parts": gettext_noop("%(where)s has no parts; at least 1 is needed."),
    "not_position": gettext_noop("%(where)s is not a position [longitude, latitude]: %(value)s."),
    "not_number": gettext_noop("%(where)s must be a number, not %(value)s."),
    "not_finite": gettext_noop("%(where)s must be a finite number, not %(value)s."),
    "longitude_range": gettext_noop("Longitude %(value)s at %(where)s is outside [-180, 180]."),
    "latitude_range": gettext_noop("Latitude %(value)s at %(where)s is outside [-90, 90]."),
    "line_too_short": gettext_noop(
        "The line at %(where)s has %(count)s position(s); at least 2 are needed."
    ),
    "ring_too_short": gettext_noop(
        "The ring at %(where)s has %(count)s positions; a ring needs at least 4 "
        "(the first repeated as the last)."
    ),
    "ring_not_closed": gettext_noop(
        "The ring at %(where)s is not closed: its first position %(first)s differs from "
        "its last %(last)s."
    ),
    "too_many_positions": gettext_noop("The geometry has more than %(limit)s positions."),
    "invalid": gettext_noop("The geometry is not valid: %(reason)s."),
}

#: Codes that mean "a number outside its range" rather than "not a geometry".
OUT_OF_RANGE = frozenset({"longitude_range", "latitude_range"})


class GeometryError(ValueError):
    """A refused geometry: ``code`` (a key of ``MESSAGES``), ``params``, English ``str()``."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params: dict[str, Any] = params
        super().__init__(MESSAGES[code] % params)

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The message in the language of ``gettext`` (Django's, on the Django side)."""
        return gettext(MESSAGES[self.code]) % self.params


def normalise_geometry(
    value: object,
    *,
    foreign_members: Literal["refuse", "drop"] = "refuse",
    check_validity: bool = True,
    max_positions: int = MAX_POSITIONS,
) -> dict[str, Any]:
    """A clean new copy of the GeoJSON geometry ``value``, or ``GeometryError``.

    ``foreign_members="drop"`` drops members other than ``type`` and ``coordinates``
    (RFC 7946 allows them in files) instead of refusing them. ``check_validity=False``
    leaves the shape's validity to the caller (the engine reports it as a problem).
    """
    if not isinstance(value, dict):
        raise GeometryError("not_object")
    gtype = value.get("type")
    if not isinstance(gtype, str) or gtype not in GEOMETRY_TYPES:
        raise GeometryError("unknown_type", type=_show(gtype))
    if foreign_members == "refuse":
        unknown = sorted(str(k) for k in value if k not in _MEMBERS)
        if unknown:
            raise GeometryError("unknown_member", member=_show(unknown[0]))
    reader = _Reader(max_positions)
    coords = value.get("coordinates")
    clean: list[Any]
    if gtype == "Point":
        clean = reader.position(coords, "coordinates")
    elif gtype == "LineString":
        clean = reader.line(coords, "coordinates")
    elif gtype == "Polygon":
        clean = reader.polygon(coords, "coordinates")
    else:
        parts = reader.array(coords, "coordinates")
        if not parts:
            raise GeometryError("too_few_parts", where="coordinates")
        part = {
            "MultiPoint": reader.position,
            "MultiLineString": reader.line,
            "MultiPolygon": reader.polygon,
        }[gtype]
        clean = [part(p, f"coordinates[{i}]") for i, p in enumerate(parts)]
    geometry: dict[str, Any] = {"type": gtype, "coordinates": clean}
    if check_validity and gtype != "Point":
        _check_valid(geometry)
    return geometry


def _check_valid(geometry: Mapping[str, Any]) -> None:
    geom = shape(geometry)
    if not geom.is_valid:
        raise GeometryError("invalid", reason=str(shapely.is_valid_reason(geom)))


class _Reader:
    """Reads one geometry's arrays at their fixed depth, counting positions as it goes."""

    def __init__(self, max_positions: int) -> None:
        self.left = max_positions
        self.limit = max_positions

    def array(self, value: object, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise GeometryError("not_array", where=where, value=_show(value))
        return value

    def position(self, value: object, where: str) -> list[float]:
        if not isinstance(value, list) or len(value) not in (2, 3):
            raise GeometryError("not_position", where=where, value=_show(value))
        self.left -= 1
        if self.left < 0:
            raise GeometryError("too_many_positions", limit=self.limit)
        numbers = [_number(v, f"{where}[{i}]") for i, v in enumerate(value)]
        lon, lat = numbers[0], numbers[1]
        if not -180.0 <= lon <= 180.0:
            raise GeometryError("longitude_range", value=_num(lon), where=where)
        if not -90.0 <= lat <= 90.0:
            raise GeometryError("latitude_range", value=_num(lat), where=where)
        return numbers

    def line(self, value: object, where: str) -> list[list[float]]:
        points = self.array(value, where)
        if len(points) < 2:
            raise GeometryError("line_too_short", where=where, count=len(points))
        return [self.position(p, f"{where}[{i}]") for i, p in enumerate(points)]

    def polygon(self, value: object, where: str) -> list[list[list[float]]]:
        rings = self.array(value, where)
        if not rings:
            raise GeometryError("too_few_parts", where=where)
        clean = []
        for r, ring in enumerate(rings):
            ring_where = f"{where}[{r}]"
            points = self.array(ring, ring_where)
            positions = [self.position(p, f"{ring_where}[{i}]") for i, p in enumerate(points)]
            if len(positions) < 4:
                raise GeometryError("ring_too_short", where=ring_where, count=len(positions))
            first, last = positions[0], positions[-1]
            if first[:2] != last[:2]:
                raise GeometryError(
                    "ring_not_closed", where=ring_where, first=_pos(first), last=_pos(last)
                )
            clean.append(positions)
        return clean


def _number(value: object, where: str) -> float:
    # bool is an int in Python, and not a coordinate.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GeometryError("not_number", where=where, value=_show(value))
    try:
        number = float(value)
    except OverflowError:  # an integer beyond the float range
        number = math.inf
    if not math.isfinite(number):
        raise GeometryError("not_finite", where=where, value=_show(value))
    return number


def _num(value: float) -> str:
    return repr(int(value)) if value.is_integer() else repr(value)


def _pos(position: list[float]) -> str:
    return "[" + ", ".join(_num(v) for v in position) + "]"


def _show(value: object) -> str:
    """A short JSON rendering of ``value`` for a message (at most 60 characters)."""
    more = isinstance(value, list) and len(value) > 8
    try:
        # The first items are enough to show, whatever the array's length.
        text = json.dumps(value[:8] if more else value, ensure_ascii=True)  # type: ignore[index]
    except (TypeError, ValueError):
        text = repr(value)
    except RecursionError:
        text = "[...]"
    if more:
        text = text[:-1] + ", ...]"
    return text if len(text) <= 60 else text[:57] + "..."
