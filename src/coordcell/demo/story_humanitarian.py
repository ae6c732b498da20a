"""The story's steps of detainees and missing persons: a party opens the files of two
persons detained in a fictional raid, shares them with the other party on the record,
which states its version; the release of both is requested with a short deadline; one is
released within it and the access body visits the other, whose release request the
worker then records as missed when its deadline passes (two hours after the first start,
as the hotline's call left unanswered does). Nothing is backdated.

Played by ``demo.loader.tell_story`` like its other steps, each by the person it names,
through the services the pages call.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.agreements.models import ArrangementVersion
from coordcell.core.actor import Actor
from coordcell.humanitarian import selectors, services
from coordcell.rules.arrangement import HUMANITARIAN_STORY_DOINGS, DemoStepSpec, StoryDo

__all__ = ["PLAYS", "play"]

PLAYS = HUMANITARIAN_STORY_DOINGS


def play(step: DemoStepSpec, version: ArrangementVersion, made: dict[str, Any]) -> None:
    """Take one step as the person it names; ``made`` keeps what keyed steps made."""
    actor = Actor.from_user(User.objects.get(username=step.by))
    options = dict(step.humanitarian or {})
    now = timezone.now()
    if step.do == StoryDo.OPEN_PERSON_FILE:
        file = services.open_file(
            actor=actor,
            status=options["status"],
            since=now - dt.timedelta(hours=options["hours_ago"]),
            place=options["geometry"],
            name=options["name"],
            details=options.get("details", ""),
            access_body=options.get("access_body", ""),
            held_by=options.get("held_by", ""),
            statement=options["statement"],
            fictional=True,
        )
        if options.get("incident"):
            incident = made[f"incident:{options['incident']}"]
            services.add_link(actor=actor, file=file, kind="incident", target=incident.public_id)
        made[f"person:{step.key}"] = file
        return
    file = selectors.get_file(actor, made[f"person:{options['file']}"].public_id)
    if step.do == StoryDo.SHARE_PERSON_FILE:
        services.share_file(actor=actor, file=file, party=options["party"])
    elif step.do == StoryDo.STATE_PERSON_VERSION:
        services.state_version(
            actor=actor,
            file=file,
            held_by=options.get("held_by", ""),
            status=options["status"],
            statement=options["statement"],
        )
    elif step.do == StoryDo.REQUEST_PERSON_RELEASE:
        services.open_request(
            actor=actor,
            file=file,
            kind="release",
            addressee=options["addressee"],
            within_hours=options["within_hours"],
        )
    elif step.do == StoryDo.RECORD_PERSON_STATUS:
        services.change_status(actor=actor, file=file, status=options["status"], at=now)
    elif step.do == StoryDo.RECORD_PERSON_ACCESS:
        services.grant_access(actor=actor, file=file, at=now)
