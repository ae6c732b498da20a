"""GeoJSON FeatureCollection (RFC 7946, WGS84 lon/lat): each feature to an ``ObservationRow``.

A feature gives:

- a geometry: Point, LineString, Polygon or their Multi- forms (no GeometryCollection);
- its kind: property ``kind`` (a taxonomy code), or ``acled_event_type`` and
  ``acled_sub_event_type``; a feature converted from a source file may instead carry the
  source's own columns (UCDP ``type_of_violence``, or ACLED ``event_id_cnty`` with
  ``event_type``/``sub_event_type``), which are read like the CSV readers read them;
- its time: ``time`` (ISO 8601 date, date-time with offset, or ``start/end`` interval), or
  ``time_start`` (and ``time_end``); converted UCDP features may give ``date_start`` and
  ``date_end``, converted ACLED features ``event_date``;
- optionally ``uncertainty_m`` (metres; otherwise derived from ``where_prec`` or
  ``geo_precision`` when present, else 0), ``attribution`` and ``id`` (or the feature ``id``).

The geometry is checked for structure and range here by the one normaliser of incoming
geometries, ``rules.geojson_input`` (positions of 2 or 3 finite numbers, longitude in
[-180, 180], latitude in [-90, 90], enough positions, closed rings; foreign members are
dropped); whether it is valid as a shape (self-intersections) and whether it lies in the
arrangement's region (swapped lat/lon) is for the engine.

The standard library has no streaming JSON parser, so the file is read whole: use CSV for
inputs of millions of rows.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from coordcell.interop.acled import ACLED_ATTRIBUTION, acled_uncertainty_m, parse_acled_date
from coordcell.interop.common import (
    Fatalities,
    InputError,
    ObservationRow,
    Reject,
    RowError,
    SourceFile,
    TimeValue,
    check_order,
    describe,
    open_bytes,
    parse_iso_time,
)
from coordcell.interop.ucdp import UCDP_ATTRIBUTION, ucdp_uncertainty_m
from coordcell.rules.geojson_input import (
    GEOMETRY_TYPES,
    OUT_OF_RANGE,
    GeometryError,
    normalise_geometry,
)
from coordcell.rules.taxonomy import KINDS, UnknownEventType, from_acled, from_ucdp, is_kind

__all__ = ["GEOMETRY_TYPES", "read_geojson", "validate_geometry"]

_WGS84_CRS_NAMES = frozenset(
    {
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "urn:ogc:def:crs:EPSG::4326",
        "EPSG:4326",
        "CRS84",
    }
)


def read_geojson(
    source: SourceFile, *, attribution: str = "", kinds: Collection[str] = ()
) -> Iterator[ObservationRow | RowError]:
    """Yield an ``ObservationRow`` or a ``RowError`` for each feature of a FeatureCollection.

    ``line`` is the feature's 0-based index in ``features``. Raises ``InputError`` (on the
    first ``next``) when the file is not UTF-8, not JSON, or not a FeatureCollection.
    ``attribution`` is the credit line for features that name none (and are not UCDP or
    ACLED rows, which get those sources' lines). ``kinds``: the incident kinds an
    arrangement declares, accepted in property ``kind`` beside the built-in ones.
    """
    path = describe(source)
    collection = _load(open_bytes(source), path)
    features = collection.get("features")
    if not isinstance(features, list):
        raise InputError("the FeatureCollection has no 'features' array", path=path)
    collection_attribution = collection.get("attribution")
    if isinstance(collection_attribution, str) and collection_attribution:
        attribution = collection_attribution
    for index, feature in enumerate(features):
        yield _feature(index, feature, attribution, frozenset(kinds))


def _load(data: bytes, path: str) -> dict[str, Any]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("the file is UTF-16 text: save it as UTF-8", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}): not a GeoJSON file",
            path=path,
            line=line,
            column=column,
        ) from None
    if not text.strip():
        raise InputError("the file is empty: expected a GeoJSON FeatureCollection", path=path)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}", path=path, line=exc.lineno, column=exc.colno
        ) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply", path=path) from None
    if not isinstance(value, dict):
        raise InputError(
            f"the JSON value is {_json_kind(value)}, expected a GeoJSON FeatureCollection",
            path=path,
        )
    kind = value.get("type")
    if kind != "FeatureCollection":
        raise InputError(
            f"the JSON object has type {kind!r}, expected 'FeatureCollection'", path=path
        )
    _check_crs(value.get("crs"), path)
    return value


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"


def _check_crs(crs: object, path: str) -> None:
    """RFC 7946 has no ``crs``; an old-style member naming anything but WGS84 is an error."""
    if crs is None:
        return
    name = None
    if isinstance(crs, dict):
        props = crs.get("properties")
        if isinstance(props, dict):
            name = props.get("name")
    if not isinstance(name, str) or name not in _WGS84_CRS_NAMES:
        raise InputError(
            f"the file declares crs {name if isinstance(name, str) else crs!r}: "
            "coordinates must be WGS84 longitude/latitude (EPSG:4326)",
            path=path,
        )


# --------------------------------------------------------------------------------------------
# One feature


def _feature(
    index: int, feature: object, default_attribution: str, declared: frozenset[str] = frozenset()
) -> ObservationRow | RowError:
    if not isinstance(feature, dict):
        return RowError(
            index, "", f"feature is {_json_kind(feature)}, not an object", "bad_feature"
        )
    raw_props = feature.get("properties")
    props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
    fid = feature.get("id", props.get("id"))
    source_id = "" if fid is None else str(fid)
    try:
        if feature.get("type") != "Feature":
            raise Reject(
                "bad_feature", f"object has type {feature.get('type')!r}, expected 'Feature'"
            )
        if raw_props is not None and not isinstance(raw_props, dict):
            raise Reject("bad_feature", "'properties' is not an object")
        _check_text(source_id, props)
        geometry = validate_geometry(feature.get("geometry"))
        origin, kind = _kind(props, declared)
        start, end = _times(props, origin)
        location_precision, uncertainty = _location(props, origin)
        time_precision = _optional_int(
            props, "date_prec" if origin == "ucdp" else "time_precision" if origin else ""
        )
        fatalities = _fatalities(props, origin)
    except Reject as exc:
        return RowError(index, _UNSAFE.sub("\ufffd", source_id), exc.reason, exc.category)
    credit = props.get("attribution")
    if not isinstance(credit, str) or not credit:
        credit = {"ucdp": UCDP_ATTRIBUTION, "acled": ACLED_ATTRIBUTION}.get(
            origin, default_attribution
        )
    return ObservationRow(
        source="geojson",
        source_id=source_id,
        line=index,
        kind=kind,
        geometry=geometry,
        time_start=start,
        time_end=end,
        time_precision=time_precision,
        location_precision=location_precision,
        uncertainty_m=uncertainty,
        attribution=credit,
        attributes={key: _text(value) for key, value in props.items()},
        fatalities=fatalities,
    )


#: What no text column can store: a NUL, or a surrogate (json.loads pairs escaped
#: surrogates into one character, so any left in a string stands alone).
_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def _unsafe_char(value: object) -> str | None:
    """The first NUL or lone surrogate in a JSON value's strings and member names."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            found = _UNSAFE.search(node)
            if found is not None:
                return found.group()
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None


def _what(char: str) -> str:
    return "a NUL character" if char == "\x00" else f"a lone surrogate (U+{ord(char):04X})"


def _check_text(source_id: str, props: Mapping[str, Any]) -> None:
    """Reject a feature whose id or properties hold text that cannot be stored."""
    char = _unsafe_char(source_id)
    if char is not None:
        raise Reject("not_utf8", f"the feature's id has {_what(char)}")
    for key, value in props.items():
        char = _unsafe_char(key)
        if char is not None:
            raise Reject("not_utf8", f"a property name has {_what(char)}")
        char = _unsafe_char(value)
        if char is not None:
            raise Reject("not_utf8", f"property {key!r} has {_what(char)}")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _present(props: Mapping[str, Any], key: str) -> bool:
    value = props.get(key)
    return value is not None and value != ""


def _kind(props: Mapping[str, Any], declared: frozenset[str] = frozenset()) -> tuple[str, str]:
    """The feature's origin (``""``, ``"acled"`` or ``"ucdp"``) and its incident kind (a
    built-in one, or one of ``declared``: the arrangement's own)."""
    if _present(props, "kind"):
        kind = props["kind"]
        if not isinstance(kind, str) or not (is_kind(kind) or kind in declared):
            known = ", ".join([*KINDS, *sorted(declared)])
            raise Reject("unknown_kind", f"unknown kind {kind!r} (known kinds: {known})")
        if _present(props, "event_id_cnty"):
            return "acled", kind
        return ("ucdp" if _present(props, "type_of_violence") else ""), kind
    try:
        if _present(props, "acled_event_type") or _present(props, "acled_sub_event_type"):
            return "", from_acled(
                _str(props, "acled_event_type"), _str(props, "acled_sub_event_type")
            )
        if _present(props, "event_id_cnty"):
            return "acled", from_acled(_str(props, "event_type"), _str(props, "sub_event_type"))
        if _present(props, "type_of_violence"):
            code = props["type_of_violence"]
            if isinstance(code, str) and code.strip().isdigit():
                code = int(code)
            if not isinstance(code, int) or isinstance(code, bool):
                raise Reject("not_a_number", f"type_of_violence {code!r} is not an integer")
            return "ucdp", from_ucdp(code)
    except UnknownEventType as exc:
        raise Reject("unknown_event_type", str(exc)) from None
    raise Reject(
        "missing_value",
        "no incident kind: give property 'kind' (or 'acled_event_type' and 'acled_sub_event_type')",
    )


def _str(props: Mapping[str, Any], key: str) -> str:
    value = props.get(key)
    return "" if value is None else str(value)


def _times(props: Mapping[str, Any], origin: str) -> tuple[TimeValue, TimeValue]:
    if _present(props, "time"):
        raw = props["time"]
        if isinstance(raw, str) and "/" in raw:
            first, _, second = raw.partition("/")
            start = parse_iso_time(first, "time start")
            end = parse_iso_time(second, "time end")
            check_order(start, end, "time start", "time end")
            return start, end
        moment = parse_iso_time(raw, "time")
        return moment, moment
    for start_key, end_key in (("time_start", "time_end"), ("date_start", "date_end")):
        if start_key == "date_start" and origin != "ucdp":
            continue
        if _present(props, start_key):
            start = parse_iso_time(props[start_key], start_key)
            end = parse_iso_time(props[end_key], end_key) if _present(props, end_key) else start
            check_order(start, end, start_key, end_key)
            return start, end
    if origin == "acled" and _present(props, "event_date"):
        day = parse_acled_date(_str(props, "event_date"))
        return day, day
    raise Reject("missing_value", "no time: give property 'time' or 'time_start' (ISO 8601)")


def _optional_int(props: Mapping[str, Any], key: str) -> int | None:
    if not key or not _present(props, key):
        return None
    value = props[key]
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise Reject("not_a_number", f"{key} {value!r} is not an integer")
    return value


def _location(props: Mapping[str, Any], origin: str) -> tuple[int | None, float]:
    precision_key = {"ucdp": "where_prec", "acled": "geo_precision"}.get(origin, "")
    precision = _optional_int(props, precision_key)
    if _present(props, "uncertainty_m"):
        value = props["uncertainty_m"]
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise Reject("not_a_number", f"uncertainty_m {value!r} is not a number")
        if not math.isfinite(value) or value < 0:
            raise Reject(
                "out_of_range", f"uncertainty_m {value!r} must be a finite number of metres >= 0"
            )
        return precision, float(value)
    if precision is None:
        return None, 0.0
    if origin == "ucdp":
        return precision, ucdp_uncertainty_m(precision)
    return precision, acled_uncertainty_m(precision)


def _fatalities(props: Mapping[str, Any], origin: str) -> Fatalities | None:
    if origin == "ucdp":
        low = _optional_int(props, "low")
        best = _optional_int(props, "best")
        high = _optional_int(props, "high")
        if low is None and best is None and high is None:
            return None
        return Fatalities(low, best, high)
    if origin == "acled":
        count = _optional_int(props, "fatalities")
        return None if count is None else Fatalities(None, count, None)
    return None


# --------------------------------------------------------------------------------------------
# Geometry

#: Positions in one feature's geometry: files may carry detailed shapes.
FILE_MAX_POSITIONS = 100_000


def validate_geometry(geometry: object) -> dict[str, Any]:
    """A clean copy of a feature's geometry (``rules.geojson_input``, the one normaliser).

    Foreign members are dropped (RFC 7946 allows them); the shape's validity is left to the
    engine, which reports it as a problem of the row. Raises ``Reject`` ("bad_geometry" or
    "out_of_range") with the path of the offending position, e.g. ``"The ring at
    coordinates[0] is not closed: its first position [35.8, 33.1] differs from its last
    [35.9, 33.2]."``
    """
    if geometry is None:
        raise Reject("bad_geometry", "feature has no geometry")
    try:
        return normalise_geometry(
            geometry,
            foreign_members="drop",
            check_validity=False,
            max_positions=FILE_MAX_POSITIONS,
        )
    except GeometryError as exc:
        category = "out_of_range" if exc.code in OUT_OF_RANGE else "bad_geometry"
        raise Reject(category, str(exc)) from None
