"""Reads of advance notification, always restricted to the reader (``.restrict``).

A notice the reader may not read is missing to them: not in a list, a count, the map's
layer, an export or a follow-up. Its receipts and follow-ups are reached only through a
notice the reader reads, and a follow-up only where the reader also reads its case.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import QuerySet

from coordcell.core.actor import Actor
from coordcell.core.errors import NotFound
from coordcell.deconfliction.models import (
    FollowUp,
    HumanitarianActor,
    MissingNotice,
    Notice,
    Receipt,
)

__all__ = [
    "awaiting_receipt",
    "follow_ups_of",
    "get_humanitarian",
    "get_notice",
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
    reader's party's receipt."""
    qs = list_notices(actor) if qs is None else qs
    if actor.party_id is None:
        return qs.none()
    return qs.filter(
        receipts__party_id=actor.party_id, receipts__acknowledged_at__isnull=True
    ).distinct()


def receipts_of(notice: Notice) -> QuerySet[Receipt]:
    """The receipts of a notice already read through ``get_notice``."""
    return notice.receipts.select_related("party").order_by("party__code")


def pending_receipt(actor: Actor, notice: Notice) -> Receipt | None:
    """The reader's party's receipt of the notice, when it is still to acknowledge."""
    if actor.party_id is None:
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
