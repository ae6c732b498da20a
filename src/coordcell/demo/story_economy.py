"""The story's steps of the economic zone (issue 15): donors, projects, money, conditions.

Played by ``demo.loader.tell_story`` like its other steps: each by the person it names,
through the service the page or the API calls, at the moment it runs. After a step that
changes what a condition reads (a tranche funded, a condition set, a site checked, an
incident reported) the story runs the worker's evaluation of the tranches' conditions
once, as the worker would on its next pass. Dates of money are days before or after the
day the story is played (``days_ago``, ``planned_days``); nothing in the record is
written with an earlier time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coordcell.accounts.models import User
from coordcell.agreements.models import ArrangementVersion
from coordcell.core.actor import Actor
from coordcell.economy import conditions, selectors, services
from coordcell.economy.models import Donor
from coordcell.incidents.services import IncidentInput, report_incident
from coordcell.rules.arrangement import DemoStepSpec, StoryDo
from coordcell.verification.sites import record_site_check

__all__ = ["PLAYS", "play"]

PLAYS = (
    StoryDo.REGISTER_DONOR,
    StoryDo.REGISTER_PROJECT,
    StoryDo.FUND_PROJECT,
    StoryDo.SET_TRANCHE_CONDITION,
    StoryDo.CHECK_PROJECT_SITE,
    StoryDo.DISBURSE_TRANCHE,
    StoryDo.REPORT_UNATTRIBUTED,
)


def _actor(username: str) -> Actor:
    return Actor.from_user(User.objects.get(username=username))


def _donor(code: str) -> Donor:
    donor: Donor = Donor.objects.select_related("party").get(party__code=code)
    return donor


def play(step: DemoStepSpec, version: ArrangementVersion, made: dict[str, Any]) -> None:
    """Take one step as the person it names; ``made`` keeps what keyed steps made."""
    actor = _actor(step.by)
    data = dict(step.economy or {})
    now = timezone.now()
    today = now.date()
    if step.do == StoryDo.REGISTER_DONOR:
        services.register_donor(actor=actor, party_code=data["party"], named=data["named"])
        return
    if step.do == StoryDo.REGISTER_PROJECT:
        project = services.register_project(
            actor=actor,
            version=version,
            sector=data["sector"],
            titles=data["title"],
            descriptions=data["description"],
            site=data["site"],
            budget_currency=data["budget_currency"],
            budget_amount=data["budget_amount"],
            state="active",
        )
        for m in data["milestones"]:
            services.add_milestone(
                actor=actor,
                project=project,
                titles=m["title"],
                due_on=today + dt.timedelta(days=m["due_days"]),
                status=m["status"],
            )
        made[f"project:{step.key}"] = project
        return
    if step.do == StoryDo.FUND_PROJECT:
        project = selectors.get_project(actor, made[f"project:{data['project']}"].public_id)
        day = today - dt.timedelta(days=data["days_ago"])
        pledge = services.record_pledge(
            actor=actor,
            project=project,
            donor=_donor(data["donor"]),
            currency=data["currency"],
            amount=data["pledged"],
            pledged_on=day,
        )
        commitment = services.record_commitment(
            actor=actor,
            pledge=pledge,
            currency=data["currency"],
            amount=data["committed"],
            committed_on=day,
        )
        for t in data["tranches"]:
            made[f"tranche:{t['key']}"] = services.schedule_tranche(
                actor=actor,
                commitment=commitment,
                currency=data["currency"],
                amount=t["amount"],
                planned_on=today + dt.timedelta(days=t["planned_days"]),
            )
    elif step.do == StoryDo.SET_TRANCHE_CONDITION:
        services.add_condition(
            actor=actor,
            tranche=selectors.get_tranche(actor, made[f"tranche:{data['tranche']}"].public_id),
            kind=data["kind"],
            party=data.get("party", ""),
            radius_km=data.get("radius_km"),
            window_days=data.get("window_days"),
        )
    elif step.do == StoryDo.CHECK_PROJECT_SITE:
        project = made[f"project:{data['project']}"]
        record_site_check(
            actor=actor,
            version=version,
            site_key=project.reference,
            site=project.site,
            checked_at=now - dt.timedelta(minutes=data["checked_minutes_before"]),
            military_presence=data["military_presence"],
            party=data.get("party", ""),
            note=data["note"],
        )
    elif step.do == StoryDo.DISBURSE_TRANCHE:
        tranche = selectors.get_tranche(actor, made[f"tranche:{data['tranche']}"].public_id)
        services.disburse_tranche(actor=actor, tranche=tranche, disbursed_on=today)
        return
    elif step.do == StoryDo.REPORT_UNATTRIBUTED:
        report_incident(
            actor=actor,
            version=version,
            data=IncidentInput(
                kind=data["kind"],
                title=data["title"],
                occurred_from=now - dt.timedelta(minutes=data["occurred_minutes_before"]),
                geometry=data["geometry"],
                acted_by="no_party",
            ),
            fictional=True,
        )
    conditions.evaluate_all(timezone.now())
