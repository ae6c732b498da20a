"""The story's steps of civilian harm, property and access (issue 18): a party's casualty
figures of a case's incident (each party its own, side by side), a property record and
another party's version of it, and an access request for a farm near the line, answered
by the other party (granted with an escorted window in the demo).

Played by ``demo.loader.tell_story`` like its other steps, each by the person it names,
through the services the pages call, at the moment it runs: a window starts
``starts_in_hours`` after the step. Every text says it is fictional, and the access
request is stored as fictional.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.agreements.models import ArrangementVersion
from coordcell.cases import selectors as case_selectors
from coordcell.core.actor import Actor
from coordcell.deconfliction import access
from coordcell.deconfliction import selectors as deconfliction_selectors
from coordcell.incidents import harm
from coordcell.rules.arrangement import DemoStepSpec, StoryDo

__all__ = ["PLAYS", "play"]

PLAYS = (
    StoryDo.GIVE_CASUALTIES,
    StoryDo.RECORD_PROPERTY,
    StoryDo.PROPERTY_VERSION,
    StoryDo.REQUEST_ACCESS,
    StoryDo.ANSWER_ACCESS,
)

_VERSION_FIELDS = ("geometry", "area_m2", "structures", "land_use", "note")


def play(
    step: DemoStepSpec, version: ArrangementVersion, cases: dict[str, Any], made: dict[str, Any]
) -> None:
    """Take one step as the person it names; ``made`` keeps what keyed steps made."""
    actor = Actor.from_user(User.objects.get(username=step.by))
    options = dict(step.harm or {})
    now = timezone.now()
    if step.do in (StoryDo.GIVE_CASUALTIES, StoryDo.RECORD_PROPERTY):
        case = case_selectors.get_case(actor, cases[options["case"]].public_id)
        if step.do == StoryDo.GIVE_CASUALTIES:
            harm.give_casualties(actor=actor, incident=case.incident, figures=options["figures"])
        else:
            made[f"property:{step.key}"] = harm.record_property(
                actor=actor,
                incident=case.incident,
                kind=options["kind"],
                **{k: options.get(k) for k in _VERSION_FIELDS},
            )
    elif step.do == StoryDo.PROPERTY_VERSION:
        harm.give_property_version(
            actor=actor,
            damage=made[f"property:{options['property']}"],
            **{k: options.get(k) for k in _VERSION_FIELDS},
        )
    elif step.do == StoryDo.REQUEST_ACCESS:
        starts_at = now + dt.timedelta(hours=float(options["starts_in_hours"]))
        made[f"access:{step.key}"] = access.request_access(
            actor=actor,
            answering_party=options["answering_party"],
            requester_kind=options["requester_kind"],
            requester_ref=options["requester_ref"],
            purpose=options["purpose"],
            geometry=options["geometry"],
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=float(options["hours"])),
            description=options["description"],
            fictional=True,
        )
    elif step.do == StoryDo.ANSWER_ACCESS:
        row = deconfliction_selectors.get_access(
            actor, made[f"access:{options['request']}"].public_id
        )
        if options.get("acknowledge", True):
            row = access.acknowledge_access(actor=actor, request=row)
        window: dict[str, Any] = {}
        if options["answer"] == "granted_escorted":
            start = row.starts_at + dt.timedelta(
                hours=float(options["window_starts_in_hours"] or 0)
            )
            window = {
                "window_starts_at": start,
                "window_ends_at": start + dt.timedelta(hours=float(options["window_hours"])),
                "escort_by": options["escort_by"],
            }
        access.answer_access(
            actor=actor,
            request=row,
            answer=options["answer"],
            reason=options.get("reason", ""),
            **window,
        )
