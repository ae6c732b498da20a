"""The mechanism's scorecard of compliance: shared numbers, computed from the record's steps.

Per party and per period — a day, an ISO week or a month (UTC), by when a complaint was
lodged or a call received (``WINDOWS``) — it counts compliance first: **determinations by
outcome** against the party as respondent (each outcome of ``OutcomeChoices``, or the
outcome not stated), **remedies** the party owns (ordered, reported done, verified),
**monitor access denied** (the elements of verifications the monitors could not verify
because the party denied them access), and **repeat incidents**: complaints against the
party whose incident lies within ``REPEAT_KM`` of an earlier one's against the same party,
at most ``REPEAT_DAYS`` before it. Then the courtesy: complaints lodged and received; the
median and 90th-percentile time to acknowledge, answer, verify and determine; deadlines
met, extended by agreement, and missed; and the hotline's answer rate. The time to
determine is credited to the parties that decided it (the proposer and every concurring
party under a joint rule, the one that determined otherwise: ``Case.decided_by``), never
to every mediator; a determination deadline is each party's that may decide the case
under its protocol's rule.

Each reader's scorecard counts only the complaints and hotline calls that reader may see
(their audience): a case or call shared with other parties alone is not counted, so the
numbers cannot tell a reader that, or when, exchanges it may not see took place
(``docs/security.md``). Two readers who see the same cases see the same numbers. Every
step counted here is a record entry (``Step.entry``).

The parties, the mediators and the monitors read it live. Beyond them — donors and
observers — nobody reads anything of it until every party has countersigned a release
(``cases.releases.release_scorecard``): then they read the released copy, computed over
the cases and calls every countersigning party could see, with when and by whom it was
released; before that their scorecard does not exist (404).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coordcell.cases import services
from coordcell.cases.choices import OutcomeChoices
from coordcell.cases.models import (
    Activation,
    Case,
    Deadline,
    Remedy,
    ScorecardRelease,
    Step,
    VerificationElement,
)
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, ValidationFailed
from coordcell.incidents.selectors import distance_km
from coordcell.parties import selectors as party_selectors
from coordcell.parties.choices import PartyKindChoices
from coordcell.rules import verification
from coordcell.verification import selectors as verification_selectors
from coordcell.verification.choices import DenialKindChoices

DENIAL = DenialKindChoices.DENIAL

__all__ = [
    "READ_LIVE",
    "REPEAT_DAYS",
    "REPEAT_KM",
    "WINDOWS",
    "Durations",
    "Row",
    "compute",
    "period_of",
    "register_counter",
    "scorecard",
]

#: The periods the numbers are counted by (UTC): a day, an ISO week, a month.
WINDOWS = ("day", "week", "month")
#: A complaint's incident repeats an earlier one against the same party when it lies at
#: most this far from it (km, between their representative points) …
REPEAT_KM = 5.0
#: … and occurred at most this many days after it.
REPEAT_DAYS = 30
#: The kinds of party that read the scorecard live; any other reads only a release.
READ_LIVE = (
    PartyKindChoices.KIND_PARTY,
    PartyKindChoices.KIND_MEDIATOR,
    PartyKindChoices.KIND_MONITOR,
)
#: The determinations' outcomes counted, and the key of one that states none.
_NOT_STATED = "outcome_not_stated"

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
    determinations: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys([*OutcomeChoices.values(), _NOT_STATED], 0)
    )
    remedies_requested: int = 0
    remedies_reported: int = 0
    remedies_verified: int = 0
    repeat_incidents: int = 0
    access_denied: int = 0
    #: Restrictions of the monitors' movement they report (``verification``).
    movement_restricted: int = 0

    def as_dict(self) -> dict[str, Any]:
        rate = (
            round(self.hotline_answered / self.hotline_received, 3)
            if self.hotline_received
            else None
        )
        return {
            # Compliance: what was found against the party as respondent, and what followed.
            "determinations": dict(self.determinations),
            "remedies": {
                "requested": self.remedies_requested,
                "reported": self.remedies_reported,
                "verified": self.remedies_verified,
            },
            "monitor_access_denied": self.access_denied,
            "monitor_movement_restricted": self.movement_restricted,
            "repeat_incidents": self.repeat_incidents,
            # Courtesy: how promptly the mechanism's steps were taken.
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
        }


def period_of(moment: Any, window: str) -> str:
    """The period of ``moment`` (UTC): ``2026-03-01``, ``2026-W09`` or ``2026-03``."""
    if window == "day":
        return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    if window == "week":
        year, week, _day = moment.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return f"{moment.year:04d}-{moment.month:02d}"


def _outcome(history: list[Step]) -> str:
    """What the determination in effect found: the outcome its step (or, under a joint
    rule, the proposal adopted) stated, else ``_NOT_STATED``."""
    # The last determination or proposal is the one in effect: a declined proposal lapses,
    # and nothing decides after the determination.
    decided = [s for s in history if s.action in ("determine", "propose")]
    outcome = decided[-1].entry.data.get("outcome") if decided else None
    return str(outcome) if outcome in OutcomeChoices.values() else _NOT_STATED


def _repeats(cases: list[Case], answering: dict[int, tuple[str, ...]]) -> set[tuple[int, str]]:
    """(case, respondent) pairs whose incident repeats an earlier one against the same
    respondent: within ``REPEAT_KM`` and at most ``REPEAT_DAYS`` after it."""
    by_party: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        for code in _answering(case, answering):
            by_party[code].append(case)
    repeats: set[tuple[int, str]] = set()
    window = dt.timedelta(days=REPEAT_DAYS)
    for code, against in by_party.items():
        against.sort(key=lambda c: (c.incident.occurred_from, c.pk))
        for i, case in enumerate(against):
            here = case.incident
            for earlier in against[:i]:
                there = earlier.incident
                if (
                    there.pk != here.pk
                    and here.occurred_from - there.occurred_from <= window
                    and distance_km(here.lon, here.lat, there.lon, there.lat) <= REPEAT_KM
                ):
                    repeats.add((case.pk, code))
                    break
    return repeats


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


#: Counters that apps above cases add to the live scorecard (``register_counter``): each
#: is called with the reader and the window and returns, for (party code, period), the
#: numbers it counts *over what that reader may see*; they appear in the party's row of
#: that period under the counter's name (e.g. ``proposals``: commitments met, extended by
#: both parties, missed). cases imports nothing of them: they register themselves.
_COUNTERS: dict[str, Callable[[Actor, str], dict[tuple[str, str], dict[str, Any]]]] = {}


def register_counter(
    name: str, counter: Callable[[Actor, str], dict[tuple[str, str], dict[str, Any]]]
) -> None:
    """Add ``counter``'s numbers to every live scorecard under ``name`` (once per name)."""
    _COUNTERS[name] = counter


def _add_counters(card: dict[str, Any], actor: Actor, window: str) -> dict[str, Any]:
    extra: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for name, counter in sorted(_COUNTERS.items()):
        for key, numbers in counter(actor, window).items():
            extra[key][name] = numbers
    if not extra:
        return card
    months = sorted({*card["months"], *(period for _code, period in extra)}, reverse=True)
    for row in card["parties"]:
        for period in months:
            found = extra.get((row["party"], period))
            if found:
                row["months"].setdefault(period, Row().as_dict()).update(found)
    return {**card, "months": months}


def scorecard(actor: Actor, window: str = "month") -> dict[str, Any]:
    """The scorecard ``actor`` may read, by ``window`` (one of ``WINDOWS``): for the
    parties, the mediators and the monitors, the live one over the cases and calls in their
    audience; for anyone else, the latest released one (NotFound before any release)."""
    if window not in WINDOWS:
        raise ValidationFailed({"window": [_("Choose a day, a week or a month.")]})
    if actor.system or (actor.party_code and actor.party_kind in READ_LIVE):
        card = compute(
            Case.objects.restrict(actor),
            Activation.objects.restrict(actor),
            window,
            denials=verification_selectors.denials_for_scorecard(actor),
        )
        card = _add_counters(card, actor, window)
        return {**card, "released": None}
    if not actor.party_code:
        raise NotFound()
    release = ScorecardRelease.objects.exclude(released_at=None).order_by("-released_at").first()
    if release is None or window not in release.card:
        raise NotFound()  # nothing released: to a donor or an observer it does not exist
    released = {"released_at": release.released_at, "signed_by": list(release.signed_by)}
    return {**release.card[window], "released": released}


def compute(
    cases: QuerySet[Case],
    activations: QuerySet[Activation],
    window: str = "month",
    *,
    denials: Iterable[tuple[str, str, dt.datetime]] = (),
) -> dict[str, Any]:
    """The scorecard over ``cases`` and ``activations`` (a reader's visible set, or what a
    release covers), by ``window``; ``denials``: the monitors' access denials and
    restrictions of movement that set covers (``verification.selectors``), as
    ``(party, kind, occurred_at)``."""
    parties = party_selectors.parties_of_kinds(READ_LIVE)
    by_code = {p.pk: p.code for p in parties}
    rows: dict[tuple[str, str], Row] = defaultdict(Row)
    steps: dict[int, list[Step]] = defaultdict(list)
    for step in Step.objects.filter(case__in=cases).select_related("entry").order_by("at", "pk"):
        steps[step.case_id].append(step)
    monitors = [p.code for p in parties if p.kind == PartyKindChoices.KIND_MONITOR]
    answering: dict[int, tuple[str, ...]] = {}
    deciders: dict[int, tuple[str, ...]] = {}
    visible = list(cases.select_related("complainant", "respondent", "incident"))
    repeats = _repeats(visible, answering)
    for case in visible:
        month = period_of(case.lodged_at, window)
        # An inquiry of the mechanism's own motion has no complainant.
        complainant = by_code.get(case.complainant_id) if case.complainant_id else None
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
            if case.respondent_id is None:
                continue  # a complaint to the mechanism finds nothing against a party
            if case.determined_at is not None:
                row.determinations[_outcome(history)] += 1
            # Stored cases: the respondent reported the remedy itself (no Remedy rows).
            row.remedies_reported += sum(1 for s in history if s.action == "remedy")
            if (case.pk, respondent) in repeats:
                row.repeat_incidents += 1
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
        month = period_of(case.lodged_at, window)
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
    for remedy in Remedy.objects.filter(case__in=cases).select_related("case"):
        row = rows[(remedy.owner, period_of(remedy.case.lodged_at, window))]
        row.remedies_requested += 1
        if remedy.state in ("done", "verified"):
            row.remedies_reported += 1
        if remedy.state == "verified":
            row.remedies_verified += 1
    elements_denied = VerificationElement.objects.filter(
        case__in=cases, reason=verification.ACCESS_DENIED
    ).select_related("case")
    for denial in elements_denied:
        # An element the monitors could not verify because this party denied access.
        rows[(denial.denied_by, period_of(denial.case.lodged_at, window))].access_denied += 1
    for party_code, kind, occurred_at in denials:
        # Reported by the monitors at an inspection (``verification``), by when it happened.
        row = rows[(party_code, period_of(occurred_at, window))]
        if kind == DENIAL:
            row.access_denied += 1
        else:
            row.movement_restricted += 1
    for activation in activations:
        callee = by_code.get(activation.callee_party_id)
        if callee is None:
            continue
        row = rows[(callee, period_of(activation.received_at, window))]
        row.hotline_received += 1
        if activation.answered_at is not None:
            row.hotline_answered += 1
            if activation.answered_at <= activation.answer_due_at:
                row.hotline_in_time += 1
    months = sorted({month for _code, month in rows}, reverse=True)
    return {
        "window": window,
        "repeat_km": REPEAT_KM,
        "repeat_days": REPEAT_DAYS,
        # The periods, newest first (named "months" since the first scorecard; a day or an
        # ISO week under those windows).
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
