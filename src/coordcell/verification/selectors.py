"""Reads of the withdrawal timeline and the inspections, restricted to the caller.

Every list starts from ``restrict(actor)``: a step, a report, a request or a denial the
caller may not read is missing (``NotFound``), never refused. ``cases`` (above) reads
:func:`denials_for_scorecard` for the compliance scorecard.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from coordcell.agreements.engines import engine_for
from coordcell.core.actor import Actor
from coordcell.core.audience import ALL_MEMBERS
from coordcell.core.errors import NotFound
from coordcell.rules import localtime
from coordcell.verification.inspections import inspection_clauses
from coordcell.verification.models import (
    AccessDenial,
    Extension,
    InspectionReport,
    InspectionRequest,
    StepDeadline,
    WithdrawalStep,
)

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion

__all__ = [
    "DUE_SOON_HOURS",
    "ScheduleRow",
    "denials_for_scorecard",
    "denials_seen_by_all",
    "extensions_of",
    "get_denial",
    "get_extension",
    "get_report",
    "get_request",
    "get_step",
    "list_denials",
    "list_reports",
    "list_requests",
    "list_steps",
    "open_requests",
    "outcome_history",
    "schedule",
]

#: A zone whose next inspection falls within this many hours is "due" on the schedule.
DUE_SOON_HOURS = 72


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound() from None


def list_steps(actor: Actor) -> QuerySet[WithdrawalStep]:
    """The timeline's steps the actor may read, by deadline."""
    return WithdrawalStep.objects.restrict(actor).select_related(
        "party", "linked", "linked__party", "verifier"
    )


def get_step(actor: Actor, public_id: Any) -> WithdrawalStep:
    found = list_steps(actor).filter(public_id=_uuid(public_id)).first()
    if found is None:
        raise NotFound()
    return found


def outcome_history(step: WithdrawalStep) -> QuerySet[StepDeadline]:
    """The step's deadlines, oldest first, each with how it ended (read with the step)."""
    return step.deadlines.select_related("step", "decided_party", "report").order_by(
        "opened_at", "pk"
    )


def extensions_of(step: WithdrawalStep) -> QuerySet[Extension]:
    return step.extensions.select_related("proposed_party").prefetch_related("signatures__party")


def get_extension(actor: Actor, step_id: Any, extension_id: Any) -> Extension:
    step = get_step(actor, step_id)
    found = step.extensions.filter(public_id=_uuid(extension_id)).select_related("step").first()
    if found is None:
        raise NotFound()
    return found


def list_reports(actor: Actor) -> QuerySet[InspectionReport]:
    return InspectionReport.objects.restrict(actor).select_related("monitor")


def get_report(actor: Actor, public_id: Any) -> InspectionReport:
    found = list_reports(actor).filter(public_id=_uuid(public_id)).first()
    if found is None:
        raise NotFound()
    return found


def list_requests(actor: Actor) -> QuerySet[InspectionRequest]:
    return InspectionRequest.objects.restrict(actor).select_related("party", "report")


def get_request(actor: Actor, public_id: Any) -> InspectionRequest:
    found = list_requests(actor).filter(public_id=_uuid(public_id)).first()
    if found is None:
        raise NotFound()
    return found


def list_denials(actor: Actor) -> QuerySet[AccessDenial]:
    return AccessDenial.objects.restrict(actor).select_related("monitor", "party", "report")


def get_denial(actor: Actor, public_id: Any) -> AccessDenial:
    found = list_denials(actor).filter(public_id=_uuid(public_id)).first()
    if found is None:
        raise NotFound()
    return found


@dataclass(frozen=True)
class ScheduleRow:
    """One zone on the inspections schedule: its clause and interval, the last inspection
    the reader may see, when the next one is due, and its status (``overdue``, ``due``
    within ``DUE_SOON_HOURS``, or ``scheduled``)."""

    zone: str
    clause: str
    interval_days: float | None
    last_inspected_at: dt.datetime | None
    due_at: dt.datetime
    status: str


def _status(due_at: dt.datetime, now: dt.datetime) -> str:
    if due_at <= now:
        return "overdue"
    if due_at <= now + dt.timedelta(hours=DUE_SOON_HOURS):
        return "due"
    return "scheduled"


def schedule(
    actor: Actor, version: ArrangementVersion, now: dt.datetime | None = None
) -> list[ScheduleRow]:
    """Each zone the arrangement inspects at an interval: the next inspection is due
    ``interval_days_max`` after the last one (or, before any, after the later of the
    clause's start and the version's loading)."""
    now = now or timezone.now()
    last = dict(
        list_reports(actor)
        .values("zone")
        .annotate(at=Max("inspected_at"))
        .values_list("zone", "at")
    )
    rows: list[ScheduleRow] = []
    seen: set[str] = set()
    zone_name = engine_for(version).arrangement.time_zone
    tz = localtime.time_zone(zone_name)
    for clause in inspection_clauses(version):
        days = clause.parameters.get("interval_days_max")
        if not days:
            continue
        start = localtime.clause_start(clause.effective_from, tz) or version.loaded_at
        start = max(start, version.loaded_at)
        for zone in clause.zones:
            if zone in seen:
                continue
            seen.add(zone)
            previous = last.get(zone)
            due = (previous or start) + dt.timedelta(days=float(days))
            rows.append(ScheduleRow(zone, clause.id, float(days), previous, due, _status(due, now)))
    rows.sort(key=lambda r: (r.due_at, r.zone))
    return rows


def open_requests(actor: Actor) -> QuerySet[InspectionRequest]:
    """Requests not yet answered by a report, soonest due first."""
    return list_requests(actor).filter(report__isnull=True).order_by("due_at", "requested_at")


def denials_for_scorecard(actor: Actor) -> Iterable[tuple[str, str, dt.datetime]]:
    """``(party code, kind, occurred_at)`` of every access denial and restriction the
    reader may see that names the party the monitors report it was."""
    return list(
        list_denials(actor)
        .filter(party__isnull=False)
        .order_by("occurred_at", "pk")
        .values_list("party__code", "kind", "occurred_at")
    )


def denials_seen_by_all(codes: Iterable[str]) -> list[tuple[str, str, dt.datetime]]:
    """As :func:`denials_for_scorecard`, over the denials every party of ``codes`` may see
    (what a released scorecard covers: ``cases.releases``)."""
    found = AccessDenial.objects.filter(party__isnull=False)
    for code in codes:
        found = found.filter(
            Q(audience__contains=f"|{code}|") | Q(audience__contains=f"|{ALL_MEMBERS}|")
        )
    return list(
        found.order_by("occurred_at", "pk").values_list("party__code", "kind", "occurred_at")
    )
