"""The exports for the parties' command-and-control systems: GeoJSON, KML (its structure
checked with lxml, its placemarks named from the lexicon in the reader's language, read
back by GDAL) and GeoPackage (read back by GDAL: a table per readable layer with the
right counts and attributes) — each holding exactly what the reader may read; and the
operators' page that links them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from django.test import Client
from lxml import etree
from pyogrio.raw import read

from tests.integration.gis.conftest import COLLECTIONS, PERSONAS, expected_ids

pytestmark = pytest.mark.django_db

KML = "{http://www.opengis.net/kml/2.2}"
GEOMETRIES = {f"{KML}{t}" for t in ("Point", "LineString", "Polygon", "MultiGeometry")}


def bearer(tokens: dict[str, str], username: str, language: str = "en") -> Client:
    return Client(
        headers={"authorization": f"Bearer {tokens[username]}", "accept-language": language}
    )


def _data(placemark: Any) -> dict[str, str]:
    return {d.get("name"): d.findtext(f"{KML}value") or "" for d in placemark.iter(f"{KML}Data")}


def check_kml(body: bytes, expected: set[str], layer: str, language: str) -> None:
    """A KML 2.2 document: a Document of Placemarks, one per feature the reader may read,
    each with its name in ``language`` and every language, and its geometry."""
    root = etree.fromstring(body)
    assert root.tag == f"{KML}kml"
    (document,) = root.findall(f"{KML}Document")
    assert document.findtext(f"{KML}name")
    placemarks = document.findall(f"{KML}Placemark")
    assert {_data(p)["id"] for p in placemarks} == expected
    assert len(placemarks) == len(expected)
    for placemark in placemarks:
        data = _data(placemark)
        assert placemark.get("id") == f"{layer}-{data['id']}"
        assert all(data[f"name_{lang}"] for lang in ("en", "ar", "he"))
        assert placemark.findtext(f"{KML}name") == data[f"name_{language}"]
        shapes = [c for c in placemark if c.tag in GEOMETRIES]
        assert len(shapes) <= 1
        for coordinates in placemark.iter(f"{KML}coordinates"):
            for point in (coordinates.text or "").split():
                lon, lat = (float(x) for x in point.split(","))
                assert -180 <= lon <= 180
                assert -90 <= lat <= 90


@pytest.mark.slow
def test_every_persona_exports_exactly_its_audience(
    story: None, tokens: dict[str, str], actor: Any, tmp_path: Path
) -> None:
    """The matrix persona × layer × format in one test."""
    checked = 0
    for username in PERSONAS:
        client = bearer(tokens, username)
        for layer in COLLECTIONS:
            expected = expected_ids(actor(username), layer)
            if expected is None:
                for fmt in ("geojson", "kml", "gpkg"):
                    answer = client.get(f"/api/exports/{layer}.{fmt}")
                    assert answer.status_code == 404, (username, layer, fmt)
                continue
            geojson = client.get(f"/api/exports/{layer}.geojson")
            assert geojson.status_code == 200
            assert geojson["Content-Type"] == "application/geo+json"
            body = json.loads(geojson.content)
            assert {str(f["id"]) for f in body["features"]} == expected, (username, layer)
            for feature in body["features"]:
                assert all(feature["properties"][f"name_{x}"] for x in ("en", "ar", "he"))
            kml = client.get(f"/api/exports/{layer}.kml")
            assert kml["Content-Type"] == "application/vnd.google-earth.kml+xml"
            assert "attachment" in kml["Content-Disposition"]
            check_kml(kml.content, expected, layer, "en")
            checked += len(expected)
        gpkg = client.get("/api/exports/layers.gpkg")
        assert gpkg.status_code == 200
        path = tmp_path / f"{username}.gpkg"
        path.write_bytes(gpkg.content)
        tables = [str(name) for name, _ in pyogrio.list_layers(path)]
        readable = [c for c in COLLECTIONS if expected_ids(actor(username), c) is not None]
        assert tables == readable, username
        for layer in readable:
            meta, _, geometry, fields = read(path, layer=layer)
            columns = dict(zip(meta["fields"], fields, strict=True))
            expected = expected_ids(actor(username), layer)
            assert expected is not None
            assert len(geometry) == len(expected), (username, layer)
            assert {str(i) for i in columns["id"]} == expected
            assert meta["crs"] == "EPSG:4326"
            for lang in ("en", "ar", "he"):
                assert all(columns[f"name_{lang}"]), (username, layer, lang)
    assert checked > 100


def test_the_kml_speaks_the_readers_language_and_gdal_reads_it(
    story: None, tokens: dict[str, str], actor: Any, tmp_path: Path
) -> None:
    for language in ("ar", "he", "en"):
        answer = bearer(tokens, "mediator", language).get("/api/exports/zones.kml")
        expected = expected_ids(actor("mediator"), "zones")
        assert expected is not None
        check_kml(answer.content, expected, "zones", language)
        path = tmp_path / f"zones-{language}.kml"
        path.write_bytes(answer.content)
        meta, _, geometry, fields = read(path)
        assert len(geometry) == len(expected)
        names = dict(zip(meta["fields"], fields, strict=True))["Name"]
        root = etree.fromstring(answer.content)
        assert list(names) == [p.findtext(f"{KML}name") for p in root.iter(f"{KML}Placemark")]
    # Arabic and Hebrew names differ from the English ones (the lexicon's, not copies).
    arabic = etree.fromstring(
        bearer(tokens, "mediator", "ar").get("/api/exports/zones.kml").content
    )
    first = next(arabic.iter(f"{KML}Placemark"))
    assert _data(first)["name_ar"] != _data(first)["name_en"]
    assert first.findtext(f"{KML}name") == _data(first)["name_ar"]


def test_the_geopackage_keeps_each_layers_attributes(
    story: None, tokens: dict[str, str], tmp_path: Path
) -> None:
    client = bearer(tokens, "il.liaison")
    path = tmp_path / "positions.gpkg"
    path.write_bytes(client.get("/api/exports/positions.gpkg").content)
    assert [str(n) for n, _ in pyogrio.list_layers(path)] == ["positions"]
    meta, _, geometry, fields = read(path, layer="positions")
    columns = dict(zip(meta["fields"], fields, strict=True))
    assert len(geometry) > 0
    assert set(columns["party"]) == {"il"}  # its own declared positions only
    assert {"reference", "kind", "established", "holdings"} <= set(columns)
    json.loads(columns["holdings"][0])  # nested values as JSON text
    info = pyogrio.read_info(path, layer="positions")
    assert info["features"] == len(geometry)
    path = tmp_path / "incidents.gpkg"
    path.write_bytes(client.get("/api/exports/incidents.gpkg").content)
    meta, _, geometry, fields = read(path, layer="incidents")
    columns = dict(zip(meta["fields"], fields, strict=True))
    assert meta["dtypes"][list(meta["fields"]).index("fictional")] == "bool"
    assert meta["dtypes"][list(meta["fields"]).index("uncertainty_m")] == "float64"


def test_the_exports_page_links_what_the_reader_may_read(story: None, client_for: Any) -> None:
    page = client_for("monitor").get("/gis/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/api/exports/zones.kml" in html
    assert "/api/exports/layers.gpkg" in html
    assert "/api/exports/positions" not in html  # a monitor reads no declared positions
    assert "http://testserver/api/features" in html
    assert "/api/exports/positions.gpkg" in client_for("il.liaison").get("/gis/").content.decode()
    assert client_for(None).get("/gis/").status_code == 302  # to the login
    arabic = client_for("monitor").get("/gis/", headers={"accept-language": "ar"})
    assert 'dir="rtl"' in arabic.content.decode()


def test_a_stored_control_character_never_breaks_an_export(
    story: None, tokens: dict[str, str]
) -> None:
    # A row stored before the services refused control characters: the KML drops the
    # characters XML cannot carry (it was a 500), the other formats keep serving.
    from coordcell.economy.models import Project

    project = Project.objects.order_by("pk").first()
    assert project is not None
    titles = {"en": "Water\x0bline", "ar": "م\x1bاء", "he": "מ\x0bים\ufffe"}
    Project.objects.filter(pk=project.pk).update(titles=titles)
    client = bearer(tokens, "mediator")
    for fmt in ("kml", "geojson", "gpkg"):
        answer = client.get(f"/api/exports/projects.{fmt}")
        assert answer.status_code == 200, (fmt, answer.status_code)
    body = client.get("/api/exports/projects.kml").content
    root = etree.fromstring(body)
    names = {el.text for el in root.iter(f"{KML}name")}
    assert "Waterline" in names
    values = {el.text for el in root.iter(f"{KML}value")}
    assert {"ماء", "מים"} <= values
