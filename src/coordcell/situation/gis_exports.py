"""Exports of the layers for the parties' command-and-control systems: GeoJSON, KML and
GeoPackage, each holding what the caller may read and nothing else (``layers.py``).

Every feature carries its name in each language of the lexicon (``name_en``, ``name_ar``,
``name_he``; ``name`` in the request's language).

The GeoPackage is written by GDAL (through ``pyogrio``), not by hand: the format is an
SQLite database with a dozen required tables, triggers and a binary geometry header
(OGC 12-128r18), which GDAL writes and checks as its reference implementation. One
file holds one table per layer the caller may read.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from lxml import etree
from shapely.geometry import shape

from coordcell.core.actor import Actor
from coordcell.core.text import xml_safe
from coordcell.situation.layers import LANGUAGES, Item, Layer

KML_NS = "http://www.opengis.net/kml/2.2"
FORMATS = {
    "geojson": ("application/geo+json", "geojson"),
    "kml": ("application/vnd.google-earth.kml+xml", "kml"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
}


def _all_items(layer: Layer, actor: Actor) -> list[Item]:
    return list(layer.items(actor, None, None))


def _flat(item: Item) -> dict[str, Any]:
    """The feature's properties with its names by language, scalars as they are and
    lists or objects as JSON text (for formats whose fields are flat)."""
    props: dict[str, Any] = {"id": str(item.feature.get("id", ""))}
    props.update({f"name_{lang}": item.names.get(lang, "") for lang in LANGUAGES})
    for key, value in item.feature["properties"].items():
        if isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        props[key] = value
    return props


# --- GeoJSON -----------------------------------------------------------------------------


def geojson(layer: Layer, actor: Actor) -> bytes:
    features = []
    for item in _all_items(layer, actor):
        feature = dict(item.feature)
        feature["properties"] = {
            **item.feature["properties"],
            **{f"name_{lang}": item.names.get(lang, "") for lang in LANGUAGES},
        }
        features.append(feature)
    body = {"type": "FeatureCollection", "name": layer.id, "features": features}
    return json.dumps(body, ensure_ascii=False).encode()


# --- KML ---------------------------------------------------------------------------------


def _k(tag: str) -> str:
    return f"{{{KML_NS}}}{tag}"


def _coordinates(parent: etree._Element, points: Iterable[Sequence[float]]) -> None:
    etree.SubElement(parent, _k("coordinates")).text = " ".join(
        f"{p[0]:.7f},{p[1]:.7f}" for p in points
    )


def _ring(parent: etree._Element, boundary: str, ring: Sequence[Sequence[float]]) -> None:
    linear = etree.SubElement(etree.SubElement(parent, _k(boundary)), _k("LinearRing"))
    _coordinates(linear, ring)


def _kml_geometry(parent: etree._Element, geometry: dict[str, Any]) -> None:
    kind = geometry["type"]
    coords: Any = geometry.get("coordinates")
    if kind == "Point":
        _coordinates(etree.SubElement(parent, _k("Point")), [coords])
    elif kind == "LineString":
        _coordinates(etree.SubElement(parent, _k("LineString")), coords)
    elif kind == "Polygon":
        polygon = etree.SubElement(parent, _k("Polygon"))
        _ring(polygon, "outerBoundaryIs", coords[0])
        for hole in coords[1:]:
            _ring(polygon, "innerBoundaryIs", hole)
    else:
        multi = etree.SubElement(parent, _k("MultiGeometry"))
        if kind == "GeometryCollection":
            parts = geometry["geometries"]
        else:
            single = kind.removeprefix("Multi")
            parts = [{"type": single, "coordinates": c} for c in coords]
        for part in parts:
            _kml_geometry(multi, part)


def kml(layer: Layer, actor: Actor, language: str) -> bytes:
    """A KML 2.2 document: one Placemark per feature, named in ``language`` from the
    lexicon, its names in every language and its properties as ExtendedData."""
    root = etree.Element(_k("kml"), nsmap={None: KML_NS})
    document = etree.SubElement(root, _k("Document"))
    etree.SubElement(document, _k("name")).text = xml_safe(str(layer.title))
    for item in _all_items(layer, actor):
        placemark = etree.SubElement(
            document, _k("Placemark"), id=f"{layer.id}-{item.feature['id']}"
        )
        name = item.names.get(language) or item.names.get("en", "")
        etree.SubElement(placemark, _k("name")).text = xml_safe(name)
        data = etree.SubElement(placemark, _k("ExtendedData"))
        for key, value in _flat(item).items():
            field = etree.SubElement(data, _k("Data"), name=key)
            text = (
                ""
                if value is None
                else str(value).lower()
                if isinstance(value, bool)
                else str(value)
            )
            etree.SubElement(field, _k("value")).text = xml_safe(text)
        if item.feature.get("geometry"):
            _kml_geometry(placemark, item.feature["geometry"])
    body: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return body


# --- GeoPackage --------------------------------------------------------------------------


def _column(values: list[Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any] | None]:
    """One field's values as GDAL takes them: booleans, whole numbers, reals or text,
    with a mask of the missing ones."""
    present = [v for v in values if v is not None]
    mask = np.array([v is None for v in values], dtype=bool)
    if present and all(isinstance(v, bool) for v in present):
        return np.array([bool(v) for v in values], dtype=bool), mask
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return np.array([v or 0 for v in values], dtype=np.int64), mask
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        floats = [float("nan") if v is None else float(v) for v in values]
        return np.array(floats, dtype=np.float64), mask
    return np.array(["" if v is None else str(v) for v in values], dtype=object), mask


def geopackage(layers: Sequence[Layer], actor: Actor) -> bytes:
    """One GeoPackage with a table per layer (EPSG:4326, lon/lat), written by GDAL."""
    from pyogrio.raw import write  # GDAL: imported only when a GeoPackage is asked for

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "coordcell.gpkg"
        for layer in layers:
            items = _all_items(layer, actor)
            rows = [_flat(item) for item in items]
            names = ["id", *(f"name_{lang}" for lang in LANGUAGES)]
            for row in rows:
                names += [k for k in row if k not in names]
            data, masks = [], []
            for name in names:
                values, mask = _column([row.get(name) for row in rows])
                data.append(values)
                masks.append(mask if mask is not None and mask.any() else None)
            geometry = np.array(
                [
                    shape(i.feature["geometry"]).wkb if i.feature.get("geometry") else None
                    for i in items
                ],
                dtype=object,
            )
            write(
                str(path),
                geometry,
                data,
                names,
                field_mask=masks if any(m is not None for m in masks) else None,
                layer=layer.id,
                driver="GPKG",
                geometry_type="Unknown",
                crs="EPSG:4326",
                append=False,
                layer_metadata={"DESCRIPTION": str(layer.description)},
            )
        return path.read_bytes()
