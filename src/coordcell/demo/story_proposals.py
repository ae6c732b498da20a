"""The story's steps of proposals and commitments (issue 16): a fictional proposal
agreed on its third version, the commitments made from it, their indicators verified by
a monitor, a due date extended by both parties, and a deadline left to run out.

Played by ``demo.loader.tell_story`` like its other steps, each by the person it names
through the service the page for it calls (``proposals.services``). Nothing is dated
in the past: a commitment falls due ``due_minutes`` after its step runs, and the worker
records a deadline missed when that time has passed (``proposals.jobs``). The texts are
fictional (an exercise); the arrangement change is the scenario's ``demo.toml``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.agreements.models import ArrangementVersion
from coordcell.core.actor import Actor
from coordcell.proposals import selectors, services
from coordcell.rules.arrangement import DemoStepSpec, StoryDo

__all__ = ["PLAYS", "play"]

PLAYS = (
    StoryDo.TABLE_PROPOSAL,
    StoryDo.TABLE_VERSION,
    StoryDo.TAKE_POSITION,
    StoryDo.MAKE_COMMITMENT,
    StoryDo.VERIFY_INDICATOR,
    StoryDo.PROPOSE_COMMITMENT_EXTENSION,
    StoryDo.AGREE_COMMITMENT_EXTENSION,
    StoryDo.ASSESS_COMMITMENT,
)


def play(step: DemoStepSpec, version: ArrangementVersion, made: dict[str, Any]) -> None:
    """Take one step as the person it names; ``made`` keeps what keyed steps made."""
    del version  # the services use the current version
    actor = Actor.from_user(User.objects.get(username=step.by))
    p = dict(step.proposals or {})
    if step.do == StoryDo.TABLE_PROPOSAL:
        made[step.key] = services.table_proposal(
            actor=actor, title=p["title"], track=p["track"], text=p["text"],
            language=p["language"], audience=p["audience"], change=p["change"] or None,
            fictional=True,
        )  # fmt: skip
    elif step.do == StoryDo.TABLE_VERSION:
        proposal = selectors.get_proposal(actor, made[p["proposal"]].public_id)
        services.add_version(
            actor=actor, proposal=proposal, text=p["text"], language=p["language"],
            change=p["change"] or None,
        )  # fmt: skip
    elif step.do == StoryDo.TAKE_POSITION:
        proposal = selectors.get_proposal(actor, made[p["proposal"]].public_id)
        target = selectors.get_version(actor, proposal, p["version"])
        services.take_stance(actor=actor, version=target, stance=p["stance"], text=p["text"])
    elif step.do == StoryDo.MAKE_COMMITMENT:
        proposal = selectors.get_proposal(actor, made[p["proposal"]].public_id)
        made[step.key] = services.create_commitment(
            actor=actor, proposal=proposal, title=p["title"], kind=p["kind"], owner=p["owner"],
            due_at=timezone.now() + dt.timedelta(minutes=p["due_minutes"]),
            indicators=p["indicators"],
        )  # fmt: skip
    elif step.do == StoryDo.VERIFY_INDICATOR:
        commitment = selectors.get_commitment(actor, made[p["commitment"]].public_id)
        indicator = list(commitment.indicators.all())[p["indicator"] - 1]
        services.verify_indicator(actor=actor, indicator=indicator, evidence=p["evidence"])
    elif step.do == StoryDo.PROPOSE_COMMITMENT_EXTENSION:
        commitment = selectors.get_commitment(actor, made[p["commitment"]].public_id)
        made[step.key] = services.propose_extension(
            actor=actor, commitment=commitment,
            new_due_at=timezone.now() + dt.timedelta(minutes=p["due_minutes"]),
            reason=p["reason"],
        )  # fmt: skip
    elif step.do == StoryDo.AGREE_COMMITMENT_EXTENSION:
        extension = selectors.get_extension(actor, made[p["extension"]].public_id)
        services.agree_extension(actor=actor, extension=extension)
    else:
        commitment = selectors.get_commitment(actor, made[p["commitment"]].public_id)
        services.assess_commitment(
            actor=actor, commitment=commitment, score=p["score"], text=p["text"]
        )
