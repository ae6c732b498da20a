"""Reads of cases and inboxes, restricted to what the caller may see.

The incidents' own reads are ``incidents.selectors``, re-exported here for the case pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import (
    Case as When_,
)

from coordcell.agreements import selectors as agreement_selectors
from coordcell.cases.choices import (
    DeadlineKindChoices,
    DeadlineStateChoices,
    ExtensionStateChoices,
)
from coordcell.cases.models import (
    Activation,
    Case,
    Deadline,
    Extension,
    Notification,
    Step,
    VerificationElement,
)
from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.incidents.selectors import get_incident, list_incidents
from coordcell.rules import verification, workflow

__all__ = [
    "DeterminedViolation",
    "access_denials",
    "board_cases",
    "case_of_incidents",
    "determined_violations",
    "get_activation",
    "get_case",
    "get_incident",
    "list_activations",
    "list_cases",
    "list_deadlines",
    "list_extensions",
    "list_incidents",
    "list_notifications",
    "list_steps",
    "visible_case_incidents",
]


def _by_public_id(qs: QuerySet[Any], public_id: Any) -> Any:
    try:
        obj = qs.filter(public_id=public_id).first()
    except (ValueError, ValidationError):
        obj = None
    if obj is None:
        raise NotFound()
    return obj


def access_denials(actor: Actor, *, case: Case | None = None) -> QuerySet[VerificationElement]:
    """The verified elements the monitors could not verify because a party denied access,
    in the cases ``actor`` may see (or in ``case``): one row per element, with its party
    (``denied_by``) and the case's month (the scorecard counts them per party)."""
    cases = Case.objects.restrict(actor) if case is None else Case.objects.filter(pk=case.pk)
    return (
        VerificationElement.objects.filter(case__in=cases, reason=verification.ACCESS_DENIED)
        .select_related("case")
        .order_by("pk")
    )


def list_cases(actor: Actor, *, open_only: bool = False) -> QuerySet[Case]:
    qs: QuerySet[Case] = (
        Case.objects.restrict(actor)
        .select_related("incident", "complainant", "respondent")
        .annotate(
            next_due=Min("deadlines__due_at", filter=Q(deadlines__state=DeadlineStateChoices.OPEN)),
            # The deciders' deadline, open, and whether it was missed (the board marks both).
            determination_due=Min(
                "deadlines__due_at",
                filter=Q(
                    deadlines__state=DeadlineStateChoices.OPEN,
                    deadlines__kind=DeadlineKindChoices.DETERMINATION,
                ),
            ),
            determination_missed=Exists(
                Deadline.objects.filter(
                    case=OuterRef("pk"),
                    kind=DeadlineKindChoices.DETERMINATION,
                    state=DeadlineStateChoices.EXPIRED,
                )
            ),
            # The worker reminded the mediator to review the case at its level.
            review_due=Exists(
                Deadline.objects.filter(
                    case=OuterRef("pk"),
                    kind=DeadlineKindChoices.LEVEL,
                    level=OuterRef("level"),
                    state=DeadlineStateChoices.EXPIRED,
                )
            ),
            # An extension proposed and not yet countersigned by both parties.
            extension_pending=Exists(
                Extension.objects.filter(
                    case=OuterRef("pk"),
                    state=ExtensionStateChoices.PENDING,
                    deadline__state=DeadlineStateChoices.OPEN,
                )
            ),
        )
    )
    if open_only:
        qs = qs.exclude(state__in=workflow.CLOSED_STATES)
    # Explicit: a query with an aggregate drops the model's default ordering.
    return qs.order_by("-lodged_at", "-pk")


def board_cases(actor: Actor, *, open_only: bool = False) -> QuerySet[Case]:
    """The board: open cases at the top of their ladder first (``at_top``: the
    mechanism's failures stay the most visible), then the next deadline first."""
    at_top = Q(pk__in=[])
    for (version_id, protocol_id), top in agreement_selectors.ladder_tops().items():
        at_top |= Q(version_id=version_id, protocol_id=protocol_id, level__gte=top)
    at_top &= ~Q(state__in=workflow.CLOSED_STATES)
    return (
        list_cases(actor, open_only=open_only)
        .annotate(
            at_top=When_(
                When(at_top, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .order_by(F("at_top").desc(), F("next_due").asc(nulls_last=True), "-pk")
    )


def list_extensions(case: Case) -> QuerySet[Extension]:
    """The extensions proposed on ``case``, with their deadlines, oldest first."""
    return case.extensions.select_related("deadline").order_by("proposed_at", "pk")


def get_case(actor: Actor, public_id: Any) -> Case:
    case: Case = _by_public_id(list_cases(actor), public_id)
    return case


def list_steps(case: Case) -> QuerySet[Step]:
    return case.steps.select_related("entry").order_by("at", "pk")


def list_deadlines(case: Case) -> QuerySet[Deadline]:
    return case.deadlines.order_by("due_at", "pk")


def list_notifications(actor: Actor, *, unread_only: bool = False) -> QuerySet[Notification]:
    if actor.user is None:
        return Notification.objects.none()
    qs = (
        Notification.objects.filter(recipient=actor.user)
        # Only cases the reader may still see (a person who changed party keeps no view).
        .filter(case__in=Case.objects.restrict(actor))
        .select_related("case__complainant", "case__respondent", "step__entry")
        .annotate(
            next_due=Min(
                "case__deadlines__due_at",
                filter=Q(case__deadlines__state=DeadlineStateChoices.OPEN),
            )
        )
    )
    qs = qs.order_by("-created_at", "-pk")  # the aggregate drops the default ordering
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(actor: Actor) -> int:
    if actor.user is None:
        return 0
    return int(
        Notification.objects.filter(
            recipient=actor.user, read_at__isnull=True, case__in=Case.objects.restrict(actor)
        ).aggregate(n=Count("pk"))["n"]
    )


def list_activations(actor: Actor) -> QuerySet[Activation]:
    activations: QuerySet[Activation] = (
        Activation.objects.restrict(actor)
        .select_related("caller_party", "callee_party", "case")
        .order_by("-received_at", "-pk")
    )
    return activations


def get_activation(actor: Actor, public_id: Any) -> Activation:
    activation: Activation = _by_public_id(list_activations(actor), public_id)
    return activation


# --- for the economic zone (issue 15): violations determined against a party -------------


@dataclass(frozen=True)
class DeterminedViolation:
    """A determination that established a violation by ``respondent`` (a complaint, not
    a request to act), with the place of the incident the case is about."""

    case: str
    respondent: str
    determined_at: dt.datetime
    geometry: dict[str, Any]
    audience: tuple[str, ...]


def determined_violations(respondent: str, since: dt.datetime) -> list[DeterminedViolation]:
    """Violations by ``respondent`` determined since ``since``, whoever asks (the economic
    zone's worker evaluates conditions with them; a finding of the engine, an incident
    with no determination, or a case against no party is never one)."""
    rows = (
        Case.objects.filter(
            respondent__code=respondent,
            nature="complaint",
            outcome="violation_established",
            determined_at__gte=since,
        )
        .select_related("incident", "respondent")
        .order_by("determined_at", "pk")
    )
    return [
        DeterminedViolation(
            case=c.reference,
            respondent=respondent,
            determined_at=c.determined_at,
            geometry=dict(c.incident.geometry),
            audience=tuple(c.audience_codes),
        )
        for c in rows
        if c.determined_at is not None
    ]


# --- for the situation map: the cases of incidents, as far as the reader sees them ------


def visible_case_incidents(actor: Actor, states: Iterable[str]) -> QuerySet[Any, Any]:
    """The incident ids (``values("incident_id")``, a subquery) of the cases ``actor`` may
    see whose state is one of ``states``."""
    return (
        Case.objects.restrict(actor).filter(state__in=list(states)).order_by().values("incident_id")
    )


def case_of_incidents(actor: Actor, incident_ids: Iterable[int]) -> dict[int, Case]:
    """The latest case ``actor`` may see about each of ``incident_ids`` (none for an
    incident whose cases are all hidden from the reader: hidden looks like missing)."""
    latest: dict[int, Case] = {}
    for case in (
        Case.objects.restrict(actor)
        .filter(incident_id__in=list(incident_ids))
        .only("pk", "public_id", "reference", "state", "incident_id", "lodged_at")
        .order_by("lodged_at", "pk")
    ):
        latest[case.incident_id] = case
    return latest
