"""The counting rules (issue 17, rules/counting.py): what counts as one violation under an
agreed, versioned definition — grouping reports of one event by time and distance from the
group's first report, disputed and possible findings by the rules' choice, breakdowns."""

from __future__ import annotations

import dataclasses
import datetime as dt

from coordcell.rules.arrangement import CountingRulesSpec
from coordcell.rules.counting import UNATTRIBUTED, Finding, Observation, count, rules_for

T0 = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
RULES = CountingRulesSpec(
    version="v1",
    effective_from=dt.date(2026, 1, 1),
    group_within_minutes=60,
    group_within_km=2.0,
    by=("zone", "clause", "kind", "party"),
)
IN_A = Finding(clause="freeze", zone="zone_a", agreed=True, certainty="inside")
#: About 1.1 km per 0.01 degree of latitude.
KM = 0.009


def obs(ref: str, minutes: float = 0, north_km: float = 0, **kw: object) -> Observation:
    fields: dict[str, object] = {
        "ref": ref,
        "at": T0 + dt.timedelta(minutes=minutes),
        "lon": 35.9,
        "lat": 33.0 + north_km * KM,
        "kind": "shelling",
        "findings": (IN_A,),
        **kw,
    }
    return Observation(**fields)  # type: ignore[arg-type]


def test_reports_of_one_event_count_once() -> None:
    tally = count([obs("a"), obs("b", minutes=20, north_km=1), obs("c", minutes=59)], RULES)
    assert (tally.total, tally.reports) == (1, 3)
    assert tally.groups == (("a", "b", "c"),)


def test_a_report_outside_the_time_or_distance_window_is_another_violation() -> None:
    assert count([obs("a"), obs("b", minutes=61)], RULES).total == 2
    assert count([obs("a"), obs("b", minutes=5, north_km=2.5)], RULES).total == 2


def test_the_window_is_anchored_on_the_first_report_not_chained() -> None:
    # Every 40 minutes for four hours: chained, that would be one endless "event".
    stream = [obs(f"r{i}", minutes=40 * i) for i in range(7)]
    tally = count(stream, RULES)
    assert tally.groups == (("r0", "r1"), ("r2", "r3"), ("r4", "r5"), ("r6",))


def test_different_kinds_never_group() -> None:
    assert count([obs("a"), obs("b", minutes=1, kind="small_arms")], RULES).total == 2


def test_the_input_order_does_not_change_the_count() -> None:
    reports = [obs("a"), obs("b", minutes=30), obs("c", minutes=70), obs("d", minutes=100)]
    assert count(reports, RULES) == count(list(reversed(reports)), RULES)


def test_disputed_findings_count_only_when_the_rules_say_so() -> None:
    disputed = Finding(clause="freeze", zone="zone_a", agreed=False, certainty="inside")
    reports = [obs("a", findings=(disputed,))]
    assert count(reports, RULES).total == 0
    assert count(reports, dataclasses.replace(RULES, count_disputed=True)).total == 1


def test_possible_findings_count_only_when_the_rules_say_so() -> None:
    possibly = Finding(clause="freeze", zone="zone_a", agreed=True, certainty="possibly")
    reports = [obs("a", findings=(possibly,))]
    assert count(reports, RULES).total == 1
    assert count(reports, dataclasses.replace(RULES, count_possible=False)).total == 0


def test_a_report_without_findings_or_of_an_uncounted_kind_is_not_a_violation() -> None:
    assert count([obs("a", findings=())], RULES).total == 0
    limited = dataclasses.replace(RULES, kinds=("small_arms",))
    assert count([obs("a")], limited).total == 0


def test_breakdowns_count_a_violation_once_in_each_row_it_touches() -> None:
    in_b = Finding(clause="heavy_weapons", zone="zone_b", agreed=True, certainty="inside")
    tally = count(
        [obs("a", findings=(IN_A, in_b), acting_party="p1"), obs("b", minutes=300)], RULES
    )
    assert tally.total == 2
    assert tally.breakdowns["zone"] == {"zone_a": 2, "zone_b": 1}
    assert tally.breakdowns["clause"] == {"freeze": 2, "heavy_weapons": 1}
    assert tally.breakdowns["kind"] == {"shelling": 2}
    assert tally.breakdowns["party"] == {UNATTRIBUTED: 1, "p1": 1}
    assert set(count([], dataclasses.replace(RULES, by=("zone",))).breakdowns) == {"zone"}


def test_the_rules_in_force_are_the_latest_version_effective_on_the_day() -> None:
    v2 = dataclasses.replace(RULES, version="v2", effective_from=dt.date(2026, 3, 1))
    versions = (v2, RULES)
    assert rules_for(dt.date(2025, 12, 31), versions) is None
    assert rules_for(dt.date(2026, 2, 28), versions) is RULES
    assert rules_for(dt.date(2026, 3, 1), versions) is v2
    assert count([obs("a")], v2).version == "v2"
