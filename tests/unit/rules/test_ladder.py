"""The ladder's climb rules: grounds, earliest eligibility, failure-only levels, the top."""

from __future__ import annotations

import datetime as dt

import pytest

from coordcell.rules.ladder import (
    ANSWER_REJECTED,
    DECIDED,
    MISSED_DEADLINE,
    ClimbRefused,
    Rung,
    check_climb,
    eligible_at,
    rungs,
)

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
LADDER = (
    Rung("working_level", 24),
    Rung("cell_principals", 48),
    Rung("capitals", 72, eligible_after_hours=24),
    Rung("governments", 336, eligible_after_hours=0, after_failure=True),
)


def _refusal(level: int, now: dt.datetime, grounds: set[str]) -> str | None:
    try:
        check_climb(LADDER, level, reached_at=T0, now=now, grounds=grounds)
    except ClimbRefused as refused:
        return refused.reason
    return None


def test_no_grounds_no_climb_however_long_the_case_waited() -> None:
    for hours in (0, 24, 24 * 30):
        assert _refusal(0, T0 + dt.timedelta(hours=hours), set()) == "no_grounds"


@pytest.mark.parametrize("grounds", [{MISSED_DEADLINE}, {ANSWER_REJECTED}, {DECIDED}])
def test_any_ground_climbs_to_a_level_eligible_at_once(grounds: set[str]) -> None:
    assert _refusal(0, T0, grounds) is None


def test_a_level_is_not_reachable_before_its_eligibility() -> None:
    just_before = T0 + dt.timedelta(hours=24) - dt.timedelta(seconds=1)
    assert _refusal(1, just_before, {DECIDED}) == "too_early"
    assert _refusal(1, T0 + dt.timedelta(hours=24), {DECIDED}) is None
    assert eligible_at(LADDER, 1, T0) == T0 + dt.timedelta(hours=24)


def test_a_failure_only_level_needs_a_missed_deadline() -> None:
    assert _refusal(2, T0, {DECIDED, ANSWER_REJECTED}) == "needs_failure"
    assert _refusal(2, T0, {MISSED_DEADLINE}) is None


def test_the_top_has_no_next_level() -> None:
    assert _refusal(3, T0, {DECIDED, MISSED_DEADLINE}) == "top"
    assert eligible_at(LADDER, 3, T0) is None


def test_unknown_grounds_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown grounds"):
        check_climb(LADDER, 0, reached_at=T0, now=T0, grounds={"time_passed"})


def test_rungs_read_stored_steps_old_and_new() -> None:
    old, new = rungs(
        [
            {"level": "a", "names": {"en": "A"}, "within_hours": 24},
            {"level": "b", "within_hours": 48, "eligible_after_hours": 6, "after_failure": True},
        ]
    )
    assert old == Rung("a", 24.0)
    assert (new.eligible_after_hours, new.after_failure) == (6.0, True)
