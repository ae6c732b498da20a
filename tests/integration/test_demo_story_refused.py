"""The demo's story refused at one step: nothing of it is kept. In a module of its own: the
story's other tests share one telling (``test_demo_story.py``), and this one needs a
database where it was never told."""

from __future__ import annotations

import dataclasses

import pytest

from coordcell.demo.loader import StoryFailed, story_told, tell_story
from tests.integration.test_demo_story import _counts, _demo, _version

pytestmark = pytest.mark.django_db


def test_a_refused_step_leaves_nothing_of_the_story() -> None:
    demo = _demo()
    wrong = dataclasses.replace(demo.story[1], by="monitor")  # the monitor acknowledges
    story = (demo.story[0], wrong, *demo.story[2:])
    before = _counts()

    with pytest.raises(StoryFailed) as refused:
        tell_story(demo=dataclasses.replace(demo, story=story), version=_version())

    assert str(refused.value) == (
        "demo.toml: story[1] (act by monitor): You may not take this step on this case."
    )
    assert _counts() == before
    assert not story_told()
