"""The shipped southern_syria_2026 scenario reads cleanly and hashes canonically."""

from __future__ import annotations

import json
import pathlib

import pytest
import shapely.geometry

from coordcell.rules import vocabulary
from coordcell.rules.scenario import check_scenario, content_hash, read_scenario
from tests.reference import DATA

from .conftest import SHIPPED

# The numbers of tests/data/disengagement_1974_limits.json (FRUS-83), written out so that
# a change to either side shows (test_it_matches_the_reference_limits_file compares them).
REFERENCE_LIMITS = {
    "AOL-10": {
        "max_personnel": 6000,
        "max_brigades": 2,
        "max_tanks": 75,
        "max_artillery_pieces": 36,
    },
    "AOL-20": {"max_artillery_pieces": 162, "max_artillery_range_km": 20},
    "AOL-25": {"max_surface_to_air_missiles": 0},
}

ZONE_IDS = [
    "alpha_line_approx",
    "bravo_line_approx",
    "area_of_separation_approx",
    "aol_A_0_10km",
    "aol_A_10_20km",
    "aol_A_20_25km",
    "aol_B_0_10km",
    "aol_B_10_20km",
    "aol_B_20_25km",
    "economic_zone",
    "hermon_part_approx",
]


def _edit(path: pathlib.Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_it_reads_the_shipped_scenario_without_errors() -> None:
    arrangement, errors = check_scenario(SHIPPED)
    assert errors == []
    assert arrangement is not None
    assert arrangement.key == "southern_syria_2026"
    assert arrangement.region_crs == "EPSG:32636"
    assert arrangement.region_bbox == (34.5, 31.5, 37.5, 34.5)
    assert arrangement.valid_from.isoformat() == "1974-05-31"  # the 1974 baseline


def test_it_has_the_eleven_zone_ids() -> None:
    arrangement = read_scenario(SHIPPED)
    assert [zone.id for zone in arrangement.zones] == ZONE_IDS


def test_it_lists_the_parties_and_every_role() -> None:
    arrangement = read_scenario(SHIPPED)
    assert [(p.code, p.kind) for p in arrangement.parties] == [
        ("il", "party"),
        ("sy", "party"),
        ("us", "mediator"),
        ("undof", "monitor"),
        ("jo", "observer"),
        ("icrc", "observer"),  # the agreed access body of [humanitarian] (issue 18)
    ]
    assert [r.code for r in arrangement.roles] == list(vocabulary.ROLES)
    for named in [*arrangement.parties, *arrangement.roles]:
        assert set(named.name) == set(vocabulary.LANGUAGES)


def test_it_takes_the_limits_from_the_1974_reference() -> None:
    clauses = {clause.id: clause for clause in read_scenario(SHIPPED).clauses}
    for clause_id, limits in REFERENCE_LIMITS.items():
        assert clauses[clause_id].limits == limits
    assert clauses["AOL-10"].zones == ("aol_A_0_10km", "aol_B_0_10km")
    assert clauses["AOL-20"].zones == ("aol_A_10_20km", "aol_B_10_20km")
    assert len(clauses["AOL-25"].zones) == 6
    assert "surface_to_air_missiles" in clauses["AOL-25"].prohibited


def test_it_matches_the_reference_limits_file() -> None:
    reference = json.loads((DATA / "disengagement_1974_limits.json").read_text())
    bands = {(band["from_km"], band["to_km"]): band for band in reference["areas_of_limitation"]}
    for (low, high), clause_id in (((0, 10), "AOL-10"), ((10, 20), "AOL-20")):
        expected = {k: v for k, v in bands[(low, high)].items() if k in vocabulary.LIMIT_KEYS}
        assert REFERENCE_LIMITS[clause_id] == expected
    assert bands[(0, 25)]["surface_to_air_missiles_allowed"] is False


def test_it_keeps_the_reference_geometry_exactly() -> None:
    reference = json.loads((DATA / "derived_undof_lines_and_aol.geojson").read_text())
    expected = {f["properties"]["id"]: f["geometry"] for f in reference["features"]}
    zones = {zone.id: zone for zone in read_scenario(SHIPPED).zones}
    for zone_id, geometry in expected.items():
        assert zones[zone_id].geometry == geometry
        assert zones[zone_id].derived is True


def test_it_draws_the_economic_zone_across_both_lines() -> None:
    zones = {zone.id: zone for zone in read_scenario(SHIPPED).zones}
    economic = shapely.geometry.shape(zones["economic_zone"].geometry)
    assert economic.is_valid
    assert zones["economic_zone"].illustrative is True
    for other in ("alpha_line_approx", "bravo_line_approx", "aol_A_0_10km", "aol_B_0_10km"):
        assert economic.intersects(shapely.geometry.shape(zones[other].geometry)), other


def test_it_computes_each_zone_bbox_from_its_geometry() -> None:
    for zone in read_scenario(SHIPPED).zones:
        assert zone.bbox == shapely.geometry.shape(zone.geometry).bounds
    zones = {zone.id: zone for zone in read_scenario(SHIPPED).zones}
    assert zones["economic_zone"].bbox == (35.745, 33.245, 35.945, 33.335)


def test_it_keeps_al_rafid_without_coordinates() -> None:
    places = {place.key: place for place in read_scenario(SHIPPED).places}
    assert len(places) == 22
    assert (places["al_rafid"].lat, places["al_rafid"].lon) == (None, None)
    assert (places["quneitra"].lat, places["quneitra"].lon) == (33.12595, 35.82461)


def test_it_reads_the_fictional_demo_data() -> None:
    demo = read_scenario(SHIPPED).demo
    assert demo is not None
    assert "Fictional" in demo.notice["en"]
    assert [p.code for p in demo.parties] == ["donor_a", "donor_b"]
    assert [d.party for d in demo.delegations] == [
        "il", "sy", "us", "undof", "jo", "icrc", "donor_a", "donor_b"
    ]  # fmt: skip
    accounts = {a.username: (a.party, a.roles) for a in demo.accounts}
    assert accounts["mediator"] == ("us", ("principal", "cell_administrator"))
    for role in ("liaison_officer", "analyst", "cell_administrator"):
        # Balanced: both parties get each party role exactly once.
        holders = sorted(p for p, roles in accounts.values() if role in roles and p in ("il", "sy"))
        assert holders == ["il", "sy"]


def test_it_reads_the_demo_story_into_steps() -> None:
    demo = read_scenario(SHIPPED).demo
    assert demo is not None
    steps = {s.key: s for s in demo.story if s.key}
    assert [s.do for s in demo.story].count("report_and_lodge") == 7
    assert sorted(steps) == [
        "access", "berm", "cbm_hotline_drill", "cmt_il_strip", "cmt_sy_strip", "convoy",
        "convoy_public", "convoy_release", "convoy_report", "convoy_widen", "demolition",
        "detainee_a", "detainee_b", "drone", "ext_drill", "ez_coops", "ez_ski", "ez_wind",
        "harvest_access", "hermon", "hermon_name", "late_move", "launcher", "mortar",
        "mtg_deescalation", "mtg_security", "near_site", "night_shift", "notice", "orchard",
        "patrol", "phase_1", "phase_1_new_date", "phase_2", "post_after_freeze",
        "prop_widen", "raid", "relief_agency", "rpg", "rpg_relay", "sam", "shots", "strike",
        "urgent_request", "vehicles", "weekly_assessment", "works_site",
    ]  # fmt: skip
    berm = steps["berm"]
    assert (berm.by, berm.respondent, berm.incident.kind) == ("sy.liaison", "il", "fortification")
    assert berm.incident.geometry == {"type": "Point", "coordinates": [35.819, 33.118]}
    assert (berm.incident.occurred_minutes_before, berm.incident.time_precision) == (240, "hour")
    assert steps["patrol"].extra_audience == ("jo",)
    actions = [(s.case, s.action, s.by) for s in demo.story if s.do == "act"]
    assert ("hermon", "escalate", "sy.liaison") in actions
    assert ("sam", "determine", "mediator") in actions
    converted = next(s for s in demo.story if s.do == "convert_call")
    assert (converted.call, converted.respondent) == ("shots", "sy")


def test_it_labels_every_text_of_the_story_fictional() -> None:
    demo = read_scenario(SHIPPED).demo
    assert demo is not None
    texts = [
        text
        for s in demo.story
        for text in (
            s.text, s.summary, s.subject, s.threat, s.action_requested,
            s.incident.title if s.incident else "", s.contact,
            *(r.what for r in s.remedies), s.notice.get("description", ""),
            *(x for spec in (s.item, s.below) if spec for x in (spec.title, spec.text)),
            *((s.harm or {}).get(k, "") for k in ("note", "description", "reason")),
        )
        if text
    ]  # fmt: skip
    # 5 summaries and titles, 11 step texts, 3 subjects, 2 answers; the thread's 4 subjects
    # and texts, the warnings' 6 threats and requests and 7 step texts, the strike's title;
    # the last block's 2 summaries and titles, 5 step texts and 1 remedy; the desks' 3
    # contact details and 1 handover note; the positions' dispute summary (verification's
    # texts: tests/unit/scenario/test_verification_story.py); advance notification's 3
    # notices and 1 incident title; sharing's 3 reasons and notes and the 4 items' titles
    # and texts; civilian harm's summary and title, 2 property notes, the access request's
    # description and its answer's reason; the raid's incident title (the detainees' texts:
    # tests/integration/humanitarian/test_humanitarian_story.py)
    assert len(texts) == 78
    assert all("fictional" in text for text in texts)


def test_it_reports_every_key_a_kind_of_step_does_not_take(shipped_copy: pathlib.Path) -> None:
    _edit(
        shipped_copy / "demo.toml",
        'action = "acknowledge"\ntext = "Received.',
        'action = "acknowledge"\ncallee = "sy"\ntext = "Received.',
    )
    arrangement, errors = check_scenario(shipped_copy)
    assert arrangement is None
    assert [(e.file, e.field) for e in errors] == [("demo.toml", "story[1].callee")]
    assert errors[0].message.startswith("unknown key 'callee' (expected: do, by, key, case,")


def test_it_loads_the_basemap_layers_it_declares() -> None:
    basemap = read_scenario(SHIPPED).basemap
    assert [layer["id"] for layer in basemap["layers"]] == [
        "land",
        "disputed_areas",
        "boundaries",
        "physical",
        "towns",
    ]
    assert all(layer["data"]["type"] == "FeatureCollection" for layer in basemap["layers"])


def test_it_builds_json_content_without_demo_or_basemap() -> None:
    content = read_scenario(SHIPPED).content
    assert "demo" not in content
    assert "basemap" not in content
    assert content["valid_from"] == "1974-05-31"
    assert json.loads(json.dumps(content)) == content


def test_it_hashes_the_content_stably_across_two_reads() -> None:
    first = content_hash(read_scenario(SHIPPED))
    second = content_hash(read_scenario(SHIPPED))
    assert first == second
    assert len(first) == 64


def test_it_changes_the_hash_when_a_limit_changes(shipped_copy: pathlib.Path) -> None:
    before = content_hash(read_scenario(shipped_copy))
    _edit(shipped_copy / "arrangement.toml", "max_tanks = 75", "max_tanks = 76")
    after = read_scenario(shipped_copy)
    assert content_hash(after) != before
    assert {c.id: c for c in after.clauses}["AOL-10"].limits["max_tanks"] == 76


def test_it_keeps_the_hash_when_only_formatting_changes(shipped_copy: pathlib.Path) -> None:
    before = content_hash(read_scenario(shipped_copy))
    _edit(shipped_copy / "arrangement.toml", "max_tanks = 75,", "max_tanks   =   75.0 ,")
    arrangement_file = shipped_copy / "arrangement.toml"
    arrangement_file.write_text(
        "# a new comment\n\n" + arrangement_file.read_text("utf-8"), "utf-8"
    )
    zones_file = shipped_copy / "zones.geojson"
    zones_file.write_text(json.dumps(json.loads(zones_file.read_text("utf-8")), indent=4), "utf-8")
    assert content_hash(read_scenario(shipped_copy)) == before


def test_it_leaves_the_demo_out_of_the_hash(shipped_copy: pathlib.Path) -> None:
    before = content_hash(read_scenario(shipped_copy))
    _edit(
        shipped_copy / "demo.toml", "Exercise Mediator (fictional)", "Another Mediator (fictional)"
    )
    assert content_hash(read_scenario(shipped_copy)) == before


def test_it_reads_each_clause_status_and_who_disputes_it() -> None:
    clauses = {c.id: c for c in read_scenario(SHIPPED).clauses}
    assert (clauses["B.3"].status, clauses["B.3"].disputed_by) == ("disputed", ("il",))
    assert (clauses["EZ-2026"].status, clauses["EZ-2026"].disputed_by) == ("illustrative", ())
    assert clauses["B.1"].parameters == {"forces_side": "west"}
    assert clauses["B.4"].parameters == {"forces_side": "east"}


@pytest.mark.parametrize(
    ("old", "new", "field", "fragment"),
    [
        ('status = "illustrative"  # the scenario drew', 'status = "contested"  # x',
         "status", "unknown clause status 'contested'"),
        ('status = "illustrative"  # the scenario drew',
         'status = "illustrative"\ndisputed_by = ["sy"]  # x',
         "disputed_by", "only a disputed clause names who disputes it"),
        ('disputed_by = ["il"]\nprohibited = ["fire"]',
         'disputed_by = ["xx"]\nprohibited = ["fire"]',
         "disputed_by[0]", "unknown party 'xx'"),
    ],
)  # fmt: skip
def test_it_checks_the_status_of_a_clause(shipped_copy, old, new, field, fragment) -> None:
    path = shipped_copy / "arrangement.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    _, errors = check_scenario(shipped_copy)
    assert len(errors) == 1
    assert errors[0].field.endswith(field)
    assert fragment in errors[0].message


def test_it_reads_the_thread_and_warning_steps() -> None:
    demo = read_scenario(SHIPPED).demo
    assert demo is not None
    steps = {s.key: s for s in demo.story if s.key}
    held = next(s for s in demo.story if s.commitment == "hold_fire")
    assert (held.call, held.commitment_minutes) == ("rpg", 120)
    assert steps["rpg_relay"].via_mediator
    assert next(s for s in demo.story if s.do == "relay").message == "rpg_relay"
    launcher = steps["launcher"]
    assert (launcher.addressee, launcher.window_hours, launcher.passed_minutes_before) == (
        "sy", 2.0, 300,
    )  # fmt: skip
    assert launcher.geometry == {"type": "Point", "coordinates": [35.865, 33.105]}
    assert steps["mortar"].include_monitors
    claim = next(s for s in demo.story if s.do == "self_defence")
    assert (claim.incident_key, claim.warning) == ("strike", "launcher")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('do = "relay"\nby = "mediator"\nmessage = "rpg_relay"',
         'do = "relay"\nby = "mediator"\nmessage = "nope"', "message"),
        ('commitment = "hold_fire"\ncommitment_minutes = 120', 'commitment = "hold_fire"',
         "commitment_minutes"),
        ('outcome = "acted_in_time"', 'outcome = "acted"', "outcome"),
        ('incident_key = "strike"\nwarning = "launcher"',
         'incident_key = "strike"\nwarning = "rpg"', "warning"),
        ("window_hours = 6", "window_hours = 0", "window_hours"),
        ("window_hours = 6", "window_hours = 169", "window_hours"),
    ],
)  # fmt: skip
def test_it_reports_bad_thread_and_warning_steps(
    shipped_copy: pathlib.Path, old: str, new: str, field: str
) -> None:
    _edit(shipped_copy / "demo.toml", old, new)
    arrangement, errors = check_scenario(shipped_copy)
    assert arrangement is None
    assert [e.field.rsplit(".", 1)[-1] for e in errors] == [field]


def test_it_reads_a_determinations_remedy_and_checks_it(shipped_copy: pathlib.Path) -> None:
    demo = read_scenario(SHIPPED).demo
    assert demo is not None
    determined = next(s for s in demo.story if s.case == "vehicles" and s.action == "determine")
    [remedy] = determined.remedies
    assert (remedy.owner, remedy.due_hours, remedy.verifier) == ("il", 96, "undof")

    _edit(
        shipped_copy / "demo.toml",
        'owner = "il"\ndue_hours = 96\nverifier = "undof"',
        'owner = "jo"\ndue_hours = 0.5\nverifier = "us"\nwhen = 1',
    )
    arrangement, errors = check_scenario(shipped_copy)
    assert arrangement is None
    where = "story[42].remedies[0]"
    assert sorted((e.field, e.message.split(" (")[0]) for e in errors) == [
        (f"{where}.due_hours", "must not be negative"),
        (f"{where}.owner", "unknown owner 'jo'"),
        (f"{where}.verifier", "unknown verifier 'us'"),
        (f"{where}.when", "unknown key 'when'"),
    ]


def test_it_reads_the_proposals_steps_and_refuses_a_text_not_labelled_fictional(
    shipped_copy: pathlib.Path,
) -> None:
    demo = read_scenario(SHIPPED).demo
    assert demo is not None
    steps = [s for s in demo.story if s.proposals is not None]
    assert [s.do for s in steps].count("take_position") == 6
    tabled = next(s for s in steps if s.do == "table_proposal")
    assert tabled.proposals is not None
    assert tabled.proposals["audience"] == ["il", "sy", "undof"]
    assert [op["op"] for op in tabled.proposals["change"]] == ["zone_geometry"]
    texts = [
        str(s.proposals[k])
        for s in steps
        for k in ("title", "text", "evidence", "reason")
        if s.proposals is not None and s.proposals.get(k)
    ]
    assert texts
    assert all("fictional" in t.lower() for t in texts)
    _edit(
        shipped_copy / "demo.toml",
        'text = "Done in full, ahead of time (fictional exercise)."',
        'text = "Done in full, ahead of time."',
    )
    arrangement, errors = check_scenario(shipped_copy)
    assert arrangement is None
    assert [e.file for e in errors] == ["demo.toml"]
    assert errors[0].field.endswith(".text")
    assert "fictional" in errors[0].message
