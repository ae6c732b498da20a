"""The story's steps of the talks (issue 16): meetings on the arrangement's tracks, their
agenda (standing items carried forward until closed), attendees, minutes approved on the
record with an objection beside the text, the chair's summary, a delegation's notes, a
media line, a request for a meeting at short notice, and an amendment of the lexicon.

Played by ``demo.loader.tell_story`` like its other steps: each by the person it names,
through the service the page or the API calls, at the moment it runs. A meeting's own
times are hours before or after that moment (``starts_in_hours``): the record entries
are not back-dated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.agreements import official
from coordcell.agreements import selectors as agreements
from coordcell.agreements.models import ArrangementVersion
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.rules.arrangement import TALKS_DOINGS, DemoStepSpec, StoryDo
from coordcell.talks import selectors, services

__all__ = ["PLAYS", "play"]

PLAYS = TALKS_DOINGS


def _actor(username: str) -> Actor:
    return Actor.from_user(User.objects.get(username=username))


def play(step: DemoStepSpec, version: ArrangementVersion, made: dict[str, Any]) -> None:
    """Take one step as the person it names; ``made`` keeps what keyed steps made."""
    actor = _actor(step.by)
    data = dict(step.talks or {})
    now = timezone.now()
    meeting: Any = made.get(f"meeting:{data.get('meeting', '')}")
    if step.do == StoryDo.SCHEDULE_MEETING:
        starts = (now + dt.timedelta(hours=data["starts_in_hours"])).replace(
            minute=0, second=0, microsecond=0
        )
        made[f"meeting:{step.key}"] = services.schedule_meeting(
            actor=actor,
            version=version,
            title=data["title"],
            tracks=data["tracks"],
            parties_attending=data["parties"],
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=data["hours"]),
            logistics=data.get("logistics", ""),
        )
    elif step.do == StoryDo.NAME_ATTENDEES:
        services.set_participants(actor=actor, meeting=meeting, usernames=data["members"])
    elif step.do == StoryDo.ADD_AGENDA_ITEM:
        services.add_agenda_item(actor=actor, meeting=meeting, title=data["title"])
    elif step.do == StoryDo.CLOSE_AGENDA_ITEM:
        items = selectors.agenda_of(actor, meeting)
        item = items.filter(key=data["item"]).first() or next(
            (i for i in items if i.titles.get("en") == data["item"]), None
        )
        if item is None:
            raise NotFound(f"no agenda item {data['item']!r} at {meeting.reference}")
        services.close_agenda_item(actor=actor, item=item, outcome=data.get("outcome", ""))
    elif step.do == StoryDo.MEETING_HELD:
        services.record_held(actor=actor, meeting=meeting)
    elif step.do == StoryDo.DRAFT_MINUTES:
        services.draft_minutes(
            actor=actor, meeting=meeting, text=data["text"], language=data["language"]
        )
    elif step.do == StoryDo.TRANSLATE_MINUTES:
        translation = services.translate_minutes(
            actor=actor,
            meeting=meeting,
            language=data["language"],
            text=data["text"],
            translator=data["translator"],
        )
        for status in ("checked", "certified"):
            if ("translated", "checked", "certified").index(data["status"]) >= (
                "translated",
                "checked",
                "certified",
            ).index(status):
                translation = official.advance_translation(
                    actor=actor, translation=translation, to=status
                )
    elif step.do == StoryDo.CIRCULATE_MINUTES:
        services.circulate_minutes(actor=actor, meeting=meeting)
    elif step.do == StoryDo.APPROVE_MINUTES:
        services.approve_minutes(actor=actor, meeting=meeting, objection=data.get("objection", ""))
    elif step.do == StoryDo.CHAIR_SUMMARY:
        services.set_chair_summary(actor=actor, meeting=meeting, text=data["text"])
    elif step.do == StoryDo.DELEGATION_NOTES:
        services.save_notes(actor=actor, meeting=meeting, text=data["text"])
    elif step.do == StoryDo.MEDIA_LINE:
        next_in = data.get("next_in_days") or 0
        embargo_in = data.get("embargo_in_hours") or 0.0
        services.agree_media_line(
            actor=actor,
            meeting=meeting,
            text=data["text"],
            next_meeting_on=(now + dt.timedelta(days=next_in)).date() if next_in else None,
            embargo_until=(now + dt.timedelta(hours=embargo_in)) if embargo_in else None,
        )
    elif step.do == StoryDo.REQUEST_MEETING:
        made[f"request:{step.key}"] = services.request_meeting(
            actor=actor, version=version, tracks=data["tracks"], reason=data["reason"]
        )
    elif step.do == StoryDo.ANSWER_REQUEST:
        services.answer_request(
            actor=actor, request=made[f"request:{data['request']}"], answer=data["answer"]
        )
    elif step.do == StoryDo.PROPOSE_LEXICON:
        made[f"amendment:{step.key}"] = official.propose_amendment(
            actor=actor,
            version=version,
            reference=data["entry"],
            proposed=data["proposed"],
            reason=data["reason"],
        )
    elif step.do == StoryDo.DECIDE_LEXICON:
        amendment = agreements.get_amendment(
            actor, made[f"amendment:{data['amendment']}"].public_id
        )
        official.decide_amendment(
            actor=actor, amendment=amendment, decision=data["decision"], note=data.get("note", "")
        )
