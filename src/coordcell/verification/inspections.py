"""Inspections: a party's request, a monitor's report by element, access denials.

The arrangement says how often each zone is inspected and how soon a requested inspection
is due: each clause of kind ``inspection`` cites its zones and has ``interval_days_max``
(at most that many days between two inspections of a zone), ``on_request`` (a party may
request one) and ``on_request_within_hours`` (a requested inspection is due that long
after the request). Nothing of it is written here.

A monitor's report gives the holdings it found in the zone by category and party; the
engine checks them against the caps of the limit clauses citing the zone
(``Engine.check_holdings``) and the findings are stored on the report, each with its
clause's status (a finding under a clause that is not agreed has no severity). Reports,
requests and denials are read by both parties, the mediators and the monitors ("report
thereon to the parties").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordcell.agreements.engines import engine_for
from coordcell.core.actor import Actor
from coordcell.core.audience import encode
from coordcell.core.errors import PermissionDenied, ValidationFailed
from coordcell.core.models import new_reference
from coordcell.parties import selectors as parties
from coordcell.parties.choices import PartyKindChoices, RoleChoices
from coordcell.record.services import append_event, subject
from coordcell.rules import localtime
from coordcell.rules.engine import Holding
from coordcell.verification import events
from coordcell.verification.choices import DenialKindChoices
from coordcell.verification.models import AccessDenial, InspectionReport, InspectionRequest

if TYPE_CHECKING:
    from coordcell.agreements.models import ArrangementVersion
    from coordcell.rules.arrangement import ClauseSpec

__all__ = [
    "CATEGORIES",
    "HOLDINGS_MAX",
    "MAY_NOT_INSPECT",
    "MAY_NOT_REQUEST",
    "TEXT_MAX_CHARS",
    "file_report",
    "inspection_clauses",
    "may_inspect",
    "may_request",
    "party_codes",
    "record_denial",
    "request_inspection",
]

#: What a report counts: a limit key without ``max_`` (``rules.engine.Holding``).
CATEGORIES: tuple[str, ...] = (
    "personnel",
    "brigades",
    "tanks",
    "artillery_pieces",
    "artillery_range_km",
    "surface_to_air_missiles",
)
#: At most this many elements in one report.
HOLDINGS_MAX = 60
#: A reason, a summary, a description: at most this many characters.
TEXT_MAX_CHARS = 4_000
#: A count: at most this (no inspected holding is larger; refuses absurd input).
COUNT_MAX = 1_000_000
MAY_NOT_INSPECT = gettext_lazy("Only the monitors' members file inspection reports and denials.")
MAY_NOT_REQUEST = gettext_lazy("A party's liaison officers and principals request inspections.")
_REQUESTERS = (RoleChoices.LIAISON_OFFICER, RoleChoices.PRINCIPAL)


def may_inspect(actor: Actor) -> bool:
    """Whether the actor is a monitor's member with the monitor role."""
    return (
        not actor.system
        and actor.party_kind == PartyKindChoices.KIND_MONITOR
        and actor.has_role(RoleChoices.MONITOR)
    )


def may_request(actor: Actor) -> bool:
    """Whether the actor may request an inspection for their party."""
    return (
        not actor.system
        and actor.party_kind == PartyKindChoices.KIND_PARTY
        and any(actor.has_role(r) for r in _REQUESTERS)
    )


def inspection_clauses(version: ArrangementVersion) -> list[ClauseSpec]:
    """The version's inspection clauses that cite zones, in the scenario's order."""
    return [
        c for c in engine_for(version).arrangement.clauses if c.kind == "inspection" and c.zones
    ]


def _clause_of(
    version: ArrangementVersion, zone: str, *, requested: bool = False
) -> ClauseSpec | None:
    for clause in inspection_clauses(version):
        if zone in clause.zones and (not requested or clause.parameters.get("on_request")):
            return clause
    return None


def party_codes(version: ArrangementVersion) -> list[str]:
    """The arrangement's parties of kind ``party`` (the sides whose holdings are counted)."""
    return [p.code for p in engine_for(version).arrangement.parties if p.kind == "party"]


def audience_of(version: ArrangementVersion) -> list[str]:
    """Both parties, the mediators, the monitors."""
    return parties.concerned_audience(*party_codes(version))


def _call_sign(actor: Actor) -> str:
    return actor.name


def _text(value: Any, field: str, errors: dict[str, list[str]], *, required: bool) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        errors[field] = [_("This field is required.")]
    elif len(text) > TEXT_MAX_CHARS:
        errors[field] = [_("At most %(n)s characters.") % {"n": TEXT_MAX_CHARS}]
    return text


@transaction.atomic
def request_inspection(
    *, actor: Actor, version: ArrangementVersion, zone: str, reason: str
) -> InspectionRequest:
    """A party requests an inspection of a zone the arrangement inspects on request."""
    if not may_request(actor):
        raise PermissionDenied(MAY_NOT_REQUEST)
    party = parties.party_of(actor)
    assert party is not None
    errors: dict[str, list[str]] = {}
    clause = _clause_of(version, zone, requested=True)
    if clause is None:
        errors["zone"] = [_("Choose a zone the arrangement inspects on request.")]
    reason = _text(reason, "reason", errors, required=True)
    if errors:
        raise ValidationFailed(errors)
    assert clause is not None
    now = timezone.now()
    hours = clause.parameters.get("on_request_within_hours")
    request = InspectionRequest.objects.create(
        version=version,
        clause=clause.id,
        zone=zone,
        party=party,
        requested_by=actor.user,
        call_sign=_call_sign(actor),
        requested_at=now,
        due_at=now + dt.timedelta(hours=float(hours)) if hours else None,
        reason=reason,
        audience=encode(audience_of(version)),
    )
    append_event(
        actor=actor,
        event_type=events.INSPECTION_REQUESTED,
        data={
            "request": str(request.public_id),
            "clause": clause.id,
            "zone": zone,
            "party": party.code,
            "due_at": request.due_at,
            "reason": reason,
        },
        subjects=[subject("verification.inspectionrequest", request.public_id, zone)],
        audience=request.audience_codes,
    )
    return request


def _holdings(raw: Any, sides: list[str], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Each element checked: a party whose holdings are counted, a category, a count."""
    if not isinstance(raw, list) or not raw:
        errors["holdings"] = [_("Give at least one element: party, category and count.")]
        return []
    if len(raw) > HOLDINGS_MAX:
        errors["holdings"] = [_("At most %(n)s elements.") % {"n": HOLDINGS_MAX}]
        return []
    clean: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    problems: list[str] = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            problems.append(_("Element %(i)s: give party, category and count.") % {"i": index})
            continue
        party, category, count = item.get("party"), item.get("category"), item.get("count")
        if party not in sides:
            problems.append(_("Element %(i)s: unknown party.") % {"i": index})
        elif category not in CATEGORIES:
            problems.append(_("Element %(i)s: unknown category.") % {"i": index})
        elif (
            isinstance(count, bool)
            or not isinstance(count, int | float)
            or not math.isfinite(count)
            or not 0 <= count <= COUNT_MAX
            or (category != "artillery_range_km" and not float(count).is_integer())
        ):
            problems.append(
                _(
                    "Element %(i)s: a count is a whole number from 0 "
                    "(a range in km may have decimals)."
                )
                % {"i": index}
            )
        elif (party, category) in seen:
            problems.append(
                _("Element %(i)s: this party and category are given twice.") % {"i": index}
            )
        else:
            seen.add((party, category))
            number: float | int = float(count) if category == "artillery_range_km" else int(count)
            clean.append({"party": party, "category": category, "count": number})
    if problems:
        errors["holdings"] = problems
    return clean


def findings_for(
    version: ArrangementVersion, zone: str, holdings: Iterable[Mapping[str, Any]], day: dt.date
) -> list[dict[str, Any]]:
    """The engine's findings on the holdings, as stored on a report (with each holding's
    party: the engine's finding keeps the zone and clause)."""
    engine = engine_for(version)
    found: list[dict[str, Any]] = []
    for h in holdings:
        for f in engine.check_holdings(
            [
                Holding(
                    zone=zone, party=h["party"], category=h["category"], count=h["count"], as_of=day
                )
            ]
        ):
            found.append(
                {
                    "clause": f.clause,
                    "zone": f.zone,
                    "party": h["party"],
                    "rule": f.rule,
                    "severity": f.severity,
                    "status": f.status,
                    "disputed_by": list(f.disputed_by),
                    "message_id": f.message_id,
                    "params": dict(f.params),
                    "version": f.version,
                }
            )
    return found


@transaction.atomic
def file_report(
    *,
    actor: Actor,
    version: ArrangementVersion,
    zone: str,
    inspected_at: dt.datetime,
    holdings: Any,
    summary: str = "",
    request: InspectionRequest | None = None,
) -> InspectionReport:
    """A monitor files the report of an inspection of a zone: the holdings found, by
    category and party, checked against the caps (the findings are stored with it). It
    may answer an open request for that zone."""
    if not may_inspect(actor):
        raise PermissionDenied(MAY_NOT_INSPECT)
    monitor = parties.party_of(actor)
    assert monitor is not None
    errors: dict[str, list[str]] = {}
    clause = _clause_of(version, zone)
    if clause is None:
        errors["zone"] = [_("Choose a zone the arrangement has inspected.")]
    now = timezone.now()
    if not isinstance(inspected_at, dt.datetime) or inspected_at.tzinfo is None:
        errors["inspected_at"] = [_("Give the time of the inspection, with its time zone.")]
    elif inspected_at > now + dt.timedelta(minutes=5):
        errors["inspected_at"] = [_("The inspection cannot be in the future.")]
    elif inspected_at < now - dt.timedelta(days=31):
        errors["inspected_at"] = [_("File a report within 31 days of the inspection.")]
    clean = _holdings(holdings, party_codes(version), errors)
    summary = _text(summary, "summary", errors, required=False)
    locked = None
    if request is not None:
        locked = (
            InspectionRequest.objects.restrict(actor)
            .select_for_update(no_key=True)
            .filter(pk=request.pk)
            .first()
        )
        if locked is None or locked.report_id is not None or locked.zone != zone:
            errors["request"] = [_("Choose an open request for this zone.")]
    if errors:
        raise ValidationFailed(errors)
    assert clause is not None
    assert isinstance(inspected_at, dt.datetime)
    day = localtime.local_day(
        inspected_at, localtime.time_zone(engine_for(version).arrangement.time_zone)
    )
    report = InspectionReport.objects.create(
        reference=new_reference("INSP"),
        version=version,
        clause=clause.id,
        zone=zone,
        monitor=monitor,
        filed_by=actor.user,
        call_sign=_call_sign(actor),
        inspected_at=inspected_at,
        filed_at=now,
        summary=summary,
        holdings=clean,
        findings=findings_for(version, zone, clean, day),
        audience=encode(audience_of(version)),
    )
    if locked is not None:
        InspectionRequest.objects.filter(pk=locked.pk, report__isnull=True).update(report=report)
    append_event(
        actor=actor,
        event_type=events.REPORT_FILED,
        data={
            "report": report.reference,
            "clause": clause.id,
            "zone": zone,
            "monitor": monitor.code,
            "inspected_at": inspected_at,
            "holdings": clean,
            "findings": [
                {k: f[k] for k in ("clause", "party", "rule", "status", "severity")}
                for f in report.findings
            ],
            "request": str(locked.public_id) if locked is not None else None,
        },
        subjects=[subject("verification.inspectionreport", report.public_id, report.reference)],
        audience=report.audience_codes,
    )
    return report


@transaction.atomic
def record_denial(
    *,
    actor: Actor,
    version: ArrangementVersion,
    kind: str,
    place: Mapping[str, Any],
    occurred_at: dt.datetime,
    description: str,
    party: str = "",
    report: InspectionReport | None = None,
) -> AccessDenial:
    """A monitor records an access denial or a restriction of movement: where (a point,
    already normalised by ``rules.geojson_input``, inside the arrangement's region), when,
    what happened, and the party whose personnel the monitors report it was (optional)."""
    if not may_inspect(actor):
        raise PermissionDenied(MAY_NOT_INSPECT)
    monitor = parties.party_of(actor)
    assert monitor is not None
    errors: dict[str, list[str]] = {}
    if kind not in DenialKindChoices.values():
        errors["kind"] = [_("Choose access denied or restriction of movement.")]
    zones: list[str] = []
    if not isinstance(place, Mapping) or place.get("type") != "Point":
        errors["place"] = [_("Give the place as a point.")]
    else:
        where = engine_for(version).locate(place)
        if where.problems:
            errors["place"] = [_("The place is not a valid point inside the arrangement's region.")]
        zones = list(where.zones)
    now = timezone.now()
    if not isinstance(occurred_at, dt.datetime) or occurred_at.tzinfo is None:
        errors["occurred_at"] = [_("Give the time, with its time zone.")]
    elif occurred_at > now + dt.timedelta(minutes=5):
        errors["occurred_at"] = [_("The time cannot be in the future.")]
    elif occurred_at < now - dt.timedelta(days=31):
        errors["occurred_at"] = [_("Record a denial within 31 days.")]
    sides = party_codes(version)
    if party and party not in sides:
        errors["party"] = [_("Unknown party.")]
    description = _text(description, "description", errors, required=True)
    if (
        report is not None
        and not InspectionReport.objects.restrict(actor).filter(pk=report.pk).exists()
    ):
        errors["report"] = [_("Unknown report.")]
    if errors:
        raise ValidationFailed(errors)
    denial = AccessDenial.objects.create(
        reference=new_reference("DEN"),
        kind=kind,
        monitor=monitor,
        party=parties.access_party(actor, party) if party else None,
        reported_by=actor.user,
        call_sign=_call_sign(actor),
        occurred_at=occurred_at,
        recorded_at=now,
        place=dict(place),
        zones=zones,
        description=description,
        report=report,
        audience=encode(audience_of(version)),
    )
    append_event(
        actor=actor,
        event_type=events.DENIAL_RECORDED,
        data={
            "denial": denial.reference,
            "kind": kind,
            "monitor": monitor.code,
            "party": party or None,
            "occurred_at": occurred_at,
            "place": denial.place,
            "zones": zones,
            "description": description,
        },
        subjects=[subject("verification.accessdenial", denial.public_id, denial.reference)],
        audience=denial.audience_codes,
    )
    return denial
