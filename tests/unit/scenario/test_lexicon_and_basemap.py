"""The agreed lexicon (lexicon.toml), the [map] table and the declared, neutral basemap."""

from __future__ import annotations

import json
import pathlib
import shutil

import pytest

from coordcell.rules.lexicon import side_by_side
from coordcell.rules.scenario import SHARED_BASEMAPS, check_scenario, content_hash, read_scenario

from .conftest import SHIPPED


def _edit(path: pathlib.Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _errors(folder: pathlib.Path) -> list[tuple[str, str, str]]:
    arrangement, errors = check_scenario(folder)
    assert arrangement is None
    return [(e.file, e.field, e.message) for e in errors]


def _local_basemap(folder: pathlib.Path) -> pathlib.Path:
    """Give the scenario copy its own basemap/ folder (a copy of the shared one)."""
    _edit(folder / "arrangement.toml", 'basemap = "levant_ne10m"\n', "")
    shutil.copytree(SHARED_BASEMAPS / "levant_ne10m", folder / "basemap")
    return folder / "basemap"


# --- the lexicon


def test_side_by_side_joins_the_two_names_in_each_language() -> None:
    names = side_by_side([{"en": "A", "ar": "أ"}, {"en": "B", "he": "ב"}])
    assert names == {"en": "A / B", "ar": "أ / B", "he": "A / ב"}
    assert side_by_side([{"en": "Same"}, {"en": "Same"}]) == {"en": "Same"}


def test_the_shipped_zones_and_places_are_named_by_the_lexicon() -> None:
    arrangement = read_scenario(SHIPPED)
    zones = {z.id: z.name for z in arrangement.zones}
    assert zones["area_of_separation_approx"]["en"] == "Area of Separation (approximate)"
    lexicon = arrangement.content["lexicon"]
    assert lexicon["areas"]["shebaa_farms"] == {
        "en": "Har Dov / Shebaa Farms",
        "ar": "هار دوف / مزارع شبعا",
        "he": "הר דב / חוות שבעא",
    }
    assert set(lexicon["places"]) >= {p.key for p in arrangement.places}
    # The zones file carries no name of its own: one name, in one file.
    zones_file = json.loads((SHIPPED / "zones.geojson").read_text("utf-8"))
    assert not any(k.startswith("name_") for f in zones_file["features"] for k in f["properties"])


def test_a_zone_without_a_lexicon_entry_is_refused(shipped_copy: pathlib.Path) -> None:
    _edit(shipped_copy / "lexicon.toml", "[areas.economic_zone]", "[areas.economic_zone_x]")
    errors = _errors(shipped_copy)
    assert errors == [
        (
            "zones.geojson",
            "features[9].id",
            "no lexicon entry for the zone 'economic_zone': every name shown comes from the "
            "lexicon (add [areas.economic_zone] to lexicon.toml)",
        )
    ]


def test_a_name_written_beside_the_lexicon_is_refused(shipped_copy: pathlib.Path) -> None:
    _edit(
        shipped_copy / "zones.geojson",
        '"alpha_line_approx", "properties": {"kind": "line", ',
        '"alpha_line_approx", "properties": {"kind": "line", "name_en": "X", ',
    )
    errors = _errors(shipped_copy)
    assert [e[:2] for e in errors] == [("zones.geojson", "features[0].properties.name_en")]
    assert "the name comes from lexicon.toml [areas.alpha_line_approx]" in errors[0][2]


def test_a_place_without_a_lexicon_entry_is_refused(shipped_copy: pathlib.Path) -> None:
    _edit(shipped_copy / "lexicon.toml", "[places.al_rafid]", "[places.al_rafid_x]")
    errors = _errors(shipped_copy)
    assert [e[:2] for e in errors] == [("places.csv", "row 23.key")]
    assert "add [places.al_rafid] to lexicon.toml" in errors[0][2]


def test_a_force_is_named_by_the_lexicon(shipped_copy: pathlib.Path) -> None:
    _edit(
        shipped_copy / "arrangement.toml",
        "# ------------------------------------------------------------------------------ roles",
        '[[forces]]\nid = "sy_police"\nparty = "sy"\nkind = "police"\n\n',
    )
    shipped_forces = len(read_scenario(SHIPPED).forces)
    assert _errors(shipped_copy) == [
        (
            "arrangement.toml",
            f"forces[{shipped_forces}].id",
            "no lexicon entry for the force 'sy_police': every name shown comes from the "
            "lexicon (add [forces.sy_police] to lexicon.toml)",
        )
    ]
    with (shipped_copy / "lexicon.toml").open("a", encoding="utf-8") as f:
        f.write('\n[forces.sy_police]\nen = "Local police"\nar = "الشرطة المحلية"\n')
    arrangement = read_scenario(shipped_copy)
    assert arrangement.forces[-1].name == {"en": "Local police", "ar": "الشرطة المحلية"}


def test_an_unknown_incident_kind_in_the_lexicon_is_refused(shipped_copy: pathlib.Path) -> None:
    with (shipped_copy / "lexicon.toml").open("a", encoding="utf-8") as f:
        f.write('\n[kinds.skirmish]\nen = "Skirmish"\n')
    assert [e[:2] for e in _errors(shipped_copy)] == [("lexicon.toml", "kinds.skirmish")]


def test_a_scenario_without_a_lexicon_names_its_zones_inline() -> None:
    minimal = pathlib.Path(__file__).parent / "minimal"
    arrangement = read_scenario(minimal)
    assert "lexicon" not in arrangement.content
    assert all(zone.name["en"] for zone in arrangement.zones)


# --- the basemap


def test_the_shipped_basemap_is_the_shared_one_with_its_declared_layers() -> None:
    arrangement = read_scenario(SHIPPED)
    assert not (SHIPPED / "basemap").exists()  # shared, not copied
    layers = arrangement.basemap["layers"]
    assert arrangement.basemap["name"] == "levant_ne10m"
    assert [layer["id"] for layer in layers] == [
        "land",
        "disputed_areas",
        "boundaries",
        "physical",
        "towns",
    ]
    assert all(layer["legend"].keys() == {"en", "ar", "he"} for layer in layers)
    assert all(layer["source"] == "NE" for layer in layers)
    # The content (and its hash) covers the layers used, by their declaration and digest.
    assert [len(layer["sha256"]) for layer in arrangement.content["map"]["layers"]] == [64] * 5


def test_no_basemap_feature_carries_sovereignty_or_a_name_of_its_own() -> None:
    layers = {layer["id"]: layer for layer in read_scenario(SHIPPED).basemap["layers"]}
    for layer in layers.values():
        for feature in layer["data"]["features"]:
            properties = feature["properties"]
            assert set(properties) <= {"name", "disputed", "disputed_by"}
            assert properties.get("name", "areas.").split(".")[0] in ("areas", "places")
    disputed = {
        f["properties"]["name"]: f["properties"]["disputed_by"]
        for f in layers["disputed_areas"]["data"]["features"]
    }
    assert disputed == {
        "areas.golan_heights": ["areas.israel", "areas.syria"],
        "areas.gaza_strip": ["areas.israel", "areas.palestine"],
        "areas.west_bank": ["areas.israel", "areas.palestine"],
        "areas.shebaa_farms": ["areas.israel", "areas.lebanon", "areas.syria"],
    }
    # The Golan Heights are not inside any party's land polygon.
    land_names = [f["properties"]["name"] for f in layers["land"]["data"]["features"]]
    assert "areas.golan_heights" not in land_names


def test_a_local_basemap_folder_still_works(shipped_copy: pathlib.Path) -> None:
    _local_basemap(shipped_copy)
    arrangement = read_scenario(shipped_copy)
    assert arrangement.basemap["name"] == ""
    assert len(arrangement.basemap["layers"]) == 5


def test_the_hash_covers_the_basemap_layers_used(shipped_copy: pathlib.Path) -> None:
    folder = _local_basemap(shipped_copy)
    before = content_hash(read_scenario(shipped_copy))
    towns = folder / "towns.geojson"
    data = json.loads(towns.read_text("utf-8"))
    data["features"][0]["geometry"]["coordinates"][0] += 0.001
    towns.write_text(json.dumps(data), "utf-8")
    assert content_hash(read_scenario(shipped_copy)) != before


def test_a_basemap_label_without_a_lexicon_entry_is_refused(shipped_copy: pathlib.Path) -> None:
    folder = _local_basemap(shipped_copy)
    _edit(folder / "towns.geojson", '"places.damascus"', '"places.dimashq"')
    _edit(folder / "land.geojson", '"areas.jordan"', '"Jordan"')
    errors = _errors(shipped_copy)
    assert [e[:2] for e in errors] == [
        ("basemap/land.geojson", "features[4].properties.name"),
        ("basemap/towns.geojson", "features[23].properties.name"),
    ]
    assert "is not a lexicon reference" in errors[0][2]
    assert "no lexicon entry 'places.dimashq'" in errors[1][2]


def test_a_sovereignty_attribute_is_refused(shipped_copy: pathlib.Path) -> None:
    folder = _local_basemap(shipped_copy)
    _edit(folder / "land.geojson", '"areas.jordan"', '"areas.jordan","SOVEREIGNT":"Jordan"')
    errors = _errors(shipped_copy)
    assert errors == [
        (
            "basemap/land.geojson",
            "features[4].properties.SOVEREIGNT",
            "unknown key 'SOVEREIGNT' (expected: name, disputed, disputed_by)",
        )
    ]


def test_a_disputed_feature_needs_its_claimants_and_a_disputed_style(
    shipped_copy: pathlib.Path,
) -> None:
    folder = _local_basemap(shipped_copy)
    _edit(folder / "land.geojson", '"areas.jordan"', '"areas.jordan","disputed":true')
    errors = _errors(shipped_copy)
    assert [e[:2] for e in errors] == [
        ("basemap/land.geojson", "features[4].properties.disputed_by")
    ]
    _edit(
        folder / "land.geojson",
        '"disputed":true',
        '"disputed":true,"disputed_by":["areas.jordan"]',
    )
    errors = _errors(shipped_copy)
    assert [e[:2] for e in errors] == [("basemap/basemap.toml", "layers[0].disputed_style")]


def test_a_layer_file_not_declared_is_refused(shipped_copy: pathlib.Path) -> None:
    folder = _local_basemap(shipped_copy)
    shutil.copy(folder / "towns.geojson", folder / "villages.geojson")
    errors = _errors(shipped_copy)
    assert [e[:2] for e in errors] == [("basemap/villages.geojson", "")]


@pytest.mark.parametrize(
    ("old", "new", "field", "fragment"),
    [
        ('basemap = "levant_ne10m"', 'basemap = "nowhere"', "map.basemap", "unknown shared"),
        ("extent = [35.55,", "extent = [30.0,", "map.extent", "inside the arrangement's"),
        ('sources = ["GEONAMES",', 'sources = ["GEONAMEZ",', "map.sources[0]", "unknown source"),
    ],
)
def test_the_map_table_is_checked(
    shipped_copy: pathlib.Path, old: str, new: str, field: str, fragment: str
) -> None:
    _edit(shipped_copy / "arrangement.toml", old, new)
    errors = _errors(shipped_copy)
    assert [e[:2] for e in errors] == [("arrangement.toml", field)]
    assert fragment in errors[0][2]


def test_a_shared_and_a_local_basemap_together_are_refused(shipped_copy: pathlib.Path) -> None:
    shutil.copytree(SHARED_BASEMAPS / "levant_ne10m", shipped_copy / "basemap")
    errors = _errors(shipped_copy)
    assert [e[:2] for e in errors] == [("arrangement.toml", "map.basemap")]
