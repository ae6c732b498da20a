"""Readers' views (ADR 0011): which view an entry joins, and the audience read back."""

from __future__ import annotations

import hashlib

import pytest

from coordcell.record import reading
from coordcell.record.canonical import canonical_json


@pytest.mark.parametrize(
    ("audience", "keys"),
    [(["*"], ["*"]), ([], ["*"]), (["il", "sy"], ["il", "sy"]), (["~"], []),
     (["il", "~"], ["il"])],
)  # fmt: skip
def test_an_entry_joins_the_views_of_its_audience(audience: list[str], keys: list[str]) -> None:
    assert reading.view_keys(audience) == keys


def test_the_audience_is_read_from_the_top_level_key_only() -> None:
    canonical = canonical_json(
        {"seq": 3, "actor": {"name": 'x},"audience":["il"]', "user": None},
         "audience": ["sy", "us"], "data": {"audience": ["il"]}, "subjects": []}
    )  # fmt: skip
    assert reading.audience_of(canonical) == ["sy", "us"]


def test_views_chain_their_leaves_in_order() -> None:
    views: dict[str, object] = {}
    a, b = hashlib.sha256(b"a").digest(), hashlib.sha256(b"b").digest()
    reading.extend_views(views, ["il"], a)
    reading.extend_views(views, ["il", "sy"], b)
    current = reading.current_views(views)
    expected = reading.chain(reading.chain(reading.EMPTY_VIEW, a), b)
    assert current["il"] == reading.View(2, expected)
    assert current["sy"] == reading.View(1, reading.chain(reading.EMPTY_VIEW, b))
    lines = reading.view_lines(current, "il")
    assert reading.parse_view_lines(lines) == {
        "*": reading.View(0, reading.EMPTY_VIEW),
        "il": reading.View(2, expected),
    }
    with pytest.raises(ValueError, match="malformed view line"):
        reading.parse_view_lines(["view il two AAAA"])
