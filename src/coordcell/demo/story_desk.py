"""The story's steps of the hotline desks: duty rosters, communications checks, handovers.

Played by ``demo.loader.tell_story`` like its other steps: each by the person it names,
through the service the page for it calls, at the moment it runs. A shift runs from the
step for ``hours``; a check not answered in the story is left to the worker, which marks
it failed when its time passes (nothing is written with an earlier date).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.agreements.models import ArrangementVersion
from coordcell.cases import comms, handover, roster
from coordcell.core.actor import Actor
from coordcell.parties import selectors as party_selectors
from coordcell.rules.arrangement import DemoStepSpec, StoryDo

__all__ = ["PLAYS", "play"]

PLAYS = (
    StoryDo.DUTY_SHIFT,
    StoryDo.COMMS_CHECK,
    StoryDo.HANDOVER,
    StoryDo.ACKNOWLEDGE_HANDOVER,
)


def _actor(username: str) -> Actor:
    return Actor.from_user(User.objects.get(username=username))


def _call_sign(username: str, party_id: int | None) -> str:
    user = User.objects.get(username=username)
    signs = party_selectors.own_call_signs(user, party_id) if party_id else []
    return signs[0] if signs else ""


def play(step: DemoStepSpec, version: ArrangementVersion, made: dict[str, Any]) -> None:
    """Take one step as the person it names; ``made`` keeps what keyed steps made."""
    actor = _actor(step.by)
    now = timezone.now()
    if step.do == StoryDo.DUTY_SHIFT:
        roster.set_shift(
            actor=actor,
            call_sign=_call_sign(step.officer, actor.party_id),
            tier=step.tier,
            channel=step.channel,
            starts_at=now,
            ends_at=now + dt.timedelta(hours=step.hours),
            contact=step.contact,
            shared=step.shared,
        )
    elif step.do == StoryDo.COMMS_CHECK:
        check = comms.send_check(
            actor=actor,
            to_party=party_selectors.access_party(actor, step.to),
            version=version,
        )
        if step.answered_by:
            other = _actor(step.answered_by)
            comms.answer_check(actor=other, check=comms.get_check(other, check.public_id))
    elif step.do == StoryDo.HANDOVER:
        made[f"handover:{step.key}"] = handover.hand_over(
            actor=actor,
            incoming_call_sign=_call_sign(step.to, actor.party_id),
            text=step.text,
        )
    elif step.do == StoryDo.ACKNOWLEDGE_HANDOVER:
        note = made[f"handover:{step.handover}"]
        handover.acknowledge(actor=actor, handover=handover.get_handover(actor, note.public_id))
