"""Deadline arithmetic across the daylight-saving changes of the region.

The transition instants are found with ``zoneinfo`` itself (hour-by-hour scan for a change
of ``utcoffset``), not hard-coded. What zoneinfo (system tzdata 2025b) says:

- Asia/Jerusalem 2026: +02→+03 at 2026-03-27 00:00 UTC (02:00 local), +03→+02 at
  2026-10-24 23:00 UTC (02:00 local).
- Asia/Amman and Asia/Damascus: no transition at all in 2026 — Jordan and Syria moved to
  permanent UTC+3 in 2022 (last change: +02→+03 at 2022-02-24 22:00 UTC in Amman,
  2022-03-24 22:00 UTC in Damascus). So they are tested in 2021, which had both:
  Amman +02→+03 at 2021-03-25 22:00 UTC and +03→+02 at 2021-10-28 22:00 UTC;
  Damascus +02→+03 at 2021-03-25 22:00 UTC and +03→+02 at 2021-10-28 21:00 UTC.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coordcell.rules.deadlines import Remaining, due, local, remaining, to_utc

UTC = dt.UTC
H = dt.timedelta(hours=1)

#: The year tested for each zone: 2026 where it still changes its clocks, else 2021.
YEARS = {"Asia/Jerusalem": 2026, "Asia/Amman": 2021, "Asia/Damascus": 2021}
ZONES = tuple(YEARS)


@functools.cache
def transitions(zone: str, year: int) -> tuple[tuple[dt.datetime, dt.timedelta], ...]:
    """(UTC instant, change of offset) for every clock change of ``zone`` in ``year``."""
    tz = ZoneInfo(zone)
    moment = dt.datetime(year, 1, 1, tzinfo=UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=UTC)
    found = []
    before = moment.astimezone(tz).utcoffset()
    assert before is not None
    while moment < end:
        moment += H
        after = moment.astimezone(tz).utcoffset()
        assert after is not None
        if after != before:
            found.append((moment, after - before))
            before = after
    return tuple(found)


def transition(zone: str, forward: bool) -> dt.datetime:
    """The UTC instant of the clocks going forward (or back) in ``zone``'s tested year."""
    for instant, change in transitions(zone, YEARS[zone]):
        if (change > dt.timedelta(0)) == forward:
            assert abs(change) == H, (zone, instant, change)
            return instant
    raise AssertionError(f"zoneinfo knows no {'spring' if forward else 'autumn'} change "
                         f"in {zone} {YEARS[zone]}")  # fmt: skip


CASES = [(zone, forward) for zone in ZONES for forward in (True, False)]
CASE_IDS = [f"{zone.split('/')[1]}-{'forward' if fwd else 'back'}" for zone, fwd in CASES]


def test_the_zones_have_the_transitions_the_docstring_states() -> None:
    """Documents what zoneinfo says (see the module docstring)."""
    for zone in ZONES:
        assert len(transitions(zone, YEARS[zone])) == 2, zone
    assert transitions("Asia/Amman", 2026) == ()
    assert transitions("Asia/Damascus", 2026) == ()


# --------------------------------------------------------------------------- across a change


@pytest.mark.parametrize(("zone", "forward"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("hours_before", [1, 6, 12, 23])
def test_24h_across_a_change_is_24_elapsed_hours(
    zone: str, forward: bool, hours_before: int
) -> None:
    tz = ZoneInfo(zone)
    change = transition(zone, forward)
    start = (change - hours_before * H).astimezone(tz)  # lodged on local wall clocks
    deadline = due(start, 24)

    assert deadline.tzinfo is UTC
    assert deadline - to_utc(start) == 24 * H
    assert deadline - start == 24 * H  # aware subtraction compares instants

    shown = local(deadline, zone)
    wall = shown.replace(tzinfo=None) - start.replace(tzinfo=None)
    assert wall == (25 * H if forward else 23 * H), (start, shown)
    assert shown.utcoffset() - start.utcoffset() == (H if forward else -H)

    # Naive wall-clock arithmetic on the local datetime would be an hour off.
    assert to_utc(start + 24 * H) - deadline == (-H if forward else H)


def test_the_jerusalem_example_of_the_module_docstring() -> None:
    """Lodged at 01:30 in Jerusalem the night the clocks go forward (Friday 27 March
    2026, 02:00 → 03:00): due 24 real hours later, shown as 02:30 the next night."""
    jerusalem = ZoneInfo("Asia/Jerusalem")
    start = dt.datetime(2026, 3, 27, 1, 30, tzinfo=jerusalem)
    deadline = due(start, 24)
    assert deadline == dt.datetime(2026, 3, 27, 23, 30, tzinfo=UTC)
    assert local(deadline, "Asia/Jerusalem").replace(tzinfo=None) == dt.datetime(2026, 3, 28, 2, 30)


@pytest.mark.parametrize(("zone", "forward"), CASES, ids=CASE_IDS)
def test_local_gives_the_zones_offset(zone: str, forward: bool) -> None:
    change = transition(zone, forward)
    just_before = local(change - dt.timedelta(seconds=1), zone)
    at = local(change, zone)
    summer, winter = dt.timedelta(hours=3), dt.timedelta(hours=2)
    assert just_before.utcoffset() == (winter if forward else summer)
    assert at.utcoffset() == (summer if forward else winter)
    assert isinstance(at.tzinfo, ZoneInfo)
    assert at.tzinfo.key == zone
    assert to_utc(at) == change  # the same instant, only shown differently


def test_local_of_a_moment_given_in_another_zone() -> None:
    moment = dt.datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("Asia/Jerusalem"))  # +03
    shown = local(moment, "Asia/Damascus")  # +03 all year since 2022
    assert shown == moment
    assert shown.utcoffset() == dt.timedelta(hours=3)
    assert local(moment, "UTC").hour == 9


@pytest.mark.parametrize(("zone", "forward"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("hours", [0, 0.5, 1, 24, 72, 999.75])
def test_a_start_in_any_zone_gives_the_same_due_instant(
    zone: str, forward: bool, hours: float
) -> None:
    instant = transition(zone, forward) - 3 * H
    in_zone = instant.astimezone(ZoneInfo(zone))
    in_other = instant.astimezone(ZoneInfo("America/New_York"))
    in_fixed = instant.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))
    expected = due(instant, hours)
    for start in (in_zone, in_other, in_fixed):
        assert due(start, hours) == expected
        assert due(start, hours).tzinfo is UTC


def test_due_is_always_utc() -> None:
    for start in (
        dt.datetime(2026, 1, 1, tzinfo=UTC),
        dt.datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Amman")),
        dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-7))),
    ):
        deadline = due(start, 5)
        assert deadline.tzinfo is UTC
        assert deadline.utcoffset() == dt.timedelta(0)


def test_zero_hours_is_the_start_itself() -> None:
    start = dt.datetime(2026, 3, 27, 1, 30, tzinfo=ZoneInfo("Asia/Jerusalem"))
    assert due(start, 0) == start
    assert due(start, 0) == dt.datetime(2026, 3, 26, 23, 30, tzinfo=UTC)


# --------------------------------------------------------------------------- refusals


class _NoOffset(dt.tzinfo):
    """A tzinfo that does not know its offset: as unusable as no tzinfo at all."""

    def utcoffset(self, _: dt.datetime | None) -> None:
        return None

    def dst(self, _: dt.datetime | None) -> None:
        return None

    def tzname(self, _: dt.datetime | None) -> None:
        return None


NAIVE = dt.datetime(2026, 3, 27, 1, 30)
NO_OFFSET = dt.datetime(2026, 3, 27, 1, 30, tzinfo=_NoOffset())
AWARE = dt.datetime(2026, 3, 27, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("moment", [NAIVE, NO_OFFSET], ids=["naive", "no-offset"])
def test_a_naive_datetime_is_refused(moment: dt.datetime) -> None:
    with pytest.raises(ValueError, match="naive"):
        to_utc(moment)
    with pytest.raises(ValueError, match="naive"):
        due(moment, 24)
    with pytest.raises(ValueError, match="naive"):
        local(moment, "Asia/Amman")
    with pytest.raises(ValueError, match="naive"):
        remaining(moment, AWARE)
    with pytest.raises(ValueError, match="naive"):
        remaining(AWARE, moment)


@pytest.mark.parametrize("hours", [-1, -0.001, -24])
def test_negative_hours_are_refused(hours: float) -> None:
    with pytest.raises(ValueError, match="past"):
        due(AWARE, hours)


# --------------------------------------------------------------------------- remaining


def test_remaining_before_at_and_after_the_deadline() -> None:
    deadline = due(AWARE, 24)

    before = remaining(deadline, AWARE + 18 * H)
    assert before == Remaining(6 * 3600)
    assert before.hours == 6
    assert not before.overdue

    at = remaining(deadline, deadline)
    assert at.seconds == 0
    assert not at.overdue

    after = remaining(deadline, deadline + dt.timedelta(minutes=90))
    assert after.seconds == -5400
    assert after.hours == -1.5
    assert after.overdue

    assert remaining(deadline, deadline + dt.timedelta(microseconds=1)).overdue


@pytest.mark.parametrize(("zone", "forward"), CASES, ids=CASE_IDS)
def test_remaining_counts_elapsed_time_across_a_change(zone: str, forward: bool) -> None:
    tz = ZoneInfo(zone)
    change = transition(zone, forward)
    start = (change - 2 * H).astimezone(tz)
    deadline = due(start, 4)
    # Two hours after the change, read on the local wall clock: two real hours are left,
    # whatever the wall clock says (it moved by an hour in between).
    now = (change + 2 * H).astimezone(tz)
    assert remaining(deadline, now).hours == 0
    assert remaining(deadline, (change + H).astimezone(tz)).hours == 1
    assert remaining(deadline.astimezone(tz), (change + 3 * H).astimezone(tz)).hours == -1
    assert remaining(deadline, (change + 3 * H).astimezone(tz)).overdue


# --------------------------------------------------------------------------- property


def _around_changes() -> st.SearchStrategy[dt.datetime]:
    """Aware datetimes within two days of one of the tested clock changes."""
    instants = [(zone, t) for zone in ZONES for t, _ in transitions(zone, YEARS[zone])]
    return st.builds(
        lambda pair, minutes: (pair[1] + dt.timedelta(minutes=minutes)).astimezone(
            ZoneInfo(pair[0])
        ),
        st.sampled_from(instants),
        st.integers(-48 * 60, 48 * 60),
    )


AWARE_STARTS = st.one_of(
    st.datetimes(
        min_value=dt.datetime(2019, 1, 1),
        max_value=dt.datetime(2027, 12, 31),
        timezones=st.sampled_from([ZoneInfo(zone) for zone in ZONES]),
    ),
    _around_changes(),
)
HOURS = st.one_of(
    st.integers(0, 1000),
    st.floats(0, 1000, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=300, deadline=None)
@given(start=AWARE_STARTS, hours=HOURS)
def test_due_is_start_plus_elapsed_hours(start: dt.datetime, hours: float) -> None:
    deadline = due(start, hours)
    assert deadline.tzinfo is UTC
    assert deadline - to_utc(start) == dt.timedelta(hours=hours)
    assert remaining(deadline, start).seconds == dt.timedelta(hours=hours).total_seconds()
    assert not remaining(deadline, start).overdue
