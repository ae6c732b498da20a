"""The only writers of access requests: civilians' access to land near the lines.

A party's liaison officer or principal asks another party for access for one of its
civilians (a farmer to a field near the line, a shepherd to grazing): who by the
requesting party's own reference (a code with a digit, never a name), where (a site or
an area inside the arrangement's zones: land near the lines), when (a window of at most
30 days) and what for. The other party acknowledges it (its receipt) and answers, by
the same deadline as a notice's receipt (the arrangement's ``receipt_within_hours``):
granted (the window asked), granted with an escorted access window (its start and end,
escorted by a party that reads the request) or denied with a reason. A request still
unanswered when due climbs the protocol's ladder, once, on the grounds of a missed
deadline, as a notice whose receipt is missing does (``services.escalate_unacknowledged``).

Why not a :class:`~coordcell.deconfliction.models.Notice` of a new activity: a notice
informs (a party tells of its own activity; receipts acknowledge it, nobody answers),
while an access request asks the other party for a decision with a window, an escort
and a reason; its author's activity list, lead times, clause warnings and follow-up
screening do not apply. It shares the notices' pieces instead: the audience rule, the
receipt deadline, the ladder, the worker, the delivery queue and the calendar.

Audiences fail closed: the two parties, the mediators and the monitors (who may
escort), named explicitly; every record entry has the request's audience.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordcell.agreements import selectors as agreement_selectors
from coordcell.agreements.engines import engine_for
from coordcell.core import audience as audiences
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound, PermissionDenied, ValidationFailed
from coordcell.deconfliction import events
from coordcell.deconfliction.choices import (
    AccessAnswerChoices,
    AccessPurposeChoices,
    RequesterKindChoices,
)
from coordcell.deconfliction.models import AccessRequest
from coordcell.deconfliction.services import (
    MAX_AHEAD_DAYS,
    MAX_WINDOW_DAYS,
    SCREEN_BATCH,
    WINDOW_BOUND_MESSAGE,
    WORKER,
    _acting,
    spec_of,
)
from coordcell.notify.queueing import queue_delivery
from coordcell.parties import selectors as party_selectors
from coordcell.parties.choices import PartyKindChoices
from coordcell.record.services import append_event, subject
from coordcell.rules import ladder
from coordcell.rules.geojson_input import GeometryError, normalise_geometry

__all__ = [
    "REASON_MAX_CHARS",
    "REFERENCE_PATTERN",
    "acknowledge_access",
    "answer_access",
    "escalate_unanswered",
    "may_request",
    "request_access",
]

#: A requester's reference: the requesting party's own code for the person or the
#: family, 3 to 32 letters, digits and hyphens with at least one digit, so that a name
#: does not fit (shared surfaces carry references only).
REFERENCE_PATTERN = re.compile(r"^(?=.*[0-9])[A-Z0-9][A-Z0-9-]{2,31}$")
DESCRIPTION_MAX_CHARS = 2_000
REASON_MAX_CHARS = 2_000
#: Shapes of the land asked for.
PLACE_TYPES = ("Point", "MultiPoint", "Polygon", "MultiPolygon")


def may_request(actor: Actor) -> bool:
    """A party's liaison officers and principals ask for access for its civilians."""
    return _acting(actor) and actor.party_kind == PartyKindChoices.KIND_PARTY


def _window_errors(
    starts_at: Any, ends_at: Any, now: dt.datetime, field: str
) -> dict[str, list[str]]:
    aware = all(isinstance(v, dt.datetime) and v.tzinfo is not None for v in (starts_at, ends_at))
    if not aware:
        return {field: [_("Give the window's start and end, with their time zone.")]}
    if not (
        -dt.timedelta(days=MAX_WINDOW_DAYS) <= starts_at - now <= dt.timedelta(days=MAX_AHEAD_DAYS)
    ):
        return {field: [str(WINDOW_BOUND_MESSAGE)]}
    if not starts_at < ends_at <= starts_at + dt.timedelta(days=MAX_WINDOW_DAYS):
        return {field: [_("A window ends after it starts, within 30 days.")]}
    if ends_at <= now:
        return {field: [_("This window is already over.")]}
    return {}


def _subject(row: AccessRequest) -> list[dict[str, Any]]:
    return [subject("deconfliction.accessrequest", row.public_id, row.reference)]


def _payload(row: AccessRequest, **extra: Any) -> dict[str, Any]:
    """A webhook's payload (notify fills in ``party`` itself: the author is
    ``requesting_party``)."""
    summary = _summary(row)
    summary["requesting_party"] = summary.pop("party")
    return {**summary, **extra}


def _summary(row: AccessRequest) -> dict[str, Any]:
    return {
        "request": row.reference,
        "party": row.party.code,
        "answering_party": row.answering_party.code,
        "requester_kind": row.requester_kind,
        "requester_ref": row.requester_ref,
        "purpose": row.purpose,
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
    }


@transaction.atomic
def request_access(
    *,
    actor: Actor,
    answering_party: str,
    requester_kind: str,
    requester_ref: str,
    purpose: str,
    geometry: Mapping[str, Any] | None,
    starts_at: Any,
    ends_at: Any,
    description: str = "",
    fictional: bool = False,
    now: dt.datetime | None = None,
) -> AccessRequest:
    """Ask ``answering_party`` for access to land near the lines (every field checked
    before anything is written; ``ValidationFailed`` names each problem)."""
    if not may_request(actor):
        raise PermissionDenied(
            _("Only a party's liaison officers and principals request access for its civilians.")
        )
    now = now or timezone.now()
    version = agreement_selectors.get_version(actor, None, None)
    spec = spec_of(version)
    errors: dict[str, list[str]] = {}
    if spec is None:
        raise ValidationFailed(
            {"answering_party": [_("The arrangement states no advance notification.")]}
        )
    party = party_selectors.party_of(actor)
    assert party is not None
    others = {
        p.code: p
        for p in party_selectors.parties_of_kinds([PartyKindChoices.KIND_PARTY])
        if p.pk != party.pk
    }
    other = others.get(str(answering_party or ""))
    if other is None:
        errors["answering_party"] = [_("Choose another party of the arrangement.")]
    if requester_kind not in RequesterKindChoices.values():
        errors["requester_kind"] = [_("Unknown choice.")]
    reference = str(requester_ref or "").strip().upper()
    if not REFERENCE_PATTERN.match(reference):
        errors["requester_ref"] = [
            _(
                "Give your party's reference for the person (3 to 32 letters, digits and "
                "hyphens, with a digit), never a name."
            )
        ]
    if purpose not in AccessPurposeChoices.values():
        errors["purpose"] = [_("Unknown choice.")]
    zones: list[str] = []
    clean_geometry: dict[str, Any] | None = None
    try:
        clean_geometry = normalise_geometry(geometry)
    except GeometryError as exc:
        errors["geometry"] = [exc.translated(_)]
    if clean_geometry is not None:
        if clean_geometry["type"] not in PLACE_TYPES:
            errors["geometry"] = [_("Give the site as a point or the area as a polygon.")]
        else:
            located = engine_for(version).locate(clean_geometry)
            zones = sorted({*located.zones, *located.possible_zones, *located.crossed_lines})
            if located.problems:
                errors["geometry"] = [p.message for p in located.problems]
            elif not zones:
                errors["geometry"] = [
                    _(
                        "This place is in no zone of the arrangement: an access request is "
                        "for land near the lines."
                    )
                ]
    errors.update(_window_errors(starts_at, ends_at, now, "ends_at"))
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_CHARS:
        errors["description"] = [_("At most 2,000 characters.")]
    if errors:
        raise ValidationFailed(errors)
    assert other is not None
    assert clean_geometry is not None
    audience = party_selectors.concerned_audience(party.code, other.code)
    row = AccessRequest.objects.create(
        version=version,
        party=party,
        answering_party=other,
        requester_kind=requester_kind,
        requester_ref=reference,
        purpose=purpose,
        geometry=clean_geometry,
        zones=zones,
        starts_at=starts_at,
        ends_at=ends_at,
        description=description,
        submitted_at=now,
        submitted_by=actor.user,
        answer_due_at=now + dt.timedelta(hours=spec.receipt_within_hours),
        fictional=fictional,
        audience=audiences.encode(audience),
    )
    entry = append_event(
        actor=actor,
        event_type=events.ACCESS_REQUESTED,
        data={
            **_summary(row),
            "geometry": row.geometry,
            "zones": zones,
            "description": description,
            "answer_due_at": row.answer_due_at,
            "fictional": fictional,
        },
        subjects=_subject(row),
        audience=audience,
    )
    queue_delivery(
        subject_type="deconfliction.access",
        subject_id=row.pk,
        event_type=entry.event_type,
        payload=_payload(row, answer_due_at=row.answer_due_at),
        audience=audience,
        at=entry.occurred_at,
    )
    return row


def _locked(actor: Actor, row: AccessRequest) -> AccessRequest:
    """The request afresh and locked, if the actor reads it (NotFound otherwise)."""
    if not AccessRequest.objects.restrict(actor).filter(pk=row.pk).exists():
        raise NotFound()
    locked: AccessRequest = (
        AccessRequest.objects.select_for_update(no_key=True)
        .select_related("party", "answering_party")
        .get(pk=row.pk)
    )
    return locked


def _answering(actor: Actor, row: AccessRequest) -> bool:
    return _acting(actor) and actor.party_id == row.answering_party_id


@transaction.atomic
def acknowledge_access(*, actor: Actor, request: AccessRequest) -> AccessRequest:
    """The answering party's receipt: it has the request (an answer is a receipt too)."""
    row = _locked(actor, request)
    if not _answering(actor, row):
        raise PermissionDenied(_("Only the answering party's liaison officers and principals."))
    if row.received_at is not None:
        raise ValidationFailed({"request": [_("Your party has already acknowledged it.")]})
    row.received_at = timezone.now()
    row.save(update_fields=["received_at"])
    append_event(
        actor=actor,
        event_type=events.ACCESS_ACKNOWLEDGED,
        data={"request": row.reference, "party": actor.party_code, "at": row.received_at},
        subjects=_subject(row),
        audience=row.audience_codes,
    )
    return row


@transaction.atomic
def answer_access(
    *,
    actor: Actor,
    request: AccessRequest,
    answer: str,
    reason: str = "",
    window_starts_at: Any = None,
    window_ends_at: Any = None,
    escort_by: str = "",
    now: dt.datetime | None = None,
) -> AccessRequest:
    """The answering party answers, once: ``granted`` (the window asked),
    ``granted_escorted`` (a window and who escorts: a party reading the request, not a
    donor) or ``denied`` (with a reason)."""
    row = _locked(actor, request)
    if not _answering(actor, row):
        raise PermissionDenied(_("Only the answering party's liaison officers and principals."))
    if row.answer:
        raise ValidationFailed({"answer": [_("This request has already been answered.")]})
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    escort = (escort_by or "").strip()
    if answer not in AccessAnswerChoices.values():
        errors["answer"] = [_("Unknown choice.")]
    if len(reason) > REASON_MAX_CHARS:
        errors["reason"] = [_("At most 2,000 characters.")]
    elif answer == AccessAnswerChoices.DENIED and not reason:
        errors["reason"] = [_("A denial gives its reason.")]
    starts, ends = row.starts_at, row.ends_at
    if answer == AccessAnswerChoices.GRANTED_ESCORTED:
        errors.update(_window_errors(window_starts_at, window_ends_at, now, "window_ends_at"))
        starts, ends = window_starts_at, window_ends_at
        readers = set(row.audience_codes) - {audiences.ALL_MEMBERS}
        escorts = {
            p.code
            for p in party_selectors.parties_of_kinds(
                [
                    PartyKindChoices.KIND_PARTY,
                    PartyKindChoices.KIND_MEDIATOR,
                    PartyKindChoices.KIND_MONITOR,
                ]
            )
            if p.code in readers
        }
        if escort not in escorts:
            errors["escort_by"] = [_("Choose who escorts: a party that reads this request.")]
    elif escort or window_starts_at or window_ends_at:
        errors["escort_by"] = [_("Only an escorted grant gives a window and an escort.")]
    if errors:
        raise ValidationFailed(errors)
    denied = answer == AccessAnswerChoices.DENIED
    row.answer = answer
    row.answer_reason = reason
    row.window_starts_at = None if denied else starts
    row.window_ends_at = None if denied else ends
    row.escort_by = escort if answer == AccessAnswerChoices.GRANTED_ESCORTED else ""
    row.answered_at = now
    row.answered_by = actor.user
    row.received_at = row.received_at or now
    row.save(
        update_fields=[
            "answer",
            "answer_reason",
            "window_starts_at",
            "window_ends_at",
            "escort_by",
            "answered_at",
            "answered_by",
            "received_at",
        ]
    )
    data = {
        "request": row.reference,
        "party": actor.party_code,
        "answer": answer,
        "reason": reason,
        "window_starts_at": row.window_starts_at,
        "window_ends_at": row.window_ends_at,
        "escort_by": row.escort_by,
        "late": now > row.answer_due_at,
    }
    entry = append_event(
        actor=actor,
        event_type=events.ACCESS_ANSWERED,
        data=data,
        subjects=_subject(row),
        audience=row.audience_codes,
    )
    queue_delivery(
        subject_type="deconfliction.access_answer",
        subject_id=row.pk,
        event_type=entry.event_type,
        payload=_payload(row, **{k: v for k, v in data.items() if k != "party"}),
        audience=row.audience_codes,
        at=entry.occurred_at,
    )
    return row


def escalate_unanswered(now: dt.datetime) -> int:
    """Each request still unanswered when its answer was due climbs the next level of its
    protocol's ladder, once (``rules.ladder``, grounds: a missed deadline); a level not
    yet eligible is tried again on a later run. Returns how many climbed."""
    due = list(
        AccessRequest.objects.filter(escalated_at__isnull=True, answer="", answer_due_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:SCREEN_BATCH]
    )
    climbed = 0
    for pk in due:
        with transaction.atomic():
            if _escalate(pk, now):
                climbed += 1
    return climbed


def _escalate(pk: int, now: dt.datetime) -> bool:
    row = (
        AccessRequest.objects.select_for_update(no_key=True)
        .select_related("party", "answering_party", "version")
        .filter(pk=pk, escalated_at__isnull=True, answer="")
        .first()
    )
    if row is None:
        return False  # answered meanwhile, or another worker took it
    spec = spec_of(row.version)
    protocol = None
    if spec is not None and spec.protocol:
        protocol = agreement_selectors.find_protocol(row.version_id, spec.protocol)
    elif spec is not None:
        protocol = agreement_selectors.find_protocol_serving(row.version_id, "complaints")
    if protocol is None:
        return False
    steps = ladder.rungs(protocol.ladder)
    try:
        ladder.check_climb(
            steps, 0, reached_at=row.submitted_at, now=now, grounds=[ladder.MISSED_DEADLINE]
        )
    except ladder.ClimbRefused:
        return False
    level = steps[1].level
    AccessRequest.objects.filter(pk=pk).update(escalated_at=now, escalation_level=level)
    entry = append_event(
        actor=Actor.console(WORKER),
        event_type=events.ACCESS_ESCALATED,
        data={
            **_summary(row),
            "grounds": ladder.MISSED_DEADLINE,
            "protocol": protocol.protocol_id,
            "level": level,
            "answer_due_at": row.answer_due_at,
            "received": row.received_at is not None,
        },
        subjects=_subject(row),
        audience=row.audience_codes,
    )
    queue_delivery(
        subject_type="deconfliction.access_escalation",
        subject_id=row.pk,
        event_type=entry.event_type,
        payload=_payload(row, level=level),
        audience=row.audience_codes,
        at=entry.occurred_at,
    )
    return True
