"""Build the shared neutral basemap ``scenarios/_basemaps/levant_ne10m/`` from the Natural
Earth files beside this script (copied unchanged; see tests/data/SOURCES.md).

    PYTHONPATH=src .venv/bin/python tests/data/natural_earth/build_levant_ne10m.py

What it does (the reasons are in the basemap's SOURCES.md): it drops every Natural Earth
attribute (sovereignty, admin, names, classes); it takes the four disputed areas of NE's
disputed-areas layer (Golan Heights, Shebaa Farms, West Bank, Gaza) out of the country
polygons and draws them as features of their own with ``disputed = true`` and who
disputes them; it drops the 1974 ceasefire and UNDOF lines (the scenario's zones draw
them); every label is a lexicon key (``areas.KEY``/``places.KEY``), never a name.
"""

from __future__ import annotations

import json
import pathlib

import shapely.geometry
from shapely.ops import unary_union

HERE = pathlib.Path(__file__).resolve().parent
TARGET = HERE.parents[2] / "src" / "coordcell" / "scenarios" / "_basemaps" / "levant_ne10m"

COUNTRIES = {  # NE ADMIN -> lexicon key (NE5's "Palestine" is replaced by its two parts)
    "Israel": "israel",
    "Lebanon": "lebanon",
    "Syria": "syria",
    "Jordan": "jordan",
    "Saudi Arabia": "saudi_arabia",
}
DISPUTED = {  # NE4 BRK_NAME -> (lexicon key, who disputes it)
    "Golan Heights": ("golan_heights", ["areas.israel", "areas.syria"]),
    "Shebaa Farms": ("shebaa_farms", ["areas.israel", "areas.lebanon", "areas.syria"]),
    "West Bank": ("west_bank", ["areas.israel", "areas.palestine"]),
    "Gaza": ("gaza_strip", ["areas.israel", "areas.palestine"]),
}
PHYSICAL = {
    "Sea of Galilee": "areas.sea_of_galilee",
    "Dead Sea": "areas.dead_sea",
    "Jordan": "areas.jordan_river",
    "Qurnat as Sawdā": "areas.qurnat_as_sawda",
    "Jabal ash Shaykh": "places.mount_hermon_summit",
    "Har Meron": "areas.mount_meron",
}
TOWNS = {
    "Dar'a": "daraa",
    "Al Mafraq": "al_mafraq",
    "B'abda": "baabda",
    "Ramla": "ramla",
    "Nabatiye et Tahta": "nabatieh",
    "Ramallah": "ramallah",
    "Douma": "douma",
    "Saida": "sidon",
    "Irbid": "irbid",
    "As Salt": "al_salt",
    "Az Zarqa": "zarqa",
    "Al Khalil": "hebron",
    "As Suwayda": "as_suwayda",
    "Ad Nabk": "al_nabk",
    "Al Qunaytirah": "quneitra",
    "Zahlé": "zahle",
    "Haifa": "haifa",
    "Nazareth": "nazareth",
    "Nablus": "nablus",
    "Trablous": "tripoli",
    "Amman": "amman",
    "Beirut": "beirut",
    "Jerusalem": "jerusalem",
    "Damascus": "damascus",
    "Tel Aviv-Yafo": "tel_aviv_yafo",
}
# Land boundaries between these sides are drawn as disputed (NE: "Disputed").
BOUNDARY_CLAIMS = {
    "Lebanese claim": ["areas.israel", "areas.lebanon"],
    "Syrian claim": ["areas.israel", "areas.syria"],
}


def read(name: str) -> list[dict]:
    return json.loads((HERE / name).read_text(encoding="utf-8"))["features"]


def rounded(geometry: object) -> dict:
    shape = shapely.set_precision(geometry, 1e-6)
    return json.loads(json.dumps(shapely.geometry.mapping(shape)))


def feature(geometry: object, **properties: object) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": rounded(geometry)}


def write(stem: str, features: list[dict]) -> None:
    note = "Natural Earth 1:10m (public domain), reduced to neutral features: see SOURCES.md."
    data = {"type": "FeatureCollection", "name": stem, "note": note, "features": features}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    (TARGET / f"{stem}.geojson").write_text(
        text.replace('{"type":"Feature"', '\n{"type":"Feature"') + "\n", encoding="utf-8"
    )


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    disputed = {}
    for f in read("ne10m_disputed_areas_levant.geojson"):
        name = f["properties"]["BRK_NAME"]
        if name in DISPUTED:
            disputed[name] = shapely.geometry.shape(f["geometry"]).buffer(0)
    # Shebaa Farms is drawn on its own: out of the Golan Heights polygon if they overlap.
    disputed["Golan Heights"] = disputed["Golan Heights"].difference(disputed["Shebaa Farms"])
    taken = unary_union(list(disputed.values()))
    land = []
    for f in read("ne10m_admin0_countries_levant.geojson"):
        key = COUNTRIES.get(f["properties"]["ADMIN"])
        if key:
            shape = shapely.geometry.shape(f["geometry"]).buffer(0).difference(taken)
            land.append(feature(shape, name=f"areas.{key}"))
    write("land", land)
    write(
        "disputed_areas",
        [
            feature(
                shape, name=f"areas.{DISPUTED[n][0]}", disputed=True, disputed_by=DISPUTED[n][1]
            )
            for n, shape in disputed.items()
        ],
    )
    lines = []
    for f in read("ne10m_boundary_lines_levant.geojson"):
        p = f["properties"]
        cls = p.get("FEATURECLA") or p.get("featurecla")
        shape = shapely.geometry.shape(f["geometry"])
        if cls in ("Line of control (please verify)", "Overlay limit"):
            continue  # the 1974 lines: the scenario's zones draw them
        if cls == "Claim boundary":
            lines.append(feature(shape, disputed=True, disputed_by=BOUNDARY_CLAIMS[p["name"]]))
        elif cls.startswith("Disputed"):
            sides = sorted({p["ADM0_LEFT"], p["ADM0_RIGHT"]})
            lines.append(
                feature(shape, disputed=True, disputed_by=[f"areas.{s.lower()}" for s in sides])
            )
        else:
            lines.append(feature(shape))
    write("boundaries", lines)
    physical = []
    for f in read("ne10m_physical_levant.geojson"):
        label = PHYSICAL.get(f["properties"].get("name") or "")
        shape = shapely.geometry.shape(f["geometry"])
        physical.append(feature(shape, name=label) if label else feature(shape))
    write("physical", physical)
    write(
        "towns",
        [
            feature(
                shapely.geometry.shape(f["geometry"]),
                name=f"places.{TOWNS[f['properties']['NAME']]}",
            )
            for f in read("ne10m_populated_places_levant.geojson")
        ],
    )


if __name__ == "__main__":
    main()
