"""Evaluating a tranche's conditions, holding and releasing it (the worker's job).

A condition is evaluated from what the cell established, never from raw incidents:

- ``no_military_presence``: the monitors' latest check of the project's site
  (``verification.selectors.latest_site_check``). It fails when they found a military
  presence they attribute to a party (to the condition's party, when it names one); a
  presence they attribute to no party does not hold money. Before their first check the
  condition is not evaluated: it holds nothing, and nothing is disbursed on it.
- ``withdrawal_step_met``: the step verified met (``verification``'s outcome).
- ``no_determined_violation``: no violation by the party *determined* in a case
  (``cases.selectors.determined_violations``) within the radius of the site in the
  window of days. An incident with no determination, a finding of the engine, a case
  against no party or a request to act never counts.

Each evaluation whose result or reasons changed is stored once (a conditional update on
the condition's last digest), and each tranche's hold and release happen once (a
conditional update of its state and one open ``TrancheHold``), whatever runs at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from coordcell.cases import selectors as cases
from coordcell.core.actor import Actor
from coordcell.core.audience import ALL_MEMBERS, normalise
from coordcell.core.worker import job
from coordcell.economy import events
from coordcell.economy.choices import (
    ConditionKindChoices,
    ConditionStateChoices,
    TrancheStateChoices,
)
from coordcell.economy.models import ConditionEvaluation, Tranche, TrancheCondition, TrancheHold
from coordcell.economy.services import mediator_codes
from coordcell.economy.sites import distance_km
from coordcell.parties import selectors as parties
from coordcell.record.services import append_event, subject
from coordcell.verification import selectors as verification
from coordcell.verification.choices import StepStateChoices

__all__ = ["evaluate", "evaluate_all", "evaluate_tranche", "security_audience"]

WORKER = Actor.console("worker")


def security_audience(tranche: Tranche) -> list[str]:
    """Who reads why a condition holds a tranche: the arrangement's parties, the
    mediators and the monitors — never donors or observers."""
    version = tranche.commitment.pledge.project.version
    from coordcell.agreements.engines import engine_for

    sides = [p.code for p in engine_for(version).arrangement.parties if p.kind == "party"]
    return parties.concerned_audience(*sides)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def evaluate(condition: TrancheCondition, now: dt.datetime) -> tuple[str, list[dict[str, Any]]]:
    """The condition's result (``met``, ``failed``, or ``unevaluated`` before the monitors'
    first check of the site) and the references that hold it
    (each with its kind, reference, what it says, and the audience that reads it)."""
    project = condition.tranche.commitment.pledge.project
    reasons: list[dict[str, Any]] = []
    if condition.kind == ConditionKindChoices.NO_MILITARY_PRESENCE:
        check = verification.latest_site_check(project.reference)
        if check is None:  # not verified yet: nothing holds the tranche, nothing releases it
            unchecked = [{"type": "site_not_checked", "reference": project.reference}]
            return ConditionStateChoices.UNEVALUATED, unchecked
        if (
            check.military_presence
            and check.party is not None
            and (condition.party_id is None or check.party_id == condition.party_id)
        ):
            reasons.append(
                {
                    "type": "site_check",
                    "reference": check.reference,
                    "party": check.party.code,
                    "at": _iso(check.checked_at),
                    "audience": check.audience_codes,
                }
            )
    elif condition.kind == ConditionKindChoices.WITHDRAWAL_STEP_MET:
        assert condition.step_id is not None
        step = verification.step_standing(condition.step_id)
        if step is None or step.state != StepStateChoices.MET:
            reasons.append(
                {
                    "type": "withdrawal_step",
                    "reference": step.reference if step is not None else "",
                    "party": step.party.code if step is not None else "",
                    "state": step.state if step is not None else "",
                    "at": _iso(step.due_at) if step is not None else "",
                    "audience": step.audience_codes if step is not None else [],
                }
            )
    elif condition.kind == ConditionKindChoices.NO_DETERMINED_VIOLATION:
        assert condition.party is not None
        assert condition.radius_km is not None
        assert condition.window_days is not None
        since = now - dt.timedelta(days=condition.window_days)
        for v in cases.determined_violations(condition.party.code, since):
            km = distance_km(project.version, project.site, v.geometry)
            if km <= float(condition.radius_km):
                reasons.append(
                    {
                        "type": "determination",
                        "reference": v.case,
                        "party": v.respondent,
                        "at": _iso(v.determined_at),
                        "distance_km": round(km, 2),
                        "audience": list(v.audience),
                    }
                )
    result = ConditionStateChoices.FAILED if reasons else ConditionStateChoices.MET
    return result, reasons


def _digest(result: str, reasons: list[dict[str, Any]]) -> str:
    text = json.dumps([result, reasons], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _reasons_audience(tranche: Tranche, reasons: list[dict[str, Any]]) -> list[str]:
    """The security audience, narrowed to those who read every reference it cites (the
    mediators always)."""
    codes = set(security_audience(tranche))
    for r in reasons:
        if r.get("audience") and ALL_MEMBERS not in r["audience"]:
            codes &= set(r["audience"])
    return normalise([*codes, *mediator_codes()])


def evaluate_tranche(tranche_id: int, now: dt.datetime) -> int:
    """Evaluate one tranche's conditions and hold or release it; in one transaction with
    the tranche's row locked. Returns the number of changes written."""
    changes = 0
    with transaction.atomic():
        tranche = (
            Tranche.objects.select_for_update(no_key=True)
            .select_related("commitment__pledge__project__version")
            .filter(pk=tranche_id)
            .first()
        )
        if tranche is None or tranche.state == TrancheStateChoices.DISBURSED:
            return 0
        conditions = list(
            TrancheCondition.objects.filter(tranche=tranche).select_related("party").order_by("pk")
        )
        for condition in conditions:
            result, reasons = evaluate(condition, now)
            digest = _digest(result, reasons)
            if digest == condition.inputs_digest:
                continue
            updated = TrancheCondition.objects.filter(
                pk=condition.pk, inputs_digest=condition.inputs_digest
            ).update(state=result, reasons=reasons, inputs_digest=digest, evaluated_at=now)
            if not updated:
                continue
            condition.state, condition.reasons, condition.inputs_digest = result, reasons, digest
            ConditionEvaluation.objects.create(
                condition=condition,
                evaluated_at=now,
                result=result,
                reasons=reasons,
                inputs_digest=digest,
            )
            append_event(
                actor=WORKER,
                event_type=events.CONDITION_EVALUATED,
                data={
                    "condition": condition.reference,
                    "tranche": tranche.reference,
                    "result": result,
                    "reasons": [{k: v for k, v in r.items() if k != "audience"} for r in reasons],
                },
                subjects=[subject("economy.tranche", tranche.public_id, tranche.reference)],
                audience=_reasons_audience(tranche, reasons),
            )
            changes += 1
        failing = [c.reference for c in conditions if c.state != ConditionStateChoices.MET]
        failed = [c.reference for c in conditions if c.state == ConditionStateChoices.FAILED]
        if failed and tranche.state == TrancheStateChoices.SCHEDULED:
            held = Tranche.objects.filter(
                pk=tranche.pk, state=TrancheStateChoices.SCHEDULED
            ).update(state=TrancheStateChoices.HELD)
            if held:
                TrancheHold.objects.create(tranche=tranche, held_at=now, conditions=failed)
                append_event(
                    actor=WORKER,
                    event_type=events.TRANCHE_HELD,
                    data={"tranche": tranche.reference, "conditions": failed},
                    subjects=[subject("economy.tranche", tranche.public_id, tranche.reference)],
                    audience=tranche.audience_codes,
                )
                changes += 1
        elif not failing and tranche.state == TrancheStateChoices.HELD:
            released = Tranche.objects.filter(pk=tranche.pk, state=TrancheStateChoices.HELD).update(
                state=TrancheStateChoices.SCHEDULED
            )
            if released:
                TrancheHold.objects.filter(tranche=tranche, released_at__isnull=True).update(
                    released_at=now
                )
                append_event(
                    actor=WORKER,
                    event_type=events.TRANCHE_RELEASED,
                    data={
                        "tranche": tranche.reference,
                        "conditions": [c.reference for c in conditions],
                    },
                    subjects=[subject("economy.tranche", tranche.public_id, tranche.reference)],
                    audience=tranche.audience_codes,
                )
                changes += 1
    return changes


def evaluate_all(now: dt.datetime | None = None) -> int:
    """Every tranche with conditions that is not disbursed, each in its own transaction."""
    moment = now or timezone.now()
    ids = (
        Tranche.objects.exclude(state=TrancheStateChoices.DISBURSED)
        .filter(conditions__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(evaluate_tranche(pk, moment) for pk in list(ids))


@job("economy.tranche_conditions")
def tranche_conditions_job(now: dt.datetime) -> int:
    return evaluate_all(now)
