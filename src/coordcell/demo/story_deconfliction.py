"""The story's steps of advance notification: a humanitarian actor registered, notices
submitted (confirmed past their warnings, as the page's second step does), receipts, and
the worker's run that screens the incidents against the notices.

Played by ``demo.loader.tell_story`` like its other steps, each by the person it names,
through the services the pages call, at the moment it runs: a window starts
``starts_in_hours`` after the step (a short lead makes the notice late, as it would be).
``screen_notices`` runs what the worker runs every minute, so an incident reported at a
notified site opens its follow-up case within the story itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.agreements.models import ArrangementVersion
from coordcell.core.actor import Actor
from coordcell.deconfliction import selectors, services
from coordcell.rules.arrangement import DemoStepSpec, StoryDo

__all__ = ["PLAYS", "play"]

PLAYS = (
    StoryDo.REGISTER_HUMANITARIAN,
    StoryDo.NOTIFY,
    StoryDo.RECEIPT,
    StoryDo.SCREEN_NOTICES,
)


def play(step: DemoStepSpec, version: ArrangementVersion, made: dict[str, Any]) -> None:
    """Take one step as the person it names; ``made`` keeps what keyed steps made."""
    actor = Actor.from_user(User.objects.get(username=step.by))
    options = step.notice
    now = timezone.now()
    if step.do == StoryDo.REGISTER_HUMANITARIAN:
        made[f"humanitarian:{step.key}"] = services.register_humanitarian(
            actor=actor, names=options["name"], fictional=True
        )
    elif step.do == StoryDo.NOTIFY:
        humanitarian = None
        if options.get("humanitarian"):
            humanitarian = made[f"humanitarian:{options['humanitarian']}"]
        starts_at = now + dt.timedelta(hours=float(options["starts_in_hours"]))
        made[f"notice:{step.key}"] = services.submit_notice(
            actor=actor,
            activity=options["activity"],
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=float(options["hours"])),
            geometry=options.get("geometry"),
            description=options["description"],
            audience=options.get("audience", ()),
            humanitarian=humanitarian,
            confirm=True,  # the author saw the warnings (the page's second step)
            fictional=True,
        )
    elif step.do == StoryDo.RECEIPT:
        notice = made[f"notice:{options['notice']}"]
        services.acknowledge(actor=actor, notice=selectors.get_notice(actor, notice.public_id))
    elif step.do == StoryDo.SCREEN_NOTICES:
        services.screen_incidents(now)
