"""The ``[talks]`` table (tracks, standing items, automatic items, venue) and the story's
talks steps: read from both shipped scenarios, stored in the content, and refused with a
field's error when wrong."""

from __future__ import annotations

import pathlib

import pytest

from coordcell.rules.arrangement import AGENDA_SOURCES, talks_from_content
from coordcell.rules.scenario import check_scenario, read_scenario

from .conftest import SHIPPED

SINAI = SHIPPED.parent / "sinai_1979"


@pytest.mark.parametrize("folder", [SHIPPED, SINAI], ids=lambda p: p.name)
def test_both_shipped_scenarios_state_their_tracks(folder: pathlib.Path) -> None:
    arrangement = read_scenario(folder)
    spec = arrangement.talks
    assert spec is not None
    assert spec.tracks
    assert spec.venue in {p.key for p in arrangement.places}
    assert all(set(t.name) == {"en", "ar", "he"} for t in spec.tracks)
    assert {a.source for a in spec.automatic_items} <= set(AGENDA_SOURCES)
    # What is stored is what is read back.
    assert talks_from_content(arrangement.content["talks"]) == spec


def test_the_default_scenario_has_its_four_tracks_and_standing_items() -> None:
    spec = read_scenario(SHIPPED).talks
    assert spec is not None
    assert [t.id for t in spec.tracks] == ["security", "deescalation", "diplomatic", "commercial"]
    assert spec.venue == "amman"
    assert [i.id for i in spec.standing_for(["security"])] == [
        "advance_notice",
        "past_incidents",
        "detainees",
    ]
    assert [i.id for i in spec.standing_for(["commercial"])] == []
    assert spec.sources_for(["deescalation"]) == ("cases.past_deadline",)
    assert spec.sources_for(["commercial"]) == ()


def test_a_scenario_without_the_table_keeps_its_content(shipped_copy: pathlib.Path) -> None:
    path = shipped_copy / "arrangement.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.split("# ---------------------------------------------------------------"
                              "--------------- talks")[0], encoding="utf-8")  # fmt: skip
    demo = shipped_copy / "demo.toml"
    demo.write_text(demo.read_text(encoding="utf-8").split("# ----------------------------"
                    "--------------------------------------- talks (issue 16)")[0],
                    encoding="utf-8")  # fmt: skip
    arrangement, errors = check_scenario(shipped_copy)
    assert errors == []
    assert arrangement is not None
    assert arrangement.talks is None
    assert "talks" not in arrangement.content


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ('venue = "amman"', 'venue = "atlantis"', "talks.venue", "unknown place 'atlantis'"),
        ('id = "deescalation"', 'id = "security"', "talks.tracks[1].id", "duplicate track id"),
        ('tracks = ["security", "diplomatic"]', 'tracks = ["security", "space"]',
         "talks.standing_items[2].tracks[1]", "unknown track 'space'"),
        ('source = "cases.past_deadline"', 'source = "weather.storms"',
         "talks.automatic_items[0].source", "unknown agenda source 'weather.storms'"),
    ],
)  # fmt: skip
def test_wrong_data_is_an_error_at_its_field(
    shipped_copy: pathlib.Path, old: str, new: str, where: str, message: str
) -> None:
    path = shipped_copy / "arrangement.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    arrangement, errors = check_scenario(shipped_copy)
    assert arrangement is None
    assert any(e.field == where and message in e.message for e in errors), errors


def test_the_story_refuses_an_unknown_meeting_and_an_unlabelled_text(
    shipped_copy: pathlib.Path,
) -> None:
    demo = shipped_copy / "demo.toml"
    text = demo.read_text(encoding="utf-8")
    demo.write_text(
        text.replace('meeting = "mtg_deescalation"\n', 'meeting = "mtg_nowhere"\n', 1).replace(
            'title = "Water supply near the crossing (fictional)"', 'title = "Water supply"'
        ),
        encoding="utf-8",
    )
    _arrangement, errors = check_scenario(shipped_copy)
    messages = [e.message for e in errors]
    assert any("'mtg_nowhere' is not the key of an earlier step" in m for m in messages), errors
    assert any("must say it is fictional" in m for m in messages), errors
