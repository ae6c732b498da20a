"""The worker's side of the webhooks: claim a delivery, sign and send it, settle it.

``deliver_due`` is the job ``notify.webhooks``. Each due delivery is

1. **claimed** with a conditional update (``pending → sending`` only if still pending
   and due, or ``sending`` whose claim is older than the lease, after a worker died
   mid-send) in its own transaction;
2. **sent** outside any transaction (:func:`send`: signed with the webhook's secret,
   carried by ``transport.post`` with its hard deadline);
3. **settled** with another conditional update that names the claim: delivered on a 2xx,
   retried after :func:`backoff` otherwise, given up after
   ``COORDCELL_WEBHOOK_MAX_ATTEMPTS`` attempts.

Two workers therefore never send one delivery at once; after a crash a delivery may be
sent again, so receivers de-duplicate on ``X-Coordcell-Delivery``.

The claim is an ``UPDATE`` of ``notify_delivery`` alone whose own ``WHERE`` holds the
state and due conditions (the webhook's ``active`` is an ``EXISTS``): PostgreSQL, under
READ COMMITTED, re-checks only that outer ``WHERE`` against a row another transaction has
just changed, so a condition hidden in an ``id IN (SELECT … JOIN …)`` would let a second
worker claim a delivery the first had already claimed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import time
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from coordcell.notify import transport
from coordcell.notify.choices import DeliveryStateChoices as S
from coordcell.notify.models import Delivery, Webhook
from coordcell.notify.transport import Outcome

__all__ = [
    "BACKOFF_CAP",
    "BACKOFF_FIRST",
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "PASS_BUDGET_SECONDS",
    "PASS_LIMIT",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Outcome",
    "backoff",
    "claim",
    "claim_values",
    "claimable",
    "deliver_due",
    "due",
    "lease",
    "send",
    "settle",
    "sign",
]

log = logging.getLogger("coordcell.notify")

#: The first retry waits this long; each further one twice as long, up to the cap.
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(hours=1)
#: A pass of the worker stops claiming new deliveries after this many seconds.
PASS_BUDGET_SECONDS = 30.0
#: Deliveries claimed per pass at most.
PASS_LIMIT = 100
#: Header names (the signature covers ``timestamp + "." + body``).
SIGNATURE_HEADER = "X-Coordcell-Signature"
TIMESTAMP_HEADER = "X-Coordcell-Timestamp"
DELIVERY_HEADER = "X-Coordcell-Delivery"
EVENT_HEADER = "X-Coordcell-Event"
USER_AGENT = "coordcell-webhooks/1"


# --- signing and sending -----------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of timestamp + "." + body, keyed with the secret>``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def send(delivery: Delivery) -> Outcome:
    """POST one (claimed) delivery to its webhook, signed with the webhook's secret, within
    ``COORDCELL_WEBHOOK_TIMEOUT`` seconds and only to an address the settings allow."""
    body = delivery.body.encode("utf-8")
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(delivery.webhook.secret, timestamp, body),
        TIMESTAMP_HEADER: timestamp,
        DELIVERY_HEADER: str(delivery.public_id),
        EVENT_HEADER: delivery.event,
    }
    return transport.post(
        delivery.webhook.url,
        body,
        headers,
        timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS),
        allowed=settings.WEBHOOK_ALLOWED_NETWORKS,
    )


# --- claims ------------------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt (1, 2, …)."""
    return min(BACKOFF_FIRST * (1 << min(max(attempts - 1, 0), 20)), BACKOFF_CAP)


def lease() -> dt.timedelta:
    """How long a claim holds: a send's deadline and a minute; after it, the claim is a
    dead worker's and the delivery is due again."""
    return dt.timedelta(seconds=int(settings.WEBHOOK_TIMEOUT_SECONDS) + 60)


def due(now: dt.datetime) -> Q:
    """Deliveries to send at ``now``: pending and due, or left ``sending`` past the lease."""
    return Q(state=S.PENDING, next_attempt_at__lte=now) | Q(
        state=S.SENDING, claimed_at__lte=now - lease()
    )


def claimable(pk: int, now: dt.datetime) -> QuerySet[Delivery]:
    """Delivery ``pk`` if it is due and its webhook active.

    Every condition is on the delivery's own row (the webhook's ``active`` in an
    ``EXISTS``), so the ``UPDATE`` that claims it keeps them in its own ``WHERE``: a join
    here would make Django write ``WHERE id IN (SELECT … JOIN …)``, which PostgreSQL does
    not re-check against a row a concurrent claim has just committed.
    """
    active = Exists(Webhook.objects.filter(pk=OuterRef("webhook_id"), active=True))
    return Delivery.objects.filter(due(now), active, pk=pk)


def claim_values(token: uuid.UUID, now: dt.datetime) -> dict[str, Any]:
    """What a claim writes."""
    return {"state": S.SENDING, "claim": token, "claimed_at": now, "attempts": F("attempts") + 1}


def claim(pk: int, now: dt.datetime) -> uuid.UUID | None:
    """Take delivery ``pk`` for sending if it is still due; None if someone else has it."""
    token = uuid.uuid4()
    with transaction.atomic():
        taken = claimable(pk, now).update(**claim_values(token, now))
    return token if taken else None


# --- settlement --------------------------------------------------------------------------


def settle(delivery: Delivery, token: uuid.UUID, outcome: Outcome, now: dt.datetime) -> str:
    """Write how the attempt went, if the claim ``token`` still holds; return the new state.

    A 2xx is ``delivered``; any other outcome is retried after :func:`backoff`, or given
    up (``failed``) once ``delivery.attempts`` (counted by the claim) reaches
    ``COORDCELL_WEBHOOK_MAX_ATTEMPTS``. The last status and error are kept either way.
    """
    mine = Delivery.objects.filter(pk=delivery.pk, claim=token, state=S.SENDING)
    with transaction.atomic():
        if outcome.ok:
            mine.update(
                state=S.DELIVERED, delivered_at=now, last_status=outcome.status, last_error=""
            )
            return S.DELIVERED
        if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            mine.update(state=S.FAILED, last_status=outcome.status, last_error=outcome.error)
            return S.FAILED
        mine.update(
            state=S.PENDING,
            next_attempt_at=now + backoff(delivery.attempts),
            last_status=outcome.status,
            last_error=outcome.error,
        )
        return S.PENDING


# --- the worker's pass -------------------------------------------------------------------


def deliver_due(now: dt.datetime, *, limit: int = PASS_LIMIT) -> int:
    """Send the deliveries due at ``now``; return how many this call claimed."""
    pks = list(
        Delivery.objects.filter(due(now), webhook__active=True)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    started = time.monotonic()
    handled = 0
    for pk in pks:
        if time.monotonic() - started > PASS_BUDGET_SECONDS:
            break  # the rest wait for the next pass; other jobs must run too
        token = claim(pk, now)
        if token is None:
            continue  # delivered, cancelled, or another worker has it
        delivery = Delivery.objects.select_related("webhook").get(pk=pk)
        outcome = send(delivery)
        if not outcome.ok:
            log.warning(
                "webhook delivery %s to %s failed (attempt %d): %s",
                delivery.public_id,
                delivery.webhook.url,
                delivery.attempts,
                outcome.error,
            )
        settle(delivery, token, outcome, now)
        handled += 1
    return handled
