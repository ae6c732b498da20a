"""Reads of advance notification, always restricted to the reader (``.restrict``).

A notice the reader may not read is missing to them: not in a list, a count, the map's
layer, an export or a follow-up. Its receipts and follow-ups are reached only through a
notice the reader reads, and a follow-up only where the reader also reads its case.

A withdrawn notice stays in the lists, the layer and the exports, shown as withdrawn
(when and why); it awaits no receipt.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import QuerySet

from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.deconfliction.models import (
    AccessRequest,
    FollowUp,
    HumanitarianActor,
    MissingNotice,
    Notice,
    Receipt,
)

__all__ = [
    "access_counts",
    "access_windows",
    "awaiting_answer",
    "awaiting_receipt",
    "follow_ups_of",
    "get_access",
    "get_humanitarian",
    "get_notice",
    "list_access",
    "list_humanitarians",
    "list_missing",
    "list_notices",
    "notices_in_window",
    "pending_receipt",
    "receipts_of",
]


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:  # a malformed id is a missing one
        raise NotFound() from None


def list_notices(actor: Actor) -> QuerySet[Notice]:
    """The notices the reader may read, latest window first."""
    return (
        Notice.objects.restrict(actor)
        .select_related("party", "humanitarian")
        .defer("version__content", "version__basemap")
    )


def get_notice(actor: Actor, public_id: Any) -> Notice:
    """A notice the reader may read; NotFound for any other (like a missing one)."""
    found = list_notices(actor).filter(public_id=_uuid(public_id)).first()
    if found is None:
        raise NotFound()
    return found


def notices_in_window(
    actor: Actor, start: dt.datetime | None, end: dt.datetime | None
) -> QuerySet[Notice]:
    """The notices the reader may read whose window overlaps ``start``..``end``."""
    qs = list_notices(actor)
    if start is not None:
        qs = qs.filter(ends_at__gte=start)
    if end is not None:
        qs = qs.filter(starts_at__lte=end)
    return qs


def awaiting_receipt(actor: Actor, qs: QuerySet[Notice] | None = None) -> QuerySet[Notice]:
    """The notices (of ``qs``, by default every one the reader may read) still awaiting the
    reader's party's receipt (a withdrawn notice awaits none)."""
    qs = list_notices(actor) if qs is None else qs
    if actor.party_id is None:
        return qs.none()
    return (
        qs.filter(withdrawn_at__isnull=True)
        .filter(receipts__party_id=actor.party_id, receipts__acknowledged_at__isnull=True)
        .distinct()
    )


def receipts_of(notice: Notice) -> QuerySet[Receipt]:
    """The receipts of a notice already read through ``get_notice``."""
    return notice.receipts.select_related("party").order_by("party__code")


def pending_receipt(actor: Actor, notice: Notice) -> Receipt | None:
    """The reader's party's receipt of the notice, when it is still to acknowledge (never
    once the notice is withdrawn)."""
    if actor.party_id is None or notice.withdrawn_at is not None:
        return None
    return notice.receipts.filter(party_id=actor.party_id, acknowledged_at__isnull=True).first()


def follow_ups_of(actor: Actor, notice: Notice) -> QuerySet[FollowUp]:
    """The follow-ups of a notice the reader may read, that the reader may read too."""
    return (
        FollowUp.objects.restrict(actor)
        .filter(notice=notice)
        .select_related("incident", "case")
        .defer("incident__version__content")
    )


def list_missing(actor: Actor) -> QuerySet[MissingNotice]:
    """Missing notices flagged on incidents the reader may read, newest first."""
    return MissingNotice.objects.restrict(actor).select_related("incident")


def list_humanitarians(actor: Actor) -> QuerySet[HumanitarianActor]:
    """The humanitarian actors the cell registered, as the reader may see them."""
    return HumanitarianActor.objects.restrict(actor)


def get_humanitarian(actor: Actor, public_id: Any) -> HumanitarianActor:
    found = list_humanitarians(actor).filter(public_id=_uuid(public_id)).first()
    if found is None:
        raise NotFound()
    return found


# --- access requests (deconfliction.access writes them) --------------------------------


def list_access(actor: Actor) -> QuerySet[AccessRequest]:
    """The access requests the reader may read, newest first."""
    return AccessRequest.objects.restrict(actor).select_related("party", "answering_party")


def get_access(actor: Actor, public_id: Any) -> AccessRequest:
    """An access request the reader may read; NotFound for any other (like a missing one)."""
    found = list_access(actor).filter(public_id=_uuid(public_id)).first()
    if found is None:
        raise NotFound()
    return found


def awaiting_answer(actor: Actor) -> QuerySet[AccessRequest]:
    """The requests the reader's party is asked to answer and has not answered yet."""
    if actor.party_id is None:
        return AccessRequest.objects.none()
    return list_access(actor).filter(answering_party_id=actor.party_id, answer="")


def access_windows(
    actor: Actor, start: dt.datetime | None, end: dt.datetime | None
) -> QuerySet[AccessRequest]:
    """The granted requests the reader may read whose access window overlaps
    ``start``..``end``, earliest first (for the calendar and its iCalendar export)."""
    qs = list_access(actor).filter(window_starts_at__isnull=False)
    if start is not None:
        qs = qs.filter(window_ends_at__gte=start)
    if end is not None:
        qs = qs.filter(window_starts_at__lte=end)
    return qs.order_by("window_starts_at", "pk")


def access_counts(actor: Actor, *, since: dt.datetime, until: dt.datetime) -> dict[str, Any]:
    """The access requests submitted in ``since``..``until`` (start included, end
    excluded) that ``actor`` reads, counted by outcome — ``granted``,
    ``granted_escorted``, ``denied``, ``unanswered`` (no answer yet), and of all of them
    ``answered_late`` (answered after the deadline) and ``escalated`` — in total and by
    the answering party's code. Nothing outside the reader's audience counts."""
    rows = list(
        list_access(actor)
        .filter(submitted_at__gte=since, submitted_at__lt=until)
        .values_list(
            "answering_party__code", "answer", "answered_at", "answer_due_at", "escalated_at"
        )
    )

    def empty() -> dict[str, int]:
        return dict.fromkeys(
            (
                "requests",
                "granted",
                "granted_escorted",
                "denied",
                "unanswered",
                "answered_late",
                "escalated",
            ),
            0,
        )

    total = empty()
    by_party: dict[str, dict[str, int]] = {}
    for code, answer, answered_at, due, escalated_at in rows:
        for bucket in (total, by_party.setdefault(code, empty())):
            bucket["requests"] += 1
            bucket[answer or "unanswered"] += 1
            if answered_at is not None and answered_at > due:
                bucket["answered_late"] += 1
            if escalated_at is not None:
                bucket["escalated"] += 1
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        **total,
        "by_answering_party": dict(sorted(by_party.items())),
    }
