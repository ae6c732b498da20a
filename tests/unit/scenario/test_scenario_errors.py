"""Each broken fixture is the minimal scenario with one defect; the reader names it exactly."""

from __future__ import annotations

import pathlib

import pytest

from coordcell.rules.scenario import (
    ScenarioError,
    ScenarioInvalid,
    check_scenario,
    read_scenario,
)

from .conftest import HERE

BROKEN = HERE / "broken"

# case folder -> (file, field, a fragment the message must contain)
CASES = {
    "missing_arrangement": ("arrangement.toml", "", "required file is missing"),
    "missing_zones": ("zones.geojson", "", "required file is missing"),
    "invalid_toml": ("arrangement.toml", "", "invalid TOML"),
    "invalid_json": ("zones.geojson", "", "invalid JSON: Expecting ',' delimiter (at line 2"),
    "self_intersecting_polygon": ("zones.geojson", "features[1].geometry", "Self-intersection"),
    "unclosed_ring": ("zones.geojson", "features[1].geometry.coordinates[0]", "not closed"),
    "clause_unknown_zone": ("arrangement.toml", "clauses[0].zones[0]", "unknown zone 'area_b'"),
    "clause_unknown_party": ("arrangement.toml", "clauses[0].parties[1]", "unknown party 'p3'"),
    "clause_status_missing": ("arrangement.toml", "clauses[0].status", "missing required key"),
    "clause_disputed_without_party": (
        "arrangement.toml",
        "clauses[1].disputed_by",
        "must name the party or parties disputing it",
    ),
    "clause_forces_side_without_line": (
        "arrangement.toml",
        "clauses[0].parameters.forces_side",
        "must prohibit 'line_crossing'",
    ),
    "negative_limit": ("arrangement.toml", "clauses[1].limits.max_tanks", "must not be negative"),
    "unknown_key": ("arrangement.toml", "parties[1].colour", "unknown key 'colour'"),
    "bad_latitude_in_places": ("places.csv", "row 2.lat", "out of range"),
    "duplicate_zone_id": ("zones.geojson", "features[1].id", "duplicate zone id 'area_a'"),
    "wrong_geometry_kind": ("zones.geojson", "features[0].geometry.type", "LineString"),
    "out_of_region": (
        "zones.geojson",
        "features[1].geometry.coordinates[0][1]",
        "outside the arrangement's region_bbox",
    ),
    "date_order": ("arrangement.toml", "clauses[1].effective_until", "before effective_from"),
    "bad_time_zone": ("arrangement.toml", "time_zone", "not a known IANA time zone"),
    "bad_effective_time": ("arrangement.toml", "clauses[1].effective_from", "not a date-time"),
    "time_order": ("arrangement.toml", "clauses[1].effective_until", "before effective_from"),
    "missing_english_name": ("arrangement.toml", "parties[1].name.en", "English name"),
    "empty_ladder": ("arrangement.toml", "protocols[0].ladder", "at least one step"),
    "ladder_first_level_eligible": (
        "arrangement.toml",
        "protocols[0].ladder[0].eligible_after_hours",
        "the first level is where a case starts",
    ),
    "precedence_first_response_too_long": (
        "arrangement.toml",
        "protocols[0].precedence[0].first_response_within_hours",
        "3 h is longer than answer_within_hours 2 h",
    ),
    "precedence_duplicate_code": (
        "arrangement.toml",
        "protocols[0].precedence[1].code",
        "flash",
    ),
    "ladder_unknown_owner": (
        "arrangement.toml",
        "protocols[0].ladder[0].owner",
        "unknown ladder owner 'the_press'",
    ),
    "no_complaints_protocol": (
        "arrangement.toml",
        "protocols",
        "no protocol serves 'complaints': the cell needs one for its complaints "
        '(add serves = "complaints" to one [[protocols]] table)',
    ),
    "protocol_serves_twice": (
        "arrangement.toml",
        "protocols[2].serves",
        "only one protocol may serve 'hotline': protocols[0] already does",
    ),
    "feature_without_id": ("zones.geojson", "features[0].id", "move properties.id 'line_a'"),
    "wrong_places_header": ("places.csv", "header", "missing column(s) lat"),
    "zone_bad_style": (
        "zones.geojson",
        "features[1].properties.style.color",
        "'red' is not a valid colour (#rrggbb)",
    ),
    "zone_line_with_fill": (
        "zones.geojson",
        "features[0].properties.style.fill",
        "a line zone has no fill",
    ),
    "demo_unknown_party": ("demo.toml", "accounts[0].party", "unknown party 'p9'"),
    "demo_unknown_witness": ("demo.toml", "witnesses[1]", "unknown party 'p9' (known: p1, p2)"),
    "demo_witness_without_administrator": (
        "demo.toml",
        "witnesses[0]",
        "party 'p1' has no account with the role 'cell_administrator'",
    ),
    "story_unknown_account": ("demo.toml", "story[1].by", "unknown account 'p3.liaison'"),
    "story_unknown_case": (
        "demo.toml",
        "story[1].case",
        "'c2' is not the key of an earlier step that lodges a case",
    ),
    "story_not_fictional": ("demo.toml", "story[0].summary", "must say it is fictional"),
    "story_point_outside_region": (
        "demo.toml",
        "story[0].incident.geometry.coordinates",
        "[36.5, 32.5] is outside the arrangement's region_bbox",
    ),
    "story_answer_without_text": ("demo.toml", "story[1].text", "missing required key 'text'"),
    "story_respondent_own_party": (
        "demo.toml",
        "story[0].respondent",
        "'p1' is the party of the person who acts",
    ),
}


def test_it_reads_the_minimal_scenario_the_fixtures_are_based_on() -> None:
    arrangement, errors = check_scenario(HERE / "minimal")
    assert errors == []
    assert arrangement is not None
    assert [zone.id for zone in arrangement.zones] == ["line_a", "area_a"]


def test_it_has_a_test_for_every_broken_fixture() -> None:
    folders = {path.name for path in BROKEN.iterdir() if path.is_dir()}
    assert folders == set(CASES) | {"two_defects"}


@pytest.mark.parametrize(("case", "expected"), CASES.items(), ids=list(CASES))
def test_it_reports_the_exact_file_and_field_of_the_defect(
    case: str, expected: tuple[str, str, str]
) -> None:
    file, field, fragment = expected
    arrangement, errors = check_scenario(BROKEN / case)
    assert arrangement is None
    assert [(error.file, error.field) for error in errors] == [(file, field)]
    assert fragment in errors[0].message


def test_it_reports_the_line_of_a_toml_syntax_error() -> None:
    _, errors = check_scenario(BROKEN / "invalid_toml")
    assert "(at line 5, column" in errors[0].message


def test_it_reports_both_defects_of_a_scenario_with_two() -> None:
    _, errors = check_scenario(BROKEN / "two_defects")
    assert [(error.file, error.field) for error in errors] == [
        ("arrangement.toml", "clauses[1].limits.max_tanks"),
        ("places.csv", "row 2.lat"),
    ]


def test_it_raises_scenario_invalid_listing_every_error_one_per_line() -> None:
    with pytest.raises(ScenarioInvalid) as caught:
        read_scenario(BROKEN / "two_defects")
    assert len(caught.value.errors) == 2
    assert str(caught.value).splitlines() == [str(error) for error in caught.value.errors]


def test_it_formats_an_error_as_file_field_message() -> None:
    error = ScenarioError("arrangement.toml", "clauses[3].zones[1]", "unknown zone 'aol_C'")
    assert str(error) == "arrangement.toml: clauses[3].zones[1]: unknown zone 'aol_C'"
    assert str(ScenarioError("zones.geojson", "", "invalid JSON")) == "zones.geojson: invalid JSON"


def test_it_reports_a_folder_that_does_not_exist(tmp_path: pathlib.Path) -> None:
    arrangement, errors = check_scenario(tmp_path / "nowhere")
    assert arrangement is None
    assert [(error.file, error.field) for error in errors] == [("", "")]
