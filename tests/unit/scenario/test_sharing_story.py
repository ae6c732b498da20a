"""The story's steps of sharing (issue 14), read and checked with file and field errors:
REL markings and bilateral parties come from the arrangement's parties (data)."""

from __future__ import annotations

import pathlib

import pytest

from coordcell.rules.scenario import check_scenario, read_scenario

from .conftest import SHIPPED

SHARE = 'key = "x"\ndo = "share_item"\nby = "il.liaison"\n'


def test_it_reads_the_sharing_steps() -> None:
    demo = read_scenario(SHIPPED).demo
    assert demo is not None
    shares = {s.key: s for s in demo.story if s.do == "share_item"}
    summary = shares["weekly_assessment"]
    assert summary.item is not None
    assert summary.below is not None
    assert (summary.item.tier, summary.below.tier) == ("originator", "parties")
    assert summary.below.releasability == ("il", "sy")
    redaction = next(s for s in demo.story if s.do == "redact_item")
    assert redaction.remove == ("body", "place", "grades")
    consents = [(s.by, s.request, s.granted) for s in demo.story if s.do == "consent"]
    assert ("il.liaison", "convoy_widen", True) in consents


@pytest.mark.parametrize(
    ("step", "field", "message"),
    [
        (
            SHARE + 'item = { title = "T (fictional exercise)", tier = "parties", tlp = "amber",'
            ' releasability = ["xx"] }',
            "releasability[0]",
            "",
        ),
        (
            SHARE
            + 'item = { title = "T (fictional exercise)", tier = "bilateral", tlp = "amber" }',
            "counterpart",
            "",
        ),
        (
            SHARE + 'item = { title = "A convoy", tier = "originator", tlp = "amber" }',
            "title",
            "must say it is fictional",
        ),
        (
            SHARE + 'item = { title = "T (fictional exercise)", tier = "everyone", tlp = "amber" }',
            "tier",
            "",
        ),
        (
            SHARE + 'item = { title = "T (fictional exercise)", tier = "parties", tlp = "amber" }\n'
            'below = { title = "B (fictional exercise)", tier = "public", tlp = "clear" }',
            "tier",
            "",
        ),
        (
            'do = "widen_item"\nby = "sy.liaison"\nshared_item = "nothing"\nto_tier = "public"',
            "shared_item",
            "is not the key of an earlier step that shares an item",
        ),
        (
            'do = "consent"\nby = "il.liaison"\nrequest = "nothing"\ngranted = true',
            "request",
            "is not the key of an earlier step that asks to widen an item",
        ),
        (
            'key = "r"\ndo = "redact_item"\nby = "sy.liaison"\nshared_item = "convoy_report"\n'
            'remove = ["body"]\nitem = { title = "R (fictional exercise)", tier = "parties",'
            ' tlp = "clear" }',
            "shared_item",
            "was not shared by party 'sy'",
        ),
        (
            'key = "r"\ndo = "redact_item"\nby = "il.liaison"\nshared_item = "convoy_report"\n'
            'remove = ["secrets"]\nitem = { title = "R (fictional exercise)", tier = "parties",'
            ' tlp = "clear" }',
            "remove[0]",
            "",
        ),
    ],
)
def test_it_refuses_a_bad_sharing_step(
    shipped_copy: pathlib.Path, step: str, field: str, message: str
) -> None:
    demo = shipped_copy / "demo.toml"
    demo.write_text(demo.read_text(encoding="utf-8") + f"\n[[story]]\n{step}\n", encoding="utf-8")
    arrangement, errors = check_scenario(shipped_copy)
    assert arrangement is None
    assert any(e.field.endswith(field) and message in e.message for e in errors), errors
