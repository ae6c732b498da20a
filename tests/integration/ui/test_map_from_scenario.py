"""The situation map takes everything it shows from the scenario: the basemap's layers
with their styles and legends, no sovereignty attribute and the disputed areas flagged,
names from the lexicon, the extent, the legend's note and the attribution (the sources
the map's layers cite). The drawing itself is tested in tests/browser/test_map.py."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SCENARIO

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[3] / "src" / "coordcell"
ARRANGEMENT = tomllib.loads((SCENARIO / "arrangement.toml").read_text("utf-8"))
LEXICON = tomllib.loads((SCENARIO / "lexicon.toml").read_text("utf-8"))


def _config(page: str) -> dict[str, Any]:
    found = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', page)
    assert found is not None
    return json.loads(found.group(1))


def test_the_basemap_carries_no_sovereignty_and_flags_the_disputed_areas(
    client_for: Any,
) -> None:
    basemap = client_for("il.liaison").get("/map/basemap.json").json()
    layers = {layer["id"]: layer for layer in basemap["layers"]}
    assert list(layers) == ["land", "disputed_areas", "boundaries", "physical", "towns"]
    for layer in layers.values():
        assert layer["legend"]
        assert layer["style"]
        for feature in layer["data"]["features"]:
            assert set(feature["properties"]) <= {"name", "disputed", "disputed_by"}
    text = json.dumps(basemap)
    for attribute in ("SOVEREIGNT", "ADMIN", "ADM0", "FCLASS", "featurecla"):
        assert attribute not in text
    disputed = {
        f["properties"]["name"]: f["properties"]["disputed_by"]
        for f in layers["disputed_areas"]["data"]["features"]
    }
    assert disputed["Golan Heights"] == ["Israel", "Syria"]
    assert disputed["Har Dov / Shebaa Farms"] == ["Israel", "Lebanon", "Syria"]
    assert layers["disputed_areas"]["disputed"]["style"]["fill"] == "hatched"
    land = [f["properties"]["name"] for f in layers["land"]["data"]["features"]]
    assert "Golan Heights" not in land
    assert "Palestine" not in land


def test_the_basemap_speaks_the_readers_language(client_for: Any) -> None:
    client = client_for("il.liaison")
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    basemap = client.get("/map/basemap.json").json()
    towns = basemap["layers"][4]
    assert towns["legend"] == "البلدات (Natural Earth)"
    names = {f["properties"]["name"] for f in towns["data"]["features"]}
    assert LEXICON["places"]["damascus"]["ar"] in names


def test_the_attribution_is_the_sources_the_map_uses(client_for: Any) -> None:
    config = _config(client_for("il.liaison").get("/map/").content.decode())
    sources = {s["key"]: s["attribution"] for s in ARRANGEMENT["sources"]}
    # NE (the basemap's layers), DERIVED and SCENARIO (the zones), GEONAMES and WIKIPEDIA
    # ([map] sources: the places), in the order the scenario declares them.
    assert config["attribution"] == [
        sources[k] for k in ("NE", "DERIVED", "GEONAMES", "WIKIPEDIA", "SCENARIO")
    ]
    assert config["extent"] == ARRANGEMENT["map"]["extent"]
    # A zone's popup says where its geometry comes from in the scenario's words.
    assert config["sources"]["DERIVED"] == sources["DERIVED"]
    assert "Natural Earth" not in config["text"]["derived"]


def test_the_legend_note_comes_from_the_scenario(client_for: Any) -> None:
    client = client_for("il.liaison")
    page = client.get("/map/").content.decode()
    assert ARRANGEMENT["map"]["note"]["en"] in page
    client.post("/i18n/setlang/", {"language": "he", "next": "/"})
    assert ARRANGEMENT["map"]["note"]["he"] in client.get("/map/").content.decode()


def test_no_zone_legend_text_or_layer_name_is_written_in_code() -> None:
    """The legend's text and the layers' styles are the scenario's: no hard-coded
    "Lines A and B…" anywhere, and no style chosen by matching a layer's file name."""
    for path in [*SRC.rglob("*.html"), *SRC.rglob("*.js"), *SRC.rglob("*.po"), *SRC.rglob("*.py")]:
        if "scenarios" in path.parts or "vendor" in path.parts or "leaflet" in path.parts:
            continue
        assert "Lines A and B" not in path.read_text("utf-8"), path
    for name in ("mapstyle.js", "map.js", "picker.js"):
        script = (SRC / "ui" / "static" / "coordcell" / name).read_text("utf-8")
        # A regular expression may only test a geometry's type, never a layer's name.
        tests = re.findall(r"/[^/\n]+/\.test\(([^)]*)\)", script)
        assert all(arg == "f.geometry.type" for arg in tests), (name, tests)
        assert "countries" not in script
        assert "boundary" not in script


def test_places_are_named_by_the_lexicon(client_for: Any) -> None:
    response = client_for("sy.liaison").get("/api/v1/places/")
    names = {f["id"]: f["properties"]["name"] for f in response.json()["features"]}
    assert names["tel_abu_nada"] == "Mount Avital / Tel Abu Nada"
    assert names["quneitra"] == "Quneitra"


def test_the_case_page_names_the_kind_as_the_lexicon_does(client_for: Any) -> None:
    from coordcell.agreements.models import ArrangementVersion
    from coordcell.cases.models import Case

    case = Case.objects.order_by("pk").first()
    assert case is not None
    version = ArrangementVersion.objects.get(pk=case.incident.version_id)
    content = dict(version.content)
    kinds = {case.incident.kind: {"en": "Agreed kind name", "he": "שם מוסכם"}}
    content["lexicon"] = {**content["lexicon"], "kinds": kinds}
    ArrangementVersion.objects.filter(pk=version.pk).update(content=content)
    client = client_for("il.liaison")
    assert "Agreed kind name" in client.get(f"/cases/{case.public_id}/").content.decode()
    client.post("/i18n/setlang/", {"language": "he", "next": "/"})
    assert "שם מוסכם" in client.get(f"/cases/{case.public_id}/").content.decode()
