"""Queueing news for the parties' webhooks, in the transaction of the change it tells of.

notify knows nothing of what it delivers: the app whose change it is (today ``cases``,
for every case step) calls :func:`queue_delivery` inside its own transaction with the
subject, the event type, the payload and the parties it is for, so the deliveries exist
if and only if the change does. Each delivery's body is fixed here, once, and is exactly
what will be signed and sent, on every retry.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from coordcell.core import audience as audiences
from coordcell.notify.models import Delivery, Webhook
from coordcell.record.canonical import to_jsonable

__all__ = ["RESERVED_KEYS", "body_of", "queue_delivery"]

#: Keys of every body that notify fills in itself; a payload may not use them.
RESERVED_KEYS = frozenset({"delivery", "event", "party"})


def body_of(
    *, delivery_id: uuid.UUID, event_type: str, party_code: str, payload: Mapping[str, Any]
) -> str:
    """The JSON body of one delivery: the payload, with the delivery's id, the event type
    and the party it goes to (sorted keys, no spaces)."""
    body = {**payload, "delivery": delivery_id, "event": event_type, "party": party_code}
    return json.dumps(to_jsonable(body), sort_keys=True, separators=(",", ":"))


def queue_delivery(
    *,
    subject_type: str,
    subject_id: object,
    event_type: str,
    payload: Mapping[str, Any],
    audience: Iterable[str],
    at: dt.datetime,
) -> int:
    """Queue one delivery, due at ``at``, for each active webhook of the parties in
    ``audience`` (party codes, or ``core.audience.ALL_MEMBERS`` for every party), and of
    no other party; return how many were queued.

    The payload must hold only what every party of the audience may read: each of them
    gets the same one. Audiences fail closed: an empty one is refused
    (``core.audience.EmptyAudience``), never taken as everyone. Call it inside the
    transaction that makes the change: the deliveries commit, or roll back, with it. A
    webhook gets one delivery per subject (``subject_type``, ``subject_id``) at most.
    """
    clash = RESERVED_KEYS & set(payload)
    if clash:
        raise ValueError(f"the payload may not set {sorted(clash)}: notify fills them in")
    if isinstance(audience, str):
        raise TypeError("audience is a list of party codes, not a string")
    codes = audiences.normalise(audience)
    hooks = Webhook.objects.filter(active=True).select_related("party")
    if codes != [audiences.ALL_MEMBERS]:
        hooks = hooks.filter(party__code__in=codes)
    deliveries = []
    for hook in hooks:
        delivery_id = uuid.uuid4()
        deliveries.append(
            Delivery(
                public_id=delivery_id,
                webhook=hook,
                subject_type=subject_type,
                subject_id=str(subject_id),
                event=event_type,
                body=body_of(
                    delivery_id=delivery_id,
                    event_type=event_type,
                    party_code=hook.party.code,
                    payload=payload,
                ),
                next_attempt_at=at,
                created_at=at,
            )
        )
    Delivery.objects.bulk_create(deliveries)
    return len(deliveries)
