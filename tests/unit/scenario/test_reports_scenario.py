"""The ``[reports]`` table (issue 17): the daily report's cut-off, the embargo and the
versioned counting rules, read from the shipped scenario, stored in the content and read
back, and refused with a field's error when wrong."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest

from coordcell.rules.counting import reports_from_content
from coordcell.rules.scenario import check_scenario, read_scenario

from .conftest import SHIPPED

SINAI = SHIPPED.parent / "sinai_1979"
MARK = "# ------------------------------------------------------------ reports (issue 17)"
NEXT = "- deconfliction\n"  # the table after [reports] in the shipped arrangement.toml


def test_the_shipped_scenario_states_its_counting_rules_and_reads_them_back() -> None:
    arrangement = read_scenario(SHIPPED)
    spec = arrangement.reports
    assert spec is not None
    assert (spec.cutoff, spec.embargo_hours, spec.extension_hours) == ("19:30", 72.0, 72.0)
    assert spec.release_to == "public"
    [rules] = spec.counting_rules
    assert rules.version == "2026.1"
    assert rules.effective_from == dt.date(2026, 1, 1)
    assert (rules.group_within_minutes, rules.group_within_km) == (60.0, 2.0)
    assert (rules.count_disputed, rules.count_possible) == (True, False)
    assert reports_from_content(arrangement.content) == spec


def test_a_scenario_without_the_table_has_no_report_and_keeps_its_content() -> None:
    sinai = read_scenario(SINAI)
    assert sinai.reports is None
    assert "reports" not in sinai.content
    assert reports_from_content(sinai.content) is None


def _with(copy: pathlib.Path, table: str) -> list[tuple[str, str]]:
    path = copy / "arrangement.toml"
    text = path.read_text(encoding="utf-8")
    before, rest = text.split(MARK)
    after = rest[rest.rindex("\n", 0, rest.index(NEXT)) + 1 :]
    path.write_text(before + table + "\n" + after, encoding="utf-8")
    return [(e.file, e.field) for e in check_scenario(copy)[1]]


GOOD_RULES = """
[[reports.counting_rules]]
version = "v1"
effective_from = 2026-01-01
group_within_minutes = 30
group_within_km = 1
"""


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ('[reports]\ncutoff = "25:00"\nembargo_hours = 1\nextension_hours = 1\n' + GOOD_RULES,
         "reports.cutoff"),
        ('[reports]\ncutoff = "19:30"\nembargo_hours = 0\nextension_hours = 1\n' + GOOD_RULES,
         "reports.embargo_hours"),
        ('[reports]\ncutoff = "19:30"\nembargo_hours = 1\nextension_hours = 1\n'
         'release_to = "press"\n' + GOOD_RULES, "reports.release_to"),
        ('[reports]\ncutoff = "19:30"\nembargo_hours = 1\nextension_hours = 1\n'
         + GOOD_RULES + GOOD_RULES, "reports.counting_rules[1].version"),
        ('[reports]\ncutoff = "19:30"\nembargo_hours = 1\nextension_hours = 1\n'
         + GOOD_RULES.replace("= 1\n", "= 80\n"), "reports.counting_rules[0].group_within_km"),
        ('[reports]\ncutoff = "19:30"\nembargo_hours = 1\nextension_hours = 1\n'
         + GOOD_RULES + 'by = ["weather"]\n', "reports.counting_rules[0].by[0]"),
        ('[reports]\ncutoff = "19:30"\nembargo_hours = 1\nextension_hours = 1\n'
         + GOOD_RULES + 'kinds = ["gossip"]\n', "reports.counting_rules[0].kinds[0]"),
    ],
)  # fmt: skip
def test_a_wrong_reports_table_is_refused_at_its_field(
    shipped_copy: pathlib.Path, table: str, field: str
) -> None:
    assert ("arrangement.toml", field) in _with(shipped_copy, table)


def test_a_good_table_reads_without_error(shipped_copy: pathlib.Path) -> None:
    table = '[reports]\ncutoff = "07:00"\nembargo_hours = 1\nextension_hours = 1\n' + GOOD_RULES
    assert _with(shipped_copy, table) == []


def test_the_story_releases_a_report_only_where_the_arrangement_states_one(
    shipped_copy: pathlib.Path,
) -> None:
    errors = _with(shipped_copy, "")
    assert len([e for e in errors if e[0] == "demo.toml"]) == 1
    assert errors == [("demo.toml", errors[0][1])]
    assert errors[0][1].endswith(".do")
