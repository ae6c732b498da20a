"""The story's steps of verification: the withdrawal timeline and inspections.

Played by ``demo.loader.tell_story`` like its other steps: each by the person it names,
through the service the page for it calls, at the moment it runs. A step's deadline is
``due_hours`` after the story runs; a step nobody meets is left to the worker, which
records it missed when its time passes (nothing is written with an earlier date). A
report or a denial says how long before the step the inspection or the denial happened,
as a monitor files it afterwards.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.agreements.models import ArrangementVersion
from coordcell.core.actor import Actor
from coordcell.rules.arrangement import DemoStepSpec, StoryDo
from coordcell.verification import inspections, selectors, timeline

__all__ = ["PLAYS", "play"]

PLAYS = (
    StoryDo.PROPOSE_STEPS,
    StoryDo.COUNTERSIGN_STEPS,
    StoryDo.VERIFY_STEP,
    StoryDo.PROPOSE_EXTENSION,
    StoryDo.COUNTERSIGN_EXTENSION,
    StoryDo.REQUEST_INSPECTION,
    StoryDo.FILE_INSPECTION,
    StoryDo.ACCESS_DENIAL,
)


def _actor(username: str) -> Actor:
    return Actor.from_user(User.objects.get(username=username))


def _side(data: dict[str, Any], now: dt.datetime) -> timeline.StepInput:
    return timeline.StepInput(
        party=data["party"],
        sequence=data["sequence"],
        title=data["title"],
        due_at=now + dt.timedelta(hours=data["due_hours"]),
        zones=list(data["zones"]),
    )


def _step_of(actor: Actor, made: dict[str, Any], key: str, party: str) -> Any:
    pair = made[f"steps:{key}"]
    step = next(s for s in pair if s.party.code == party)
    return selectors.get_step(actor, step.public_id)


def play(step: DemoStepSpec, version: ArrangementVersion, made: dict[str, Any]) -> None:
    """Take one step as the person it names; ``made`` keeps what keyed steps made."""
    actor = _actor(step.by)
    data = dict(step.verification or {})
    now = timezone.now()
    if step.do == StoryDo.PROPOSE_STEPS:
        made[f"steps:{step.key}"] = timeline.propose_steps(
            actor=actor,
            version=version,
            clause=data["clause"],
            first=_side(data["first"], now),
            second=_side(data["second"], now),
        )
    elif step.do == StoryDo.COUNTERSIGN_STEPS:
        first = made[f"steps:{data['steps']}"][0]
        timeline.countersign_steps(actor=actor, step=selectors.get_step(actor, first.public_id))
    elif step.do == StoryDo.VERIFY_STEP:
        timeline.verify_step(
            actor=actor,
            step=_step_of(actor, made, data["steps"], data["party"]),
            outcome=data["outcome"],
            note=data.get("note", ""),
        )
    elif step.do == StoryDo.PROPOSE_EXTENSION:
        found = _step_of(actor, made, data["steps"], data["party"])
        made[f"extension:{step.key}"] = timeline.propose_extension(
            actor=actor,
            step=found,
            new_due_at=found.due_at + dt.timedelta(hours=data["extend_hours"]),
            reason=data["reason"],
        )
    elif step.do == StoryDo.COUNTERSIGN_EXTENSION:
        extension = made[f"extension:{data['extension']}"]
        timeline.countersign_extension(
            actor=actor,
            extension=selectors.get_extension(actor, extension.step.public_id, extension.public_id),
        )
    elif step.do == StoryDo.REQUEST_INSPECTION:
        made["inspection_request"] = inspections.request_inspection(
            actor=actor, version=version, zone=data["zone"], reason=data["reason"]
        )
    elif step.do == StoryDo.FILE_INSPECTION:
        request = made.get("inspection_request") if data.get("answers_request") else None
        inspections.file_report(
            actor=actor,
            version=version,
            zone=data["zone"],
            inspected_at=now - dt.timedelta(minutes=data.get("inspected_minutes_before", 0)),
            holdings=list(data["holdings"]),
            summary=data["summary"],
            request=request,
        )
    elif step.do == StoryDo.ACCESS_DENIAL:
        inspections.record_denial(
            actor=actor,
            version=version,
            kind=data["kind"],
            place=data["geometry"],
            occurred_at=now - dt.timedelta(minutes=data.get("occurred_minutes_before", 0)),
            description=data["description"],
            party=data.get("party", ""),
        )
