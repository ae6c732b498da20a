"""The story's steps of the hotline's thread, of warnings and of the ledger.

Played by ``demo.loader.tell_story`` like its other steps: each by the person it names,
through the service the page for it calls, at the moment it runs. A commitment's time is
that many minutes after the step; a warning may say it was given some minutes before it
is recorded (a radio warning logged afterwards), which is how the demo shows a window
that has already ended — nothing is written with an earlier date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.agreements.models import ArrangementVersion
from coordcell.cases import action_warnings, exchange_selectors, ledger, selectors, thread
from coordcell.cases.models import Activation
from coordcell.core.actor import Actor
from coordcell.incidents import selectors as incident_selectors
from coordcell.incidents.services import report_incident
from coordcell.parties import selectors as party_selectors
from coordcell.rules.arrangement import DemoStepSpec, StoryDo

__all__ = ["PLAYS", "play"]

PLAYS = (
    StoryDo.MESSAGE,
    StoryDo.RELAY,
    StoryDo.REPORT,
    StoryDo.WARN,
    StoryDo.ACKNOWLEDGE_WARNING,
    StoryDo.REPORT_ACTION,
    StoryDo.CONFIRM_ACTION,
    StoryDo.WARNING_OUTCOME,
    StoryDo.SELF_DEFENCE,
)


def play(
    step: DemoStepSpec,
    version: ArrangementVersion,
    calls: dict[str, Activation],
    made: dict[str, Any],
) -> None:
    """Take one step as the person it names; ``made`` keeps what keyed steps made."""
    from coordcell.demo.loader import story_incident

    actor = Actor.from_user(User.objects.get(username=step.by))
    now = timezone.now()

    def warning() -> Any:
        return exchange_selectors.get_warning(actor, made[f"warning:{step.warning}"].public_id)

    def incident() -> Any:
        return incident_selectors.get_incident(
            actor, made[f"incident:{step.incident_key}"].public_id
        )

    if step.do == StoryDo.MESSAGE:
        message = thread.post_message(
            actor=actor,
            activation=selectors.get_activation(actor, calls[step.call].public_id),
            text=step.text,
            commitment=step.commitment,
            due_at=now + dt.timedelta(minutes=step.commitment_minutes) if step.commitment else None,
            via_mediator=step.via_mediator,
        )
        made[f"message:{step.key}"] = message
    elif step.do == StoryDo.RELAY:
        thread.relay_message(
            actor=actor,
            message=exchange_selectors.get_message(
                actor, made[f"message:{step.message}"].public_id
            ),
        )
    elif step.do == StoryDo.REPORT:
        assert step.incident is not None  # the reader requires it
        own = actor.party_code or ""
        made[f"incident:{step.key}"] = report_incident(
            actor=actor,
            data=story_incident(step.incident),
            version=version,
            audience=party_selectors.concerned_audience(own, *step.audience),
            fictional=True,
        )
    elif step.do == StoryDo.WARN:
        made[f"warning:{step.key}"] = action_warnings.pass_warning(
            actor=actor,
            version=version,
            addressee=step.addressee,
            geometry=step.geometry or {},
            threat=step.threat,
            act_kind=step.act_kind,
            action_requested=step.action_requested,
            window_hours=step.window_hours,
            include_monitors=step.include_monitors,
            passed_at=now - dt.timedelta(minutes=step.passed_minutes_before),
            activation=selectors.get_activation(actor, calls[step.call].public_id)
            if step.call
            else None,
        )
    elif step.do == StoryDo.ACKNOWLEDGE_WARNING:
        action_warnings.acknowledge(actor=actor, warning=warning())
    elif step.do == StoryDo.REPORT_ACTION:
        action_warnings.report_action(actor=actor, warning=warning(), text=step.text)
    elif step.do == StoryDo.CONFIRM_ACTION:
        action_warnings.confirm_action(
            actor=actor, warning=warning(), result=step.result, reason=step.text
        )
    elif step.do == StoryDo.WARNING_OUTCOME:
        action_warnings.record_outcome(
            actor=actor,
            warning=warning(),
            outcome=step.outcome,
            text=step.text,
            incident=incident() if step.incident_key else None,
        )
    elif step.do == StoryDo.SELF_DEFENCE:
        ledger.claim_self_defence(
            actor=actor,
            incident=incident(),
            warning=warning() if step.warning else None,
            no_prior_warning=not step.warning,
            statement=step.text,
        )
    else:  # pragma: no cover - PLAYS lists what is handled here
        raise ValueError(f"unknown story step {step.do!r}")
