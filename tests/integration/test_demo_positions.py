"""The demo's positions story: a fictional sealed baseline of both parties, nine posts
established after December 2024 in and near the Area of Separation, one disputed post
revealed and checked against its commitment."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from shapely.geometry import Point, shape

from coordcell.demo.story_positions import SETS
from coordcell.positions.models import Commitment, Dispute, Position, Reveal
from coordcell.rules import positions_commit as pc
from coordcell.rules.engine import Engine
from coordcell.rules.scenario import read_scenario
from tests.conftest import SCENARIO
from tests.story import DemoStory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _told_once(demo_story: DemoStory) -> Iterator[None]:
    """The demo's story for the module, rolled back after its last test (``tests/story.py``)."""
    with demo_story.told():
        yield


@pytest.mark.usefixtures("_told_once")
def test_the_story_seals_both_baselines_and_reveals_the_disputed_post() -> None:
    arrangement = read_scenario(SCENARIO)
    assert arrangement.demo is not None
    assert {c.party.code for c in Commitment.objects.filter(kind="baseline")} == {"il", "sy"}
    assert {c.size for c in Commitment.objects.all()} == {pc.MIN_LEAVES}
    assert all("(fictional exercise)" in p.name for p in Position.objects.all())
    new = [p for p in Position.objects.all() if p.established > dt.date(2024, 12, 1)]
    assert len(new) == 9
    zones = {z.id: shape(z.geometry) for z in arrangement.zones}
    engine = Engine(arrangement, version="t")
    aos = "area_of_separation_approx"
    inside = [p for p in new if aos in engine.locate(json.loads(p.geometry)).zones]
    assert len(inside) == 8
    for p in new:  # the other is near: within 5 km (about 0.05 degrees)
        assert zones[aos].distance(Point(p.lon, p.lat)) < 0.05
    dispute = Dispute.objects.get()
    assert (dispute.opened_by_party.code, dispute.against.code, dispute.state) == (
        "sy",
        "il",
        "revealed",
    )
    reveal = Reveal.objects.get()
    assert pc.verify_reveal(reveal.bundle) == []
    assert reveal.bundle["item"]["name"] == "New post 6 (fictional exercise)"
    sealed = Commitment.objects.get(party__code="il", kind="baseline")
    assert reveal.bundle["root"] == sealed.root
    assert reveal.bundle["item"]["established"] < "2026-01-07"  # in the baseline


def test_the_story_file_names_no_party_and_labels_every_post_fictional() -> None:
    for posts in SETS.values():
        for name, *_rest in posts:
            assert name.endswith("(fictional exercise)")


def test_every_set_the_shipped_stories_declare_is_in_the_story_file() -> None:
    for folder in (SCENARIO, SCENARIO.parent / "sinai_1979"):
        demo = read_scenario(folder).demo
        assert demo is not None
        named = [s.positions for s in demo.story if s.do == "declare_positions"]
        assert named
        assert set(named) <= set(SETS)
