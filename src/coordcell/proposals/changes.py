"""A proposal version's structured change to the arrangement, checked at the edge and
applied to a copy of a version's stored content (never to the stored version).

A change is a list of at most :data:`MAX_OPERATIONS` operations, each one of:

- ``{"op": "zone_geometry", "zone": <zone id>, "geometry": <GeoJSON>}``: an area's
  (Polygon, MultiPolygon) or a line's (LineString, MultiLineString) new geometry, inside
  the arrangement's region;
- ``{"op": "limit", "clause": <clause id>, "key": "max_…", "value": <number or null>}``:
  a cap of a limit clause set (or removed with null);
- ``{"op": "date", "clause": <clause id>, "field": "effective_from" | "effective_until",
  "value": "YYYY-MM-DD" or null}``: a clause's timeline date.

The zone and clause ids are the arrangement's own (data): nothing here names one.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from coordcell.core.errors import ValidationFailed
from coordcell.rules.geojson_input import GeometryError, normalise_geometry

__all__ = ["MAX_OPERATIONS", "apply_change", "change_hash", "clean_change", "describe"]

MAX_OPERATIONS = 20
#: A cap's largest value (any category: personnel is the largest).
MAX_LIMIT = 10_000_000
_AREA_TYPES = ("Polygon", "MultiPolygon")
_LINE_TYPES = ("LineString", "MultiLineString")
_DATE_FIELDS = ("effective_from", "effective_until")


def _bbox(geometry: Mapping[str, Any]) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []

    def walk(value: Any) -> None:
        if value and isinstance(value[0], int | float):
            xs.append(float(value[0]))
            ys.append(float(value[1]))
            return
        for part in value:
            walk(part)

    walk(geometry["coordinates"])
    return (min(xs), min(ys), max(xs), max(ys))


def clean_change(value: Any, content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The change ``value`` checked against ``content`` (a version's stored content) and
    normalised; ``ValidationFailed`` (field ``change``) with the first problem."""
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationFailed({"change": [_("The change is not valid JSON.")]}) from None
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        raise ValidationFailed({"change": [_("Give the change as a list of operations.")]})
    if len(value) > MAX_OPERATIONS:
        raise ValidationFailed(
            {"change": [_("At most %(n)s operations in one change.") % {"n": MAX_OPERATIONS}]}
        )
    zones = {z["id"]: z for z in content.get("zones", [])}
    clauses = {c["id"]: c for c in content.get("clauses", [])}
    lon0, lat0, lon1, lat1 = content.get("region_bbox", (-180, -90, 180, 90))
    clean: list[dict[str, Any]] = []
    for n, op in enumerate(value, start=1):

        def fail(message: str, n: int = n) -> ValidationFailed:
            return ValidationFailed(
                {"change": [_("Operation %(n)s: %(problem)s") % {"n": n, "problem": message}]}
            )

        if not isinstance(op, Mapping):
            raise fail(_("not an object."))
        kind = op.get("op")
        if kind == "zone_geometry":
            zone = zones.get(op.get("zone"))
            if zone is None or set(op) - {"op", "zone", "geometry"}:
                raise fail(_("name an area or a line of the arrangement, and its geometry."))
            try:
                geometry = normalise_geometry(op.get("geometry"))
            except GeometryError as exc:
                raise fail(exc.translated(_)) from None
            allowed = _LINE_TYPES if zone.get("kind") == "line" else _AREA_TYPES
            if geometry["type"] not in allowed:
                raise fail(_("the new geometry is not of the zone's kind (an area or a line)."))
            x0, y0, x1, y1 = _bbox(geometry)
            if x0 < lon0 or y0 < lat0 or x1 > lon1 or y1 > lat1:
                raise fail(_("the new geometry leaves the arrangement's region."))
            clean.append({"op": kind, "zone": zone["id"], "geometry": geometry})
        elif kind == "limit":
            clause = clauses.get(op.get("clause"))
            key = op.get("key")
            limit = op.get("value")
            if (
                clause is None
                or clause.get("kind") != "limit"
                or set(op) - {"op", "clause", "key", "value"}
            ):
                raise fail(_("name a limit clause of the arrangement."))
            if not isinstance(key, str) or not key.startswith("max_") or len(key) > 60:
                raise fail(_("a cap's key starts with max_."))
            if limit is not None and (
                isinstance(limit, bool)
                or not isinstance(limit, int | float)
                or not math.isfinite(limit)
                or not 0 <= limit <= MAX_LIMIT
            ):
                raise fail(_("a cap is a number from 0 to %(n)s.") % {"n": MAX_LIMIT})
            clean.append({"op": kind, "clause": clause["id"], "key": key, "value": limit})
        elif kind == "date":
            clause = clauses.get(op.get("clause"))
            field = op.get("field")
            day = op.get("value")
            if clause is None or field not in _DATE_FIELDS or set(op) - {
                "op", "clause", "field", "value"
            }:  # fmt: skip
                raise fail(_("name a clause and effective_from or effective_until."))
            if day is not None:
                try:
                    day = dt.date.fromisoformat(str(day)).isoformat()
                except ValueError:
                    raise fail(_("give the date as YYYY-MM-DD.")) from None
            clean.append({"op": kind, "clause": clause["id"], "field": field, "value": day})
        else:
            raise fail(_("the operation is zone_geometry, limit or date."))
    return clean


def apply_change(content: Mapping[str, Any], change: list[dict[str, Any]]) -> dict[str, Any]:
    """A deep copy of ``content`` with ``change`` (already clean) applied."""
    draft: dict[str, Any] = copy.deepcopy(dict(content))
    zones = {z["id"]: z for z in draft.get("zones", [])}
    clauses = {c["id"]: c for c in draft.get("clauses", [])}
    for op in change:
        if op["op"] == "zone_geometry":
            zone = zones[op["zone"]]
            zone["geometry"] = copy.deepcopy(op["geometry"])
            zone["bbox"] = list(_bbox(op["geometry"]))
        elif op["op"] == "limit":
            limits = dict(clauses[op["clause"]].get("limits") or {})
            if op["value"] is None:
                limits.pop(op["key"], None)
            else:
                limits[op["key"]] = op["value"]
            clauses[op["clause"]]["limits"] = limits
        elif op["op"] == "date":
            clauses[op["clause"]][op["field"]] = op["value"]
    return draft


def change_hash(content_hash: str, change: list[dict[str, Any]]) -> str:
    """A key for the draft engine of ``change`` over the version of ``content_hash``."""
    text = json.dumps(change, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{content_hash}:{text}".encode()).hexdigest()


def describe(change: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What each operation changes, for a page (the geometry left out)."""
    out: list[dict[str, Any]] = []
    for op in change:
        if op["op"] == "zone_geometry":
            out.append({"op": op["op"], "target": op["zone"], "what": _("new geometry")})
        elif op["op"] == "limit":
            value = "—" if op["value"] is None else f"{op['value']:g}"
            out.append({"op": op["op"], "target": op["clause"], "what": f"{op['key']} = {value}"})
        else:
            out.append(
                {"op": op["op"], "target": op["clause"], "what": f"{op['field']} = {op['value']}"}
            )
    return out
