"""The story's steps of information sharing (issue 14): a mediator's tearline summary for
both parties, an item shared bilaterally and widened to all parties with the
originator's consent, and its redacted version released to the public with every
party's consent.

Played by ``demo.loader.tell_story`` like its other steps, each by the person it names
through the service the page for it calls (``sharing.services``). The texts are
fictional (an exercise); who shares what with whom is the scenario's ``demo.toml``.
"""

from __future__ import annotations

from typing import Any

from coordcell.accounts.models import User
from coordcell.agreements.models import ArrangementVersion
from coordcell.core.actor import Actor
from coordcell.rules.arrangement import DemoSharedItemSpec, DemoStepSpec, StoryDo
from coordcell.sharing import selectors, services

__all__ = ["PLAYS", "play"]

PLAYS = (StoryDo.SHARE_ITEM, StoryDo.WIDEN_ITEM, StoryDo.CONSENT, StoryDo.REDACT_ITEM)


def _input(spec: DemoSharedItemSpec) -> services.ItemInput:
    return services.ItemInput(
        title=spec.title,
        body=spec.text,
        tier=spec.tier,
        tlp=spec.tlp,
        counterpart=spec.counterpart,
        releasability=spec.releasability,
        originator_control=spec.originator_control,
    )


def play(step: DemoStepSpec, version: ArrangementVersion, made: dict[str, Any]) -> None:
    """Take one step as the person it names; ``made`` keeps what keyed steps made."""
    actor = Actor.from_user(User.objects.get(username=step.by))
    if step.do == StoryDo.SHARE_ITEM:
        assert step.item is not None
        if step.below is not None:
            item, _part = services.create_with_tearline(
                actor=actor, product=_input(step.item), below=_input(step.below)
            )
        else:
            item = services.create_item(actor=actor, data=_input(step.item))
        made[step.key] = item
    elif step.do == StoryDo.WIDEN_ITEM:
        item = selectors.get_item(actor, made[step.shared_item].public_id)
        request = services.request_widening(
            actor=actor,
            item=item,
            to_tier=step.to_tier,
            counterpart=step.counterpart,
            reason=step.text,
        )
        if step.key:
            made[step.key] = request
    elif step.do == StoryDo.CONSENT:
        request = selectors.get_consent_request(actor, made[step.request].public_id)
        services.decide_consent(actor=actor, request=request, granted=step.granted, note=step.text)
    elif step.do == StoryDo.REDACT_ITEM:
        assert step.item is not None
        source = selectors.get_item(actor, made[step.shared_item].public_id)
        made[step.key] = services.redact_item(
            actor=actor,
            item=source,
            remove=step.remove,
            tier=step.item.tier,
            tlp=step.item.tlp,
            counterpart=step.item.counterpart,
            releasability=step.item.releasability,
            title=step.item.title,
            body=step.item.text or None,
        )
