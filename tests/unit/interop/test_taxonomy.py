"""The incident taxonomy: a closed vocabulary, its activities, and the source mappings."""

from __future__ import annotations

import json
import re

import pytest

from coordcell.rules import taxonomy
from coordcell.rules.taxonomy import (
    ACLED_MAPPING,
    KINDS,
    UCDP_MAPPING,
    UnknownEventType,
    UnknownKind,
    activities,
    from_acled,
    from_ucdp,
    label,
    possible_activities,
)
from coordcell.rules.vocabulary import PROHIBITED_ACTIVITIES

from .conftest import HERE, reference

ROOT = HERE.parents[2]


def _acled_schema_pairs() -> set[tuple[str, str]]:
    schema = json.loads(reference("acled_schema.json").read_text(encoding="utf-8"))
    return {
        (event_type, sub["sub_event_type"])
        for event_type, subs in schema["event_types"].items()
        for sub in subs
    }


def test_it_maps_every_acled_pair_of_the_schema_and_nothing_else() -> None:
    pairs = _acled_schema_pairs()
    assert len(pairs) == 25
    assert len({t for t, _ in pairs}) == 6
    assert set(ACLED_MAPPING) == pairs
    for event_type, sub_event_type in pairs:
        assert from_acled(event_type, sub_event_type) in KINDS


def test_it_maps_acled_pairs_to_the_expected_kinds() -> None:
    assert from_acled("Battles", "Armed clash") == "armed_clash"
    assert from_acled("Explosions/Remote violence", "Air/drone strike") == "air_or_drone_strike"
    assert (
        from_acled("Explosions/Remote violence", "Shelling/artillery/missile attack")
        == "shelling_artillery"
    )
    assert from_acled("Strategic developments", "Headquarters or base established") == (
        "fortification"
    )
    assert from_acled("Violence against civilians", "Attack") == "attack_on_civilians"


def test_it_ignores_case_and_spacing_in_acled_names() -> None:
    assert from_acled(" battles ", "ARMED  clash") == "armed_clash"


def test_it_names_an_unknown_acled_event_type() -> None:
    with pytest.raises(UnknownEventType, match=r"unknown ACLED event type 'X' / sub-event 'Y'"):
        from_acled("X", "Y")


def test_it_names_an_unknown_acled_sub_event_type_of_a_known_type() -> None:
    with pytest.raises(
        UnknownEventType,
        match=r"unknown ACLED sub-event type 'Tank battle' for event type 'Battles' "
        r"\(known: Armed clash, ",
    ):
        from_acled("Battles", "Tank battle")


def test_it_maps_ucdp_types_of_violence() -> None:
    assert from_ucdp(1) == "armed_clash"
    assert from_ucdp(2) == "armed_clash"
    assert from_ucdp(3) == "attack_on_civilians"
    assert set(UCDP_MAPPING) == {1, 2, 3}


@pytest.mark.parametrize("code", [0, 4, -1, True])
def test_it_rejects_unknown_ucdp_types(code: int) -> None:
    with pytest.raises(UnknownEventType, match=r"unknown UCDP type_of_violence"):
        from_ucdp(code)


def test_it_gives_every_kind_a_label_and_known_activities() -> None:
    assert len(set(KINDS)) == len(KINDS)
    for kind in KINDS:
        assert re.fullmatch(r"[a-z][a-z_]*", kind)
        assert label(kind)
        assert activities(kind) <= set(PROHIBITED_ACTIVITIES)
        assert possible_activities(kind) <= set(PROHIBITED_ACTIVITIES)
        assert not activities(kind) & possible_activities(kind)


def test_it_implies_the_activities_clauses_prohibit() -> None:
    assert activities("armed_clash") == {"fire", "military_presence"}
    assert activities("shelling_artillery") == {"fire"}
    assert "artillery_over_range" in possible_activities("shelling_artillery")
    assert activities("air_or_drone_strike") == {"fire", "overflight"}
    assert activities("overflight") == {"overflight"}
    assert activities("troop_movement") == {"military_presence"}
    assert activities("fortification") == {"fortification", "military_presence"}
    assert activities("military_observation") == {"military_observation"}
    assert "surface_to_air_missiles" in activities("sam_deployment")
    assert activities("remote_explosive") == {"fire"}
    assert activities("attack_on_civilians") == {"fire"}
    for kind in ("protest", "riot", "arrest", "looting_destruction", "non_violent_transfer"):
        assert activities(kind) == frozenset()
    assert activities("other") == frozenset()


def test_every_activity_is_implied_by_some_kind() -> None:
    implied = set().union(*(activities(k) | possible_activities(k) for k in KINDS))
    # Crossing a line is decided by the geometry (a reported movement of forces whose path
    # crosses the line), not by the kind alone.
    assert implied == set(PROHIBITED_ACTIVITIES) - {"line_crossing"}


def test_it_rejects_an_unknown_kind() -> None:
    with pytest.raises(UnknownKind, match=r"unknown incident kind 'shooting'"):
        label("shooting")
    with pytest.raises(UnknownKind):
        activities("shooting")


def test_it_marks_labels_for_translation_without_django() -> None:
    source = (ROOT / "src" / "coordcell" / "rules" / "taxonomy.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+django", source, re.M)
    assert taxonomy.gettext_noop("x") == "x"
    assert source.count('gettext_noop("') >= len(KINDS)


def test_the_docs_list_every_kind_and_every_acled_pair() -> None:
    docs = (ROOT / "docs" / "taxonomy.md").read_text(encoding="utf-8")
    for kind in KINDS:
        assert f"`{kind}`" in docs, f"{kind} is not in docs/taxonomy.md"
    for event_type, sub_event_type in ACLED_MAPPING:
        assert f"| {event_type} | {sub_event_type} |" in docs, (event_type, sub_event_type)
