"""The demo's verification story: linked steps of which one is met (verified by a
monitor), one extended by both parties and one missed (by the worker, when its time
passes: nothing is dated earlier); an inspection over a cap with its finding; an access
denial. Played through the services, like the rest of the story (told once per worker:
``demo_story``, tests/story.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from coordcell.verification import timeline
from coordcell.verification.models import (
    AccessDenial,
    InspectionReport,
    StepDeadline,
    WithdrawalStep,
)
from tests.story import DemoStory, Telling

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def told(demo_story: DemoStory, django_db_blocker: Any) -> Iterator[tuple[set[int], Telling]]:
    """The steps there were before the story, and the story's telling (rolled back after
    the module)."""
    with django_db_blocker.unblock():
        before = set(WithdrawalStep.objects.values_list("pk", flat=True))
    with demo_story.told() as telling:
        yield before, telling


def test_the_story_leaves_steps_met_extended_and_missed_and_an_inspection_with_a_finding(
    told: tuple[set[int], Telling],
) -> None:
    before, telling = told
    started = telling.started
    assert telling.steps > 0
    steps = {
        (s.party.code, s.sequence): s
        for s in WithdrawalStep.objects.exclude(pk__in=before).select_related("party", "linked")
    }
    assert set(steps) == {("il", 1), ("sy", 1), ("il", 2), ("sy", 2)}
    assert all("(fictional exercise)" in s.title for s in steps.values())
    assert steps[("il", 1)].linked == steps[("sy", 1)]
    met = StepDeadline.objects.get(step=steps[("il", 1)])
    assert met.outcome == "met"
    assert met.decided_party.kind == "monitor"
    outcomes = list(
        StepDeadline.objects.filter(step=steps[("sy", 1)])
        .order_by("pk")
        .values_list("outcome", flat=True)
    )
    assert outcomes == ["extended", ""]
    # Phase 2's Israeli step is still running: the worker records it missed once its time passes.
    waiting = steps[("il", 2)]
    assert waiting.state == "binding"
    assert waiting.due_at > started
    assert timeline.miss_due(waiting.due_at + dt.timedelta(minutes=1)) >= 1
    waiting.refresh_from_db()
    assert waiting.state == "missed"
    assert StepDeadline.objects.get(step=waiting).decided_at > started  # never backdated
    over = InspectionReport.objects.get(zone="aol_B_0_10km", summary__contains="fictional exercise")
    assert [f["clause"] for f in over.findings] == ["AOL-10"]
    assert over.findings[0]["severity"] is None  # a disputed clause
    assert AccessDenial.objects.filter(description__contains="fictional exercise").count() == 1
