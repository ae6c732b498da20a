"""The mechanism's scorecard: shared numbers, computed from the record's steps.

Per party and per month (UTC, by the month a complaint was lodged or a call received):
complaints lodged and received; the median and 90th-percentile time to acknowledge,
answer, verify and determine; deadlines met, extended by agreement, and missed; and the
hotline's answer rate; the elements of verifications a party denied the monitors access
to. A determination is credited to the parties that decided it (the
proposer and every concurring party under a joint rule, the one that determined
otherwise: ``Case.decided_by``), never to every mediator; a determination deadline is
each party's that may decide the case under its protocol's rule.

Each reader's scorecard counts only the complaints and hotline calls that reader may see
(their audience): a case or call shared with other parties alone is not counted, so the
numbers cannot tell a reader that, or when, exchanges it may not see took place
(``docs/security.md``). Two readers who see the same cases see the same numbers. Every
step counted here is a record entry (``Step.entry``).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from coordcell.cases import selectors, services
from coordcell.cases.models import Activation, Case, Deadline, Step
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.parties import selectors as party_selectors
from coordcell.parties.choices import PartyKindChoices

__all__ = ["Durations", "Row", "scorecard"]

#: Deadline kinds a party answers for when it is the respondent (or, for a complaint
#: addressed to the mechanism, when it answers for the mechanism).
_RESPONDENT_KINDS = ("acknowledge", "answer")


@dataclass
class Durations:
    """Hours from a start to a step: how many, the median, the 90th percentile."""

    values: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.values.append(seconds / 3600)

    @property
    def count(self) -> int:
        return len(self.values)

    @property
    def median(self) -> float | None:
        return round(statistics.median(self.values), 2) if self.values else None

    @property
    def p90(self) -> float | None:
        if not self.values:
            return None
        if len(self.values) == 1:
            return round(self.values[0], 2)
        return round(statistics.quantiles(self.values, n=10, method="inclusive")[-1], 2)

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "median_hours": self.median, "p90_hours": self.p90}


@dataclass
class Row:
    lodged: int = 0
    received: int = 0
    acknowledge: Durations = field(default_factory=Durations)
    answer: Durations = field(default_factory=Durations)
    verify: Durations = field(default_factory=Durations)
    determine: Durations = field(default_factory=Durations)
    deadlines_met: int = 0
    deadlines_extended: int = 0
    deadlines_missed: int = 0
    hotline_received: int = 0
    hotline_answered: int = 0
    hotline_in_time: int = 0
    access_denied: int = 0

    def as_dict(self) -> dict[str, Any]:
        rate = (
            round(self.hotline_answered / self.hotline_received, 3)
            if self.hotline_received
            else None
        )
        return {
            "complaints_lodged": self.lodged,
            "complaints_received": self.received,
            "time_to_acknowledge": self.acknowledge.as_dict(),
            "time_to_answer": self.answer.as_dict(),
            "time_to_verify": self.verify.as_dict(),
            "time_to_determine": self.determine.as_dict(),
            "deadlines": {
                "met": self.deadlines_met,
                "extended_by_agreement": self.deadlines_extended,
                "missed": self.deadlines_missed,
            },
            "hotline": {
                "received": self.hotline_received,
                "answered": self.hotline_answered,
                "answered_in_time": self.hotline_in_time,
                "answer_rate": rate,
            },
            "access_denied": self.access_denied,
        }


def _month(moment: Any) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def _first(steps: Iterable[Step], actions: tuple[str, ...]) -> Step | None:
    return next((s for s in steps if s.action in actions), None)


def _answering(case: Case, cache: dict[int, tuple[str, ...]]) -> tuple[str, ...]:
    """The parties that answer ``case`` (its respondent, or the mechanism's answerers)."""
    if case.pk not in cache:
        cache[case.pk] = services.answering_codes(case)
    return cache[case.pk]


def _deciders(case: Case, cache: dict[int, tuple[str, ...]]) -> tuple[str, ...]:
    """The parties that may decide ``case`` (its protocol's rule), once per case."""
    if case.pk not in cache:
        cache[case.pk] = services.decision_of(case).deciders
    return cache[case.pk]


def scorecard(actor: Actor) -> dict[str, Any]:
    """The scorecard of what ``actor`` may see: the cases and calls in its audience."""
    if not actor.system and not actor.party_code:
        raise NotFound()
    parties = party_selectors.parties_of_kinds(
        [PartyKindChoices.KIND_PARTY, PartyKindChoices.KIND_MEDIATOR, PartyKindChoices.KIND_MONITOR]
    )
    by_code = {p.pk: p.code for p in parties}
    rows: dict[tuple[str, str], Row] = defaultdict(Row)
    steps: dict[int, list[Step]] = defaultdict(list)
    cases = Case.objects.restrict(actor)
    for step in Step.objects.filter(case__in=cases).order_by("at", "pk"):
        steps[step.case_id].append(step)
    monitors = [p.code for p in parties if p.kind == PartyKindChoices.KIND_MONITOR]
    answering: dict[int, tuple[str, ...]] = {}
    deciders: dict[int, tuple[str, ...]] = {}
    for case in cases.select_related("complainant", "respondent"):
        month = _month(case.lodged_at)
        complainant = by_code.get(case.complainant_id)
        if complainant:
            rows[(complainant, month)].lodged += 1
        for respondent in _answering(case, answering):
            row = rows[(respondent, month)]
            row.received += 1
            history = steps.get(case.pk, [])
            ack = _first(history, ("acknowledge", "answer"))
            if ack is not None:
                row.acknowledge.add((ack.at - case.lodged_at).total_seconds())
            answered = _first(history, ("answer",))
            if answered is not None:
                row.answer.add((answered.at - case.lodged_at).total_seconds())
        history = steps.get(case.pk, [])
        requested = None
        for step in history:
            if step.action == "request_verification":
                requested = step
            elif step.action.startswith("record_") and requested is not None:
                for code in monitors:
                    rows[(code, month)].verify.add((step.at - requested.at).total_seconds())
                requested = None
        if case.determined_at is not None:
            for code in case.decided_by or ():
                rows[(code, month)].determine.add(
                    (case.determined_at - case.lodged_at).total_seconds()
                )
    for deadline in Deadline.objects.filter(case__in=cases).select_related("case"):
        case = deadline.case
        month = _month(case.lodged_at)
        owners: list[str | None]
        if deadline.kind in _RESPONDENT_KINDS:
            owners = list(_answering(case, answering))
        elif deadline.kind == "verification":
            owners = list(monitors)
        elif deadline.kind == "determination":
            owners = list(_deciders(case, deciders))
        else:
            continue  # the time a case may stay at a level is no one party's deadline
        for owner in owners:
            if owner is None:
                continue
            row = rows[(owner, month)]
            if deadline.extended_by_agreement:
                row.deadlines_extended += 1
            if deadline.state == "met":
                row.deadlines_met += 1
            elif deadline.state == "expired":
                row.deadlines_missed += 1
    for denial in selectors.access_denials(actor):
        # An element the monitors could not verify because this party denied access.
        rows[(denial.denied_by, _month(denial.case.lodged_at))].access_denied += 1
    for activation in Activation.objects.restrict(actor):
        callee = by_code.get(activation.callee_party_id)
        if callee is None:
            continue
        row = rows[(callee, _month(activation.received_at))]
        row.hotline_received += 1
        if activation.answered_at is not None:
            row.hotline_answered += 1
            if activation.answered_at <= activation.answer_due_at:
                row.hotline_in_time += 1
    months = sorted({month for _code, month in rows}, reverse=True)
    return {
        "months": months,
        "parties": [
            {
                "party": p.code,
                "kind": p.kind,
                "name": p.name,
                "months": {
                    month: rows[(p.code, month)].as_dict()
                    for month in months
                    if (p.code, month) in rows
                },
            }
            for p in parties
        ],
    }
