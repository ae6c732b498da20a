"""The story's daily report (issue 17): the mediator releases the report of the day that
ends as the step is played, so the demo's incidents and determinations are in it, to every
party at one moment; its counts, determinations and scorecard are issued for publication
and stay embargoed for the arrangement's embargo. The report is marked fictional.

Played by ``demo.loader.tell_story`` like its other steps.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.agreements.models import ArrangementVersion
from coordcell.core.actor import Actor
from coordcell.reports import services
from coordcell.rules.arrangement import DemoStepSpec, StoryDo

__all__ = ["PLAYS", "play"]

PLAYS = (StoryDo.RELEASE_REPORT,)


def play(step: DemoStepSpec, version: ArrangementVersion, made: dict[str, Any]) -> None:
    """Release the report up to now, as the person the step names."""
    actor = Actor.from_user(User.objects.get(username=step.by))
    made["report"] = services.release_report(actor=actor, until=timezone.now(), fictional=True)
