"""The ``[humanitarian]`` table and the story's detainee steps: the agreed access bodies
(parties of kind monitor or observer only), the default deadlines, stored in the content
and read back, and refused with a field's error when wrong."""

from __future__ import annotations

import pathlib

import pytest

from coordcell.rules.arrangement import humanitarian_from_content
from coordcell.rules.scenario import check_scenario, read_scenario

from .conftest import SHIPPED

SINAI = SHIPPED.parent / "sinai_1979"


def test_the_shipped_scenario_names_the_icrc_and_the_deadlines() -> None:
    arrangement = read_scenario(SHIPPED)
    spec = arrangement.humanitarian
    assert spec is not None
    assert (spec.access_bodies, spec.release_within_hours, spec.access_within_hours) == (
        ("icrc",),
        72.0,
        48.0,
    )
    assert humanitarian_from_content(arrangement.content["humanitarian"]) == spec


def test_a_scenario_without_the_table_has_no_access_body() -> None:
    arrangement = read_scenario(SINAI)
    assert arrangement.humanitarian is None
    assert "humanitarian" not in arrangement.content


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ('access_bodies = ["icrc"]', 'access_bodies = ["il"]', "humanitarian.access_bodies[0]",
         "kind monitor or observer, not 'party'"),
        ('access_bodies = ["icrc"]', 'access_bodies = ["us"]', "humanitarian.access_bodies[0]",
         "not 'mediator'"),
        ('access_bodies = ["icrc"]', 'access_bodies = ["redcross"]',
         "humanitarian.access_bodies[0]", "unknown party 'redcross'"),
        ("release_within_hours = 72", "release_within_hours = 0",
         "humanitarian.release_within_hours", ""),
        ("access_within_hours = 48", "access_within_hours = 1000",
         "humanitarian.access_within_hours", "at most 720 hours"),
        ("access_within_hours = 48", 'access_within_hours = 48\nprotocol = "nope"',
         "humanitarian.protocol", ""),
        ("access_within_hours = 48", "access_within_hours = 48\nextra = 1",
         "humanitarian.extra", ""),
    ],
)  # fmt: skip
def test_it_refuses_a_wrong_humanitarian_table(
    shipped_copy: pathlib.Path, old: str, new: str, where: str, message: str
) -> None:
    path = shipped_copy / "arrangement.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    arrangement, errors = check_scenario(shipped_copy)
    assert arrangement is None
    assert any(e.field == where and message in e.message for e in errors), errors


def test_the_story_labels_its_persons_fictional_and_refuses_an_unknown_file(
    shipped_copy: pathlib.Path,
) -> None:
    demo = read_scenario(shipped_copy).demo
    assert demo is not None
    opened = [s.humanitarian for s in demo.story if s.do == "open_person_file"]
    assert [o["name"] for o in opened if o] == ["Fictional Person Alpha", "Fictional Person Bravo"]
    for options in opened:
        assert options is not None
        for key in ("name", "details", "statement"):
            assert "fictional" in options[key].lower()
    path = shipped_copy / "demo.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('name = "Fictional Person Bravo"', 'name = "Person Bravo"')
    text = text.replace('file = "detainee_a"\nparty = "il"', 'file = "nobody"\nparty = "il"')
    path.write_text(text, encoding="utf-8")
    _, errors = check_scenario(shipped_copy)
    messages = [e.message for e in errors]
    assert any("'nobody' is not the key of an earlier step" in m for m in messages), messages
    assert any("must say it is fictional" in m for m in messages), messages
