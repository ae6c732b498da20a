"""Start time and time zone (issue 10): a clause takes effect at a local hour.

The scenario names the arrangement's IANA zone; a clause's dates and local times are read
in it and turned into UTC instants once. An incident three hours before a 04:00-local
start is not under the clause; one after it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import pathlib

import pytest

import coordcell
from coordcell.rules import localtime
from coordcell.rules.arrangement import arrangement_from_content
from coordcell.rules.engine import Engine, Observation
from coordcell.rules.scenario import read_scenario

SCENARIO = pathlib.Path(coordcell.__file__).resolve().parent / "scenarios" / "southern_syria_2026"
EZ_POINT = {"type": "Point", "coordinates": [35.76, 33.3]}  # inside the economic zone
UTC = dt.UTC


@pytest.fixture(scope="module")
def arrangement():
    return read_scenario(SCENARIO)


def _ez(arrangement, zone: str, **changes) -> Engine:
    clauses = tuple(
        dataclasses.replace(c, **changes) if c.id == "EZ-2026" else c for c in arrangement.clauses
    )
    changed = dataclasses.replace(arrangement, clauses=clauses, time_zone=zone)
    return Engine(changed, version="test v1")


def _ez_findings(engine: Engine, when) -> list[str]:
    a = engine.assess(Observation("o", "military_presence", EZ_POINT, when))
    return [f.clause for f in (*a.findings, *a.findings_not_agreed) if f.clause == "EZ-2026"]


def test_the_shipped_scenario_names_syrian_time(arrangement) -> None:
    assert arrangement.time_zone == "Asia/Damascus"
    assert arrangement.content["time_zone"] == "Asia/Damascus"
    # Stored content reads back with its zone.
    assert arrangement_from_content(arrangement.content).time_zone == "Asia/Damascus"


def test_an_incident_three_hours_before_a_0400_local_start_is_not_under_the_clause(
    arrangement,
) -> None:
    engine = _ez(arrangement, "Asia/Damascus", effective_from=dt.datetime(2026, 3, 1, 4, 0))
    # 04:00 in Damascus (UTC+3) is 01:00 UTC.
    before = dt.datetime(2026, 3, 1, 1, 0, tzinfo=UTC) - dt.timedelta(hours=3)  # 01:00 local
    after = dt.datetime(2026, 3, 1, 1, 30, tzinfo=UTC)  # 04:30 local
    assert _ez_findings(engine, before) == []
    assert _ez_findings(engine, after) == ["EZ-2026"]
    # Just before and at the start.
    assert _ez_findings(engine, dt.datetime(2026, 3, 1, 0, 59, tzinfo=UTC)) == []
    assert _ez_findings(engine, dt.datetime(2026, 3, 1, 1, 0, tzinfo=UTC)) == ["EZ-2026"]


def test_a_date_means_midnight_local_time_not_utc(arrangement) -> None:
    engine = _ez(arrangement, "Asia/Damascus", effective_from=dt.date(2026, 3, 1))
    # 22:30 UTC on 28 February is 01:30 on 1 March in Damascus: in force.
    assert _ez_findings(engine, dt.datetime(2026, 2, 28, 22, 30, tzinfo=UTC)) == ["EZ-2026"]
    assert _ez_findings(engine, dt.datetime(2026, 2, 28, 20, 30, tzinfo=UTC)) == []


def test_an_until_date_covers_the_whole_local_day(arrangement) -> None:
    engine = _ez(
        arrangement,
        "Asia/Damascus",
        effective_from=dt.date(2026, 1, 7),
        effective_until=dt.date(2026, 3, 1),
    )
    # 23:30 local on 1 March (20:30 UTC) is in force; 00:30 local on 2 March is not.
    assert _ez_findings(engine, dt.datetime(2026, 3, 1, 20, 30, tzinfo=UTC)) == ["EZ-2026"]
    assert _ez_findings(engine, dt.datetime(2026, 3, 1, 21, 30, tzinfo=UTC)) == []


def test_an_offset_date_time_is_that_instant_whatever_the_zone(arrangement) -> None:
    start = dt.datetime(2026, 3, 1, 4, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    engine = _ez(arrangement, "Asia/Damascus", effective_from=start)
    assert _ez_findings(engine, dt.datetime(2026, 3, 1, 1, 59, tzinfo=UTC)) == []
    assert _ez_findings(engine, dt.datetime(2026, 3, 1, 2, 0, tzinfo=UTC)) == ["EZ-2026"]


def test_a_local_start_follows_the_change_of_clocks(arrangement) -> None:
    # Israel moves to summer time at 02:00 on Friday 27 March 2026: 04:00 local is
    # 01:00 UTC that day (UTC+3), and 02:00 UTC the day before (UTC+2).
    summer = _ez(arrangement, "Asia/Jerusalem", effective_from=dt.datetime(2026, 3, 27, 4, 0))
    assert _ez_findings(summer, dt.datetime(2026, 3, 27, 0, 59, tzinfo=UTC)) == []
    assert _ez_findings(summer, dt.datetime(2026, 3, 27, 1, 0, tzinfo=UTC)) == ["EZ-2026"]
    winter = _ez(arrangement, "Asia/Jerusalem", effective_from=dt.datetime(2026, 3, 26, 4, 0))
    assert _ez_findings(winter, dt.datetime(2026, 3, 26, 1, 30, tzinfo=UTC)) == []
    assert _ez_findings(winter, dt.datetime(2026, 3, 26, 2, 0, tzinfo=UTC)) == ["EZ-2026"]


def test_a_naive_observation_time_is_local_time(arrangement) -> None:
    engine = _ez(arrangement, "Asia/Damascus", effective_from=dt.datetime(2026, 3, 1, 4, 0))
    assert _ez_findings(engine, dt.datetime(2026, 3, 1, 3, 59)) == []
    assert _ez_findings(engine, dt.datetime(2026, 3, 1, 4, 0)) == ["EZ-2026"]


def test_local_time_helpers() -> None:
    zone = localtime.time_zone("Asia/Damascus")
    assert localtime.instant(dt.date(2026, 1, 7), zone) == dt.datetime(2026, 1, 6, 21, tzinfo=UTC)
    assert localtime.clause_end(dt.date(2026, 1, 7), zone) == dt.datetime(
        2026, 1, 7, 21, tzinfo=UTC
    )
    assert localtime.local_day(dt.datetime(2026, 1, 6, 22, tzinfo=UTC), zone) == dt.date(2026, 1, 7)
    assert localtime.parse_moment("2026-01-07T04:00") == dt.datetime(2026, 1, 7, 4, 0)
    assert localtime.time_zone_problem("Asia/Damascus") == ""
    assert "not a known IANA time zone" in localtime.time_zone_problem("Asia/Atlantis")
    with pytest.raises(ValueError, match="unknown time zone"):
        localtime.time_zone("Mars/Olympus")
