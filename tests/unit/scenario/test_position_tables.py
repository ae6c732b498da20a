"""``[[position_kinds]]`` and ``[positions]`` (issue 13): read, stored, checked."""

from __future__ import annotations

import pathlib
import re

from coordcell.rules.arrangement import arrangement_from_content
from coordcell.rules.scenario import check_scenario, read_scenario

from .conftest import SHIPPED


def _errors(folder: pathlib.Path) -> list[str]:
    _arrangement, errors = check_scenario(folder)
    return [f"{e.field}: {e.message}" for e in errors]


def _replace(folder: pathlib.Path, old: str, new: str) -> pathlib.Path:
    toml = folder / "arrangement.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_both_shipped_scenarios_declare_kinds_and_the_positions_table() -> None:
    for folder in (SHIPPED, SHIPPED.parent / "sinai_1979"):
        arrangement = read_scenario(folder)
        kinds = {k.id: k for k in arrangement.position_kinds}
        assert {"base", "outpost", "checkpoint", "observation_post"} <= set(kinds)
        assert all({"en", "ar", "he"} <= set(k.name) for k in kinds.values())
        assert arrangement.positions is not None
        assert arrangement.positions.notice_days == 7
        assert arrangement.positions.mediator_reveal_consent == ("declaring",)
        again = arrangement_from_content(arrangement.content)
        assert again.positions == arrangement.positions
        assert again.position_kinds == arrangement.position_kinds


def test_bad_position_tables_are_reported(shipped_copy: pathlib.Path) -> None:
    folder = _replace(shipped_copy, "notice_days = 7 ", "notice_days = 2.5 ")
    folder = _replace(folder, 'mediator_reveal_consent = ["declaring"]',
                      'mediator_reveal_consent = ["declaring", "nobody"]\nspare = 1')  # fmt: skip
    folder = _replace(folder, 'id = "checkpoint"', 'id = "outpost"')
    errors = "\n".join(_errors(folder))
    assert re.search(r"notice_days: expected a whole number", errors)
    assert "unknown consent 'nobody'" in errors
    assert "unknown key 'spare'" in errors
    assert "position kind" in errors
    assert "'outpost'" in errors


def test_a_scenario_without_the_tables_has_none() -> None:
    older = arrangement_from_content(
        {k: v for k, v in read_scenario(SHIPPED).content.items()
         if k not in ("positions", "position_kinds")}
    )  # fmt: skip
    assert older.positions is None
    assert older.position_kinds == ()


def test_the_story_steps_of_positions_are_checked(shipped_copy: pathlib.Path) -> None:
    demo = shipped_copy / "demo.toml"
    text = demo.read_text(encoding="utf-8")
    text = text.replace('dispute = "post_after_freeze"', 'dispute = "no_such_dispute"')
    text = text.replace('respondent = "il"\nsummary', 'respondent = "sy"\nsummary')
    demo.write_text(text + '\n[[story]]\ndo = "declare_positions"\nby = "il.liaison"\n'
                    'positions = "Not A Code"\n', encoding="utf-8")  # fmt: skip
    errors = "\n".join(_errors(shipped_copy))
    assert "'no_such_dispute' is not the key of an earlier step that disputes a position" in errors
    assert "'sy' is the party of the person who acts" in errors
    assert "positions" in errors
