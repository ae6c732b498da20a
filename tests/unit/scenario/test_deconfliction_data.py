"""The ``[deconfliction]`` table and the story's notification steps: read from both
shipped scenarios, stored in the content, and refused with a field's error when wrong."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pathlib

import pytest

from coordcell.rules import deconfliction as rules
from coordcell.rules.arrangement import deconfliction_from_content
from coordcell.rules.scenario import check_scenario, read_scenario

from .conftest import SHIPPED

SINAI = SHIPPED.parent / "sinai_1979"


@pytest.mark.parametrize("folder", [SHIPPED, SINAI], ids=lambda p: p.name)
def test_both_shipped_scenarios_state_their_notifiable_activities(folder: pathlib.Path) -> None:
    arrangement = read_scenario(folder)
    spec = arrangement.deconfliction
    assert spec is not None
    assert spec.activities
    assert spec.sensitive_days
    assert spec.protocol == ""  # the protocol that serves complaints
    assert any(p.serves == "complaints" and len(p.ladder) > 1 for p in arrangement.protocols)
    # What is stored is what is read back.
    assert deconfliction_from_content(arrangement.content["deconfliction"]) == spec


def test_humanitarian_activities_exist_only_where_a_mediator_relays_them() -> None:
    syria = read_scenario(SHIPPED).deconfliction
    sinai = read_scenario(SINAI).deconfliction
    assert syria is not None
    assert sinai is not None
    assert any("humanitarian" in a.notified_by for a in syria.activities)
    assert all(a.notified_by == ("party",) for a in sinai.activities)


def test_a_scenario_without_the_table_keeps_its_content(shipped_copy: pathlib.Path) -> None:
    path = shipped_copy / "arrangement.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.split("# ---------------------------------------------------------------"
                              "--------------- deconfliction")[0], encoding="utf-8")  # fmt: skip
    arrangement = read_scenario(shipped_copy)
    assert arrangement.deconfliction is None
    assert "deconfliction" not in arrangement.content


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ('list_version = "2026-1"\n', 'list_version = "2026-1"\nprotocol = "nope"\n',
         "deconfliction.protocol", "unknown protocol 'nope'"),
        ('list_version = "2026-1"\n', 'list_version = "2026-1"\nprotocol = "hotline"\n',
         "deconfliction.protocol", None),
        ("receipt_within_hours = 12", "receipt_within_hours = 0",
         "deconfliction.receipt_within_hours", "must be greater than 0"),
        ("follow_up_distance_m = 2000", "follow_up_distance_m = 90000",
         "deconfliction.follow_up_distance_m", "at most 50000 m"),
        ('shape = "movement"\nincident_kinds = ["troop_movement"]',
         'shape = "orbit"\nincident_kinds = ["troop_movement"]',
         "deconfliction.activities[0].shape", "unknown shape 'orbit'"),
        ('incident_kinds = ["troop_movement"]', 'incident_kinds = ["picnic"]',
         "deconfliction.activities[0].incident_kinds[0]", "unknown incident kind 'picnic'"),
        ("month = 5\nday = 31", "month = 2\nday = 29",
         "deconfliction.sensitive_days[0].day", "is not a day of every year"),
        ("month = 5\nday = 31", 'date = 2026-05-31\nmonth = 5\nday = 31',
         "deconfliction.sensitive_days[0].date", "not both"),
        ('days = 30\nzones = ["area_of_separation_approx"]', 'days = 30\nzones = ["atlantis"]',
         "deconfliction.sensitive_days[3].zones[0]", "unknown zone 'atlantis'"),
        ("lead_hours = 48\nnotified_by = [\"party\"]", "lead_hours = 48\nnotified_by = []",
         "deconfliction.activities[0].notified_by", "name who notifies it"),
    ],
)  # fmt: skip
def test_wrong_data_is_an_error_at_its_field(
    shipped_copy: pathlib.Path, old: str, new: str, where: str, message: str | None
) -> None:
    path = shipped_copy / "arrangement.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    arrangement, errors = check_scenario(shipped_copy)
    if message is None:  # the hotline protocol's ladder has a second level too: allowed
        assert errors == []
        return
    assert arrangement is None
    assert any(e.field == where and message in e.message for e in errors), errors


def test_the_story_notifies_and_refuses_an_unknown_notice(shipped_copy: pathlib.Path) -> None:
    demo = read_scenario(shipped_copy).demo
    assert demo is not None
    notices = [s for s in demo.story if s.do == "notify"]
    assert {s.notice["activity"] for s in notices} == {
        "humanitarian_convoy",
        "troop_movement",
        "static_site",
    }
    path = shipped_copy / "demo.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('notice = "late_move"', 'notice = "nowhere"'), encoding="utf-8")
    _, errors = check_scenario(shipped_copy)
    assert any("'nowhere' is not the key of an earlier step" in e.message for e in errors)


def test_a_window_touches_the_sensitive_days_of_its_local_dates() -> None:
    spec = read_scenario(SHIPPED).deconfliction
    assert spec is not None
    zone = dt.timezone(dt.timedelta(hours=3))
    # 22:00 UTC on 30 May is already 31 May in a zone three hours ahead.
    start = dt.datetime(2027, 5, 30, 22, 0, tzinfo=dt.UTC)
    hits = rules.overlapping(spec.sensitive_days, start, start + dt.timedelta(hours=1), zone)
    assert [h.spec.id for h in hits] == ["disengagement_anniversary"]
    assert (
        rules.overlapping(spec.sensitive_days, start, start + dt.timedelta(hours=1), dt.UTC) == []
    )
    harvest = next(d for d in spec.sensitive_days if d.id == "harvest_near_lines")
    # A period that began last year still runs into the next one.
    long = dataclasses.replace(harvest, month=12, day=20, days=20)
    found = list(rules.occurrences([long], dt.date(2027, 1, 1), dt.date(2027, 1, 5)))
    assert [(o.first, o.last) for o in found] == [(dt.date(2026, 12, 20), dt.date(2027, 1, 8))]


def test_lateness_and_shapes_follow_the_list() -> None:
    spec = read_scenario(SHIPPED).deconfliction
    assert spec is not None
    convoy = spec.activity("humanitarian_convoy")
    assert convoy is not None
    now = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    assert rules.is_late(convoy, now, now + dt.timedelta(hours=47.9))
    assert not rules.is_late(convoy, now, now + dt.timedelta(hours=48))
    assert rules.shape_problem(convoy, "LineString") == ""
    assert rules.shape_problem(convoy, "Point") == "wrong_shape"
    assert rules.shape_problem(convoy, None) == "missing"
