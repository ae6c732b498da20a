"""Declared positions (the freeze baseline) from GeoJSON.

A FeatureCollection of Point features, each with ``properties.party`` (a party code) and
optionally ``properties.established`` (``YYYY-MM-DD``); the feature ``id`` names the
position. Any problem raises ``InputError`` naming the feature: a baseline is a signed-off
document, so a partly readable one is refused whole rather than used in part.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

from coordcell.interop.common import InputError
from coordcell.rules.engine import Position

__all__ = ["read_positions"]


def _fail(path: Path, message: str) -> InputError:
    return InputError(message, path=str(path))


def _position(path: Path, index: int, feature: Any) -> Position:
    where = f"features[{index}]"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise _fail(path, f"{where}: not a GeoJSON Feature")
    geometry = feature.get("geometry") or {}
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if (
        not isinstance(geometry, dict)
        or geometry.get("type") != "Point"
        or not isinstance(coords, list)
        or len(coords) not in (2, 3)
        or not all(isinstance(c, int | float) and math.isfinite(c) for c in coords)
    ):
        raise _fail(path, f"{where}.geometry: a position must be a Point [lon, lat]")
    lon, lat = float(coords[0]), float(coords[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise _fail(path, f"{where}.geometry: ({lon}, {lat}) is not a WGS84 position")
    props = feature.get("properties") or {}
    party = props.get("party") if isinstance(props, dict) else None
    if not isinstance(party, str) or not party:
        raise _fail(path, f"{where}.properties.party: a party code is required")
    established = props.get("established")
    day = None
    if established not in (None, ""):
        try:
            day = dt.date.fromisoformat(str(established))
        except ValueError:
            raise _fail(
                path, f"{where}.properties.established: {established!r} is not a date (YYYY-MM-DD)"
            ) from None
    ident = feature.get("id")
    return Position(str(ident) if ident is not None else f"position-{index}", party, lon, lat, day)


def read_positions(path: Path) -> list[Position]:
    """Read a baseline of declared positions; raise ``InputError`` on any problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(path, f"cannot read: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, f"not a GeoJSON file: {exc}") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise _fail(path, "a baseline must be a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise _fail(path, "features: a list is required")
    return [_position(path, i, f) for i, f in enumerate(features)]
