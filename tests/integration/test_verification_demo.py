"""The demo's verification story: linked steps of which one is met (verified by a
monitor), one extended by both parties and one missed (by the worker, when its time
passes: nothing is dated earlier); an inspection over a cap with its finding; an access
denial. Played through the services, like the rest of the story."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from coordcell.agreements.models import ArrangementVersion
from coordcell.demo.loader import tell_story
from coordcell.rules.scenario import read_scenario
from coordcell.verification import timeline
from coordcell.verification.models import (
    AccessDenial,
    InspectionReport,
    StepDeadline,
    WithdrawalStep,
)
from tests.conftest import SCENARIO

pytestmark = pytest.mark.django_db


def test_the_story_leaves_steps_met_extended_and_missed_and_an_inspection_with_a_finding() -> None:
    demo = read_scenario(SCENARIO).demo
    assert demo is not None
    version = ArrangementVersion.objects.get(
        arrangement__key="southern_syria_2026", is_current=True
    )
    before = set(WithdrawalStep.objects.values_list("pk", flat=True))
    started = timezone.now()
    assert tell_story(demo=demo, version=version) > 0
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
